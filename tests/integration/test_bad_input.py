"""Issue 2, bad input: every malformed or unauthorised request gets its own error code, the
connection survives where the protocol allows (a ping afterwards is answered), and nothing is
written (the body's seq and the data read back are unchanged). Against the real binary, over
HTTP, the websockets library and, for what that library will not send (invalid UTF-8 in a text
frame, fragments split inside a character), a small raw RFC 6455 client."""

import asyncio
import base64
import json
import os
import socket
import struct
import subprocess
import unittest

import websockets

import schema
from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, BINARY, PASSWORD, ProtocolError, Server,
                     setup_world)
from test_protocol_contract import baseline, invalid_values

MAX_FRAME = 64 * 1024


class RawWebSocket:
    """A minimal RFC 6455 client on a blocking socket: sends exactly the frames it is given."""

    def __init__(self, port, token=None, origin=None, path="/ws"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        head = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\n")
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        if origin:
            head += f"Origin: {origin}\r\n"
        self.sock.sendall((head + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                break
            self.buf += data
        response, _, self.buf = self.buf.partition(b"\r\n\r\n")
        line = response.split(b"\r\n", 1)[0].split()
        self.status = int(line[1]) if len(line) > 1 else None  # None: closed without a reply

    def send_frame(self, opcode, payload, fin=True):
        mask = os.urandom(4)
        n = len(payload)
        first = bytes([(0x80 if fin else 0) | opcode])
        if n < 126:
            length = bytes([0x80 | n])
        elif n < 65536:
            length = bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            length = bytes([0x80 | 127]) + struct.pack(">Q", n)
        self.sock.sendall(first + length + mask +
                          bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _need(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed")
            self.buf += data

    def recv_frame(self):
        """(opcode, payload) of the next frame; unmasked server frames."""
        self._need(2)
        n, off = self.buf[1] & 0x7F, 2
        if n == 126:
            self._need(4)
            n, off = struct.unpack(">H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, off = struct.unpack(">Q", self.buf[2:10])[0], 10
        self._need(off + n)
        opcode, payload = self.buf[0] & 0x0F, self.buf[off:off + n]
        self.buf = self.buf[off + n:]
        return opcode, payload

    def recv_json(self):
        opcode, payload = self.recv_frame()
        if opcode != 1:
            raise AssertionError(f"expected a text frame, got opcode {opcode}: {payload[:80]}")
        frame = json.loads(payload)
        schema.check_frame(frame)
        return frame

    def recv_close(self):
        """The close code of the server's close frame (skipping other frames)."""
        while True:
            opcode, payload = self.recv_frame()
            if opcode == 8:
                return struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None

    def close(self):
        self.sock.close()


def ws_refused(server, **kw):
    """Whether a WebSocket upgrade is refused (no 101)."""
    raw = RawWebSocket(server.port, **kw)
    try:
        return raw.status != 101
    finally:
        raw.close()


class BadInputTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("badinput")
        cls.server.create_admin()
        cls.server.start()
        cls.tokens = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        self.clients = []
        if not hasattr(BadInputTest, "world"):
            admin = await self.server.connect(self.token(ADMIN_EMAIL, ADMIN_PASSWORD))
            w = await setup_world(self.server, admin)
            chair = await self.server.connect(self.token("chair@test.example"))
            w["meeting"] = (await chair.call("meeting.create", body=w["body"],
                                             start="2027-02-01T09:00:00Z",
                                             end="2027-02-01T11:00:00Z"))["meeting"]["id"]
            w["item"] = (await chair.call("agenda.add", meeting=w["meeting"],
                                          title="Open punt"))["item"]["id"]
            w["secret"] = (await chair.call("agenda.add", meeting=w["meeting"],
                                            title="Casus vertrouwelijk", confidential=True,
                                            relevant=[{"org": w["orgs"]["pol"]}]))["item"]["id"]
            police = await self.server.connect(self.token("police@test.example"))
            w["action"] = (await police.call("action.create", body=w["body"], text="Open actie"
                                             ))["action"]["id"]
            w["secret_action"] = (await police.call("action.create", body=w["body"],
                                                    text="Vertrouwelijke actie",
                                                    item=w["secret"]))["action"]["id"]
            await chair.call("chat.post", body=w["body"], text="Eerste bericht")
            for c in (admin, chair, police):
                await c.close()
            BadInputTest.world = w
        self.w = BadInputTest.world
        self.watch = await self.as_("chair")  # reads the state before and after

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    def token(self, email, password=PASSWORD):
        if email not in self.tokens:
            self.tokens[email] = self.server.login(email, password)
        return self.tokens[email]

    async def as_(self, key):
        email = ADMIN_EMAIL if key == "admin" else f"{key}@test.example"
        c = await self.server.connect(self.token(email, ADMIN_PASSWORD if key == "admin"
                                                 else PASSWORD))
        self.clients.append(c)
        return c

    async def state(self):
        """Everything a refused request could have changed, read back by the chair."""
        c, w = self.watch, self.w
        return {
            "body": await c.call("body.get", body=w["body"]),
            "meeting": await c.call("meeting.get", meeting=w["meeting"]),
            "chat": await c.call("chat.history", body=w["body"]),
            "actions": await c.call("action.list", body=w["body"]),
            "bodies": await c.call("body.list"),
            "orgs": await c.call("org.list"),
            "persons": await c.call("person.list"),
            "scopes": await c.call("scope.list"),
        }

    async def assert_nothing_written(self, before):
        after = await self.state()
        self.assertEqual(after["body"]["seq"], before["body"]["seq"], "the body's seq moved")
        self.assertEqual(after["bodies"]["directory_seq"], before["bodies"]["directory_seq"],
                         "the directory's seq moved")
        self.assertEqual(after, before)

    async def assert_survives(self, client):
        self.assertIsNone(client.closed)
        self.assertIn("time", await client.call("ping"))

    async def refused(self, client, op, code, **args):
        """Sends op, expects error code, a live connection and an unchanged store."""
        before = await self.state()
        reply = await client.request(op, **args)
        self.assertFalse(reply["ok"], f"{op} {args} was accepted")
        self.assertEqual(reply["error"]["code"], code, f"{op} {args}: {reply['error']}")
        self.assertIsInstance(reply["error"]["message"], str)
        await self.assert_survives(client)
        await self.assert_nothing_written(before)
        return reply

    async def send_and_next(self, client, data):
        """Sends a raw text (str) or binary (bytes) message; returns the next frame."""
        start = len(client.frames)
        await client.ws.send(data)
        await client.wait_for(lambda c: len(c.frames) > start)
        return client.frames[start]

    async def raw_refused(self, client, data, code):
        before = await self.state()
        reply = await self.send_and_next(client, data)
        self.assertEqual((reply["ok"], reply["error"]["code"]), (False, code), data[:80])
        await self.assert_survives(client)
        await self.assert_nothing_written(before)
        return reply

    # ---- the envelope ----

    async def test_invalid_json_is_invalid_json(self):
        c = await self.as_("police")
        for text in ["not json", "{", '{"id": 1, "op": "ping"', "{'id': 1}", '{"id": 1,}',
                     '{"id": 1, "op": "ping"} x', '{"id": 1, "op": "ping", "id": 2}', "",
                     '{"id": 1, "op": "chat.post", "body": 1, "text": "a", "text": "b"}',
                     '{"id": 99999999999999999999999, "op": "ping"}']:
            reply = await self.raw_refused(c, text, "invalid_json")
            self.assertIsNone(reply["id"])

    async def test_json_that_is_not_an_object_is_invalid_request(self):
        c = await self.as_("police")
        for text in ['[{"id": 1, "op": "ping"}]', "[]", '"ping"', "5", "null", "true"]:
            reply = await self.raw_refused(c, text, "invalid_request")
            self.assertIsNone(reply["id"])

    async def test_nul_characters_and_lone_surrogates_are_invalid_json(self):
        c = await self.as_("chair")
        for req in [{"id": 1, "op": "chat.post", "body": self.w["body"], "text": "a\u0000b"},
                    {"id": "a\u0000", "op": "ping"},
                    {"id": 1, "op": "chat.post", "body": self.w["body"], "text": "\ud800"}]:
            reply = await self.raw_refused(c, json.dumps(req), "invalid_json")
            self.assertIsNone(reply["id"])

    async def test_missing_or_malformed_id_is_invalid_request(self):
        c = await self.as_("police")
        for req in [{"op": "ping"}, {"id": None, "op": "ping"}, {"id": 1.5, "op": "ping"},
                    {"id": True, "op": "ping"}, {"id": [1], "op": "ping"},
                    {"id": {"n": 1}, "op": "ping"}, {"id": "x" * 65, "op": "ping"},
                    {"id": "é" * 33, "op": "ping"}]:
            reply = await self.raw_refused(c, json.dumps(req), "invalid_request")
            self.assertIsNone(reply["id"])
        # the limits themselves are fine: any integer, a string of 64 bytes
        for rid in [0, -7, 2 ** 62, "x" * 64, "é" * 32, ""]:
            reply = await self.send_and_next(c, json.dumps({"id": rid, "op": "ping"}))
            self.assertEqual((reply["id"], reply["ok"]), (rid, True))

    async def test_missing_or_malformed_op_is_invalid_request_with_the_id(self):
        c = await self.as_("police")
        for req in [{"id": 7}, {"id": 7, "op": None}, {"id": 7, "op": 5},
                    {"id": 7, "op": ["ping"]}]:
            reply = await self.raw_refused(c, json.dumps(req), "invalid_request")
            self.assertEqual(reply["id"], 7)

    async def test_unknown_op_is_unknown_op(self):
        c = await self.as_("police")
        for op in ["nope", "body.delete", "PING", "ping ", "", "body"]:
            reply = await self.refused(c, op, "unknown_op")
            self.assertEqual(c.sent[reply["id"]]["op"], op)

    async def test_malformed_request_key_is_invalid_request(self):
        c = await self.as_("chair")
        for key in [5, "", "k" * 65, "é" * 33, None, ["k"]]:
            reply = await self.raw_refused(c, json.dumps({"id": 9, "op": "chat.post",
                                                          "body": self.w["body"], "text": "x",
                                                          "key": key}), "invalid_request")
            self.assertEqual(reply["id"], 9)

    async def test_a_write_with_a_key_is_done_once(self):
        c, body = await self.as_("chair"), self.w["body"]
        seq = (await c.call("body.get", body=body))["seq"]
        first = await c.call("chat.post", body=body, text="Eenmalig", key="msg-1")
        again = await c.call("chat.post", body=body, text="Eenmalig", key="msg-1")
        self.assertEqual(first, again)
        self.assertEqual((await c.call("body.get", body=body))["seq"], seq + 1)
        # the same key for another op is a conflict; another person has keys of their own
        await self.refused(c, "action.create", "conflict", body=body, text="x", key="msg-1")
        police = await self.as_("police")
        other = await police.call("chat.post", body=body, text="Ook eenmalig", key="msg-1")
        self.assertNotEqual(other["message"]["id"], first["message"]["id"])
        # a failed write leaves no key behind
        await self.refused(c, "chat.post", "invalid_argument", body=body, text=" ", key="msg-2")
        ok = await c.call("chat.post", body=body, text="Nu wel", key="msg-2")
        self.assertEqual(ok["message"]["text"], "Nu wel")

    # ---- arguments ----

    async def test_missing_argument_is_missing_argument(self):
        c, w = await self.as_("chair"), self.w
        await self.refused(c, "chat.post", "missing_argument", body=w["body"])
        await self.refused(c, "chat.post", "missing_argument", text="hallo")
        await self.refused(c, "meeting.create", "missing_argument", body=w["body"],
                           start="2027-03-01T09:00:00Z")
        # required by the handler rather than the table
        await self.refused(c, "agenda.add", "missing_argument", title="Zwevend punt")
        await self.refused(c, "agenda.add", "missing_argument", meeting=None, title="Zwevend")
        await self.refused(c, "agenda.move", "missing_argument", item=w["item"])
        await self.refused(c, "membership.add", "missing_argument", body=w["body"],
                           person=self.w["persons"]["outsider"], role="vaste_vervanger")

    async def test_mistyped_argument_is_invalid_argument(self):
        c, w = await self.as_("chair"), self.w
        await self.refused(c, "body.get", "invalid_argument", body=str(w["body"]))
        await self.refused(c, "chat.post", "invalid_argument", body=w["body"], text=5)
        await self.refused(c, "chat.post", "invalid_argument", body=w["body"], text=None)
        await self.refused(c, "agenda.update", "invalid_argument", item=w["item"],
                           confidential="ja")
        await self.refused(c, "agenda.reorder", "invalid_argument", meeting=w["meeting"],
                           items=f"{w['item']},{w['secret']}")
        await self.refused(c, "agenda.update", "invalid_argument", item=w["item"],
                           relevant=[{"org": "politie"}])
        await self.refused(c, "agenda.update", "invalid_argument", item=w["item"],
                           relevant=[{"org": self.w["orgs"]["pol"], "why": "x"}])
        await self.refused(c, "body.get", "invalid_argument", body=float(w["body"]))

    async def test_unknown_argument_is_unknown_argument(self):
        c, w = await self.as_("chair"), self.w
        await self.refused(c, "ping", "unknown_argument", extra=1)
        await self.refused(c, "chat.post", "unknown_argument", body=w["body"], text="hallo",
                           urgent=True)
        await self.refused(c, "agenda.update", "unknown_argument", item=w["item"],
                           titel="Spelfout")

    async def test_out_of_range_values_are_invalid_argument(self):
        c, w = await self.as_("chair"), self.w
        body, meeting, item = w["body"], w["meeting"], w["item"]
        for title in ["x" * 201, "", " voorloopspatie", "naloopspatie ", "regel\n", "\ttab"]:
            await self.refused(c, "agenda.update", "invalid_argument", item=item, title=title)
        await self.refused(c, "agenda.update", "invalid_argument", item=item, kind="geheim")
        await self.refused(c, "agenda.update", "invalid_argument", item=item, duration=601)
        await self.refused(c, "agenda.update", "invalid_argument", item=item, duration=-1)
        await self.refused(c, "agenda.update", "invalid_argument", item=0)
        await self.refused(c, "chat.post", "invalid_argument", body=body, text="x" * 4001)
        await self.refused(c, "chat.post", "invalid_argument", body=body, text=" \n\t ")
        for bad in ["morgen", "2027-13-01T09:00:00Z", "2027-02-30T09:00:00Z",
                    "2027-03-01T09:00:00", "2027-03-01T25:00:00Z", "2027-03-01"]:
            await self.refused(c, "meeting.create", "invalid_argument", body=body,
                               start=bad, end="2027-03-01T11:00:00Z")
        # end before start, empty and longer than a day
        for start, end in [("2027-03-01T11:00:00Z", "2027-03-01T09:00:00Z"),
                           ("2027-03-01T09:00:00Z", "2027-03-01T09:00:00Z"),
                           ("2027-03-01T10:00:00+01:00", "2027-03-01T09:00:00Z"),
                           ("2027-03-01T09:00:00Z", "2027-03-02T09:00:01Z")]:
            await self.refused(c, "meeting.create", "invalid_argument", body=body,
                               start=start, end=end)
        await self.refused(c, "meeting.update", "invalid_argument", meeting=meeting,
                           end="2027-01-01T00:00:00Z")
        await self.refused(c, "meeting.series", "invalid_argument", body=body,
                           start="2027-03-01T09:00:00Z", end="2027-03-01T10:00:00Z", count=0)
        await self.refused(c, "meeting.series", "invalid_argument", body=body,
                           start="2027-03-01T09:00:00Z", end="2027-03-01T10:00:00Z", count=53)
        await self.refused(c, "action.create", "invalid_argument", body=body, text="Actie",
                           due="2027-02-29")
        await self.refused(c, "agenda.reorder", "invalid_argument", meeting=meeting,
                           items=[item])  # not the whole list
        await self.refused(c, "agenda.reorder", "invalid_argument", meeting=meeting,
                           items=[item, item])
        await self.refused(c, "agenda.move", "invalid_argument", item=item,
                           meeting=meeting, position=10001)
        await self.refused(c, "subscribe", "invalid_argument", body=body, since=-1)
        await self.refused(c, "attendance.set", "invalid_argument", meeting=meeting,
                           status="aanwezig", substitute=w["persons"]["police"])
        admin = await self.as_("admin")
        for cadence in ["P0W", "P53W", "6W", "P6D", "P1Y"]:
            await self.refused(admin, "body.update", "invalid_argument", body=body,
                               cadence=cadence)
        await self.refused(admin, "body.update", "invalid_argument", body=body, parent=body)
        await self.refused(admin, "person.create", "invalid_argument", name="Zonder At",
                           email="geen-adres", org=w["orgs"]["gem"])
        await self.refused(admin, "scope.create", "invalid_argument", name="Gemeente met leden",
                           kind="gemeente", includes=["Dordrecht"])

    async def test_every_argument_of_every_op_is_checked_before_anything_runs(self):
        """For each argument of each op in the op table, values of the wrong type or out of
        range get invalid_argument, each required argument left out gets missing_argument and
        an unknown one unknown_argument; and the request schema refuses them too."""
        c = await self.as_("admin")
        before = await self.state()
        count = 0
        for op, spec in schema.server_op_table().items():
            base = baseline(op, spec)
            base.pop("id")
            base.pop("op")
            probes = [(dict(base, zzz_onbekend=1), "unknown_argument")]
            for a in spec["args"]:
                probes += [(dict(base, **{a["name"]: v}), "invalid_argument")
                           for v in invalid_values(a)]
                if a["required"]:
                    probes.append(({k: v for k, v in base.items() if k != a["name"]},
                                   "missing_argument"))
            for args, code in probes:
                text = json.dumps(dict(args, id="probe", op=op))
                if "\\u0000" in text:  # jansson refuses NUL in strings outright
                    code = "invalid_json"
                reply = await self.send_and_next(c, text)
                self.assertFalse(reply["ok"], f"{op} {args}")
                self.assertEqual(reply["error"]["code"], code,
                                 f"{op} {str(args)[:200]}: {reply['error']}")
                self.assertFalse(schema.is_valid(f"request/{op}.json",
                                                 dict(args, id=1, op=op)),
                                 f"the request schema of {op} accepts {str(args)[:200]}")
                count += 1
        self.assertGreater(count, 500)
        await self.assert_survives(c)
        await self.assert_nothing_written(before)

    # ---- the frame ----

    async def test_invalid_utf8_is_invalid_utf8_then_close_1007(self):
        before = await self.state()
        for payload in [b'{"id":1,"op":"ping","x":"\xff"}',
                        b'{"id":1,"op":"chat.post","body":1,"text":"\xc3"}',  # truncated
                        b'{"id":1,"op":"ping","x":"\xc0\xaf"}',  # overlong "/"
                        b'{"id":1,"op":"ping","x":"\xed\xa0\x80"}',  # a surrogate
                        b'{"id":1,"op":"ping","x":"\xf4\x90\x80\x80"}',  # above U+10FFFF
                        b"\xfe\xff"]:
            raw = RawWebSocket(self.server.port, token=self.token("police@test.example"))
            self.assertEqual(raw.status, 101)
            raw.send_frame(1, payload)
            reply = raw.recv_json()
            self.assertEqual((reply["id"], reply["error"]["code"]), (None, "invalid_utf8"))
            self.assertEqual(raw.recv_close(), 1007, payload)
            raw.close()
        await self.assert_nothing_written(before)

    async def test_utf8_is_checked_on_the_whole_message_not_per_fragment(self):
        raw = RawWebSocket(self.server.port, token=self.token("chair@test.example"))
        text = json.dumps({"id": 1, "op": "chat.post", "body": self.w["body"],
                           "text": "café ü €"}, ensure_ascii=False).encode()
        cut = text.index("é".encode()) + 1  # inside the two bytes of é
        raw.send_frame(1, text[:cut], fin=False)
        raw.send_frame(0, text[cut:], fin=True)
        reply = raw.recv_json()
        self.assertTrue(reply["ok"], reply)
        self.assertEqual(reply["result"]["message"]["text"], "café ü €")
        raw.close()

    async def test_oversized_message_is_frame_too_large_and_the_connection_survives(self):
        c = await self.as_("chair")
        text = json.dumps({"id": 1, "op": "chat.post", "body": self.w["body"],
                           "text": "x" * (MAX_FRAME + 10)})
        await self.raw_refused(c, text, "frame_too_large")
        # exactly 64 KiB is allowed, one byte more is not
        head = '{"id":"limit","op":"ping"'
        exact = head + " " * (MAX_FRAME - len(head) - 1) + "}"
        self.assertEqual(len(exact), MAX_FRAME)
        reply = await self.send_and_next(c, exact)
        self.assertEqual((reply["id"], reply["ok"]), ("limit", True))
        await self.raw_refused(c, exact[:-1] + " }", "frame_too_large")
        # also when the message comes in fragments
        before = await self.state()
        start = len(c.frames)
        await c.ws.send(['{"id": 1, "op": "ping", "pad": "', "x" * MAX_FRAME, '"}'])
        await c.wait_for(lambda cl: len(cl.frames) > start)
        self.assertEqual(c.frames[start]["error"]["code"], "frame_too_large")
        await self.assert_survives(c)
        await self.assert_nothing_written(before)

    async def test_fragmented_message_is_reassembled(self):
        c = await self.as_("chair")
        text = json.dumps({"id": "frag", "op": "chat.post", "body": self.w["body"],
                           "text": "in drie stukken"})
        start = len(c.frames)
        await c.ws.send([text[:10], text[10:30], text[30:]])
        await c.wait_for(lambda cl: len(cl.frames) > start)
        reply = c.frames[start]
        self.assertTrue(reply["ok"], reply)
        self.assertEqual((reply["id"], reply["result"]["message"]["text"]),
                         ("frag", "in drie stukken"))
        await self.assert_survives(c)

    async def test_binary_frame_is_binary_not_supported_and_the_connection_survives(self):
        c = await self.as_("police")
        await self.raw_refused(c, b'{"id": 1, "op": "ping"}', "binary_not_supported")
        await self.raw_refused(c, bytes(range(256)), "binary_not_supported")
        before = await self.state()
        start = len(c.frames)
        await c.ws.send([b"\x00" * 10, b"\x01" * 10])  # fragmented: one reply
        await self.assert_survives(c)
        self.assertEqual([f["error"]["code"] for f in c.frames[start:] if "error" in f],
                         ["binary_not_supported"])
        await self.assert_nothing_written(before)

    # ---- references ----

    async def test_ids_that_do_not_exist_are_not_found(self):
        w = self.w
        chair, admin = await self.as_("chair"), await self.as_("admin")
        nope = 987654
        for op, args in [("body.get", {"body": nope}), ("meeting.get", {"meeting": nope}),
                         ("meeting.list", {"body": nope}), ("chat.history", {"body": nope}),
                         ("agenda.update", {"item": nope, "title": "x"}),
                         ("agenda.remove", {"item": nope}),
                         ("agenda.add", {"meeting": nope, "title": "x"}),
                         ("agenda.add", {"body": nope, "title": "x"}),
                         ("action.update", {"action": nope, "status": "afgerond"}),
                         ("action.list", {"body": nope}),
                         ("attendance.set", {"meeting": nope, "status": "aanwezig"}),
                         ("subscribe", {"body": nope}),
                         ("unsubscribe", {"body": w["body"]}),  # not subscribed
                         ("chat.post", {"body": w["body"], "text": "x", "item": nope}),
                         ("agenda.add", {"meeting": w["meeting"], "title": "x",
                                         "presenter": nope}),
                         ("agenda.update", {"item": w["item"], "relevant": [{"org": nope}]}),
                         ("agenda.update", {"item": w["item"], "persons": [nope]}),
                         ("agenda.move", {"item": w["item"], "meeting": nope}),
                         ("action.create", {"body": w["body"], "text": "x", "owner": nope}),
                         ("membership.update", {"body": w["body"],
                                                "person": w["persons"]["outsider"],
                                                "role": "lid"}),
                         ("membership.remove", {"body": w["body"],
                                                "person": w["persons"]["outsider"]}),
                         # a non-member of the directory may be on the presentielijst (a
                         # guest, a substitute); a person who does not exist may not
                         ("attendance.set", {"meeting": w["meeting"], "person": nope,
                                             "status": "afwezig"}),
                         ("attendance.set", {"meeting": w["meeting"], "status": "vervangen",
                                             "substitute": nope}),
                         ("attendance.remove", {"meeting": w["meeting"], "line": nope})]:
            await self.refused(chair, op, "not_found", **args)
        for op, args in [("org.update", {"org": nope, "name": "x"}),
                         ("person.update", {"person": nope, "name": "x"}),
                         ("person.reset", {"person": nope}),
                         ("person.create", {"name": "x", "email": "x@y.nl", "org": nope}),
                         ("org.create", {"name": "Nieuw", "kind": "zorg", "scope": "Atlantis"}),
                         ("body.create", {"name": "x", "kind": "werkgroep", "scope": "Atlantis",
                                          "level": "tactisch"}),
                         ("body.update", {"body": nope, "name": "x"}),
                         ("body.update", {"body": w["body"], "parent": nope}),
                         ("membership.add", {"body": w["body"], "person": nope, "role": "lid"}),
                         ("scope.create", {"name": "Regio Nergens", "kind": "regio",
                                           "includes": ["Atlantis"]})]:
            await self.refused(admin, op, "not_found", **args)

    async def test_what_is_not_yours_is_not_member_or_forbidden(self):
        w = self.w
        outsider, police = await self.as_("outsider"), await self.as_("police")
        observer, chair = await self.as_("observer"), await self.as_("chair")
        body, meeting, item = w["body"], w["meeting"], w["item"]
        # not a member: not_member for what members may do in a body ...
        for op, args in [("body.get", {"body": body}), ("meeting.list", {"body": body}),
                         ("chat.history", {"body": body}),
                         ("chat.post", {"body": body, "text": "hallo"}),
                         ("action.create", {"body": body, "text": "x"}),
                         ("action.list", {"body": body}),
                         ("subscribe", {"body": body, "since": 0})]:
            await self.refused(outsider, op, "not_member", **args)
        # ... but a meeting, item or action of it is the body's content, which the outsider
        # may not see: not_found, as for one that never existed
        for op, args in [("meeting.get", {"meeting": meeting}),
                         ("agenda.update", {"item": item, "title": "Overgenomen"}),
                         ("action.update", {"action": w["action"], "status": "afgerond"}),
                         ("attendance.set", {"meeting": meeting, "status": "aanwezig"})]:
            key = next(k for k in ("meeting", "item", "action") if k in args)
            await self.refused(outsider, op, "not_found", **args)
            await self.refused(outsider, op, "not_found", **dict(args, **{key: 987654321}))
        # ... and forbidden for managing members and administration
        await self.refused(outsider, "membership.add", "forbidden", body=body,
                           person=w["persons"]["outsider"], role="lid")
        for c in (outsider, police, chair):
            await self.refused(c, "org.create", "forbidden", name="Eigen club", kind="overig")
            await self.refused(c, "person.update", "forbidden", person=w["persons"]["police"],
                               admin=True)
            await self.refused(c, "body.update", "forbidden", body=body, name="Mijn overleg")
        # a member without the role for it: forbidden
        await self.refused(police, "agenda.add", "forbidden", meeting=meeting, title="Mag ik?")
        await self.refused(police, "meeting.cancel", "forbidden", meeting=meeting)
        await self.refused(police, "membership.remove", "forbidden", body=body,
                           person=w["persons"]["housing"])
        await self.refused(police, "attendance.set", "forbidden", meeting=meeting,
                           person=w["persons"]["housing"], status="afwezig")
        await self.refused(observer, "chat.post", "forbidden", body=body, text="mag niet")
        await self.refused(police, "flag.list", "forbidden", body=body)
        await self.refused(outsider, "flag.list", "not_member", body=body)
        await self.refused(chair, "flag.resolve", "not_found", flag=987654, state="open")
        await self.refused(outsider, "preferences.set", "invalid_argument",
                           prefs={"mention": "soms"})
        await self.refused(outsider, "preferences.set", "invalid_argument",
                           prefs={"roddel": "direct"})
        await self.refused(observer, "action.update", "forbidden", action=w["action"],
                           status="afgerond")

    async def test_notifications_of_others_are_not_found(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        mine = (await chair.call("notification.list"))["notifications"]
        self.assertTrue(mine)  # chair was added to the body: a membership notification
        await self.refused(police, "notification.read", "not_found", ids=[mine[0]["id"]])
        await self.refused(police, "notification.read", "missing_argument")
        await self.refused(police, "notification.read", "missing_argument", all=False, ids=[])
        self.assertFalse((await chair.call("notification.list"))["notifications"][0]["read"])

    async def test_confidential_items_do_not_exist_for_those_who_may_not_see_them(self):
        w = self.w
        housing, sec = await self.as_("housing"), await self.as_("sec")
        for op, args in [("chat.post", {"body": w["body"], "text": "x", "item": w["secret"]}),
                         ("action.create", {"body": w["body"], "text": "x",
                                            "item": w["secret"]}),
                         ("action.update", {"action": w["secret_action"], "status": "afgerond"})]:
            await self.refused(housing, op, "not_found", **args)
        # the secretary may edit agendas, but not this item: it is not theirs to see
        for op, args in [("agenda.update", {"item": w["secret"], "title": "Gezien"}),
                         ("agenda.remove", {"item": w["secret"]}),
                         ("agenda.move", {"item": w["secret"], "meeting": None})]:
            await self.refused(sec, op, "not_found", **args)
        reply = await self.refused(sec, "agenda.update", "not_found", item=987654, title="x")
        hidden = await self.refused(sec, "agenda.update", "not_found", item=w["secret"],
                                    title="x")
        self.assertEqual(hidden["error"]["code"], reply["error"]["code"])
        self.assertNotIn("vertrouwelijk", json.dumps(hidden).lower())

    # Removing a confidential agenda item would turn its actions into open actions (their
    # origin is set to null) that every member can read: the removal is refused while actions
    # hang under it, and the action stays where only the item's audience sees it.
    async def test_actions_of_a_removed_confidential_item_stay_confidential(self):
        chair, police, housing = (await self.as_("chair"), await self.as_("police"),
                                  await self.as_("housing"))
        w = self.w
        item = (await chair.call("agenda.add", body=w["body"], title="Tijdelijk vertrouwelijk",
                                 confidential=True, relevant=[{"org": w["orgs"]["pol"]}]))
        action = (await police.call("action.create", body=w["body"], text="Geheime actie",
                                    item=item["item"]["id"]))["action"]["id"]
        with self.assertRaises(ProtocolError) as e:
            await chair.call("agenda.remove", item=item["item"]["id"])
        self.assertEqual(e.exception.code, "invalid_state")
        seen = [a["id"] for a in (await housing.call("action.list", body=w["body"]))["actions"]]
        self.assertNotIn(action, seen)
        self.assertIn(action, [a["id"] for a in
                               (await police.call("action.list", body=w["body"]))["actions"]])

    # A connection carries its person's admin right and organisation from the upgrade: taking
    # the right away (or moving the person) ends their open connections.
    async def test_revoked_admin_right_ends_on_open_connections(self):
        admin = await self.as_("admin")
        r = await admin.call("person.create", name="Tijdelijk Beheer", email="tijd@test.example",
                             org=self.w["orgs"]["gem"], admin=True)
        token = r["setup_url"].rsplit("/", 1)[1]
        status, _, raw = self.server.http("POST", "/api/password",
                                          {"token": token, "password": PASSWORD})
        self.assertEqual(status, 200, raw)
        temp = await self.server.connect(self.server.login("tijd@test.example"))
        self.clients.append(temp)
        await temp.call("org.list")
        await admin.call("person.update", person=r["person"]["id"], admin=False)
        try:
            reply = await temp.request("org.create", name="Na intrekking", kind="overig")
        except (ConnectionError, websockets.ConnectionClosed):
            # closed: the client reconnects as a non-administrator
            self.assertEqual((await temp.wait_closed())[0], 4401)
            return
        self.assertEqual(reply.get("error", {}).get("code"), "forbidden", reply)


class WebSocketUpgradeTest(unittest.IsolatedAsyncioTestCase):
    """Who may open a WebSocket, and what ends it."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("upgrade", extra=["--allowed-origins", "https://app.example"])
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        if not hasattr(WebSocketUpgradeTest, "world"):
            admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            WebSocketUpgradeTest.world = await setup_world(self.server, admin)
            await admin.close()
        self.w = WebSocketUpgradeTest.world

    async def test_upgrade_without_a_valid_session_is_refused(self):
        port = self.server.port
        self.assertTrue(ws_refused(self.server))
        self.assertTrue(ws_refused(self.server, token="x" * 43))
        self.assertTrue(ws_refused(self.server, token="nonsense"))
        with self.assertRaises(websockets.exceptions.InvalidHandshake):
            await websockets.connect(f"ws://127.0.0.1:{port}/ws")
        token = self.server.login("police@test.example")
        self.assertTrue(ws_refused(self.server, token=token, path="/elders"))
        self.assertFalse(ws_refused(self.server, token=token))
        # the cookie works as well as the bearer token
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws",
                                      extra_headers={"Cookie": f"kt_session={token}"})
        await ws.send(json.dumps({"id": 1, "op": "ping"}))
        self.assertTrue(json.loads(await ws.recv())["ok"])
        await ws.close()

    async def test_upgrade_from_a_foreign_origin_is_refused(self):
        token = self.server.login("police@test.example")
        port = self.server.port
        for origin in ["http://evil.example", f"http://127.0.0.1:{port + 1}",
                       "https://app.example.evil", "null"]:
            self.assertTrue(ws_refused(self.server, token=token, origin=origin), origin)
        for origin in [f"http://127.0.0.1:{port}", "https://app.example"]:
            self.assertFalse(ws_refused(self.server, token=token, origin=origin), origin)
        with self.assertRaises(websockets.exceptions.InvalidHandshake):
            await self.server.connect(token, origin="http://evil.example")

    async def test_logout_ends_that_sessions_websockets_with_4401(self):
        token = self.server.login("housing@test.example")
        other = self.server.login("housing@test.example")
        c = await self.server.connect(token)
        keep = await self.server.connect(other)
        await c.call("ping")
        status, headers, raw = self.server.http("POST", "/api/logout", {}, token=token)
        self.assertEqual((status, json.loads(raw)), (200, {"ok": True}))
        self.assertIn("Max-Age=0", headers.get("set-cookie", ""))
        code, _ = await c.wait_closed()
        self.assertEqual(code, 4401)
        self.assertTrue(ws_refused(self.server, token=token))
        status, _, raw = self.server.http("GET", "/api/session", token=token)
        self.assertEqual((status, json.loads(raw)["error"]["code"]), (401, "unauthenticated"))
        await keep.call("ping")  # the person's other session goes on
        await keep.close()
        await c.close()

    async def test_deactivated_person_is_disconnected_with_4401(self):
        admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        token = self.server.login("observer@test.example")
        c = await self.server.connect(token)
        await admin.call("person.update", person=self.w["persons"]["observer"], active=False)
        code, _ = await c.wait_closed()
        self.assertEqual(code, 4401)
        self.assertTrue(ws_refused(self.server, token=token))
        status, _, raw = self.server.http("POST", "/api/login", {
            "email": "observer@test.example", "password": PASSWORD})
        self.assertEqual((status, json.loads(raw)["error"]["code"]), (401, "invalid_credentials"))
        await admin.call("person.update", person=self.w["persons"]["observer"], active=True)
        await admin.close()
        await c.close()


class BodilessPostTest(unittest.TestCase):
    # A POST with "Content-Length: 0" (what browsers send for a POST without a body, e.g.
    # /api/logout) is answered once, and the sanitizer build lives on (it once did a
    # memcpy from NULL and answered twice).
    def test_post_without_a_body_is_answered_once_and_the_server_lives_on(self):
        s = Server("bodiless")
        s.create_admin()
        s.start()
        try:
            token = s.login(ADMIN_EMAIL, ADMIN_PASSWORD)
            status, _, raw = s.http("POST", "/api/logout", token=token)
            self.assertEqual((status, json.loads(raw)), (200, {"ok": True}))
            status, _, raw = s.http("POST", "/api/login")
            self.assertEqual((status, json.loads(raw)["error"]["code"]),
                             (400, "invalid_argument"))
            status, _, _ = s.http("GET", "/healthz")
            self.assertEqual(status, 200)
        finally:
            log = s.read_log()
            s.stop(check=False)
            s.cleanup()
        self.assertNotIn("runtime error", log)


class HttpApiTest(unittest.TestCase):
    """The HTTP API: login, session, password, logout."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("httpapi")
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    def error(self, status, raw, code):
        body = json.loads(raw)
        schema.check("http.json#/$defs/error_response", body)
        self.assertEqual(body["error"]["code"], code, body)
        return status

    def test_login_with_a_wrong_password_is_401_invalid_credentials(self):
        s = self.server
        status, headers, raw = s.http("POST", "/api/login", {"email": ADMIN_EMAIL,
                                                              "password": "fout-wachtwoord"})
        self.assertEqual(self.error(status, raw, "invalid_credentials"), 401)
        self.assertNotIn("set-cookie", {k.lower() for k in headers})
        status, _, raw = s.http("POST", "/api/login", {"email": "niemand@test.example",
                                                        "password": "fout-wachtwoord"})
        self.assertEqual(self.error(status, raw, "invalid_credentials"), 401)
        status, headers, raw = s.http("POST", "/api/login", {"email": ADMIN_EMAIL.upper(),
                                                              "password": ADMIN_PASSWORD})
        self.assertEqual(status, 200, raw)
        body = json.loads(raw)
        schema.check("http.json#/$defs/login_response", body)
        self.assertIn(f"kt_session={body['token']}", headers.get("set-cookie", ""))
        self.assertIn("HttpOnly", headers.get("set-cookie", ""))
        status, _, raw = s.http("GET", "/api/session", token=body["token"])
        self.assertEqual(status, 200)
        schema.check("http.json#/$defs/session_response", json.loads(raw))
        self.assertEqual(json.loads(raw)["person"]["email"], ADMIN_EMAIL)

    def test_malformed_login_requests(self):
        s = self.server
        for body in [{}, {"email": ADMIN_EMAIL}, {"password": "x"}, {"email": 5, "password": 5},
                     {"email": "a" * 255, "password": "x"},
                     {"email": ADMIN_EMAIL, "password": "x" * 257}, ["x"]]:
            status, _, raw = s.http("POST", "/api/login", body)
            self.assertEqual(self.error(status, raw, "invalid_argument"), 400, body)
        status, _, raw = s.http("POST", "/api/login", {"email": "x", "password": "y" * 9000})
        self.assertEqual(self.error(status, raw, "frame_too_large"), 413)
        status, _, raw = s.http("POST", "/api/login", {"email": ADMIN_EMAIL, "password": "x"},
                                headers={"Origin": "http://evil.example"})
        self.assertEqual(self.error(status, raw, "forbidden"), 403)
        status, _, raw = s.http("GET", "/api/session")
        self.assertEqual(self.error(status, raw, "unauthenticated"), 401)
        status, _, raw = s.http("POST", "/api/nothing", {})
        self.assertEqual(self.error(status, raw, "not_found"), 404)
        status, _, raw = s.http("POST", "/api/password", {"token": "x"})
        self.assertEqual(self.error(status, raw, "missing_argument"), 400)
        status, _, raw = s.http("POST", "/api/password", {"token": "x", "password": "kort"})
        self.assertEqual(self.error(status, raw, "invalid_argument"), 400)
        status, _, raw = s.http("POST", "/api/password", {"token": "x" * 43,
                                                           "password": "lang-genoeg-1"})
        self.assertEqual(self.error(status, raw, "not_found"), 404)

    def test_repeated_failures_are_rate_limited_with_429(self):
        s = self.server
        email = "doelwit@test.example"
        statuses = []
        for _ in range(8):
            status, _, raw = s.http("POST", "/api/login", {"email": email,
                                                            "password": "raden-maar-1"})
            statuses.append(status)
        self.assertEqual(statuses, [401] * 8)
        status, _, raw = s.http("POST", "/api/login", {"email": email.upper(),
                                                        "password": "raden-maar-2"})
        self.assertEqual(self.error(status, raw, "rate_limited"), 429)
        # the limit is per address: another one still logs in
        self.assertTrue(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))

    def test_rate_limit_holds_even_for_the_right_password(self):
        s = Server("ratelimit")  # its administrator gets locked out
        s.create_admin()
        s.start()
        try:
            for _ in range(8):
                s.http("POST", "/api/login", {"email": ADMIN_EMAIL, "password": "fout-fout-fout"})
            status, _, raw = s.http("POST", "/api/login", {"email": ADMIN_EMAIL,
                                                            "password": ADMIN_PASSWORD})
            self.assertEqual(self.error(status, raw, "rate_limited"), 429)
        finally:
            s.stop()
            s.cleanup()

if __name__ == "__main__":
    unittest.main()
