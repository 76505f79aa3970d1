"""Issue 4: the docker-compose topology. docker-compose.yml must parse (Debian's docker-compose
reads it without a Docker engine), and the same topology runs here without Docker: a real
redis-server, two real nodes on one database and Debian's haproxy with deploy/haproxy.cfg."""

import asyncio
import http.client
import json
import os
import re
import subprocess
import tempfile
import time
import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, ROOT, Redis, Server, die_with_parent, free_port,
                     setup_world)
from test_tls import make_cert


class ComposeFileTest(unittest.TestCase):
    def test_compose_file_parses_and_names_the_topology(self):
        r = subprocess.run(["docker-compose", "-f", os.path.join(ROOT, "docker-compose.yml"),
                            "config"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        for service in ("postgres:", "redis:", "node1:", "node2:", "lb:"):
            self.assertIn(service, r.stdout)
        self.assertIn("KT_REDIS_URL: redis://redis:6379", r.stdout)
        # TLS ends at the balancer, with a certificate made for local use on first start
        self.assertRegex(r.stdout, r"published: 8443\s+target: 8443")
        self.assertIn("KT_PUBLIC_URL: https://localhost:8443", r.stdout)
        self.assertIn("KT_TRUSTED_PROXIES: 172.31.240.10", r.stdout)
        self.assertIn("ipv4_address: 172.31.240.10", r.stdout)
        self.assertIn("openssl req -x509", r.stdout)
        self.assertIn("service_completed_successfully", r.stdout)
        import yaml  # Debian's docker-compose brings python3-yaml
        services = yaml.safe_load(r.stdout)["services"]
        for node in ("node1", "node2"):
            # Beyond one host: the store is PostgreSQL and the nodes share no volume.
            self.assertTrue(services[node]["environment"]["KT_DB"].startswith("postgresql://"))
            self.assertFalse(services[node].get("volumes"), node)


class LoadBalancerTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.redis = Redis().start()
        self.lb_port, self.plain_port = free_port(), free_port()
        # as in docker-compose.yml: the public URL is the balancer's https: one, and the nodes
        # believe the balancer's X-Forwarded-Proto
        behind = ["--redis", self.redis.url, "--trusted-proxies", "127.0.0.1",
                  "--public-url", f"https://localhost:{self.lb_port}"]
        self.a = Server("lb-node1", extra=behind, tls_proxy=False)  # haproxy is the proxy
        self.a.create_admin()
        self.a.start()
        self.b = Server("lb-node2", db=self.a.db, extra=behind, tls_proxy=False).start()
        cert, key = make_cert(self.a.dir, "lb")
        pem = os.path.join(self.a.dir, "lb.pem")
        with open(pem, "w") as out:
            for part in (cert, key):
                with open(part) as f:
                    out.write(f.read())
        with open(os.path.join(ROOT, "deploy", "haproxy.cfg")) as f:
            cfg = f.read()
        cfg = cfg.replace("bind :8443 ssl crt /usr/local/etc/haproxy/certs/ketentafel.pem",
                          f"bind 127.0.0.1:{self.lb_port} ssl crt {pem}")
        cfg = cfg.replace("bind :8080", f"bind 127.0.0.1:{self.plain_port}")
        cfg = cfg.replace(":8443%[capture.req.uri]", f":{self.lb_port}%[capture.req.uri]")
        cfg = cfg.replace("node1:8080", f"127.0.0.1:{self.a.port}")
        cfg = cfg.replace("node2:8080", f"127.0.0.1:{self.b.port}")
        cfg = re.sub(r"maxconn \d+", "maxconn 1000", cfg)
        self.cfg = tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False)
        self.cfg.write(cfg)
        self.cfg.close()
        self.haproxy = subprocess.Popen(["haproxy", "-f", self.cfg.name, "-db"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        preexec_fn=die_with_parent)
        self.lb = Server("lb-view", tls=(cert, key))  # only used for its HTTP/WS helpers
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

    async def test_tls_ends_at_the_balancer_and_plain_http_only_redirects(self):
        status, headers, _ = self.lb.http("GET", "/")
        self.assertEqual(status, 200)
        h = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(h["strict-transport-security"], "max-age=31536000")
        # the plain port answers with a redirect to HTTPS and nothing else
        conn = http.client.HTTPConnection("127.0.0.1", self.plain_port, timeout=10)
        conn.request("POST", "/api/login", body="{}", headers={"Host": "localhost"})
        r = conn.getresponse()
        self.assertEqual(r.status, 301)
        self.assertEqual(r.getheader("Location"), f"https://localhost:{self.lb_port}/api/login")
        conn.close()
        # a login over the balancer's TLS is taken; the same login to a node in clear is not
        self.lb.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        status, _, raw = self.a.http("POST", "/api/login",
                                     {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        self.assertEqual((status, json.loads(raw)["error"]["code"]), (403, "tls_required"))

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
