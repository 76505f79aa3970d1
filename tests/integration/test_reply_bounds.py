"""Issue 12 item 6, the guard: no reply is unbounded. One body and one person with large data
(a backlog of 5,000 items, a meeting of 1,500 items with notes and 1,500 outcomes, 3,000 actions,
a long chat, thousands of notifications, audit entries, agenda requests, members, meetings,
persons, abbreviations: together tens of MB), planted straight into the store by recursive SQL
that both backends run. Then every op that reads (the read ops of server/src/protocol/ops.c)
and every write that hands back a document is called as a client would, with the largest page
it may ask for: each reply must come (within the harness's 30 s) and stay below the documented
bound (PROTOCOL.md, Limits: a page ends at 1 MiB, with the entry that passed it and the
envelope).

The HTTP feeds (iCalendar, Atom: FeedBoundTest) and a replay of large events (ReplayBoundTest)
are held to the same bound. (No export goes over HTTP: export.minutes and person.export come in
parts over the WebSocket.)

A new read op must be added to OPS below (with arguments that reach the large data) or to
SMALL (with the reason its reply cannot grow): an op that is in neither fails the test, so an
op that forgets paging cannot slip past CI."""

import asyncio
import datetime
import json
import os
import re
import time
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, WorldCase

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOUND = 1024 * 1024 + 64 * 1024  # a page's 1 MiB, the entry that passed it, the envelope
KB = "Toelichting bij het punt, met de stand van zaken. " * 20  # ~1 KB

BACKLOG, AGENDA, OUTCOMES, ACTIONS, MESSAGES, NOTIFICATIONS = 5000, 1500, 1500, 3000, 3000, 3000
MEMBERS, MEETINGS, AUDIT, REQUESTS, ABBREVIATIONS = 1200, 700, 3000, 1500, 3000

# Ops whose reply cannot grow with the data: what they answer and why it is bounded.
SMALL = {
    "ping": "an empty result",
    "unsubscribe": "an empty result",
    "retention.get": "six kinds and one audit entry",
    "preferences.get": "one person's settings",
    "chat.unread": "two counts",
    "feed.list": "one person's feed links: one per kind",
    "import.preview": "derived from its text argument, at most 60,000 characters",
    "subscribe": "the stream's head; the replay comes as events, one frame each, paced by the "
                 "out-queue (ReplayBoundTest)",
    "notification.subscribe": "the stream's head; the replay comes as events, one frame each, "
                              "paced like subscribe's",
}


def read_ops():
    """The ops of server/src/protocol/ops.c's table marked R (a read)."""
    with open(os.path.join(ROOT, "server", "src", "protocol", "ops.c"), encoding="utf-8") as f:
        text = f.read()
    return set(re.findall(r'^\s*\{"([a-z._]+)",\s*kt_h_\w+,[^}]*?,\s*R,', text, re.M))


