"""Issue 12 item 6: no reply is unbounded. A body whose backlog is larger than a connection's
4 MiB out-queue used to answer body.get with one reply that closed the connection (4008), every
time it was asked: now the backlog comes in pages (backlog_from / backlog_next) and a client
pages through every item, once each, in order."""

import asyncio
import datetime
import json
import re
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, DemoCase, WorldCase

ITEMS = 1100
DESCRIPTION = "Toelichting bij het punt. " * 160  # ~4 KB: all items together pass 4 MiB


class BacklogPagingTest(WorldCase):
    async def test_a_backlog_beyond_the_queue_comes_in_bounded_pages(self):
        body = self.body
        chair = await self.connect("chair@test.example")
        for start in range(0, ITEMS, 50):
            await asyncio.gather(*(chair.call("agenda.add", body=body, title=f"Punt {i}",
                                              description=DESCRIPTION)
                                   for i in range(start, min(ITEMS, start + 50))))
        police = await self.connect("police@test.example")
        ids, positions, cursor, pages, largest = [], [], 0, 0, 0
        while True:
            before = len(police.frames)
            snap = await police.call("body.get", body=body, backlog_from=cursor)
            reply = [f for f in police.frames[before:] if "result" in f][-1]
            largest = max(largest, len(json.dumps(reply)))
            pages += 1
            self.assertLessEqual(len(snap["backlog"]), 200)
            ids += [it["id"] for it in snap["backlog"]]
            positions += [it["position"] for it in snap["backlog"]]
            self.assertEqual(snap["backlog_more"], snap["backlog_next"] is not None)
            if not snap["backlog_more"]:
                break
            self.assertEqual(snap["backlog_next"], cursor + len(snap["backlog"]))
            cursor = snap["backlog_next"]
        self.assertEqual(len(ids), ITEMS)
        self.assertEqual(len(set(ids)), ITEMS)  # each once
        self.assertEqual(positions, sorted(positions))  # in backlog order
        # pages of 200, or fewer: a page ends at 1/2 MiB of items (4 KB each: about 128)
        self.assertGreaterEqual(pages, -(-ITEMS // 200))
        self.assertLess(pages, -(-ITEMS // 100))
        self.assertLess(largest, 1024 * 1024)
        self.assertIsNone(police.closed)  # the connection lives on
        # a smaller page on request; past the end: empty, no more
        snap = await police.call("body.get", body=body, backlog_limit=7)
        self.assertEqual(len(snap["backlog"]), 7)
        self.assertEqual(snap["backlog_next"], 7)
        snap = await police.call("body.get", body=body, backlog_from=ITEMS + 5)
        self.assertEqual((snap["backlog"], snap["backlog_more"], snap["backlog_next"]),
                         ([], False, None))

        # Reordering a backlog the client has loaded one page of: the page as the whole list is
        # refused (what the web client sent before), one item moved next to another is not.
        await chair.call("subscribe", body=body)
        page = [it["id"] for it in (await chair.call("body.get", body=body))["backlog"]]
        await self.refused(chair, "invalid_argument", "agenda.reorder", body=body,
                           items=list(reversed(page)))
        r = await chair.call("agenda.reorder", body=body, item=ids[-1], before=ids[0])
        self.assertEqual(r["item"]["id"], ids[-1])
        self.assertEqual(r["item"]["position"], 1)
        # more than 1000 changed: the moved item named, every other one shifted by one
        self.assertEqual(r["order"], [{"id": ids[-1], "position": 1}])
        self.assertEqual(r["shifts"], [{"from": 2, "to": ITEMS, "by": 1}])
        event = await self.body_event(chair, "agenda.reordered")
        self.assertEqual((event["data"]["order"], event["data"]["shifts"]),
                         (r["order"], r["shifts"]))
        r = await chair.call("agenda.reorder", body=body, item=ids[0], after=ids[2])
        self.assertEqual(sorted((e["id"], e["position"]) for e in r["order"]),
                         sorted([(ids[0], 4), (ids[1], 2), (ids[2], 3)]))
        snap = await chair.call("body.get", body=body, backlog_limit=5)
        self.assertEqual([it["id"] for it in snap["backlog"]],
                         [ids[-1], ids[1], ids[2], ids[0], ids[3]])
        for args in ({"item": ids[5], "before": ids[6], "after": ids[7]}, {"item": ids[5]},
                     {"item": ids[5], "before": ids[5]},
                     {"item": ids[5], "before": ids[6], "items": [ids[5]]}):
            await self.refused(chair, "invalid_argument", "agenda.reorder", body=body, **args)
        await self.refused(chair, "not_found", "agenda.reorder", body=body, item=ids[5],
                           before=999999)
        await self.refused(police, "forbidden", "agenda.reorder", body=body, item=ids[5],
                           before=ids[6])


ACTIONS = 3000
ACTION_TEXT = "Uitzoeken wie wat doet en terugkoppelen. " * 95  # ~4 KB: 2000 of them pass 4 MiB
MEMBERS = 1200
MEETINGS = 700
FRAME_LIMIT = 4 * 1024 * 1024  # a connection's out-queue: a reply beyond it closes with 4008
PAGE_BOUND = 1024 * 1024 + 64 * 1024  # a page's 1 MiB, the row that passed it, the envelope
STRICT = {"meeting.get", "minutes.get", "minutes.version", "export.minutes", "person.export"}  # replies whose pages end before the entry that would pass 1 MiB


class BoundedReads:
    """read(): an op's result, after checking the size of the reply frame it came in."""

    async def read(self, client, op, **args):
        """The result of op, after checking the size of the reply frame it came in."""
        before = len(client.frames)
        result = await client.call(op, **args)
        reply = [f for f in client.frames[before:] if "result" in f][-1]
        size = len(json.dumps(reply, ensure_ascii=False).encode())
        self.assertLess(size, PAGE_BOUND, f"{op} {args}: a reply of {size} bytes")
        if op in STRICT:
            self.assertLessEqual(size, 1024 * 1024, f"{op} {args}: a reply of {size} bytes")
        self.assertLess(size, FRAME_LIMIT)
        return result

    async def yesterdays_meeting(self, chair):
        """A meeting of self.body that ended yesterday, made by chair (its verslag can be read),
        and the server's now as a Unix time to stamp planted rows with."""
        now, day = self.server.now(), datetime.timedelta(days=1)
        z = lambda t: t.replace(microsecond=0).isoformat().replace("+00:00", "Z")  # noqa: E731
        meeting = await chair.call("meeting.create", body=self.body, start=z(now - day),
                                   end=z(now - day + datetime.timedelta(hours=2)))
        return meeting["meeting"]["id"], int(now.timestamp())


class LargeBodyTest(BoundedReads, WorldCase):
    """No reply is unbounded (issue 12, item 6): a body with thousands of long actions, more
    members and more meetings than one page holds, planted straight into the store (the
    protocol's round trips would take minutes on a loaded machine). Every read reply stays far
    below the frame limit, and paging reaches every row exactly once, on both backends."""

    def plant(self):
        """ACTIONS actions (some without a due date, many sharing one), MEMBERS members of one
        organisation, MEETINGS meetings in body.get's window; by recursive SQL, which both
        backends run."""
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        org, chair = self.orgs["gem"], self.p["chair"]
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO persons (org_id, name, email, function, created_at, updated_at) "
          "SELECT ?, 'Lid ' || i, 'lid' || i || '@bulk.example', 'deelnemer', ?, ? FROM n",
          (MEMBERS, org, now, now))
        q("INSERT INTO memberships (body_id, person_id, role, created_at) SELECT ?, id, 'lid', ? "
          "FROM persons WHERE email LIKE '%@bulk.example'", (body, now))
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO meetings (body_id, starts_at, ends_at, location, status, created_at, "
          "updated_at) SELECT ?, ? + i * 43200 - i % 2 * 43200, ? + i * 43200 - i % 2 * 43200 "
          "+ 3600, 'Zaal ' || i, 'concept', ?, ? FROM n",  # pairs at the same start
          (MEETINGS, body, now - 170 * 86400, now - 170 * 86400, now, now))
        # the actions last: each queues a change for the search indexer, whose batches then take
        # the write lock again and again
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO actions (body_id, kind, text, owner_org_id, due_date, status, created_by, "
          "created_at, updated_at) SELECT ?, 'actiepunt', ? || i, ?, CASE WHEN i % 7 = 0 THEN "
          "NULL ELSE '2027-0' || (1 + i % 9) || '-1' || (i % 10) END, 'open', ?, ?, ? FROM n",
          (ACTIONS, body, ACTION_TEXT, org, chair, now, now))
        actions = {r[0] for r in q("SELECT id FROM actions WHERE body_id = ?", (body,))}
        members = {r[0] for r in q("SELECT person_id FROM memberships WHERE body_id = ?", (body,))}
        meetings = {r[0] for r in q("SELECT id FROM meetings WHERE body_id = ?", (body,))}
        return actions, members, meetings

    async def test_every_read_of_a_large_body_is_bounded_and_pages_reach_every_row_once(self):
        actions, members, meetings = self.plant()
        self.assertEqual(len(actions), ACTIONS)
        chair = await self.connect("chair@test.example")

        # action.list, of the body and of all the caller's bodies: every action once, in order
        for args in ({"body": self.body}, {}):
            seen, after, pages = [], None, 0
            while True:
                r = await self.read(chair, "action.list", **args, **({"after": after} if after else {}))
                pages += 1
                seen += [(a["due"] or "9999", a["id"]) for a in r["actions"]]
                self.assertEqual(r["more"], r["next"] is not None)
                if not r["more"]:
                    break
                after = r["next"]
                self.assertLess(pages, 100)
            self.assertEqual(len(seen), ACTIONS)
            self.assertEqual({i for _, i in seen}, actions)  # each once...
            self.assertEqual(seen, sorted(seen))  # ...by due date (none last), then id
            self.assertGreater(pages, 4)  # 3000 actions of 4 KB: 12 MB in pages of 200
        r = await self.read(chair, "action.list", body=self.body, limit=7)
        self.assertEqual(len(r["actions"]), 7)
        await self.refused(chair, "invalid_argument", "action.list", after="geen-cursor")

        # body.get: members and meetings in pages too
        snap = await self.read(chair, "body.get", body=self.body)
        self.assertLessEqual(len(snap["meetings"]), 500)
        self.assertTrue(snap["meetings_more"])
        got, cursor = [], 0
        while True:
            snap = await self.read(chair, "body.get", body=self.body, members_from=cursor,
                                   backlog_limit=0)
            got += [m["person"] for m in snap["members"]]
            self.assertLessEqual(len(snap["members"]), 500)
            self.assertEqual(snap["members_more"], snap["members_next"] is not None)
            if not snap["members_more"]:
                break
            self.assertEqual(snap["members_next"], cursor + len(snap["members"]))
            cursor = snap["members_next"]
        self.assertEqual(len(got), len(members))
        self.assertEqual(set(got), members)

        # meeting.list: every meeting once, by start (pairs share one), in pages
        got, after = [], None
        while True:
            r = await self.read(chair, "meeting.list", body=self.body, limit=150,
                                **({"after": after} if after else {}))
            got += [(m["start"], m["id"]) for m in r["meetings"]]
            self.assertLessEqual(len(r["meetings"]), 150)
            if not r["more"]:
                self.assertIsNone(r["next"])
                break
            after = r["next"]
        self.assertEqual(len(got), MEETINGS)
        self.assertEqual({i for _, i in got}, meetings)
        self.assertEqual([i for _, i in got], [i for _, i in sorted(got)])
        r = await self.read(chair, "meeting.list", body=self.body)
        self.assertEqual((len(r["meetings"]), r["more"]), (200, True))
        await self.refused(chair, "invalid_argument", "meeting.list", body=self.body, after="x")
        self.assertIsNone(chair.closed)

    async def test_a_besluitenlijst_of_years_comes_in_parts_that_end_at_a_day(self):
        """export.decisions without from reads a body's whole history: 1500 besluiten of 4 KB
        (each twice in the reply: the document and its Markdown) were a reply of 12 MB. Now a
        part ends at about a third of a MiB of besluiten, at the end of a day, and next_from
        continues: every besluit once, in order."""
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        # logged in first: the search indexer then works through the planted besluiten, and
        # only reads follow
        police = await self.connect("police@test.example")
        q("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1499) "
          "INSERT INTO actions (body_id, kind, text, status, created_by, created_at, updated_at, "
          "decided_on) SELECT ?, 'besluit', ? || i, NULL, ?, ?, ?, '2026-0' || "
          "(1 + (i / 5) % 9) || '-' || (10 + (i / 45) % 18) FROM n",
          (body, ACTION_TEXT, self.p["chair"], now, now))
        want = [r[0] for r in q("SELECT id FROM actions WHERE body_id = ? AND kind = 'besluit' "
                                "ORDER BY decided_on, id", (body,))]
        self.assertEqual(len(want), 1500)
        got, days, start, parts = [], [], None, 0
        while True:
            r = await self.read(police, "export.decisions", body=body,
                                **({"from": start} if start else {}))
            parts += 1
            ids = [d["id"] for g in r["document"]["meetings"] for d in g["decisions"]]
            got += ids
            days += [d["decided_on"] for g in r["document"]["meetings"] for d in g["decisions"]]
            self.assertEqual(r["more"], r["next_from"] is not None)
            if not r["more"]:
                break
            self.assertGreater(r["next_from"], days[-1])  # a part ends at the end of a day
            start = r["next_from"]
            self.assertLess(parts, 60)
        self.assertEqual(sorted(got), sorted(want))  # every besluit once
        self.assertEqual(len(got), len(set(got)))
        self.assertEqual(days, sorted(days))
        self.assertGreater(parts, 10)
        self.assertIsNone(police.closed)



class DocumentPartsTest(BoundedReads, WorldCase):
    """export.minutes and person.export hand a document of any size out in parts (PROTOCOL.md,
    documents in parts): a verslag of 600 items with 4 KB of notes each, one item with 300
    outcomes of 4 KB and 150 outcomes at no item (4 MB, and its Markdown as much again), and the export of a person with
    4000 chat messages of 1 KB, were each one reply far over the connection's 4 MiB (closed with
    4008 every time). Each part is within 1 MiB, and the parts together are the whole document:
    every entry once, in order, the text whole."""

    ITEMS, UNDER, LOOSE, MESSAGES = 600, 300, 150, 4000

    async def parts(self, client, op, **args):
        out, r, n = [], None, 0
        while r is None or r["more"]:
            r = await self.read(client, op, **args, **({"part": r["next_part"]} if r else {}))
            self.assertEqual(r["part"], n)
            self.assertEqual(r["more"], r["next_part"] is not None)
            self.assertEqual(r["more"], n + 1 < r["parts"])
            out.append(r)
            n += 1
            self.assertLess(n, 200)
        return out

    async def test_a_huge_verslag_comes_in_parts_that_make_the_whole(self):
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        chair = await self.connect("chair@test.example")
        meeting = (await chair.call("meeting.create", body=body, start="2026-12-10T13:00:00Z",
                                    end="2026-12-10T15:00:00Z"))["meeting"]["id"]
        await chair.call("attendance.set", meeting=meeting, status="aanwezig")
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO items (body_id, meeting_id, position, title, kind, created_by, created_at, "
          "updated_at) SELECT ?, ?, i, 'Punt ' || i, 'bespreking', ?, ?, ? FROM n",
          (self.ITEMS, body, meeting, self.p["chair"], now, now))
        q("INSERT INTO item_notes (item_id, text, updated_by, updated_at, rev) SELECT id, "
          "'Notulen. ' || ?, ?, ?, 1 FROM items WHERE meeting_id = ?",
          (DESCRIPTION, self.p["chair"], now, meeting))
        items = [r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? ORDER BY position",
                                 (meeting,))]
        busy = items[500]
        for n, item in ((self.UNDER, busy), (self.LOOSE, None)):
            q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
              "INSERT INTO actions (body_id, kind, text, status, meeting_id, origin_item_id, "
              "created_by, created_at, updated_at) SELECT ?, 'actiepunt', ? || i, 'open', ?, ?, "
              "?, ?, ? FROM n", (n, body, ACTION_TEXT, meeting, item, self.p["chair"], now, now))
        under = [r[0] for r in q("SELECT id FROM actions WHERE origin_item_id = ? ORDER BY id",
                                 (busy,))]
        loose = [r[0] for r in q("SELECT id FROM actions WHERE meeting_id = ? AND "
                                 "origin_item_id IS NULL ORDER BY id", (meeting,))]

        parts = await self.parts(chair, "export.minutes", meeting=meeting)
        self.assertGreater(len(parts), 12)  # 4 MB of notes and outcomes, as much Markdown
        got, att, other, md = [], [], [], ""
        for r in parts:
            for it in r["document"]["items"]:
                if it.get("continued"):
                    self.assertEqual(it["item"], got[-1]["item"])  # the item before goes on
                    got[-1]["outcomes"] += it["outcomes"]
                else:
                    got.append(it)
            att += r["document"]["attendance"]
            other += r["document"]["other_outcomes"]
            md += r["markdown"]
            self.assertEqual(r["filename"], parts[0]["filename"])
        self.assertTrue(any(it.get("continued") for r in parts for it in r["document"]["items"]))
        self.assertEqual([it["item"] for it in got], items)  # every item once, in order
        self.assertEqual([it["position"] for it in got], list(range(1, self.ITEMS + 1)))
        self.assertTrue(all(it["notes"].startswith("Notulen. ") for it in got))
        self.assertEqual([o["id"] for o in got[500]["outcomes"]], under)
        self.assertEqual([o["id"] for o in other], loose)
        self.assertEqual([a["person"] for a in att], [self.p["chair"]])
        # the Markdown whole: one heading per item, then the other outcomes; every outcome once
        self.assertTrue(md.startswith("<!-- ketentafel-export v1 -->\n\n# Verslag "))
        heads = [line for line in md.split("\n") if re.match(r"## \d+\. ", line)]
        self.assertEqual(heads[:self.ITEMS], [f"## {i}. Punt {i}" for i in range(1, self.ITEMS + 1)])
        self.assertEqual(heads[self.ITEMS:], [f"## {self.ITEMS + 1}. Overige besluiten en afspraken"])
        self.assertEqual(md.count("\n- Actie"), self.UNDER + self.LOOSE)
        # past the last part: empty, no more
        r = await self.read(chair, "export.minutes", meeting=meeting, part=len(parts))
        self.assertEqual((r["document"]["items"], r["markdown"], r["more"], r["next_part"]),
                         ([], "", False, None))
        await self.refused(chair, "invalid_argument", "export.minutes", meeting=meeting, part=-1)
        self.assertIsNone(chair.closed)

    async def test_parts_kept_for_one_reader_follow_visibility_changes_and_readers(self):
        """Reading all parts no longer builds the verslag again per part: the parts built for a
        reader are kept (handlers.h, kt_doc_key). They are kept per reader, and only while
        nothing in the body changed: a reader who may not see an item never gets its notes from
        what was built for one who may, nor from what was built before the item was closed to
        them."""
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        housing = await self.connect("housing@test.example")
        meeting = (await chair.call("meeting.create", body=body, start="2026-12-10T13:00:00Z",
                                    end="2026-12-10T15:00:00Z"))["meeting"]["id"]
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
          "INSERT INTO items (body_id, meeting_id, position, title, kind, created_by, created_at, "
          "updated_at) SELECT ?, ?, i, 'Punt ' || i, 'bespreking', ?, ?, ? FROM n",
          (body, meeting, self.p["chair"], now, now))
        q("INSERT INTO item_notes (item_id, text, updated_by, updated_at, rev) SELECT id, "
          "'Notulen. ' || ?, ?, ?, 1 FROM items WHERE meeting_id = ?",
          (DESCRIPTION, self.p["chair"], now, meeting))
        target = q("SELECT id FROM items WHERE meeting_id = ? AND position = 190", (meeting,))[0][0]
        await chair.call("agenda.update", item=target, confidential=True,
                         relevant=[{"org": self.orgs["pol"], "reason": "dossier"}])

        def entry(parts):
            got = [it for r in parts for it in r["document"]["items"] if it["position"] == 190]
            self.assertEqual(len(got), 1)
            return got[0]

        # the police may see it, housing not: each gets its own verslag, read in turns
        seen, hidden = [], []
        for k in range(200):
            if k == 0 or seen[-1]["more"]:
                seen.append(await self.read(police, "export.minutes", meeting=meeting, part=k))
            if k == 0 or hidden[-1]["more"]:
                hidden.append(await self.read(housing, "export.minutes", meeting=meeting, part=k))
            if not seen[-1]["more"] and not hidden[-1]["more"]:
                break
        self.assertGreater(len(seen), 3)
        self.assertEqual(entry(seen)["item"], target)
        self.assertTrue(entry(seen)["notes"].startswith("Notulen. "))
        self.assertEqual((entry(hidden)["item"], entry(hidden)["notes"], entry(hidden)["placeholder"]),
                         (None, "", True))
        # the police read the first part again (as kept), then the item is closed to them
        first = await self.read(police, "export.minutes", meeting=meeting)
        self.assertEqual(first, seen[0])
        await chair.call("agenda.update", item=target, confidential=True,
                         relevant=[{"org": self.orgs["woon"], "reason": "dossier"}])
        rest = [first]
        while rest[-1]["more"]:
            rest.append(await self.read(police, "export.minutes", meeting=meeting,
                                        part=rest[-1]["next_part"]))
        self.assertEqual((entry(rest)["item"], entry(rest)["notes"]), (None, ""))
        self.assertNotIn("Punt 190", "".join(r["markdown"] for r in rest))

    async def test_the_export_of_a_very_active_person_comes_in_parts(self):
        q, now = self.server.query, int(self.server.now().timestamp())
        police = self.p["police"]
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO messages (body_id, person_id, text, created_at) SELECT ?, ?, ? || i, ? + i "
          "FROM n", (self.MESSAGES, self.body, police, "Bericht over de aanpak. " * 42, now))
        want = [r[0] for r in q("SELECT id FROM messages WHERE person_id = ? ORDER BY id",
                                (police,))]
        self.assertEqual(len(want), self.MESSAGES)
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        parts = await self.parts(admin, "person.export", person=police)
        self.assertGreater(len(parts), 10)  # 4 MB of messages
        rows, summary = {}, ""
        for r in parts:
            self.assertEqual(r["person"], police)
            self.assertEqual(r["data"]["person"]["id"], police)  # in every part
            for k, v in r["data"].items():
                if isinstance(v, list):
                    rows.setdefault(k, []).extend(v)
            summary += r["summary"]
        self.assertEqual([m["id"] for m in rows["messages"]], want)  # every message once
        self.assertTrue(rows["memberships"])
        self.assertTrue(summary.startswith("Gegevens die ketentafel bewaart over "))
        self.assertIn(f"Chatberichten ({self.MESSAGES})", summary)
        self.assertTrue(summary.rstrip().endswith("(alleen afgeleiden)."))
        # each part read is in the processing log
        logged = q("SELECT count(*) FROM audit WHERE action = 'person.export' AND subject_id = ?",
                   (police,))[0][0]
        self.assertEqual(logged, len(parts))
        self.assertIsNone(admin.closed)


