"""Issue 11: a notification's id is its person's id * 2^24 + her own count (persons.notes_made,
migration 32): it says nothing of anyone else's notifications. Two nodes sharing one store that
notify the same person at the same moment must not both take the same number - on PostgreSQL
both read the count before either commits - nor lose a notification, nor need a retry for it
(a retried reaction waits for the next sweep, half a minute). And a number is never one that
another notification holds: one given before migration 32 (one sequence for everyone then), or
one in the next person's part once a person's 2^24 - 1 are used up."""

import asyncio
import os
import re
import subprocess
import time
import unittest

import harness
from harness import TwoNodeCase, WorldCase

N = 30  # messages per writer; two writers per node


def metric(server, name):
    status, _, raw = server.ops_http("/metrics")
    assert status == 200, raw
    m = re.search(rf"^{name}(?:{{[^}}]*}})? (\d+)", raw.decode(), re.M)
    return int(m.group(1)) if m else 0


class TwoNodesNotifyOnePerson(TwoNodeCase):
    NAME = "numbers"

    async def test_mentions_from_two_nodes_at_once_get_every_number_once(self):
        body, police = self.w["body"], self.w["persons"]["police"]
        writers = [await self.client(self.a, "chair"), await self.client(self.b, "housing"),
                   await self.client(self.a, "sec"), await self.client(self.b, "chair")]
        reader = await self.client(self.b, "police")

        async def write(c, tag):
            await asyncio.gather(*[c.call("chat.post", body=body, text=f"@Piet Politie {tag}-{i}")
                                   for i in range(N)])

        await asyncio.gather(*[write(c, t) for c, t in zip(writers, "abcd")])
        total = len(writers) * N

        async def notes():
            return (await reader.call("notification.list", limit=200))["notifications"]

        # every mention is a notification within seconds: well before a failed reaction's
        # retry by the sweep (react.h, KT_REACT_STALE_S)
        for _ in range(200):
            every = await notes()
            got = [n for n in every if n["kind"] == "mention"]
            if len(got) >= total:
                break
            await asyncio.sleep(0.1)
        self.assertEqual(len(got), total, "every mention notified, once")
        ids = sorted(n["id"] for n in every)  # her membership's notification too
        base = police * 2 ** 24
        self.assertEqual(ids, list(range(base + 1, base + len(every) + 1)),
                         "the person's own numbers 1..n, each once")
        self.assertEqual(sorted(n["text"].split()[-1] for n in got),
                         sorted(f"{t}-{i}" for t in "abcd" for i in range(N)))
        # and none of it took a retry: no reaction failed on either node (a failure in a group
        # of reactions is logged, then run again alone; kt_reaction_failures_total counts only
        # those that failed alone too)
        for node in (self.a, self.b):
            failed = [line for line in node.read_log().splitlines() if "reaction failed" in line]
            self.assertEqual(failed, [], f"reactions failed on {node.name}")
            self.assertEqual(metric(node, "kt_reaction_failures_total"), 0)


