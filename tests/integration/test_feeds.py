"""Issue 6: a person's calendar (iCalendar) and notifications (Atom) at secret, revocable URLs,
and the daily digest by e-mail. Feeds are read by the parsers calendar and feed readers use
(Debian's python3-icalendar and python3-feedparser); the digest goes to a real SMTP server on
loopback (aiosmtpd) and is read back with Python's email package."""

import asyncio
import datetime
import email
import email.policy
import glob
import json
import os
import re
import subprocess
import unittest
import zoneinfo

import feedparser
import icalendar
from aiosmtpd.controller import Controller

import harness
from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, free_port,
                     setup_world)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.timezone.utc
PUBLIC = "https://ketentafel.test.example"


def web_routes():
    """The hash routes the web client answers (web/js/app.js), as Python regexes."""
    with open(os.path.join(harness.ROOT, "web", "js", "app.js"), encoding="utf-8") as f:
        src = f.read()
    return [re.compile(js) for js in re.findall(r"^\s*\[/(\^.+?\$)/, \w+,", src, re.M)]


def amsterdam(day, hour, minute):
    """An Amsterdam wall-clock time on date day, as the UTC string the protocol takes."""
    local = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_date(month, day):
    """The first month/day after today: within the calendar's 400 days ahead."""
    today = harness.CLOCK.now().astimezone(AMS).date()
    d = datetime.date(today.year, month, day)
    return d if d > today + datetime.timedelta(days=7) else d.replace(year=today.year + 1)


