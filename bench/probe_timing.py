#!/usr/bin/python3
"""Does a probe that matches a hidden confidential item cost the node more work than one that
does not (issue 11: "no score, word, count or timing difference reveals a hidden item")?

On the demo data, the chair of the Casusoverleg puts a confidential item on her agenda whose
words no open item has. The chair of the Regiegroep (not of its audience) then edits a probe item
of her own backlog, over and over, one edit after the other:

- sequence "hit": the title alternates between the confidential item's words and other words
  no item has: every edit makes or undoes a possible duplicate that only the confidential side
  may be told of;
- sequence "miss": the title alternates between two sets of words no item has.

Per edit it prints what the prober can observe: the wall time until the reply to her next request
(a ping right after the edit's reply: the node runs a write's reactions before it serves the next
request), and what it cost the loop thread: CPU time (/proc/PID/task/PID/schedstat, ns) from
before the edit to after the ping's reply. Blocks of the two sequences alternate so that the
machine's load hits both alike. Then it prints what the confidential side holds (its flags), so
that one sees the hits did reach it.

With --batch-rounds N (a second server, --confidential-check-secs 1) it measures the other
moment a prober can time: the confidential batch, which compares the open items changed in the
period with the confidential ones. Per round the prober edits her probe once (sequence "hit":
each edit makes or undoes a possible duplicate of the hidden item; "miss": it meets nothing),
then stays quiet for 1.5 periods, so that the window holds the batch of her edit; printed is the
loop thread's CPU over that window. Then what the prober sees of it on the wall clock: the same
rounds again, while a connection of hers sends pings one after the other across the window; per
window, the longest a ping waited for its reply (the time the node did not answer: the batch,
or since --confidential-slot-ms, the slot it holds). Then the open item's own reaction once
more, now that the probe has hidden flags: --hidden-flags K confidential items of the Casusoverleg say what one
probe says (the batch raised a flag with each); that probe and one without such flags are edited
alike, and the loop thread's CPU per edit is printed for each.

Usage: /usr/bin/python3 bench/probe_timing.py [--binary build/ketentafel] [--rounds 60]
       [--extra "--confidential-check-secs 5"] [--batch-rounds 40] [--hidden-flags 8]
Needs Debian's python3-websockets. Prints figures; never fails on one. The machine is shared:
read the CPU figures, not the wall times, and repeat."""

import argparse
import asyncio
import os
import shlex
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
import harness  # noqa: E402
from harness import Server  # noqa: E402

SECRET = "Casus Zwanenburg: vrachtwagenloods Oudelandseweg opslagplaats koelcellen"
HIT = "Zwanenburg vrachtwagenloods Oudelandseweg koelcellen"
MISS = ("Klaverblad tuinbouwkassen Noordendijk waterbassins",
        "Meeuwenhoek zeilmakerij Brouwersdijk scheepshelling")


def loop_cpu_ns(pid):
    with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def summary(xs):
    xs = sorted(xs)
    return (f"median {statistics.median(xs):8.0f}  mean {statistics.fmean(xs):8.0f}  "
            f"p10 {xs[len(xs) // 10]:8.0f}  p90 {xs[len(xs) * 9 // 10]:8.0f}")


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                     "ketentafel"))
    ap.add_argument("--rounds", type=int, default=60, help="edits per sequence")
    ap.add_argument("--extra", default="", help="more server options")
    ap.add_argument("--batch-rounds", type=int, default=0,
                    help="windows per sequence around the confidential batch (0: none)")
    ap.add_argument("--hidden-flags", type=int, default=8,
                    help="hidden flags of the probe in the last part (with --batch-rounds)")
    a = ap.parse_args()
    harness.BINARY = os.path.abspath(a.binary)
    if a.rounds > 0:
        await per_edit(a)
    if a.batch_rounds > 0:
        await around_batch(a)


