"""Issue 16: the configuration file. The real binary reads /etc-style files with the precedence
flags > environment > file > defaults, refuses a bad file naming the line, prints the effective
configuration without passwords (check-config), and a node runs from a file alone. --help and
the manual page come from one table: every option and variable is in both."""

import os
import re
import subprocess
import tempfile
import unittest
import urllib.request

from harness import BINARY, ROOT, die_with_parent, free_port


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KT_")}
    env.update(extra)
    return env


def run(*args, env=None, input=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=60,
                          env=env if env is not None else clean_env(), input=input)


class ConfigFileTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="kt-conf-")
        self.path = os.path.join(self.dir.name, "ketentafel.conf")

    def tearDown(self):
        self.dir.cleanup()

    def write(self, text):
        with open(self.path, "w") as f:
            f.write(text)

    def test_precedence_flags_environment_file_defaults(self):
        self.write("# operators' file\n"
                   "port = 9100\n"
                   "digest-hour = 5\n"
                   "ping-secs = 20\n"
                   "smtp-url = smtp://mailer:fileSecret@relay.example.nl:25\n")
        env = clean_env(KT_DIGEST_HOUR="6", KT_PING_SECS="25")
        r = run("check-config", "--config", self.path, "--ping-secs", "35", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        values = dict(re.findall(r"^([a-z-]+) = (.*)$", r.stdout, re.M))
        self.assertEqual(values["port"], "9100")          # file over default
        self.assertEqual(values["digest-hour"], "6")      # environment over file
        self.assertEqual(values["ping-secs"], "35")       # flag over environment
        self.assertEqual(values["max-queue"], "1024")     # default
        self.assertEqual(values["smtp-url"], "smtp://mailer:***@relay.example.nl:25")
        self.assertNotIn("fileSecret", r.stdout + r.stderr)
        self.assertIn(f"# configuration file: {self.path}", r.stdout)
        self.assertIn("# from line 2 of the file\nport = 9100", r.stdout)
        self.assertIn("# from the environment: KT_DIGEST_HOUR\ndigest-hour = 6", r.stdout)
        self.assertIn("# from the command line: --ping-secs\nping-secs = 35", r.stdout)

    def test_the_printed_configuration_reads_back_as_the_same_configuration(self):
        self.write("port = 9101\nsync = normal\nredis = redis://127.0.0.1:6390\n")
        first = run("check-config", "--config", self.path)
        self.assertEqual(first.returncode, 0, first.stderr)
        with open(self.path, "w") as f:
            f.write(first.stdout)
        second = run("check-config", "--config", self.path)
        self.assertEqual(second.returncode, 0, second.stderr)
        strip = lambda s: [l for l in s.splitlines() if l and not l.startswith("#")]
        self.assertEqual(strip(first.stdout), strip(second.stdout))

    def test_a_bad_file_is_refused_naming_file_and_line(self):
        self.write("port = 9102\n\n# below a typo\npublic-url = htps://ketentafel.example.nl\n")
        for cmd in (["check-config"], ["serve"], []):
            r = run(*cmd, "--config", self.path)
            self.assertEqual(r.returncode, 2, cmd)
            self.assertIn(f"{self.path}:4: public-url: a URL starting with http|https://",
                          r.stderr)
        self.write("port = 9102\nprot = 1\n")
        r = run("check-config", "--config", self.path)
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"{self.path}:2: unknown setting \"prot\"", r.stderr)

    def test_bad_environment_and_flags_name_themselves(self):
        r = run("check-config", env=clean_env(KT_PORT="80x"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("KT_PORT: not a whole number from 0 to 65535: 80x", r.stderr)
        r = run("check-config", "--sync", "fast")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--sync: one of full|normal, not: fast", r.stderr)
        r = run("check-config", "--config", os.path.join(self.dir.name, "missing.conf"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.conf: cannot read the configuration file", r.stderr)

    def test_a_node_runs_from_the_file_alone(self):
        port = free_port()
        db = os.path.join(self.dir.name, "data", "kt.db")
        self.write(f"listen = 127.0.0.1\nport = {port}\ndb = {db}\nweb = {ROOT}/web\n"
                   f"sync = normal\nnode-id = from-file\nmetrics-listen = off\n")
        env = clean_env(KT_CONFIG=self.path)
        proc = subprocess.Popen([BINARY], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True,
                                preexec_fn=die_with_parent)
        try:
            lines = []
            while not any("ketentafel draait" in l for l in lines) and proc.poll() is None:
                lines.append(proc.stdout.readline())
            self.assertIn(f"http://localhost:{port}/", lines[-1])
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
                self.assertEqual(r.status, 200)
            self.assertTrue(os.path.exists(db))
        finally:
            proc.terminate()
            out, _ = proc.communicate(timeout=30)
        out = "".join(lines) + out
        self.assertEqual(proc.returncode, 0, out)
        self.assertIn("node=from-file", out)


class OneTableTest(unittest.TestCase):
    def test_help_and_manual_page_list_the_same_options_and_variables(self):
        help_text = run("--help").stdout
        man = run("manpage")
        self.assertEqual(man.returncode, 0)
        flags = set(re.findall(r"^  --([a-z-]+)", help_text, re.M))
        man_flags = set(re.findall(r"^\\fB\\-\\-([a-z\\-]+)\\fR", man.stdout, re.M))
        man_flags = {f.replace("\\-", "-") for f in man_flags}
        self.assertGreater(len(flags), 20)
        self.assertEqual(flags, man_flags)
        envs = set(re.findall(r"\((KT_[A-Z_]+)\)", help_text))
        man_envs = set(re.findall(r"^\.B (KT_[A-Z_]+)$", man.stdout, re.M))
        self.assertEqual(envs | {"KT_ADMIN_PASSWORD"}, man_envs)
        # every key check-config prints is an option of --help
        keys = set(re.findall(r"^#? ?([a-z-]+)(?: =|: not set)", run("check-config").stdout,
                              re.M))
        self.assertTrue(keys <= flags, keys - flags)
        # the example file installed as /etc/ketentafel/ketentafel.conf names the same keys
        example = set(re.findall(r"^#([a-z-]+) = ", run("example-config").stdout, re.M))
        self.assertEqual(example, keys)

    def test_the_manual_page_renders_without_warnings(self):
        man = run("manpage").stdout
        r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=man, text=True,
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, "")
        r = subprocess.run(["groff", "-man", "-Tutf8"], input=man, capture_output=True,
                           text=True, timeout=60)
        text = re.sub(r".\x08", "", r.stdout)
        for heading in ("NAME", "SYNOPSIS", "COMMANDS", "OPTIONS", "CONFIGURATION FILE",
                        "ENVIRONMENT", "EXIT STATUS"):
            self.assertRegex(text, rf"(?m)^{heading}$")


if __name__ == "__main__":
    unittest.main()
