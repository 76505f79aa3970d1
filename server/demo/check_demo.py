#!/usr/bin/python3
"""Validate server/demo/demo.json: shape, allowed values, referential integrity, realism rules,
the deliberately planted overlaps, and that no real person from the seed documents appears.

Usage: /usr/bin/python3 server/demo/check_demo.py [path/to/demo.json]
Exits 0 when everything holds; otherwise prints every violation and exits 1. Standard library only.
"""
import json
import os
import re
import sys
from itertools import combinations

# ---------------------------------------------------------------------------------------------
# Allowed values (the format the loader in server/ is written against)
ORG_KINDS = {"gemeente", "politie", "om", "riec", "belastingdienst", "omgevingsdienst", "sociale_dienst",
             "woningcorporatie", "jongerenwerk", "onderwijs", "zorg", "veiligheidshuis", "rijk", "overig"}
SCOPE_KINDS = {"gemeente", "regio"}
BODY_KINDS = {"regiegroep", "stuurgroep", "casusoverleg", "leefbaarheidsoverleg", "werkgroep", "overig"}
LEVELS = {"strategisch", "tactisch", "operationeel"}
ROLES = {"voorzitter", "secretaris", "lid", "vaste_vervanger", "gast", "waarnemer"}
MEETING_STATUSES = {"concept", "agenda_gepubliceerd", "gehouden", "verslag_concept", "verslag_vastgesteld",
                    "geannuleerd"}
