"""scripts/prove-matrix removes one read-time visibility check at a time and shows that the
canary matrix then fails (issue 11). A removal whose check has moved silently proves nothing, so
this holds that every removal still applies: each check is found exactly once in its file."""

import os
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ProveMatrixAnchors(unittest.TestCase):
    def test_every_removal_applies(self):
        r = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "prove-matrix"),
                            "--anchors"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"(\d+) of \1 removals apply")


if __name__ == "__main__":
    unittest.main()
