"""End-to-end abuse tests (issue 5, "Hardening"): the real stsd binary under
slow-loris heads and bodies, bodies at and over --max-body-bytes, 10,000 form
parameters, invalid UTF-8 and percent-encoding, pipelined requests,
half-closed and reset sockets, garbage instead of HTTP, 1,000 concurrent
connections and more connections than --max-connections.

Every case must end in an AWS-shaped answer, an HTTP 4xx, or a clean close:
never a hang past the read timeout, a 5xx or a crash. After each test the
server still answers /_stsd/health and its resident memory (VmRSS) is back
near the baseline measured after warm-up.
"""

import json
import random
import resource
import selectors
import socket
import struct
import threading
import time
import xml.etree.ElementTree as ET

import stsd_harness as h
from stsd_harness import DEFAULT_USER_ARN

GCI = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
ROLE_ARN = "arn:aws:iam::123456789012:role/abuse"

READ_TIMEOUT_MS = 1000
BODY_LIMIT = 1_000_000        # above the 10,000-parameter bodies (80-700 kB)
# How long a connection may stay open past the read timeout before we call it a hang.
CLOSE_SLACK_S = 3.0
# Generous: allocator caching after 1,000 connections is fine, a leak is not.
RSS_SLACK_KB = 20 * 1024
CONCURRENT_CONNECTIONS = 1000
# SO_LINGER on, 0 s: close() sends a RST instead of a FIN.
LINGER_RESET = struct.pack("ii", 1, 0)


# --------------------------------------------------------------------------
# Raw-socket helpers