class ChatHistoryBoundTest(WorldCase):
    """chat.history's pages are bounded in bytes too: 200 messages of 4000 characters (16 KB
    each in UTF-8) were a 3 MB reply; a page now ends at 1 MiB (the newest kept) and paging with
    before reaches every message once."""

    async def test_long_messages_come_in_pages_of_at_most_a_mebibyte(self):
        chair = await self.connect("chair@test.example")
        text = "\U0001F600" * 4000  # 16 KB of UTF-8
        sent = []
        for start in range(0, 120, 20):
            sent += [r["message"]["id"] for r in await asyncio.gather(
                *(chair.call("chat.post", body=self.body, text=text) for _ in range(20)))]
        got, before, pages = [], None, 0
        while True:
            frames = len(chair.frames)
            r = await chair.call("chat.history", body=self.body, limit=200,
                                 **({"before": before} if before else {}))
            reply = [f for f in chair.frames[frames:] if "result" in f][-1]
            self.assertLess(len(json.dumps(reply, ensure_ascii=False).encode()), PAGE_BOUND)
            pages += 1
            ids = [m["id"] for m in r["messages"]]
            self.assertEqual(ids, sorted(ids))  # oldest first
            got = ids + got
            if not r["more"]:
                break
            before = ids[0]
            self.assertLess(pages, 20)
        self.assertEqual(got, sorted(sent))
        self.assertGreater(pages, 1)