class ReplyBoundTest(WorldCase):

    def plant(self):
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        chair, org = self.p["chair"], self.orgs["gem"]
        rec = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        q(rec + "INSERT INTO persons (org_id, name, email, function, created_at, updated_at) "
          "SELECT ?, 'Lid ' || i, 'lid' || i || '@bulk.example', ?, ?, ? FROM n",
          (MEMBERS, org, KB[:200], now, now))
        q("INSERT INTO memberships (body_id, person_id, role, created_at) SELECT ?, id, 'lid', ? "
          "FROM persons WHERE email LIKE '%@bulk.example'", (body, now))
        q(rec + "INSERT INTO meetings (body_id, starts_at, ends_at, location, status, created_at, "
          "updated_at) SELECT ?, ? + i * 43200, ? + i * 43200 + 3600, ?, 'concept', ?, ? FROM n",
          (MEETINGS, body, now - 170 * 86400, now - 170 * 86400, KB[:300], now, now))
        meeting = q("SELECT id FROM meetings WHERE body_id = ? AND starts_at < ? ORDER BY "
                    "starts_at DESC LIMIT 1", (body, now - 86400))[0][0]
        q(rec + "INSERT INTO items (body_id, position, title, description, kind, created_by, "
          "created_at, updated_at) SELECT ?, i, 'Werkvoorraad ' || i, ? || i, 'bespreking', ?, "
          "?, ? FROM n", (BACKLOG, body, KB, chair, now, now))
        q(rec + "INSERT INTO items (body_id, meeting_id, position, title, description, kind, "
          "created_by, created_at, updated_at) SELECT ?, ?, i, 'Punt ' || i, ? || i, "
          "'bespreking', ?, ?, ? FROM n", (AGENDA, body, meeting, KB, chair, now, now))
        q("INSERT INTO item_notes (item_id, text, updated_by, updated_at, rev) SELECT id, ? || "
          "id, ?, ?, 1 FROM items WHERE meeting_id = ?", (KB * 2, chair, now, meeting))
        q("INSERT INTO attendance (meeting_id, person_id, status, note, updated_at) SELECT "
          "?, id, 'aanwezig', ?, ? FROM persons WHERE email LIKE '%@bulk.example'",
          (meeting, KB[:200], now))
        first = q("SELECT min(id) FROM items WHERE meeting_id = ?", (meeting,))[0][0]
        # outcomes of the meeting, ten under each of its first 150 items; besluiten with days
        q(rec + "INSERT INTO actions (body_id, kind, text, status, meeting_id, origin_item_id, "
          "decided_on, created_by, created_at, updated_at) SELECT ?, 'besluit', ? || i, NULL, "
          "?, ? + i % 150, '2026-11-' || (10 + i % 18), ?, ?, ? FROM n",
          (OUTCOMES, body, KB * 2, meeting, first, chair, now, now))
        q(rec + "INSERT INTO actions (body_id, kind, text, owner_org_id, due_date, status, "
          "created_by, created_at, updated_at) SELECT ?, 'actiepunt', ? || i, ?, '2027-01-1' || "
          "(i % 10), 'open', ?, ?, ? FROM n", (ACTIONS, body, KB * 2, org, chair, now, now))
        q(rec + "INSERT INTO messages (body_id, person_id, text, created_at) SELECT ?, ?, ? || i, "
          "? + i FROM n", (MESSAGES, body, chair, KB * 2, now - 86400))
        q(rec + "INSERT INTO notifications (person_id, kind, delivery, body_id, title, text, "
          "link, created_at) SELECT ?, 'agenda', 'direct', ?, 'Melding ' || i, ?, '#/', ? FROM n",
          (NOTIFICATIONS, chair, body, KB, now))
        q(rec + "INSERT INTO audit (at, actor_id, action, body_id, subject_kind, subject_id, "
          "detail) SELECT ?, ?, 'meeting.updated', ?, 'meeting', ?, ? FROM n",
          (AUDIT, now, chair, body, meeting, json.dumps({"minutes": KB * 2})))
        q(rec + "INSERT INTO audit (at, actor_id, action, body_id, subject_kind, subject_id, "
          "detail) SELECT ?, ?, 'person.export', NULL, 'person', ?, ? FROM n",
          (AUDIT, now, chair, self.p["police"], json.dumps({"note": KB * 2})))
        q(rec + "INSERT INTO agenda_requests (body_id, requester_id, title, description, "
          "created_at) SELECT ?, ?, 'Verzoek ' || i, ?, ? FROM n",
          (REQUESTS, body, self.p["police"], KB * 2, now))
        q(rec + "INSERT INTO abbreviations (abbr, expansion, created_at) SELECT 'afk' || i, ?, ? "
          "FROM n", (ABBREVIATIONS, KB[:500], now))
        return meeting

    async def test_every_read_of_large_data_stays_within_the_bound(self):
        # a new read op must be listed here, or in SMALL with the reason it cannot grow
        meeting = self.plant()
        chair = await self.connect("chair@test.example")
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        body, police = self.body, self.p["police"]
        await chair.call("minutes.submit", meeting=meeting,
                         deadline=(self.server.now() + datetime.timedelta(days=7)).date().isoformat())
        OPS = [  # (op, arguments, who asks)
            ("me.get", {}, chair),
            ("meeting.upcoming", {"days": 400}, chair),
            ("scope.list", {"limit": 1000}, chair),
            ("org.list", {"limit": 1000}, chair),
            ("person.list", {"limit": 1000}, chair),
            ("person.search", {"q": "Lid", "limit": 100}, chair),
            ("audit.list", {"limit": 200}, admin),
            ("audit.body", {"body": body, "limit": 200}, chair),
            ("audit.history", {"meeting": meeting, "limit": 400}, chair),
            ("body.list", {"limit": 1000}, chair),
            ("body.get", {"body": body, "backlog_limit": 500, "members_limit": 1000}, chair),
            ("meeting.get", {"meeting": meeting, "agenda_limit": 500, "attendance_limit": 1000,
                             "outcomes_limit": 500}, chair),
            ("meeting.list", {"body": body, "limit": 500}, chair),
            ("request.list", {"body": body}, chair),
            ("action.list", {"body": body, "limit": 500}, chair),
            ("action.list", {"limit": 500}, chair),
            ("minutes.get", {"meeting": meeting}, chair),
            ("minutes.version", {"meeting": meeting, "version": 1}, chair),
            ("export.minutes", {"meeting": meeting}, chair),
            ("export.decisions", {"body": body}, chair),
            ("chat.history", {"body": body, "limit": 200}, chair),
            ("abbreviation.list", {}, chair),
            ("body.suggest", {"text": "Werkvoorraad punt toelichting stand van zaken",
                              "limit": 20}, chair),
            ("overlap.map", {"days": 366, "limit": 5000}, chair),
            ("search", {"q": "toelichting", "limit": 50}, chair),
            ("flag.list", {"body": body, "limit": 500}, chair),
            ("notification.list", {"limit": 200}, chair),
            ("person.export", {"person": self.p["chair"]}, admin),  # a write: the AVG log
            ("person.export", {"person": police}, admin),
        ]
        listed = {op for op, _, _ in OPS}
        self.assertEqual(sorted(read_ops() - listed - set(SMALL)), [],
                         "read ops with no large-data check here and no reason in SMALL")
        self.assertEqual(sorted((listed | set(SMALL)) - read_ops() - {"person.export"}), [],
                         "ops listed here that ops.c does not have as reads")
        sizes = {}
        for op, args, who in OPS:
            with self.subTest(op=op, args=args):
                before, t0 = len(who.frames), time.monotonic()
                await who.call(op, **args)  # within the harness's 30 s
                reply = [f for f in who.frames[before:] if "result" in f][-1]
                size = len(json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode())
                sizes[f"{op} {json.dumps(args)}"] = (size, round(time.monotonic() - t0, 2))
                self.assertLess(size, BOUND, f"{op} {args}: a reply of {size} bytes")
        for op in sorted(SMALL):
            self.assertIn(op, read_ops())
        print("\nreply sizes (bytes, seconds):")
        for k, (size, secs) in sizes.items():
            print(f"  {size:>9} {secs:>6}  {k}")
        for c in (chair, admin):
            self.assertIsNone(c.closed)


