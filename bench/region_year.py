#!/usr/bin/python3
"""A simulated year of a 20-body region (issue 14, noise): how many "mogelijk dubbel" signals a
body gets a month, how many of them are real, and what the chairs' decisions change.

The generator writes the agendas of 20 bodies of the Drechtsteden region for 2027 (8 regional
bodies, 12 of its seven municipalities; every 4 or 6 weeks; 3-5 subjects a meeting plus the
procedural items). Each body has a mandate of a few domains (ondermijning, drugs, openbare orde,
jeugd, zorg en veiligheid, werk en inkomen, wonen, uitbuiting); an item is a subject of its
domains in one aspect (voortgang, plan, evaluatie, a case in a neighbourhood, cijfers, beleid,
training, financiering), each written in one of several phrasings -- the common Dutch names of
the field, so the generator shares words with the detector's vocabulary. Each month one or two
subjects are "in the news" and the bodies that own them put the same aspect on their agenda:
real duplicates across bodies. Truth: two items of compatible scopes are a duplicate when they
have the same subject and aspect (a case: also the same neighbourhood).

The year is run on a real node (release build), month by month through the protocol
(agenda.add, flag.list): once with chairs who decide nothing, once with chairs who decide every
signal at the end of its month (afgestemd for a real duplicate, geen_overlap for the rest).
Prints per month: new signals per body, their precision, open signals per body, the real
duplicates of the month found; and whether a decided signal was ever raised again.

Usage: bench/region_year.py [--binary build/ketentafel] [--seed N] [--months 12]
       [--runs both|none|decide]
Needs Debian's python3 (/usr/bin/python3). Prints figures; never fails on one. About a minute."""

import argparse
import asyncio
import datetime
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import harness  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
REGION = "Drechtsteden"
TOWNS = ["Dordrecht", "Zwijndrecht", "Papendrecht", "Sliedrecht", "Hendrik-Ido-Ambacht",
         "Alblasserdam", "Hardinxveld-Giessendam"]
WIJKEN = {"Dordrecht": ["Crabbehof", "Wielwijk", "Krispijn", "Sterrenburg", "Stadspolders"],
          "Zwijndrecht": ["Walburg", "Noord", "Heer Oudelands Ambacht"],
          "Papendrecht": ["Wilgendonk", "Oostpolder"], "Sliedrecht": ["Baanhoek", "Centrum"],
          "Hendrik-Ido-Ambacht": ["Volgerlanden", "Centrum"],
          "Alblasserdam": ["Kinderdijk", "Souburgh"],
          "Hardinxveld-Giessendam": ["Giessendam", "Boven-Hardinxveld"]}
WIJKEN[REGION] = [w for t in TOWNS for w in WIJKEN[t][:1]]

