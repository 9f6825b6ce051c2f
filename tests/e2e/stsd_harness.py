"""Harness for the end-to-end suites: starts the real `stsd` binary on a free
127.0.0.1 port, gives tests a hermetic AWS client environment, and offers the
raw-HTTP and SigV4 helpers the suites share.

The binary comes from the STSD_BINARY environment variable, or from the first
command-line argument when a suite is run as a script
(`python3 test_presign.py build/release/stsd`). With neither, every suite
skips; with a path that is missing or broken, the suites fail loudly.

Works with any botocore from 1.29 (Debian 12) to the newest; anything that
needs a newer client checks `botocore_at_least()` and skips with the reason.
"""

import atexit
import base64
import calendar
import datetime
import hashlib
import hmac
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

import botocore
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.session

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
AWSFAULT_NS = "http://webservices.amazon.com/AWSFault/2005-15-09"
API_VERSION = "2011-06-15"

# The embedded default (README, "Using it").
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_USER_ARN = "arn:aws:iam::000000000000:user/test"
TEST_KEY = ("test", "test")
EXAMPLE_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

STARTUP_TIMEOUT_S = 10.0
STOP_GRACE_S = 5.0

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


# --------------------------------------------------------------------------
# Binary discovery


class HarnessError(RuntimeError):
    """The binary was named but cannot be used: a failure, never a skip."""


def binary_path():
    """The stsd binary to test; raises SkipTest when none was named."""
    path = os.environ.get("STSD_BINARY", "")
    if not path:
        raise unittest.SkipTest(
            "STSD_BINARY is not set (run through CTest, or pass the binary path as the first argument)")
    if not os.path.isfile(path):
        raise HarnessError(f"STSD_BINARY={path!r} does not exist")
    if not os.access(path, os.X_OK):
        raise HarnessError(f"STSD_BINARY={path!r} is not executable")
    return os.path.abspath(path)


def main():
    """Entry point for `python3 test_x.py [STSD_BINARY] [unittest args]`."""
    argv = list(sys.argv)
    # A first argument that names a file (or looks like a path) is the binary.
    if len(argv) > 1 and not argv[1].startswith("-") and (os.path.sep in argv[1] or os.path.isfile(argv[1])):
        os.environ["STSD_BINARY"] = os.path.abspath(argv.pop(1))
    unittest.main(module="__main__", argv=argv)


# --------------------------------------------------------------------------
# Client versions


def version_tuple(text):
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def botocore_at_least(version):
    return version_tuple(botocore.__version__) >= version_tuple(version)


# Service-specific endpoint configuration (AWS_ENDPOINT_URL_STS, [services])
# arrived in botocore 1.31.0.
ENDPOINT_CONFIG_BOTOCORE = "1.31.0"


def require_endpoint_config(test):
    if not botocore_at_least(ENDPOINT_CONFIG_BOTOCORE):
        test.skipTest(
            f"botocore {botocore.__version__} predates configured endpoints "
            f"(AWS_ENDPOINT_URL_STS / [services], botocore >= {ENDPOINT_CONFIG_BOTOCORE})")


# --------------------------------------------------------------------------
# Hermetic environment


