"""A node at its open-file limit: connections beyond what the limit leaves room for are closed at
once (and counted), the node keeps serving the ones it has and does not spin on a listening socket
it cannot accept from; the operators' listener still answers; once connections go away the node
accepts again."""

import http.client
import resource
import socket
import time
import unittest

from harness import Server

NOFILE = 160  # the server's open-file limit in this test; it keeps 32 for itself


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks of 1/100 s


class OpenFileLimitTest(unittest.TestCase):
    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, hard))  # inherited by the server
        try:
            self.server = Server("limits")
            self.server.create_admin()
            self.server.start()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()
        self.server.stop()
        self.server.cleanup()

    def open_many(self, n):
        """Opens n connections; returns (kept open, closed by the server at once). Each is then
        asked for /healthz: one the node took answers it, one it refused is closed. A connection
        still in the listen backlog of a slow node is answered or closed once the node gets to
        it, so nothing here is guessed by time."""
        opened = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
            opened.append(s)
        self.socks += opened
        kept, closed = [], []
        for s in opened:
            s.settimeout(60)
            try:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                got = s.recv(16)
            except (ConnectionResetError, BrokenPipeError):
                got = b""
            self.assertTrue(got == b"" or got.startswith(b"HTTP/1.1 200"), got)
            (kept if got else closed).append(s)
        return kept, closed

    def test_connections_beyond_the_limit_are_closed_and_the_node_keeps_serving(self):
        pid = self.server.proc.pid
        kept, closed = self.open_many(NOFILE + 40)
        self.assertTrue(closed, "no connection was refused at the open-file limit")
        self.assertGreater(len(kept), NOFILE // 2)
        self.assertLess(len(kept), NOFILE - 16)  # room is left for the node's own files
        # Not spinning: over a second at the limit the node uses little CPU.
        cpu0 = cpu_seconds(pid)
        time.sleep(1)
        self.assertLess(cpu_seconds(pid) - cpu0, 0.5, "the node spins at its open-file limit")
        # The operators' listener still answers, and counted the refusals.
        status, _, body = self.server.ops_http("/metrics")
        self.assertEqual(status, 200)
        refused = [line for line in body.decode().splitlines()
                   if line.startswith("kt_connections_refused_total")]
        self.assertTrue(refused and int(refused[0].rsplit(" ", 1)[1]) >= len(closed), refused)
        # Connections that go away make room again on the public port.
        for s in kept[:20]:
            s.close()
        deadline = time.monotonic() + 60  # the node notices the closes in its own time
        while True:
            try:
                status, _, _ = self.server.http("GET", "/healthz")
                break
            except (OSError, http.client.HTTPException):  # refused: not yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
