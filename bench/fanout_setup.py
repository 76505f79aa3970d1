#!/usr/bin/env python3
"""Sets up a running ketentafel for the fan-out benchmark, and probes idle-session memory.

  fanout_setup.py setup --port P --admin-email E --admin-password PW --persons N --out STATE.json
      Logs in as the administrator and, over the WebSocket, creates one scope, one organisation,
      one body ("Bench fan-out") and a member person "Bench Lid" (role lid, who may post), plus
      N-1 further member persons. Every person gets a password through its setup link
      (POST /api/password) and one login session (POST /api/login); both run argon2id on the
      server's worker thread, so this takes ~0.1-0.2 s per person. The tokens are written to
      STATE.json (the database keeps only their hashes) so a later run can reuse the database.
      Idempotent: with an existing STATE.json that already has enough persons it only adds
      the missing ones.

  fanout_setup.py idle --port P --state STATE.json --conns N --server-pid PID [--distinct]
                       [--subscribe]
      Opens N WebSocket connections (each with its own person's session cookie with
      --distinct, else all with the first member's), optionally subscribes each to the body,
      and reports the server's RSS growth per connection once they are all open and idle.

Only the Python standard library is used: a minimal WebSocket client lives below.
"""
import argparse
import base64
import http.client
import json
import os
import resource
import socket
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor


# ---------------------------------------------------------------- HTTP

def http_post(port, path, obj, origin=True):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    hdrs = {"Content-Type": "application/json"}
    if origin:
        hdrs["Origin"] = "http://127.0.0.1:%d" % port
    c.request("POST", path, body=json.dumps(obj), headers=hdrs)
    r = c.getresponse()
    data = r.read()
    c.close()
    try:
        return r.status, json.loads(data)
    except ValueError:
        return r.status, {"raw": data.decode(errors="replace")}


def login(port, email, password):
    for attempt in range(5):
        st, j = http_post(port, "/api/login", {"email": email, "password": password})
        if st == 200:
            return j["token"], j.get("person", {}).get("id")
        if st == 429 or st >= 500:
            time.sleep(1 + attempt)
            continue
        break
    raise SystemExit("login %s failed: %s %s" % (email, st, j))


# ---------------------------------------------------------------- WebSocket

class WS:
    def __init__(self, port, token, timeout=60):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "Cookie: kt_session=%s\r\n\r\n") % (port, key, token)
        self.s.sendall(req.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("closed during upgrade")
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError("upgrade refused: %r" % head[:80])
        self.next_id = 1

    def send_text(self, txt):
        p = txt.encode()
        n = len(p)
        if n < 126:
            h = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            h = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            h = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i & 3] for i, b in enumerate(p))
        self.s.sendall(h + mask + body)

    def recv_frame(self):
        while True:
            b = self.buf
            if len(b) >= 2:
                op, n, h = b[0] & 0x0F, b[1] & 0x7F, 2
                if n == 126 and len(b) >= 4:
                    n, h = struct.unpack("!H", b[2:4])[0], 4
                elif n == 127 and len(b) >= 10:
                    n, h = struct.unpack("!Q", b[2:10])[0], 10
                if n < 126 or h > 2:
                    if len(b) >= h + n:
                        payload, self.buf = b[h:h + n], b[h + n:]
                        if op == 9:  # ping -> pong (masked, empty payload is fine)
                            self.s.sendall(struct.pack("!BB", 0x8A, 0x80) + b"\0\0\0\0")
                            continue
                        if op == 8:
                            raise ConnectionError("closed by server: %r" % payload)
                        return payload.decode()
            d = self.s.recv(65536)
            if not d:
                raise ConnectionError("connection closed")
            self.buf += d

    def call(self, op, **args):
        rid = self.next_id
        self.next_id += 1
        args.update({"id": rid, "op": op})
        self.send_text(json.dumps(args))
        while True:
            j = json.loads(self.recv_frame())
            if j.get("id") == rid:
                if not j.get("ok"):
                    raise SystemExit("%s failed: %s" % (op, j))
                return j.get("result", {})

    def close(self):
        self.s.close()


# ---------------------------------------------------------------- setup

