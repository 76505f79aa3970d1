"""Everything the server decides by the calendar, at fixed instants (--test-now): every weekday,
just before and just after midnight in Amsterdam, New Year's Eve (ISO week 53), and both clock
changes of 2027. At each instant the demo is loaded relative to that instant, and the test
checks, against expectations it computes itself from Python's zoneinfo:

- the overlap map's "N keer in dezelfde week vergaderd" (ISO weeks, Monday to Sunday, in
  Europe/Amsterdam);
- meeting conflicts (the one planted clash, at its local time);
- due and overdue actions ("te laat" means a due date before today in Amsterdam);
- the day the digest names ("dagoverzicht van <vandaag>");
- a meeting series from the body's cadence (local wall-clock time kept across DST);
- the iCalendar window (90 days back, 400 days ahead).

No part of this may pass or fail by the date or the hour the suite itself runs."""

import asyncio
import datetime
import email
import email.policy
import json
import os
import subprocess
import unittest
import zoneinfo

import icalendar

import harness
from harness import ROOT, Server, iso, parse_instant
from test_feeds import Sink

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
DEMO_PASSWORD = "welkom-ketentafel"
SECRETARY = "i.dewit@dordrecht.example"  # secretary of the Regiegroep and the Casusoverleg
REGIE, CASUS = "Regiegroep Ondermijning", "Casusoverleg Ondermijning"
MAP_DAYS = 182
ICAL_PAST_DAYS, ICAL_AHEAD_DAYS = 90, 400

# (what the instant is, the instant in UTC)
INSTANTS = [
    ("maandag 12:00", "2027-02-01T11:00:00Z"),
    ("dinsdag 12:00", "2027-02-02T11:00:00Z"),
    ("woensdag 12:00", "2027-02-03T11:00:00Z"),
    ("donderdag 12:00", "2027-02-04T11:00:00Z"),
    ("vrijdag 12:00", "2027-02-05T11:00:00Z"),
    ("zaterdag 12:00", "2027-02-06T11:00:00Z"),
    ("zondag 12:00", "2027-02-07T11:00:00Z"),
    ("zondag 23:55, net voor middernacht (22:55 UTC)", "2027-02-07T22:55:00Z"),
    ("maandag 00:05, net na middernacht (23:05 UTC zondag)", "2027-02-07T23:05:00Z"),
    ("oudejaarsavond 23:55, ISO-week 53", "2026-12-31T22:55:00Z"),
    ("nieuwjaarsnacht 00:05", "2026-12-31T23:05:00Z"),
    ("28 maart 2027 01:55, voor de zomertijd", "2027-03-28T00:55:00Z"),
    ("28 maart 2027 03:05, na de zomertijd", "2027-03-28T01:05:00Z"),
    ("31 oktober 2027 02:55 zomertijd, voor de wintertijd", "2027-10-31T00:55:00Z"),
    ("31 oktober 2027 02:05 wintertijd, na de wintertijd", "2027-10-31T01:05:00Z"),
]

DAYS_NL = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS_NL = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december"]


def local(t):
    return parse_instant(t).astimezone(AMS) if isinstance(t, str) else t.astimezone(AMS)


def iso_week(t):
    y, w, _ = local(t).isocalendar()
    return (y, w)


def demo():
    with open(os.path.join(ROOT, "server", "demo", "demo.json"), encoding="utf-8") as f:
        return json.load(f)


def dutch_day(d):
    return f"{DAYS_NL[d.weekday()]} {d.day} {MONTHS_NL[d.month - 1]} {d.year}"


