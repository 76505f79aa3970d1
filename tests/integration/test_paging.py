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


if __name__ == "__main__":
    unittest.main()
