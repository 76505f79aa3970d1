"""What the Python cost benchmarks (ping_cost, heartbeat_cost, react_cost) share, as common.c is
for the C load generators: a server started on a private copy of run-bodies' database (DB_DIR,
made by `bench/run-bodies`: kt.db and state.json with a session token), the CPU time of a process
or thread from /proc, a WebSocket logged in with the session cookie, and the load average to print
beside each figure. Standard library plus python3-websockets; run the benchmarks with
/usr/bin/python3.
"""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys

import websockets

WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def load():
    """The one-minute load average, as /proc/loadavg says it."""
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def cpu_seconds(pid, tid=None):
    """User+system CPU seconds of process pid (/proc/PID/stat), or of its thread tid
    (/proc/PID/task/TID/stat)."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """BINARY serving a copy of DB_DIR's kt.db* in DB_DIR/NAME (made afresh, removed by stop()),
    on a free port, with the settings run-bodies' nodes have. state: DB_DIR's state.json;
    metrics_port: where /metrics answers (None: a port of the server's choosing)."""

    def __init__(self, binary, db_dir, name, metrics_port=None):
        self.work = os.path.join(db_dir, name)
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        for f in os.listdir(db_dir):
            if f.startswith("kt.db"):
                shutil.copy(os.path.join(db_dir, f), self.work)
        with open(os.path.join(db_dir, "state.json")) as f:
            self.state = json.load(f)
        self.token = self.state["token"]
        self.port = free_port()
        self.metrics_port = metrics_port
        metrics = f"127.0.0.1:{metrics_port if metrics_port else 0}"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--db", os.path.join(self.work, "kt.db"),
             "--listen", "127.0.0.1", "--metrics-listen", metrics, "--sync", "normal",
             "--session-hours", "2160", "--web", WEB],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pid = self.proc.pid

    def cpu(self):
        """The server process's CPU seconds so far."""
        return cpu_seconds(self.pid)

    def loop_cpu(self):
        """The CPU seconds so far of the server's main thread (the event loop)."""
        return cpu_seconds(self.pid, self.pid)

    async def connect(self, query="", tries=None, **kwargs):
        """A WebSocket to /ws + query, logged in by the session cookie. tries: retried every 0.1 s
        while the server is starting, that many times at the most (then the benchmark exits);
        None: one attempt, its error raised. kwargs go to websockets.connect (ping_interval is
        None unless given)."""
        url = f"ws://127.0.0.1:{self.port}/ws{query}"
        headers = {"Cookie": "kt_session=" + self.token}
        kwargs.setdefault("ping_interval", None)
        if tries is None:
            return await websockets.connect(url, extra_headers=headers, **kwargs)
        for _ in range(tries):
            try:
                return await websockets.connect(url, extra_headers=headers, **kwargs)
            except OSError:
                await asyncio.sleep(0.1)
        sys.exit("the server did not start")

    async def listening(self, tries=100):
        """Returns once the server accepts TCP connections (retried every 0.1 s, tries times at the
        most; then the benchmark exits)."""
        for _ in range(tries):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        sys.exit("the server did not start")

    def run(self, main):
        """Runs the coroutine main to its end, then stops the server however main ended."""
        try:
            asyncio.run(main)
        finally:
            self.stop()

    def stop(self):
        """Stops the server and removes its copy of the database."""
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.work, ignore_errors=True)
