"""Issue 12, "faults must be visible and never silent": a PostgreSQL server that stops answering
(its processes stopped, as a frozen virtual machine or a network that drops everything) must
not hang the node. Every exchange with the database has a deadline (--db-timeout-ms): a write
that meets the frozen server is answered store_unavailable within it, /healthz says down,
/metrics counts, the log says so; when the server answers again the node connects anew by
itself, writes succeed and subscribers get every event, in order, with no gap.

Real processes: the test's PostgreSQL server (scripts/pg-test-server) is frozen with SIGSTOP -
its postmaster, so that no new connection is answered either, and the backends that serve this
node - and thawed with SIGCONT, always, also when the test fails. Nothing waits for a fixed
time: each step waits for the condition it checks, with generous limits for a loaded machine."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from harness import BINARY, PG_BASE, WorldCase, db_query, new_database

from test_faults import healthz, metric, until

TIMEOUT_MS = 3000  # the node's --db-timeout-ms here: shorter than the default, ample on a loaded machine


def parent_pid(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^PPid:\s+(\d+)$", f.read(), re.M).group(1))


@unittest.skipUnless(PG_BASE, "PostgreSQL only: the node's connection to its database server")
class FrozenDatabaseTest(WorldCase):

    def configure(self, server):
        # --db-timeout-ms through its variable: a binary without the option (main before it)
        # starts all the same, and shows the hang this test is about
        server.env["KT_DB_TIMEOUT_MS"] = str(TIMEOUT_MS)
        self.stopped = []

    async def asyncTearDown(self):
        try:
            self.thaw()
        finally:
            await super().asyncTearDown()

    def backends(self):
        """The PostgreSQL processes serving this node: every connection to its database (one of
        its own) but the one asking."""
        name = self.server.db.rsplit("/", 1)[1]
        return [r[0] for r in db_query(
            PG_BASE, "SELECT pid FROM pg_stat_activity WHERE datname = ? AND "
            "pid <> pg_backend_pid()", (name,))]

    def freeze(self):
        """SIGSTOP to the postmaster (no new connection is answered) and to the node's
        backends; returns the backends."""
        pids = self.backends()
        self.assertTrue(pids, "the node has no connection to its database")
        for pid in [parent_pid(pids[0])] + pids:
            os.kill(pid, signal.SIGSTOP)
            self.stopped.append(pid)
        return pids

    def thaw(self):
        stopped, self.stopped = self.stopped, []
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    async def test_a_frozen_database_is_an_error_not_a_hang_and_the_node_recovers(self):
        server, body = self.server, self.body
        reader = await self.connect("police@test.example")
        await reader.call("subscribe", body=body)
        chair = await self.connect("chair@test.example")
        await chair.call("chat.post", body=body, text="voor de bevriezing")
        await reader.wait_for(lambda c: len(c.body_events(body)) >= 1)
        status, h = healthz(server)
        self.assertEqual((status, h["status"]), (200, "ok"), h)
        self.assertEqual(metric(server, "kt_store_unavailable"), 0)

        frozen = self.freeze()
        # Before the deadline, this write hung the node for good: request() gives up after 30 s.
        reply = await chair.request("chat.post", body=body, text="tijdens de bevriezing")
        self.assertFalse(reply["ok"], reply)
        self.assertEqual(reply["error"]["code"], "store_unavailable", reply)
        # the node answers meanwhile, and says it is down (it cannot connect anew either)
        status, h = healthz(server)
        self.assertEqual((status, h["status"], h["store"]["writable"]), (503, "down", False), h)
        self.assertIn("unavailable_since", h["store"])
        self.assertEqual(server.http("GET", "/healthz")[0], 503)
        self.assertEqual(metric(server, "kt_store_unavailable"), 1)
        self.assertGreaterEqual(metric(server, "kt_store_unavailable_total"), 1)
        log = server.read_log()
        self.assertIn("database did not answer in time: connection dropped", log)
        self.assertIn("store unavailable", log)
        self.assertIsNone(chair.closed)  # the sessions stay; only the store is gone
        self.assertIsNone(reader.closed)

        self.thaw()
        # back: found by the node itself (the /healthz probe), with a new connection
        h = await until(lambda: (lambda h: h if h["store"]["writable"] else None)(
            healthz(server)[1]), what="writable again")
        self.assertEqual(h["status"], "ok", h)
        self.assertEqual(metric(server, "kt_store_unavailable"), 0)
        self.assertIn("database connection made again", server.read_log())
        for i in range(3):
            await chair.call("chat.post", body=body, text=f"na de bevriezing {i}")
        events = await reader.wait_events(body, 4, timeout=60)
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), seqs)
        self.assertEqual([e["data"]["message"]["text"] for e in events[1:]],
                         [f"na de bevriezing {i}" for i in range(3)])
        # The frozen backends, thawed, find their client gone and end, rolling back what they
        # were sent: the refused write left nothing behind.
        await until(lambda: not set(frozen) & set(self.backends()), what="the old backends gone")
        self.assertEqual(server.query("SELECT count(*) FROM messages WHERE text = ?",
                                      ("tijdens de bevriezing",)), [(0,)])
        self.assertIsNone(reader.closed)
        # the new connection is the node's, and says so to the database's operators
        name = server.db.rsplit("/", 1)[1]
        self.assertEqual({r[0] for r in db_query(
            PG_BASE, "SELECT application_name FROM pg_stat_activity WHERE datname = ? AND "
            "pid <> pg_backend_pid()", (name,))}, {"ketentafel"})


@unittest.skipUnless(PG_BASE, "PostgreSQL only: the server's own statement timeout")
class RunawayStatementTest(WorldCase):
    """A statement that runs on and on in the server (a plan gone wrong, a trigger, a storage
    that crawls) met only the node's deadline: the node dropped the connection and answered
    store_unavailable, while PostgreSQL ran the statement on - its locks held, a core busy -
    until it tried to answer. The node's sessions now have a statement_timeout just under
    --db-timeout-ms: PostgreSQL ends the statement itself, the node answers store_unavailable
    and keeps its connection. Made real with a trigger that sleeps a minute."""

    def configure(self, server):
        server.env["KT_DB_TIMEOUT_MS"] = str(TIMEOUT_MS)

    def running(self, text):
        """The statements of the node's database still running whose text contains text."""
        name = self.server.db.rsplit("/", 1)[1]
        return db_query(PG_BASE, "SELECT pid FROM pg_stat_activity WHERE datname = ? AND "
                        "state = 'active' AND query LIKE ? AND pid <> pg_backend_pid()",
                        (name, f"%{text}%"))

    async def test_the_database_ends_a_runaway_statement_itself(self):
        server, body = self.server, self.body
        chair = await self.connect("chair@test.example")
        await chair.call("chat.post", body=body, text="voor de trigger")
        server.query("CREATE FUNCTION kt_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ "
                     "BEGIN IF NEW.text = 'traag' THEN PERFORM pg_sleep(60); END IF; "
                     "RETURN NEW; END $$; CREATE TRIGGER kt_test_slow BEFORE INSERT ON messages "
                     "FOR EACH ROW EXECUTE FUNCTION kt_test_slow()")
        reply = await chair.request("chat.post", body=body, text="traag")
        self.assertFalse(reply["ok"], reply)
        self.assertEqual(reply["error"]["code"], "store_unavailable", reply)
        # ended by the server before the node's deadline: nothing of it runs on
        self.assertEqual(self.running("INSERT INTO messages"), [])
        log = server.read_log()
        self.assertIn("sqlstate=57014", log)  # query_canceled: the statement timeout
        self.assertNotIn("connection dropped", log)
        # the same connection serves the next write at once
        await chair.call("chat.post", body=body, text="na de trigger")
        self.assertNotIn("database connection made again", server.read_log())
        self.assertEqual(server.query("SELECT count(*) FROM messages WHERE text = ?",
                                      ("traag",)), [(0,)])


