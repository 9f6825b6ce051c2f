"""End-to-end: the stsd process itself (README: Flags, Configuration, Admin endpoints):
health, graceful stop on SIGTERM/SIGINT, exit code 2 with a clear message for
bad flags and configs, --print-default-config / --check-config, the
healthcheck subcommand, --auth permissive|off, timeouts, the per-request log
line and the admin endpoints.
"""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

import stsd_harness as h
from stsd_harness import DEFAULT_ACCOUNT, DEFAULT_USER_ARN, TEST_KEY

GCI = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]


def run_binary(args, env_extra=None, timeout=15):
    binary = h.binary_path()
    with tempfile.TemporaryDirectory(prefix="stsd-e2e-") as workdir:
        env = h.hermetic_env(os.environ, workdir, env_extra)
        env = {k: v for k, v in env.items() if not k.startswith("STSD_") or (env_extra and k in env_extra)}
        return subprocess.run([binary] + list(args), capture_output=True, text=True, env=env,
                              timeout=timeout, cwd=workdir)


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class CommandLineTest(h.StsdTestCase):
    """Commands that do not serve (one running server for healthcheck)."""

    def test_print_default_config(self):
        out = run_binary(["--print-default-config"])
        self.assertEqual(out.returncode, 0, out.stderr)
        config = json.loads(out.stdout)
        self.assertEqual(config.get("role_mode"), "auto")
        self.assertIn(DEFAULT_ACCOUNT, [a.get("id") for a in config.get("accounts", [])])
        users = {u["name"]: u for u in config.get("users", [])}
        self.assertIn("test", users)
        keys = {k["id"]: k["secret"] for k in users["test"].get("access_keys", [])}
        self.assertEqual(keys, {TEST_KEY[0]: TEST_KEY[1], h.EXAMPLE_KEY[0]: h.EXAMPLE_KEY[1]})

    def test_check_config(self):
        default = run_binary(["--print-default-config"]).stdout
        path = h.write_json(self.workdir, "good.json", json.loads(default))
        out = run_binary(["--check-config", path])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_check_config_rejects_extra_field(self):
        config = json.loads(run_binary(["--print-default-config"]).stdout)
        config["users"][0]["bogus_field"] = 1
        path = h.write_json(self.workdir, "extra.json", config)
        out = run_binary(["--check-config", path])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertIn("bogus_field", out.stdout + out.stderr)

    def test_check_config_names_the_json_path(self):
        config = {"accounts": [{"id": "111122223333"}],
                  "roles": [{"account": "111122223333", "name": "r", "max_session_duration": "long"}]}
        path = h.write_json(self.workdir, "badtype.json", config)
        out = run_binary(["--check-config", path])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertRegex(out.stdout + out.stderr, r"/roles/0/max_session_duration|roles\[0\]\.max_session_duration")

    def test_check_config_checks_policies_as_iam_does(self):
        no_action = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}
        config = {"accounts": [{"id": "111122223333"}],
                  "users": [{"account": "111122223333", "name": "u", "policies": [no_action]}],
                  "roles": [{"account": "111122223333", "name": "r",
                             "trust_policy": {"Version": "2012-10-17", "Statement": []}}]}
        path = h.write_json(self.workdir, "badpolicy.json", config)
        out = run_binary(["--check-config", path])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertIn("/users/0/policies/0: MalformedPolicyDocument: Policy statement must contain actions.",
                      out.stdout + out.stderr)
        self.assertNotIn("/roles/0/trust_policy", out.stdout + out.stderr)  # an empty placeholder passes

    def test_bad_config_does_not_start(self):
        path = os.path.join(self.workdir, "broken.json")
        with open(path, "w") as f:
            f.write("{ not json")
        out = run_binary(["--config", path, "--listen", "127.0.0.1:0"])
        self.assertEqual(out.returncode, 2, out.stdout + out.stderr)
        self.assertIn("broken.json", out.stdout + out.stderr)
        self.assertEqual(h.bound_ports(out.stdout + out.stderr), [])  # it never listened

    def test_bad_flag(self):
        out = run_binary(["--no-such-flag"])
        self.assertEqual(out.returncode, 2)
        self.assertIn("--no-such-flag", out.stdout + out.stderr)
        out = run_binary(["--auth", "sometimes", "--listen", "127.0.0.1:0"])
        self.assertEqual(out.returncode, 2)
        self.assertIn("--auth", out.stdout + out.stderr)

    def test_version(self):
        out = run_binary(["--version"])
        self.assertEqual(out.returncode, 0, out.stderr)
        health = json.loads(h.send(self.server, "GET", "/_stsd/health").body)
        self.assertIn(str(health["version"]), out.stdout + out.stderr)

    def test_help(self):
        out = run_binary(["--help"])
        self.assertEqual(out.returncode, 0, out.stderr)
        for flag in ("--config", "--listen", "--auth"):
            self.assertIn(flag, out.stdout + out.stderr)

    def test_healthcheck_command(self):
        out = run_binary(["healthcheck", self.server.url + "/_stsd/health"])
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        with h.ClosedPort() as closed:
            out = run_binary(["healthcheck", f"http://127.0.0.1:{closed.port}/_stsd/health"])
        self.assertNotEqual(out.returncode, 0)

    def test_listen_from_environment(self):
        workdir = tempfile.mkdtemp(prefix="listen-", dir=self.workdir)
        log_path = os.path.join(workdir, "stsd.log")
        env = h.hermetic_env(os.environ, workdir, {"STSD_LISTEN": "127.0.0.1:0"})
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([h.binary_path()], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)

        def output():
            with open(log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")

        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not h.bound_ports(output()):
                self.assertIsNone(proc.poll(), "stsd exited")
                time.sleep(0.05)
            ports = h.bound_ports(output())
            # The default listener is 127.0.0.1:8090; port 0 gets an ephemeral port.
            self.assertEqual(len(ports), 1, output())
            self.assertNotEqual(ports[0], 8090, "STSD_LISTEN was not honoured")
            self.assertTrue(port_open(ports[0]))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class AdminEndpointsTest(h.StsdTestCase):

    def test_health(self):
        resp = h.send(self.server, "GET", "/_stsd/health")
        self.assertEqual(resp.status, 200)
        doc = json.loads(resp.body)
        self.assertEqual(doc.get("status"), "ok")
        self.assertIn("version", doc)

    def test_metrics(self):
        for _ in range(3):
            self.assertEqual(h.call(self.server, GCI).status, 200)
        resp = h.send(self.server, "GET", "/_stsd/metrics")
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertIn("# TYPE", resp.text)
        self.assertIn("GetCallerIdentity", resp.text)

    def test_request_log_line(self):
        resp = h.call(self.server, GCI)
        rid = resp.header("x-amzn-RequestId")
        deadline = time.monotonic() + 3
        line = None
        while time.monotonic() < deadline and line is None:
            line = next((l for l in self.server.output().splitlines() if rid in l), None)
            time.sleep(0.1)
        self.assertIsNotNone(line, f"no log line with request id {rid}:\n{self.server.output()[-2000:]}")
        self.assertIn("GetCallerIdentity", line)
        self.assertIn(DEFAULT_USER_ARN, line)
        self.assertIn("200", line)


class JsonRequestLogTest(h.StsdTestCase):
    """With --log-format json each request's fields are keys of its line (log
    pipelines read them without parsing "msg")."""
    SERVER_ARGS = ("--log-format", "json")

    def log_line_of(self, rid):
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            for raw in self.server.output().splitlines():
                if rid in raw:
                    return json.loads(raw)
            time.sleep(0.05)
        self.fail(f"no log line with request id {rid}:\n{self.server.output()[-2000:]}")

    def test_fields_are_keys(self):
        ok = h.call(self.server, GCI)
        line = self.log_line_of(ok.header("x-amzn-RequestId"))
        self.assertEqual(line["msg"], "request")
        self.assertEqual(line["action"], "GetCallerIdentity")
        self.assertEqual(line["principal"], DEFAULT_USER_ARN)
        self.assertEqual(line["status"], 200)
        self.assertIsNone(line["code"])
        self.assertIsInstance(line["latency_us"], int)
        denied = h.call(self.server, GCI, creds=(TEST_KEY[0], "wrong"))
        line = self.log_line_of(denied.header("x-amzn-RequestId"))
        self.assertEqual((line["status"], line["code"]), (403, "SignatureDoesNotMatch"))


class AuthModesTest(h.StsdTestCase):
    SERVER_ARGS = ("--auth", "permissive")

    def test_permissive_accepts_unknown_long_term_key(self):
        resp = h.call(self.server, GCI, creds=(h.make_access_key("999999999999"), "anything"))
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, _ = h.parse_result(resp.body, "GetCallerIdentity")
        self.assertEqual(result["Account"], DEFAULT_ACCOUNT)

    def test_permissive_still_verifies_known_keys(self):
        resp = h.call(self.server, GCI, creds=(TEST_KEY[0], "wrong"))
        self.assertEqual(resp.status, 403, f"response: {resp!r}")
        self.assertEqual(h.parse_error(resp.body)["code"], "SignatureDoesNotMatch")


class AuthOffTest(h.StsdTestCase):
    SERVER_ARGS = ("--auth", "off")

    def test_nothing_verified(self):
        for creds in ((TEST_KEY[0], "wrong"), ("AKIAZZZZZZZZZZZZZZZZ", "x")):
            with self.subTest(key=creds[0]):
                resp = h.call(self.server, GCI, creds=creds)
                self.assertEqual(resp.status, 200, f"response: {resp!r}")
                self.assertEqual(h.parse_result(resp.body, "GetCallerIdentity")[0]["Arn"], DEFAULT_USER_ARN)
        resp = h.send(self.server, "POST", "/", body=h.form(GCI),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(resp.status, 200, f"response: {resp!r}")

    def test_session_token_still_identifies_the_session(self):
        resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                    ("RoleArn", "arn:aws:iam::123456789012:role/off"), ("RoleSessionName", "o1")])
        cr = h.parse_result(resp.body, "AssumeRole")[0]["Credentials"]
        resp = h.call(self.server, GCI, creds=(cr["AccessKeyId"], "wrong-secret", cr["SessionToken"]))
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertEqual(h.parse_result(resp.body, "GetCallerIdentity")[0]["Arn"],
                         "arn:aws:sts::123456789012:assumed-role/off/o1")


