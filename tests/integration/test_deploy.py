"""Issue 4: the docker-compose topology. docker-compose.yml must parse (Debian's docker-compose
reads it without a Docker engine), and the same topology runs here without Docker: a real
redis-server, two real nodes on one database and Debian's haproxy with deploy/haproxy.cfg."""

import asyncio
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, ROOT, Redis, Server, die_with_parent, free_port,
                     setup_world)


class ComposeFileTest(unittest.TestCase):
    def test_compose_file_parses_and_names_the_topology(self):
        r = subprocess.run(["docker-compose", "-f", os.path.join(ROOT, "docker-compose.yml"),
                            "config"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        for service in ("redis:", "node1:", "node2:", "lb:"):
            self.assertIn(service, r.stdout)
        self.assertIn("KT_REDIS_URL: redis://redis:6379", r.stdout)


class LoadBalancerTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.redis = Redis().start()
        self.a = Server("lb-node1", extra=["--redis", self.redis.url])
        self.a.create_admin()
        self.a.start()
        self.b = Server("lb-node2", db=self.a.db, extra=["--redis", self.redis.url]).start()
        with open(os.path.join(ROOT, "deploy", "haproxy.cfg")) as f:
            cfg = f.read()
        self.lb_port = free_port()
        cfg = cfg.replace("bind :8080", f"bind 127.0.0.1:{self.lb_port}")
        cfg = cfg.replace("node1:8080", f"127.0.0.1:{self.a.port}")
        cfg = cfg.replace("node2:8080", f"127.0.0.1:{self.b.port}")
        cfg = re.sub(r"maxconn \d+", "maxconn 1000", cfg)
        self.cfg = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
        self.cfg.write(cfg)
        self.cfg.close()
        self.haproxy = subprocess.Popen(["haproxy", "-f", self.cfg.name, "-db"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=die_with_parent)
        self.lb = Server("lb-view")  # only used for its HTTP/WS helpers
        self.lb.port = self.lb_port
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
        self.b.stop()
        self.a.stop()
        self.redis.stop()
        self.a.cleanup()
        self.b.cleanup()
        self.lb.cleanup()

    async def test_clients_through_the_balancer_share_one_conversation(self):
        admin = await self.lb.connect(self.lb.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        w = await setup_world(self.lb, admin)
        await admin.close()
        body = w["body"]
        clients = []
        for key in ("police", "housing", "observer", "sec"):
            c = await self.lb.connect(self.lb.login(f"{key}@test.example"))
            head = (await c.call("body.get", body=body))["seq"]
            await c.call("subscribe", body=body, since=head)
            clients.append(c)
        # leastconn spread the sessions over both nodes
        for node in (self.a, self.b):
            metrics = node.ops_http("/metrics")[2].decode()
            m = re.search(r'^kt_connections\{node="[^"]+"\} (\d+)', metrics, re.M)
            self.assertGreaterEqual(int(m.group(1)), 1, f"no sessions on {node.name}")
        chair = await self.lb.connect(self.lb.login("chair@test.example"))
        for i in range(10):
            await chair.call("chat.post", body=body, text=f"via lb {i}")
        for c in clients:
            evs = await c.wait_events(body, 10)
            self.assertEqual([e["data"]["message"]["text"] for e in evs],
                             [f"via lb {i}" for i in range(10)])
            await c.close()
        await chair.close()


if __name__ == "__main__":
    unittest.main()
