"""Issue 16: TLS. The node serves HTTPS and WSS itself (--tls-cert, --tls-key): TLS 1.2 and 1.3
only, forward-secret AEAD ciphers, HTTP/1.1; HSTS and Secure cookies whenever the public URL is
https:; a password never crosses in clear text then (unless a trusted proxy terminated TLS);
SIGHUP moves new handshakes onto a new certificate while open sessions carry on."""

import asyncio
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, BINARY, Server


def make_cert(directory, name, cn="localhost"):
    """A self-signed P-256 certificate for localhost and 127.0.0.1: (certificate, key)."""
    cert, key = (os.path.join(directory, f"{name}.{k}.pem") for k in ("cert", "key"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", f"/CN={cn}",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


def unverified(version=None, ciphers=None):
    """A client context that accepts any certificate and, for the old protocol versions, is
    willing to speak them: so a refusal comes from the server, not from this client."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if version:
        ctx.minimum_version = ctx.maximum_version = version
    ctx.set_ciphers(ciphers or "ALL:@SECLEVEL=0")
    return ctx


def handshake(port, ctx):
    """(protocol version, cipher name, peer certificate DER) or raises ssl.SSLError."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            return s.version(), s.cipher()[0], s.getpeercert(binary_form=True)


def der(cert_path):
    with open(cert_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class NativeTlsTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.dir = tempfile.mkdtemp(prefix="kt-tls-")
        self.cert, self.key = make_cert(self.dir, "live")
        # OPENSSL_CONF empty: the policy must hold by the node's own settings, not by
        # Debian's system-wide openssl.cnf (which also sets a TLS 1.2 floor)
        self.s = Server("tls", tls=(self.cert, self.key), env={"OPENSSL_CONF": "/dev/null"})
        self.s.create_admin()
        self.s.start()

    async def asyncTearDown(self):
        self.s.stop()
        self.s.cleanup()

    def test_tls_1_2_and_1_3_are_spoken_1_0_and_1_1_refused(self):
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                              (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            got, _, _ = handshake(self.s.port, unverified(version))
            self.assertEqual(got, name)
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.assertRaises(ssl.SSLError) as e:
                handshake(self.s.port, unverified(version))
            # the server's alert, not this client declining
            self.assertIn("PROTOCOL_VERSION", str(e.exception).upper())

    def test_only_forward_secret_aead_ciphers(self):
        v12 = ssl.TLSVersion.TLSv1_2
        for weak in ("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256",
                     "ECDHE-ECDSA-AES128-SHA256"):
            with self.assertRaises(ssl.SSLError, msg=weak):
                handshake(self.s.port, unverified(v12, weak))
        _, cipher, _ = handshake(self.s.port, unverified(v12))
        self.assertRegex(cipher, r"^ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$")

    def test_http_1_1_only(self):
        ctx = unverified()
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                self.assertEqual(s.selected_alpn_protocol(), "http/1.1")

    def test_hsts_and_secure_cookie(self):
        status, headers, _ = self.s.http("GET", "/")
        self.assertEqual(status, 200)
        h = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(h.get("strict-transport-security"), "max-age=31536000")
        self.assertIn("default-src 'self'", h.get("content-security-policy", ""))
        status, headers, raw = self.s.http("POST", "/api/login",
                                           {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        self.assertEqual(status, 200, raw)
        cookie = {k.lower(): v for k, v in headers.items()}["set-cookie"]
        for attr in ("Secure", "HttpOnly", "SameSite=Strict"):
            self.assertIn(attr, cookie)

    def test_plain_http_on_the_tls_port_gets_nothing(self):
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as c:
            c.sendall(b"POST /api/login HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                      b"\r\n{}")
            c.settimeout(5)
            try:
                reply = c.recv(4096)
            except (ConnectionResetError, socket.timeout):
                reply = b""
        self.assertNotIn(b"HTTP/1.1 200", reply)
        self.assertNotIn(b"token", reply)

    async def test_websocket_over_tls(self):
        admin = await self.s.connect(self.s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        result = await admin.call("body.list")
        self.assertIn("bodies", result)
        await admin.close()

    async def test_sighup_moves_new_handshakes_to_a_new_certificate_and_keeps_sessions(self):
        admin = await self.s.connect(self.s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        first = der(self.cert)
        self.assertEqual(handshake(self.s.port, unverified())[2], first)
        # renewal: the files are replaced in place, then the node is told
        new_cert, new_key = make_cert(self.dir, "renewed")
        os.replace(new_cert, self.cert)
        os.replace(new_key, self.key)
        self.s.proc.send_signal(signal.SIGHUP)
        await self.wait_log("tls: certificate reloaded")
        self.assertNotEqual(der(self.cert), first)
        self.assertEqual(handshake(self.s.port, unverified())[2], der(self.cert))
        # the session opened before the reload carries on, on the same connection
        self.assertIn("bodies", await admin.call("body.list"))
        self.assertIsNone(admin.closed)
        # a broken key is refused and the certificate in use stays
        renewed = der(self.cert)
        with open(self.key, "w") as f:
            f.write("not a key\n")
        self.s.proc.send_signal(signal.SIGHUP)
        await self.wait_log("tls: reload refused")
        self.assertEqual(handshake(self.s.port, unverified())[2], renewed)
        self.assertIn("bodies", await admin.call("body.list"))
        await admin.close()

    async def wait_log(self, text, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.s.read_log():
                return
            await asyncio.sleep(0.05)
        self.fail(f"no '{text}' in the log")


class ClearTextLoginTest(unittest.TestCase):
    """Behind a proxy that terminates TLS the node speaks plain HTTP; with an https: public URL
    it takes a password only from a trusted proxy that says the client came over TLS."""

    def start(self, *extra):
        # the test speaks to the node directly, as a client (or a proxy) would
        self.s = Server("cleartext", extra=["--public-url", "https://ketentafel.example.nl",
                                            *extra], tls_proxy=False)
        self.s.create_admin()
        self.s.start()
        self.addCleanup(self.s.cleanup)
        self.addCleanup(self.s.stop)

    def login(self, headers=None):
        return self.s.http("POST", "/api/login", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
                           headers=headers)

    def test_no_password_over_plain_http(self):
        self.start()
        for headers in (None, {"X-Forwarded-Proto": "https"}):  # a client's own claim: no
            status, _, raw = self.login(headers)
            self.assertEqual(status, 403, raw)
            self.assertEqual(json.loads(raw)["error"]["code"], "tls_required")
        status, _, raw = self.s.http("POST", "/api/password",
                                     {"token": "x" * 20, "password": "nieuw-wachtwoord-1"})
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(raw)["error"]["code"], "tls_required")
        status, headers, _ = self.s.http("GET", "/")
        self.assertEqual({k.lower(): v for k, v in headers.items()}
                         .get("strict-transport-security"), "max-age=31536000")

    def test_a_trusted_proxy_that_terminated_tls_may_pass_a_login(self):
        self.start("--trusted-proxies", "127.0.0.1")
        status, _, raw = self.login()
        self.assertEqual(status, 403, raw)  # the proxy did not say https
        status, headers, raw = self.login({"X-Forwarded-Proto": "https"})
        self.assertEqual(status, 200, raw)
        self.assertIn("Secure", {k.lower(): v for k, v in headers.items()}["set-cookie"])


class TlsConfigTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kt-tls-conf-")
        self.cert, self.key = make_cert(self.dir, "a")
        self.other_cert, self.other_key = make_cert(self.dir, "b")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KT_")}

    def run_binary(self, *args):
        return subprocess.run([BINARY, *args, "--metrics-listen", "off", "--port", "0",
                               "--db", os.path.join(self.dir, "kt.db")],
                              capture_output=True, text=True, env=self.env, timeout=60)

    def test_certificate_and_key_go_together(self):
        r = self.run_binary("check-config", "--tls-cert", self.cert)
        self.assertEqual(r.returncode, 2)
        self.assertIn("tls-cert without tls-key", r.stderr)
        r = self.run_binary("check-config", "--tls-cert", self.cert, "--tls-key", self.key)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("# tls: subject /CN=localhost, valid until", r.stdout)

    def test_a_key_of_another_certificate_stops_the_start(self):
        for cmd in ("check-config", "serve"):
            r = self.run_binary(cmd, "--tls-cert", self.cert, "--tls-key", self.other_key)
            self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
            self.assertIn("key does not belong to the certificate", r.stderr)
        r = self.run_binary("serve", "--tls-cert", os.path.join(self.dir, "missing.pem"),
                            "--tls-key", self.key)
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.pem", r.stderr)


if __name__ == "__main__":
    unittest.main()