class WriteBoundTest(WorldCase):
    """minutes.approve answered with every amendment the chair may see, with its new status, and
    a verslag ter vaststelling takes amendments of up to 20,000 characters from every member, as
    many as they like: 150 of 20 KB made an approve reply of 3 MB (a few more and it closes the
    connection with 4008, after the approval was committed). The reply now holds the first page
    of the amendments (1/16 MiB), and minutes.get gives the rest by amendments_from: every one
    exactly once, oldest first, each page within the bound."""

    AMENDMENTS = 150
    TEXT = "Niet 'de politie' maar 'de wijkagent'. " * 500  # ~20 KB

    async def reply_size(self, who, op, **args):
        before = len(who.frames)
        result = await who.call(op, **args)
        reply = [f for f in who.frames[before:] if "result" in f][-1]
        size = len(json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode())
        self.assertLess(size, BOUND, f"{op} {args}: a reply of {size} bytes")
        return result

    async def test_approving_a_verslag_with_many_amendments_stays_within_the_bound(self):
        chair = await self.connect("chair@test.example")
        now, day = self.server.now(), datetime.timedelta(days=1)
        z = lambda t: t.replace(microsecond=0).isoformat().replace("+00:00", "Z")  # noqa: E731
        meeting = (await chair.call("meeting.create", body=self.body, start=z(now - day),
                                    end=z(now - day + datetime.timedelta(hours=2))))["meeting"]
        await chair.call("minutes.submit", meeting=meeting["id"],
                         deadline=(now + 7 * day).date().isoformat())
        self.server.query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO minutes_amendments (meeting_id, version, person_id, text, created_at) "
            "SELECT ?, 1, ?, ? || i, ? FROM n",
            (self.AMENDMENTS, meeting["id"], self.p["police"], self.TEXT, int(now.timestamp())))
        approved = await self.reply_size(chair, "minutes.approve", meeting=meeting["id"],
                                         taken=[])
        got = approved["amendments"]
        self.assertTrue(approved["amendments_more"])
        self.assertEqual(approved["amendments_next"], len(got))
        nxt = approved["amendments_next"]
        while nxt is not None:
            page = await self.reply_size(chair, "minutes.get", meeting=meeting["id"],
                                         amendments_from=nxt)
            self.assertTrue(page["amendments"])
            self.assertEqual(page["amendments_more"], page["amendments_next"] is not None)
            got += page["amendments"]
            nxt = page["amendments_next"]
        self.assertEqual([a["text"] for a in got],
                         [f"{self.TEXT}{i}" for i in range(1, self.AMENDMENTS + 1)])
        self.assertEqual({a["status"] for a in got}, {"niet_overgenomen"})
        self.assertIsNone(chair.closed)

    async def test_copying_onto_a_long_agenda_stays_within_the_bound(self):
        """agenda.copy answered with the whole agenda it copied onto: 1,500 items of 2 KB
        were a reply of 3 MB. The reply is cut at 1 MiB (agenda_more: meeting.get pages it)."""
        chair = await self.connect("chair@test.example")
        now, day = self.server.now(), datetime.timedelta(days=1)
        z = lambda t: t.replace(microsecond=0).isoformat().replace("+00:00", "Z")  # noqa: E731
        long, short = [(await chair.call("meeting.create", body=self.body, start=z(now + k * day),
                                         end=z(now + k * day + datetime.timedelta(hours=2)))
                        )["meeting"]["id"] for k in (2, 3)]
        await chair.call("agenda.add", meeting=short, title="Mee te nemen")
        ts = int(now.timestamp())
        self.server.query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO items (body_id, meeting_id, position, title, description, kind, "
            "created_by, created_at, updated_at) SELECT ?, ?, i, 'Punt ' || i, ? || i, "
            "'bespreking', ?, ?, ? FROM n",
            (1500, self.body, long, KB * 2, self.p["chair"], ts, ts))
        copied = await self.reply_size(chair, "agenda.copy", meeting=long, **{"from": short})
        self.assertEqual(copied["added"], 1)
        self.assertTrue(copied["agenda_more"])
        self.assertEqual([i["title"] for i in copied["agenda"][:2]], ["Punt 1", "Punt 2"])
        self.assertIsNone(chair.closed)


