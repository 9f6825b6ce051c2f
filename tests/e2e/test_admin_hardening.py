"""Issue 11 (outside security review), the admin API's items, against the
real binary. The admin API is open by default, but it must not become a way
into the host or into other identities:

 7. file references (`*_file`) are read only from the config given at
    start: a PUT naming /etc/passwd, /dev/zero or a FIFO gets a 400 at once
    and reads nothing; at start only regular files are read (a FIFO does not
    hang start-up);
 8. deep JSON on every admin endpoint gets a 400, never a crash;
 9. the token key never leaves the server (GET /_stsd/config), a PUT cannot
    change it silently, POST /_stsd/token-key/rotate changes it (and
    --state keeps the new one), after which old tokens are refused;
10. --state with an edited --config serves the config and says what
    differed; --reset-state starts from the config; never silent;
18. --check-config (and PUT) refuse SAML metadata that is not metadata and
    a JWKS without a usable key, naming the provider's JSON path;
20. a state file that cannot be written is a 500 InternalFailure without
    local paths, the detail in the server's log, nothing applied.
"""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import unittest

import botocore.exceptions

from stsd_harness import StsdServer, binary_path, creds_of, send, sts_client, write_json

ACCOUNT = "111122223333"
ALICE = ("AKIAALICE00000000001", "alice-secret")
BOB = ("AKIABOB0000000000001", "bob-secret")
KEY_A = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # base64 of 32 x 'A'
KEY_B = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="  # base64 of 32 x 'B'


def base_config(**extra):
    config = {
        "accounts": [{"id": ACCOUNT}],
        "users": [{"account": ACCOUNT, "name": "alice", "access_keys": [{"id": ALICE[0], "secret": ALICE[1]}]}],
    }
    config.update(extra)
    return config


def with_bob(config):
    config = json.loads(json.dumps(config))
    config["users"].append({"account": ACCOUNT, "name": "bob", "access_keys": [{"id": BOB[0], "secret": BOB[1]}]})
    return config


def deep_object(levels):
    return '{"a":' * levels + "1" + "}" * levels


