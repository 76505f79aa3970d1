#!/usr/bin/python3
"""How much of a labelled set's figure the domain vocabulary owes to entries that only that set
writes (issue 14, an honest estimate of the held-out figure).

For each labelled set S: the entries of server/data/vocabulary.txt (labels kept) that some item
of S writes and that neither the other labelled set, the seeds (../shared/seeds) nor the demo
write are left out, and S is scored again by grouped 5-fold cross-validation. An entry only one
set uses may be general knowledge that happens to appear there, or may have been written after
reading that set: the stripped figure is a pessimistic estimate for topics the vocabulary was not
written against, the full one an optimistic one. A vocabulary written from general knowledge
alone loses about as much on either set.

Usage: bench/vocab_audit.py [--binary build/ketentafel] [--data ../shared/data] [--list]
       bench/vocab_audit.py --table [--vocabulary FILE]   one line a set: grouped 5-fold CV with
           the full vocabulary, with the set's own entries stripped, and with none (F1 mean ± sd,
           pooled precision and recall): the table a vocabulary change is judged by
       bench/vocab_audit.py --table --set name=value,...   the same for a scoring experiment
           (similar-eval --set)
       bench/vocab_audit.py --table --since REV   strip only the entries the vocabulary had at
           git revision REV; entries added since, written blind to both sets, stay
Prints figures; never fails on one."""

import argparse
import glob
import json
import os
import re
import subprocess
import tempfile
import unicodedata

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
VOCAB = os.path.join(ROOT, "server", "data", "vocabulary.txt")


def fold(s):
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


def writes(entry, text):
    """Whether text writes entry (folded; its last two letters may differ: plurals, verbs)."""
    e = fold(entry)
    return e[:max(4, len(e) - 2)] in text


def item_texts(data, name):
    with open(os.path.join(data, f"duplicates-{name}.items.jsonl")) as f:
        return [fold(j["title"] + " " + (j.get("description") or "")) for j in map(json.loads, f)]


def entries_of(text):
    """Every entry and label of a vocabulary text, folded."""
    out = set()
    for line in text.split("\n"):
        if line[:1] in "=~" and ":" in line:
            label, entries = line[2:].split(":", 1)
            out |= {fold(e.strip()) for e in entries.split(",") + [label] if e.strip()}
    return out


def strip(target_text, other_text, since=None):
    """The vocabulary without the entries only target_text writes; and those entries. With
    since (the entries of an older vocabulary, folded), only entries it had, in any group, are
    left out: the entries written later, blind to both sets, are judged as written."""
    out, gone = [], []
    for line in open(VOCAB).read().split("\n"):
        if line[:1] in "=~" and ":" in line:
            label, entries = line[2:].split(":", 1)
            entries = [e.strip() for e in entries.split(",") if e.strip()]
            keep = [e for e in entries if not (writes(e, target_text) and not writes(e, other_text)
                                               and (since is None or fold(e) in since))]
            gone += [e for e in entries if e not in keep]
            line = f"{line[0]} {label}: " + ", ".join(keep or [label.strip()])
        out.append(line)
    return "\n".join(out), gone


SETTINGS = []  # --set name=value,...: a scoring experiment, passed on to similar-eval


def cv_out(binary, data, name, vocab):
    voc = ["--vocabulary", "none"] if vocab == "none" else ["--only-vocabulary", vocab]
    voc += SETTINGS
    return subprocess.run([binary, "similar-eval", "--items",
                           os.path.join(data, f"duplicates-{name}.items.jsonl"), "--pairs",
                           os.path.join(data, f"duplicates-{name}.pairs.jsonl"), "--folds", "5"]
                          + voc, capture_output=True, text=True).stdout


def cv_short(binary, data, name, vocab):
    out = cv_out(binary, data, name, vocab)
    m = re.search(r"cv shipped settings: f1 mean=([\d.]+) sd=([\d.]+) pooled\s+precision=([\d.]+) "
                  r"recall=([\d.]+)", out)
    return f"{m.group(1)} ± {m.group(2)} (P {m.group(3)} R {m.group(4)})"


def cv(binary, data, name, vocab):
    out = cv_out(binary, data, name, vocab)
    m = re.search(r"cv shipped settings: f1 mean=([\d.]+) sd=([\d.]+)", out)
    last = out.strip().splitlines()[-1]
    return f"grouped CV {m.group(1)} ± {m.group(2)}; at the threshold: {last}"


def main():
    global VOCAB
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "ketentafel"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--seeds", default=os.path.join(ROOT, "..", "shared", "seeds"))
    ap.add_argument("--list", action="store_true", help="list the entries left out")
    ap.add_argument("--table", action="store_true", help="full / stripped / none, P and R")
    ap.add_argument("--vocabulary", default=VOCAB, help="the vocabulary to judge")
    ap.add_argument("--since", help="git revision: strip only the entries it had")
    ap.add_argument("--set", help="similar-eval --set name=value,...: judge a scoring experiment")
    a = ap.parse_args()
    VOCAB = a.vocabulary
    if a.set:
        SETTINGS[:] = ["--set", a.set]
    since = None
    if a.since:
        since = entries_of(subprocess.run(["git", "-C", ROOT, "show",
                                           f"{a.since}:server/data/vocabulary.txt"],
                                          capture_output=True, text=True, check=True).stdout)
    general = [fold(open(f, errors="ignore").read()) for f in glob.glob(os.path.join(a.seeds, "*"))]
    general.append(fold(open(os.path.join(ROOT, "server", "demo", "demo.json")).read()))
    sets = {"dev": item_texts(a.data, "dev"), "dev2": item_texts(a.data, "dev2")}
    for name, other in (("dev", "dev2"), ("dev2", "dev")):
        text, gone = strip("\n".join(sets[name]), "\n".join(sets[other] + general), since)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        if a.table:
            print(f"{name}: full {cv_short(a.binary, a.data, name, VOCAB)} / stripped "
                  f"{cv_short(a.binary, a.data, name, f.name)} / none "
                  f"{cv_short(a.binary, a.data, name, 'none')}", flush=True)
            os.unlink(f.name)
            continue
        print(f"{name}: {len(gone)} vocabulary entries only {name} writes")
        print(f"  full vocabulary:      {cv(a.binary, a.data, name, VOCAB)}")
        print(f"  without those:        {cv(a.binary, a.data, name, f.name)}")
        if a.list:
            print("  left out: " + ", ".join(gone))
        os.unlink(f.name)


if __name__ == "__main__":
    main()
