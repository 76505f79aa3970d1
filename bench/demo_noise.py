#!/usr/bin/python3
"""Noise of the detectors on the demo data (issue 14): starts `ketentafel --demo` on a fresh
database, lets the detectors run over the whole demo, and prints the open signals (flags) per
body -- duplicates and meeting clashes -- and whether the demo's planted duplicates (README.md in
server/demo, "Planted overlaps") are found and the pairs that must not be flagged are not.

Usage: bench/demo_noise.py [--binary build/ketentafel] [--list]
Needs Debian's python3 (run with /usr/bin/python3). Prints figures; never fails on one."""

import argparse
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import harness  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PLANTED = [("rgo-3-pmg", "npdw-3-pmg"), ("drugs-3-drugsopslag", "rgo-3-drugsopslag"),
           ("priv-3-convenant", "rgo-4-convenant")]
NEVER = [("kris-3-woonoverlast", "wonen-2-woonoverlast"),
         ("lvdw-3-voortgang-jenv", "veil-2-voortgang-jenv")]


def demo_titles():
    demo = json.load(open(os.path.join(ROOT, "server", "demo", "demo.json")))
    titles = {}
    for b in demo["bodies"]:
        for m in b["meetings"]:
            for it in m["agenda"]:
                titles[it["key"]] = (b["name"], it["title"])
        for it in b.get("backlog", []):
            titles[it["key"]] = (b["name"], it["title"])
    return titles


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "ketentafel"))
    ap.add_argument("--list", action="store_true", help="list every open signal")
    a = ap.parse_args()
    harness.BINARY = os.path.abspath(a.binary)
    server = harness.Server("demo-noise", demo=True)
    server.start()
    try:
        db = sqlite3.connect(server.db)
        bodies = dict(db.execute("SELECT id, name FROM bodies"))
        items = {i: (b, t) for i, b, t in db.execute("SELECT id, body_id, title FROM items")}
        flags = db.execute("SELECT kind, body_a, body_b, item_a, item_b, score, evidence "
                           "FROM flags WHERE state = 'open' ORDER BY score DESC").fetchall()
        per = {b: 0 for b in bodies}
        for kind, ba, bb, *_ in flags:
            per[ba] += 1
            if bb != ba:
                per[bb] += 1
        print(f"bodies={len(bodies)} open signals={len(flags)} "
              f"(duplicates={sum(1 for f in flags if f[0] == 'duplicate')}, "
              f"clashes={sum(1 for f in flags if f[0] == 'conflict')})")
        print(f"open signals per body: mean={sum(per.values()) / len(per):.2f} "
              f"max={max(per.values())}")
        for b, n in sorted(per.items(), key=lambda x: -x[1]):
            print(f"  {n:3d}  {bodies[b]}")
        titles = demo_titles()
        by_title = {}
        for i, (b, t) in items.items():
            by_title.setdefault((bodies[b], t), []).append(i)
        pairs = {(min(f[3], f[4]), max(f[3], f[4])) for f in flags if f[0] == "duplicate"}

        def found(x, y):
            xs, ys = by_title.get(titles[x], []), by_title.get(titles[y], [])
            return any((min(i, j), max(i, j)) in pairs for i in xs for j in ys)
        for x, y in PLANTED:
            print(f"planted {x} ~ {y}: {'found' if found(x, y) else 'MISSED'}")
        for x, y in NEVER:
            print(f"never   {x} ~ {y}: {'FLAGGED' if found(x, y) else 'not flagged'}")
        if a.list:
            for kind, ba, bb, ia, ib, score, ev in flags:
                ev = json.loads(ev)
                what = (f"{items[ia][1]!r} ~ {items[ib][1]!r} [{ev.get('shared', '')}]"
                        f"\n{'':10s}{'sterk' if score >= 0.3 else 'deels':6s} "
                        f"Beide over: {ev.get('subject', '')}"
                        if kind == "duplicate" else "")
                print(f"{kind:9s} {score:.3f} {bodies[ba][:28]:28s} | {bodies[bb][:28]:28s} {what}")
    finally:
        server.stop(check=False)
        server.cleanup()


main()