PAST_STATUSES = {"gehouden", "verslag_concept", "verslag_vastgesteld"}
FUTURE_STATUSES = {"concept", "agenda_gepubliceerd"}
ITEM_KINDS = {"informatie", "bespreking", "besluitvorming"}
ACTION_KINDS = {"actiepunt", "toezegging", "besluit"}
ACTION_STATUSES = {"open", "lopend", "afgerond", "vervallen"}
CADENCE_RE = re.compile(r"^P([1-9][0-9]*)([WM])$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
EMAIL_RE = re.compile(r"^[a-z0-9._-]+@[a-z0-9.-]+\.example$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

TOP_KEYS = ["password", "scopes", "abbreviations", "organisations", "persons", "bodies"]
ORG_KEYS = {"key", "name", "kind", "scope"}
PERSON_KEYS = {"key", "name", "email", "org", "function", "admin"}
PERSON_OPTIONAL = {"showcase"}
BODY_KEYS = {"key", "name", "kind", "scope", "level", "cadence", "parent", "mandate", "location", "members",
             "meetings", "backlog", "actions", "chat"}
MEMBER_KEYS = {"person", "role"}
MEMBER_OPTIONAL = {"substitute_for", "items"}
MEETING_KEYS = {"key", "in_days", "time", "minutes", "location", "status", "agenda"}
ITEM_KEYS = {"key", "title", "description", "kind", "minutes", "presenter", "recurring", "confidential",
             "relevant", "allow_persons"}
ACTION_KEYS = {"kind", "text", "owner", "owner_org", "due_in_days", "status", "origin"}
CHAT_KEYS = {"person", "text", "minutes_ago"}

ADMIN_EMAIL = "beheer@ketentafel.example"

# ---------------------------------------------------------------------------------------------
# Real people named in /work/shared/seeds (council members, clerks, officials, stuurgroep members,
# researchers). None of them may appear in the demo: not as a person, not in any text.
REAL_NAMES = [
    # 000: commissie Dordrecht (rekenkameronderzoek ondermijning; programma Arbeidsmarkt)
    "Pieter Groenewege", "Steven Oostlander", "Sylvia Khadje", "Mara Damen", "Tinka Floor",
    "Joachim Bekkering", "André Bogaard", "André Boogaard", "Jacques Katif", "Megan de Groot",
    "Cees Venderbos-Lambinon", "Cees Venderbos", "Inge Stevens", "Mario Okkerse", "Erik-Jan Roggekamp",
    "Yara van Engelen", "Abdullah Uysal", "Gersom Tutupoly", "Leo Stolk", "André de Vries",
    "Mehmet Safranti", "Albert Klerk", "Vincent Laban", "Robert de Heer", "Wouter Kolff", "Leen Struijk",
    "Chris van Benschop", "Ingrid van Zimmeren", "Elco van den Berg", "Rolin den Heijer",
    "Masum Kolkiliç", "Wouter Gorter", "Jan-Willem Wringer", "Nicolette Woestenburg",
    # 002: commissie Dordrecht (Toekomstscenario kind- en gezinsbescherming)
    "John van der Net", "Luca van Ballegooijen", "Karin Boom", "Karin Boom-Vos", "Raymond Hartmeijer",
    "Ineke Jager", "Irene Koene", "Kitty Kruger", "Dirk van Pelt", "David Schalken",
    "David Schalken-den Hartog", "Marije Schnabel", "Franciske van Vugt", "Franciske van Vugt-Roose",
    "Isabel Hage", "Laura Prak", "Rik van der Linden", "Marina Azarian",
    # 004: Stuurgroep Stadspartners Schiedam
    "Cor Lamers", "Cor Lammers", "Marilyn Louisville", "Wendy Aendekerk", "Marcelis Boereboom",
    "Marcelis Boerenboom", "Olga Boot", "Dogukan Ergin", "Dino van Dal", "Stef Fleischeuer",
    "Anne de Haij", "Peter Jonkers", "Emile Klep", "Antoinette Laan", "Daphne Meijer",
    "Tabitha Oetomo-de Roode", "Tarik Topçu", "Tarik Topcu", "Nicole van der Wekken", "Dirk Wolbers",
    "Barbara Vermaat", "Roos Wilhelm", "Marijke Bergh", "Marjolein van Eykelen", "Martine Geurts",
    "Peter van der Gugten", "Theo Schilthuizen", "Karin van der Velden", "Eric Hartstra", "Jules Bijl",
]
# Surnames of everyone above (and of those only named by surname: Den Heyer, Wepster, Kolff).
REAL_SURNAMES = {
    "groenewege", "oostlander", "khadje", "damen", "floor", "bekkering", "bogaard", "boogaard", "katif",
    "groot", "venderbos-lambinon", "venderbos", "lambinon", "stevens", "okkerse", "roggekamp", "engelen",
    "uysal", "tutupoly", "stolk", "vries", "safranti", "klerk", "laban", "heer", "kolff", "struijk",
    "benschop", "zimmeren", "berg", "heijer", "heyer", "kolkiliç", "kolkilic", "gorter", "wringer",
    "woestenburg", "net", "ballegooijen", "boom", "boom-vos", "vos", "hartmeijer", "jager", "koene",
    "kruger", "pelt", "schalken", "schalken-den hartog", "hartog", "schnabel", "vugt", "vugt-roose",
    "roose", "hage", "prak", "linden", "azarian", "wepster", "lamers", "lammers", "louisville",
    "aendekerk", "boereboom", "boerenboom", "boot", "ergin", "dal", "fleischeuer", "haij", "jonkers",
    "klep", "laan", "meijer", "oetomo-de roode", "oetomo", "roode", "topçu", "topcu", "wekken", "wolbers",
    "vermaat", "wilhelm", "bergh", "eykelen", "geurts", "gugten", "schilthuizen", "velden", "hartstra",
    "bijl",
}
# Surnames distinctive enough to search for in free text (common Dutch words like "laan", "boot",
# "floor", "net" or "boom" are left out of the text scan; they are still banned as surnames).
DISTINCTIVE_SURNAMES = [
    "Groenewege", "Oostlander", "Khadje", "Bekkering", "Katif", "Venderbos", "Lambinon", "Okkerse",
    "Roggekamp", "Uysal", "Tutupoly", "Safranti", "Laban", "Kolff", "Struijk", "Benschop", "Zimmeren",
    "Heijer", "Heyer", "Kolkiliç", "Gorter", "Wringer", "Woestenburg", "Ballegooijen", "Hartmeijer",
    "Koene", "Kruger", "Schnabel", "Vugt", "Azarian", "Wepster", "Lamers", "Lammers", "Louisville",
    "Aendekerk", "Boereboom", "Boerenboom", "Ergin", "Fleischeuer", "Haij", "Jonkers", "Klep", "Oetomo",
    "Topçu", "Topcu", "Wekken", "Wolbers", "Vermaat", "Wilhelm", "Bergh", "Eykelen", "Geurts", "Gugten",
    "Schilthuizen", "Hartstra", "Bogaard", "Boogaard",
]
TUSSENVOEGSELS = {"van", "de", "der", "den", "het", "ter", "ten", "te", "in", "'t", "a"}

# ---------------------------------------------------------------------------------------------
# The deliberately planted overlaps. README.md documents the same keys; tests rely on them.
PLANTED = {
    # (a) same subject, two Dordrecht bodies, within a few weeks; one title uses the abbreviation
    "same_subject_same_municipality": [("rgo-3-pmg", "npdw-3-pmg")],
    # (b) identical titles in Schiedam and Dordrecht: must NOT be reported as duplicates
    "same_title_other_municipality": [("kris-3-woonoverlast", "wonen-2-woonoverlast"),
                                      ("lvdw-3-voortgang-jenv", "veil-2-voortgang-jenv")],
    # (c) one person, two bodies, overlapping meetings on one day: the ONLY such clash in the data
    "person_clash": [("cso-3", "aic-3", {"p-jvlasblom"})],
    # (d) a regional body (RIEC Rotterdam) and a local Dordrecht body on the same subject
    "regional_and_local": [("drugs-3-drugsopslag", "rgo-3-drugsopslag"),
                           ("priv-3-convenant", "rgo-4-convenant")],
    # (e) parent and child body that meet in the same calendar week (Monday to Sunday), twice:
    # in_days counts from a Monday, so in_days // 7 is the week
    "same_week": [("regiegroep-ondermijning", "casusoverleg-ondermijning", 2)],
}

STOPWORDS = {"de", "het", "een", "en", "van", "voor", "met", "op", "in", "aan", "bij", "tot", "naar", "over",
             "om", "of", "te", "is", "die", "dat", "der", "den"}

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_keys(where, obj, required, optional=frozenset()):
    if not isinstance(obj, dict):
        err(where, f"expected an object, got {type(obj).__name__}")
        return False
    missing = required - obj.keys()
    extra = obj.keys() - required - optional
    if missing:
        err(where, f"missing keys {sorted(missing)}")
    if extra:
        err(where, f"unknown keys {sorted(extra)}")
    return not missing


def nonempty_str(where, obj, key):
    v = obj.get(key)
    if not isinstance(v, str) or not v.strip():
        err(where, f"'{key}' must be a non-empty string")
        return False
    return True


def words(text, abbrevs):
    """Content words of a title, abbreviations expanded."""
    out = []
    for w in re.findall(r"[\w&]+", text, re.UNICODE):
        exp = abbrevs.get(w) or abbrevs.get(w.lower())
        out.extend(re.findall(r"\w+", (exp or w).lower()))
    return {w for w in out if len(w) >= 4 and w not in STOPWORDS}


# ---------------------------------------------------------------------------------------------
def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                              "demo.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_demo: cannot read {path}: {e}")
        return 1

    if not isinstance(data, dict) or list(data.keys()) != TOP_KEYS:
        err("top", f"keys must be exactly {TOP_KEYS} in that order")
        return report()
    if not isinstance(data["password"], str) or len(data["password"]) < 8:
        err("password", "must be a string of at least 8 characters")

    # ---- scopes
    scopes = {}
    for i, s in enumerate(data["scopes"]):
        w = f"scopes[{i}]"
        if not check_keys(w, s, {"name", "kind"}, {"includes"}):
            continue
        nonempty_str(w, s, "name")
        if s["name"].lower() in {n.lower() for n in scopes}:
            err(w, f"duplicate scope name {s['name']!r} (names are unique, case-insensitive)")
        if s["kind"] not in SCOPE_KINDS:
            err(w, f"kind {s['kind']!r} not in {sorted(SCOPE_KINDS)}")
        if s["kind"] == "gemeente" and "includes" in s:
            err(w, "a gemeente has no 'includes'")
        if s["kind"] == "regio" and not s.get("includes"):
            err(w, "a regio needs a non-empty 'includes'")
        scopes[s["name"]] = s
    for s in scopes.values():
        for inc in s.get("includes", []):
            if inc not in scopes:
                err(f"scope {s['name']}", f"includes unknown scope {inc!r}")
            elif scopes[inc]["kind"] != "gemeente":
                err(f"scope {s['name']}", f"includes {inc!r}, which is not a gemeente")
        if len(set(s.get("includes", []))) != len(s.get("includes", [])):
            err(f"scope {s['name']}", "duplicate entries in includes")

    def scope_covers(region, gemeente):
        return region == gemeente or gemeente in scopes.get(region, {}).get("includes", [])

    # ---- abbreviations
    abbrevs = {}
    for i, a in enumerate(data["abbreviations"]):
        w = f"abbreviations[{i}]"
        if not check_keys(w, a, {"abbr", "expansion"}):
            continue
        nonempty_str(w, a, "abbr")
        nonempty_str(w, a, "expansion")
        if a["abbr"] in abbrevs:
            err(w, f"duplicate abbreviation {a['abbr']!r}")
        for other, exp in abbrevs.items():
            if other.lower() == a["abbr"].lower() and exp.lower() != a["expansion"].lower():
                err(w, f"{a['abbr']!r} and {other!r} differ only in case but expand differently")
        abbrevs[a["abbr"]] = a["expansion"]
    for must in ("PmG", "13b", "RIEC", "Bibob", "OM", "ODZHZ", "SDD", "NP"):
        if must not in abbrevs:
            err("abbreviations", f"missing {must!r}")

    # ---- organisations
    orgs = {}
    for i, o in enumerate(data["organisations"]):
        w = f"organisations[{i}]"
        if not check_keys(w, o, ORG_KEYS):
            continue
        if not isinstance(o["key"], str) or not KEY_RE.match(o["key"]):
            err(w, f"bad key {o['key']!r}")
        if o["key"] in orgs:
            err(w, f"duplicate organisation key {o['key']!r}")
        nonempty_str(w, o, "name")
        if o["name"].lower() in {x["name"].lower() for x in orgs.values()}:
            err(w, f"duplicate organisation name {o['name']!r}")
        if o["kind"] not in ORG_KINDS:
            err(w, f"kind {o['kind']!r} not allowed")
        if o["scope"] is not None and o["scope"] not in scopes:
            err(w, f"unknown scope {o['scope']!r}")
        if o["scope"] is None and o["kind"] != "rijk":
            err(w, "only national (rijk) organisations may have scope null")
        orgs[o["key"]] = o

    # ---- persons
    persons = {}
    emails = set()
    for i, p in enumerate(data["persons"]):
        w = f"persons[{i}]"
        if not check_keys(w, p, PERSON_KEYS, PERSON_OPTIONAL):
            continue
        if not isinstance(p["key"], str) or not KEY_RE.match(p["key"]) or not p["key"].startswith("p-"):
            err(w, f"bad key {p['key']!r} (expected 'p-…')")
        if p["key"] in persons:
            err(w, f"duplicate person key {p['key']!r}")
        nonempty_str(w, p, "name")
        nonempty_str(w, p, "function")
        if not isinstance(p["email"], str) or not EMAIL_RE.match(p["email"]):
            err(w, f"email {p['email']!r} must be lowercase and end in .example")
        elif p["email"] in emails:
            err(w, f"duplicate email {p['email']!r}")
        emails.add(p["email"])
        if p["org"] not in orgs:
            err(w, f"unknown org {p['org']!r}")
        if not isinstance(p["admin"], bool):
            err(w, "admin must be true or false")
        if "showcase" in p and (not isinstance(p["showcase"], str) or not p["showcase"].strip()):
            err(w, "showcase, when present, is a non-empty string")
        persons[p["key"]] = p
    admins = [p for p in persons.values() if p.get("admin") is True]
    if len(admins) != 1 or admins[0]["email"] != ADMIN_EMAIL:
        err("persons", f"need exactly one administrator, with email {ADMIN_EMAIL}")
    if not 40 <= len(persons) <= 60:
        err("persons", f"{len(persons)} persons; the brief asks for about 40-60")

    # ---- real names
    banned_full = {n.lower() for n in REAL_NAMES}
    for p in persons.values():
        name = p.get("name", "")
        if name.lower() in banned_full:
            err(f"person {p['key']}", f"{name!r} is a real person from the seeds")
        parts = name.split()
        surname_parts = [x for x in parts[1:] if x.lower() not in TUSSENVOEGSELS]
        surname = " ".join(surname_parts).lower()
        if surname in REAL_SURNAMES or any(x.lower() in REAL_SURNAMES for x in surname_parts):
            err(f"person {p['key']}", f"surname of {name!r} matches a real person from the seeds")
    all_text = json.dumps(data, ensure_ascii=False)
    for n in REAL_NAMES:
        if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", all_text, re.IGNORECASE):
            err("text", f"real name {n!r} appears in the data")
    for n in DISTINCTIVE_SURNAMES:
        if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", all_text, re.IGNORECASE):
            err("text", f"real surname {n!r} appears in the data")

    # ---- bodies, pass 1: keys, members
    bodies = {}
    for i, b in enumerate(data["bodies"]):
        w = f"bodies[{i}]"
        if not check_keys(w, b, BODY_KEYS):
            continue
        if not isinstance(b["key"], str) or not KEY_RE.match(b["key"]):
            err(w, f"bad key {b['key']!r}")
        if b["key"] in bodies:
            err(w, f"duplicate body key {b['key']!r}")
        bodies[b["key"]] = b

    item_index = {}  # key -> (body, meeting or None, item)
    meeting_index = {}  # key -> (body, meeting)
    for b in bodies.values():
        w = f"body {b['key']}"
        for k in ("name", "mandate", "location"):
            nonempty_str(w, b, k)
        if len(b.get("mandate", "")) < 200:
            err(w, "mandate is too thin (under 200 characters)")
        if b["kind"] not in BODY_KINDS:
            err(w, f"kind {b['kind']!r} not allowed")
        if b["level"] not in LEVELS:
            err(w, f"level {b['level']!r} not allowed")
        if b["scope"] not in scopes:
            err(w, f"unknown scope {b['scope']!r}")
        if b["cadence"] is not None and not (isinstance(b["cadence"], str) and CADENCE_RE.match(b["cadence"])):
            err(w, f"cadence {b['cadence']!r} must be P<n>W, P<n>M or null")
        if b["parent"] is not None:
            if b["parent"] not in bodies:
                err(w, f"unknown parent {b['parent']!r}")
            elif b["parent"] == b["key"]:
                err(w, "a body cannot be its own parent")
            elif not scope_covers(bodies[b["parent"]]["scope"], b["scope"]):
                err(w, f"scope {b['scope']!r} lies outside the parent's scope")
        for m in b["meetings"]:
            if isinstance(m, dict) and "key" in m:
                if m["key"] in meeting_index:
                    err(w, f"duplicate meeting key {m['key']!r}")
                meeting_index[m["key"]] = (b, m)
                for it in m.get("agenda", []):
                    if isinstance(it, dict) and "key" in it:
                        if it["key"] in item_index:
                            err(w, f"duplicate item key {it['key']!r}")
                        item_index[it["key"]] = (b, m, it)
        for it in b["backlog"]:
            if isinstance(it, dict) and "key" in it:
                if it["key"] in item_index:
                    err(w, f"duplicate item key {it['key']!r}")
                item_index[it["key"]] = (b, None, it)

    # parent cycles
    for b in bodies.values():
        seen, cur = set(), b
        while cur and cur.get("parent") in bodies:
            if cur["key"] in seen:
                err(f"body {b['key']}", "parent chain has a cycle")
                break
            seen.add(cur["key"])
            cur = bodies[cur["parent"]]

    def visible(item, person_key):
        """May this person see this item? (Membership aside: confidential allowlist only.)"""
        if not item.get("confidential"):
            return True
        p = persons.get(person_key)
        if p is None:
            return False
        return (p["org"] in {r["org"] for r in item.get("relevant", [])}
                or person_key in item.get("allow_persons", []))

    # ---- bodies, pass 2: everything else
    for b in bodies.values():
        w = f"body {b['key']}"
        members = {}
        for j, mm in enumerate(b["members"]):
            mw = f"{w} members[{j}]"
            if not check_keys(mw, mm, MEMBER_KEYS, MEMBER_OPTIONAL):
                continue
            if mm["person"] not in persons:
                err(mw, f"unknown person {mm['person']!r}")
            if mm["person"] in members:
                err(mw, f"{mm['person']} is listed twice (one role per person per body)")
            if mm["role"] not in ROLES:
                err(mw, f"role {mm['role']!r} not allowed")
            members[mm["person"]] = mm
        roles = [mm["role"] for mm in members.values()]
        if roles.count("voorzitter") != 1:
            err(w, f"needs exactly one voorzitter, has {roles.count('voorzitter')}")
        if roles.count("secretaris") < 1:
            err(w, "needs a secretaris")
        for pk, mm in members.items():
            mw = f"{w} member {pk}"
            if mm["role"] == "vaste_vervanger":
                sub = mm.get("substitute_for")
                if sub not in members:
                    err(mw, f"substitute_for {sub!r} is not a member of this body")
                elif sub == pk:
                    err(mw, "cannot substitute for themselves")
                elif members[sub]["role"] not in ("voorzitter", "secretaris", "lid"):
                    err(mw, f"substitutes for {sub}, who is a {members[sub]['role']}")
            elif "substitute_for" in mm:
                err(mw, "substitute_for is only for vaste_vervanger")
            if "items" in mm:
                if mm["role"] != "gast":
                    err(mw, "items is only for gast")
                elif not isinstance(mm["items"], list) or not mm["items"]:
                    err(mw, "items, when present, is a non-empty list")
                else:
                    for ik in mm["items"]:
                        if ik not in item_index or item_index[ik][0] is not b:
                            err(mw, f"items: {ik!r} is not an agenda item of this body")
                        elif not visible(item_index[ik][2], pk):
                            err(mw, f"is invited for {ik} but may not see it (confidential)")

        def participant(pk):
            return pk in members and members[pk]["role"] != "waarnemer"

        # meetings
        def check_item(iw, it, meeting):
            if not check_keys(iw, it, ITEM_KEYS):
                return
            if not isinstance(it["key"], str) or not KEY_RE.match(it["key"]):
                err(iw, f"bad key {it['key']!r}")
            nonempty_str(iw, it, "title")
            if not isinstance(it["description"], str):
                err(iw, "description must be a string")
            if it["kind"] not in ITEM_KINDS:
                err(iw, f"kind {it['kind']!r} not allowed")
            if not is_int(it["minutes"]) or it["minutes"] < 0:
                err(iw, "minutes must be a non-negative integer")
            for flag in ("recurring", "confidential"):
                if not isinstance(it[flag], bool):
                    err(iw, f"{flag} must be true or false")
            pr = it["presenter"]
            if pr is not None:
                if not participant(pr):
                    err(iw, f"presenter {pr!r} is not a participating member of this body")
                elif members[pr]["role"] == "gast" and "items" in members[pr] \
                        and it["key"] not in members[pr]["items"]:
                    err(iw, f"presenter {pr} is a guest who is not invited for this item")
            rel_orgs = []
            for r in it["relevant"]:
                if not check_keys(iw + " relevant", r, {"org", "reason"}):
                    continue
                if r["org"] not in orgs:
                    err(iw, f"relevant: unknown org {r['org']!r}")
                if not isinstance(r["reason"], str) or not r["reason"].strip():
                    err(iw, f"relevant {r['org']}: a reason ('waarom zit ik hier?') is required")
                rel_orgs.append(r["org"])
            if len(set(rel_orgs)) != len(rel_orgs):
                err(iw, "an organisation is listed twice in relevant")
            for ap in it["allow_persons"]:
                if ap not in persons:
                    err(iw, f"allow_persons: unknown person {ap!r}")
            if it["confidential"]:
                if not rel_orgs:
                    err(iw, "a confidential item needs at least one organisation on its list")
                if pr is not None and not visible(it, pr):
                    err(iw, f"presenter {pr} may not see this confidential item")
                if not any(visible(it, pk) for pk in members if pk != b["key"]):
                    err(iw, "no member of the body may see this confidential item")
            elif it["allow_persons"]:
                err(iw, "allow_persons is only meaningful on a confidential item")

        body_meetings = []
        for m in b["meetings"]:
            mw = f"{w} meeting {m.get('key')}"
            if not check_keys(mw, m, MEETING_KEYS):
                continue
            if not isinstance(m["key"], str) or not KEY_RE.match(m["key"]):
                err(mw, f"bad key {m['key']!r}")
            if not is_int(m["in_days"]):
                err(mw, "in_days must be an integer")
                continue
            tm = TIME_RE.match(m["time"]) if isinstance(m["time"], str) else None
            if not tm:
                err(mw, f"time {m['time']!r} must be HH:MM")
                continue
            if not is_int(m["minutes"]) or not 15 <= m["minutes"] <= 480:
                err(mw, "minutes must be an integer between 15 and 480")
                continue
            start = int(tm.group(1)) * 60 + int(tm.group(2))
            if start + m["minutes"] > 24 * 60:
                err(mw, "meeting runs past midnight")
            if not 7 * 60 <= start <= 20 * 60:
                err(mw, f"start {m['time']} is not a realistic meeting time")
            nonempty_str(mw, m, "location")
            if m["status"] not in MEETING_STATUSES:
                err(mw, f"status {m['status']!r} not allowed")
            # The loader is asked to count in_days from the Monday of the current week; then
            # in_days mod 7 is the weekday (0 = Monday) and this keeps every meeting on a workday.
            if m["in_days"] % 7 > 4:
                err(mw, f"in_days {m['in_days']} falls in a weekend (in_days mod 7 must be 0..4)")
            # Past/future margins that hold whether in_days counts from today or from Monday.
            if m["status"] in PAST_STATUSES and m["in_days"] > -3:
                err(mw, f"status {m['status']} needs in_days <= -3")
            if m["status"] in FUTURE_STATUSES and m["in_days"] < 7:
                err(mw, f"status {m['status']} needs in_days >= 7")
            if m["status"] == "agenda_gepubliceerd" and m["in_days"] > 35:
                err(mw, "an agenda is not published more than five weeks ahead")
            total = 0
            for it in m["agenda"]:
                check_item(f"{mw} item {it.get('key')}", it, m)
                if isinstance(it, dict) and is_int(it.get("minutes")):
                    total += it["minutes"]
            if total > m["minutes"]:
                err(mw, f"agenda takes {total} minutes, the meeting only {m['minutes']}")
            if not m["agenda"]:
                err(mw, "agenda is empty")
            body_meetings.append((m["in_days"] * 1440 + start, m["in_days"] * 1440 + start + m["minutes"], m))
        for j, it in enumerate(b["backlog"]):
            check_item(f"{w} backlog[{j}]", it, None)

        # no overlap within one body; cadence; past and future
        body_meetings.sort(key=lambda t: t[0])
        for (s1, e1, m1), (s2, e2, m2) in zip(body_meetings, body_meetings[1:]):
            if s2 < e1:
                err(w, f"meetings {m1['key']} and {m2['key']} overlap")
        if b["cadence"] and CADENCE_RE.match(b["cadence"]):
            n, unit = CADENCE_RE.match(b["cadence"]).groups()
            period = int(n) * (7 if unit == "W" else 30)
            days = [m["in_days"] for _, _, m in body_meetings]
            for d1, d2 in zip(days, days[1:]):
                if not 0.7 * period <= d2 - d1 <= 1.3 * period:
                    err(w, f"meetings {d1} and {d2} days out are {d2 - d1} days apart; cadence {b['cadence']}")
        past = [m for _, _, m in body_meetings if m["in_days"] < 0]
        future = [m for _, _, m in body_meetings if m["in_days"] > 0 and m["status"] != "geannuleerd"]
        if not past or not future:
            err(w, "needs at least one past and one upcoming meeting")
        if future and future[0]["status"] not in FUTURE_STATUSES:
            err(w, f"next meeting {future[0]['key']} should be concept or agenda_gepubliceerd")
        for m in future[1:]:
            if m["status"] != "concept":
                err(w, f"{m['key']}: only the next meeting can have a published agenda")
        if body_meetings and body_meetings[-1][2]["in_days"] < 75:
            err(w, "meetings should run about four months ahead")

        # actions
        for j, ac in enumerate(b["actions"]):
            aw = f"{w} actions[{j}]"
            if not check_keys(aw, ac, ACTION_KEYS):
                continue
            if ac["kind"] not in ACTION_KINDS:
                err(aw, f"kind {ac['kind']!r} not allowed")
            if ac["status"] not in ACTION_STATUSES:
                err(aw, f"status {ac['status']!r} not allowed")
            nonempty_str(aw, ac, "text")
            if (ac["owner"] is None) == (ac["owner_org"] is None):
                err(aw, "exactly one of owner and owner_org must be set")
            if ac["owner"] is not None and not participant(ac["owner"]):
                err(aw, f"owner {ac['owner']!r} is not a participating member of this body")
            if ac["owner_org"] is not None and ac["owner_org"] not in orgs:
                err(aw, f"unknown owner_org {ac['owner_org']!r}")
            if ac["due_in_days"] is not None and not is_int(ac["due_in_days"]):
                err(aw, "due_in_days must be an integer or null")
            if ac["origin"] is not None:
                if ac["origin"] not in item_index or item_index[ac["origin"]][0] is not b:
                    err(aw, f"origin {ac['origin']!r} is not an item of this body")
                else:
                    origin = item_index[ac["origin"]][2]
                    if ac["owner"] and not visible(origin, ac["owner"]):
                        err(aw, "owner may not see the confidential item this action comes from")
                    if ac["owner_org"] and origin.get("confidential") and \
                            ac["owner_org"] not in {r["org"] for r in origin["relevant"]}:
                        err(aw, "owner_org is not on the list of the confidential origin item")
        if not b["actions"]:
            err(w, "has no actions")

        # chat
        names = {persons[pk]["name"]: pk for pk in members if pk in persons}
        mentions = 0
        for j, c in enumerate(b["chat"]):
            cw = f"{w} chat[{j}]"
            if not check_keys(cw, c, CHAT_KEYS):
                continue
            if not participant(c["person"]):
                err(cw, f"{c['person']!r} is not a participating member (observers cannot post)")
            if not is_int(c["minutes_ago"]) or c["minutes_ago"] <= 0:
                err(cw, "minutes_ago must be a positive integer")
            nonempty_str(cw, c, "text")
            rest = c["text"]
            for n in sorted(names, key=len, reverse=True):
                if "@" + n in rest:
                    mentions += rest.count("@" + n)
                    if names[n] == c["person"]:
                        err(cw, "mentions the author")
                    rest = rest.replace("@" + n, "")
            if "@" in rest:
                err(cw, "an @mention does not match the full name of a member of this body")
        if not b["chat"]:
            err(w, "has no chat")
        elif mentions == 0:
            err(w, "chat has no @mention of a member")

    # ---- required bodies (the brief)
    def need(key, **props):
        b = bodies.get(key)
        if not b:
            err("bodies", f"missing {key}")
            return
        for k, v in props.items():
            if b.get(k) != v:
                err(f"body {key}", f"{k} should be {v!r}, is {b.get(k)!r}")

    need("regiegroep-ondermijning", scope="Dordrecht", level="tactisch", cadence="P6W")
    need("casusoverleg-ondermijning", scope="Dordrecht", level="operationeel", cadence="P1M",
         parent="regiegroep-ondermijning")
    need("stuurgroep-stadspartners", scope="Schiedam", level="strategisch")
    need("stuurgroep-np-dordt-west", scope="Dordrecht")
    for k in ("werkgroep-wonen", "werkgroep-veiligheid", "werkgroep-gezondheid-samenleven",
              "werkgroep-onderwijs", "werkgroep-werk-inkomen"):
        need(k, scope="Schiedam", parent="stuurgroep-stadspartners")
    wijken = [b for b in bodies.values() if b["kind"] == "leefbaarheidsoverleg" and b["scope"] == "Dordrecht"]
    if len(wijken) < 4:
        err("bodies", "needs at least four Dordrecht leefbaarheidsoverleggen")
    if not any(b["scope"] not in ("Dordrecht", "Schiedam") for b in bodies.values()):
        err("bodies", "needs at least one regional body")

    # ---- showcase
    show = [p for p in persons.values() if "showcase" in p]
    if not 6 <= len(show) <= 10:
        err("showcase", f"{len(show)} showcase persons; need 6-10")
    roles_of = {}
    for b in bodies.values():
        for mm in b["members"]:
            roles_of.setdefault(mm["person"], set()).add(mm["role"])
    showkeys = {p["key"] for p in show}
    if not any("voorzitter" in roles_of.get(k, ()) for k in showkeys):
        err("showcase", "needs a chair")
    if not any("secretaris" in roles_of.get(k, ()) for k in showkeys):
        err("showcase", "needs a secretary")
    if not any(orgs[persons[k]["org"]]["kind"] == "politie" for k in showkeys):
        err("showcase", "needs a police member")
    if not any(persons[k]["admin"] for k in showkeys):
        err("showcase", "needs the administrator")
    if not any(orgs[persons[k]["org"]]["scope"] == "Schiedam" for k in showkeys):
        err("showcase", "needs someone from Schiedam")
    excluded = False
    for k in showkeys:
        for b in bodies.values():
            if k not in {mm["person"] for mm in b["members"]}:
                continue
            for m in b["meetings"]:
                if any(it["confidential"] and not visible(it, k) for it in m["agenda"]):
                    excluded = True
    if not excluded:
        err("showcase", "needs a member of a body who is NOT on a confidential item's list")

    # ---- planted overlaps
    def days_of(item_key):
        b, m, _ = item_index[item_key]
        return m["in_days"] if m else None

    for a, c in PLANTED["same_subject_same_municipality"]:
        if a not in item_index or c not in item_index:
            err("planted (a)", f"{a} or {c} missing")
            continue
        (ba, _, ia), (bc, _, ic) = item_index[a], item_index[c]
        if ba is bc or ba["scope"] != bc["scope"]:
            err("planted (a)", f"{a}/{c} must be in two different bodies of one municipality")
        if abs(days_of(a) - days_of(c)) > 21:
            err("planted (a)", f"{a}/{c} are more than three weeks apart")
        if len(words(ia["title"], abbrevs) & words(ic["title"], abbrevs)) < 3:
            err("planted (a)", f"{a}/{c} titles do not share a subject after abbreviation expansion")
        if ia["title"].split(":")[0] == ic["title"].split(":")[0]:
            err("planted (a)", "one of the two titles should use the abbreviation, the other the full form")
    for a, c in PLANTED["same_title_other_municipality"]:
        if a not in item_index or c not in item_index:
            err("planted (b)", f"{a} or {c} missing")
            continue
        (ba, _, ia), (bc, _, ic) = item_index[a], item_index[c]
        if ia["title"].lower() != ic["title"].lower():
            err("planted (b)", f"{a}/{c} titles differ")
        if ba["scope"] == bc["scope"] or scopes[ba["scope"]]["kind"] != "gemeente" \
                or scopes[bc["scope"]]["kind"] != "gemeente":
            err("planted (b)", f"{a}/{c} must be in bodies of two different gemeenten")
        if abs(days_of(a) - days_of(c)) > 28:
            err("planted (b)", f"{a}/{c} are more than four weeks apart")
        others = [k for k, (_, _, it) in item_index.items()
                  if k not in (a, c) and it["title"].lower() == ia["title"].lower()]
        if others:
            err("planted (b)", f"title {ia['title']!r} also appears on {others}")
    for a, c in PLANTED["regional_and_local"]:
        if a not in item_index or c not in item_index:
            err("planted (d)", f"{a} or {c} missing")
            continue
        (ba, _, ia), (bc, _, ic) = item_index[a], item_index[c]
        if scopes[ba["scope"]]["kind"] != "regio" or not scope_covers(ba["scope"], bc["scope"]) \
                or scopes[bc["scope"]]["kind"] != "gemeente":
            err("planted (d)", f"{a} must be in a regional body covering the gemeente of {c}")
        if abs(days_of(a) - days_of(c)) > 30:
            err("planted (d)", f"{a}/{c} are more than 30 days apart")
        if len(words(ia["title"], abbrevs) & words(ic["title"], abbrevs)) < 2:
            err("planted (d)", f"{a}/{c} titles do not share a subject")

    # (c) person clashes: collect every pair of overlapping meetings of different bodies that share a
    # participant (any role but waarnemer: the strictest reading), and require exactly the planted set.
    parts = {}
    for b in bodies.values():
        parts[b["key"]] = {mm["person"] for mm in b["members"] if mm["role"] != "waarnemer"}
    spans = []
    for b in bodies.values():
        for m in b["meetings"]:
            tm = TIME_RE.match(m["time"])
            if m["status"] == "geannuleerd" or not tm or not is_int(m["in_days"]):
                continue
            s = m["in_days"] * 1440 + int(tm.group(1)) * 60 + int(tm.group(2))
            spans.append((s, s + m["minutes"], b["key"], m["key"]))
    clashes = {}
    for (s1, e1, b1, m1), (s2, e2, b2, m2) in combinations(spans, 2):
        if b1 != b2 and s1 < e2 and s2 < e1:
            shared = parts[b1] & parts[b2]
            if shared:
                clashes[frozenset((m1, m2))] = shared
    weeks = {b["key"]: {m["in_days"] // 7 for m in b.get("meetings", [])
                        if m["status"] != "geannuleerd" and is_int(m["in_days"])}
             for b in bodies.values()}
    for a, c, n in PLANTED["same_week"]:
        got = len(weeks.get(a, set()) & weeks.get(c, set()))
        if got != n:
            err("planted (e)", f"{a} and {c} meet in the same week {got} times, expected {n}")
    expected = {frozenset((a, c)): ps for a, c, ps in PLANTED["person_clash"]}
    for pair, shared in clashes.items():
        if pair not in expected:
            err("planted (c)", f"unplanned clash {sorted(pair)} for {sorted(shared)}")
        elif shared != expected[pair]:
            err("planted (c)", f"clash {sorted(pair)} shares {sorted(shared)}, expected {sorted(expected[pair])}")
    for pair in expected:
        if pair not in clashes:
            err("planted (c)", f"planted clash {sorted(pair)} does not occur")

    return report()


def report():
    if errors:
        for e in errors:
            print("check_demo: " + e)
        print(f"check_demo: {len(errors)} problem(s)")
        return 1
    print("check_demo: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
