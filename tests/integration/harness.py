"""Starts the real ketentafel binary (and, where asked, a real redis-server) on free loopback
ports and talks to it over HTTP and WebSocket, the way clients do.

Every test server runs under the sanitizers of the test build; stopping it checks that it shut
down cleanly (exit code 0, no sanitizer report), so a leak or a crash fails the test that caused
it."""

import asyncio
import datetime
import json
import logging
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import unittest
import urllib.request

import websockets

from schema import check_frame

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("KT_BINARY", os.path.join(ROOT, "build-test", "ketentafel"))
OUTPUT = os.environ.get("KT_TEST_OUTPUT", os.path.join(ROOT, "test-output"))
ADMIN_EMAIL = "admin@test.example"
ADMIN_PASSWORD = "beheer-wachtwoord-1"
PASSWORD = "geheim-wachtwoord-1"

# The store the servers use. Unset: a fresh SQLite file per server. KT_TEST_PG set to a
# PostgreSQL server's base URL (scripts/pg-test-server): a fresh database on it per server.
PG_BASE = os.environ.get("KT_TEST_PG")
_pg_count = 0


def new_database(dir):
    """A new, empty database for one server (or a group that shares it): a path or a URL."""
    global _pg_count
    if not PG_BASE:
        return os.path.join(dir, "kt.db")
    _pg_count += 1
    name = f"kt_{os.getpid()}_{_pg_count}"
    # synchronous_commit off: the durability the SQLite servers get with --sync normal (a
    # crash of the machine may lose the last commits, never consistency); bench/ keeps it on.
    subprocess.run(["psql", "-qAt", PG_BASE, "-c", f"CREATE DATABASE {name}", "-c",
                    f"ALTER DATABASE {name} SET synchronous_commit = off"], check=True,
                   capture_output=True, timeout=60)
    return PG_BASE.rsplit("/", 1)[0] + "/" + name


def _pg_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        return "'\\x" + v.hex() + "'::bytea"
    return "'" + str(v).replace("'", "''") + "'"


def _pg_value(text):
    if text == "":
        return None
    if text.startswith("\\x"):
        return bytes.fromhex(text[2:])
    try:
        return int(text)
    except ValueError:
        return text