class TimeoutsTest(h.StsdTestCase):
    SERVER_ARGS = ("--read-timeout-ms", "500", "--idle-timeout-ms", "1000")

    def assertClosedWithin(self, sock, seconds):
        sock.settimeout(seconds)
        start = time.monotonic()
        try:
            data = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            self.fail(f"connection still open after {seconds} s")
        except ConnectionResetError:
            pass
        return time.monotonic() - start

    def test_slow_request_head(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")
            self.assertClosedWithin(s, 5)

    def test_idle_keep_alive_connection(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            p = h.signed_request(self.server, GCI)
            head = f"POST / HTTP/1.1\r\nHost: {self.server.host}\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in p.headers.items() if k.lower() not in ("host", "content-length"))
            s.sendall(head.encode() + f"Content-Length: {len(p.body)}\r\n\r\n".encode() + p.body)
            self.assertClosedWithin(s, 6)

    def test_server_still_serves(self):
        self.assertEqual(h.call(self.server, GCI).status, 200)


class GracefulStopTest(h.StsdTestCase):
    """Each test stops its own server."""

    def fresh(self):
        server = h.StsdServer()
        self.addCleanup(server.cleanup)
        server.start()
        return server

    def test_sigterm_exits_zero(self):
        server = self.fresh()
        self.assertEqual(h.call(server, GCI).status, 200)
        self.assertEqual(server.terminate(timeout=5), 0, server.output()[-2000:])
        self.assertFalse(port_open(server.port))

    def test_sigint_exits_zero(self):
        server = self.fresh()
        server.proc.send_signal(signal.SIGINT)
        self.assertEqual(server.proc.wait(timeout=5), 0, server.output()[-2000:])

    def test_idle_connection_does_not_block_stop(self):
        server = self.fresh()
        with socket.create_connection(("127.0.0.1", server.port)) as s:
            p = h.signed_request(server, GCI)
            head = f"POST / HTTP/1.1\r\nHost: {server.host}\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in p.headers.items() if k.lower() not in ("host", "content-length"))
            s.sendall(head.encode() + f"Content-Length: {len(p.body)}\r\n\r\n".encode() + p.body)
            s.settimeout(5)
            self.assertIn(b"200", s.recv(4096))
            started = time.monotonic()
            self.assertEqual(server.terminate(timeout=5), 0, server.output()[-2000:])
            self.assertLess(time.monotonic() - started, 5)


if __name__ == "__main__":
    h.main()
