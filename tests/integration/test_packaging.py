"""Issue 16: packaging and service. Builds the Debian package from a copy of the source tree
with Debian's own tools (dpkg-buildpackage, debhelper's cmake build system, which runs
`cmake --install` into a DESTDIR), unpacks it and checks what an operator gets: the files in
their usual places, the configuration file as a conffile, the defaults of an installed node,
a systemd unit that `systemd-analyze verify` accepts and that is hardened, and a manual page
that renders.

KT_DEB=path/to/ketentafel_*.deb checks a package built before instead of building one."""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import ROOT

TIMEOUT = 3600


def build_deb(workdir):
    """dpkg-buildpackage on a copy of the tracked (and new, unignored) files; returns the .deb."""
    src = os.path.join(workdir, "src")
    os.makedirs(src)
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        path = f.decode()
        s, d = os.path.join(ROOT, path), os.path.join(src, path)
        if not os.path.lexists(s):
            continue  # deleted in the work tree
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        else:
            shutil.copy2(s, d)
    env = dict(os.environ, DEB_BUILD_OPTIONS=f"nocheck noddebs parallel={os.cpu_count() or 2}")
    for k in [k for k in env if k.startswith(("ASAN_", "UBSAN_", "KT_"))]:
        del env[k]
    out_dir = os.environ.get("KT_TEST_OUTPUT", workdir)
    os.makedirs(out_dir, exist_ok=True)
    log = os.path.join(out_dir, "deb-build.log")
    with open(log, "wb") as out:
        r = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=src, env=env,
                           stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT)
    if r.returncode != 0:
        with open(log, errors="replace") as f:
            raise AssertionError(f"dpkg-buildpackage failed:\n{f.read()[-4000:]}")
    debs = glob.glob(os.path.join(workdir, "ketentafel_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


class DebianPackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="kt-deb-")
        cls.deb = os.environ.get("KT_DEB") or build_deb(cls.work)
        cls.root = os.path.join(cls.work, "root")
        subprocess.run(["dpkg-deb", "-x", cls.deb, cls.root], check=True)
        cls.control = os.path.join(cls.work, "control")
        subprocess.run(["dpkg-deb", "-e", cls.deb, cls.control], check=True)
        cls.binary = os.path.join(cls.root, "usr/bin/ketentafel")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def path(self, p):
        return os.path.join(self.root, p.lstrip("/"))

    def run_binary(self, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("KT_")}
        return subprocess.run([self.binary, *args], capture_output=True, text=True, env=env,
                              timeout=60)

    def test_files_are_in_their_usual_places(self):
        for p in ("/usr/bin/ketentafel",
                  "/usr/share/ketentafel/web/index.html",
                  "/usr/share/ketentafel/web/js/app.js",
                  "/usr/share/ketentafel/web/css/app.css",
                  "/usr/share/ketentafel/demo/demo.json",
                  "/usr/share/man/man1/ketentafel.1.gz",
                  "/lib/systemd/system/ketentafel.service",
                  "/usr/lib/sysusers.d/ketentafel.conf",
                  "/etc/ketentafel/ketentafel.conf",
                  "/usr/share/doc/ketentafel/copyright"):
            self.assertTrue(os.path.isfile(self.path(p)), p)
        self.assertTrue(os.access(self.binary, os.X_OK))
        # nothing from a build or the source tree's notes leaks in
        everything = [os.path.relpath(os.path.join(d, f), self.root)
                      for d, _, fs in os.walk(self.root) for f in fs]
        self.assertFalse([f for f in everything if f.startswith("usr/local")
                          or f.endswith((".md", ".o", ".pyc"))
                          and not f.startswith("usr/share/ketentafel/demo/")], everything)

    def test_the_configuration_file_is_a_conffile_and_the_user_is_made(self):
        with open(os.path.join(self.control, "conffiles")) as f:
            self.assertIn("/etc/ketentafel/ketentafel.conf", f.read().split())
        with open(os.path.join(self.control, "postinst")) as f:
            postinst = f.read()
        self.assertIn("systemd-sysusers", postinst)
        self.assertIn("chmod 0640", postinst)
        with open(self.path("/usr/lib/sysusers.d/ketentafel.conf")) as f:
            self.assertRegex(f.read(), r"(?m)^u ketentafel ")
        info = subprocess.run(["dpkg-deb", "-f", self.deb, "Depends"], capture_output=True,
                              text=True, check=True).stdout
        for dep in ("libwebsockets17", "libsqlite3-0", "libsodium23", "tzdata", "wdutch"):
            self.assertIn(dep, info)

    def test_an_installed_node_defaults_to_the_installed_paths(self):
        r = self.run_binary("check-config")
        self.assertEqual(r.returncode, 0, r.stderr)
        values = dict(re.findall(r"^([a-z-]+) = (.*)$", r.stdout, re.M))
        self.assertEqual(values["db"], "/var/lib/ketentafel/ketentafel.db")
        self.assertEqual(values["web"], "/usr/share/ketentafel/web")
        self.assertEqual(values["demo-file"], "/usr/share/ketentafel/demo/demo.json")
        self.assertIn("/etc/ketentafel/ketentafel.conf", self.run_binary("--help").stdout)

    def test_the_example_configuration_is_valid_commented_and_uncommented(self):
        conf = self.path("/etc/ketentafel/ketentafel.conf")
        r = self.run_binary("check-config", "--config", conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(conf) as f:
            text = f.read()
        settings = re.findall(r"(?m)^#([a-z-]+) = (.*)$", text)
        self.assertGreater(len(settings), 15)
        # every default, set explicitly, reads back as itself
        explicit = os.path.join(self.work, "explicit.conf")
        with open(explicit, "w") as f:
            for key, value in settings:
                if value == value.upper():  # a placeholder such as URL: no default
                    continue
                f.write(f"{key} = {value}\n")
        r = self.run_binary("check-config", "--config", explicit)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_the_readmes_configuration_steps_give_a_valid_tls_configuration(self):
        """README, Operating: the lines it appends to the installed file, with real TLS files."""
        from test_tls import make_cert
        cert, key = make_cert(self.work, "readme")
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        section = readme[readme.index("## Operating"):readme.index("### Start")]
        appended = "".join(re.findall(r"cat >>/etc/ketentafel/ketentafel.conf <<'CONF'\n(.*?)CONF",
                                      section, re.S))
        self.assertIn("tls-cert =", appended)
        appended = appended.replace("/etc/ketentafel/tls/cert.pem", cert)
        appended = appended.replace("/etc/ketentafel/tls/key.pem", key)
        conf = os.path.join(self.work, "readme.conf")
        with open(self.path("/etc/ketentafel/ketentafel.conf")) as f, open(conf, "w") as out:
            out.write(f.read() + appended)
        r = self.run_binary("check-config", "--config", conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("public-url = https://", r.stdout)
        self.assertIn("# tls: subject /CN=localhost", r.stdout)

    def unit_text(self):
        with open(self.path("/lib/systemd/system/ketentafel.service")) as f:
            return f.read()

    def test_the_unit_verifies(self):
        unit = self.unit_text()
        self.assertIn("ExecStart=/usr/bin/ketentafel serve --config "
                      "/etc/ketentafel/ketentafel.conf", unit)
        # systemd-analyze checks that ExecStart exists and that man:ketentafel(1) opens:
        # point both into the unpacked package
        d = os.path.join(self.work, "verify")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "ketentafel.service")
        with open(path, "w") as f:
            f.write(unit.replace("/usr/bin/ketentafel", self.binary))
        env = dict(os.environ, MANPATH=self.path("/usr/share/man"))
        r = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True,
                           env=env, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "")

    def test_the_unit_is_hardened(self):
        unit = self.unit_text()
        for line in ("User=ketentafel", "StateDirectory=ketentafel", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "PrivateTmp=yes", "ProtectHome=yes",
                     "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
                     "MemoryDenyWriteExecute=yes",
                     "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                     "ExecReload=/bin/kill -HUP $MAINPID"):
            self.assertIn(line, unit)
        path = os.path.join(self.work, "ketentafel.service")
        with open(path, "w") as f:
            f.write(unit)
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", path],
                           capture_output=True, text=True, timeout=120)
        m = re.search(r"Overall exposure level for ketentafel.service: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        self.assertLessEqual(float(m.group(1)), 1.2, r.stdout)

    def test_the_manual_page_renders(self):
        page = self.path("/usr/share/man/man1/ketentafel.1.gz")
        r = subprocess.run(["man", "-l", "-Tutf8", page], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = re.sub(r".\x08", "", r.stdout)
        self.assertIn("KETENTAFEL(1)", text)
        self.assertIn("/etc/ketentafel/ketentafel.conf", text)
        self.assertIn("--config", text)


if __name__ == "__main__":
    unittest.main()