def db_query(db, sql, params=()):
    """Runs sql (with ? placeholders) on a server's database, SQLite file or PostgreSQL URL,
    and returns its rows as tuples (after committing what it changed). For tests that look
    into the store itself or plant data the protocol cannot."""
    if not db.startswith("postgres"):
        import sqlite3
        conn = sqlite3.connect(db)
        try:
            rows = conn.execute(sql, params).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()
    parts = sql.split("?")
    assert len(parts) == len(params) + 1, "one parameter per ?"
    text = parts[0] + "".join(_pg_literal(p) + rest for p, rest in zip(params, parts[1:]))
    r = subprocess.run(["psql", "-qAt", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", db, "-f", "-"],
                       input=text, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"psql: {r.stderr}")
    rows = []
    for line in r.stdout.splitlines():
        rows.append(tuple(_pg_value(x) for x in line.split("\x1f")))
    return rows


# No test may pass or fail by the date or the hour it runs. Every test server's clock is fixed
# with --test-now: it starts at TEST_NOW (a Wednesday morning in Amsterdam) and runs on in real
# time from the moment this module was loaded, one clock shared by every server of the run, so a
# restarted node or a second node does not go back in time. Tests that are about dates pass their
# own instant (Server(now=...)); KT_TEST_NOW overrides the default for a whole run.
UTC = datetime.timezone.utc

# The tests drive real servers with blocking calls (start, stop, HTTP); asyncio's debug mode in
# IsolatedAsyncioTestCase would log each as a slow callback and bury the test output.
logging.getLogger("asyncio").setLevel(logging.ERROR)
TEST_NOW = os.environ.get("KT_TEST_NOW") or "2026-12-02T09:00:00Z"


def parse_instant(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(UTC)


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    """An instant that runs on in real time from when the clock was made."""

    def __init__(self, start):
        self.start = parse_instant(start) if isinstance(start, str) else start.astimezone(UTC)
        self.made = time.monotonic()

    def now(self):
        return self.start + datetime.timedelta(seconds=time.monotonic() - self.made)


CLOCK = Clock(TEST_NOW)


def die_with_parent():
    """preexec_fn for child processes: SIGKILL them when the test runner dies, so a killed or
    crashed run leaves no servers behind on the machine."""
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One ketentafel node on a free port with its own database (unless db is given)."""

    def __init__(self, name="server", db=None, demo=False, extra=(), env=None, now=None,
                 tls=None, tls_proxy=None):
        """now: the instant this server's clock starts at (str or datetime); default the run's
        shared test clock. tls: (certificate, key) PEM files: the node serves HTTPS and WSS,
        and the test's clients trust that certificate. tls_proxy: whether the test plays a
        TLS-terminating proxy in front of the node (default: when the public URL is https:
        and the node has no TLS of its own)."""
        self.name = name
        self.clock = CLOCK if now is None else Clock(now)
        self.dir = tempfile.mkdtemp(prefix="kt-test-")
        self.db = db or new_database(self.dir)
        self.port = free_port()
        # --metrics-listen: /metrics and the full /healthz, on a port the node picks (read from
        # its log once it is up: one free_port() race less on a busy machine)
        self.metrics_port = None
        self.demo = demo
        self.tls = tls
        self.ssl = ssl.create_default_context(cafile=tls[0]) if tls else None
        self.extra = list(extra)
        # A node with an https: public URL and no TLS of its own stands behind a proxy that
        # terminates TLS: here that proxy is the test itself, at 127.0.0.1, saying so in
        # X-Forwarded-Proto (the node takes passwords only over TLS then).
        public = self.extra[self.extra.index("--public-url") + 1] \
            if "--public-url" in self.extra else ""
        self.behind_tls_proxy = public.startswith("https:") and not tls \
            if tls_proxy is None else tls_proxy
        if self.behind_tls_proxy and "--trusted-proxies" not in self.extra:
            self.extra += ["--trusted-proxies", "127.0.0.1"]
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        os.makedirs(OUTPUT, exist_ok=True)
        self.log_path = os.path.join(OUTPUT, f"{name}-{self.port}.log")

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def now(self):
        """The server's clock now (an aware datetime in UTC)."""
        return self.clock.now()

    def create_admin(self, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, name="Test Beheerder"):
        r = subprocess.run([BINARY, "create-admin", "--db", self.db, "--email", email,
                            "--name", name, "--test-now", iso(self.now())],
                           input=password + "\n", text=True,
                           capture_output=True, env=self.env, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"create-admin failed: {r.stderr}")

    def start(self, wait=True):
        """Starts the node. free_port() only finds a port that was free a moment ago: when
        another process took it meanwhile, the node cannot bind and exits, and the start is
        tried again on fresh ports."""
        for attempt in range(5):
            offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            self._launch()
            if not wait:
                return self
            try:
                self.wait_ready()
                return self
            except RuntimeError:
                if attempt == 4 or "ERROR on binding" not in self.read_log()[offset:]:
                    raise
                self.proc = None
                self.log.close()
                self.port, self.metrics_port = free_port(), None
        return self

    def _launch(self):
        args = [BINARY, "--port", str(self.port), "--db", self.db, "--listen", "127.0.0.1",
                "--web", os.path.join(ROOT, "web"), "--sync", "normal",
                "--node-id", self.name, "--test-now", iso(self.now()),
                "--metrics-listen", "127.0.0.1:0"] + self.extra
        if self.demo:
            args.append("--demo")
        if self.tls:
            args += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env, preexec_fn=die_with_parent)

    def wait_ready(self, timeout=None):
        # Loading the demo data takes PostgreSQL two to three times as long as SQLite (a round
        # trip per statement); on a busy machine that is more than a minute, for SQLite too (seen
        # here at load ~25: 9 minutes for a demo node on PostgreSQL). A node that exits is
        # noticed at once; only a hang waits this long.
        deadline = time.time() + (timeout or (600 if PG_BASE else 180))
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   f"{self.read_log()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1,
                                            context=self.ssl) as r:
                    if r.status == 200:
                        ports = re.findall(r'msg="metrics listening" addr=\S+ port=(\d+)',
                                           self.read_log())
                        self.metrics_port = int(ports[-1]) if ports else None
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.05)
        raise TimeoutError("server did not become ready")

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, check=True):
        """SIGTERM and wait; with check, the shutdown must be clean."""
        if not self.proc:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on SIGTERM")
        rc = self.proc.returncode
        self.proc = None
        self.log.close()
        if check:
            log = self.read_log()
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in log:
                    raise AssertionError(f"{marker} in server log {self.log_path}")
            if rc != 0:
                raise AssertionError(f"server exited with {rc}; log {self.log_path}")

    def kill(self):
        """SIGKILL: no shutdown at all."""
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        self.log.close()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, sql, params=()):
        """Rows of sql (? placeholders) on this server's database (harness.db_query)."""
        return db_query(self.db, sql, params)

    # ---- HTTP ----

    def http(self, method, path, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json"}
        if self.behind_tls_proxy:
            h["X-Forwarded-Proto"] = "https"
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.ssl) as r:
                raw = r.read()
                return r.status, dict(r.headers), raw
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def ops_http(self, path):
        """GET on the operators' listener (/metrics, the full /healthz)."""
        assert self.metrics_port, "no operators' listener (--metrics-listen off?)"
        req = urllib.request.Request(f"http://127.0.0.1:{self.metrics_port}{path}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def login(self, email, password=PASSWORD):
        status, _, raw = self.http("POST", "/api/login", {"email": email, "password": password})
        if status != 200:
            raise AssertionError(f"login {email}: {status} {raw[:200]}")
        return json.loads(raw)["token"]

    async def connect(self, token, **kw):
        c = Client(self, token)
        await c.open(**kw)
        return c


class ProtocolError(Exception):
    def __init__(self, reply):
        super().__init__(f"{reply['error']['code']}: {reply['error']['message']}")
        self.code = reply["error"]["code"]
        self.reply = reply


class Client:
    """A WebSocket client: call() sends a request and returns its reply; pushed events are
    collected in self.events (and per body in order)."""

    # callables(frame, client) run on every frame received; one that raises fails the request
    # the frame answers (pushes: close() raises). check_frame: protocol/schemas (schema.py).
    validators = [check_frame]

    def __init__(self, server, token):
        self.server = server
        self.token = token
        self.ws = None
        self.next_id = 0
        self.waiting = {}
        self.events = []
        self.frames = []
        self.closed = None
        self.sent = {}  # request id -> request object, for the validators
        self.violations = []
        self._changed = None
        self._reader = None

    async def open(self, origin=None, headers=None):
        h = {"Authorization": "Bearer " + self.token}
        h.update(headers or {})
        scheme, tls = ("wss", {"ssl": self.server.ssl}) if self.server.tls else ("ws", {})
        self.ws = await websockets.connect(f"{scheme}://127.0.0.1:{self.server.port}/ws",
                                           extra_headers=h, origin=origin, max_size=2 ** 24,
                                           **tls)
        self._changed = asyncio.Condition()
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                try:
                    for v in Client.validators:
                        v(frame, self)
                except AssertionError as e:
                    self.violations.append(e)
                    if frame.get("id") in self.waiting and "event" not in frame:
                        self.waiting.pop(frame["id"]).set_exception(e)
                self.frames.append(frame)
                if "event" in frame:
                    self.events.append(frame)
                elif frame.get("id") in self.waiting:
                    self.waiting.pop(frame["id"]).set_result(frame)
                async with self._changed:
                    self._changed.notify_all()
        except websockets.ConnectionClosed as e:
            self.closed = (e.code, e.reason)
        finally:
            self.closed = self.closed or (self.ws.close_code, self.ws.close_reason)
            for f in self.waiting.values():
                if not f.done():
                    f.set_exception(ConnectionError("closed"))
            async with self._changed:
                self._changed.notify_all()

    async def send_raw(self, text):
        await self.ws.send(text)

    async def request(self, op, **args):
        """Returns the whole reply object (ok or not)."""
        self.next_id += 1
        rid = self.next_id
        fut = asyncio.get_event_loop().create_future()
        self.waiting[rid] = fut
        self.sent[rid] = {"id": rid, "op": op, **args}
        await self.ws.send(json.dumps(self.sent[rid]))
        return await asyncio.wait_for(fut, 30)

    async def call(self, op, **args):
        """Returns the result of a successful reply; raises ProtocolError otherwise."""
        reply = await self.request(op, **args)
        if not reply["ok"]:
            raise ProtocolError(reply)
        return reply["result"]

    async def next_frame(self, timeout=10):
        """The next frame that is not a reply to a request made through call()."""
        start = len(self.frames)
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(
                lambda: len(self.frames) > start or self.closed), timeout)
        if len(self.frames) > start:
            return self.frames[start]
        raise ConnectionError(f"closed: {self.closed}")

    async def wait_for(self, pred, timeout=10):
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: pred(self) or self.closed),
                                   timeout)
        return pred(self)

    async def sync(self):
        """A barrier on this connection's own stream: returns once every frame the node queued
        for this connection before it handled a ping has arrived (replies and pushes share one
        ordered out-queue). The node runs the reactions to a write (detectors, notifications)
        before it handles any request that comes after the write's reply, so after sync()
        every event caused, on this node, by an op whose reply came earlier has arrived here
        too. Use it before asserting that something did NOT arrive, and before taking
        len(c.events) as a mark. Not a barrier for a subscription still replaying from the
        store (subscribe with an old since: wait for its head), nor for events that travel
        through Redis (wait for an event instead)."""
        await self.call("ping")

    async def wait_events(self, body, count, timeout=10):
        """Waits until count events of body arrived; returns them."""
        await self.wait_for(lambda c: len(c.body_events(body)) >= count, timeout)
        return self.body_events(body)

    def body_events(self, body):
        return [e for e in self.events if e["body"] == body]

    async def wait_closed(self, timeout=10):
        await self.wait_for(lambda c: c.closed is not None, timeout)
        return self.closed

    async def close(self):
        if self.ws:
            await self.ws.close()
        if self._reader:
            await asyncio.wait([self._reader], timeout=5)
        if self.violations:
            raise self.violations[0]


