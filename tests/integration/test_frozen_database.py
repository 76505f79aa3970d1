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
import signal
import unittest

from harness import PG_BASE, WorldCase, db_query

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


if __name__ == "__main__":
    unittest.main()
