"""Keepalive: the server pings a WebSocket that has been silent for --ping-secs and drops one that
stays silent for 2.5 times as long; a client that answers pings stays connected however long it
says nothing else. A client that asked for heartbeats (/ws?heartbeat=S) hears from the server at
least every `within` seconds without asking. And a server that stops says so: every client gets
close code 1001."""

import asyncio
import base64
import json
import os
import socket
import time
import unittest

import websockets

import schema
from harness import ADMIN_EMAIL, ADMIN_PASSWORD, Server


def raw_upgrade(port, token):
    """A WebSocket that completes the handshake and then never answers anything."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise AssertionError("upgrade refused: connection closed")
        head += chunk
    status = head.split(b"\r\n", 1)[0]
    if b" 101 " not in status:
        raise AssertionError(f"upgrade refused: {status!r}")
    return s, head.split(b"\r\n\r\n", 1)[1]


def frames(data):
    """(opcode, payload) of each complete server frame in data (servers do not mask)."""
    out = []
    while len(data) >= 2:
        op, n = data[0] & 0x0F, data[1] & 0x7F
        at = 2
        if n == 126:
            n, at = int.from_bytes(data[2:4], "big"), 4
        elif n == 127:
            n, at = int.from_bytes(data[2:10], "big"), 10
        if len(data) < at + n:
            break
        out.append((op, data[at:at + n]))
        data = data[at + n:]
    return out


class KeepaliveTest(unittest.IsolatedAsyncioTestCase):
    PING = 1  # seconds: the silent peer must be gone within 2.5 s plus one sweep

    @classmethod
    def setUpClass(cls):
        cls.server = Server("keepalive", extra=["--ping-secs", str(cls.PING)])
        cls.server.create_admin()
        cls.server.start()
        cls.token = cls.server.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def test_silent_peer_is_pinged_then_dropped_and_answering_peer_stays(self):
        # websockets answers pings by itself; with ping_interval=None it sends none of its own,
        # so only its pongs to the server's pings keep it alive.
        live = await websockets.connect(f"ws://127.0.0.1:{self.server.port}/ws",
                                        extra_headers={"Authorization": "Bearer " + self.token},
                                        ping_interval=None)
        silent, data = raw_upgrade(self.server.port, self.token)
        silent.settimeout(0.2)
        started = time.monotonic()
        closed_after = None
        while time.monotonic() - started < 8 * self.PING:
            try:
                chunk = await asyncio.to_thread(silent.recv, 4096)
            except (socket.timeout, TimeoutError):
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed_after = time.monotonic() - started
                break
            data += chunk
        silent.close()
        ops = [op for op, _ in frames(data)]
        self.assertIn(0x9, ops, "the silent peer was never pinged")
        self.assertIsNotNone(closed_after, "the silent peer was never dropped")
        self.assertGreaterEqual(closed_after, 2.5 * self.PING - 0.5)
        # ... and told why, with a close frame before the connection ended
        closes = [p for op, p in frames(data) if op == 0x8]
        self.assertTrue(closes, "the silent peer was dropped without a close frame")
        self.assertEqual(int.from_bytes(closes[0][:2], "big"), 1001)
        # The answering peer outlived the silent one and still works.
        await live.send('{"id": 1, "op": "ping"}')
        reply = await asyncio.wait_for(live.recv(), 5)
        self.assertIn('"ok":true', reply.replace(" ", ""))
        await live.close()


class HeartbeatTest(unittest.IsolatedAsyncioTestCase):
    PING = 1  # --ping-secs: one sweep every 333 ms

    @classmethod
    def setUpClass(cls):
        cls.server = Server("heartbeat", extra=["--ping-secs", str(cls.PING)])
        cls.server.create_admin()
        cls.server.start()
        cls.token = cls.server.login(ADMIN_EMAIL, ADMIN_PASSWORD)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def connect(self, query=""):
        # websockets answers the server's pings by itself and sends none of its own
        return await websockets.connect(f"ws://127.0.0.1:{self.server.port}/ws{query}",
                                        extra_headers={"Authorization": "Bearer " + self.token},
                                        ping_interval=None)

    async def frames_for(self, ws, secs):
        """(arrival time, frame) of every text frame within secs."""
        got, end = [], time.monotonic() + secs
        while (left := end - time.monotonic()) > 0:
            try:
                text = await asyncio.wait_for(ws.recv(), left)
            except asyncio.TimeoutError:
                break
            got.append((time.monotonic(), json.loads(text)))
        return got

    async def test_a_silent_client_that_asked_hears_a_heartbeat_within_the_bound(self):
        ws = await self.connect("?heartbeat=2")
        opened = time.monotonic()
        got = await self.frames_for(ws, 7)
        beats = [(t, f) for t, f in got if "heartbeat" in f]
        self.assertEqual(len(beats), len(got), got)  # nothing else was sent to it
        for _, f in beats:
            schema.check_frame(f)
        # the first at once, saying the bound: 2 s plus one sweep (333 ms), rounded up
        self.assertEqual(beats[0][1], {"heartbeat": {"within": 3}})
        self.assertLess(beats[0][0] - opened, 1.5)
        self.assertGreaterEqual(len(beats), 3, "no heartbeats after the first")
        self.assertLessEqual(len(beats), 5, "more often than asked")  # 1 + 7 s / 2 s, and one
        # still open: its pongs keep it (it said nothing for 7 s, 2.5 ping intervals is 2.5 s)
        await ws.send('{"id": 1, "op": "ping"}')
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        self.assertTrue(reply["ok"], reply)
        await ws.close()

    async def test_frames_on_their_way_stand_in_for_heartbeats(self):
        ws = await self.connect("?heartbeat=3")
        first = json.loads(await asyncio.wait_for(ws.recv(), 5))
        self.assertEqual(first, {"heartbeat": {"within": 4}})
        seen = []
        for i in range(10):  # a reply every 0.4 s: the server is never silent for 3 s
            await ws.send(json.dumps({"id": i, "op": "ping"}))
            seen += [f for _, f in await self.frames_for(ws, 0.4)]
        self.assertEqual([f for f in seen if "heartbeat" in f], [])
        self.assertEqual(len([f for f in seen if f.get("ok")]), 10)
        await ws.close()

    async def test_no_heartbeat_unless_asked_for_validly(self):
        for query in ("", "?heartbeat=0", "?heartbeat=abc", "?heartbeat=3601"):
            ws = await self.connect(query)
            got = await self.frames_for(ws, 2.5)
            self.assertEqual(got, [], query)
            await ws.send('{"id": 1, "op": "ping"}')  # the old way still works
            reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
            self.assertTrue(reply["ok"], (query, reply))
            await ws.close()


class ShutdownTest(unittest.IsolatedAsyncioTestCase):
    async def test_stopping_server_closes_every_client_with_1001(self):
        server = Server("shutdown")
        server.create_admin()
        server.start()
        try:
            token = server.login(ADMIN_EMAIL, ADMIN_PASSWORD)
            clients = [await websockets.connect(f"ws://127.0.0.1:{server.port}/ws",
                                                extra_headers={"Authorization": "Bearer " + token},
                                                ping_interval=None) for _ in range(3)]
            stopped = asyncio.ensure_future(asyncio.to_thread(server.stop))  # checks a clean exit
            for ws in clients:
                with self.assertRaises(websockets.exceptions.ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 10)
                self.assertEqual((ws.close_code, ws.close_reason), (1001, "server stopt"))
            await stopped
        finally:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