async def world(server):
    """The prober, the owner of the confidential item, and that item."""
    prober = await server.connect(server.login("s.bakker@dordrecht.example",
                                               harness.DEMO_PASSWORD))
    owner = await server.connect(server.login("l.verschoor@dordrecht.example",
                                              harness.DEMO_PASSWORD))
    bodies = (await owner.call("body.list"))["bodies"]
    cso = [b for b in bodies if b["name"].startswith("Casusoverleg Ondermijning")][0]["id"]
    rg = [b for b in (await prober.call("body.list"))["bodies"]
          if b["name"].startswith("Regiegroep Ondermijning")][0]["id"]
    police = [o["id"] for o in (await owner.call("org.list"))["organisations"]
              if o["kind"] == "politie"][0]
    meetings = (await owner.call("meeting.list", body=cso))["meetings"]
    meeting = [m for m in meetings if m["status"] in ("concept", "agenda_gepubliceerd")][0]
    conf = (await owner.call("agenda.add", meeting=meeting["id"], title=SECRET,
                             confidential=True,
                             relevant=[{"org": police, "reason": "lopend onderzoek"}]))["item"]
    return prober, owner, cso, rg, police, meeting, conf


async def around_batch(a):
    server = Server("probe-timing-batch", demo=True, now="2027-03-01T09:00:00Z",
                    extra=shlex.split(a.extra) + ["--confidential-check-secs", "1"])
    server.start()
    try:
        pid = server.proc.pid
        prober, owner, cso, rg, police, meeting, conf = await world(server)
        probe = (await prober.call("agenda.add", body=rg, title=MISS[1]))["item"]["id"]
        titles = {"hit": (HIT, MISS[0]), "miss": (MISS[1], MISS[0])}
        await prober.sync()
        await asyncio.sleep(2)
        window = {"hit": [], "miss": []}  # loop cpu us over 1.5 s after the edit
        block = 5
        for start in range(0, a.batch_rounds, block):
            for seq in ("hit", "miss"):
                for i in range(start, min(start + block, a.batch_rounds)):
                    await prober.call("agenda.update", item=probe, title=titles[seq][i % 2])
                    c0 = loop_cpu_ns(pid)
                    await asyncio.sleep(1.5)
                    c1 = loop_cpu_ns(pid)
                    window[seq].append((c1 - c0) / 1e3)
        load = os.getloadavg()[0]
        print(f"\nthe confidential batch: {a.batch_rounds} windows of 1.5 s per sequence, "
              f"--confidential-check-secs 1, load {load:.1f}")
        for seq in ("hit", "miss"):
            print(f"{seq:4s} loop thread CPU over the window holding the batch, us: "
                  f"{summary(window[seq])}")
        d = statistics.median(window["hit"]) - statistics.median(window["miss"])
        print(f"loop CPU median difference hit - miss: {d:+.0f} us")

        # The same on the wall clock, as the prober sees it: her pings across the window.
        pinger = await server.connect(server.login("s.bakker@dordrecht.example",
                                                   harness.DEMO_PASSWORD))
        gap = {"hit": [], "miss": []}  # the longest wait for a ping's reply in the window, us
        for start in range(0, a.batch_rounds, block):
            for seq in ("hit", "miss"):
                for i in range(start, min(start + block, a.batch_rounds)):
                    await prober.call("agenda.update", item=probe, title=titles[seq][i % 2])
                    gap[seq].append(await longest_wait(pinger, 1.5))
        load = os.getloadavg()[0]
        print(f"\nthe confidential batch on the wall clock: {a.batch_rounds} windows of 1.5 s per "
              f"sequence, pings one after the other, load {load:.1f}")
        for seq in ("hit", "miss"):
            print(f"{seq:4s} longest wait for a ping's reply in the window, us: "
                  f"{summary(gap[seq])}")
        d = statistics.median(gap["hit"]) - statistics.median(gap["miss"])
        print(f"longest wait median difference hit - miss: {d:+.0f} us")
        await pinger.close()

        # The open reaction of a probe that has hidden flags, next to one that has none.
        for k in range(a.hidden_flags):
            await owner.call("agenda.add", meeting=meeting["id"], title=f"{SECRET} {k + 1}",
                             confidential=True,
                             relevant=[{"org": police, "reason": "lopend onderzoek"}])
        flagged = (await prober.call("agenda.add", body=rg, title=HIT))["item"]["id"]
        plain = (await prober.call("agenda.add", body=rg, title=MISS[1]))["item"]["id"]
        await asyncio.sleep(2.5)  # the batch flags the first with every hidden item
        held = [f for f in (await owner.call("flag.list", body=cso))["flags"]
                if f["other"]["item"] == flagged and f["state"] == "open"]
        got = {"flagged": [], "plain": []}
        tt = {"flagged": (HIT + " loods", HIT), "plain": (MISS[1] + " werf", MISS[1])}
        for start in range(0, a.rounds, 10):
            for which, item in (("flagged", flagged), ("plain", plain)):
                for i in range(start, min(start + 10, a.rounds)):
                    c0 = loop_cpu_ns(pid)
                    await prober.call("agenda.update", item=item, title=tt[which][i % 2])
                    await prober.call("ping")
                    c1 = loop_cpu_ns(pid)
                    got[which].append((c1 - c0) / 1e3)
        print(f"\nan open probe's edit + ping with {len(held)} hidden flags, and one with none "
              f"({a.rounds} each; a batch may fall in either), loop thread CPU us:")
        for which in ("flagged", "plain"):
            print(f"{which:7s} {summary(got[which])}")
        d = statistics.median(got["flagged"]) - statistics.median(got["plain"])
        print(f"loop CPU median difference flagged - plain: {d:+.0f} us")
        await prober.close()
        await owner.close()
    finally:
        server.stop(check=False)
        server.cleanup()


