"""Issue 16: backup and restore, as the README's Operating section says: an online backup of the
database while the node runs and writes (SQLite's online backup API, through Debian's sqlite3
`.backup`; `ketentafel backup` does the same with the API itself), restored onto a fresh machine (a new directory, a new node), compared with the
original: every table, the whole event log, logins and replays."""

import asyncio
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, BINARY, PG_BASE, Server, setup_world


def read_db(path, sql):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tables(path):
    return [t for (t,) in read_db(path, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE "
                                        "'CREATE VIRTUAL%' ORDER BY name")]


def snapshot(path):
    """Every row of every table (the search index through its shadow tables)."""
    return {t: sorted(read_db(path, f'SELECT * FROM "{t}"'), key=repr) for t in tables(path)}


@unittest.skipIf(PG_BASE, "SQLite's online backup; PostgreSQL has pg_dump")
class BackupRestoreTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.dir = tempfile.mkdtemp(prefix="kt-backup-")
        self.a = Server("backup-source")
        self.a.create_admin()
        self.a.start()

    async def asyncTearDown(self):
        self.a.stop()
        self.a.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)

    async def test_online_backup_restores_onto_a_fresh_node_with_everything(self):
        admin = await self.a.connect(self.a.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        w = await setup_world(self.a, admin)
        body = w["body"]
        chair = await self.a.connect(self.a.login("chair@test.example"))
        stop = asyncio.Event()
        posted = []

        async def writer():
            i = 0
            while not stop.is_set():
                await chair.call("chat.post", body=body, text=f"tijdens de backup {i}")
                posted.append(i)
                i += 1

        task = asyncio.ensure_future(writer())
        while len(posted) < 5:
            await asyncio.sleep(0.05)
        # the README's command, while the node writes
        backup = os.path.join(self.dir, "ketentafel-backup.db")
        r = await asyncio.to_thread(subprocess.run,
                                    [BINARY, "backup", "--db", self.a.db, "--to", backup],
                                    capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(backup + ".part"))
        at_backup = len(posted)
        while len(posted) < at_backup + 3:  # the node goes on writing after the backup
            await asyncio.sleep(0.05)
        stop.set()
        await task
        r = subprocess.run(["sqlite3", backup, "PRAGMA quick_check"], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.stdout.strip(), "ok", r.stderr)
        saved = snapshot(backup)
        # consistent: every stream of the event log is gap-free up to its head
        heads = dict(read_db(backup, "SELECT body_id, seq FROM streams"))
        for b, head in heads.items():
            seqs = [s for (s,) in read_db(backup, f"SELECT seq FROM events WHERE body_id = {b} "
                                                  f"ORDER BY seq")]
            self.assertEqual(seqs, list(range(1, head + 1)), f"stream {b}")
        # the backup is a moment of the original: what it holds, the original holds too
        after = snapshot(self.a.db)
        for t in ("events", "messages", "persons", "memberships", "bodies"):
            self.assertTrue(set(saved[t]) <= set(after[t]), t)
        for c in (admin, chair):
            await c.close()

        # a fresh machine: an empty directory, the backup as its database, a new node
        fresh = os.path.join(self.dir, "fresh", "var", "lib", "ketentafel")
        os.makedirs(fresh)
        restored = os.path.join(fresh, "ketentafel.db")
        shutil.copyfile(backup, restored)
        b = Server("backup-restored", db=restored)
        b.start()
        try:
            # starting changed nothing but the search index: the indexer (store/indexer.h) may
            # still catch up on changes the backup holds queued
            def rows(snap):
                return {t: r for t, r in snap.items() if not t.startswith("search")}
            self.assertEqual(rows(snapshot(restored)), rows(saved))
            chair = await b.connect(b.login("chair@test.example"))
            hist = await chair.call("chat.history", body=body, limit=200)
            texts = [m["text"] for m in hist["messages"]]
            n_saved = len([m for m in saved["messages"] if m[1] == body])
            self.assertEqual(len(texts), n_saved)
            self.assertGreaterEqual(n_saved, 5)
            head = (await chair.call("body.get", body=body))["seq"]
            self.assertEqual(head, heads[body])
            await chair.call("subscribe", body=body, since=0)
            evs = await chair.wait_events(body, head, timeout=30)
            self.assertEqual([e["seq"] for e in evs], list(range(1, head + 1)))
            # and it goes on from there: the next seq follows the backup's head
            await chair.call("chat.post", body=body, text="na het terugzetten")
            evs = await chair.wait_events(body, head + 1)
            self.assertEqual(evs[-1]["seq"], head + 1)
            await chair.close()
        finally:
            b.stop()
            b.cleanup()


class BackupCommandTest(unittest.TestCase):
    def test_backup_refuses_what_it_cannot_do_and_leaves_no_half_file(self):
        d = tempfile.mkdtemp(prefix="kt-backup-cmd-")
        try:
            to = os.path.join(d, "b.db")
            r = subprocess.run([BINARY, "backup", "--db", os.path.join(d, "nope.db"), "--to", to],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "nope.db")))  # not created
            r = subprocess.run([BINARY, "backup", "--db", "postgresql://x/y", "--to", to],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 2)
            self.assertIn("pg_dump", r.stderr)
            r = subprocess.run([BINARY, "backup", "--to", to], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 2)
            self.assertEqual(os.listdir(d), [])
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
