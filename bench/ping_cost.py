"""What one `ping` op costs the server (issue 15): the web client sends one every 25 s, so at
20,000 browsers that is 800 a second. Starts BINARY on a copy of run-bodies' database (DB_DIR,
made by `bench/run-bodies`: kt.db and state.json with a session token), sends N pings one after
the other over one WebSocket, each after the previous reply (as idle browsers do: each one wakes
the loop by itself), and prints the server's CPU time per ping (/proc/PID/stat). Standard library
plus python3-websockets; run it with /usr/bin/python3.

    /usr/bin/python3 bench/ping_cost.py BINARY DB_DIR [N]
"""
import sys
import time

from bench_common import Server, load


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    kt, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    server = Server(kt, db, "ping-cost")

    async def run():
        ws = await server.connect(tries=100)
        for i in range(200):  # warm-up
            await ws.send('{"id":%d,"op":"ping"}' % i)
            await ws.recv()
        c0, t0 = server.cpu(), time.monotonic()
        for i in range(n):
            await ws.send('{"id":%d,"op":"ping"}' % i)
            await ws.recv()
        c1 = server.cpu()
        print("pings=%d server_cpu_s=%.2f cpu_us_per_ping=%.1f wall_s=%.1f load=%s"
              % (n, c1 - c0, (c1 - c0) / n * 1e6, time.monotonic() - t0, load()))
        await ws.close()

    server.run(run())


if __name__ == "__main__":
    main()
