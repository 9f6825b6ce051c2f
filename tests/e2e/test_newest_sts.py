"""The newest STS model (scripts/model-overlay/sts.json) through raw signed
Query requests, which every botocore can send: GetScopedCredentials,
MinimumSessionTokenSize, SessionTokenSize / SessionTokenUtilization, and
GetWebIdentityToken's Scope and SubjectMode."""
import json
import os
import subprocess
import unittest
import xml.etree.ElementTree as ET

import stsd_harness as h
import test_sigv4a  # js_sdk_ready: installs the JS SDK into tests/e2e/js on first use

NS = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
ACCOUNT = "111122223333"

ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
ONLY_IDENTITY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]})
ONLY_ASSUME = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})


class NewestStsTest(h.StsdTestCase):
    @classmethod
    def server_config(cls):
        cls.alice = (h.make_access_key(ACCOUNT), h.make_secret())
        return {
            "region": "us-east-1",
            "accounts": [{"id": ACCOUNT}],
            # A built-in OIDC issuer turns on outbound federation (GetWebIdentityToken).
            "oidc_providers": [{"account": ACCOUNT, "url": "https://oidc.stsd.local",
                                "client_ids": ["sts.amazonaws.com"], "builtin": True}],
            "users": [{"account": ACCOUNT, "name": "alice",
                       "access_keys": [{"id": cls.alice[0], "secret": cls.alice[1]}],
                       "policies": [json.loads(ALLOW_ALL)]}],
            "roles": [{"account": ACCOUNT, "name": "app", "max_session_duration": 7200,
                       "trust_policy": {"Version": "2012-10-17", "Statement": [
                           {"Effect": "Allow", "Action": "sts:AssumeRole",
                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]},
                       "policies": [json.loads(ALLOW_ALL)]}],
        }

    def call(self, action, creds, **params):
        pairs = [("Action", action), ("Version", "2011-06-15")] + list(params.items())
        r = h.send_prepared(self.server, h.signed_request(self.server, pairs, creds=creds))
        return r.status, ET.fromstring(r.body)

    def ok(self, action, creds, **params):
        status, doc = self.call(action, creds, **params)
        self.assertEqual(status, 200, ET.tostring(doc))
        return doc.find(f"s:{action}Result", NS)

    def error(self, action, creds, code, **params):
        status, doc = self.call(action, creds, **params)
        self.assertEqual(doc.findtext("s:Error/s:Code", namespaces=NS), code, ET.tostring(doc))
        return status, doc.findtext("s:Error/s:Message", namespaces=NS)

    @staticmethod
    def creds(result):
        c = result.find("s:Credentials", NS)
        return tuple(c.findtext(f"s:{k}", namespaces=NS) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken"))

    def role_session(self, duration=3600):
        result = self.ok("AssumeRole", self.alice, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/app",
                         RoleSessionName="s1", DurationSeconds=str(duration))
        return result, self.creds(result)

    def test_token_size_is_reported_and_minimum_pads_it(self):
        result, creds = self.role_session()
        size = int(result.findtext("s:SessionTokenSize", namespaces=NS))
        self.assertEqual(size, len(creds[2]))
        self.assertEqual(int(result.findtext("s:SessionTokenUtilization", namespaces=NS)), -(-100 * size // 4096))
        padded = self.ok("GetSessionToken", self.alice, MinimumSessionTokenSize="3000")
        token = self.creds(padded)[2]
        self.assertGreaterEqual(len(token), 3000)
        self.assertLess(len(token), 3010)
        self.assertEqual(int(padded.findtext("s:SessionTokenSize", namespaces=NS)), len(token))
        # The padded token still works.
        doc = self.ok("GetCallerIdentity", self.creds(padded))
        self.assertTrue(doc.findtext("s:Arn", namespaces=NS).endswith(":user/alice"))

    def test_minimum_session_token_size_is_bounded_by_the_model(self):
        status, message = self.error("GetSessionToken", self.alice, "ValidationError", MinimumSessionTokenSize="4097")
        self.assertEqual(status, 400)
        self.assertIn("minimumSessionTokenSize", message)

    def test_scoped_credentials_keep_the_identity_and_narrow_permissions(self):
        parent, creds = self.role_session()
        scoped = self.ok("GetScopedCredentials", creds, Policy=ONLY_IDENTITY)
        info = scoped.find("s:SessionInfo", NS)
        self.assertEqual(info.findtext("s:Arn", namespaces=NS),
                         parent.findtext("s:AssumedRoleUser/s:Arn", namespaces=NS))
        self.assertEqual(info.findtext("s:ScopedSessionId", namespaces=NS),
                         parent.findtext("s:AssumedRoleUser/s:AssumedRoleId", namespaces=NS))
        self.assertEqual(scoped.findtext("s:ScopedPoliciesCount", namespaces=NS), "1")
        # Inherits the calling session's expiry.
        self.assertEqual(scoped.findtext("s:Credentials/s:Expiration", namespaces=NS),
                         parent.findtext("s:Credentials/s:Expiration", namespaces=NS))
        inner = self.creds(scoped)
        who = self.ok("GetCallerIdentity", inner)
        self.assertEqual(who.findtext("s:Arn", namespaces=NS), info.findtext("s:Arn", namespaces=NS))
        # The scope allows only GetCallerIdentity (which needs no permission anyway): AssumeRole is refused.
        self.error("AssumeRole", inner, "AccessDenied", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/app",
                   RoleSessionName="s2")
        # The parent session is not narrowed.
        self.ok("AssumeRole", creds, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/app", RoleSessionName="s2")

    def test_every_scope_layer_bounds_later_decisions_and_three_is_the_most(self):
        _, creds = self.role_session()
        first = self.creds(self.ok("GetScopedCredentials", creds, Policy=ONLY_ASSUME))
        # A wider second layer cannot widen the first: AssumeRole still allowed, nothing else granted.
        second_result = self.ok("GetScopedCredentials", first, Policy=ALLOW_ALL)
        self.assertEqual(second_result.findtext("s:ScopedPoliciesCount", namespaces=NS), "2")
        second = self.creds(second_result)
        self.ok("AssumeRole", second, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/app", RoleSessionName="s3")
        third = self.creds(self.ok("GetScopedCredentials", second, Policy=ONLY_IDENTITY))
        self.error("AssumeRole", third, "AccessDenied", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/app",
                   RoleSessionName="s4")
        self.error("GetScopedCredentials", third, "AccessDenied", Policy=ALLOW_ALL)
        # Without a Policy, only the duration changes and no layer is added.
        shorter = self.ok("GetScopedCredentials", third, DurationSeconds="60")
        self.assertEqual(shorter.findtext("s:ScopedPoliciesCount", namespaces=NS), "3")

    def test_errors(self):
        _, creds = self.role_session(duration=900)
        status, _ = self.error("GetScopedCredentials", creds, "InsufficientSessionLifetime", DurationSeconds="3600")
        self.assertEqual(status, 400)
        status, _ = self.error("GetScopedCredentials", self.alice, "InvalidSubjectCredentials", DurationSeconds="60")
        self.assertEqual(status, 400)
        self.error("GetScopedCredentials", creds, "ValidationError")
        self.error("GetScopedCredentials", creds, "MalformedPolicyDocument", Policy='{"Version": "2012-10-17"}')
        status, message = self.error("GetScopedCredentials", creds, "ValidationError", DurationSeconds="0")
        self.assertIn("durationSeconds", message)
        self.error("GetScopedCredentials", creds, "ValidationError", DurationSeconds="60",
                   ScopedSessionDescription="x" * 257)

    def test_global_endpoint_does_not_know_it(self):
        _, creds = self.role_session()
        pairs = [("Action", "GetScopedCredentials"), ("Version", "2011-06-15"), ("DurationSeconds", "60")]
        request = h.signed_request(self.server, pairs, creds=creds, headers={"Host": "sts.amazonaws.com"})
        r = h.send_prepared(self.server, request)
        self.assertIn(b"<Code>InvalidAction</Code>", r.body)

    def test_web_identity_token_scope_and_subject_mode(self):
        self.error("GetWebIdentityToken", self.alice, "ValidationError", **{
            "Audience.member.1": "https://app.example", "SigningAlgorithm": "RS256", "Scope": "read"})
        self.error("GetWebIdentityToken", self.alice, "ValidationError", **{
            "Audience.member.1": "https://app.example", "SigningAlgorithm": "RS256", "SubjectMode": "OriginIdentity"})
        status, message = self.error("GetWebIdentityToken", self.alice, "ValidationError", **{
            "Audience.member.1": "https://app.example", "SigningAlgorithm": "RS256", "SubjectMode": "Nobody"})
        self.assertIn("subjectMode", message)


class JsSdkNewestStsTest(h.StsdTestCase):
    """The embedded default (key test/test, role mode auto), driven by @aws-sdk/client-sts."""

    def test_js_sdk_speaks_the_newest_members(self):
        why = test_sigv4a.js_sdk_ready()
        if why:
            self.skipTest(why)
        role_arn = f"arn:aws:iam::{h.DEFAULT_ACCOUNT}:role/js-app"
        out = subprocess.run(["node", "newest_sts_flow.mjs", self.server.url, role_arn], cwd=test_sigv4a.JS_DIR,
                             capture_output=True, text=True, timeout=120,
                             env=h.hermetic_env(os.environ, self.workdir))
        self.assertEqual(out.returncode, 0, out.stderr + self.server.output()[-2000:])
        facts = json.loads(out.stdout)
        assume = facts["assume"]
        self.assertGreaterEqual(assume["tokenLength"], 2048, facts)
        self.assertEqual(assume["sessionTokenSize"], assume["tokenLength"], facts)
        self.assertEqual(assume["sessionTokenUtilization"], -(-100 * assume["tokenLength"] // 4096), facts)
        scoped = facts["scoped"]
        self.assertEqual(scoped["sessionInfo"]["Arn"], assume["arn"], facts)
        self.assertEqual(scoped["scopedPoliciesCount"], 1, facts)
        self.assertEqual(facts["scopedCaller"], assume["arn"], facts)
        self.assertEqual(facts["longTerm"], {"name": "InvalidSubjectCredentialsException", "status": 400}, facts)


if __name__ == "__main__":
    unittest.main()