def request_bytes(prepared, host, extra_headers=()):
    """One HTTP/1.1 request (bytes) from a botocore prepared request."""
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    split = prepared.url.split("/", 3)
    target = "/" + (split[3] if len(split) > 3 else "")
    lines = [f"{prepared.method} {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in prepared.headers.items() if k.lower() not in ("host", "content-length")]
    if prepared.method != "GET" or body:
        lines.append(f"Content-Length: {len(body)}")
    lines += list(extra_headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class ResponseReader:
    """Parses consecutive HTTP/1.1 responses (Content-Length framed) off one socket."""

    def __init__(self, sock, timeout=10.0):
        self.sock = sock
        self.buf = b""
        self.deadline = time.monotonic() + timeout
        self.eof = False

    def _fill(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no complete response before the deadline")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
        self.buf += chunk

    def next(self):
        """(status, headers dict lower-cased, body) or None at a clean EOF."""
        while b"\r\n\r\n" not in self.buf:
            if self.eof:
                if self.buf:
                    raise AssertionError(f"truncated response head: {self.buf[:200]!r}")
                return None
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise AssertionError(f"not an HTTP status line: {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            if self.eof:
                raise AssertionError(f"truncated body: {len(self.buf)} of {length} bytes")
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return int(parts[1]), headers, body

    def until_eof(self):
        """Reads to EOF (or reset); returns the bytes seen. Raises TimeoutError on a hang."""
        while not self.eof:
            self._fill()
        return self.buf


def connect(server, timeout=10.0):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


def parse_xml(test, body):
    try:
        return ET.fromstring(body)
    except ET.ParseError as e:
        test.fail(f"response is not well-formed XML ({e}): {body[:500]!r}")


# --------------------------------------------------------------------------


class AbuseTestCase(h.StsdTestCase):
    """Starts the server with short limits; measures the RSS baseline after warm-up."""

    SERVER_ARGS = ("--read-timeout-ms", str(READ_TIMEOUT_MS), "--idle-timeout-ms", "3000",
                   "--max-body-bytes", str(BODY_LIMIT), "--threads", "2", "--log-level", "warn")

    @classmethod
    def setUpClass(cls):
        # 1,000 client sockets plus 1,000 server sockets: raise the soft limit
        # (the server inherits it) as far as the hard limit allows.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        cls.fd_limit = soft
        want = 4 * CONCURRENT_CONNECTIONS
        if soft != resource.RLIM_INFINITY and soft < want:
            new = want if hard == resource.RLIM_INFINITY else min(want, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
            cls.fd_limit = new
        super().setUpClass()
        cls.pid = cls.server.proc.pid
        # Under ASan/TSan (make test-sanitize) freed memory sits in quarantine
        # and everything is slower: memory checks are off, time limits longer.
        with open(f"/proc/{cls.pid}/maps") as f:
            maps = f.read()
        cls.sanitizer = next((s for s in ("libasan", "libtsan", "libubsan") if s in maps), None)
        cls.slowdown = 5 if cls.sanitizer else 1
        # Warm-up: thread-local caches, allocator arenas, OpenSSL fetches.
        for i in range(100):
            h.call(cls.server, GCI)
            h.call(cls.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                ("RoleArn", ROLE_ARN), ("RoleSessionName", f"warm-{i}")])
        cls.baseline_kb = rss_kb(cls.pid)

    def assertRecovered(self):
        """Health answers 200 {"status":"ok"}; RSS returns below baseline + slack."""
        self.assertIsNone(self.server.proc.poll(), f"stsd exited:\n{self.server.output()[-3000:]}")
        resp = h.send(self.server, "GET", "/_stsd/health")
        self.assertEqual(resp.status, 200, f"health after abuse: {resp!r}")
        self.assertEqual(json.loads(resp.body).get("status"), "ok")
        self.assertEqual(h.call(self.server, GCI).status, 200)
        if self.sanitizer:
            return  # RSS says nothing under a sanitizer's allocator
        deadline = time.monotonic() + 5
        while True:
            rss = rss_kb(self.pid)
            if rss <= self.baseline_kb + RSS_SLACK_KB or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertLessEqual(rss, self.baseline_kb + RSS_SLACK_KB,
                             f"VmRSS {rss} kB did not return near the baseline {self.baseline_kb} kB")

    def assertClosedOrClientError(self, data, what):
        """What a server may send to a malformed request: nothing, or a 4xx."""
        if data:
            self.assertRegex(data[:12], rb"^HTTP/1\.1 4\d\d", f"{what}: answered {data[:300]!r}")

    def signed(self, params, **kwargs):
        return request_bytes(h.signed_request(self.server, params, **kwargs), self.server.host)


class SlowLorisTest(AbuseTestCase):

    def trickle_until_closed(self, sock, payload, interval=0.1):
        """Sends `payload` a byte per `interval` until the server closes; returns
        (seconds until the close, bytes received)."""
        started = time.monotonic()
        limit = READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S
        received = b""
        sock.setblocking(False)
        for i in range(len(payload) * 1000):
            if time.monotonic() - started > limit:
                self.fail(f"connection still open {limit:.1f} s after the start of a trickled request")
            try:
                sock.send(payload[i % len(payload):i % len(payload) + 1])
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - started, received
            except BlockingIOError:
                pass
            time.sleep(interval)
            try:
                chunk = sock.recv(65536)
                if not chunk:
                    return time.monotonic() - started, received
                received += chunk
            except BlockingIOError:
                pass
            except ConnectionResetError:
                return time.monotonic() - started, received
        self.fail("payload exhausted")

    def test_trickled_head_is_cut_at_the_read_timeout(self):
        # A header line that never ends, one byte every 100 ms: the read
        # timeout bounds the whole head, not each read.
        with connect(self.server) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
            elapsed, data = self.trickle_until_closed(s, b"X-Slow: " + b"a" * 200)
        self.assertGreaterEqual(elapsed, READ_TIMEOUT_MS / 1000 * 0.8, "closed before the read timeout")
        self.assertClosedOrClientError(data, "trickled head")
        self.assertRecovered()

    def test_trickled_body_is_cut_at_the_read_timeout(self):
        with connect(self.server) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 100000\r\n\r\nAction=")
            elapsed, data = self.trickle_until_closed(s, b"GetCallerIdentity")
        self.assertClosedOrClientError(data, "trickled body")
        self.assertRecovered()

    def test_many_slow_clients_do_not_starve_others(self):
        socks = []
        try:
            for _ in range(200):
                s = connect(self.server)
                s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                socks.append(s)
            # While 200 heads hang open, a normal client is served at once.
            started = time.monotonic()
            resp = h.call(self.server, GCI)
            self.assertEqual(resp.status, 200)
            self.assertLess(time.monotonic() - started, 2.0 * self.slowdown)
            # Each of them is closed by the server at the read timeout.
            deadline = time.monotonic() + READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S
            sel = selectors.DefaultSelector()
            for s in socks:
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ)
            open_count = len(socks)
            while open_count and time.monotonic() < deadline:
                for key, _ in sel.select(timeout=0.2):
                    try:
                        data = key.fileobj.recv(65536)
                    except ConnectionResetError:
                        data = b""
                    if data:
                        self.assertClosedOrClientError(data, "slow client")
                    else:
                        sel.unregister(key.fileobj)
                        open_count -= 1
            sel.close()
            self.assertEqual(open_count, 0, f"{open_count} slow connections still open after the read timeout")
        finally:
            for s in socks:
                s.close()
        self.assertRecovered()


class BodyLimitTest(AbuseTestCase):

    def padded_gci(self, size):
        base = h.form(GCI + [("Pad", "")])
        body = base + "a" * (size - len(base))
        self.assertEqual(len(body), size)
        return h.signed_request(self.server, body=body)

    def test_body_exactly_at_the_limit_is_served(self):
        resp = h.send_prepared(self.server, self.padded_gci(BODY_LIMIT))
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertEqual(h.parse_result(resp.body, "GetCallerIdentity")[0]["Arn"], DEFAULT_USER_ARN)
        self.assertRecovered()

    def test_one_byte_over_the_limit_is_413(self):
        with connect(self.server) as s:
            s.sendall(request_bytes(self.padded_gci(BODY_LIMIT + 1), self.server.host))
            reader = ResponseReader(s)
            status, headers, _ = reader.next()
            self.assertEqual(status, 413)
            # The rest of the body is not read: the connection must close.
            self.assertEqual(reader.until_eof(), b"")
        self.assertRecovered()

    def test_huge_declared_length_is_refused_without_reading(self):
        with connect(self.server) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 99999999999999\r\n\r\nAction=")
            started = time.monotonic()
            status, _, _ = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S).next()
        self.assertEqual(status, 413)
        self.assertLess(time.monotonic() - started, READ_TIMEOUT_MS / 1000, "413 only after the read timeout")
        self.assertRecovered()

    def test_chunked_body_over_the_limit(self):
        chunk = b"a" * 65536
        with connect(self.server) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            try:
                for _ in range(BODY_LIMIT // len(chunk) + 2):
                    s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                s.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server refused and closed early: allowed
            data = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S).until_eof()
        self.assertTrue(data.startswith(b"HTTP/1.1 413") or data == b"", f"answered {data[:300]!r}")
        self.assertRecovered()

    def test_oversized_head_is_400(self):
        with connect(self.server) as s:
            s.sendall(b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
            data = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S).until_eof()
        self.assertTrue(data.startswith(b"HTTP/1.1 4"), f"answered {data[:300]!r}")
        self.assertRecovered()


class ParameterAbuseTest(AbuseTestCase):

    def timed_call(self, params, **kwargs):
        started = time.monotonic()
        resp = h.call(self.server, params, **kwargs)
        # Linear work: 10,000 parameters must not take seconds.
        self.assertLess(time.monotonic() - started, 3.0 * self.slowdown, "slow answer for many parameters")
        self.assertLess(resp.status, 500, f"response: {resp!r}")
        return resp

    def test_ten_thousand_unknown_parameters(self):
        params = GCI + [(f"Extra{i}", f"v{i}") for i in range(10_000)]
        resp = self.timed_call(params)
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertEqual(h.parse_result(resp.body, "GetCallerIdentity")[0]["Arn"], DEFAULT_USER_ARN)
        self.assertRecovered()

    def test_ten_thousand_repeats_of_one_parameter(self):
        resp = self.timed_call(GCI + [("Extra", "v")] * 10_000)
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertRecovered()

    def test_ten_thousand_session_tags(self):
        params = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", ROLE_ARN),
                  ("RoleSessionName", "tags")]
        for i in range(1, 5001):
            params += [(f"Tags.member.{i}.Key", f"k{i}"), (f"Tags.member.{i}.Value", "v")]
        resp = self.timed_call(params)
        self.assertEqual(resp.status, 400, f"response: {resp!r}")
        err = h.parse_error(resp.body)
        self.assertEqual(err["code"], "ValidationError")
        self.assertIn("'tags'", err["message"])
        self.assertRecovered()

    def test_ten_thousand_policy_arns(self):
        params = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", ROLE_ARN),
                  ("RoleSessionName", "arns")]
        params += [(f"PolicyArns.member.{i}.arn", f"arn:aws:iam::aws:policy/p{i}") for i in range(1, 10_001)]
        resp = self.timed_call(params)
        self.assertEqual(resp.status, 400, f"response: {resp!r}")
        # The model sets no list maximum here: the packed-size check answers.
        self.assertIn(h.parse_error(resp.body)["code"], ("ValidationError", "PackedPolicyTooLarge"))
        self.assertRecovered()

    def test_ten_thousand_parameters_in_a_query_string(self):
        # The request line is part of the head: over the header limit it is a
        # 4xx, never a crash.
        query = h.form(GCI + [(f"Extra{i}", "v") for i in range(10_000)])
        with connect(self.server) as s:
            s.sendall(f"GET /?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            data = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S).until_eof()
        self.assertTrue(data.startswith(b"HTTP/1.1 4"), f"answered {data[:300]!r}")
        self.assertRecovered()


class EncodingAbuseTest(AbuseTestCase):
    """Signed bodies whose parameters are not valid UTF-8 or percent-encoding."""

    ASSUME = f"Action=AssumeRole&Version=2011-06-15&RoleArn={ROLE_ARN}"

    CASES = [
        # (body, expected status, expected code or None for success)
        ("Action=GetCallerIdentity&Version=2011-06-15&X=%ff%fe", 200, None),
        ("Action=GetCallerIdentity&Version=2011-06-15&X=%zz%4", 200, None),
        ("Action=GetCallerIdentity&Version=2011-06-15&X=%", 200, None),
        ("Action=GetCallerIdentity&Version=2011-06-15&%ff=1&=&&==", 200, None),
        (ASSUME + "&RoleSessionName=%ff%fe", 400, "ValidationError"),
        (ASSUME + "&RoleSessionName=ab%C0%AFcd", 400, "ValidationError"),      # overlong '/'
        (ASSUME + "&RoleSessionName=ab%ED%A0%80cd", 400, "ValidationError"),   # UTF-16 surrogate
        (ASSUME + "&RoleSessionName=ab%00cd", 400, "ValidationError"),
        (ASSUME + "&RoleSessionName=%zz", 400, "ValidationError"),
        (ASSUME + "&RoleSessionName=s%", 400, "ValidationError"),
        (ASSUME + "&RoleSessionName=ok-name&Policy=%7B%ff", 400, None),
        ("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/%C0%AF"
         "&RoleSessionName=enc", 400, "ValidationError"),
        ("Action=Get%ffCallerIdentity&Version=2011-06-15", 400, "InvalidAction"),
        ("Action=GetCallerIdentity&Version=2011-06-15%ff", 400, None),
    ]

    def test_invalid_utf8_and_percent_encoding_in_parameters(self):
        for body, status, code in self.CASES:
            for accept in (None, "application/json"):
                with self.subTest(body=body, accept=accept):
                    headers = {"Accept": accept} if accept else None
                    resp = h.send_prepared(self.server, h.signed_request(self.server, body=body, headers=headers))
                    self.assertEqual(resp.status, status, f"response: {resp!r}")
                    if accept:
                        # Invalid input bytes must not make the JSON invalid.
                        doc = json.loads(resp.body.decode("utf-8"))
                        if code:
                            self.assertEqual(doc["Error"]["Code"], code, doc)
                    else:
                        resp.body.decode("utf-8")  # raises on invalid UTF-8 in the answer
                        parse_xml(self, resp.body)
                        if code:
                            self.assertEqual(h.parse_error(resp.body)["code"], code)
        self.assertRecovered()

    def test_invalid_bytes_in_path_query_and_headers(self):
        # Not signed: each gets an AWS-style answer (a 4xx, or AWS's 302 for a
        # request without an action) or a clean close, never a 5xx.
        cases = [
            b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /?Action=GetCallerIdentity&Version=2011-06-15&X=%ff%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 \xff\xfe\r\n"
            b"X-Amz-Date: 2026\xff\r\nContent-Length: 0\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded; charset=\xff\r\n"
            b"Content-Length: 44\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15\r\n",
        ]
        for raw in cases:
            with self.subTest(raw=raw[:60]):
                with connect(self.server) as s:
                    s.sendall(raw + b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    reader = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S)
                    first = reader.next()
                    self.assertIsNotNone(first, "closed without an answer")
                    self.assertIn(first[0] // 100, (3, 4), f"status {first[0]}: {first[2][:300]!r}")
                    if first[2]:
                        parse_xml(self, first[2])
        self.assertRecovered()


class PipeliningTest(AbuseTestCase):

    def test_pipelined_requests_are_answered_in_order(self):
        batch, expected = [], []
        for i in range(60):
            if i == 20:
                batch.append(b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\n\r\n")
                expected.append(("health", None))
            elif i == 40:
                batch.append(self.signed([("Action", "NoSuchAction"), ("Version", "2011-06-15")]))
                expected.append(("error", None))
            else:
                name = f"pipe-{i:03d}"
                batch.append(self.signed([("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                          ("RoleArn", ROLE_ARN), ("RoleSessionName", name)]))
                expected.append(("assume", name))
        with connect(self.server) as s:
            s.sendall(b"".join(batch))  # all at once: the server sees them back to back
            reader = ResponseReader(s, timeout=20)
            for i, (kind, name) in enumerate(expected):
                answer = reader.next()
                self.assertIsNotNone(answer, f"connection closed after {i} of {len(expected)} answers")
                status, _, body = answer
                if kind == "health":
                    self.assertEqual((status, json.loads(body)["status"]), (200, "ok"))
                elif kind == "error":
                    self.assertEqual(status, 400)
                    self.assertEqual(h.parse_error(body)["code"], "InvalidAction")
                else:
                    self.assertEqual(status, 200, body[:500])
                    result, _ = h.parse_result(body, "AssumeRole")
                    self.assertEqual(result["AssumedRoleUser"]["Arn"],
                                     f"arn:aws:sts::123456789012:assumed-role/abuse/{name}", f"answer {i}")
            # The connection is still usable afterwards.
            s.sendall(b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertEqual(reader.next()[0], 200)
            self.assertEqual(reader.until_eof(), b"")
        self.assertRecovered()

    def test_pipelined_after_a_malformed_request_closes_cleanly(self):
        # A bad request ends the connection: what follows it is not executed.
        good = self.signed(GCI)
        with connect(self.server) as s:
            s.sendall(good + b"BROKEN\x00 / HTTP/1.1\r\n\r\n" + good)
            reader = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S)
            self.assertEqual(reader.next()[0], 200)
            answer = reader.next()
            if answer is not None:
                self.assertEqual(answer[0] // 100, 4)
                self.assertIsNone(reader.next(), "answered a request after a malformed one")
        self.assertRecovered()


class HalfClosedTest(AbuseTestCase):

    def test_answer_arrives_after_shutdown_wr(self):
        with connect(self.server) as s:
            s.sendall(self.signed(GCI))
            s.shutdown(socket.SHUT_WR)
            reader = ResponseReader(s)
            status, _, body = reader.next()
            self.assertEqual(status, 200)
            self.assertEqual(h.parse_result(body, "GetCallerIdentity")[0]["Arn"], DEFAULT_USER_ARN)
            self.assertEqual(reader.until_eof(), b"", "server did not close after the client's EOF")
        self.assertRecovered()

    def test_pipelined_answers_arrive_after_shutdown_wr(self):
        names = [f"half-{i}" for i in range(5)]
        with connect(self.server) as s:
            s.sendall(b"".join(self.signed([("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                            ("RoleArn", ROLE_ARN), ("RoleSessionName", n)]) for n in names))
            s.shutdown(socket.SHUT_WR)
            reader = ResponseReader(s)
            for n in names:
                status, _, body = reader.next()
                self.assertEqual(status, 200)
                self.assertTrue(h.parse_result(body, "AssumeRole")[0]["AssumedRoleUser"]["Arn"].endswith("/" + n))
            self.assertIsNone(reader.next())
        self.assertRecovered()

    def test_shutdown_wr_mid_request_closes_promptly(self):
        request = self.signed(GCI)
        for cut in (10, request.index(b"\r\n\r\n") + 4 + 5):  # inside the head, inside the body
            with self.subTest(cut=cut):
                with connect(self.server) as s:
                    s.sendall(request[:cut])
                    s.shutdown(socket.SHUT_WR)
                    started = time.monotonic()
                    data = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S).until_eof()
                    self.assertClosedOrClientError(data, f"request cut at {cut}")
                    # EOF is seen at once: no need to wait for the read timeout.
                    self.assertLess(time.monotonic() - started, READ_TIMEOUT_MS / 1000)
        self.assertRecovered()

    def test_reset_mid_request_and_mid_response(self):
        request = self.signed(GCI)
        for _ in range(50):
            s = connect(self.server)
            s.sendall(request[:len(request) // 2])
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
            s.close()  # RST
            s = connect(self.server)
            s.sendall(request * 5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
            s.close()  # RST while answers are being written
        self.assertRecovered()


class GarbageTest(AbuseTestCase):

    PAYLOADS = {
        "random bytes": random.Random(5).randbytes(4096),
        "random bytes with CRLFs": random.Random(6).randbytes(2048) + b"\r\n\r\n",
        "TLS ClientHello": bytes.fromhex("16030100a5010000a10303") + random.Random(7).randbytes(160),
        "NUL bytes": b"\x00" * 1024,
        "HTTP/0.9": b"GET /\r\n\r\n",
        "bad version": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "bad method": b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n",
        "header without colon": b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
        "negative length": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "two lengths": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 7\r\n\r\nabc",
        "length and chunked": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                              b"3\r\nabc\r\n0\r\n\r\n",
        "bad chunk size": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "huge chunk size": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"ffffffffffffffffff\r\nabc\r\n",
    }
    # Odd but parseable HTTP: any well-formed answer below 500 will do.
    LENIENT = {
        "obsolete line folding": b"GET /_stsd/health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
        "bare LFs": b"GET /_stsd/health HTTP/1.1\nHost: x\n\n",
    }

    def test_garbage_is_refused_or_closed(self):
        limit = READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S
        results = {}

        def probe(name, payload):
            try:
                with connect(self.server) as s:
                    try:
                        s.sendall(payload)
                    except (BrokenPipeError, ConnectionResetError):
                        results[name] = b""
                        return
                    results[name] = ResponseReader(s, timeout=limit).until_eof()
            except Exception as e:  # reported below, per payload
                results[name] = e

        # In parallel: a payload the server waits on costs one read timeout, not one each.
        payloads = {**self.PAYLOADS, **self.LENIENT}
        threads = [threading.Thread(target=probe, args=item) for item in payloads.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join(limit + 5)
        for name in payloads:
            with self.subTest(payload=name):
                data = results.get(name)
                self.assertNotIsInstance(data, Exception, f"{name}: {data!r}")
                self.assertIsNotNone(data, f"{name}: no result")
                if name in self.LENIENT and data:
                    self.assertRegex(data[:12], rb"^HTTP/1\.1 [1234]\d\d", f"{name}: answered {data[:300]!r}")
                else:
                    self.assertClosedOrClientError(data, name)
        self.assertRecovered()

    def test_garbage_after_a_good_request(self):
        with connect(self.server) as s:
            s.sendall(self.signed(GCI) + random.Random(8).randbytes(1024))
            reader = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S)
            self.assertEqual(reader.next()[0], 200)
            self.assertClosedOrClientError(reader.until_eof(), "garbage after a request")
        self.assertRecovered()


class ConcurrentConnectionsTest(AbuseTestCase):

    def one_round(self, request):
        """Opens CONCURRENT_CONNECTIONS connections, sends `request` on each,
        reads every answer's status; returns ({status: count}, VmRSS while all
        of them are still open)."""
        socks = []
        sel = selectors.DefaultSelector()
        try:
            for _ in range(CONCURRENT_CONNECTIONS):
                socks.append(connect(self.server))
            # All of them open at once: the server still answers a newcomer.
            self.assertEqual(h.send(self.server, "GET", "/_stsd/health").status, 200)
            for s in socks:
                s.sendall(request)
                s.setblocking(False)
                sel.register(s, selectors.EVENT_READ, data=b"")
            done, statuses = 0, {}
            deadline = time.monotonic() + 30
            while done < len(socks) and time.monotonic() < deadline:
                for key, _ in sel.select(timeout=0.5):
                    try:
                        chunk = key.fileobj.recv(65536)
                    except ConnectionResetError:
                        chunk = b""
                    buf = key.data + chunk
                    if not chunk or b"\r\n\r\n" in buf:
                        status = buf[9:12].decode("latin-1") if buf.startswith(b"HTTP/1.1 ") else "closed"
                        statuses[status] = statuses.get(status, 0) + 1
                        sel.unregister(key.fileobj)
                        done += 1
                    else:
                        sel.modify(key.fileobj, selectors.EVENT_READ, data=buf)
            return statuses, rss_kb(self.pid)
        finally:
            sel.close()
            for s in socks:
                s.close()

    def test_one_thousand_concurrent_connections(self):
        if self.fd_limit != resource.RLIM_INFINITY and self.fd_limit < 2 * CONCURRENT_CONNECTIONS + 100:
            self.skipTest(f"RLIMIT_NOFILE is {self.fd_limit} (hard limit too low for "
                          f"{CONCURRENT_CONNECTIONS} client and server sockets)")
        request = self.signed(GCI)
        statuses, peak_kb = self.one_round(request)
        self.assertEqual(statuses, {"200": CONCURRENT_CONNECTIONS}, "answers by status within 30 s")
        if self.sanitizer:
            self.assertRecovered()
            return
        # Per-connection memory stays small (Beast buffers, not megabytes).
        self.assertLess(peak_kb - self.baseline_kb, 64 * CONCURRENT_CONNECTIONS,
                        f"VmRSS {peak_kb} kB with {CONCURRENT_CONNECTIONS} open connections "
                        f"(baseline {self.baseline_kb} kB)")
        self.assertRecovered()
        # Later rounds reuse what the first one freed. The allocator may still
        # settle once (a few MB: per-thread arenas), but a leak grows every
        # round, so the check is on the third round, not the second.
        after_first = rss_kb(self.pid)
        for round_name in ("second round", "third round"):
            before = rss_kb(self.pid)
            statuses, _ = self.one_round(request)
            self.assertEqual(statuses, {"200": CONCURRENT_CONNECTIONS}, round_name)
            self.assertRecovered()
        self.assertLess(rss_kb(self.pid) - before, 4 * 1024,
                        f"VmRSS grew by more than 4 MB across a third round of {CONCURRENT_CONNECTIONS} connections")
        self.assertLess(rss_kb(self.pid) - after_first, 12 * 1024,
                        f"VmRSS grew by more than 12 MB across two more rounds of {CONCURRENT_CONNECTIONS} connections")


class MaxConnectionsTest(AbuseTestCase):
    SERVER_ARGS = AbuseTestCase.SERVER_ARGS + ("--max-connections", "20")

    def test_excess_connections_are_closed_cleanly(self):
        request = self.signed(GCI)
        socks = [connect(self.server) for _ in range(40)]
        served = closed = 0
        try:
            time.sleep(0.2)  # let the server accept (or refuse) all of them
            for s in socks:
                try:
                    s.sendall(request)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            for s in socks:
                answer = ResponseReader(s, timeout=READ_TIMEOUT_MS / 1000 + CLOSE_SLACK_S).next()
                if answer is None:
                    closed += 1
                else:
                    self.assertEqual(answer[0], 200)
                    served += 1
        finally:
            for s in socks:
                s.close()
        self.assertEqual(served + closed, 40)
        self.assertGreaterEqual(served, 1)
        self.assertLessEqual(served, 20, "more connections served than --max-connections")
        self.assertGreaterEqual(closed, 20)
        self.assertRecovered()


if __name__ == "__main__":
    h.main()
