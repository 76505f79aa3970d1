#!/usr/bin/python3
"""The body.suggest flood of the security review (issue 14): one demo user sends N requests of
1,000 random characters (and a random scope on every other one) to "waar hoort dit thuis?";
prints the server's resident memory before and after, and the index's term count from /metrics.
Before the fix every unknown word joined the vocabulary for good (10,000 requests: 19 -> 274 MB).

Usage: bench/suggest_flood.py [--binary build/ketentafel] [--requests 10000]
Needs Debian's python3-websockets (run with /usr/bin/python3). Prints figures; never fails on one."""

import argparse
import asyncio
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import Server, rss_kb, rss_anon_kb  # noqa: E402


def terms(server):
    body = server.ops_http("/metrics")[2].decode()
    for line in body.splitlines():
        if line.startswith("kt_detect_terms{"):
            return int(line.rsplit(" ", 1)[1])
    return -1


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "ketentafel"))
    ap.add_argument("--requests", type=int, default=10000)
    a = ap.parse_args()
    os.environ["KT_BINARY"] = os.path.abspath(a.binary)
    import harness
    harness.BINARY = os.path.abspath(a.binary)
    server = Server("suggest-flood", demo=True)
    server.start()
    try:
        c = await server.connect(server.login("s.bakker@dordrecht.example", "welkom-ketentafel"))
        await c.call("body.suggest", text="PmG", scope=None)
        pid = server.proc.pid
        r0, a0, t0 = rss_kb(pid), rss_anon_kb(pid), terms(server)
        rnd = random.Random(14)
        start = time.monotonic()
        for i in range(a.requests):
            text = "x" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz    ")
                                 for _ in range(998)) + "x"
            kw = {"scope": f"Regio {text[1:7].strip()}x"} if i % 2 else {}
            await c.call("body.suggest", text=text, limit=5, **kw)
        wall = time.monotonic() - start
        r1, a1, t1 = rss_kb(pid), rss_anon_kb(pid), terms(server)
        print(f"requests={a.requests} wall={wall:.1f}s ({wall / a.requests * 1000:.2f} ms each)")
        print(f"rss before={r0 / 1024:.1f} MiB after={r1 / 1024:.1f} MiB; "
              f"anonymous before={a0 / 1024:.1f} MiB after={a1 / 1024:.1f} MiB")
        print(f"index terms before={t0} after={t1}")
        await c.close()
    finally:
        server.stop(check=False)
        server.cleanup()


asyncio.run(main())