class CalendarAtFixedInstants(unittest.IsolatedAsyncioTestCase):
    """One demo server per instant; every check runs on it, in an order in which what one check
    adds cannot change what a later one looks at."""

    async def test_every_calendar_rule_at_every_instant(self):
        checks = [self.same_week_means_the_same_iso_week_in_amsterdam,
                  self.the_planted_clash_is_flagged_at_its_local_time,
                  self.overdue_means_a_due_date_before_today_in_amsterdam,
                  self.the_calendar_holds_90_days_back_and_400_ahead,
                  self.the_digest_is_the_digest_of_today_in_amsterdam,
                  self.a_series_keeps_weekday_and_wall_clock_time_across_both_clock_changes]
        self.sink = Sink().start()
        try:
            for what, t in INSTANTS:
                await self.at_instant(what, t, checks)
        finally:
            self.sink.stop()
        print(f"\ncalendar checks ran at {len(INSTANTS)} instants: "
              + "; ".join(f"{what} = {t}" for what, t in INSTANTS))

    async def at_instant(self, what, t, checks):
        server = await asyncio.to_thread(Server("calendar", demo=True, now=t).start)
        client = None
        try:
            status, _, raw = server.ops_http("/healthz")
            health = json.loads(raw)
            self.assertTrue(health["test_clock"])
            # the clock starts at the instant (the demo load takes a few seconds)
            started = parse_instant(health["time"])
            self.assertLess(abs((started - parse_instant(t)).total_seconds()), 120)
            # the demo data loads whole at every instant: no op of it refused
            failed = [line for line in server.read_log().splitlines() if "demo op failed" in line]
            self.assertEqual(failed, [], f"demo at {what} ({t})")
            client = await server.connect(server.login(SECRETARY, DEMO_PASSWORD))
            bodies = {b["name"]: b for b in (await client.call("body.list"))["bodies"]
                      if b.get("role")}
            for check in checks:
                with self.subTest(instant=f"{what} ({t})", check=check.__name__):
                    await check(server, client, bodies)
            # the checks assumed the local day did not change while they ran
            self.assertEqual(local(server.now()).date(), local(t).date(),
                             f"{what}: the clock passed midnight during the checks")
        finally:
            if client:
                await client.close()
            await asyncio.to_thread(server.stop)
            server.cleanup()

    async def meetings_of(self, client, body):
        r = await client.call("meeting.list", body=body["id"])
        return r["meetings"]

    # ---- the overlap map: calendar weeks ----

    async def same_week_means_the_same_iso_week_in_amsterdam(self, server, client, bodies):
        now = server.now()
        lo, hi = now - datetime.timedelta(days=MAP_DAYS), now + datetime.timedelta(days=MAP_DAYS)

        async def weeks(name):
            return {iso_week(m["start"]) for m in await self.meetings_of(client, bodies[name])
                    if m["status"] != "geannuleerd" and lo <= parse_instant(m["start"]) < hi}

        pairs = (await client.call("overlap.map", days=MAP_DAYS, limit=500))["pairs"]
        by_id = {b["id"]: name for name, b in bodies.items()}
        mine = [p for p in pairs if p["a"] in by_id and p["b"] in by_id]
        self.assertTrue(mine)
        for p in mine:
            want = len(await weeks(by_id[p["a"]]) & await weeks(by_id[p["b"]]))
            self.assertEqual(p["same_weeks"], want, (by_id[p["a"]], by_id[p["b"]]))
            if want:
                self.assertIn(f"{want} keer in dezelfde week vergaderd", p["why"])
            else:
                self.assertNotIn("dezelfde week", p["why"])
        # the planted pair (server/demo/README.md, (e)): twice, at every instant
        rg = [p for p in mine if {by_id[p["a"]], by_id[p["b"]]} == {REGIE, CASUS}]
        self.assertEqual(len(rg), 1)
        self.assertEqual(rg[0]["same_weeks"], 2)
        self.assertIn("2 keer in dezelfde week vergaderd", rg[0]["why"])

    # ---- meeting conflicts ----

    async def the_planted_clash_is_flagged_at_its_local_time(self, server, client, bodies):
        flags = (await client.call("flag.list", body=bodies[CASUS]["id"]))["flags"]
        clashes = [f for f in flags if f["kind"] == "conflict"]
        self.assertEqual(len(clashes), 1, clashes)
        f = clashes[0]
        self.assertEqual((f["state"], f["other"]["body_name"]),
                         ("open", "Afstemmingsoverleg Integrale Controles"))
        self.assertIn("Jeroen Vlasblom", [p["name"] for p in f["evidence"]["persons"]])
        here, other = local(f["here"]["start"]), local(f["other"]["start"])
        # cso-3: Thursday of next week, 13:30 local, winter or summer
        self.assertEqual((here.weekday(), here.hour, here.minute), (3, 13, 30))
        self.assertEqual(here.date(), other.date())
        self.assertGreater(parse_instant(f["here"]["start"]), server.now())

    # ---- due and overdue actions ----

    async def overdue_means_a_due_date_before_today_in_amsterdam(self, server, client, bodies):
        data = demo()
        today = local(server.now()).date().isoformat()
        for key, name in (("regiegroep-ondermijning", REGIE), ("casusoverleg-ondermijning", CASUS)):
            body = bodies[name]
            every = (await client.call("action.list", body=body["id"]))["actions"]
            late = (await client.call("action.list", body=body["id"], overdue=True))["actions"]
            want = {a["id"] for a in every
                    if a["status"] in ("open", "lopend") and a["due"] and a["due"] < today}
            self.assertEqual({a["id"] for a in late}, want, name)
            # the demo's due dates count from today: late are exactly those due in the past
            planted = [a for b in data["bodies"] if b["key"] == key for a in b["actions"]
                       if a["status"] in ("open", "lopend") and a["due_in_days"] is not None
                       and a["due_in_days"] < 0]
            self.assertEqual(len(want), len(planted), name)
            for a in every:  # and no demo deadline falls in a weekend
                if a["due"]:
                    self.assertLess(datetime.date.fromisoformat(a["due"]).weekday(), 5, a)

    # ---- the iCalendar window ----

    async def the_calendar_holds_90_days_back_and_400_ahead(self, server, client, bodies):
        body = bodies[REGIE]
        now = server.now()
        for days in (ICAL_AHEAD_DAYS - 1, ICAL_AHEAD_DAYS + 2):
            t = now + datetime.timedelta(days=days)
            await client.call("meeting.create", body=body["id"], start=iso(t),
                              end=iso(t + datetime.timedelta(hours=1)))
        url = (await client.call("feed.create", kind="body_ical", body=body["id"]))["url"]
        status, _, raw = server.http("GET", "/feeds/" + url.split("/feeds/", 1)[1])
        self.assertEqual(status, 200)
        got = [e["DTSTART"].dt for e in icalendar.Calendar.from_ical(raw).walk("VEVENT")]
        now = server.now()
        lo = now - datetime.timedelta(days=ICAL_PAST_DAYS)
        hi = now + datetime.timedelta(days=ICAL_AHEAD_DAYS)
        spans = [(parse_instant(m["start"]), parse_instant(m["end"]))
                 for m in await self.meetings_of(client, body)]
        slack = datetime.timedelta(minutes=5)  # the server read its clock a moment earlier
        inside = [s for s, e in spans if e > lo + slack and s < hi - slack]
        outside = [s for s, e in spans if e <= lo - slack or s >= hi + slack]
        self.assertTrue(outside, "the demo has meetings beyond the window, and one was added")
        self.assertEqual(len(inside) + len(outside), len(spans))
        self.assertEqual(sorted(inside), sorted(d.astimezone(datetime.timezone.utc) for d in got))
        for d in got:  # local wall-clock time in Amsterdam's zone
            self.assertEqual(str(d.tzinfo), "Europe/Amsterdam")

    # ---- the digest's day ----

    async def the_digest_is_the_digest_of_today_in_amsterdam(self, server, client, bodies):
        self.sink.messages.clear()
        await client.call("preferences.set", prefs={"meeting": "digest"})
        chair = await server.connect(server.login("s.bakker@dordrecht.example", DEMO_PASSWORD))
        try:
            start = server.now() + datetime.timedelta(days=3)
            await chair.call("meeting.create", body=bodies[REGIE]["id"], start=iso(start),
                             end=iso(start + datetime.timedelta(hours=1)))
            # the notification of the new meeting is a reaction after the commit: the barrier
            # holds until it ran, so the digest below (another process) finds it in the store
            await chair.sync()
        finally:
            await chair.close()
        r = await asyncio.to_thread(
            subprocess.run, [harness.BINARY, "digest", "--db", server.db, "--now", "--smtp-url", self.sink.url,
             "--mail-from", "ketentafel@test.example", "--test-now", iso(server.now())],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        mine = [e for e in self.sink.messages if e.rcpt_tos == [SECRETARY]]
        self.assertEqual(len(mine), 1, [e.rcpt_tos for e in self.sink.messages])
        msg = email.message_from_bytes(mine[0].content, policy=email.policy.default)
        text = msg.get_body(("plain",)).get_content()
        today = dutch_day(local(server.now()).date())
        self.assertIn(f"dagoverzicht van ketentafel van {today}", text)

    # ---- a series from the cadence ----

    async def a_series_keeps_weekday_and_wall_clock_time_across_both_clock_changes(
            self, server, client, bodies):
        body = bodies[REGIE]
        self.assertEqual(body["cadence"], "P6W")
        today = local(server.now()).date()
        # the first Wednesday 20 weeks or more from today (after every demo meeting), 08:15 local
        first = today + datetime.timedelta(days=140 + (2 - today.weekday()) % 7)
        start = datetime.datetime(first.year, first.month, first.day, 8, 15, tzinfo=AMS)
        r = await client.call("meeting.series", body=body["id"], start=iso(start),
                              end=iso(start + datetime.timedelta(minutes=75)), count=9)
        got = [local(m["start"]) for m in r["meetings"]]
        self.assertEqual(len(got), 9)
        for k, t in enumerate(got):
            want = first + datetime.timedelta(weeks=6 * k)
            self.assertEqual((t.date(), t.hour, t.minute), (want, 8, 15))
            self.assertEqual(local(r["meetings"][k]["end"]) - t, datetime.timedelta(minutes=75))
        self.assertGreater(len({t.utcoffset() for t in got}), 1)  # 48 weeks: a clock change


if __name__ == "__main__":
    unittest.main()
