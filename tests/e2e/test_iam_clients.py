"""IAM with the other real clients (issue 12): the AWS CLI v1 and v2
(`aws iam ... --endpoint-url`) and the JavaScript SDK v3
(@aws-sdk/client-iam, the newest model). The JS SDK comes from npm: it is
installed into tests/e2e/js/node_modules on first use, and the test skips
saying so when npm or the registry is not reachable."""

import json
import os
import shutil
import subprocess
import unittest

import stsd_harness as h
from test_cli import CliTestCase

ACCOUNT = "000000000000"
JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})


class IamCliMixin:
    def test_role_flow_through_the_cli(self):
        created = self.run_cli(["iam", "create-role", "--role-name", f"cli-{self.MAJOR}",
                                "--assume-role-policy-document", TRUST])["Role"]
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT}:role/cli-{self.MAJOR}")
        got = self.run_cli(["iam", "get-role", "--role-name", f"cli-{self.MAJOR}"])["Role"]
        self.assertEqual(got["RoleId"], created["RoleId"])
        # The CLI decodes IAM's URL-encoded documents, as botocore does.
        self.assertEqual(got["AssumeRolePolicyDocument"], json.loads(TRUST))
        names = [r["RoleName"] for r in self.run_cli(["iam", "list-roles"])["Roles"]]
        self.assertIn(f"cli-{self.MAJOR}", names)
        assumed = self.run_cli(["sts", "assume-role", "--role-arn", created["Arn"], "--role-session-name", "cli"])
        self.assertEqual(assumed["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ACCOUNT}:assumed-role/cli-{self.MAJOR}/cli")
        missing = self.run_cli(["iam", "get-role", "--role-name", "absent"], check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("NoSuchEntity", missing.stderr)
        self.assertIn("The role with name absent cannot be found.", missing.stderr)
        self.run_cli(["iam", "delete-role", "--role-name", f"cli-{self.MAJOR}"])


class IamCliV1Test(IamCliMixin, CliTestCase):
    MAJOR = 1


class IamCliV2Test(IamCliMixin, CliTestCase):
    MAJOR = 2


def js_sdk_ready():
    """None when the JS SDK is usable, else why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "node/npm not installed (Debian: nodejs npm)"
    if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-iam")):
        try:
            out = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=JS_DIR,
                                 capture_output=True, text=True, timeout=240)
        except subprocess.TimeoutExpired:
            return "npm install of @aws-sdk/client-iam took longer than 240 s (registry unreachable or slow)"
        if out.returncode != 0:
            return f"npm install of @aws-sdk/client-iam failed (no registry?): {out.stderr.strip()[-300:]}"
    return None


class JsSdkTest(h.StsdTestCase):
    def test_role_flow_through_the_js_sdk(self):
        why = js_sdk_ready()
        if why:
            self.skipTest(why)
        out = subprocess.run(["node", "iam_flow.mjs", self.server.url], cwd=JS_DIR, capture_output=True, text=True,
                             timeout=120, env=h.hermetic_env(os.environ, self.workdir))
        self.assertEqual(out.returncode, 0, out.stderr + self.server.output()[-2000:])
        facts = json.loads(out.stdout)
        self.assertEqual(facts["arn"], f"arn:aws:iam::{ACCOUNT}:role/js/js-role")
        self.assertRegex(facts["roleId"], r"^AROA[A-Z2-7]{17}$")
        self.assertTrue(facts["trustEncoded"].startswith("%7B%22Version%22%3A"), facts["trustEncoded"])
        self.assertEqual(json.loads(facts["trustDecoded"]), json.loads(TRUST))
        self.assertEqual(facts["maxSessionDuration"], 3600)
        self.assertEqual(json.loads(facts["inlineDecoded"])["Statement"][0]["Action"], "s3:GetObject")
        self.assertEqual(facts["listed"], ["js-role"])
        self.assertEqual(facts["assumedArn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/js-role/js-session")
        self.assertEqual(facts["missing"], {"name": "NoSuchEntityException", "status": 404,
                                            "message": "The role with name absent cannot be found."})


if __name__ == "__main__":
    unittest.main()