_INHERITED_PREFIXES = ("AWS_", "BOTO_")
DEAD_PROXY = "http://127.0.0.1:9"
_PROXY_VARS = ("NO_PROXY", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def hermetic_env(base, workdir, extra=None):
    """A copy of `base` without the machine's AWS settings: AWS_* and proxies
    removed, config and credentials files pointing at (empty) files in
    `workdir`, instance metadata disabled."""
    env = {k: v for k, v in base.items()
           if not k.startswith(_INHERITED_PREFIXES) and k not in _PROXY_VARS}
    config = os.path.join(workdir, "aws-config")
    creds = os.path.join(workdir, "aws-credentials")
    for path in (config, creds):
        if not os.path.exists(path):
            open(path, "w").close()
    env.update({
        "AWS_CONFIG_FILE": config,
        "AWS_SHARED_CREDENTIALS_FILE": creds,
        "AWS_EC2_METADATA_DISABLED": "true",
        # A safety net: a client that ignored its stsd endpoint would try real
        # AWS; send that to a closed local port instead of the internet.
        "HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY,
        "http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    if extra:
        env.update(extra)
    return env


class HermeticEnviron:
    """Replaces os.environ with a hermetic one until restore()."""

    def __init__(self, workdir):
        self._saved = dict(os.environ)
        new = hermetic_env(os.environ, workdir)
        os.environ.clear()
        os.environ.update(new)

    def restore(self):
        os.environ.clear()
        os.environ.update(self._saved)


# --------------------------------------------------------------------------
# The server process


class ClosedPort:
    """A 127.0.0.1 port nothing answers on, reserved while the context lasts:
    the socket is bound but never listens, so connecting is refused and no
    other process can take the port in between (a port merely found free can
    be)."""

    def __enter__(self):
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        return self

    def __exit__(self, *exc):
        self._socket.close()
        return False


# stsd's start-up line for each listener, e.g.
# "stsd 0.9.0 listening on http://127.0.0.1:40123 (auth strict, 2 threads)".
LISTENING = re.compile(r"listening on (https?)://(\S+):(\d+) ")


def bound_ports(output):
    """The ports stsd's log says it listens on, in order."""
    return [int(m.group(3)) for m in LISTENING.finditer(output)]


_live_servers = set()
_starts = itertools.count(1)


def _stop_all():
    for server in list(_live_servers):
        server.stop()


atexit.register(_stop_all)


class StsdServer:
    """One stsd process on a 127.0.0.1 port the kernel picks (--listen 127.0.0.1:0)."""

    def __init__(self, args=(), config=None, workdir=None):
        self.binary = binary_path()
        self._own_dir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="stsd-e2e-")
        self.args = list(args)
        self.config_path = None
        if config is not None:
            self.config_path = write_json(self.workdir, f"stsd-config-{secrets.token_hex(4)}.json", config)
            self.args = ["--config", self.config_path] + self.args
        self.proc = None
        self.port = None
        self.log_path = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        # Port 0: the kernel picks a free port, and stsd's log says which.
        self.port = None
        self.log_path = os.path.join(self.workdir, f"stsd-{next(_starts)}.log")
        log = open(self.log_path, "wb")
        env = hermetic_env(os.environ, self.workdir)
        env = {k: v for k, v in env.items() if not k.startswith("STSD_")}
        cmd = [self.binary, "--listen", "127.0.0.1:0"] + self.args
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, cwd=self.workdir)
        log.close()
        _live_servers.add(self)
        ok, why = self._wait_healthy()
        if ok:
            return self
        output = self.output()
        self.stop()
        raise HarnessError(f"stsd did not become healthy ({why}).\ncommand: {' '.join(cmd)}\n"
                           f"--- stsd output ---\n{output[-8000:]}")

    def health_connection(self):
        """The connection the start-up probe uses (subclasses: HTTPS)."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)

    def _wait_healthy(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                return False, f"exited with code {code}"
            if self.port is None:
                ports = bound_ports(self.output())
                if not ports:
                    last = "no 'listening on' line in the log yet"
                    time.sleep(0.02)
                    continue
                self.port = ports[0]
            try:
                conn = self.health_connection()
                conn.request("GET", "/_stsd/health")
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return True, ""
                last = f"GET /_stsd/health answered {resp.status}"
            except OSError as e:  # ssl.SSLError is an OSError too
                last = f"GET /_stsd/health: {e}"
            time.sleep(0.05)
        return False, f"timeout after {STARTUP_TIMEOUT_S:.0f} s, last: {last}"

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def terminate(self, timeout=STOP_GRACE_S):
        """SIGTERM, wait up to `timeout`; returns the exit code or None."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """SIGTERM, then SIGKILL after 5 s. Returns the exit code."""
        _live_servers.discard(self)
        if self.proc is None:
            return None
        code = self.terminate()
        if code is None and self.proc.poll() is None:
            self.proc.kill()
            code = self.proc.wait()
        return self.proc.returncode if code is None else code

    def cleanup(self):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def write_json(directory, name, obj):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
    return path


class StsdTestCase(unittest.TestCase):
    """One server per test class. Override SERVER_ARGS / server_config()."""

    SERVER_ARGS = ()
    maxDiff = None

    @classmethod
    def server_config(cls):
        return None  # the embedded default

    @classmethod
    def make_server(cls, workdir):
        """The (not yet started) server of the class; override for other kinds."""
        return StsdServer(cls.SERVER_ARGS, cls.server_config(), workdir=workdir)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.workdir = tempfile.mkdtemp(prefix="stsd-e2e-")
        cls._environ = HermeticEnviron(cls.workdir)
        try:
            cls.server = cls.make_server(cls.workdir).start()
        except BaseException:
            cls._environ.restore()
            shutil.rmtree(cls.workdir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
        finally:
            cls._environ.restore()
            shutil.rmtree(cls.workdir, ignore_errors=True)
            super().tearDownClass()

    # Convenience
    def client(self, creds=TEST_KEY, region="us-east-1", validate=True, **kwargs):
        return sts_client(self.server.url, creds, region=region, validate=validate, **kwargs)

    def iam(self, creds=TEST_KEY, region="us-east-1", validate=True, **kwargs):
        return iam_client(self.server.url, creds, region=region, validate=validate, **kwargs)

    def assertClientError(self, call, code, message=None, status=None, message_prefix=None):
        """Runs `call()`, expecting a botocore ClientError; returns its Error dict."""
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response.get("Error", {})
        meta = ctx.exception.response.get("ResponseMetadata", {})
        context = f"error response: {ctx.exception.response!r}"
        self.assertEqual(err.get("Code"), code, context)
        if message is not None:
            self.assertEqual(err.get("Message"), message, context)
        if message_prefix is not None:
            self.assertTrue((err.get("Message") or "").startswith(message_prefix), context)
        if status is not None:
            self.assertEqual(meta.get("HTTPStatusCode"), status, context)
        return err


# --------------------------------------------------------------------------
# botocore clients


def aws_client(service, endpoint_url, creds=TEST_KEY, region="us-east-1", validate=True, **config_kwargs):
    """A botocore client of `service` for `endpoint_url`; creds is (key, secret[, token])."""
    session = botocore.session.Session()
    config = botocore.config.Config(parameter_validation=validate, retries={"max_attempts": 0},
                                    connect_timeout=5, read_timeout=30, **config_kwargs)
    token = creds[2] if len(creds) > 2 else None
    return session.create_client(service, region_name=region, endpoint_url=endpoint_url,
                                 aws_access_key_id=creds[0], aws_secret_access_key=creds[1],
                                 aws_session_token=token, config=config)


def sts_client(endpoint_url, creds=TEST_KEY, region="us-east-1", validate=True, **config_kwargs):
    """A botocore STS client for `endpoint_url`; creds is (key, secret[, token])."""
    return aws_client("sts", endpoint_url, creds, region, validate, **config_kwargs)


def iam_client(endpoint_url, creds=TEST_KEY, region="us-east-1", validate=True, **config_kwargs):
    """A botocore IAM client for `endpoint_url` (signed for service `iam`)."""
    return aws_client("iam", endpoint_url, creds, region, validate, **config_kwargs)


def creds_of(response):
    """(key, secret, token) from an STS response's Credentials."""
    c = response["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


class RawCapture:
    """Records the raw HTTP responses a botocore client receives."""

    def __init__(self, client):
        self.responses = []
        client.meta.events.register("after-call.sts", self._after_call)

    def _after_call(self, http_response=None, **kwargs):
        if http_response is not None:
            self.responses.append(http_response)

    @property
    def last(self):
        return self.responses[-1]


# --------------------------------------------------------------------------
# SigV4 signing with botocore's signer


class _FixedTimeMixin:
    """SigV4 signing at a chosen instant (botocore always signs at 'now')."""

    fixed_time = None

    def add_auth(self, request):
        if self.fixed_time is None:
            return super().add_auth(request)
        request.context["timestamp"] = self.fixed_time.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        signature = self.signature(string_to_sign, request)
        self._inject_signature_to_request(request, signature)


class FixedTimeSigV4Auth(_FixedTimeMixin, botocore.auth.SigV4Auth):
    pass


class FixedTimeSigV4QueryAuth(_FixedTimeMixin, botocore.auth.SigV4QueryAuth):
    pass


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def form(params):
    """Form-encodes a list of pairs (or a dict) keeping order and duplicates."""
    items = params.items() if isinstance(params, dict) else params
    return urllib.parse.urlencode(list(items), quote_via=urllib.parse.quote)


def signed_request(server, params=None, creds=TEST_KEY, method="POST", region="us-east-1", service="sts",
                   at=None, body=None, headers=None, content_type="application/x-www-form-urlencoded; charset=utf-8"):
    """A SigV4-signed AWSPreparedRequest for `server` (POST form or GET query)."""
    url = server.url + "/"
    hdrs = dict(headers or {})
    data = None
    if method == "GET":
        if params:
            url += "?" + form(params)
    else:
        data = body if body is not None else form(params or [])
        if isinstance(data, str):
            data = data.encode()
        if content_type is not None:
            hdrs["Content-Type"] = content_type
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=data, headers=hdrs)
    credentials = botocore.credentials.Credentials(creds[0], creds[1], creds[2] if len(creds) > 2 else None)
    signer = FixedTimeSigV4Auth(credentials, service, region)
    signer.fixed_time = at
    signer.add_auth(request)
    return request.prepare()


def presigned_url(server, params, creds=TEST_KEY, region="us-east-1", service="sts", at=None, expires=60,
                  headers=None):
    """A SigV4 query-string presigned GET URL (botocore's SigV4QueryAuth)."""
    url = server.url + "/?" + form(params)
    request = botocore.awsrequest.AWSRequest(method="GET", url=url, headers=dict(headers or {}))
    credentials = botocore.credentials.Credentials(creds[0], creds[1], creds[2] if len(creds) > 2 else None)
    signer = FixedTimeSigV4QueryAuth(credentials, service, region, expires=expires)
    signer.fixed_time = at
    signer.add_auth(request)
    return request.prepare().url


# --------------------------------------------------------------------------
# Raw HTTP


class RawResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        hdrs = "".join(f"\n  {k}: {v}" for k, v in self.headers)
        body = self.text
        if len(body) > 3000:
            body = body[:3000] + f"... ({len(self.body)} bytes)"
        return f"<HTTP {self.status} {self.reason}{hdrs}\n{body}>"


def send(server, method, path, body=None, headers=None, conn=None):
    """One HTTP exchange; reuses `conn` when given (keep-alive)."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        hdrs = dict(headers or {})
        hdrs.setdefault("Host", server.host)
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, resp.reason, resp.getheaders(), data)
    finally:
        if own:
            conn.close()


def send_prepared(server, prepared, conn=None):
    split = urllib.parse.urlsplit(prepared.url)
    path = split.path or "/"
    if split.query:
        path += "?" + split.query
    headers = {k: v for k, v in prepared.headers.items()}
    return send(server, prepared.method, path, body=prepared.body, headers=headers, conn=conn)


def call(server, params, conn=None, **kwargs):
    """Signs `params` and sends them; returns the RawResponse."""
    return send_prepared(server, signed_request(server, params, **kwargs), conn=conn)


def get_url(url, headers=None):
    """GET an absolute http://127.0.0.1 URL with http.client (no proxies)."""
    split = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    try:
        path = (split.path or "/") + ("?" + split.query if split.query else "")
        conn.request("GET", path, headers=dict(headers or {}))
        resp = conn.getresponse()
        return RawResponse(resp.status, resp.reason, resp.getheaders(), resp.read())
    finally:
        conn.close()


# --------------------------------------------------------------------------
# XML


def parse_error(body):
    """{'ns', 'type', 'code', 'message' (None when absent), 'request_id'} of an ErrorResponse."""
    root = ET.fromstring(body)
    m = re.match(r"\{(.*)\}ErrorResponse$", root.tag)
    if not m:
        raise AssertionError(f"not an ErrorResponse: {body!r}")
    ns = {"n": m.group(1)}
    err = root.find("n:Error", ns)
    if err is None:
        raise AssertionError(f"ErrorResponse without Error: {body!r}")

    def text(parent, name):
        el = parent.find(f"n:{name}", ns)
        return None if el is None else (el.text or "")

    return {"ns": m.group(1), "type": text(err, "Type"), "code": text(err, "Code"),
            "message": text(err, "Message"), "request_id": text(root, "RequestId")}


def parse_result(body, action):
    """The <ActionResult> element of a success response, as a nested dict of texts."""
    root = ET.fromstring(body)
    if root.tag != f"{{{STS_NS}}}{action}Response":
        raise AssertionError(f"expected {action}Response, got {root.tag}: {body!r}")
    result = root.find(f"{{{STS_NS}}}{action}Result")
    if result is None:
        raise AssertionError(f"no {action}Result in {body!r}")
    request_id = root.findtext(f"{{{STS_NS}}}ResponseMetadata/{{{STS_NS}}}RequestId")
    return _to_dict(result), request_id


def _to_dict(el):
    children = list(el)
    if not children:
        return el.text or ""
    return {c.tag.split("}", 1)[1]: _to_dict(c) for c in children}


# --------------------------------------------------------------------------
# Access keys and TOTP (AWS's formats, computed independently of stsd)


def b32decode_nopad(s):
    return base64.b32decode(s.upper() + "=" * (-len(s) % 8))


def account_of_key(key_id):
    """The account AWS encodes in a new-generation key id (awsteele.com/blog/2020/09/26/aws-access-key-format.html)."""
    raw = b32decode_nopad(key_id[4:])
    z = int.from_bytes(raw[0:6], "big")
    return "%012d" % ((z & 0x7FFFFFFFFF80) >> 7)


def make_access_key(account, prefix="AKIA"):
    """A new-generation key id encoding `account`, random tail."""
    a = int(account)
    head = base64.b32encode(((1 << 39) | (a >> 1)).to_bytes(5, "big")).decode()
    r = secrets.randbelow(16)
    c12 = BASE32_ALPHABET[16 + r] if a & 1 else BASE32_ALPHABET[r]
    tail = "".join(secrets.choice(BASE32_ALPHABET) for _ in range(7))
    return prefix + head + c12 + tail


def make_secret():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(secrets.choice(alphabet) for _ in range(40))


def make_totp_secret():
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp(secret_b32, at=None, step=30, digits=6):
    """RFC 6238 TOTP: HMAC-SHA1 over the 30-second counter, dynamic truncation."""
    key = b32decode_nopad(secret_b32)
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return f"{code:0{digits}d}"


def wrong_totp(secret_b32, at=None):
    """A 6-digit code valid for none of the steps around `at`."""
    now = time.time() if at is None else at
    near = {totp(secret_b32, now + k * 30) for k in range(-3, 4)}
    code = int(totp(secret_b32, now))
    while f"{code:06d}" in near:
        code = (code + 123457) % 1000000
    return f"{code:06d}"


def parse_iso8601(text):
    """'2019-01-12T21:23:08Z' (or with fraction) → POSIX seconds."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$", text)
    if not m:
        raise ValueError(f"not an ISO-8601 UTC timestamp: {text!r}")
    parts = [int(g) for g in m.groups()[:6]]
    return calendar.timegm(tuple(parts) + (0, 0, 0)) + (float(m.group(7)) if m.group(7) else 0.0)


def unique_name(prefix):
    return f"{prefix}-{secrets.token_hex(4)}"