@unittest.skipUnless(harness.PG_BASE, "PostgreSQL: SQLite has one writer at a time")
class AnotherNodeMidTransaction(WorldCase):
    async def test_a_notifier_waits_for_the_other_and_takes_the_next_number(self):
        """Deterministically what two nodes can do by chance: another node (psql here) has made
        a notification for her and raised her count, not yet committed, when this node makes
        one. Without the lock this node read the old count, took the same number, failed on the
        primary key when the other committed and redid its whole reaction."""
        chair = await self.connect("chair@test.example")
        police = self.p["police"]
        marker = os.path.join(self.server.dir, "other-node-wrote")
        other = subprocess.Popen(
            ["psql", "-qAt", "-v", "ON_ERROR_STOP=1", self.server.db], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        other.stdin.write(
            "BEGIN;\n"
            "INSERT INTO notifications(id, person_id, kind, delivery, title, link, created_at) "
            f"SELECT id * 16777216 + notes_made + 1, id, 'mention', 'direct', 'andere node', "
            f"'#/', {int(self.server.now().timestamp())} FROM persons WHERE id = {police};\n"
            f"UPDATE persons SET notes_made = notes_made + 1 WHERE id = {police};\n"
            f"\\! touch {marker}\n"
            "SELECT pg_sleep(3);\nCOMMIT;\n")
        other.stdin.close()
        deadline = time.time() + 60
        while not os.path.exists(marker) and time.time() < deadline:
            await asyncio.sleep(0.05)
        self.assertTrue(os.path.exists(marker), other.stdout.read() if other.poll() else "")
        await chair.call("chat.post", body=self.body, text="@Piet Politie deze node")
        self.assertEqual(await asyncio.to_thread(other.wait, 60), 0, other.stdout.read())
        for _ in range(100):
            rows = self.server.query("SELECT id - person_id * 16777216, title, text FROM "
                                     "notifications WHERE person_id = ? AND kind = 'mention' "
                                     "ORDER BY id", (police,))
            if len(rows) == 2:
                break
            await asyncio.sleep(0.1)
        self.assertEqual([r[1] == "andere node" or r[2].split()[-1] for r in rows],
                         [True, "node"], rows)
        self.assertEqual(rows[1][0], rows[0][0] + 1, "the next number")
        other.stdout.close()
        failed = [line for line in self.server.read_log().splitlines()
                  if "reaction failed" in line]
        self.assertEqual(failed, [], "no conflict, no reaction redone")


class NumbersOfOnePerson(WorldCase):
    async def mention(self, chair, who, tag):
        await chair.call("chat.post", body=self.body, text=f"@{who} {tag}")
        await chair.sync()  # the reaction (the notification) ran before this

    def notes_of(self, person):
        return self.server.query("SELECT id, text FROM notifications WHERE person_id = ? "
                                 "ORDER BY id", (person,))

    async def test_a_number_held_by_an_older_notification_is_never_taken(self):
        chair = await self.connect("chair@test.example")
        police, housing = self.p["police"], self.p["housing"]
        base = police * 2 ** 24
        await self.mention(chair, "Piet Politie", "een")
        n = len(self.notes_of(police))
        # before migration 32 ids were one sequence for everyone: in a deployment that had made
        # more than 2^24 by then, someone else's old notification holds a number in her part
        self.server.query("INSERT INTO notifications(id, person_id, kind, delivery, title, link, "
                          "created_at) VALUES (?, ?, 'mention', 'direct', 'oud', '#/', ?)",
                          (base + n + 1, housing, int(self.server.now().timestamp())))
        await self.mention(chair, "Piet Politie", "twee")
        ids = [i for i, text in self.notes_of(police)]
        self.assertEqual(len(ids), n + 1, "stored, not refused on the primary key")
        self.assertEqual(ids[-1], base + n + 2, "the next number above the one taken")

    async def test_a_person_whose_numbers_are_used_up_takes_none_of_the_next_persons(self):
        chair = await self.connect("chair@test.example")
        police, housing = self.p["police"], self.p["housing"]
        self.assertEqual(housing, police + 1)  # her part ends where his begins
        await self.mention(chair, "Wim Woning", "eerste")
        self.server.query("UPDATE persons SET notes_made = ? WHERE id = ?", (2 ** 24 - 2, police))
        await self.mention(chair, "Piet Politie", "laatste")
        await self.mention(chair, "Piet Politie", "teveel")
        await self.mention(chair, "Wim Woning", "tweede")
        self.assertEqual([(i - police * 2 ** 24, t.split()[-1]) for i, t in
                          self.notes_of(police) if t],
                         [(2 ** 24 - 1, "laatste")], "the last number of her part, then none")
        self.assertEqual([(i - housing * 2 ** 24, t.split()[-1]) for i, t in
                          self.notes_of(housing) if t], [(2, "eerste"), (3, "tweede")])


if __name__ == "__main__":
    unittest.main()