class DirectoryPagingTest(BoundedReads, WorldCase):
    """The directory's lists come in pages too (issue 12, item 6): a national deployment's
    scopes, organisations, persons (many sharing a name) and bodies (mandates of 20,000
    characters: together far beyond the 4 MiB a connection queues), planted straight into the
    store. Every reply stays below the page bound, and following `next` gives every row once, in
    the backend's own order (name, then id; scopes by kind, name, id)."""

    PERSONS, ORGS, BODIES, SCOPES = 2600, 1100, 320, 1050
    MANDATE = "Het overleg stemt de aanpak van ondermijning in de regio af. " * 330  # ~20 KB

    def plant(self):
        q, now = self.server.query, int(self.server.now().timestamp())
        rec = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        q(rec + "INSERT INTO scopes (name, kind) SELECT 'Gebied ' || i, CASE WHEN i % 9 = 0 "
          "THEN 'regio' ELSE 'gemeente' END FROM n", (self.SCOPES,))
        q(rec + "INSERT INTO organisations (name, kind, created_at, updated_at) SELECT "
          "'Partner ' || i, 'overig', ?, ? FROM n", (self.ORGS, now, now))
        q(rec + "INSERT INTO persons (org_id, name, email, function, created_at, updated_at) "
          "SELECT ?, 'Persoon ' || (i % 400), 'p' || i || '@dir.example', '', ?, ? FROM n",
          (self.PERSONS, self.orgs["gem"], now, now))  # names shared by six or seven each
        q(rec + "INSERT INTO bodies (name, kind, scope_id, level, mandate, location, created_at, "
          "updated_at) SELECT 'Overleg ' || (i % 100), b.kind, b.scope_id, b.level, ?, '', ?, ? "
          "FROM n JOIN bodies b ON b.id = ?", (self.BODIES, self.MANDATE, now, now, self.body))

    async def pages(self, client, op, key, limit=None, **args):
        """Every row of a list op by following its cursors; each reply's size is checked."""
        rows, after, pages = [], None, 0
        while True:
            r = await self.read(client, op, **args,
                                         **({"limit": limit} if limit is not None else {}),
                                         **({"after": after} if after else {}))
            pages += 1
            self.assertEqual(r["more"], r["next"] is not None)
            self.assertLessEqual(len(r[key]), 500 if limit is None else limit)
            rows += r[key]
            if not r["more"]:
                return rows, pages
            self.assertEqual(r["next"], str(r[key][-1]["id"]) if r[key] else after)
            after = r["next"]
            self.assertLess(pages, 200)

    async def test_every_directory_list_pages_through_every_row_once_in_order(self):
        self.plant()
        q = self.server.query
        police = await self.connect("police@test.example")
        for op, key, sql, args in (
                ("scope.list", "scopes", "SELECT id FROM scopes ORDER BY kind, name, id", {}),
                ("org.list", "organisations", "SELECT id FROM organisations ORDER BY name, id", {}),
                ("person.list", "persons", "SELECT id FROM persons ORDER BY name, id", {}),
                ("person.list", "persons", "SELECT id FROM persons WHERE org_id = %d "
                 "ORDER BY name, id" % self.orgs["gem"], {"org": self.orgs["gem"]}),
                ("body.list", "bodies", "SELECT id FROM bodies ORDER BY name, id", {})):
            with self.subTest(op=op, args=args):
                want = [r[0] for r in q(sql)]
                rows, pages = await self.pages(police, op, key, **args)
                got = [r["id"] for r in rows]
                self.assertEqual(len(got), len(set(got)))  # each once...
                self.assertEqual(got, want)  # ...every one, in the store's order
                self.assertGreater(pages, 1)
        # bodies of 20 KB each: a page ends at 1 MiB, long before 500
        r = await self.read(police, "body.list")
        self.assertLess(len(r["bodies"]), 100)
        self.assertTrue(r["more"])
        self.assertIn("directory_seq", r)
        # a smaller page on request, then the rest; a page of 0 keeps the cursor
        rows, pages = await self.pages(police, "org.list", "organisations", limit=97)
        self.assertEqual(len(rows), len(q("SELECT id FROM organisations")))
        r = await police.call("org.list", limit=0, after=str(rows[5]["id"]))
        self.assertEqual((r["organisations"], r["more"], r["next"]), ([], True, str(rows[5]["id"])))
        # a row added before the cursor between two pages does not shift what follows it
        first = await police.call("person.list", limit=300)
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        await admin.call("person.create", name="Aaaa Nieuw", email="nieuw@dir.example",
                         org=self.orgs["gem"])
        second = await police.call("person.list", limit=300, after=first["next"])
        want = [r[0] for r in q("SELECT id FROM persons ORDER BY name, id")]
        at = want.index(first["persons"][-1]["id"])
        self.assertEqual([p["id"] for p in second["persons"]], want[at + 1:at + 301])
        for bad in ("x", "-1", "999999999", "12abc", " 1"):
            await self.refused(police, "invalid_argument", "person.list", after=bad)
            await self.refused(police, "invalid_argument", "body.list", after=bad)
        self.assertIsNone(police.closed)


