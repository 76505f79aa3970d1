"""Issue 12, the store and the write path through it, on whichever backend the suite runs
(SQLite, or PostgreSQL when KT_TEST_PG is set):
- the reactions to a write (detectors, notifications) run after its commit, and a job that a
  node committed but never reacted to is taken on later from the event log, exactly once;
- writes that arrive together are committed together, every one acknowledged, seq gap-free;
- copy-store moves a deployment into an empty store with nothing lost, and refuses a store
  that is not empty."""

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, BINARY, PG_BASE, Server, new_database,
                     setup_world)


def metric(server, name):
    _, _, raw = server.ops_http("/metrics")
    m = re.search(rf"^{name}(?:{{[^}}]*}})? (\d+)", raw.decode(), re.M)
    return int(m.group(1)) if m else None


class ReactionsTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.s = Server("reactions")
        self.s.create_admin()
        self.s.start()
        self.clients = []
        admin = await self.connect(self.s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        self.w = await setup_world(self.s, admin)

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()
        self.s.stop()
        self.s.cleanup()

    async def connect(self, token):
        c = await self.s.connect(token)
        self.clients.append(c)
        return c

    async def as_(self, key):
        return await self.connect(self.s.login(f"{key}@test.example"))

    async def assigned(self, police, action, timeout=60):
        """The police member's 'assigned' notifications about action, once there are any."""
        deadline = time.time() + timeout
        while True:
            ns = (await police.call("notification.list", limit=200))["notifications"]
            got = [n for n in ns if n.get("kind") == "assigned" and n.get("action") == action]
            if got or time.time() > deadline:
                return got
            await asyncio.sleep(0.2)

    async def test_notifications_follow_the_commit_and_nothing_waits_afterwards(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        before = metric(self.s, "kt_reactions_total")
        a = (await chair.call("action.create", body=self.w["body"], text="Dossier opvragen",
                              owner=self.w["persons"]["police"]))["action"]["id"]
        self.assertEqual(len(await self.assigned(police, a)), 1)
        self.assertGreater(metric(self.s, "kt_reactions_total"), before)
        deadline = time.time() + 30
        while self.s.query("SELECT count(*) FROM reactions")[0][0] and time.time() < deadline:
            await asyncio.sleep(0.2)
        self.assertEqual(self.s.query("SELECT count(*) FROM reactions")[0][0], 0)
        self.assertEqual(metric(self.s, "kt_reactions_waiting"), 0)

    async def test_a_job_its_node_never_ran_is_taken_on_from_the_event_log_once(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        a = (await chair.call("action.create", body=self.w["body"], text="Huisbezoek plannen",
                              owner=self.w["persons"]["police"]))["action"]["id"]
        self.assertEqual(len(await self.assigned(police, a)), 1)
        for c in self.clients:
            await c.close()
        self.clients = []
        self.s.stop()
        # As if the node had died between the commit and its reaction: the notification was
        # never made and the job is still in the store, recorded long ago.
        seq = self.s.query("SELECT max(seq) FROM events WHERE body_id = ? AND type = "
                           "'action.created'", (self.w["body"],))[0][0]
        self.s.query("DELETE FROM notifications WHERE action_id = ?", (a,))
        payload = json.dumps({"e": [[self.w["body"], seq]], "m": [], "i": [], "b": []})
        self.s.query("INSERT INTO reactions(node, created_at, payload) VALUES (?, ?, ?)",
                     ("dead-node", 0, payload))
        self.s.start()
        police = await self.as_("police")
        self.assertEqual(len(await self.assigned(police, a)), 1)
        self.assertEqual(self.s.query("SELECT count(*) FROM reactions")[0][0], 0)
        self.assertGreaterEqual(metric(self.s, "kt_reactions_adopted_total"), 1)
        # Exactly once: a later sweep finds nothing more to do.
        await asyncio.sleep(6)
        self.assertEqual(len(await self.assigned(police, a, timeout=0)), 1)


class GroupCommitTest(unittest.IsolatedAsyncioTestCase):
    async def test_writes_that_arrive_together_share_commits_and_every_one_is_acknowledged(self):
        s = Server("group")
        s.create_admin()
        s.start()
        clients = []
        try:
            admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            clients.append(admin)
            w = await setup_world(s, admin)
            for key in ("chair", "sec", "police", "housing"):
                clients.append(await s.connect(s.login(f"{key}@test.example")))
            writers = clients[1:]
            head = s.query("SELECT seq FROM streams WHERE body_id = ?", (w["body"],))[0][0]
            await writers[0].call("subscribe", body=w["body"], since=head)
            commits0 = metric(s, "kt_group_commits_total")
            writes0 = metric(s, "kt_group_commit_writes_total")
            per_writer = 25
            # Every writer sends all its posts at once: they arrive together.
            replies = await asyncio.gather(*[
                c.request("chat.post", body=w["body"], text=f"Bericht {i} van {n}")
                for n, c in enumerate(writers) for i in range(per_writer)])
            self.assertTrue(all(r["ok"] for r in replies), [r for r in replies if not r["ok"]])
            total = per_writer * len(writers)
            await writers[0].wait_for(
                lambda c: max([e["seq"] for e in c.body_events(w["body"])] or [0]) >= head + total,
                30)
            seqs = [e["seq"] for e in writers[0].body_events(w["body"]) if e["seq"] > head]
            self.assertEqual(seqs, list(range(head + 1, head + total + 1)))  # gap-free, in order
            commits = metric(s, "kt_group_commits_total") - commits0
            writes = metric(s, "kt_group_commit_writes_total") - writes0
            self.assertGreaterEqual(writes, total)
            self.assertLess(commits, writes)  # some commits acknowledged several writes
        finally:
            for c in clients:
                await c.close()
            s.stop()
            s.cleanup()


class CopyStoreTest(unittest.IsolatedAsyncioTestCase):
    """From an SQLite file (what every deployment so far has) into the suite's backend."""

    async def test_copy_store_moves_everything_and_refuses_a_store_that_is_not_empty(self):
        tmp = tempfile.mkdtemp(prefix="kt-copy-")
        # The source is SQLite on either pass.
        src = Server("copy-src", db=os.path.join(tmp, "kt.db"), demo=True)
        src.create_admin()
        src.start()
        try:
            client = await src.connect(src.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            # a body with a message, which the copy queues for SQLite's search index (below)
            await client.call("scope.create", name="Kopiedam", kind="gemeente")
            body = (await client.call("body.create", name="Regiegroep Kopie", kind="regiegroep",
                                      scope="Kopiedam", level="tactisch", cadence="P6W",
                                      mandate="Test"))["body"]["id"]
            bodies = (await client.call("body.list"))["bodies"]
            await client.close()
        finally:
            src.stop()
        from harness import db_query
        db_query(src.db, "INSERT INTO messages(body_id, person_id, text, created_at) SELECT ?, "
                 "min(id), 'Overlast bij de haven', 1800000000 FROM persons", (body,))
        dest = new_database(tmp) if PG_BASE else os.path.join(tmp, "copy.db")
        r = subprocess.run([BINARY, "copy-store", "--from", src.db, "--to", dest],
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
        self.assertIn("nothing lost", r.stdout)
        if not PG_BASE:
            # SQLite's search index follows from its queue: the copy queued every message (new
            # messages are queued by their insert, not by a trigger, since migration 34)
            messages = {r[0] for r in db_query(dest, "SELECT id FROM messages")}
            self.assertTrue(messages)
            self.assertEqual({r[0] for r in db_query(
                dest, "SELECT id FROM search_queue WHERE kind = 4")}, messages)
        # Once more into the same store: it is not empty any more, and it stays as it is.
        events = db_count(dest, "events")
        again = subprocess.run([BINARY, "copy-store", "--from", src.db, "--to", dest],
                               capture_output=True, text=True, timeout=600)
        self.assertEqual(again.returncode, 1)
        self.assertEqual(db_count(dest, "events"), events)
        # A node on the copy serves what the original had.
        node = Server("copy-dest", db=dest)
        node.start()
        try:
            client = await node.connect(node.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            self.assertEqual((await client.call("body.list"))["bodies"], bodies)
            await client.close()
        finally:
            node.stop()
            node.cleanup()
            src.cleanup()
            shutil.rmtree(tmp, ignore_errors=True)


def db_count(db, table):
    from harness import db_query
    return db_query(db, f"SELECT count(*) FROM {table}")[0][0]


if __name__ == "__main__":
    unittest.main()