class ReplayBoundTest(WorldCase):
    """A replay (subscribe since N) comes as one frame per event, read from the store in
    batches: a batch of 64 events went into the connection's out-queue at once, however large
    each was. 64 events of items with 300 KB descriptions (an event carries the item as it is
    now) were 19 MB queued in one go: past the queue's 4 MiB the connection closed with 4008, and
    a client that resumed from its last seq met the same batch again, for ever. A replay now
    stops queueing at half the queue's bytes and goes on as the socket takes them: every event
    arrives, in order, each frame within the bound, and the connection lives."""

    ITEMS = 80
    DESCRIPTION = "Toelichting bij het punt, met de stand van zaken. " * 6000  # ~300 KB

    async def test_a_replay_of_large_events_comes_within_the_queue(self):
        body, q = self.body, self.server.query
        chair = await self.connect("chair@test.example")
        start = (await chair.call("body.get", body=body))["seq"]
        ids = []
        for i in range(0, self.ITEMS, 20):
            ids += [r["item"]["id"] for r in await asyncio.gather(
                *(chair.call("agenda.add", body=body, title=f"Punt {k}")
                  for k in range(i, i + 20)))]
        q("UPDATE items SET description = ? || id WHERE body_id = ? AND meeting_id IS NULL",
          (self.DESCRIPTION, body))
        police = await self.connect("police@test.example")
        head = (await police.call("subscribe", body=body, since=start))["head"]
        self.assertGreaterEqual(head - start, self.ITEMS)
        await police.wait_for(lambda c: any(e["seq"] == head for e in c.body_events(body)),
                              timeout=120)
        self.assertIsNone(police.closed)
        events = police.body_events(body)
        self.assertEqual([e["seq"] for e in events], list(range(start + 1, head + 1)))
        added = [e["data"]["item"]["id"] for e in events if e["event"] == "agenda.added"]
        self.assertEqual(sorted(added), sorted(ids))
        largest = max(len(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode())
                      for e in events)
        self.assertGreater(largest, 300 * 1000)  # the events are as large as planted
        self.assertLess(largest, BOUND)