class HiddenRowsPagingTest(BoundedReads, WorldCase):
    """Pages of lists that leave out what the reader may not see (issue 12, item 6; the one
    visibility rule): following the cursors gives every visible row once, in order, whatever
    hidden rows lie between; a long run of hidden ones ends a page early (bounded work per
    request) without skipping anything; no page says `more` when only hidden rows follow; and
    every reply stays below the page bound."""

    async def test_notifications_page_past_hidden_ones_without_telling_of_them(self):
        q, now = self.server.query, int(self.server.now().timestamp())
        housing = self.p["housing"]
        # a body housing is no member of: notifications about it are hidden from them (planted
        # before any write through the protocol, which would keep the store's write lock busy)
        q("INSERT INTO bodies (name, kind, scope_id, level, mandate, location, created_at, "
          "updated_at) SELECT 'Stuurgroep Besloten', kind, scope_id, level, '', '', ?, ? "
          "FROM bodies WHERE id = ?", (now, now, self.body))
        other = q("SELECT id FROM bodies WHERE name = 'Stuurgroep Besloten'")[0][0]

        def plant(n, hidden_every):
            """n notifications for housing, oldest first; every hidden_every-th one (1: all,
            0: none) about the other body."""
            q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
              "INSERT INTO notifications (person_id, kind, delivery, body_id, title, text, link, "
              "created_at) SELECT ?, 'agenda', 'direct', CASE WHEN ? > 0 AND i % ? = 0 THEN ? "
              "ELSE ? END, 'Melding ' || i, ?, '#/', ? FROM n",
              (n, housing, hidden_every, max(hidden_every, 1), other, self.body,
               "Nieuw agendapunt toegevoegd. " * 40, now))

        plant(50, 1)       # the oldest: hidden
        plant(300, 0)      # visible
        plant(2500, 1)     # a run longer than one request looks at
        plant(900, 3)      # a third of them hidden
        want = [r[0] for r in q(
            "SELECT id FROM notifications WHERE person_id = ? AND (body_id IS NULL OR "
            "body_id <> ?) ORDER BY id DESC", (housing, other))]
        self.assertEqual(len(want), 300 + 600 + 1)  # and the membership notification
        c = await self.connect("housing@test.example")
        for limit in (200, 37):
            got, before, pages = [], None, 0
            while True:
                r = await self.read(c, "notification.list", limit=limit,
                                    **({"before": before} if before else {}))
                pages += 1
                self.assertLessEqual(len(r["notifications"]), limit)
                got += [n["id"] for n in r["notifications"]]
                self.assertEqual(r["more"], r["next"] is not None)
                if not r["more"]:
                    break
                before = r["next"]
                self.assertLess(pages, 100)
            self.assertEqual(got, want)  # every visible one, once, newest first
            # the last visible one ends the list: the hidden ones older than it tell nothing
            self.assertEqual(got[-1], want[-1])
        # an unread-only list pages the same way
        r = await self.read(c, "notification.list", unread=True, limit=200)
        self.assertEqual([n["id"] for n in r["notifications"]], want[:200])
        self.assertTrue(r["more"])

    async def test_the_history_of_a_meeting_and_an_item_comes_in_bounded_pages(self):
        chair = await self.connect("chair@test.example")
        m = (await chair.call("meeting.create", body=self.body, start="2027-03-04T09:30:00+01:00",
                              end="2027-03-04T11:30:00+01:00"))["meeting"]["id"]
        # 40 verslagen of 50,000 characters: each entry holds one before and after (~100 KB),
        # the whole history ~4 MB (one reply of it closed the connection)
        for i in range(40):
            await chair.call("meeting.update", meeting=m, minutes=chr(ord("a") + i % 26) * 50000)
        got, before, pages = [], None, 0
        while True:
            r = await self.read(chair, "audit.history", meeting=m,
                                **({"before": before} if before else {}))
            pages += 1
            got += [e["id"] for e in r["entries"]]
            self.assertEqual(r["more"], r["next"] is not None)
            if not r["more"]:
                break
            before = r["next"]
            self.assertLess(pages, 50)
        want = [r[0] for r in self.server.query(
            "SELECT id FROM audit WHERE subject_kind = 'meeting' AND subject_id = ? "
            "ORDER BY id DESC", (m,))]
        self.assertEqual(got, want)
        self.assertGreater(pages, 3)  # 1 MiB a page
        # the body's change log: bounded the same way
        got, before, pages = [], None, 0
        while True:
            r = await self.read(chair, "audit.body", body=self.body, limit=200,
                                **({"before": before} if before else {}))
            pages += 1
            got += [e["id"] for e in r["entries"]]
            if not r["more"]:
                break
            before = r["next"]
            self.assertLess(pages, 50)
        self.assertEqual(len(got), len(set(got)))
        self.assertTrue(set(want) <= set(got))
        self.assertGreater(pages, 3)

        # an item's own entries and its notes' together, newest first, in small pages
        item = (await chair.call("agenda.add", meeting=m, title="Voortgang"))["item"]["id"]
        rev = 0
        for i in range(12):
            await chair.call("agenda.update", item=item, title=f"Voortgang {i}")
            rev = (await chair.call("minutes.note", item=item, text=f"Notitie {i}",
                                    rev=rev))["notes"]["rev"]
        got, before = [], None
        while True:
            r = await self.read(chair, "audit.history", item=item, limit=5,
                                **({"before": before} if before else {}))
            self.assertLessEqual(len(r["entries"]), 5)
            got += [e["id"] for e in r["entries"]]
            if not r["more"]:
                break
            before = r["next"]
        self.assertEqual(got, sorted(got, reverse=True))
        self.assertEqual(len(got), len(set(got)))
        self.assertEqual(len(got), 1 + 12 + 12)  # added, 12 changes, 12 notes
        # someone who may not see the item: not found, page or no page
        secret = (await chair.call("agenda.add", meeting=m, title="Casus", confidential=True,
                                   relevant=[{"org": self.orgs["gem"]}],
                                   persons=[self.p["chair"]]))["item"]["id"]
        police = await self.connect("police@test.example")
        await self.refused(police, "not_found", "audit.history", item=secret, before=10**6)
        self.assertIsNone(chair.closed)