# subject -> phrasings (general names of the field)
SUBJECTS = {
    "ondermijning": {
        "vakantieparken": ["ondermijning op vakantieparken", "criminele inmenging op recreatieparken"],
        "bibob": ["Bibob-toetsing bij vergunningen", "integriteitsonderzoek Wet Bibob"],
        "vastgoed": ["witwassen via vastgoed", "malafide vastgoedtransacties"],
        "bedrijventerreinen": ["ondermijning op bedrijventerreinen", "veilige bedrijventerreinen en bedrijfsverzamelgebouwen"],
        "autobranche": ["witwassen in de autobranche", "controle autoverhuur- en garagebedrijven"],
        "ondermijningsbeeld": ["ondermijningsbeeld van de regio", "informatiebeeld ondermijnende criminaliteit"],
    },
    "drugs": {
        "13b": ["woningsluitingen op grond van artikel 13b Opiumwet", "Damoclesbeleid en sluiting van drugspanden"],
        "drugsafval": ["dumpingen van drugsafval in het buitengebied", "drugsafval en chemisch afval"],
        "drugslabs": ["drugslabs en synthetische drugs", "opgerolde drugslaboratoria"],
        "hennep": ["hennepteelt in woningen", "hennepkwekerijen"],
        "drugsopslag": ["drugsopslag in opslagboxen", "opslag van drugs in bedrijfsverzamelgebouwen"],
        "straathandel": ["drugshandel op straat", "dealen in de wijk"],
    },
    "openbare orde": {
        "jaarwisseling": ["jaarwisseling", "oud en nieuw: vuurwerk en carbidschieten"],
        "evenementen": ["evenementenveiligheid", "veiligheid bij grote evenementen"],
        "voetbal": ["risicowedstrijden en voetbalvandalisme", "veiligheid rond voetbalwedstrijden"],
        "explosies": ["explosies bij woningen en bedrijven", "aanslagen met explosieven"],
        "cameratoezicht": ["cameratoezicht in de openbare ruimte", "inzet van camera's"],
        "straatraces": ["straatraces en hardrijders", "roekeloos rijgedrag en patserauto's"],
    },
    "jeugd": {
        "pmg": ["Preventie met Gezag", "PmG: jonge aanwas"],
        "jeugdgroepen": ["overlastgevende jeugdgroepen", "groepsaanpak hinderlijke jeugdgroepen"],
        "wapens": ["wapenbezit onder jongeren", "messenbezit bij jongeren"],
        "ronselen": ["ronselen van jongeren voor criminaliteit", "criminele uitbuiting van jongeren"],
        "schoolverzuim": ["voortijdig schoolverlaten", "thuiszitters en schoolverzuim"],
        "drill": ["drillrap en online conflicten", "online escalaties tussen jongeren"],
    },
    "zorg en veiligheid": {
        "verward": ["personen met verward gedrag", "E33-meldingen en onbegrepen gedrag"],
        "huiselijk geweld": ["huiselijk geweld", "huiselijk geweld en kindermishandeling (Veilig Thuis)"],
        "nazorg": ["nazorg ex-gedetineerden", "re-integratie na detentie"],
        "radicalisering": ["radicalisering en extremisme", "online radicalisering"],
        "wvggz": ["Wet verplichte ggz", "crisismaatregel en zorgmachtiging Wvggz"],
        "zorgfraude": ["zorgfraude", "malafide zorgaanbieders"],
    },
    "werk en inkomen": {
        "schulden": ["schuldhulpverlening", "vroegsignalering van schulden"],
        "energiearmoede": ["energiearmoede", "hoge energierekening en energiecoaches"],
        "laaggeletterdheid": ["laaggeletterdheid", "taalhuis en laaggeletterden"],
        "statushouders": ["inburgering statushouders", "huisvesting en werk voor statushouders"],
        "arbeidsmigranten": ["huisvesting arbeidsmigranten", "arbeidsmigranten en uitzendbureaus"],
        "participatie": ["arbeidsparticipatie en uitkeringen", "werkfit en re-integratie"],
    },
    "wonen": {
        "woonoverlast": ["woonoverlast", "burenoverlast en gedragsaanwijzing"],
        "verhuurders": ["Wet goed verhuurderschap", "malafide verhuurders en verhuurvergunning"],
        "dakloosheid": ["dakloosheid", "nachtopvang en Housing First"],
        "beschermd wonen": ["uitstroom beschermd wonen", "beschermd wonen in de wijk"],
        "leegstand": ["leegstand en verloedering", "verloederde panden"],
        "flexwonen": ["flexwonen", "tijdelijke woningen"],
    },
    "uitbuiting": {
        "mensenhandel": ["mensenhandel", "seksuele uitbuiting"],
        "arbeidsuitbuiting": ["arbeidsuitbuiting", "uitbuiting op het werk"],
        "prostitutie": ["vergunde prostitutie", "seksbranche en prostitutiebeleid"],
    },
}
DOMAIN_OF = {s: d for d, subs in SUBJECTS.items() for s in subs}
PHRASES = {s: p for subs in SUBJECTS.values() for s, p in subs.items()}

ASPECTS = {
    "voortgang": ["{S}: stand van zaken", "Voortgang {s}"],
    "plan": ["Plan van aanpak {s} {Y}", "Aanpak {s}: uitvoeringsplan"],
    "evaluatie": ["Evaluatie {s}", "{S}: evaluatie en vervolg"],
    "casus": ["{S} in {W}", "Signalen over {s} in {W}"],
    "cijfers": ["Monitor {s}: cijfers {P}", "Cijfers {s} {P}"],
    "beleid": ["Beleidskader {s}", "{S}: nieuwe beleidsregel"],
    "training": ["Training {s} voor medewerkers", "Bewustwording {s}: sessie voor partners"],
    "financiering": ["Financiering {s} {Y}", "Budget en subsidie {s}"],
}
DESCRIPTIONS = ["Toelichting door {O}.", "{O} licht de stand toe.", "Ter bespreking; stukken volgen.",
                "Ter besluitvorming.", "Ter informatie; vragen vooraf aan de secretaris.", ""]