def cmd_setup(a):
    state = {}
    if os.path.exists(a.out):
        with open(a.out) as f:
            state = json.load(f)
    admin_token, _ = login(a.port, a.admin_email, a.admin_password)
    ws = WS(a.port, admin_token)
    me = ws.call("me.get")
    admin_id = me.get("person", me).get("id")
    if "body" not in state:
        ws.call("scope.create", name="Bench", kind="gemeente")
        org = ws.call("org.create", name="Bench organisatie", kind="gemeente", scope="Bench")
        state["org"] = org["organisation"]["id"]
        body = ws.call("body.create", name="Bench fan-out", kind="werkgroep", scope="Bench",
                       level="operationeel")
        state["body"] = body["body"]["id"]
        # No membership of its own: four eyes (issue 11) lets an administrator add others, not
        # themself, and the administrator needs none to add the members.
        state["members"] = []
        with open(a.out, "w") as f:
            json.dump(state, f)
    members = state["members"]
    want = max(1, a.persons)
    if len(members) >= want:
        ws.close()
        print("setup: reusing %d members of body %d" % (len(members), state["body"]))
        push_size(a.port, state, a.out)
        return
    t0 = time.time()
    pending = []  # (person id, email, setup token)
    batch = 200
    for k in range(len(members), want):
        email = "lid%05d@bench.example" % k
        name = "Bench Lid" if k == 0 else "Bench Lid %05d" % k
        p = ws.call("person.create", name=name, email=email, org=state["org"])
        pid = p["person"]["id"]
        ws.call("membership.add", body=state["body"], person=pid, role="lid")
        tok = p["setup_url"].rsplit("/", 1)[1]
        pending.append((pid, email, tok))
        if len(pending) >= batch or k == want - 1:
            members.extend(activate(a.port, pending))
            pending = []
            with open(a.out, "w") as f:
                json.dump(state, f)
            done = len(members)
            el = time.time() - t0
            print("setup: %d/%d members with a session (%.0f s)" % (done, want, el), flush=True)
    ws.close()
    push_size(a.port, state, a.out)


def push_size(port, state, out):
    """Records the size of one chat.posted push as the load test sends it, so the floor can be
    driven with frames of the same size."""
    ws = WS(port, state["members"][0]["token"])
    ws.call("subscribe", body=state["body"])
    ws.send_text(json.dumps({"id": "size", "op": "chat.post", "body": state["body"],
                             "text": "KTTS%d" % time.monotonic_ns()}))
    while True:
        j = ws.recv_frame()
        if '"event":"chat.posted"' in j:
            break
    ws.close()
    state["push_bytes"] = len(j.encode())
    with open(out, "w") as f:
        json.dump(state, f)


def activate(port, pending):
    """Sets each person's password and logs them in; the server hashes one at a time."""
    password = "bench-fanout-wachtwoord-1"

    def one(item):
        pid, email, tok = item
        st, j = http_post(port, "/api/password", {"token": tok, "password": password})
        if st != 200:
            raise SystemExit("password for %s failed: %s %s" % (email, st, j))
        token, _ = login(port, email, password)
        return {"person": pid, "email": email, "token": token}

    with ThreadPoolExecutor(max_workers=4) as ex:
        return list(ex.map(one, pending))


# ---------------------------------------------------------------- idle sessions

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def cmd_idle(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with open(a.state) as f:
        state = json.load(f)
    members = state["members"]
    if a.distinct and len(members) < a.conns:
        raise SystemExit("idle: --distinct needs %d members, the state has %d"
                         % (a.conns, len(members)))
    # Warm-up: one connection so one-time allocations (statement cache, lws buffers) are paid.
    w = WS(a.port, members[0]["token"])
    w.call("subscribe", body=state["body"])
    time.sleep(0.5)
    rss0 = rss_kb(a.server_pid)
    conns = []
    t0 = time.time()
    for k in range(a.conns):
        tok = members[k]["token"] if a.distinct else members[0]["token"]
        c = WS(a.port, tok)
        if a.subscribe:
            c.send_text(json.dumps({"id": 1, "op": "subscribe", "body": state["body"]}))
        conns.append(c)
    if a.subscribe:
        for c in conns:
            j = json.loads(c.recv_frame())
            if not j.get("ok"):
                raise SystemExit("subscribe failed: %s" % j)
    time.sleep(2)
    rss1 = rss_kb(a.server_pid)
    print("idle conns=%d distinct_sessions=%s subscribed=%s rss_kb_before=%d rss_kb_after=%d "
          "per_session_kib=%.2f open_s=%.1f"
          % (a.conns, "yes" if a.distinct else "no", "yes" if a.subscribe else "no", rss0, rss1,
             (rss1 - rss0) / a.conns, time.time() - t0))
    for c in conns:
        c.close()
    w.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--admin-email", required=True)
    s.add_argument("--admin-password", required=True)
    s.add_argument("--persons", type=int, default=1)
    s.add_argument("--out", required=True)
    i = sub.add_parser("idle")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--state", required=True)
    i.add_argument("--conns", type=int, default=1000)
    i.add_argument("--server-pid", type=int, required=True)
    i.add_argument("--distinct", action="store_true")
    i.add_argument("--subscribe", action="store_true")
    a = ap.parse_args()
    {"setup": cmd_setup, "idle": cmd_idle}[a.cmd](a)


if __name__ == "__main__":
    main()