class FlagPagingTest(BoundedReads, DemoCase):
    """flag.list comes in pages too, past the flags the chair may not see (the other side's item
    is confidential, outside their audience): every visible flag once, newest change first (ties
    by id), a run of hidden ones longer than a request looks at skipped without loss, and no
    `more` when only hidden flags follow. Copies of a demo flag, planted in the store."""

    async def test_flags_page_past_hidden_ones(self):
        q, now = self.server.query, int(self.server.now().timestamp())
        for _ in range(120):  # the detectors raise the demo's flags shortly after the start
            rows = q("SELECT f.id, f.body_a, f.body_b FROM flags f JOIN memberships m ON "
                     "m.body_id = f.body_a AND m.role = 'voorzitter' WHERE f.state = 'open' "
                     "AND f.body_a <> f.body_b ORDER BY f.id LIMIT 1")
            if rows:
                break
            await asyncio.sleep(0.5)
        flag, body, other = rows[0]
        email, org = q("SELECT p.email, p.org_id FROM memberships m JOIN persons p ON "
                       "p.id = m.person_id WHERE m.body_id = ? AND m.role = 'voorzitter' "
                       "ORDER BY p.id LIMIT 1", (body,))[0]
        chair = await self.as_(email)
        before = await self.read(chair, "flag.list", body=body, limit=500)
        self.assertFalse(before["more"])
        seen_before = {f["id"] for f in before["flags"]}
        self.assertIn(flag, seen_before)
        # a confidential item of the other body for another organisation
        foreign = q("SELECT id FROM organisations WHERE id <> ? ORDER BY id LIMIT 1", (org,))[0][0]
        q("INSERT INTO items (body_id, position, title, kind, confidential, created_at, "
          "updated_at) VALUES (?, 9999, 'Besloten casus paginering', 'bespreking', 1, ?, ?)",
          (other, now, now))
        secret = q("SELECT max(id) FROM items")[0][0]
        q("INSERT INTO item_orgs (item_id, org_id) VALUES (?, ?)", (secret, foreign))
        # 4000 copies, ten to an updated_at; hidden: every third, and a run of 2300
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
          "INSERT INTO flags (kind, key, state, note, score, evidence, fingerprint, body_a, "
          "meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at, updated_at) "
          "SELECT f.kind, 'paginering:' || i, 'open', '', f.score, f.evidence, f.fingerprint, "
          "f.body_a, f.meeting_a, f.item_a, f.body_b, f.meeting_b, CASE WHEN i % 3 = 0 OR "
          "(i > 1000 AND i <= 3300) THEN ? ELSE f.item_b END, f.projected_b, f.created_at, "
          "? + i / 10 FROM n JOIN flags f ON f.id = ?", (secret, now, flag))
        planted = [r[0] for r in q(
            "SELECT id FROM flags WHERE key LIKE 'paginering:%' AND (item_b IS NULL OR "
            "item_b <> ?)", (secret,))]
        visible = seen_before | set(planted)
        want = [r[0] for r in q("SELECT id FROM flags WHERE (body_a = ? OR body_b = ?) AND "
                                "state <> 'vervallen' ORDER BY updated_at DESC, id DESC",
                                (body, body)) if r[0] in visible]
        for limit in (None, 300):
            got, after, pages = [], None, 0
            while True:
                r = await self.read(chair, "flag.list", body=body,
                                    **({"limit": limit} if limit else {}),
                                    **({"after": after} if after else {}))
                pages += 1
                self.assertLessEqual(len(r["flags"]), limit or 200)
                got += [f["id"] for f in r["flags"]]
                self.assertEqual(r["more"], r["next"] is not None)
                if not r["more"]:
                    break
                after = r["next"]
                self.assertLess(pages, 100)
            self.assertEqual(got, want)  # every visible flag once, in order
        await self.refused(chair, "invalid_argument", "flag.list", body=body, after="x~1")
        self.assertIsNone(chair.closed)