class ServerCase(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="stsd-hardening-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, args=(), config=None):
        server = StsdServer(args, config, workdir=self.workdir).start()
        self.servers.append(server)
        return server

    def put(self, server, config, token=None, raw=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = raw if raw is not None else json.dumps(config).encode()
        return send(server, "PUT", "/_stsd/config", body=body, headers=headers)

    def post(self, server, path, body=b"", token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return send(server, "POST", path, body=body, headers=headers)

    def caller_arn(self, server, creds):
        return sts_client(server.url, creds).get_caller_identity()["Arn"]

    def assertRefused(self, server, creds, code="InvalidClientTokenId"):
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.caller_arn(server, creds)
        self.assertEqual(e.exception.response["Error"]["Code"], code)

    def assertHealthy(self, server):
        self.assertIsNone(server.proc.poll(), server.output()[-3000:])
        self.assertEqual(send(server, "GET", "/_stsd/health").status, 200)

    def check_config(self, config, timeout=10):
        path = write_json(self.workdir, "check.json", config)
        return subprocess.run([binary_path(), "--check-config", path], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)


class FileReferenceTest(ServerCase):
    """Item 7."""

    def saml(self, metadata_file):
        return base_config(saml_providers=[{"account": ACCOUNT, "name": "IdP", "metadata_file": metadata_file}])

    def test_put_never_reads_a_host_file(self):
        server = self.start(config=base_config())
        r = self.put(server, self.saml("/etc/passwd"))
        self.assertEqual(r.status, 400, r)
        error = json.loads(r.body)["error"]
        self.assertIn("/saml_providers/0/metadata_file", error)
        self.assertIn("read only from the config given on the command line", error)
        config = send(server, "GET", "/_stsd/config").text
        self.assertNotIn("root:", config)
        self.assertNotIn("IdP", config)  # nothing was applied

        jwks = base_config(oidc_providers=[{"account": ACCOUNT, "url": "https://issuer.example.com",
                                            "jwks_file": "/etc/passwd"}])
        r = self.put(server, jwks)
        self.assertEqual(r.status, 400, r)
        self.assertIn("/oidc_providers/0/jwks_file", json.loads(r.body)["error"])

    def test_devices_and_fifos_in_a_put_neither_crash_nor_block_the_server(self):
        server = self.start(["--threads", "2"], base_config())
        fifo = os.path.join(self.workdir, "fifo")
        os.mkfifo(fifo)
        r = self.put(server, self.saml("/dev/zero"))
        self.assertEqual(r.status, 400, r)
        # Two at once on a 2-thread server: each used to hold an I/O thread forever.
        results = []

        def put_fifo():
            results.append(self.put(server, self.saml(fifo)).status)

        threads = [threading.Thread(target=put_fifo) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        self.assertEqual(results, [400, 400])
        self.assertHealthy(server)

    def test_at_start_a_fifo_or_device_is_refused_not_waited_on(self):
        fifo = os.path.join(self.workdir, "fifo")
        os.mkfifo(fifo)
        for path in (fifo, "/dev/zero"):
            result = self.check_config(self.saml(path))
            self.assertEqual(result.returncode, 2, result)
            self.assertIn(f"/saml_providers/0/metadata_file: cannot read {path}: not a regular file", result.stderr)


class DeepJsonTest(ServerCase):
    """Item 8: the review's crashes, and the same on every admin body."""

    def test_deep_json_is_a_400_on_every_admin_endpoint(self):
        server = self.start()
        cases = [
            ("POST", "/_stsd/authz/encode", "[" * 60000 + "]" * 60000),
            ("POST", "/_stsd/oidc/token", '{"claims":' + deep_object(100000) + "}"),
            ("POST", "/_stsd/saml/response", '{"attributes":' + deep_object(100000) + "}"),
            ("POST", "/_stsd/credentials/inspect", deep_object(100000)),
            ("PUT", "/_stsd/config", deep_object(100000)),
            ("POST", "/_stsd/token-key/rotate", deep_object(100000)),
        ]
        for method, path, body in cases:
            with self.subTest(path=path):
                r = send(server, method, path, body=body.encode())
                self.assertEqual(r.status, 400, r)
                self.assertHealthy(server)
        r = send(server, "POST", "/_stsd/authz/encode", body=b"[" * 100 + b"]" * 100)
        self.assertIn("nested deeper than 64 levels", json.loads(r.body)["error"])
        # Reasonable nesting still works.
        r = send(server, "POST", "/_stsd/authz/encode", body=json.dumps({"a": [[[{"b": 1}]]]}).encode())
        self.assertEqual(r.status, 200, r)


class TokenKeyTest(ServerCase):
    """Item 9."""

    def test_get_config_never_returns_the_token_key(self):
        server = self.start(config=base_config(token_key=KEY_A))
        doc = json.loads(send(server, "GET", "/_stsd/config").body)
        self.assertNotIn("token_key", doc)
        self.assertNotIn(KEY_A, send(server, "GET", "/_stsd/config").text)
        # What GET returns can be PUT back unchanged, and sessions survive it.
        session = creds_of(sts_client(server.url, ALICE).get_session_token())
        self.assertEqual(self.put(server, doc).status, 200)
        self.assertEqual(self.caller_arn(server, session), f"arn:aws:iam::{ACCOUNT}:user/alice")

    def test_put_cannot_change_the_key_silently(self):
        server = self.start(config=base_config(token_key=KEY_A))
        session = creds_of(sts_client(server.url, ALICE).get_session_token())
        r = self.put(server, base_config(token_key=KEY_B))
        self.assertEqual(r.status, 400, r)
        self.assertIn("/_stsd/token-key/rotate", json.loads(r.body)["error"])
        self.assertEqual(self.put(server, base_config(token_key=KEY_A)).status, 200)  # the same key: no change
        self.assertEqual(self.caller_arn(server, session), f"arn:aws:iam::{ACCOUNT}:user/alice")

    def test_rotation_refuses_old_tokens_and_survives_a_restart_with_state(self):
        state = os.path.join(self.workdir, "state.json")
        server = self.start(["--state", state], base_config(token_key=KEY_A))
        old = creds_of(sts_client(server.url, ALICE).get_session_token())
        r = self.post(server, "/_stsd/token-key/rotate", json.dumps({"token_key": KEY_B}).encode())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(json.loads(r.body), {"status": "rotated"})
        self.assertRefused(server, old)
        new = creds_of(sts_client(server.url, ALICE).get_session_token())
        self.assertEqual(self.caller_arn(server, new), f"arn:aws:iam::{ACCOUNT}:user/alice")
        self.assertIn("token key rotated", server.output())
        self.assertNotIn(KEY_B, server.output())
        server.stop()

        again = self.start(["--state", state], base_config(token_key=KEY_A))
        self.assertEqual(self.caller_arn(again, new), f"arn:aws:iam::{ACCOUNT}:user/alice")
        self.assertRefused(again, old)

    def test_rotation_to_a_random_key_and_its_guard(self):
        server = self.start(config=base_config(admin_token="adm"))
        old = creds_of(sts_client(server.url, ALICE).get_session_token())
        self.assertEqual(self.post(server, "/_stsd/token-key/rotate").status, 401)
        self.assertEqual(self.caller_arn(server, old), f"arn:aws:iam::{ACCOUNT}:user/alice")
        bad = self.post(server, "/_stsd/token-key/rotate", b'{"token_key": "c2hvcnQ="}', token="adm")
        self.assertEqual(bad.status, 400, bad)
        self.assertEqual(self.post(server, "/_stsd/token-key/rotate", token="adm").status, 200)
        self.assertRefused(server, old)
        self.assertEqual(send(server, "GET", "/_stsd/token-key/rotate",
                              headers={"Authorization": "Bearer adm"}).status, 405)


class StateRuleTest(ServerCase):
    """Item 10: --state and an edited --config."""

    def test_an_edited_config_wins_over_the_state_and_the_log_says_what_differed(self):
        state = os.path.join(self.workdir, "state.json")
        server = self.start(["--state", state], with_bob(base_config(admin_token="old-admin-token")))
        self.assertEqual(self.caller_arn(server, BOB), f"arn:aws:iam::{ACCOUNT}:user/bob")
        session = creds_of(sts_client(server.url, ALICE).get_session_token())
        server.stop()

        # Hardened: a new admin token, bob's key removed.
        again = self.start(["--state", state], base_config(admin_token="new-admin-token"))
        self.assertEqual(send(again, "GET", "/_stsd/config",
                              headers={"Authorization": "Bearer old-admin-token"}).status, 401)
        self.assertEqual(send(again, "GET", "/_stsd/config",
                              headers={"Authorization": "Bearer new-admin-token"}).status, 200)
        self.assertRefused(again, BOB)
        # The config names no token key: the state's is kept, sessions survive.
        self.assertEqual(self.caller_arn(again, session), f"arn:aws:iam::{ACCOUNT}:user/alice")
        log = again.output()
        self.assertIn("changed since the state file was started from it", log)
        self.assertIn("admin_token, users", log)
        self.assertNotIn("old-admin-token", log)
        self.assertNotIn("new-admin-token", log)

    def test_an_unchanged_config_keeps_runtime_changes_and_says_so(self):
        state = os.path.join(self.workdir, "state.json")
        server = self.start(["--state", state], base_config())
        self.assertEqual(self.put(server, with_bob(base_config())).status, 200)
        server.stop()

        again = self.start(["--state", state], base_config())
        self.assertEqual(self.caller_arn(again, BOB), f"arn:aws:iam::{ACCOUNT}:user/bob")
        log = again.output()
        self.assertIn("serving the state file", log)
        self.assertIn("differ in: users", log)
        self.assertIn("--reset-state", log)
        again.stop()

        fresh = self.start(["--state", state, "--reset-state"], base_config())
        self.assertRefused(fresh, BOB)
        self.assertIn("--reset-state", fresh.output())

    def test_help_documents_the_rule_and_the_flag(self):
        result = subprocess.run([binary_path(), "--help"], capture_output=True, text=True, timeout=10)
        self.assertIn("--reset-state", result.stdout)
        self.assertIn("--config was\nedited since", result.stdout)
        result = subprocess.run([binary_path(), "--reset-state"], capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--reset-state needs --state FILE", result.stderr)


class IdentityProviderMaterialTest(ServerCase):
    """Item 18."""

    BAD = base_config(
        oidc_providers=[{"account": ACCOUNT, "url": "https://issuer.example.com", "client_ids": ["app"],
                         "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}],
        saml_providers=[{"account": ACCOUNT, "name": "IdP", "metadata": "this is not XML"}])

    def test_check_config_refuses_unusable_material_by_json_path(self):
        result = self.check_config(self.BAD)
        self.assertEqual(result.returncode, 2, result)
        self.assertNotIn(": ok", result.stdout)
        self.assertIn("/oidc_providers/0/jwks: has no usable key", result.stderr)
        self.assertIn("/saml_providers/0/metadata: not usable SAML metadata", result.stderr)

    def test_put_refuses_it_too(self):
        server = self.start(config=base_config())
        r = self.put(server, self.BAD)
        self.assertEqual(r.status, 400, r)
        error = json.loads(r.body)["error"]
        self.assertIn("/oidc_providers/0/jwks", error)
        self.assertIn("/saml_providers/0/metadata", error)


class StateWriteFailureTest(ServerCase):
    """Item 20: the state database cannot be written (here: another
    connection holds its write lock, so every commit fails once stsd's
    busy timeout has passed)."""

    def test_a_failed_state_write_is_a_500_without_paths_and_changes_nothing(self):
        import sqlite3
        state = os.path.join(self.workdir, "state.db")
        server = self.start(["--state", state], base_config())
        session = creds_of(sts_client(server.url, ALICE).get_session_token())
        blocker = sqlite3.connect(state, timeout=0, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            for method, path, body in (("PUT", "/_stsd/config", json.dumps(with_bob(base_config())).encode()),
                                       ("POST", "/_stsd/token-key/rotate", b""),
                                       ("POST", "/_stsd/reset", b"")):
                with self.subTest(path=path):
                    r = send(server, method, path, body=body)
                    self.assertEqual(r.status, 500, r)
                    doc = json.loads(r.body)
                    self.assertEqual(doc["code"], "InternalFailure")
                    self.assertNotIn(self.workdir, r.text)
                    self.assertNotIn("state.db", r.text)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        self.assertIn("database is locked", server.output())
        # Nothing was applied: bob unknown, the old key still valid.
        self.assertRefused(server, BOB)
        self.assertEqual(self.caller_arn(server, session), f"arn:aws:iam::{ACCOUNT}:user/alice")
        # Once the disk is back, changes go through again.
        self.assertEqual(self.put(server, with_bob(base_config())).status, 200)
        self.assertEqual(self.caller_arn(server, BOB), f"arn:aws:iam::{ACCOUNT}:user/bob")


if __name__ == "__main__":
    unittest.main()
