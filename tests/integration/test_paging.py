"""Issue 12 item 6: no reply is unbounded. A body whose backlog is larger than a connection's
4 MiB out-queue used to answer body.get with one reply that closed the connection (4008), every
time it was asked: now the backlog comes in pages (backlog_from / backlog_next) and a client
pages through every item, once each, in order."""

import asyncio
import json
import unittest

from harness import WorldCase

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
        self.assertEqual(pages, -(-ITEMS // 200))
        self.assertLess(largest, 2 * 1024 * 1024)
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
        self.assertEqual(len(r["order"]), ITEMS)  # every item shifted by one
        event = await self.body_event(chair, "agenda.reordered")
        self.assertEqual(sorted(event["data"]["order"], key=lambda e: e["id"]),
                         sorted(r["order"], key=lambda e: e["id"]))
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


class LargeBodyTest(WorldCase):
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

    async def read(self, client, op, **args):
        """The result of op, after checking the size of the reply frame it came in."""
        before = len(client.frames)
        result = await client.call(op, **args)
        reply = [f for f in client.frames[before:] if "result" in f][-1]
        size = len(json.dumps(reply, ensure_ascii=False).encode())
        self.assertLess(size, PAGE_BOUND, f"{op} {args}: a reply of {size} bytes")
        self.assertLess(size, FRAME_LIMIT)
        return result

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


if __name__ == "__main__":
    unittest.main()