class ItemOutcomesPagingTest(BoundedReads, WorldCase):
    """One item of a verslag is not bounded either: its outcomes are as many as the meeting
    decided there. 700 besluiten of 4 KB under one item made that item one entry of ~3 MB, and
    minutes.get (and a kept version) gave it whole in one reply, over 1 MiB however the items
    were paged. Now an item that alone passes the page comes with as many outcomes as fit, and
    the next page starts at that item again (continued: true) with the rest (item_outcomes_from):
    every outcome once, in order, the items around it too, each reply within 1 MiB."""

    OUTCOMES = 700

    async def pages(self, client, op, **args):
        items, r, pages = [], None, 0
        while r is None or r["items_more"]:
            more = {}
            if r:
                more["items_from"] = r["items_next"]
                if r.get("item_outcomes_next") is not None:
                    more["item_outcomes_from"] = r["item_outcomes_next"]
            r = await self.read(client, op, **args, **more)
            self.assertEqual(r["items_more"], r["items_next"] is not None)
            for it in r["document"]["items"]:
                if it.get("continued"):
                    self.assertEqual(items[-1]["id"], it["id"])
                    items[-1]["outcomes"] += it["outcomes"]
                else:
                    self.assertNotIn(it["id"], [x["id"] for x in items])
                    items.append(it)
            pages += 1
            self.assertLess(pages, 100)
        return items, pages

    async def test_an_item_with_thousands_of_outcomes_comes_in_pages(self):
        q, body, now = self.server.query, self.body, self.server.now()
        chair = await self.connect("chair@test.example")
        meeting, stamp = await self.yesterdays_meeting(chair)
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) "
          "INSERT INTO items (body_id, meeting_id, position, title, kind, created_by, created_at, "
          "updated_at) SELECT ?, ?, i, 'Punt ' || i, 'bespreking', ?, ?, ? FROM n",
          (body, meeting, self.p["chair"], stamp, stamp))
        items = [r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? ORDER BY position",
                                 (meeting,))]
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO actions (body_id, kind, text, status, meeting_id, origin_item_id, "
          "decided_on, created_by, created_at, updated_at) SELECT ?, 'besluit', 'Besluit ' || i "
          "|| '. ' || ?, NULL, ?, ?, '2026-11-20', ?, ?, ? FROM n",
          (self.OUTCOMES, body, DESCRIPTION, meeting, items[2], self.p["chair"], stamp, stamp))
        want = [r[0] for r in q("SELECT id FROM actions WHERE origin_item_id = ? ORDER BY id",
                                (items[2],))]
        self.assertEqual(len(want), self.OUTCOMES)
        await chair.call("minutes.submit", meeting=meeting,
                         deadline=(now + datetime.timedelta(days=7)).date().isoformat())
        for op, args in (("minutes.get", {}), ("minutes.version", {"version": 1})):
            with self.subTest(op=op):
                got, pages = await self.pages(chair, op, meeting=meeting, **args)
                self.assertEqual([it["id"] for it in got], items)
                outcomes = [[o["id"] for o in it["outcomes"]] for it in got]
                self.assertEqual(outcomes[2], want)  # every outcome once, in order
                self.assertEqual(outcomes[:2] + outcomes[3:], [[]] * 4)
                self.assertGreater(pages, 6)  # ~3 MB in pages of 3/8 MiB
        self.assertIsNone(chair.closed)


if __name__ == "__main__":
    unittest.main()

MIB = 1024 * 1024
LONG_LIST = 40000  # ~30 bytes an item: one {id, position} each would be a frame over 1 MiB


def frame_size(frame):
    """The bytes of a frame as the server sent it (compact JSON, UTF-8)."""
    return len(json.dumps(frame, ensure_ascii=False, separators=(",", ":")).encode())


class LongListOrderTest(WorldCase):
    """agenda.reordered and agenda.reorder's order (issue 12, item 6): an item moved, added or
    removed at the top of a backlog of 40,000 items moves every other item by one place. The
    reply and the event name that as one shift, not 40,000 positions: each frame stays within
    1 MiB, and a client that applies it to the positions it holds gets the store's new order."""

    def positions(self):
        return dict(self.server.query("SELECT id, position FROM items WHERE body_id = ? AND "
                                      "meeting_id IS NULL", (self.body,)))

    def apply(self, held, data):
        """What a client does with agenda.reordered (web/js/agenda.js reposition)."""
        named = {e["id"]: e["position"] for e in data["order"]}
        out = {}
        for i, p in held.items():
            shift = [s for s in data.get("shifts", []) if s["from"] - s["by"] <= p <= s["to"] - s["by"]]
            out[i] = named.get(i, p + shift[0]["by"] if shift and i not in named else p)
        return out

    async def event_after(self, client, seq):
        """The body's next event after seq (replies and events in order: no race)."""
        await client.wait_for(lambda c: any(e["seq"] > seq for e in c.body_events(self.body)),
                              timeout=120)
        return [e for e in client.body_events(self.body) if e["seq"] > seq][0]

    async def test_a_move_at_the_top_of_a_long_backlog_is_one_shift(self):
        now = int(self.server.now().timestamp())
        self.server.query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO items (body_id, position, title, kind, created_at, updated_at) "
            "SELECT ?, i, 'Werkvoorraad ' || i, 'bespreking', ?, ? FROM n",
            (LONG_LIST, self.body, now, now))
        held = self.positions()
        self.assertEqual(sorted(held.values()), list(range(1, LONG_LIST + 1)))
        by_pos = {p: i for i, p in held.items()}
        first, last = by_pos[1], by_pos[LONG_LIST]
        chair = await self.connect("chair@test.example")
        head = (await chair.call("subscribe", body=self.body))["head"]

        # the last item before the first: itself named, every other one shifted by one
        before = len(chair.frames)
        r = await chair.call("agenda.reorder", body=self.body, item=last, before=first)
        reply = [f for f in chair.frames[before:] if "result" in f][-1]
        self.assertLessEqual(frame_size(reply), MIB)
        self.assertEqual(r["order"], [{"id": last, "position": 1}])
        self.assertEqual(r["shifts"], [{"from": 2, "to": LONG_LIST, "by": 1}])
        ev = await self.event_after(chair, head)
        self.assertEqual(ev["event"], "agenda.reordered")
        self.assertLessEqual(frame_size(ev), MIB)
        self.assertEqual((ev["data"]["order"], ev["data"]["shifts"]), (r["order"], r["shifts"]))
        held = self.apply(held, ev["data"])
        self.assertEqual(held, self.positions())  # every item where the store has it

        # an item added at the top (its own agenda.added), then removed again
        added = (await chair.call("agenda.add", body=self.body, title="Spoedpunt",
                                  position=1))["item"]
        ev = await self.event_after(chair, ev["seq"])
        while ev["event"] != "agenda.reordered":
            ev = await self.event_after(chair, ev["seq"])
        self.assertLessEqual(frame_size(ev), MIB)
        self.assertEqual(ev["data"]["shifts"], [{"from": 2, "to": LONG_LIST + 1, "by": 1}])
        held = self.apply(held, ev["data"])
        held[added["id"]] = 1  # from its agenda.added
        self.assertEqual(held, self.positions())
        await chair.call("agenda.remove", item=added["id"])
        ev = await self.event_after(chair, ev["seq"])
        while ev["event"] != "agenda.reordered":
            ev = await self.event_after(chair, ev["seq"])
        self.assertLessEqual(frame_size(ev), MIB)
        self.assertEqual((ev["data"]["order"], ev["data"]["shifts"]),
                         ([], [{"from": 1, "to": LONG_LIST, "by": -1}]))
        del held[added["id"]]
        held = self.apply(held, ev["data"])
        self.assertEqual(held, self.positions())

        # a short list still names every change: two items swapped in the first page
        snap = await chair.call("body.get", body=self.body, backlog_limit=3)
        a, b, c = [it["id"] for it in snap["backlog"]]
        r = await chair.call("agenda.reorder", body=self.body, item=a, after=b)
        self.assertEqual(sorted((e["id"], e["position"]) for e in r["order"]), sorted([(a, 2), (b, 1)]))
        self.assertNotIn("shifts", r)
        self.assertIsNone(chair.closed)