@unittest.skipUnless(PG_BASE, "PostgreSQL only: copy-store's deadline on its exchanges")
class CopyStoreDeadlineTest(unittest.TestCase):
    """copy-store had no deadline: a statement that did not end (here a trigger that sleeps a
    minute for every organisation copied; as well a frozen server) held the copy for ever. Its
    exchanges now have one (--db-timeout-ms, default 60 s), and its sessions the statement
    timeout under it: the copy fails, leaves the destination empty, and nothing of it runs on."""

    def test_a_copy_into_a_database_that_does_not_answer_ends_with_an_error(self):
        tmp = tempfile.mkdtemp(prefix="kt-copy-deadline-")
        try:
            src = os.path.join(tmp, "src.db")
            open(src, "w").close()
            dest = new_database(tmp)
            # both get the schema (and no rows) from a copy of an empty store
            r = subprocess.run([BINARY, "copy-store", "--from", src, "--to", dest],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 0, r.stdout[-2000:] + r.stderr[-2000:])
            db_query(src, "INSERT INTO organisations (name, kind, created_at, updated_at) "
                     "VALUES ('Gemeente Traag', 'gemeente', 0, 0)")
            db_query(dest, "CREATE FUNCTION kt_test_slow() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$; CREATE TRIGGER "
                     "kt_test_slow BEFORE INSERT ON organisations FOR EACH ROW EXECUTE FUNCTION "
                     "kt_test_slow()")
            t0 = time.monotonic()
            r = subprocess.run([BINARY, "copy-store", "--from", src, "--to", dest,
                                "--db-timeout-ms", "2000"],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(r.returncode, 1, r.stdout[-2000:] + r.stderr[-2000:])
            self.assertLess(time.monotonic() - t0, 45)  # not the trigger's minute
            self.assertIn("the destination was left as it was", r.stderr)
            self.assertEqual(db_query(dest, "SELECT count(*) FROM organisations"), [(0,)])
            name = dest.rsplit("/", 1)[1]
            self.assertEqual(db_query(
                PG_BASE, "SELECT pid FROM pg_stat_activity WHERE datname = ? AND state = "
                "'active' AND pid <> pg_backend_pid()", (name,)), [])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