PARTNERS = ["de politie", "de gemeente", "het RIEC", "het OM", "de GGD", "de corporatie",
            "het wijkteam", "de veiligheidsregio"]
PROCEDURAL = ["Opening en mededelingen", "Verslag vorige vergadering", "Actielijst", "Rondvraag"]

# name, kind, scope, level, domains, every n weeks
BODIES = [
    ("Regiegroep Ondermijning Drechtsteden", "regiegroep", REGION, "tactisch", ["ondermijning", "drugs"], 6),
    ("Stuurgroep Zorg en Veiligheid Drechtsteden", "stuurgroep", REGION, "strategisch", ["zorg en veiligheid"], 6),
    ("Regionaal Jeugdoverleg Drechtsteden", "werkgroep", REGION, "tactisch", ["jeugd"], 6),
    ("Stuurgroep Werk en Inkomen Drechtsteden", "stuurgroep", REGION, "strategisch", ["werk en inkomen"], 6),
    ("Opgaveteam Drugs Drechtsteden", "werkgroep", REGION, "operationeel", ["drugs"], 4),
    ("Werkgroep Wonen en Huisvesting Drechtsteden", "werkgroep", REGION, "tactisch", ["wonen", "werk en inkomen"], 6),
    ("Districtelijk Veiligheidsoverleg", "overig", REGION, "strategisch", ["openbare orde", "ondermijning"], 6),
    ("Werkgroep Mensenhandel Drechtsteden", "werkgroep", REGION, "tactisch", ["uitbuiting"], 6),
    ("Lokale Driehoek Dordrecht", "overig", "Dordrecht", "strategisch", ["openbare orde", "drugs"], 4),
    ("Leefbaarheidsoverleg Dordrecht-West", "leefbaarheidsoverleg", "Dordrecht", "operationeel", ["wonen", "jeugd"], 4),
    ("Werkgroep Jeugd en Veiligheid Dordrecht", "werkgroep", "Dordrecht", "tactisch", ["jeugd"], 4),
    ("Casusoverleg Zorg en Veiligheid Dordrecht", "casusoverleg", "Dordrecht", "operationeel", ["zorg en veiligheid", "wonen"], 4),
    ("Lokale Driehoek Zwijndrecht", "overig", "Zwijndrecht", "strategisch", ["openbare orde", "ondermijning"], 6),
    ("Leefbaarheidsoverleg Zwijndrecht", "leefbaarheidsoverleg", "Zwijndrecht", "operationeel", ["wonen", "jeugd"], 4),
    ("Overleg Veiligheid Papendrecht", "overig", "Papendrecht", "tactisch", ["openbare orde", "jeugd"], 6),
    ("Sociaal Team Papendrecht", "werkgroep", "Papendrecht", "operationeel", ["werk en inkomen", "zorg en veiligheid"], 4),
    ("Veiligheidsoverleg Sliedrecht", "overig", "Sliedrecht", "tactisch", ["openbare orde", "drugs"], 6),
    ("Overleg Openbare Orde Hendrik-Ido-Ambacht", "overig", "Hendrik-Ido-Ambacht", "tactisch", ["openbare orde", "jeugd"], 6),
    ("Leefbaarheidsoverleg Alblasserdam", "leefbaarheidsoverleg", "Alblasserdam", "operationeel", ["wonen", "jeugd"], 6),
    ("Veiligheidsoverleg Hardinxveld-Giessendam", "overig", "Hardinxveld-Giessendam", "tactisch", ["openbare orde", "ondermijning"], 6),
]
YEAR = 2027
START = datetime.date(YEAR, 1, 4)


def compatible(a, b):
    return a == b or REGION in (a, b)


