"""Issue 12, "faults must be visible and never silent": a store that cannot be read or written,
a client that stops reading, a bus that stops answering. Each fault reaches the client as a code
(an error or a documented close code), the log, /healthz and /metrics; none ends quietly.

Real servers, real files: the damage is a damaged page of the events table written into the
database file; the stalled reader is a socket that stops reading with a small receive buffer.
No test waits for a fixed time to pass: each waits for the condition it checks, with generous
limits for a loaded machine."""

import asyncio
import base64
import json
import os
import re
import socket
import sqlite3
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, PG_BASE, Redis, WorldCase, db_query


def metric(server, name):
    status, _, raw = server.ops_http("/metrics")
    assert status == 200, raw
    m = re.search(rf"^{name}{{[^}}]*}} (\d+)$", raw.decode(), re.M)
    assert m, f"{name} not in /metrics"
    return int(m.group(1))


def healthz(server):
    status, _, raw = server.ops_http("/healthz")
    return status, json.loads(raw)


async def until(pred, timeout=120, what="condition"):
    """Polls pred (a plain function) until it holds; generous for a loaded machine."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def post_many(client, body, n, text="bericht", width=50):
    """n chat messages, width requests in flight at a time."""
    for start in range(0, n, width):
        await asyncio.gather(*(client.call("chat.post", body=body, text=f"{text} {i}")
                               for i in range(start, min(n, start + width))))


@unittest.skipIf(PG_BASE, "SQLite only: a damaged page of SQLite's file (PostgreSQL checks "
                 "its pages itself)")
class DamagedPageTest(WorldCase):
    """One damaged page of the events table: a replay across it ends with close 1011 and a log
    line, not with silence; the node's quick check at start says the file is damaged."""

    async def test_replay_across_a_damaged_page_closes_with_1011_and_says_so(self):
        server, body = self.server, self.body
        chair = await self.connect("chair@test.example")
        await post_many(chair, body, 1200, text="bericht met wat tekst om pagina's te vullen")
        head = (await chair.call("body.get", body=body))["seq"]
        await self.close_clients()
        _, health = healthz(server)
        self.assertEqual(health["store"]["integrity"], "ok", health)
        server.stop()

        # damage one leaf page of the events table in the middle of the stream
        con = sqlite3.connect(server.db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        pages = [p for (p,) in con.execute(
            "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' "
            "ORDER BY pageno")]
        con.close()
        self.assertGreater(len(pages), 10)
        victim = pages[len(pages) // 2]
        with open(server.db, "r+b") as f:
            f.seek((victim - 1) * page_size)
            f.write(b"\xa5" * page_size)

        server.start()
        log = server.read_log()
        self.assertIn("database damaged", log)
        status, health = healthz(server)
        self.assertNotEqual(health["store"]["integrity"], "ok", health)
        self.assertNotEqual(health["status"], "ok", health)

        chair = await self.connect("chair@test.example")
        await chair.call("subscribe", body=body, since=0)
        code, reason = await chair.wait_closed(timeout=120)
        self.assertEqual(code, 1011, reason)
        got = [e["seq"] for e in chair.body_events(body)]
        self.assertLess(len(got), head)  # it did stop at the damage...
        self.assertEqual(got, list(range(1, len(got) + 1)))  # ...in order, with no gap
        await until(lambda: "replay stopped: store read failed" in server.read_log(),
                    what="the log line")
        self.assertGreaterEqual(metric(server, "kt_store_read_errors_total"), 1)


@unittest.skipIf(PG_BASE, "SQLite only: SQLite's write-ahead log file")
class MissingWalTest(WorldCase):
    """A node killed with commits in its write-ahead log, and the log removed before it starts
    again: those commits are gone, and the node says so (log, /healthz) instead of "ok"."""

    async def test_a_lost_write_ahead_log_is_said(self):
        server = self.server
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        await admin.call("scope.create", name="Verloren", kind="gemeente")
        server.kill()
        self.assertTrue(os.path.exists(server.db + "-wal"))
        os.remove(server.db + "-wal")
        server.start()
        self.assertIn("write-ahead log missing", server.read_log())
        status, h = healthz(server)
        self.assertIn("write-ahead log missing", h["store"]["integrity"], h)
        self.assertEqual(h["status"], "degraded", h)


@unittest.skipIf(PG_BASE, "SQLite only: SQLite's write-ahead log file")
class TornWalTest(WorldCase):
    """A node killed with commits in its write-ahead log, and the log's last committed frame torn
    before it starts again (a short write, a damaged sector): SQLite's recovery drops that commit
    and every later frame without a word; the node compares the wal-index header the killed
    process left (how many frames were committed) with the frames still valid in the log, and
    says what was lost (log, /healthz degraded, /metrics)."""

    async def test_a_torn_write_ahead_log_is_said(self):
        server = self.server
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        for i in range(5):
            await admin.call("scope.create", name=f"Verloren {i}", kind="gemeente")
        self.assertEqual(metric(server, "kt_store_wal_frames_lost"), 0)
        server.kill()
        wal = server.db + "-wal"
        with open(server.db + "-shm", "rb") as f:
            shm = f.read(136)
        # the wal-index header (native byte order): mxFrame at 16; nBackfill after both copies
        mx_frame, backfill = struct.unpack_from("=I", shm, 16)[0], struct.unpack_from("=I", shm, 96)[0]
        self.assertGreater(mx_frame, backfill)  # commits that are only in the log
        with open(wal, "rb") as f:
            page = struct.unpack_from(">I", f.read(32), 8)[0]
        # cut the last committed frame in half
        os.truncate(wal, 32 + (mx_frame - 1) * (24 + page) + 24 + page // 2)
        server.start()
        self.assertIn("write-ahead log truncated or damaged at start", server.read_log())
        status, h = healthz(server)
        self.assertIn("write-ahead log truncated or damaged", h["store"]["integrity"], h)
        self.assertEqual(h["status"], "degraded", h)
        self.assertGreaterEqual(metric(server, "kt_store_wal_frames_lost"), 1)

    async def test_a_whole_log_after_a_kill_is_no_alarm(self):
        server = self.server
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        await admin.call("scope.create", name="Behouden", kind="gemeente")
        server.kill()
        server.start()
        self.assertNotIn("write-ahead log", server.read_log())
        status, h = healthz(server)
        self.assertEqual((h["status"], h["store"]["integrity"]), ("ok", "ok"), h)
        self.assertEqual(metric(server, "kt_store_wal_frames_lost"), 0)
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.assertIn("Behouden", json.dumps(await admin.call("scope.list")))


@unittest.skipIf(PG_BASE, "SQLite only: SQLite's one write lock, which its search indexer takes")
class IndexerLockTest(WorldCase):
    """The search indexer takes SQLite's write lock for each batch, one batch after another with
    a short gap between. A write of the loop thread that came meanwhile waited in SQLite's busy
    handler, which sleeps longer each time it finds the lock taken and so missed the gaps: after
    its 5 s it was answered store_busy, while the lock was never held for more than a batch.
    Now a batch ends once a writer of the node waits (or after a few ms), and the indexer lets
    the waiting writers go first: a long indexing run never turns a write into store_busy."""

    ACTIONS = 8000  # ~32 MB of text to index: seconds of batches, far beyond one busy timeout

    async def test_writes_during_a_long_indexing_run_are_never_store_busy(self):
        server, body = self.server, self.body
        chair = await self.connect("chair@test.example")
        now = int(server.now().timestamp())
        server.query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO actions (body_id, kind, text, status, created_by, created_at, updated_at) "
            "SELECT ?, 'actiepunt', ? || i, 'open', ?, ?, ? FROM n",
            (self.ACTIONS, body, "Toezicht op vakantieparken en de aanpak van ondermijning. " * 70,
             self.p["chair"], now, now))
        await until(lambda: metric(server, "kt_search_indexed_total") > 0,
                    what="the indexer to start")
        replies = []
        for _ in range(30):
            replies += await asyncio.gather(*(chair.request("chat.post", body=body,
                                                            text=f"tijdens het indexeren {i}")
                                              for i in range(10)))
        busy = [r for r in replies if not r["ok"]]
        self.assertEqual(busy, [])
        # the writes came while the indexer still had work (else the test proves nothing)
        self.assertGreater(metric(server, "kt_search_pending"), 0)


class RawSocket:
    """A WebSocket client on a plain socket that can stop reading: a tiny receive buffer, and
    nothing read after the upgrade."""

    def __init__(self, server, token):
        self.s = socket.socket()
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.s.connect(("127.0.0.1", server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                        f"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                        f"Authorization: Bearer {token}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            assert chunk, "closed during the upgrade"
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                               bytes([0x80 | 126]) + struct.pack("!H", n))
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def ended(self, timeout=120):
        """Reads what the server had sent until the connection ends; True when it did."""
        self.s.settimeout(timeout)
        try:
            while self.s.recv(65536):
                pass
        except ConnectionResetError:
            pass
        return True

    def close(self):
        self.s.close()


class StalledReaderTest(WorldCase):
    """A client that stops reading is dropped by the write deadline (2.5 ping intervals without
    the socket taking a byte), although it goes on sending; its close is counted once."""

    def configure(self, server):
        server.extra += ["--ping-secs", "1", "--max-queue", "64"]

    async def test_a_client_that_stops_reading_is_dropped_and_counted_once(self):
        server, body = self.server, self.body
        chair = await self.connect("chair@test.example")
        # Blocking calls (a login hashes a password; a send to a socket the server no longer
        # reads waits) run beside the event loop, so that the chair's client goes on reading
        # and answering pings: with --ping-secs 1 a test that held its loop for 2.5 s had the
        # chair closed as silent, or dropped as stalled, by a node that was right to.
        token = await asyncio.to_thread(server.login, "police@test.example")
        stalled = await asyncio.to_thread(RawSocket, server, token)
        await asyncio.to_thread(stalled.send, {"id": 1, "op": "subscribe", "body": body})
        await until(lambda: metric(server, "kt_subscriptions") >= 1, what="the subscription")
        open_before = metric(server, "kt_connections")
        self.assertEqual(metric(server, "kt_outqueue_drops_total"), 0)

        # the stalled client keeps talking (so it is never "silent"), but reads nothing
        stop = asyncio.Event()

        async def chatter():
            i = 2
            while not stop.is_set():
                try:
                    await asyncio.to_thread(stalled.send, {"id": i, "op": "ping"})
                except OSError:  # dropped: the server closed it
                    return
                i += 1
                await asyncio.sleep(0.2)

        talk = asyncio.ensure_future(chatter())
        text = "x" * 1500
        posted = 0
        # Its queue fills (a close decided for it, 4008 on overflow or 1001 when lws stops
        # reading a socket it cannot write to, cannot be written to a full socket); the
        # write deadline drops it all the same.
        while metric(server, "kt_stalled_closes_total") == 0:
            await post_many(chair, body, 50, text=text)
            posted += 50
            self.assertLess(posted, 20000, "the stalled connection was never dropped")
        await until(lambda: metric(server, "kt_connections") == open_before - 1,
                    what="the stalled connection to go")
        stop.set()
        await talk
        self.assertTrue(await asyncio.to_thread(stalled.ended))
        line = await until(lambda: re.search(r"websocket stalled: dropped.*", server.read_log()),
                           what="the log line")
        # counted once, also after the sweeps and callbacks that follow: an out-queue drop when
        # the close decided for it was 4008 (its queue overflowed), none when it was another
        drops = metric(server, "kt_outqueue_drops_total")
        self.assertEqual(drops, 1 if "code=4008" in line.group(0) else 0, line.group(0))
        await asyncio.sleep(3)  # several sweeps (ping-secs 1): none may count it again
        self.assertEqual(metric(server, "kt_outqueue_drops_total"), drops)
        self.assertEqual(metric(server, "kt_stalled_closes_total"), 1)
        # the others go on
        await chair.call("chat.post", body=body, text="nog steeds live")
        stalled.close()


class LoopStallTest(WorldCase):
    """The loop thread kept from its sockets for longer than the write deadline and the silence
    bound (2.5 ping intervals): here a write waiting for the store's write lock, which another
    process holds for 3.5 s (as a commit waiting for a slow disk does on a loaded machine).
    Clients that answered every ping and read everything are not dropped for the time the loop
    could not hear them: before, the sweep that came first after the stall closed them."""

    def configure(self, server):
        server.extra += ["--ping-secs", "1"]

    def hold_write_lock(self, secs):
        """Holds the store's write lock from another process for secs; returns a joinable."""
        if PG_BASE:  # the advisory lock every writer of the node takes first (store/pg/pg.c)
            return subprocess.Popen(
                ["psql", "-qAt", self.server.db, "-c",
                 f"BEGIN; SELECT pg_advisory_xact_lock(7250412); SELECT pg_sleep({secs}); "
                 "COMMIT;"], stdout=subprocess.DEVNULL)
        return subprocess.Popen(
            ["/usr/bin/python3", "-c",
             "import sqlite3, sys, time\n"
             "c = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)\n"
             "c.execute('BEGIN IMMEDIATE'); print('held', flush=True)\n"
             f"time.sleep({secs}); c.execute('ROLLBACK')\n", self.server.db],
            stdout=subprocess.PIPE, text=True)

    async def test_a_stall_of_the_loop_is_not_the_clients_fault(self):
        server, body = self.server, self.body
        reader = await self.connect("police@test.example")
        await reader.call("subscribe", body=body)
        chair = await self.connect("chair@test.example")
        await chair.call("chat.post", body=body, text="voor de stilstand")
        await reader.wait_for(lambda c: any(e["event"] == "chat.posted" for e in c.events))
        holder = self.hold_write_lock(3.5)
        try:
            if not PG_BASE:
                self.assertEqual(await asyncio.to_thread(holder.stdout.readline), "held\n")
            else:
                await until(lambda: db_query(server.db, "SELECT count(*) FROM pg_locks WHERE "
                                             "locktype = 'advisory' AND granted")[0][0] > 0,
                            what="the lock to be held")
            t0 = time.monotonic()
            # the loop takes this write and waits for the lock: nothing else is served meanwhile
            await chair.call("chat.post", body=body, text="na de stilstand")
            stalled_for = time.monotonic() - t0
        finally:
            await asyncio.to_thread(holder.wait)
            if holder.stdout:
                holder.stdout.close()
        self.assertGreater(stalled_for, 2.6, "the loop was never held (the test proves nothing)")
        await reader.wait_for(lambda c: sum(e["event"] == "chat.posted" for e in c.events) == 2,
                              timeout=60)
        # several sweeps after the stall: both are still there and served
        for _ in range(3):
            await reader.call("ping")
            await chair.call("ping")
            await asyncio.sleep(0.4)
        self.assertIsNone(reader.closed)
        self.assertIsNone(chair.closed)
        self.assertEqual(metric(server, "kt_stalled_closes_total"), 0)
        self.assertNotIn("websocket silent", server.read_log())


def fill(path):
    """Writes path until the file system is full; returns the bytes written."""
    n = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                n += f.write(chunk)
        except OSError:
            pass
        try:  # the last scraps, so that not even one more page fits
            while True:
                n += f.write(b"\0" * 512)
        except OSError:
            pass
    return n


@unittest.skipIf(PG_BASE, "SQLite only: SQLite's files on a small file system (PostgreSQL's "
                 "data directory is the test server's, not the node's)")
class DiskFullTest(WorldCase):
    """The database on a small file system (tmpfs) that a test file fills: a real ENOSPC.
    Writes answer store_unavailable, /healthz says down, /metrics counts, login answers 503
    with a reason; when space returns the node writes again by itself."""

    def configure(self, server):
        self.dir = tempfile.mkdtemp(prefix="kt-diskfull-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", self.dir],
                           capture_output=True, text=True)
        if r.returncode != 0:
            os.rmdir(self.dir)
            server.cleanup()
            self.skipTest(f"cannot mount a small file system here: {r.stderr.strip()}")
        server.db = os.path.join(self.dir, "kt.db")

    async def asyncTearDown(self):
        try:
            await super().asyncTearDown()
        finally:
            subprocess.run(["umount", "-l", self.dir], capture_output=True)
            shutil.rmtree(self.dir, ignore_errors=True)

    async def test_disk_full_is_said_and_recovers_by_itself(self):
        server, body = self.server, self.body
        chair = await self.connect("chair@test.example")
        await chair.call("chat.post", body=body, text="voor de schijf vol is")
        status, h = healthz(server)
        self.assertEqual((status, h["status"], h["store"]["writable"]), (200, "ok", True), h)

        filler = os.path.join(self.dir, "filler")
        fill(filler)
        # Writes fail once neither the log nor the file can grow (SQLite may first reuse
        # log space that is already there): wait for several refusals in a row. A write may
        # also find the lock held by the search indexer, whose own commit is failing for
        # the same reason (store_busy): that says nothing either way, so it is skipped.
        in_a_row, tried, refused = 0, 0, None
        while in_a_row < 5:
            reply = await chair.request("chat.post", body=body, text="x" * 1500)
            tried += 1
            self.assertLess(tried, 20000, "the disk never filled")
            if not reply["ok"] and reply["error"]["code"] == "store_busy":
                continue
            in_a_row = in_a_row + 1 if not reply["ok"] else 0
            if not reply["ok"]:
                self.assertEqual(reply["error"]["code"], "store_unavailable", reply)
                refused = reply
        self.assertIn("schijf vol", refused["error"]["message"])

        status, h = healthz(server)
        self.assertEqual(status, 503, h)
        self.assertEqual(h["status"], "down", h)
        self.assertFalse(h["store"]["writable"], h)
        self.assertIn("unavailable_since", h["store"])
        self.assertEqual(server.http("GET", "/healthz")[0], 503)
        self.assertEqual(metric(server, "kt_store_unavailable"), 1)
        self.assertGreaterEqual(metric(server, "kt_store_unavailable_total"), 5)
        for _ in range(20):  # store_busy: the lock was held (see above); ask again
            status, _, raw = server.http("POST", "/api/login",
                                         {"email": "police@test.example", "password": PASSWORD})
            self.assertEqual(status, 503, raw)
            err = json.loads(raw)["error"]
            if err["code"] != "store_busy":
                break
        self.assertEqual(err["code"], "store_unavailable")
        self.assertIn("schijf vol", err["message"])
        self.assertIn("store unavailable", server.read_log())
        # reads still work
        await chair.call("body.get", body=body)

        # Finding out whether space came back never holds up the loop thread: with the write
        # lock held by another connection, /healthz and requests answer at once (before, each
        # /healthz ran a probe write on the loop thread, which waited out the 5 s busy timeout
        # and the whole node with it; so did the housekeeping tick).
        holder = sqlite3.connect(server.db, timeout=60, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            t0 = time.monotonic()
            for _ in range(4):
                status, h = healthz(server)
                self.assertEqual((status, h["store"]["writable"]), (503, False), h)
                await chair.call("ping")
            self.assertLess(time.monotonic() - t0, 10)
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        # space returns: the node finds out by itself (no write needed from anyone)
        os.remove(filler)
        await until(lambda: healthz(server)[1]["store"]["writable"], what="writable again")
        # a checkpoint that failed while the disk was full says "degraded" until one succeeds,
        # which the next commit past 1,000 pages of log sets off
        await until(lambda: healthz(server)[1]["status"] == "ok", what="checkpoints again")
        self.assertEqual(metric(server, "kt_store_checkpoint_failing"), 0)
        status, h = healthz(server)
        self.assertEqual((status, h["status"]), (200, "ok"), h)
        self.assertEqual(metric(server, "kt_store_unavailable"), 0)
        await chair.call("chat.post", body=body, text="weer ruimte")
        self.assertTrue(server.login("police@test.example"))


@unittest.skipUnless(PG_BASE, "PostgreSQL only: the node's connection to its database server")
class DatabaseDownTest(WorldCase):
    """The PostgreSQL database goes away while the node runs: its connection is ended and no
    new one is let in (as a database server that stops, restarts or becomes unreachable).
    Writes answer store_unavailable, login 503 with that code, /healthz says down, /metrics
    counts, the log says so; when the database takes connections again the node reconnects
    and writes by itself, with no restart."""

    def admin_sql(self, sql):
        name = self.server.db.rsplit("/", 1)[1]
        subprocess.run(["psql", "-qAt", PG_BASE, "-v", "ON_ERROR_STOP=1", "-c",
                        sql.replace("DB", name)], check=True, capture_output=True, timeout=60)

    async def test_a_database_that_goes_away_is_said_and_comes_back(self):
        server, body = self.server, self.body
        chair = await self.connect("chair@test.example")
        await chair.call("chat.post", body=body, text="voor de uitval")
        status, h = healthz(server)
        self.assertEqual((status, h["status"]), (200, "ok"), h)
        down = False
        try:
            self.admin_sql("ALTER DATABASE DB ALLOW_CONNECTIONS false")
            down = True
            self.admin_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = 'DB' AND pid <> pg_backend_pid()")
            for i in range(3):
                reply = await chair.request("chat.post", body=body, text=f"tijdens {i}")
                self.assertFalse(reply["ok"], reply)
                self.assertEqual(reply["error"]["code"], "store_unavailable", reply)
            status, h = healthz(server)
            self.assertEqual((status, h["status"], h["store"]["writable"]), (503, "down", False),
                             h)
            self.assertEqual(server.http("GET", "/healthz")[0], 503)
            self.assertEqual(metric(server, "kt_store_unavailable"), 1)
            self.assertGreaterEqual(metric(server, "kt_store_unavailable_total"), 3)
            status, _, raw = server.http("POST", "/api/login",
                                         {"email": "police@test.example", "password": PASSWORD})
            self.assertEqual((status, json.loads(raw)["error"]["code"]),
                             (503, "store_unavailable"), raw)
            log = server.read_log()
            self.assertIn("database connection lost", log)
            self.assertIn("store unavailable", log)
            self.assertIsNone(chair.closed)  # the session stays; only the store is gone
        finally:
            if down:
                self.admin_sql("ALTER DATABASE DB ALLOW_CONNECTIONS true")
        # back: found by the node itself (housekeeping or /healthz probe), then writes work
        await until(lambda: healthz(server)[1]["store"]["writable"], what="writable again")
        # a checkpoint that failed while the disk was full says "degraded" until one succeeds,
        # which the next commit past 1,000 pages of log sets off
        await until(lambda: healthz(server)[1]["status"] == "ok", what="checkpoints again")
        self.assertEqual(metric(server, "kt_store_checkpoint_failing"), 0)
        status, h = healthz(server)
        self.assertEqual((status, h["status"]), (200, "ok"), h)
        self.assertEqual(metric(server, "kt_store_unavailable"), 0)
        await chair.call("chat.post", body=body, text="na de uitval")
        self.assertTrue(server.login("police@test.example"))


@unittest.skipIf(shutil.which("redis-server") is None, "needs redis-server")
class FrozenRedisTest(WorldCase):
    """A Redis that is stopped (SIGSTOP) keeps its connections and answers nothing: /healthz
    says the bus is not connected within the PING deadline, and ok again after SIGCONT."""

    def configure(self, server):
        self.redis = Redis().start()
        server.extra += ["--redis", self.redis.url]

    async def asyncTearDown(self):
        try:
            await super().asyncTearDown()
        finally:
            self.redis.stop()

    async def test_a_frozen_redis_is_seen_and_its_return_too(self):
        server, redis = self.server, self.redis
        frozen = False
        try:
            await until(lambda: healthz(server)[1]["status"] == "ok", what="ok with redis")
            redis.proc.send_signal(signal.SIGSTOP)
            frozen = True
            h = await until(lambda: (lambda h: h if h["status"] == "degraded" else None)(
                healthz(server)[1]), what="degraded while redis is frozen")
            self.assertFalse(h["bus"]["connected"], h)
            self.assertEqual(metric(server, "kt_bus_up"), 0)
            # writes still commit and reach this node's clients
            admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
            await admin.call("scope.create", name="Bevroren", kind="gemeente")
            await until(lambda: "redis does not answer" in server.read_log(), what="the log")
            redis.proc.send_signal(signal.SIGCONT)
            frozen = False
            h = await until(lambda: (lambda h: h if h["status"] == "ok" else None)(
                healthz(server)[1]), what="ok after SIGCONT")
            self.assertTrue(h["bus"]["connected"], h)
            self.assertEqual(metric(server, "kt_bus_up"), 1)
        finally:
            if frozen:
                redis.proc.send_signal(signal.SIGCONT)


if __name__ == "__main__":
    unittest.main()