async def setup_world(server, admin):
    """A small world: one municipality, three organisations, five persons with passwords, and
    one body with a chair, a police member, a housing member and an observer. Returns a dict."""
    w = {}
    await admin.call("scope.create", name="Dordrecht", kind="gemeente")
    await admin.call("scope.create", name="Schiedam", kind="gemeente")
    orgs = {}
    for key, name, kind in [("gem", "Gemeente Testdam", "gemeente"),
                            ("pol", "Politie Testdam", "politie"),
                            ("woon", "Woonstichting Testdam", "woningcorporatie")]:
        orgs[key] = (await admin.call("org.create", name=name, kind=kind))["organisation"]["id"]
    w["orgs"] = orgs
    persons = {}
    for key, name, org in [("chair", "Carla Voorzitter", "gem"), ("sec", "Sem Secretaris", "gem"),
                           ("police", "Piet Politie", "pol"), ("housing", "Wim Woning", "woon"),
                           ("observer", "Olga Waarnemer", "gem"), ("outsider", "Otto Buiten", "pol")]:
        r = await admin.call("person.create", name=name, email=f"{key}@test.example",
                             org=orgs[org], function="test")
        persons[key] = r["person"]["id"]
        token = r["setup_url"].rsplit("/", 1)[1]
        status, _, raw = server.http("POST", "/api/password", {"token": token, "password": PASSWORD})
        assert status == 200, raw
    w["persons"] = persons
    body = (await admin.call("body.create", name="Regiegroep Test", kind="regiegroep",
                             scope="Dordrecht", level="tactisch", cadence="P6W",
                             mandate="Test"))["body"]["id"]
    w["body"] = body
    for key, role in [("chair", "voorzitter"), ("sec", "secretaris"), ("police", "lid"),
                      ("housing", "lid"), ("observer", "waarnemer")]:
        await admin.call("membership.add", body=body, person=persons[key], role=role)
    return w