class MeetingPagingTest(BoundedReads, WorldCase):
    """meeting.get of a meeting with a huge agenda (2000 items of 4 KB, each with 4 KB of notes),
    many outcomes and a few attendance lines comes in pages: each reply within 1 MiB, and a
    client that follows the three cursors (as web/js/store.js meetingGet does) gets every entry
    once. A member outside a confidential item's audience sees it as a placeholder in its place,
    without its notes: the pages count the same for them, and tell nothing more."""

    ITEMS, OUTCOMES = 2000, 600

    async def read_all(self, client, meeting):
        first = await self.read(client, "meeting.get", meeting=meeting)
        out = {k: list(first[k]) for k in ("agenda", "attendance", "outcomes")}
        notes, r, pages = dict(first["notes"]), first, 1
        while r["agenda_more"] or r["attendance_more"] or r["outcomes_more"]:
            args = {}
            for k in ("agenda", "attendance", "outcomes"):
                self.assertEqual(r[f"{k}_more"], r[f"{k}_next"] is not None)
                args[f"{k}_from"] = r[f"{k}_next"] if r[f"{k}_more"] else len(out[k])
            r = await self.read(client, "meeting.get", meeting=meeting, **args)
            for k in ("agenda", "attendance", "outcomes"):
                out[k] += r[k]
            self.assertEqual(set(r["notes"]) - {str(it["id"]) for it in r["agenda"]}, set())
            notes.update(r["notes"])
            pages += 1
            self.assertLess(pages, 200)
        return first, out, notes, pages

    async def test_a_huge_agenda_comes_in_pages_within_a_mebibyte(self):
        q, body, now = self.server.query, self.body, int(self.server.now().timestamp())
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        r = await chair.call("meeting.create", body=body, start="2026-12-10T13:00:00Z",
                             end="2026-12-10T15:00:00Z")
        meeting = r["meeting"]["id"]
        for who in (chair, police):
            await who.call("attendance.set", meeting=meeting, status="aanwezig")
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO items (body_id, meeting_id, position, title, description, kind, "
          "confidential, created_by, created_at, updated_at) SELECT ?, ?, i, 'Punt ' || i, ? || i, "
          "'bespreking', CASE WHEN i % 10 = 3 THEN 1 ELSE 0 END, ?, ?, ? FROM n",
          (self.ITEMS, body, meeting, DESCRIPTION, self.p["chair"], now, now))
        q("INSERT INTO item_orgs (item_id, org_id) SELECT id, ? FROM items WHERE meeting_id = ? "
          "AND confidential = 1", (self.orgs["woon"], meeting))
        q("INSERT INTO item_notes (item_id, text, updated_by, updated_at, rev) SELECT id, "
          "'Notulen. ' || ?, ?, ?, 1 FROM items WHERE meeting_id = ?",
          (DESCRIPTION, self.p["chair"], now, meeting))
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO actions (body_id, kind, text, status, meeting_id, created_by, created_at, "
          "updated_at) SELECT ?, 'actiepunt', ? || i, 'open', ?, ?, ?, ? FROM n",
          (self.OUTCOMES, body, ACTION_TEXT, meeting, self.p["chair"], now, now))
        items = [r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? ORDER BY position",
                                 (meeting,))]
        secret = {r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? AND confidential = 1",
                                  (meeting,))}
        outcomes = {r[0] for r in q("SELECT id FROM actions WHERE meeting_id = ?", (meeting,))}

        housing = await self.connect("housing@test.example")  # in every item's audience
        first, got, notes, pages = await self.read_all(housing, meeting)
        self.assertGreater(pages, 20)  # 16 MB of agenda and notes, 2.4 MB of outcomes
        self.assertEqual([it["id"] for it in got["agenda"]], items)  # each once, in order
        self.assertEqual(set(notes), {str(i) for i in items})
        self.assertEqual({a["id"] for a in got["outcomes"]}, outcomes)
        self.assertEqual(len(got["outcomes"]), self.OUTCOMES)
        self.assertEqual({a["person"] for a in got["attendance"]},
                         {self.p["chair"], self.p["police"]})
        self.assertEqual(first["minutes"], "")

        # the police member (and the chair): the confidential items as placeholders in their
        # places, without notes
        _, seen, notes, _ = await self.read_all(police, meeting)
        self.assertEqual([it["id"] for it in seen["agenda"]], items)
        for it in seen["agenda"]:
            self.assertEqual(bool(it.get("placeholder")), it["id"] in secret)
            if it["id"] in secret:
                self.assertNotIn("title", it)
        self.assertEqual(set(notes), {str(i) for i in items if i not in secret})

        # smaller pages on request; past the end: empty, no more
        r = await self.read(chair, "meeting.get", meeting=meeting, agenda_limit=3,
                            attendance_limit=1, outcomes_limit=2)
        self.assertEqual((len(r["agenda"]), r["agenda_next"]), (3, 3))
        self.assertEqual((len(r["attendance"]), r["attendance_next"]), (1, 1))
        self.assertEqual((len(r["outcomes"]), r["outcomes_next"]), (2, 2))
        r = await self.read(chair, "meeting.get", meeting=meeting, agenda_from=self.ITEMS,
                            attendance_from=2, outcomes_from=self.OUTCOMES)
        self.assertEqual((r["agenda"], r["attendance"], r["outcomes"], r["notes"]),
                         ([], [], [], {}))
        self.assertFalse(r["agenda_more"] or r["attendance_more"] or r["outcomes_more"])
        self.assertIsNone(chair.closed)
        self.assertIsNone(police.closed)


class VerslagPagingTest(BoundedReads, WorldCase):
    """minutes.get and minutes.version of a verslag with a huge agenda (600 items, each with 4 KB
    of description and of notes: 5 MB) come in pages of the document's items: each reply within
    1 MiB, every item the caller may see once, in order, and none they may not (the index runs
    over their items only)."""

    ITEMS = 600

    async def pages(self, client, op, **args):
        items, r, pages = [], None, 0
        while r is None or r["items_more"]:
            r = await self.read(client, op, **args,
                                **({"items_from": r["items_next"]} if r else {}))
            self.assertEqual(r["items_more"], r["items_next"] is not None)
            items += [it["id"] for it in r["document"]["items"]]
            pages += 1
            self.assertLess(pages, 100)
        return items, pages

    async def test_a_verslag_of_a_huge_agenda_comes_in_pages(self):
        q, body, now = self.server.query, self.body, self.server.now()
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        housing = await self.connect("housing@test.example")
        meeting, stamp = await self.yesterdays_meeting(chair)
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO items (body_id, meeting_id, position, title, description, kind, "
          "confidential, created_by, created_at, updated_at) SELECT ?, ?, i, 'Punt ' || i, ? || i, "
          "'bespreking', CASE WHEN i % 10 = 3 THEN 1 ELSE 0 END, ?, ?, ? FROM n",
          (self.ITEMS, body, meeting, DESCRIPTION, self.p["chair"], stamp, stamp))
        q("INSERT INTO item_orgs (item_id, org_id) SELECT id, ? FROM items WHERE meeting_id = ? "
          "AND confidential = 1", (self.orgs["woon"], meeting))
        q("INSERT INTO item_notes (item_id, text, updated_by, updated_at, rev) SELECT id, "
          "'Notulen. ' || ?, ?, ?, 1 FROM items WHERE meeting_id = ?",
          (DESCRIPTION, self.p["chair"], stamp, meeting))
        items = [r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? ORDER BY position",
                                 (meeting,))]
        secret = {r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? AND confidential = 1",
                                  (meeting,))}
        open_items = [i for i in items if i not in secret]

        got, pages = await self.pages(housing, "minutes.get", meeting=meeting)
        self.assertEqual(got, items)  # every item once, in agenda order
        self.assertGreater(pages, 8)
        got, _ = await self.pages(police, "minutes.get", meeting=meeting)
        self.assertEqual(got, open_items)  # nothing of the confidential ones

        deadline = (now + datetime.timedelta(days=7)).date().isoformat()
        await chair.call("minutes.submit", meeting=meeting, deadline=deadline)
        got, _ = await self.pages(housing, "minutes.version", meeting=meeting, version=1)
        self.assertEqual(got, items)
        got, _ = await self.pages(police, "minutes.version", meeting=meeting, version=1)
        self.assertEqual(got, open_items)
        r = await self.read(police, "minutes.get", meeting=meeting, items_from=len(open_items))
        self.assertEqual((r["document"]["items"], r["items_more"], r["items_next"]),
                         ([], False, None))
        for c in (chair, police, housing):
            self.assertIsNone(c.closed)


