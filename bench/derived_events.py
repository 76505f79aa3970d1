#!/usr/bin/python3
"""How many events one change writes (issue 11, "Storage"): the security review saw one
meeting.update write 21 events, mostly derived ones (flags re-announced, notifications). On the
demo data, the chair of the Regiegroep moves the next meeting by a week, changes its location,
and moves it back; each step prints the events written (all streams, from the store) by type,
and the notifications made: the event rows the log grew by (by type) and the seqs sent out.

Usage: bench/derived_events.py [--binary build/ketentafel]
Needs Debian's python3-websockets (run with /usr/bin/python3). Prints figures; never fails on one."""

import argparse
import asyncio
import collections
import os
import sys
from datetime import datetime, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import harness  # noqa: E402
from harness import Server  # noqa: E402


def counts(server):
    events = collections.Counter(dict(server.query("SELECT type, count(*) FROM events GROUP BY type")))
    notes = server.query("SELECT count(*) FROM notifications")[0][0]
    seqs = server.query("SELECT coalesce(sum(seq), 0) FROM streams")[0][0]
    return events, notes, seqs


def shift(iso, days):
    t = datetime.fromisoformat(iso.replace("Z", "+00:00")) + timedelta(days=days)
    return t.isoformat().replace("+00:00", "Z")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "ketentafel"))
    a = ap.parse_args()
    harness.BINARY = os.path.abspath(a.binary)
    server = Server("derived-events", demo=True, now="2027-03-01T09:00:00Z")
    server.start()
    try:
        c = await server.connect(server.login("s.bakker@dordrecht.example", "welkom-ketentafel"))
        bodies = (await c.call("body.list"))["bodies"]
        body = [b for b in bodies if b["name"].startswith("Regiegroep Ondermijning")][0]["id"]
        meetings = (await c.call("meeting.list", body=body))["meetings"]
        m = [x for x in meetings if x["status"] in ("concept", "agenda_gepubliceerd")][0]
        steps = [("meeting.update: a week later", {"start": shift(m["start"], 7),
                                                     "end": shift(m["end"], 7)}),
                 ("meeting.update: another location", {"location": "Stadskantoor, zaal 3"}),
                 ("meeting.update: back to its date", {"start": m["start"], "end": m["end"]})]
        for what, args in steps:
            e0, n0, s0 = counts(server)
            await c.call("meeting.update", meeting=m["id"], **args)
            await asyncio.sleep(1.0)  # the detectors and notifications run after the reply
            e1, n1, s1 = counts(server)
            diff = {k: e1[k] - e0[k] for k in set(e1) | set(e0) if e1[k] != e0[k]}
            # stored: how many more event rows the log holds (a notification's superseded
            # events go, feed/notify.c); seqs: how many events were sent out (each a seq)
            print(f"{what}: {sum(diff.values())} events stored "
                  f"({', '.join(f'{k} {v:+d}' for k, v in sorted(diff.items()))}), "
                  f"{s1 - s0} seqs; {n1 - n0} notifications")
        await c.close()
    finally:
        server.stop(check=False)
        server.cleanup()


asyncio.run(main())