async def longest_wait(client, seconds):
    """Pings, one after the other, for seconds: the longest a reply took, us."""
    worst, end = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        await client.call("ping")
        worst = max(worst, time.perf_counter() - t0)
    return worst * 1e6


async def per_edit(a):
    server = Server("probe-timing", demo=True, now="2027-03-01T09:00:00Z",
                    extra=shlex.split(a.extra))
    server.start()
    try:
        pid = server.proc.pid
        prober, owner, cso, rg, police, meeting, conf = await world(server)
        probes = {}
        for seq in ("hit", "miss"):
            probes[seq] = (await prober.call("agenda.add", body=rg, title=MISS[1]))["item"]["id"]
        titles = {"hit": (HIT, MISS[0]), "miss": (MISS[1], MISS[0])}
        await prober.sync()
        got = {"hit": ([], []), "miss": ([], [])}  # (wall us, loop cpu us) per edit
        block = 10
        for start in range(0, a.rounds, block):
            for seq in ("hit", "miss"):
                for i in range(start, min(start + block, a.rounds)):
                    title = titles[seq][i % 2]
                    c0 = loop_cpu_ns(pid)
                    await prober.call("agenda.update", item=probes[seq], title=title)
                    t0 = time.perf_counter()
                    await prober.call("ping")
                    t1 = time.perf_counter()
                    c1 = loop_cpu_ns(pid)
                    got[seq][0].append((t1 - t0) * 1e6)
                    got[seq][1].append((c1 - c0) / 1e3)
        load = os.getloadavg()[0]
        print(f"{a.rounds} edits per sequence, load {load:.1f} (shared machine), "
              f"server options: {a.extra or '(defaults)'}")
        for seq in ("hit", "miss"):
            print(f"{seq:4s} next request's reply after the edit's, wall us:  {summary(got[seq][0])}")
            print(f"{seq:4s} loop thread CPU per edit + ping, us:             {summary(got[seq][1])}")
        d = statistics.median(got["hit"][1]) - statistics.median(got["miss"][1])
        print(f"loop CPU median difference hit - miss: {d:+.0f} us")
        # the hits did reach the confidential side (at once, or with the next batch)
        await prober.call("agenda.update", item=probes["hit"], title=HIT)
        told, t0 = [], time.monotonic()
        while not told and time.monotonic() - t0 < 30:
            flags = (await owner.call("flag.list", body=cso))["flags"]
            told = [f for f in flags if f["here"]["item"] == conf["id"]
                    and f["other"]["item"] == probes["hit"]]
            if not told:
                await asyncio.sleep(0.5)
        print(f"the confidential side's flag with the probe: "
              f"{told[0]['state'] + f' after {time.monotonic() - t0:.1f} s' if told else 'none'}")
        await prober.close()
        await owner.close()
    finally:
        server.stop(check=False)
        server.cleanup()


asyncio.run(main())
