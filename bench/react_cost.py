"""Where a write's reactions cost CPU (issue 15): the loop thread's CPU time and the whole
server's, per acknowledged write that needs a reaction (the detectors and notifications run after
commit, react/react.c). Starts BINARY on a copy of run-bodies' database (DB_DIR, made by
`bench/run-bodies`: kt.db and state.json with a session token), sends N writes one after the
other at RATE/s over one WebSocket, waits until the reactions are done (the store's reaction
queue is empty, /metrics), and prints the loop thread's CPU time (/proc/PID/task/PID/stat) and
the process's (/proc/PID/stat) per write. Standard library plus python3-websockets; run it with
/usr/bin/python3.

    /usr/bin/python3 bench/react_cost.py BINARY DB_DIR [OP] [N] [RATE]

OP: mention (chat.post with an @mention: a reaction job for the notifications; default) or agenda
(agenda.add into a body's backlog: the detectors too; needs a person who may add, which
run-bodies' member is not).
"""
import asyncio
import json
import random
import re
import sys
import time
import urllib.request

from bench_common import Server, free_port, load

WORDS = ("aanpak ondermijning drugslab woonoverlast jeugd huiselijk geweld vakantiepark bibob "
         "sluiting woning hennep kwetsbare bewoners zorg veiligheid wijk buurt toezicht "
         "handhaving signalen witwassen autobranche arbeidsuitbuiting mensenhandel "
         "radicalisering schoolverzuim overlast horeca evenementen cameratoezicht").split()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    kt, db = sys.argv[1], sys.argv[2]
    op = sys.argv[3] if len(sys.argv) > 3 else "mention"
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else 50
    server = Server(kt, db, "react-cost", metrics_port=free_port())
    body = server.state["hot"][0]
    ops = server.metrics_port

    def cpus():
        return server.loop_cpu(), server.cpu()

    def waiting():
        text = urllib.request.urlopen(f"http://127.0.0.1:{ops}/metrics").read().decode()
        m = re.search(r"^kt_reactions_waiting\{[^}]*\} (\d+)", text, re.M)
        return int(m.group(1)) if m else -1

    def request(k):
        words = " ".join(random.sample(WORDS, 4))
        if op == "mention":
            return {"id": k, "op": "chat.post", "body": body, "key": "k%d" % k,
                    "text": "@Bench Lid Veel %s (%d)" % (words, k)}
        return {"id": k, "op": "agenda.add", "body": body, "key": "k%d" % k,
                "title": "%s %d" % (words.capitalize(), k)}

    async def run():
        ws = await server.connect(tries=600)
        k = 0

        async def send(count):
            nonlocal k
            errors = 0
            start = time.monotonic()
            for i in range(count):
                k += 1
                await ws.send(json.dumps(request(k)))
                while True:
                    reply = json.loads(await ws.recv())
                    if reply.get("id") == k:
                        break
                if not reply.get("ok"):
                    errors += 1
                    if errors == 1:
                        print("error:", reply, file=sys.stderr)
                delay = start + (i + 1) / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            return errors

        async def settled():
            for _ in range(600):
                if waiting() == 0:
                    return
                await asyncio.sleep(0.1)

        await send(50)  # warm-up
        await settled()
        await asyncio.sleep(1)
        (l0, p0), t0 = cpus(), time.monotonic()
        errors = await send(n)
        await settled()
        (l1, p1) = cpus()
        print("op=%s writes=%d errors=%d rate=%.0f loop_cpu_us_per_write=%.0f "
              "process_cpu_us_per_write=%.0f other_threads_us_per_write=%.0f wall_s=%.1f load=%s"
              % (op, n, errors, rate, (l1 - l0) / n * 1e6, (p1 - p0) / n * 1e6,
                 ((p1 - p0) - (l1 - l0)) / n * 1e6, time.monotonic() - t0, load()))
        await ws.close()

    server.run(run())


if __name__ == "__main__":
    main()
