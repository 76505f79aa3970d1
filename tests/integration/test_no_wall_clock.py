"""No test may pass or fail by the date or the hour it runs, and the server has one clock.

The server takes "now" from kt_now() (util/timeutil.c), which tests fix with --test-now; the tests
take "now" from the server's test clock (harness.CLOCK, Server.now(), serverNow() in
tests/e2e/lib.mjs). This test searches the sources for the ways around that."""

import os
import re
import unittest

from harness import ROOT

# (pattern, why) per kind of file
SERVER_C = [
    (r"\btime\s*\(\s*(NULL|0)\s*\)", "time(NULL): take now from kt_now()"),
    (r"CLOCK_REALTIME", "the real-time clock: take now from kt_now_ms()"),
    (r"\bgettimeofday\s*\(", "gettimeofday: take now from kt_now_ms()"),
    (r"'now'", "SQL's 'now': bind kt_now() instead"),
    (r"CURRENT_(TIMESTAMP|DATE|TIME)\b", "SQL's current time: bind kt_now() instead"),
]
# the clock itself, and log lines, which record when they were really written
SERVER_ALLOWED = {os.path.join("server", "src", "util", "timeutil.c"),
                  os.path.join("server", "src", "util", "log.c")}
TEST_PY = [
    (r"\bdatetime(\.datetime)?\.now\s*\(", "the wall clock: use harness.CLOCK.now() or Server.now()"),
    (r"\butcnow\s*\(", "the wall clock: use harness.CLOCK.now() or Server.now()"),
    (r"\bdate\.today\s*\(", "today's date: use the server's clock"),
    (r"\btime\.(localtime|gmtime|ctime)\s*\(", "the wall clock: use the server's clock"),
]
TEST_JS = [
    (r"new Date\(\s*\)", "the browser's or node's clock: use serverNow() from lib.mjs"),
    (r"Date\.now\(\)\s*[-+]\s*[^;]*86400", "days from the real clock: use serverYmd() from lib.mjs"),
]
TEST_C = [
    (r"\btime\s*\(\s*(NULL|0)\s*\)", "time(NULL): unit tests run at KT_TEST_NOW (test_clock.h)"),
]


def sources(top, ext):
    for dirpath, dirnames, files in os.walk(os.path.join(ROOT, top)):
        dirnames[:] = [d for d in dirnames if d != "node_modules"]
        for f in files:
            if f.endswith(ext):
                path = os.path.join(dirpath, f)
                yield os.path.relpath(path, ROOT), path


def offences(top, ext, rules, allowed=frozenset()):
    found = []
    for rel, path in sources(top, ext):
        if rel in allowed:
            continue
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                code = line.split("//")[0] if ext in (".c", ".h", ".mjs", ".js") else line.split("#")[0]
                for pattern, why in rules:
                    if re.search(pattern, code):
                        found.append(f"{rel}:{n}: {why}: {line.strip()}")
    return found


class NoWallClock(unittest.TestCase):
    def test_the_server_has_one_clock(self):
        found = offences("server/src", ".c", SERVER_C, SERVER_ALLOWED) + \
            offences("server/src", ".h", SERVER_C, SERVER_ALLOWED)
        self.assertEqual(found, [])

    def test_no_test_reads_the_wall_clock_for_a_date(self):
        this = os.path.relpath(os.path.abspath(__file__), ROOT)
        found = [f for f in offences("tests", ".py", TEST_PY) if not f.startswith(this)]
        found += offences("tests", ".mjs", TEST_JS) + offences("tests", ".c", TEST_C)
        self.assertEqual(found, [])

    def test_the_search_finds_what_it_looks_for(self):
        # a rule that never matches would make the two tests above pass for nothing
        samples = {"SERVER_C": ("x = time(NULL);", SERVER_C),
                   "TEST_PY": ("today = datetime.date.today()", TEST_PY),
                   "TEST_JS": ("const d = new Date();", TEST_JS),
                   "TEST_C": ("int64_t t = time(0);", TEST_C)}
        for name, (line, rules) in samples.items():
            self.assertTrue(any(re.search(p, line) for p, _ in rules), name)


if __name__ == "__main__":
    unittest.main()
