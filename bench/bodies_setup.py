#!/usr/bin/env python3
"""Sets up a running ketentafel for the many-bodies benchmark (bench/run-bodies).

  bodies_setup.py --port P --admin-email E --admin-password PW --hot B --idle I --out STATE.json
      Logs in as the administrator and, over the WebSocket, creates one scope and organisation,
      B "hot" bodies (the benchmark posts into these), I "idle" bodies (never posted into; the
      idle control subscribes to them) and one person, "Bench Lid Veel", who is a member (role
      lid) of every one of them, with a password and one login session. Every connection of the
      benchmark uses that session. Writes STATE.json: {"token", "person", "hot": [ids],
      "idle": [ids]}. With an existing STATE.json that already has enough bodies it does
      nothing, so later runs reuse the database.

Only the Python standard library is used (the WebSocket client of fanout_setup.py).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fanout_setup import WS, activate, login  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--admin-email", required=True)
    ap.add_argument("--admin-password", required=True)
    ap.add_argument("--hot", type=int, default=500)
    ap.add_argument("--idle", type=int, default=100)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    state = {}
    if os.path.exists(a.out):
        with open(a.out) as f:
            state = json.load(f)
    if len(state.get("hot", [])) >= a.hot and len(state.get("idle", [])) >= a.idle:
        print("bodies_setup: reusing %d hot and %d idle bodies" % (len(state["hot"]),
                                                                   len(state["idle"])))
        return
    admin_token, _ = login(a.port, a.admin_email, a.admin_password)
    ws = WS(a.port, admin_token)
    if "person" not in state:
        ws.call("scope.create", name="Veel", kind="gemeente")
        org = ws.call("org.create", name="Bench veel organisatie", kind="gemeente", scope="Veel")
        p = ws.call("person.create", name="Bench Lid Veel", email="veel@bench.example",
                    org=org["organisation"]["id"])
        pid = p["person"]["id"]
        tok = p["setup_url"].rsplit("/", 1)[1]
        member = activate(a.port, [(pid, "veel@bench.example", tok)])[0]
        state.update({"person": pid, "token": member["token"], "hot": [], "idle": []})
    for kind, want in (("hot", a.hot), ("idle", a.idle)):
        ids = state[kind]
        while len(ids) < want:
            name = "Bench %s %04d" % ("overleg" if kind == "hot" else "stil", len(ids))
            b = ws.call("body.create", name=name, kind="werkgroep", scope="Veel",
                        level="operationeel")
            bid = b["body"]["id"]
            ws.call("membership.add", body=bid, person=state["person"], role="lid")
            ids.append(bid)
        with open(a.out, "w") as f:
            json.dump(state, f)
    ws.close()
    print("bodies_setup: %d hot and %d idle bodies, member %d" % (len(state["hot"]),
                                                                  len(state["idle"]),
                                                                  state["person"]))


if __name__ == "__main__":
    main()