class VerslagListsPagingTest(BoundedReads, WorldCase):
    """The rest of a verslag's lists: minutes.get kept only the newest versions within 1/16 MiB
    (versions_more) and minutes.get and minutes.version cut the document's attendance at 1/8 MiB
    (attendance_more) and its outcomes at no item at 1/16 MiB (outcomes_more), with no way to
    read what was cut (meeting.get gives the meeting as it is now, not a kept version). Now each
    comes in pages (versions_from, attendance_from, outcomes_from and their _next): a client that
    follows the cursors gets every entry once, each reply within the bound."""

    GUESTS, OUTCOMES, VERSIONS = 60, 40, 40
    NOTE = "Afgemeld wegens een andere verplichting. " * 100  # ~4 KB

    async def lists(self, client, op, keys, **args):
        """Every page of the lists keys of op, by following their cursors: {key: entries}, and
        how many pages. The versions come in pages from the newest, each given oldest first."""
        got, r, pages = {k: [] for k in keys}, None, 0
        while r is None or any(r[f"{k}_more"] for k in keys):
            more = {}
            for k in keys:
                if r is not None:
                    self.assertEqual(r[f"{k}_more"], r[f"{k}_next"] is not None)
                    more[f"{k}_from"] = r[f"{k}_next"] if r[f"{k}_more"] else len(got[k])
            r = await self.read(client, op, **args, **more)
            for k in keys:
                if k == "versions":
                    got[k] = r[k] + got[k]
                else:
                    got[k] += r["document"][k]
            pages += 1
            self.assertLess(pages, 100)
        return got, pages

    async def test_versions_attendance_and_outcomes_of_a_verslag_come_in_pages(self):
        q, body = self.server.query, self.body
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        meeting, stamp = await self.yesterdays_meeting(chair)
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO attendance (meeting_id, name, status, note, updated_at) "
          "SELECT ?, 'Gast ' || i, 'afwezig', ?, ? FROM n",
          (self.GUESTS, meeting, self.NOTE, stamp))
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO actions (body_id, kind, text, status, meeting_id, created_by, created_at, "
          "updated_at) SELECT ?, 'actiepunt', ? || i, 'open', ?, ?, ?, ? FROM n",
          (self.OUTCOMES, body, ACTION_TEXT, meeting, self.p["chair"], stamp, stamp))
        guests = {f"Gast {i}" for i in range(1, self.GUESTS + 1)}
        outcomes = [r[0] for r in q("SELECT id FROM actions WHERE meeting_id = ? ORDER BY id",
                                    (meeting,))]
        deadline = (self.server.now() + datetime.timedelta(days=7)).date().isoformat()
        await chair.call("minutes.submit", meeting=meeting, deadline=deadline)
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO minutes_versions (meeting_id, version, stage, document, deadline, note, "
          "created_by, created_at) SELECT meeting_id, version + i, stage, document, deadline, "
          "? || i, created_by, created_at + i FROM minutes_versions, n "
          "WHERE meeting_id = ? AND version = 1",
          (self.VERSIONS - 1, self.NOTE, meeting))

        for who in (chair, police):
            first = await self.read(who, "minutes.get", meeting=meeting)
            self.assertTrue(first["versions_more"] and first["attendance_more"]
                            and first["outcomes_more"])
            self.assertEqual(first["versions"][-1]["version"], self.VERSIONS)  # the newest first
            got, pages = await self.lists(who, "minutes.get",
                                          ("versions", "attendance", "outcomes"),
                                          meeting=meeting)
            self.assertGreater(pages, 2)
            self.assertEqual([v["version"] for v in got["versions"]],
                             list(range(1, self.VERSIONS + 1)))  # each once, oldest first
            self.assertEqual(len(got["attendance"]), self.GUESTS)
            self.assertEqual({a["name"] for a in got["attendance"]}, guests)
            self.assertEqual([a["id"] for a in got["outcomes"]], outcomes)

            # a kept version: its own attendance and outcomes, not the meeting's as it is now
            got, pages = await self.lists(who, "minutes.version", ("attendance", "outcomes"),
                                          meeting=meeting, version=1)
            self.assertGreater(pages, 2)
            self.assertEqual(len(got["attendance"]), self.GUESTS)
            self.assertEqual({a["name"] for a in got["attendance"]}, guests)
            self.assertEqual([a["id"] for a in got["outcomes"]], outcomes)

        # past the end: empty, no more
        r = await self.read(chair, "minutes.version", meeting=meeting, version=1,
                            attendance_from=self.GUESTS, outcomes_from=self.OUTCOMES)
        self.assertEqual((r["document"]["attendance"], r["attendance_more"],
                          r["attendance_next"]), ([], False, None))
        self.assertEqual((r["document"]["outcomes"], r["outcomes_more"], r["outcomes_next"]),
                         ([], False, None))
        r = await self.read(chair, "minutes.get", meeting=meeting, versions_from=self.VERSIONS)
        self.assertEqual((r["versions"], r["versions_more"], r["versions_next"]),
                         ([], False, None))
        for c in (chair, police):
            self.assertIsNone(c.closed)


class LongAgendaVerslagTest(BoundedReads, WorldCase):
    """The verslag of a meeting with more than a thousand items holds every one of them: the
    document of minutes.get and the version minutes.submit saves were cut at 1000 items, without
    a word, and an outcome under item 1150 went to no item. Now every item is there once, in
    agenda order, with its outcomes."""

    ITEMS = 1250

    async def pages(self, client, op, **args):
        items, r, pages = [], None, 0
        while r is None or r["items_more"]:
            r = await self.read(client, op, **args,
                                **({"items_from": r["items_next"]} if r else {}))
            items += r["document"]["items"]
            pages += 1
            self.assertLess(pages, 100)
        return items, r

    async def test_a_verslag_of_more_than_a_thousand_items_leaves_none_out(self):
        q, body, now = self.server.query, self.body, self.server.now()
        chair = await self.connect("chair@test.example")
        meeting, stamp = await self.yesterdays_meeting(chair)
        # planted in reverse: the store's row order is not the agenda's
        q("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
          "INSERT INTO items (body_id, meeting_id, position, title, kind, created_by, created_at, "
          "updated_at) SELECT ?, ?, ? + 1 - i, 'Punt ' || (? + 1 - i), 'bespreking', ?, ?, ? FROM n",
          (self.ITEMS, body, meeting, self.ITEMS, self.ITEMS, self.p["chair"], stamp, stamp))
        items = [r[0] for r in q("SELECT id FROM items WHERE meeting_id = ? ORDER BY position",
                                 (meeting,))]
        self.assertEqual(len(items), self.ITEMS)
        late = items[1149]
        a = (await chair.call("action.create", body=body, item=late, kind="besluit",
                              text="Besluit bij punt 1150"))["action"]["id"]
        got, last = await self.pages(chair, "minutes.get", meeting=meeting)
        self.assertEqual([it["id"] for it in got], items)  # every item once, in agenda order
        self.assertEqual([o["id"] for o in got[1149]["outcomes"]], [a])
        self.assertEqual(last["document"]["outcomes"], [])  # not loose: under its item
        await chair.call("minutes.submit", meeting=meeting,
                         deadline=(now + datetime.timedelta(days=7)).date().isoformat())
        got, last = await self.pages(chair, "minutes.version", meeting=meeting, version=1)
        self.assertEqual([it["id"] for it in got], items)
        self.assertEqual([o["id"] for o in got[1149]["outcomes"]], [a])
        self.assertEqual(last["document"]["outcomes"], [])
        self.assertIsNone(chair.closed)