class Sink:
    """A real SMTP server on a free loopback port that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


class World:
    """A server with the small world of harness.setup_world and logged-in tokens."""

    def __init__(self, name, extra=()):
        self.server = Server(name, extra=["--public-url", PUBLIC + "/"] + list(extra))
        self.server.create_admin()
        self.server.start()
        self.tokens = {}
        self.w = None

    async def setup(self):
        admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        self.w = await setup_world(self.server, admin)
        await admin.close()

    async def as_(self, key, clients):
        if key not in self.tokens:
            self.tokens[key] = self.server.login(f"{key}@test.example")
        c = await self.server.connect(self.tokens[key])
        clients.append(c)
        return c


def path_of(url):
    assert url.startswith(PUBLIC + "/feeds/"), url
    return url[len(PUBLIC):]


class FeedTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.world = World("feeds")

    @classmethod
    def tearDownClass(cls):
        cls.world.server.stop()
        cls.world.server.cleanup()

    async def asyncSetUp(self):
        if self.world.w is None:
            await self.world.setup()
        self.s = self.world.server
        self.w = self.world.w
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def as_(self, key):
        return await self.world.as_(key, self.clients)

    def get(self, url):
        return self.s.http("GET", path_of(url))

    def calendar(self, url):
        status, headers, raw = self.get(url)
        self.assertEqual(status, 200, raw[:300])
        self.assertEqual(headers["content-type"], "text/calendar; charset=utf-8")
        self.assertEqual(headers["cache-control"], "private, max-age=300")
        return icalendar.Calendar.from_ical(raw)

    def events(self, cal):
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    async def meeting(self, chair, day, hour=9, minute=30, body=None, location="Stadskantoor"):
        r = await chair.call("meeting.create", body=body or self.w["body"],
                             start=amsterdam(day, hour, minute),
                             end=amsterdam(day, hour + 2, minute), location=location)
        return r["meeting"]["id"]

    # ---- the links ----

    async def test_the_url_is_shown_once_and_only_its_hash_is_stored(self):
        police = await self.as_("police")
        r = await police.call("feed.create", kind="ical", key="feed-key-1")
        self.assertRegex(r["url"], r"^" + re.escape(PUBLIC) + r"/feeds/ical/[A-Za-z0-9_-]{43}\.ics$")
        token = r["url"].rsplit("/", 1)[1][:-4]
        listed = (await police.call("feed.list"))["feeds"]
        self.assertIn(r["feed"], listed)
        self.assertNotIn(token, repr(listed))
        # a replay of the same request key does not hand out the secret again
        again = await police.call("feed.create", kind="ical", key="feed-key-1")
        self.assertNotEqual(again["url"], r["url"])
        for path in glob.glob(self.s.db + "*"):
            with open(path, "rb") as f:
                self.assertNotIn(token.encode(), f.read(), path)
        hashes = [row[0] for row in self.s.query("SELECT token_hash FROM feed_tokens")]
        self.assertTrue(hashes and all(len(h) == 32 for h in hashes))
        await police.call("feed.revoke", feed=again["feed"]["id"])

    async def test_revoked_and_unknown_links_are_404_without_detail(self):
        police = await self.as_("police")
        ical = await police.call("feed.create", kind="ical")
        atom = await police.call("feed.create", kind="atom")
        self.assertEqual(self.get(ical["url"])[0], 200)
        self.assertEqual(self.get(atom["url"])[0], 200)
        revoked = await police.call("feed.revoke", feed=ical["feed"]["id"])
        self.assertIsNotNone(revoked["feed"]["revoked_at"])
        self.assertNotIn(ical["feed"]["id"], [f["id"] for f in (await police.call("feed.list"))["feeds"]])
        gone = self.get(ical["url"])
        unknown = self.s.http("GET", "/feeds/ical/" + "A" * 43 + ".ics")
        malformed = self.s.http("GET", "/feeds/ical/..%2F..%2Fetc.ics")
        # the Atom token does not open the calendar, nor the other way round
        crossed = self.s.http("GET", path_of(atom["url"]).replace("/atom/", "/ical/")[:-4] + ".ics")
        for status, _, raw in (gone, unknown, crossed):
            self.assertEqual(status, 404)
            self.assertEqual(raw, gone[2])
        self.assertEqual(malformed[0], 404)  # libwebsockets refuses ".." itself
        # revoking is the owner's business
        housing = await self.as_("housing")
        with self.assertRaises(ProtocolError) as e:
            await housing.call("feed.revoke", feed=atom["feed"]["id"])
        self.assertEqual(e.exception.code, "not_found")
        self.assertEqual(self.get(atom["url"])[0], 200)

    async def test_feed_create_checks_its_arguments(self):
        police, outsider = await self.as_("police"), await self.as_("outsider")
        for args, code in [({"kind": "body_ical"}, "missing_argument"),
                           ({"kind": "ical", "body": self.w["body"]}, "invalid_argument"),
                           ({"kind": "body_ical", "body": 999999}, "not_found"),
                           ({"kind": "rss"}, "invalid_argument")]:
            with self.assertRaises(ProtocolError) as e:
                await police.call("feed.create", **args)
            self.assertEqual(e.exception.code, code, args)
        with self.assertRaises(ProtocolError) as e:
            await outsider.call("feed.create", kind="body_ical", body=self.w["body"])
        self.assertEqual(e.exception.code, "not_member")

    # ---- iCalendar ----

    async def test_calendar_has_stable_uids_sequence_status_and_amsterdam_times(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        winter, summer = next_date(1, 14), next_date(7, 1)
        m_winter = await self.meeting(chair, winter, location="Stadhuis, zaal 3; Dordrecht")
        m_summer = await self.meeting(chair, summer)
        url = (await police.call("feed.create", kind="ical"))["url"]
        cal = self.calendar(url)
        self.assertEqual(str(cal["VERSION"]), "2.0")
        self.assertEqual(str(cal["METHOD"]), "PUBLISH")
        tzs = cal.walk("VTIMEZONE")
        self.assertEqual([str(t["TZID"]) for t in tzs], ["Europe/Amsterdam"])
        evs = self.events(cal)
        uw, us = f"meeting-{m_winter}@ketentafel", f"meeting-{m_summer}@ketentafel"
        self.assertIn(uw, evs)
        self.assertIn(us, evs)
        ew, es = evs[uw], evs[us]
        # 09:30 in Amsterdam: 08:30Z in winter (CET), 07:30Z in summer (CEST)
        self.assertEqual(ew["DTSTART"].params["TZID"], "Europe/Amsterdam")
        self.assertEqual(ew["DTSTART"].dt.strftime("%H:%M"), "09:30")
        self.assertEqual(ew["DTSTART"].dt.astimezone(UTC).strftime("%H:%M"), "08:30")
        self.assertEqual(es["DTSTART"].dt.astimezone(UTC).strftime("%H:%M"), "07:30")
        self.assertEqual(es["DTEND"].dt.astimezone(UTC).strftime("%H:%M"), "09:30")
        self.assertEqual(str(ew["SUMMARY"]), "Regiegroep Test")
        self.assertEqual(str(ew["LOCATION"]), "Stadhuis, zaal 3; Dordrecht")
        # a meeting in concept may yet move: TENTATIVE; once its agenda is published, CONFIRMED
        self.assertEqual(str(ew["STATUS"]), "TENTATIVE")
        await chair.call("agenda.publish", meeting=m_summer)
        self.assertEqual(str(self.events(self.calendar(url))[us]["STATUS"]), "CONFIRMED")
        self.assertEqual(str(ew["URL"]), f"{PUBLIC}/#/vergadering/{m_winter}")
        self.assertTrue(any(r.match(str(ew["URL"])[len(PUBLIC) + 1:]) for r in web_routes()))
        seq = int(ew["SEQUENCE"])
        # the same UIDs on the next fetch
        self.assertEqual(set(self.events(self.calendar(url))), set(evs))
        # a move bumps SEQUENCE and moves DTSTART; a cancellation keeps the UID
        await chair.call("meeting.update", meeting=m_winter, start=amsterdam(winter, 13, 0),
                         end=amsterdam(winter, 14, 0))
        moved = self.events(self.calendar(url))[uw]
        self.assertGreater(int(moved["SEQUENCE"]), seq)
        self.assertEqual(moved["DTSTART"].dt.astimezone(UTC).strftime("%H:%M"), "12:00")
        await chair.call("meeting.cancel", meeting=m_winter)
        cancelled = self.events(self.calendar(url))[uw]
        self.assertEqual(str(cancelled["STATUS"]), "CANCELLED")
        self.assertGreater(int(cancelled["SEQUENCE"]), int(moved["SEQUENCE"]))
        self.assertIn("geannuleerd", str(cancelled["DESCRIPTION"]))

    async def test_dst_change_night_and_the_window(self):
        chair, sec = await self.as_("chair"), await self.as_("sec")
        today = self.s.now().astimezone(AMS).date()
        # the last Sunday of March: clocks go from 02:00 to 03:00
        year = today.year + 1
        march_end = max(datetime.date(year, 3, d) for d in range(25, 32)
                        if datetime.date(year, 3, d).weekday() == 6)
        self.assertLess((march_end - today).days, 400)
        m_before = await self.meeting(chair, march_end - datetime.timedelta(days=1), 19, 0)
        m_after = await self.meeting(chair, march_end, 19, 0)
        # the window: 90 days back, 400 days ahead
        days = lambda n: today + datetime.timedelta(days=n)
        m_recent, m_old = await self.meeting(chair, days(-30)), await self.meeting(chair, days(-120))
        m_far = await self.meeting(chair, days(420))
        evs = self.events(self.calendar((await sec.call("feed.create", kind="ical"))["url"]))
        b = evs[f"meeting-{m_before}@ketentafel"]["DTSTART"].dt.astimezone(UTC)
        a = evs[f"meeting-{m_after}@ketentafel"]["DTSTART"].dt.astimezone(UTC)
        self.assertEqual((b.hour, a.hour), (18, 17))
        self.assertIn(f"meeting-{m_recent}@ketentafel", evs)
        self.assertNotIn(f"meeting-{m_old}@ketentafel", evs)
        self.assertNotIn(f"meeting-{m_far}@ketentafel", evs)

    async def test_agenda_titles_follow_confidentiality(self):
        chair, police, housing = (await self.as_("chair"), await self.as_("police"),
                                  await self.as_("housing"))
        m = await self.meeting(chair, next_date(2, 3))
        await chair.call("agenda.add", meeting=m, title="Opening en mededelingen")
        await chair.call("agenda.add", meeting=m, title="Dossier Hoogstraat 12 (woonfraude)",
                         confidential=True,
                         relevant=[{"org": self.w["orgs"]["woon"], "reason": "Verhuurder"}])
        await chair.call("agenda.add", meeting=m, title="Persoonlijk voor de politie",
                         confidential=True, persons=[self.w["persons"]["police"]])
        uid = f"meeting-{m}@ketentafel"
        police_cal = self.calendar((await police.call("feed.create", kind="ical"))["url"])
        housing_cal = self.calendar((await housing.call("feed.create", kind="ical"))["url"])
        pd = str(self.events(police_cal)[uid]["DESCRIPTION"])
        hd = str(self.events(housing_cal)[uid]["DESCRIPTION"])
        self.assertIn("1. Opening en mededelingen", pd)
        self.assertIn("2. Persoonlijk voor de politie", pd)  # numbered as they see it: no gap
        self.assertNotIn("Hoogstraat", pd)
        self.assertIn("Dossier Hoogstraat 12 (woonfraude)", hd)
        self.assertNotIn("Persoonlijk voor de politie", hd)
        self.assertIn(f"{PUBLIC}/#/vergadering/{m}", pd)
        # and the raw text, not only what the parser makes of it
        raw = self.get((await police.call("feed.create", kind="ical"))["url"])[2]
        self.assertNotIn(b"Hoogstraat", raw)

    async def test_body_calendar_is_for_members_while_they_are_members(self):
        chair, housing, admin = (await self.as_("chair"), await self.as_("housing"),
                                 await self.s.connect(self.s.login(ADMIN_EMAIL, ADMIN_PASSWORD)))
        self.clients.append(admin)
        b2 = (await admin.call("body.create", name="Werkgroep Ondermijning", kind="werkgroep",
                               scope="Dordrecht", level="operationeel"))["body"]["id"]
        await admin.call("membership.add", body=b2, person=self.w["persons"]["chair"],
                         role="voorzitter")
        await admin.call("membership.add", body=b2, person=self.w["persons"]["housing"],
                         role="lid")
        m_b2 = await self.meeting(chair, next_date(3, 3), body=b2)
        m_b1 = await self.meeting(chair, next_date(3, 4))
        feed = await housing.call("feed.create", kind="body_ical", body=b2)
        self.assertEqual((feed["feed"]["kind"], feed["feed"]["body"]), ("body_ical", b2))
        cal = self.calendar(feed["url"])
        uids = set(self.events(cal))
        self.assertIn(f"meeting-{m_b2}@ketentafel", uids)
        self.assertNotIn(f"meeting-{m_b1}@ketentafel", uids)
        self.assertIn("Werkgroep Ondermijning", str(cal["X-WR-CALNAME"]))
        # the personal calendar has both bodies
        personal = self.events(self.calendar((await housing.call("feed.create", kind="ical"))["url"]))
        self.assertTrue({f"meeting-{m_b2}@ketentafel", f"meeting-{m_b1}@ketentafel"} <= set(personal))
        # leaving the body ends its calendar (the link stays listed, but answers 404)
        await admin.call("membership.remove", body=b2, person=self.w["persons"]["housing"])
        self.assertEqual(self.get(feed["url"])[0], 404)
        self.assertNotIn(f"meeting-{m_b2}@ketentafel",
                         set(self.events(self.calendar(
                             (await housing.call("feed.create", kind="ical"))["url"]))))

    # ---- Atom ----

    async def test_atom_feed_of_notifications(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        m = await self.meeting(chair, next_date(4, 7), location="Politiebureau <Noord> & co")
        url = (await police.call("feed.create", kind="atom"))["url"]
        status, headers, raw = self.get(url)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "application/atom+xml; charset=utf-8")
        self.assertEqual(headers["cache-control"], "private, max-age=300")
        d = feedparser.parse(raw)
        self.assertFalse(d.bozo, d.get("bozo_exception"))
        self.assertEqual(d.version, "atom10")
        self.assertIn("Piet Politie", d.feed.title)
        self.assertTrue(d.feed.id.startswith("urn:ketentafel:"))
        self.assertEqual([l.href for l in d.feed.links if l.rel == "self"], [url])
        notes = (await police.call("notification.list", limit=100))["notifications"]
        self.assertEqual([e.id for e in d.entries],
                         [f"urn:ketentafel:notification:{n['id']}" for n in notes])
        routes = web_routes()
        mine = [e for e in d.entries if e.link == f"{PUBLIC}/#/vergadering/{m}"]
        self.assertTrue(mine)
        self.assertIn("Nieuwe vergadering", mine[0].title)
        self.assertIn("Politiebureau <Noord> & co", mine[0].summary)
        for e in d.entries:
            self.assertTrue(e.link.startswith(PUBLIC + "/#/"), e.link)
            self.assertTrue(any(r.match(e.link[len(PUBLIC) + 1:]) for r in routes), e.link)
            self.assertTrue(e.updated)
        # ids are stable across fetches
        again = feedparser.parse(self.get(url)[2])
        self.assertEqual([e.id for e in again.entries][-len(d.entries):],
                         [e.id for e in d.entries])

    async def test_atom_drops_what_became_confidential(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        m = await self.meeting(chair, next_date(5, 12))
        item = (await chair.call("agenda.add", meeting=m, title="Ondermijning bedrijventerrein",
                                 relevant=[{"org": self.w["orgs"]["pol"],
                                            "reason": "Signalen uit de wijk"}]))["item"]["id"]
        url = (await police.call("feed.create", kind="atom"))["url"]
        text = lambda: self.get(url)[2].decode()
        self.assertIn("Ondermijning bedrijventerrein", text())
        await chair.call("agenda.update", item=item, confidential=True,
                         relevant=[{"org": self.w["orgs"]["woon"], "reason": "Verhuurder"}])
        self.assertNotIn("Ondermijning", text())
        self.assertFalse(feedparser.parse(text()).bozo)


class DigestTest(unittest.IsolatedAsyncioTestCase):
    """The digest command against a real SMTP sink, and the server's own schedule."""

    @classmethod
    def setUpClass(cls):
        cls.sink = Sink().start()
        cls.world = World("digest")

    @classmethod
    def tearDownClass(cls):
        cls.world.server.stop()
        cls.world.server.cleanup()
        cls.sink.stop()

    async def asyncSetUp(self):
        if self.world.w is None:
            await self.world.setup()
        self.s = self.world.server
        self.w = self.world.w
        self.clients = []
        self.sink.messages.clear()

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def as_(self, key):
        return await self.world.as_(key, self.clients)

    def digest(self, *extra, smtp=None):
        args = [harness.BINARY, "digest", "--db", self.s.db, "--public-url", PUBLIC,
                "--mail-from", "ketentafel@test.example", "--now",
                "--test-now", harness.iso(self.s.now())]
        if smtp is not False:
            args += ["--smtp-url", smtp or self.sink.url]
        env = dict(os.environ)
        env.pop("KT_SMTP_URL", None)
        return subprocess.run(args + list(extra), capture_output=True, text=True, timeout=120,
                              env=env)

    def parse(self, envelope):
        return email.message_from_bytes(envelope.content, policy=email.policy.default)

    def to(self, key):
        return [self.parse(e) for e in self.sink.messages if e.rcpt_tos == [f"{key}@test.example"]]

    async def test_digest_is_multipart_dutch_with_working_links(self):
        police, chair = await self.as_("police"), await self.as_("chair")
        await police.call("preferences.set", prefs={"meeting": "digest", "agenda": "digest"})
        day = next_date(9, 14)
        r = await chair.call("meeting.create", body=self.w["body"], start=amsterdam(day, 9, 30),
                             end=amsterdam(day, 11, 0), location="Wijkcentrum Het Zuiden")
        m = r["meeting"]["id"]
        await chair.call("agenda.add", meeting=m, title="Overlast café <De Hoek>")
        await chair.call("agenda.publish", meeting=m)
        digested = [n for n in (await police.call("notification.list"))["notifications"]
                    if n["delivery"] == "digest"]
        self.assertEqual(len(digested), 2)
        out = self.digest()
        self.assertEqual(out.returncode, 0, out.stderr)
        msgs = self.to("police")
        self.assertEqual(len(msgs), 1, [e.rcpt_tos for e in self.sink.messages])
        msg = msgs[0]
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        parts = list(msg.iter_parts())
        self.assertEqual([p.get_content_type() for p in parts], ["text/plain", "text/html"])
        for p in parts:
            self.assertEqual(p.get_content_charset(), "utf-8")
            self.assertIn(p["Content-Transfer-Encoding"], ("quoted-printable", "base64"))
        self.assertEqual(msg["Subject"], "Dagoverzicht ketentafel \u2013 2 meldingen")
        raw = [e.content for e in self.sink.messages if e.rcpt_tos == ["police@test.example"]][0]
        self.assertTrue(re.search(rb"^Subject: =\?UTF-8\?B\?", raw, re.M))  # RFC 2047: not ASCII
        self.assertEqual(msg["To"].addresses[0].addr_spec, "police@test.example")
        self.assertEqual(msg["To"].addresses[0].display_name, "Piet Politie")
        self.assertEqual(msg["From"].addresses[0].addr_spec, "ketentafel@test.example")
        self.assertTrue(msg["Message-ID"].startswith("<") and "@test.example>" in msg["Message-ID"])
        self.assertIsNotNone(msg["Date"].datetime)
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        self.assertIn("Beste Piet Politie", text)
        self.assertIn("dagoverzicht", text)
        self.assertIn("Regiegroep Test", text)
        self.assertIn("Nieuwe vergadering van Regiegroep Test", text)
        self.assertIn("Agenda gepubliceerd", text)
        self.assertIn("Locatie: Wijkcentrum Het Zuiden", text)
        self.assertIn("<!DOCTYPE html>", html)
        self.assertIn('lang="nl"', html)
        self.assertIn("Beste Piet Politie", html)
        routes = web_routes()
        links = re.findall(r"https?://\S+", text) + re.findall(r'href="([^"]+)"', html)
        self.assertIn(f"{PUBLIC}/#/vergadering/{m}", links)
        for link in links:
            self.assertTrue(link.startswith(PUBLIC + "/#/"), link)
            self.assertTrue(any(r.match(link[len(PUBLIC) + 1:]) for r in routes), link)
        # settled: one message per person per day, and these notifications are digested
        self.sink.messages.clear()
        again = self.digest()
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(self.to("police"), [])
        rows = self.s.query("SELECT day, CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END, error "
                            "FROM digests WHERE person_id = ?", (self.w["persons"]["police"],))
        left = self.s.query("SELECT count(*) FROM notifications WHERE person_id = ? AND delivery "
                            "= 'digest' AND digested_at IS NULL",
                            (self.w["persons"]["police"],))[0][0]
        self.assertEqual([(r[1], r[2]) for r in rows], [(1, None)])
        self.assertEqual(left, 0)

    async def test_only_those_who_chose_a_digest_get_mail(self):
        housing, chair = await self.as_("housing"), await self.as_("chair")
        await housing.call("preferences.set", prefs={"meeting": "direct"})
        await chair.call("meeting.create", body=self.w["body"],
                         start=amsterdam(next_date(10, 5), 9, 0),
                         end=amsterdam(next_date(10, 5), 10, 0))
        out = self.digest()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(self.to("housing"), [])
        self.assertEqual(self.to("chair"), [])  # nothing for one's own actions either

    async def test_a_relay_that_refuses_is_an_error_and_the_notifications_wait(self):
        sec, chair = await self.as_("sec"), await self.as_("chair")
        await sec.call("preferences.set", prefs={"meeting": "digest"})
        await chair.call("meeting.create", body=self.w["body"],
                         start=amsterdam(next_date(11, 9), 9, 0),
                         end=amsterdam(next_date(11, 9), 10, 0))
        out = self.digest(smtp=f"smtp://127.0.0.1:{free_port()}")
        self.assertEqual(out.returncode, 1)
        err = self.s.query("SELECT error FROM digests WHERE person_id = ?",
                           (self.w["persons"]["sec"],))[0][0]
        left = self.s.query("SELECT count(*) FROM notifications WHERE person_id = ? AND delivery "
                            "= 'digest' AND digested_at IS NULL",
                            (self.w["persons"]["sec"],))[0][0]
        self.assertTrue(err)
        self.assertGreater(left, 0)

    async def test_without_a_relay_digests_are_skipped_and_health_says_so(self):
        status, _, raw = self.s.ops_http("/healthz")
        self.assertEqual(status, 200)
        mail = json.loads(raw)["mail"]
        self.assertEqual(mail["configured"], False)
        self.assertEqual(mail["digests"], "skipped")
        out = self.digest(smtp=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn("mailrelay", out.stderr)


class ScheduledDigestTest(unittest.IsolatedAsyncioTestCase):
    """The server sends the digest itself once the digest hour has come."""

    async def restart_with_a_digest_due(self, world, clients, day, extra):
        """The observer wants meetings in the digest, the chair creates one on day; then the
        server restarts with extra flags (its mail relay) and the digest is due."""
        await world.setup()
        observer, chair = await world.as_("observer", clients), await world.as_("chair", clients)
        await observer.call("preferences.set", prefs={"meeting": "digest"})
        await chair.call("meeting.create", body=world.w["body"], start=amsterdam(day, 9, 0),
                         end=amsterdam(day, 10, 0))
        for c in clients:
            await c.close()
        clients.clear()
        world.server.stop()
        world.server.extra += extra
        world.server.start()

    async def test_server_sends_the_days_digest_on_its_own(self):
        sink = Sink().start()
        world = World("digest-scheduled")
        clients = []
        try:
            await self.restart_with_a_digest_due(world, clients, next_date(12, 1), [
                "--smtp-url", sink.url, "--digest-hour", "0",
                "--mail-from", "ketentafel@test.example"])
            deadline = asyncio.get_event_loop().time() + 30
            while not sink.messages and asyncio.get_event_loop().time() < deadline:
                await asyncio.sleep(0.2)
            self.assertEqual([e.rcpt_tos for e in sink.messages], [["observer@test.example"]])
            msg = email.message_from_bytes(sink.messages[0].content, policy=email.policy.default)
            self.assertIn("Nieuwe vergadering", msg.get_body(("plain",)).get_content())
            # the relay has the message; the node counts it once the SMTP exchange is over
            deadline = asyncio.get_event_loop().time() + 30
            while True:
                mail = json.loads(world.server.ops_http("/healthz")[2])["mail"]
                if mail.get("sent") == 1 or asyncio.get_event_loop().time() > deadline:
                    break
                await asyncio.sleep(0.1)
            self.assertEqual((mail["configured"], mail["sent"], mail["failed"]), (True, 1, 0))
        finally:
            for c in clients:
                await c.close()
            world.server.stop()
            world.server.cleanup()
            sink.stop()

    async def test_a_hanging_relay_blocks_neither_the_loop_nor_the_shutdown(self):
        import socket
        import time
        hang = socket.socket()
        hang.bind(("127.0.0.1", 0))
        hang.listen(8)  # accepts connections, never says a word
        world = World("digest-hang")
        clients = []
        try:
            await self.restart_with_a_digest_due(world, clients, next_date(12, 2), [
                "--smtp-url", f"smtp://127.0.0.1:{hang.getsockname()[1]}", "--digest-hour", "0"])
            db = lambda: world.server.query("SELECT count(*) FROM digests")[0][0]
            deadline = time.time() + 20
            while db() == 0 and time.time() < deadline:
                await asyncio.sleep(0.2)
            self.assertEqual(db(), 1)  # claimed, the send is under way
            t0 = time.time()
            status, _, _ = world.server.http("GET", "/healthz")
            self.assertEqual(status, 200)
            # a loop blocked on the relay would hang for the send timeout (60 s); a loaded
            # machine with the sanitizers may take some seconds for a healthy answer or stop
            self.assertLess(time.time() - t0, 10)
            t0 = time.time()
            world.server.stop()
            self.assertLess(time.time() - t0, 30)
            self.assertEqual(db(), 0)  # the unsent claim is released for the next run
        finally:
            for c in clients:
                await c.close()
            world.server.stop()
            world.server.cleanup()
            hang.close()


if __name__ == "__main__":
    unittest.main()
