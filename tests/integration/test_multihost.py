"""Issue 12: the topology beyond one host. Two nodes that share no file (separate working
directories, the store is PostgreSQL), one Redis, HAProxy in front. Writers on both nodes, a
node SIGKILLed and restarted, Redis restarted, all while subscribers listen through the balancer:
no acknowledged write is lost, and every subscriber receives every event once, in order.

Runs when the suite runs against PostgreSQL (KT_TEST_PG, as scripts/test does in its second
pass); on SQLite the nodes would have to share a file, which is the one-host topology
test_multinode covers."""

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, PG_BASE, ROOT, Redis, Server,
                     die_with_parent, free_port, setup_world)
from test_tls import make_cert


class Listener:
    """A subscriber through the balancer that survives its node: it remembers the last seq and
    resubscribes from there on whatever node the balancer gives it next."""

    def __init__(self, lb, token, body, since):
        self.lb, self.token, self.body, self.last = lb, token, body, since
        self.seqs, self.texts = [], []
        self.task = None
        self.stopping = False

    async def run(self):
        while not self.stopping:
            try:
                client = await self.lb.connect(self.token)
                pump = asyncio.ensure_future(self.pump(client))
                await client.call("subscribe", body=self.body, since=self.last)
                await pump
            except Exception:  # the node died, or the balancer has none up (503): again
                pass
            await asyncio.sleep(0.1)

    async def pump(self, client):
        seen = 0
        while True:
            await client.wait_for(lambda c: len(c.events) > seen or c.closed is not None, 3600)
            for e in client.events[seen:]:
                if e["body"] == self.body:
                    self.seqs.append(e["seq"])
                    self.last = e["seq"]
                    if e["event"] == "chat.posted":
                        self.texts.append(e["data"]["message"]["text"])
            seen = len(client.events)
            if client.closed is not None and seen == len(client.events):
                return

    def start(self):
        self.task = asyncio.ensure_future(self.run())

    async def stop(self):
        self.stopping = True
        self.task.cancel()
        try:
            await self.task
        except (asyncio.CancelledError, Exception):
            pass


