"""Admin endpoints (README, "Admin endpoints") and --state persistence, against the
real binary: /_stsd/config read and replace, /_stsd/reset, admin_token, and
that every acknowledged change survives kill -9."""

import json
import os
import shutil
import signal
import tempfile
import threading
import time
import unittest

import botocore.exceptions

from stsd_harness import (DEFAULT_ACCOUNT, TEST_KEY, StsdServer, creds_of, make_access_key, make_secret, send,
                          sts_client, write_json)

ACCOUNT = "111122223333"


def base_config(**extra):
    config = {
        "accounts": [{"id": ACCOUNT}],
        "users": [{"account": ACCOUNT, "name": "alice",
                   "access_keys": [{"id": "AKIAALICE00000000001", "secret": "alice-secret"}]}],
    }
    config.update(extra)
    return config


def with_user(config, name, key):
    config = json.loads(json.dumps(config))
    config["users"].append({"account": ACCOUNT, "name": name, "access_keys": [{"id": key[0], "secret": key[1]}]})
    return config


class ServerCase(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="stsd-admin-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, args=(), config=None):
        server = StsdServer(args, config, workdir=self.workdir).start()
        self.servers.append(server)
        return server

    def put_config(self, server, config, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return send(server, "PUT", "/_stsd/config", body=json.dumps(config).encode(), headers=headers)

    def caller_arn(self, server, creds):
        return sts_client(server.url, creds).get_caller_identity()["Arn"]


class ConfigEndpointTest(ServerCase):
    def test_get_returns_the_running_config_in_the_file_shape(self):
        server = self.start()
        r = send(server, "GET", "/_stsd/config")
        self.assertEqual(r.status, 200)
        doc = json.loads(r.body)
        self.assertEqual(doc["accounts"][0]["id"], DEFAULT_ACCOUNT)
        self.assertEqual(doc["role_mode"], "auto")

    def test_put_replaces_the_store_and_reset_restores_it(self):
        server = self.start(config=base_config())
        bob = (make_access_key(ACCOUNT), make_secret())
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            self.caller_arn(server, bob)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidClientTokenId")

        r = self.put_config(server, with_user(base_config(), "bob", bob))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.caller_arn(server, bob), f"arn:aws:iam::{ACCOUNT}:user/bob")
        self.assertIn("bob", send(server, "GET", "/_stsd/config").body.decode())

        r = send(server, "POST", "/_stsd/reset")
        self.assertEqual(r.status, 200, r.body)
        with self.assertRaises(botocore.exceptions.ClientError):
            self.caller_arn(server, bob)
        self.assertEqual(self.caller_arn(server, ("AKIAALICE00000000001", "alice-secret")),
                         f"arn:aws:iam::{ACCOUNT}:user/alice")

    def test_invalid_config_is_rejected_with_its_json_pointer_and_changes_nothing(self):
        server = self.start(config=base_config())
        bad = base_config()
        bad["users"][0]["account"] = "999999999999"
        r = self.put_config(server, bad)
        self.assertEqual(r.status, 400)
        self.assertIn("/users/0/account", json.loads(r.body)["error"])
        self.assertEqual(self.caller_arn(server, ("AKIAALICE00000000001", "alice-secret")),
                         f"arn:aws:iam::{ACCOUNT}:user/alice")
        r = send(server, "PUT", "/_stsd/config", body=b"{not json")
        self.assertEqual(r.status, 400)

    def test_issued_session_tokens_survive_a_config_replace(self):
        server = self.start()
        session = creds_of(sts_client(server.url, TEST_KEY).get_session_token())
        r = self.put_config(server, json.loads(send(server, "GET", "/_stsd/config").body))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.caller_arn(server, session), f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/test")


class AdminTokenTest(ServerCase):
    def test_admin_token_guards_config_and_reset_but_not_health(self):
        server = self.start(config=base_config(admin_token="s3cret-admin"))
        self.assertEqual(send(server, "GET", "/_stsd/config").status, 401)
        self.assertEqual(send(server, "GET", "/_stsd/config", headers={"Authorization": "Bearer wrong"}).status, 401)
        self.assertEqual(send(server, "POST", "/_stsd/reset").status, 401)
        self.assertEqual(self.put_config(server, base_config()).status, 401)
        ok = send(server, "GET", "/_stsd/config", headers={"Authorization": "Bearer s3cret-admin"})
        self.assertEqual(ok.status, 200)
        self.assertEqual(json.loads(ok.body)["admin_token"], "s3cret-admin")
        self.assertEqual(send(server, "GET", "/_stsd/health").status, 200)
        self.assertEqual(send(server, "GET", "/_stsd/metrics").status, 200)


class StateFileTest(ServerCase):
    def test_changes_and_session_tokens_survive_a_restart(self):
        state = os.path.join(self.workdir, "state.json")
        server = self.start(["--state", state], base_config())
        bob = (make_access_key(ACCOUNT), make_secret())
        self.assertEqual(self.put_config(server, with_user(base_config(), "bob", bob)).status, 200)
        session = creds_of(sts_client(server.url, bob).get_session_token())
        server.stop()

        again = self.start(["--state", state], base_config())
        self.assertEqual(self.caller_arn(again, bob), f"arn:aws:iam::{ACCOUNT}:user/bob")
        # No token_key configured: the generated key lives in the state file.
        self.assertEqual(self.caller_arn(again, session), f"arn:aws:iam::{ACCOUNT}:user/bob")

    def test_kill_9_during_a_stream_of_changes_loses_nothing_acknowledged(self):
        state = os.path.join(self.workdir, "state.json")
        server = self.start(["--state", state], base_config())
        acknowledged = []

        def writer():
            config = base_config()
            for i in range(10000):
                key = (make_access_key(ACCOUNT), make_secret())
                config = with_user(config, f"user{i}", key)
                try:
                    r = self.put_config(server, config)
                except OSError:
                    return  # the server died mid-request: that change was never acknowledged
                if r.status != 200:
                    return
                acknowledged.append(key)

        thread = threading.Thread(target=writer)
        thread.start()
        deadline = time.monotonic() + 10
        while len(acknowledged) < 25 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.proc.send_signal(signal.SIGKILL)  # while the writer is still sending
        server.proc.wait()
        thread.join()
        self.assertGreaterEqual(len(acknowledged), 25)

        again = self.start(["--state", state], base_config())
        for i, key in enumerate(acknowledged):
            self.assertEqual(self.caller_arn(again, key), f"arn:aws:iam::{ACCOUNT}:user/user{i}")
        leftovers = [n for n in os.listdir(self.workdir) if n.endswith(".tmp")]
        self.assertEqual(leftovers, [])

    def test_a_corrupt_state_file_stops_start_up_with_a_clear_message(self):
        state = write_json(self.workdir, "state.json", {"accounts": "nope"})
        server = StsdServer(["--state", state], None, workdir=self.workdir)
        with self.assertRaises(Exception) as e:
            server.start()
        self.assertIn("state.json", str(e.exception))
        self.assertIn("/accounts", str(e.exception))


if __name__ == "__main__":
    unittest.main()