class WorldCase(unittest.IsolatedAsyncioTestCase):
    """A test case on a fresh node with setup_world()'s world: self.server, self.w, self.body,
    self.p (persons), self.orgs; connect() logs someone in (closed at the end), refused()
    expects an error code, body_event() waits for an event of the body. NOW: the instant the
    node's clock starts at (default the run's shared test clock)."""

    NOW = None
    DEMO = False  # True: the demo's world instead (see DemoCase)

    def configure(self, server):
        """Called before the node starts (extra environment, files in server.dir)."""

    async def asyncSetUp(self):
        self.server = Server(self.id().rsplit(".", 1)[-1][:40], now=self.NOW, demo=self.DEMO)
        self.configure(self.server)
        if not self.DEMO:
            self.server.create_admin()
        self.server.start()
        self.clients = []
        if self.DEMO:
            return
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.w = await setup_world(self.server, admin)
        self.body, self.p, self.orgs = self.w["body"], self.w["persons"], self.w["orgs"]

    async def asyncTearDown(self):
        await self.close_clients()
        self.server.stop()
        self.server.cleanup()

    async def close_clients(self):
        """Closes every connection connect() made (before a test stops or kills the node)."""
        clients, self.clients = self.clients, []
        for c in clients:
            await c.close()

    async def connect(self, email, password=PASSWORD):
        c = await self.server.connect(self.server.login(email, password))
        self.clients.append(c)
        return c

    async def refused(self, client, code, op, **args):
        """The op is refused with code; returns the error's message."""
        with self.assertRaises(ProtocolError) as cm:
            await client.call(op, **args)
        self.assertEqual(cm.exception.code, code, cm.exception)
        return cm.exception.reply["error"]["message"]

    async def body_event(self, client, name, pred=lambda e: True):
        """The newest event called name (and matching pred) of the body, once it has come."""
        def matching(c):
            return [e for e in c.body_events(self.body) if e["event"] == name and pred(e)]
        await client.wait_for(lambda c: bool(matching(c)))
        return matching(client)[-1]


