"""IAM writes under STS load (issue 12): writers create and delete roles,
users and keys from several threads while readers assume roles and sign with
fresh keys; every acknowledged write is visible to the next request and
survives kill -9 with --state; nothing acknowledged is lost or half-written.
`make test-tsan` runs this suite against the ThreadSanitizer build."""

import json
import os
import shutil
import signal
import tempfile
import threading
import unittest

from stsd_harness import StsdServer, iam_client, sts_client

ACCOUNT = "000000000000"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
WRITERS, READERS, ROLES_PER_WRITER = 4, 3, 15


class ConcurrentWritesTest(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="stsd-iam-conc-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, args):
        server = StsdServer(args, None, workdir=self.workdir).start()
        self.servers.append(server)
        return server

    def test_writes_under_sts_load_are_all_kept(self):
        state = os.path.join(self.workdir, "state.db")
        server = self.start(["--state", state, "--threads", "4"])
        created, deleted, errors = [], [], []
        done = threading.Event()
        lock = threading.Lock()

        def writer(w):
            try:
                iam = iam_client(server.url)
                for i in range(ROLES_PER_WRITER):
                    name = f"w{w}-r{i}"
                    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
                    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=POLICY)
                    # Visible to the very next request, from any connection.
                    sts_client(server.url).assume_role(RoleArn=arn, RoleSessionName="check")
                    with lock:
                        created.append(name)
                    if i % 5 == 4:
                        iam.delete_role_policy(RoleName=name, PolicyName="p")
                        iam.delete_role(RoleName=name)
                        with lock:
                            created.remove(name)
                            deleted.append(name)
                    user = f"w{w}-u{i}"
                    iam.create_user(UserName=user)
                    key = iam.create_access_key(UserName=user)["AccessKey"]
                    who = sts_client(server.url, (key["AccessKeyId"], key["SecretAccessKey"])).get_caller_identity()
                    self.assertEqual(who["Arn"], f"arn:aws:iam::{ACCOUNT}:user/{user}")
            except Exception as e:  # reported by the main thread
                errors.append(e)

        def reader():
            try:
                sts = sts_client(server.url)
                while not done.is_set():
                    sts.get_caller_identity()
                    sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/load", RoleSessionName="load")
            except Exception as e:
                errors.append(e)

        readers = [threading.Thread(target=reader) for _ in range(READERS)]
        writers = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in readers + writers:
            t.start()
        for t in writers:
            t.join()
        done.set()
        for t in readers:
            t.join()
        self.assertEqual(errors, [])

        listed = {r["RoleName"] for r in iam_client(server.url).get_paginator("list_roles").paginate()
                  .build_full_result()["Roles"]}
        self.assertEqual(listed, set(created))
        self.assertTrue(listed.isdisjoint(deleted))

        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait()
        again = self.start(["--state", state])
        iam = iam_client(again.url)
        after = {r["RoleName"] for r in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]}
        self.assertEqual(after, set(created))
        for name in sorted(created)[:5]:
            self.assertEqual(iam.list_role_policies(RoleName=name)["PolicyNames"], ["p"])
        users = iam.get_paginator("list_users").paginate().build_full_result()["Users"]
        self.assertEqual(len([u for u in users if u["UserName"].startswith("w")]), WRITERS * ROLES_PER_WRITER)


if __name__ == "__main__":
    unittest.main()