class FeedBoundTest(WorldCase):
    """The HTTP feeds are replies too, fetched whole by calendar programs and feed readers that
    know no pages: a person in a body with 250 meetings of 40 items with long titles got an
    iCalendar of 7.7 MB (every title, up to 100 per meeting, in every event's description). A
    calendar now holds the meetings nearest to now that fit 1 MiB. The Atom feed was bounded
    already (the newest 100 notifications, each summary cut at 1200 bytes), but the cut could
    fall inside a character: with notifications of 16 KB of emoji it was not UTF-8, so not XML."""

    MEETINGS, ITEMS, NOTIFICATIONS = 250, 40, 100
    TITLE = "\U0001F4C5" * 180  # 720 bytes of UTF-8
    TEXT = "\U0001F514" * 4000  # 16 KB

    def plant(self):
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        chair = self.p["chair"]
        rec = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        # one meeting every day from 60 days ago: the window of the calendar holds them all
        q(rec + "INSERT INTO meetings (body_id, starts_at, ends_at, location, status, created_at, "
          "updated_at) SELECT ?, ? + i * 86400, ? + i * 86400 + 3600, 'Zaal', 'concept', ?, ? "
          "FROM n", (self.MEETINGS, body, now - 60 * 86400, now - 60 * 86400, now, now))
        q(rec + "INSERT INTO items (body_id, meeting_id, position, title, kind, created_by, "
          "created_at, updated_at) SELECT ?, m.id, n.i, ? || n.i, 'bespreking', ?, ?, ? FROM n, "
          "meetings m WHERE m.body_id = ?", (self.ITEMS, body, self.TITLE, chair, now, now, body))
        q(rec + "INSERT INTO notifications (person_id, kind, delivery, body_id, title, text, "
          "link, created_at) SELECT ?, 'agenda', 'direct', ?, 'Melding ' || i, ? || i, '#/', "
          "? + i FROM n", (self.NOTIFICATIONS, chair, body, self.TEXT, now - 3600))
        return now

    def fetch(self, url):
        path = url[url.index("/feeds/"):]
        status, headers, raw = self.server.http("GET", path)
        self.assertEqual(status, 200)
        return raw

    async def test_the_feeds_of_a_busy_person_stay_within_the_bound(self):
        now = self.plant()
        chair = await self.connect("chair@test.example")
        ical = self.fetch((await chair.call("feed.create", kind="ical"))["url"])
        body_ical = self.fetch((await chair.call("feed.create", kind="body_ical",
                                                 body=self.body))["url"])
        atom = self.fetch((await chair.call("feed.create", kind="atom"))["url"])
        for name, raw in (("ical", ical), ("body_ical", body_ical), ("atom", atom)):
            self.assertLess(len(raw), BOUND, f"{name}: {len(raw)} bytes")
        # the calendar keeps the meetings nearest to now: today's and those around it (its
        # lines are folded at 75 bytes, a character's bytes may be split between two)
        unfolded = ical.replace(b"\r\n ", b"").decode()
        starts = sorted(int(datetime.datetime.strptime(m, "%Y%m%dT%H%M%S").replace(
            tzinfo=datetime.timezone.utc).timestamp()) for m in re.findall(
            r"^DTSTART[^:]*:(\d{8}T\d{6})", unfolded.split("BEGIN:VEVENT", 1)[1],
            re.M))
        self.assertGreater(len(starts), 10)
        self.assertLess(len(starts), self.MEETINGS)
        past = [t for t in starts if t < now - 3 * 3600]  # local times read as UTC: +1 h
        coming = [t for t in starts if t > now + 3 * 3600]
        self.assertLessEqual(abs(len(past) - len(coming)), 2)  # around now, both ways
        self.assertEqual(starts[-1] - starts[0], (len(starts) - 1) * 86400)  # none between
        self.assertEqual(body_ical.count(b"BEGIN:VEVENT"), len(starts))
        # the Atom feed: the newest notifications, newest first, in UTF-8
        titles = re.findall(r"<title>(Melding \d+)</title>", atom.decode())
        self.assertGreater(len(titles), 90)  # (the world's own notifications may be newer)
        self.assertEqual(titles, [f"Melding {self.NOTIFICATIONS - k}" for k in range(len(titles))])

    async def test_a_calendar_of_more_meetings_than_it_holds_keeps_those_nearest_to_now(self):
        """A calendar holds at most 1,000 meetings (KT_ICAL_MAX_EVENTS): the store gave the
        first 1,000 of the window by start, so a person with 1,100 in the last 88 days and the
        next four got only old ones, none of the coming days. It now gives the 1,000 nearest to
        now (the server's test clock), read outwards from now."""
        q, body = self.server.query, self.body
        now = int(self.server.now().timestamp())
        start = now - 88 * 86400  # one every two hours: 1,100 up to 3.6 days from now
        q("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1099) "
          "INSERT INTO meetings (body_id, starts_at, ends_at, location, status, created_at, "
          "updated_at) SELECT ?, ? + i * 7200, ? + i * 7200 + 3600, 'Zaal 2', 'concept', ?, ? "
          "FROM n", (body, start, start, now, now))
        ids = dict(q("SELECT starts_at, id FROM meetings WHERE location = 'Zaal 2'"))
        chair = await self.connect("chair@test.example")
        ical = self.fetch((await chair.call("feed.create", kind="body_ical",
                                            body=body))["url"]).decode()
        self.assertLess(len(ical), BOUND)
        got = {int(u) for u in re.findall(r"^UID:meeting-(\d+)@ketentafel", ical, re.M)}
        coming = [i for t, i in ids.items() if t > now]
        self.assertGreater(len(coming), 40)
        self.assertEqual(len(got), 1000)
        self.assertLessEqual(set(coming), got)  # every coming one, the oldest left out
        self.assertNotIn(ids[start], got)


if __name__ == "__main__":
    unittest.main()
