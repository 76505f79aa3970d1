"""What one `ping` op costs the server (issue 15): the web client sends one every 25 s, so at
20,000 browsers that is 800 a second. Starts BINARY on a copy of run-bodies' database (DB_DIR,
made by `bench/run-bodies`: kt.db and state.json with a session token), sends N pings one after
the other over one WebSocket, each after the previous reply (as idle browsers do: each one wakes
the loop by itself), and prints the server's CPU time per ping (/proc/PID/stat). Standard library
plus python3-websockets; run it with /usr/bin/python3.

    /usr/bin/python3 bench/ping_cost.py BINARY DB_DIR [N]
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time

import websockets


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    kt, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    work = os.path.join(db, "ping-cost")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for f in os.listdir(db):
        if f.startswith("kt.db"):
            shutil.copy(os.path.join(db, f), work)
    token = json.load(open(os.path.join(db, "state.json")))["token"]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    web = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web")
    server = subprocess.Popen([kt, "--port", str(port), "--db", os.path.join(work, "kt.db"),
                               "--listen", "127.0.0.1", "--metrics-listen", "127.0.0.1:0",
                               "--sync", "normal", "--session-hours", "2160", "--web", web],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cpu():
        f = open(f"/proc/{server.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    async def run():
        for _ in range(100):
            try:
                ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws",
                                              extra_headers={"Cookie": "kt_session=" + token},
                                              ping_interval=None)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            sys.exit("the server did not start")
        for i in range(200):  # warm-up
            await ws.send('{"id":%d,"op":"ping"}' % i)
            await ws.recv()
        c0, t0 = cpu(), time.monotonic()
        for i in range(n):
            await ws.send('{"id":%d,"op":"ping"}' % i)
            await ws.recv()
        c1 = cpu()
        print("pings=%d server_cpu_s=%.2f cpu_us_per_ping=%.1f wall_s=%.1f load=%s"
              % (n, c1 - c0, (c1 - c0) / n * 1e6, time.monotonic() - t0,
                 open("/proc/loadavg").read().split()[0]))
        await ws.close()

    try:
        asyncio.run(run())
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
