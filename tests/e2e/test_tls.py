"""End-to-end: the TLS listener (--tls-cert/--tls-key). A self-signed
certificate for 127.0.0.1 and localhost is made with the openssl CLI; boto3
with verify=cert.pem, the AWS CLI v1 (`aws` on PATH) and v2 (/usr/bin/aws)
with --ca-bundle / AWS_CA_BUNDLE must get answers, while a client that does
not trust the certificate must fail verification, and plain HTTP sent to the
TLS port must fail cleanly without hurting the server. Tools that are
missing skip with the reason.
"""

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import stsd_harness as h
from stsd_harness import DEFAULT_ACCOUNT, DEFAULT_USER_ARN, TEST_KEY
from test_cli import CLI_TIMEOUT_S, find_cli

GCI = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]


def make_certificate(directory):
    """(cert.pem, key.pem): self-signed P-256, SAN IP:127.0.0.1 and DNS:localhost."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise unittest.SkipTest("the openssl CLI is not installed (apt-get install openssl)")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    out = subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
         "-addext", "extendedKeyUsage=serverAuth"],
        capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise h.HarnessError(f"openssl req failed:\n{out.stderr}")
    return cert, key


class TlsServer(h.StsdServer):
    """StsdServer on HTTPS: the start-up probe speaks TLS, trusting `cert`."""

    def __init__(self, cert, key, workdir):
        super().__init__(["--tls-cert", cert, "--tls-key", key], workdir=workdir)
        self.cert = cert

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def context(self):
        return ssl.create_default_context(cafile=self.cert)

    def health_connection(self):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=1, context=self.context())


class TlsTestCase(h.StsdTestCase):
    maxDiff = None

    @classmethod
    def make_server(cls, workdir):
        cls.cert, cls.key = make_certificate(workdir)
        return TlsServer(cls.cert, cls.key, workdir)

    def https_get(self, path, host="127.0.0.1", context=None):
        conn = http.client.HTTPSConnection(host, self.server.port, timeout=10,
                                           context=context or self.server.context())
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def assertHealthy(self):
        status, body = self.https_get("/_stsd/health")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], "ok")


class TlsListenerTest(TlsTestCase):

    def test_health_over_https_for_ip_and_name(self):
        for host in ("127.0.0.1", "localhost"):
            with self.subTest(host=host):
                status, body = self.https_get("/_stsd/health", host=host)
                self.assertEqual(status, 200)
                self.assertEqual(json.loads(body)["status"], "ok")

    def test_keep_alive_over_tls(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=10,
                                           context=self.server.context())
        try:
            for _ in range(20):
                conn.request("GET", "/_stsd/health")
                resp = conn.getresponse()
                self.assertEqual(resp.status, 200)
                resp.read()
            conn.sock.getpeername()  # still the same, open connection
        finally:
            conn.close()

    def test_untrusted_certificate_is_rejected_by_the_client(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.https_get("/_stsd/health", context=ssl.create_default_context())
        self.assertHealthy()

    def test_plain_http_to_the_tls_port_fails_cleanly(self):
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except ConnectionResetError:
                pass
            except socket.timeout:
                self.fail("plain HTTP to the TLS port: the connection hung open")
        # Never an HTTP answer in clear text; at most a TLS alert record.
        self.assertFalse(data.startswith(b"HTTP/"), f"answered in clear text: {data[:200]!r}")
        if data:
            self.assertEqual(data[0], 0x15, f"not a TLS alert: {data[:20]!r}")
        self.assertLess(time.monotonic() - started, 10)
        # http.client sees a failure, not a hang or an answer.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            conn.request("GET", "/_stsd/health")
            conn.getresponse()
        conn.close()
        self.assertHealthy()

    def test_garbage_handshake_does_not_hurt_the_server(self):
        for payload in (b"\x16\x03\x01\x00\x05hello", b"\x00" * 512, os.urandom(2048)):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                try:
                    while s.recv(4096):
                        pass
                except ConnectionResetError:
                    pass
        self.assertHealthy()


class TlsBoto3Test(TlsTestCase):

    def client(self, verify):
        import botocore.config
        import botocore.session
        session = botocore.session.Session()
        return session.create_client(
            "sts", region_name="us-east-1", endpoint_url=self.server.url, verify=verify,
            aws_access_key_id=TEST_KEY[0], aws_secret_access_key=TEST_KEY[1],
            config=botocore.config.Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=10))

    def test_get_caller_identity_with_verify_cert(self):
        ident = self.client(self.cert).get_caller_identity()
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)
        self.assertEqual(ident["Account"], DEFAULT_ACCOUNT)

    def test_assumed_role_credentials_over_tls(self):
        sts = self.client(self.cert)
        creds = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/tls",
                                RoleSessionName="tls-session")["Credentials"]
        import botocore.session
        assumed = botocore.session.Session().create_client(
            "sts", region_name="us-east-1", endpoint_url=self.server.url, verify=self.cert,
            aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"])
        self.assertEqual(assumed.get_caller_identity()["Arn"],
                         "arn:aws:sts::123456789012:assumed-role/tls/tls-session")

    def test_default_trust_store_fails_verification(self):
        from botocore.exceptions import SSLError
        with self.assertRaises(SSLError) as ctx:
            self.client(True).get_caller_identity()
        self.assertIn("CERTIFICATE_VERIFY_FAILED", str(ctx.exception))
        self.assertHealthy()


class TlsCliTestCase(TlsTestCase):
    MAJOR = 1

    def setUp(self):
        self.cli = find_cli(self.MAJOR)
        if self.cli is None:
            self.skipTest(f"no AWS CLI v{self.MAJOR} found (looked at `aws` on PATH and /usr/bin/aws)")
        self.home = tempfile.mkdtemp(prefix="home-", dir=self.workdir)

    def run_cli(self, args, env=None):
        extra = {"HOME": self.home, "AWS_PAGER": "", "AWS_DEFAULT_REGION": "us-east-1",
                 "AWS_ACCESS_KEY_ID": TEST_KEY[0], "AWS_SECRET_ACCESS_KEY": TEST_KEY[1],
                 "AWS_MAX_ATTEMPTS": "1"}
        extra.update(env or {})
        full_env = h.hermetic_env(os.environ, self.workdir, extra)
        cmd = [self.cli.path, "--endpoint-url", self.server.url] + list(args) + ["--output", "json"]
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=CLI_TIMEOUT_S)

    def assertIdentity(self, out):
        self.assertEqual(out.returncode, 0, f"{self.cli!r}\nstdout:\n{out.stdout}\nstderr:\n{out.stderr}")
        ident = json.loads(out.stdout)
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)

    def test_ca_bundle_flag(self):
        self.assertIdentity(self.run_cli(["sts", "get-caller-identity", "--ca-bundle", self.cert]))

    def test_ca_bundle_environment(self):
        self.assertIdentity(self.run_cli(["sts", "get-caller-identity"], env={"AWS_CA_BUNDLE": self.cert}))

    def test_without_ca_bundle_verification_fails(self):
        out = self.run_cli(["sts", "get-caller-identity"])
        self.assertNotEqual(out.returncode, 0, out.stdout)
        self.assertRegex(out.stderr, r"SSL validation failed|CERTIFICATE_VERIFY_FAILED|certificate verify failed")
        self.assertHealthy()


class TlsCliV1Test(TlsCliTestCase):
    MAJOR = 1


class TlsCliV2Test(TlsCliTestCase):
    MAJOR = 2


# The shared base is not a test of its own.
del TlsCliTestCase


if __name__ == "__main__":
    h.main()