@unittest.skipUnless(PG_BASE, "needs PostgreSQL (KT_TEST_PG): nodes on several hosts share no file")
class MultiHostTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.redis = Redis().start()
        self.a = Server("host-a", extra=["--redis", self.redis.url])
        self.a.create_admin()
        self.a.start()
        # Another working directory, the same PostgreSQL database: nothing shared but the URL.
        self.b = Server("host-b", db=self.a.db, extra=["--redis", self.redis.url]).start()
        self.assertNotEqual(self.a.dir, self.b.dir)
        self.assertTrue(self.a.db.startswith("postgres"))
        # deploy/haproxy.cfg as it is, but for the addresses: the balancer terminates TLS (with
        # a certificate made here, in one PEM as HAProxy wants it) and passes plain HTTP on.
        self.certdir = tempfile.mkdtemp(prefix="kt-multihost-")
        cert, key = make_cert(self.certdir, "lb")
        pem = os.path.join(self.certdir, "lb.pem")
        with open(pem, "w") as out:
            for part in (cert, key):
                with open(part) as f:
                    out.write(f.read())
        with open(os.path.join(ROOT, "deploy", "haproxy.cfg")) as f:
            cfg = f.read()
        port, plain = free_port(), free_port()
        for old, new in (("bind :8443 ssl crt /usr/local/etc/haproxy/certs/ketentafel.pem",
                          f"bind 127.0.0.1:{port} ssl crt {pem}"),
                         ("bind :8080", f"bind 127.0.0.1:{plain}"),
                         ("node1:8080", f"127.0.0.1:{self.a.port}"),
                         ("node2:8080", f"127.0.0.1:{self.b.port}")):
            self.assertIn(old, cfg, "deploy/haproxy.cfg changed: adapt this test")
            cfg = cfg.replace(old, new)
        cfg = re.sub(r"maxconn \d+", "maxconn 1000", cfg)
        self.cfg = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
        self.cfg.write(cfg)
        self.cfg.close()
        self.haproxy = subprocess.Popen(["haproxy", "-f", self.cfg.name, "-db"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=die_with_parent)
        # its HTTPS/WSS helpers, aimed at the balancer (trusting the certificate made above)
        self.lb = Server("host-lb", db=self.a.db, tls=(cert, key))
        self.lb.port = port
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if self.lb.http("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            await asyncio.sleep(0.1)

    async def asyncTearDown(self):
        self.haproxy.terminate()
        self.haproxy.wait(timeout=10)
        os.unlink(self.cfg.name)
        shutil.rmtree(self.certdir, ignore_errors=True)
        for s in (self.a, self.b):
            if s.proc:
                s.stop()
        self.redis.stop()
        for s in (self.a, self.b, self.lb):
            s.cleanup()

    async def test_kill_a_node_and_restart_redis_lose_nothing(self):
        admin = await self.lb.connect(self.lb.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        w = await setup_world(self.lb, admin)
        await admin.close()
        body = w["body"]
        chair = self.lb.login("chair@test.example")
        head = (await (await self.lb.connect(chair)).call("body.get", body=body))["seq"]
        listeners = [Listener(self.lb, self.lb.login(f"{k}@test.example"), body, head)
                     for k in ("police", "housing", "sec", "police")]
        for listener in listeners:
            listener.start()
        await asyncio.sleep(0.5)

        acked = []
        stop = asyncio.Event()

        async def writer(node, tag):
            """Writes through one node; when it dies, on through the balancer."""
            target, i = node, 0
            while not stop.is_set():
                try:
                    c = await target.connect(chair)
                    while not stop.is_set():
                        text = f"{tag}-{i}"
                        i += 1
                        r = await c.call("chat.post", body=body, text=text)
                        acked.append(r["message"]["text"])
                except Exception:  # noqa: BLE001 (ProtocolError, a dropped socket, a 503)
                    target = self.lb  # the node went away: on through whichever is up
                    await asyncio.sleep(0.1)

        writers = [asyncio.ensure_future(writer(self.a, "a")),
                   asyncio.ensure_future(writer(self.b, "b"))]
        await asyncio.sleep(1.5)
        self.b.kill()                 # SIGKILL: no shutdown at all
        await asyncio.sleep(1.5)
        self.b.start()
        await asyncio.sleep(1.0)
        self.redis.stop()             # the bus goes away and comes back empty
        await asyncio.sleep(1.0)
        self.redis.start()
        await asyncio.sleep(1.5)
        stop.set()
        await asyncio.gather(*writers, return_exceptions=True)

        self.assertGreater(len(acked), 20)
        final = (await (await self.lb.connect(chair)).call("body.get", body=body))["seq"]
        # Zero acknowledged writes lost: every acknowledged message is in the store.
        reader = await self.a.connect(chair)
        stored, before = set(), None
        while True:
            args = {"before": before} if before else {}
            hist = await reader.call("chat.history", body=body, limit=200, **args)
            stored |= {m["text"] for m in hist["messages"]}
            if not hist["more"]:
                break
            before = hist["messages"][0]["id"]
        self.assertEqual(set(acked) - stored, set())
        print(f"multihost: {len(acked)} acknowledged writes over both nodes, events "
              f"{head + 1}..{final}, {len(listeners)} subscribers", flush=True)
        # Every subscriber: every event once, in order, up to the last.
        deadline = time.time() + 60
        while time.time() < deadline and any(l.last < final for l in listeners):
            await asyncio.sleep(0.2)
        for listener in listeners:
            await listener.stop()
            self.assertEqual(listener.seqs, list(range(head + 1, final + 1)))
            self.assertEqual(set(acked) - set(listener.texts), set())