def generate(rnd, months):
    """[(body index, date, [(title, description, truth key or None)])] in date order."""
    news = {m: rnd.sample(sorted(PHRASES), 2 if m % 2 else 1) for m in range(1, 13)}
    news_aspect = {m: {s: rnd.choice(sorted(ASPECTS)) for s in news[m]} for m in news}
    meetings = []
    for bi, (name, kind, scope, level, domains, weeks) in enumerate(BODIES):
        mine = [s for d in domains for s in SUBJECTS[d]]
        day = START + datetime.timedelta(days=rnd.randrange(weeks * 7))
        while day.year == YEAR and day.month <= months:
            if day.weekday() >= 5:
                day += datetime.timedelta(days=7 - day.weekday())
            m = day.month
            items = [(t, "", None) for t in PROCEDURAL[:2]]
            chosen = []
            for s in news[m]:
                if s in mine and rnd.random() < 0.7:
                    chosen.append((s, news_aspect[m][s]))
            while len(chosen) < rnd.randint(3, 5):
                s, a = rnd.choice(mine), rnd.choice(sorted(ASPECTS))
                if all(s != c[0] for c in chosen):
                    chosen.append((s, a))
            for s, a in chosen:
                phrase = rnd.choice(PHRASES[s])
                w = rnd.choice(WIJKEN[scope])
                title = rnd.choice(ASPECTS[a]).format(
                    s=phrase, S=phrase[0].upper() + phrase[1:], Y=YEAR, W=w,
                    P="eerste halfjaar" if m <= 6 else "tweede halfjaar")
                desc = rnd.choice(DESCRIPTIONS).format(O=rnd.choice(PARTNERS))
                items.append((title, desc, (s, a, w if a == "casus" else "")))
            items += [(t, "", None) for t in PROCEDURAL[2:]]
            meetings.append((bi, day, items))
            day += datetime.timedelta(weeks=weeks)
    meetings.sort(key=lambda x: x[1])
    return meetings


async def run_year(binary, meetings, months, decide):
    harness.BINARY = binary
    server = harness.Server("region-year-" + ("decide" if decide else "none"),
                            now=f"{YEAR - 1}-12-28T08:00:00Z")
    server.create_admin()
    server.start()
    out = []
    try:
        admin = await server.connect(server.login(harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD))
        for t in TOWNS:
            await admin.call("scope.create", name=t, kind="gemeente")
        await admin.call("scope.create", name=REGION, kind="regio", includes=TOWNS)
        org = (await admin.call("org.create", name="Gemeente Dordrecht", kind="gemeente"))[
            "organisation"]["id"]
        r = await admin.call("person.create", name="Sam Voorzitter", email="chair@sim.example",
                             org=org, function="voorzitter")
        token = r["setup_url"].rsplit("/", 1)[1]
        server.http("POST", "/api/password", {"token": token, "password": harness.PASSWORD})
        chair_id = r["person"]["id"]
        ids = []
        for name, kind, scope, level, domains, _ in BODIES:
            b = (await admin.call("body.create", name=name, kind=kind, scope=scope, level=level,
                                  mandate="Afstemming over " + ", ".join(domains) + "."))["body"]["id"]
            await admin.call("membership.add", body=b, person=chair_id, role="voorzitter")
            ids.append(b)
        await admin.close()
        chair = await server.connect(server.login("chair@sim.example"))
        truth_of = {}  # item id -> (truth key, scope)
        body_of_item = {}
        day_of = {}
        decided = {}  # flag id -> state we set
        seen_flags = set()
        for month in range(1, months + 1):
            for bi, day, items in [m for m in meetings if m[1].month == month]:
                start = f"{day.isoformat()}T09:00:00+01:00"
                mid = (await chair.call("meeting.create", body=ids[bi], start=start,
                                        end=f"{day.isoformat()}T11:00:00+01:00"))["meeting"]["id"]
                for title, desc, key in items:
                    it = (await chair.call("agenda.add", meeting=mid, title=title,
                                           description=desc))["item"]
                    truth_of[it["id"]] = (key, BODIES[bi][2])
                    body_of_item[it["id"]] = bi
                    day_of[it["id"]] = day
            flags = {}
            for b in ids:
                for f in (await chair.call("flag.list", body=b))["flags"]:
                    if f["kind"] == "duplicate":
                        flags[f["id"]] = f
            new = [f for fid, f in flags.items() if fid not in seen_flags]
            seen_flags |= set(flags)
            reraised = sum(1 for fid, st in decided.items()
                           if fid in flags and flags[fid]["state"] == "open")

            def real(f):
                (ka, sa), (kb, sb) = truth_of[f["here"]["item"]], truth_of[f["other"]["item"]]
                return ka is not None and ka == kb and compatible(sa, sb)
            open_now = [f for f in flags.values() if f["state"] == "open"]
            # the real duplicates of this month's items (other bodies, within the detector's
            # window of 8 weeks), each pair once
            before = out_items_before(out)
            month_items = [i for i in truth_of if i not in before]
            by_key = {}
            for i in truth_of:
                if truth_of[i][0] is not None:
                    by_key.setdefault(truth_of[i][0], []).append(i)
            pairs_true = set()
            for x in month_items:
                if truth_of[x][0] is None:
                    continue
                for y in by_key[truth_of[x][0]]:
                    if y != x and body_of_item[x] != body_of_item[y] and \
                            compatible(truth_of[x][1], truth_of[y][1]) and \
                            abs((day_of[x] - day_of[y]).days) <= 56:
                        pairs_true.add((min(x, y), max(x, y)))
            found = {tuple(sorted((f["here"]["item"], f["other"]["item"]))) for f in flags.values()}
            out.append({"month": month, "items": month_items, "new": len(new),
                        "new_real": sum(1 for f in new if real(f)), "open": len(open_now),
                        "true_pairs": len(pairs_true),
                        "true_found": sum(1 for p in pairs_true if p in found),
                        "reraised": reraised})
            if decide:
                for f in open_now:
                    if real(f):
                        r = await chair.call("flag.resolve", flag=f["id"], state="afgestemd",
                                             lead_body=f["here"]["body"])
                    else:
                        r = await chair.call("flag.resolve", flag=f["id"], state="geen_overlap")
                    decided[f["id"]] = r["flag"]["state"]
        await chair.close()
    finally:
        server.stop(check=False)
        server.cleanup()
    return out