DEMO_PASSWORD = "welkom-ketentafel"


class DemoCase(WorldCase):
    """WorldCase on a fresh node loaded with the demo data (its bodies, people, meetings and
    planted overlaps) instead of setup_world's: as_() logs a demo person in; body_named(),
    next_meeting() and flags_for_item() find things in it."""

    DEMO = True

    async def as_(self, email):
        return await self.connect(email, DEMO_PASSWORD)

    async def body_named(self, client, prefix):
        bodies = (await client.call("body.list"))["bodies"]
        return [b for b in bodies if b["name"].startswith(prefix)][0]["id"]

    async def next_meeting(self, client, body):
        meetings = (await client.call("meeting.list", body=body))["meetings"]
        return [m for m in meetings if m["status"] in ("concept", "agenda_gepubliceerd")][0]["id"]

    async def flags_for_item(self, client, body, item):
        return [f for f in (await client.call("flag.list", body=body))["flags"]
                if f["kind"] == "duplicate" and f["here"]["item"] == item]


class Redis:
    """A real redis-server on a free loopback port, no persistence."""

    def __init__(self):
        self.port = free_port()
        self.proc = None
        self.started = False  # once nodes know its URL, a restart must keep the port

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        """Starts it and waits for PONG. free_port() only finds a port that was free a moment
        ago: when another process took it meanwhile, redis-server exits, and the first start is
        tried again on a fresh port (a restart keeps its port: the nodes have its URL)."""
        for attempt in range(5):
            self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind",
                                          "127.0.0.1", "--save", "", "--appendonly", "no"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         preexec_fn=die_with_parent)
            deadline = time.time() + 60  # a loaded machine
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
                        s.sendall(b"PING\r\n")
                        if s.recv(16).startswith(b"+PONG"):
                            self.started = True
                            return self
                except OSError:
                    time.sleep(0.05)
            if self.proc.poll() is None or self.started or attempt == 4:
                break
            self.port = free_port()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        raise TimeoutError("redis-server did not start")

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


class TwoNodeCase(unittest.IsolatedAsyncioTestCase):
    """Two nodes, a and b, sharing one store (a's database, or PostgreSQL under KT_TEST_PG) and
    one real Redis, with setup_world()'s world made through a: self.redis, self.a, self.b,
    self.w. KEYS are logged in once at the start (a session works on both nodes, and on b after
    a is gone); client(server, key) connects key to server, closed at the end. NAME prefixes
    the nodes' names; env_a() gives node a extra environment."""

    NAME = "node"
    KEYS = ("chair", "sec", "police", "housing")

    def env_a(self):
        return None

    async def asyncSetUp(self):
        self.redis = Redis().start()
        self.a = Server(f"{self.NAME}-a", extra=["--redis", self.redis.url], env=self.env_a())
        self.a.create_admin()
        self.a.start()
        self.b = Server(f"{self.NAME}-b", db=self.a.db, extra=["--redis", self.redis.url]).start()
        admin = await self.a.connect(self.a.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        self.w = await setup_world(self.a, admin)
        await admin.close()
        self.tokens = {k: self.a.login(f"{k}@test.example") for k in self.KEYS}
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()
        for s in (self.a, self.b):
            if s.proc:
                s.stop()
        self.redis.stop()
        self.b.cleanup()
        self.a.cleanup()

    async def client(self, server, key):
        c = await server.connect(self.tokens[key])
        self.clients.append(c)
        return c


def rss_anon_kb(pid):
    """Anonymous resident memory: what the process holds itself, without mapped file pages."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
