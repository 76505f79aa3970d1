"""What reading a document in parts costs (issue 12 point 6): plants the large body of
tests/integration/test_reply_bounds.py (a meeting of 1,500 items with notes and outcomes, a
person with thousands of messages, notifications and audit entries), then reads every part of
`export.minutes` and `person.export` as the web client does, and prints the server's CPU time
(/proc/PID/stat, user + system) per part and in all, and the reply sizes.

    KT_BINARY=$PWD/build-rel/ketentafel /usr/bin/python3 bench/export_parts.py

CPU time, not wall time: the machine is shared. Repeat runs to see the spread."""
import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

from harness import ADMIN_EMAIL, ADMIN_PASSWORD  # noqa: E402
from test_reply_bounds import ReplyBoundTest  # noqa: E402


def cpu_secs(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ExportParts(ReplyBoundTest):

    async def read_all(self, who, op, **args):
        pid, rows, part = self.server.proc.pid, [], 0
        total0 = cpu_secs(pid)
        limit = int(os.environ.get("BENCH_PARTS", "100000"))
        while part is not None and len(rows) < limit:
            before, c0, t0 = len(who.frames), cpu_secs(pid), time.monotonic()
            r = await who.call(op, part=part, **args)
            reply = [f for f in who.frames[before:] if "result" in f][-1]
            size = len(json.dumps(reply, ensure_ascii=False, separators=(",", ":")).encode())
            rows.append((part, cpu_secs(pid) - c0, time.monotonic() - t0, size))
            part = r["next_part"]
        total = cpu_secs(pid) - total0
        print(f"\n{op}: {len(rows)} parts, server CPU {total:.2f} s in all, "
              f"{total / len(rows):.3f} s a part (load {os.getloadavg()[0]:.1f})")
        for p, cpu, wall, size in rows:
            print(f"  part {p:>3}  cpu {cpu:6.3f} s  wall {wall:6.3f} s  {size:>8} bytes")

    async def test_every_read_of_large_data_stays_within_the_bound(self):
        pass

    async def test_parts(self):
        meeting = self.plant()
        chair = await self.connect("chair@test.example")
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        await self.read_all(chair, "export.minutes", meeting=meeting)
        await self.read_all(admin, "person.export", person=self.p["chair"])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "ExportParts.test_parts"])