def out_items_before(out):
    s = set()
    for o in out:
        s.update(o["items"])
    return s


def report(label, rows, nbodies):
    print(f"{label}")
    print("  month  new/body  precision  open/body  real dups of the month found  re-raised")
    tot_new = tot_real = tot_true = tot_found = 0
    for r in rows:
        prec = r["new_real"] / r["new"] if r["new"] else 1.0
        print(f"  {r['month']:5d}  {r['new'] / nbodies:8.2f}  {prec:9.2f}  {r['open'] / nbodies:9.2f}"
              f"  {r['true_found']:3d} of {r['true_pairs']:3d}{'':18s}{r['reraised']:3d}")
        tot_new += r["new"]
        tot_real += r["new_real"]
        tot_true += r["true_pairs"]
        tot_found += r["true_found"]
    half = [r for r in rows if r["month"] > len(rows) // 2]
    hn = sum(r["new"] for r in half)
    hr = sum(r["new_real"] for r in half)
    print(f"  year: {tot_new / nbodies / len(rows):.2f} new signals per body per month, "
          f"precision {tot_real / max(tot_new, 1):.2f}, real duplicates found "
          f"{tot_found}/{tot_true} ({tot_found / max(tot_true, 1):.2f}); second half: "
          f"{hn / nbodies / max(len(half), 1):.2f} per body per month, precision "
          f"{hr / max(hn, 1):.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "ketentafel"))
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--runs", choices=("both", "none", "decide"), default="both",
                    help="which of the two years to run")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    meetings = generate(random.Random(a.seed), a.months)
    n_items = sum(len(m[2]) for m in meetings)
    print(f"region {REGION}: {len(BODIES)} bodies, {len(meetings)} meetings, {n_items} items "
          f"in {a.months} months (seed {a.seed})")
    for decide in {"both": (False, True), "none": (False,), "decide": (True,)}[a.runs]:
        rows = asyncio.run(run_year(binary, meetings, a.months, decide))
        report("chairs decide every signal at the end of its month" if decide else
               "chairs decide nothing", rows, len(BODIES))


main()
