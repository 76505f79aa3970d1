"""What staying live costs the server per idle connection and minute (issue 15), for the two ways
a browser can do it:

  ping-op    the web client before heartbeats: the `ping` op every 25 s, each answered (an op:
             parse, dispatch, a read transaction, a reply); the server never pings such a client
  heartbeat  the web client now: /ws?heartbeat=30 and silence; the server sends a heartbeat frame
             when it sent the connection nothing for 30 s and pings it after 60 s of silence (the
             client answers the pings by itself, as browsers do)

Starts BINARY (default keepalive settings) on a copy of run-bodies' database (DB_DIR, made by
`bench/run-bodies`: kt.db and state.json with a session token), opens N idle connections spread
over the first 30 s, lets them settle for WARMUP s, then measures the server's CPU time over
WINDOW s (/proc/PID/stat) and prints it per connection and minute, with the frames counted.
Standard library plus python3-websockets; run it with /usr/bin/python3. Both modes may run at the
same time (two servers): CPU time is per process.

    /usr/bin/python3 bench/heartbeat_cost.py BINARY DB_DIR MODE [N] [WINDOW] [WARMUP]
"""
import asyncio
import random
import sys
import time

import websockets

from bench_common import Server, load


def main():
    if len(sys.argv) < 4 or sys.argv[3] not in ("ping-op", "heartbeat"):
        sys.exit(__doc__)
    kt, db, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    window = float(sys.argv[5]) if len(sys.argv) > 5 else 120
    warmup = float(sys.argv[6]) if len(sys.argv) > 6 else 70
    server = Server(kt, db, "hb-cost-" + mode)

    counts = {"ops": 0, "heartbeats": 0, "other": 0, "closed": 0}
    measuring = asyncio.Event()

    async def one(i, t_open):
        await asyncio.sleep(t_open)
        ws = await server.connect("?heartbeat=30" if mode == "heartbeat" else "",
                                  max_queue=None)
        try:
            if mode == "heartbeat":
                async for text in ws:
                    if measuring.is_set():
                        counts["heartbeats" if text.startswith('{"heartbeat"') else "other"] += 1
            else:
                k = 0
                await asyncio.sleep(random.uniform(0, 25))
                while True:
                    await ws.send('{"id":%d,"op":"ping"}' % k)
                    await ws.recv()
                    if measuring.is_set():
                        counts["ops"] += 1
                    k += 1
                    await asyncio.sleep(25)
        except websockets.exceptions.ConnectionClosed:
            counts["closed"] += 1

    async def run():
        await server.listening()
        tasks = [asyncio.ensure_future(one(i, 30.0 * i / n)) for i in range(n)]
        await asyncio.sleep(warmup)
        measuring.set()
        c0, t0 = server.cpu(), time.monotonic()
        await asyncio.sleep(window)
        c1, t1 = server.cpu(), time.monotonic()
        measuring.clear()
        minutes = (t1 - t0) / 60
        print("mode=%s conns=%d window_s=%.0f server_cpu_s=%.2f us_per_conn_per_min=%.1f "
              "pct_core=%.2f ops=%d heartbeats=%d other_frames=%d closed=%d load=%s"
              % (mode, n, t1 - t0, c1 - c0, (c1 - c0) / n / minutes * 1e6,
                 (c1 - c0) / (t1 - t0) * 100, counts["ops"], counts["heartbeats"],
                 counts["other"], counts["closed"], load()))
        for t in tasks:
            t.cancel()

    server.run(run())


if __name__ == "__main__":
    main()
