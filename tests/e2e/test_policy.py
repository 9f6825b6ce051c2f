"""Policy decisions and session semantics end to end (issue 4): identity
policies across accounts, sts:TagSession / sts:SetSourceIdentity, tags and
source identity through a three-step role chain, AccessDenied carrying an
encoded authorization message that DecodeAuthorizationMessage decodes,
/_stsd/credentials/inspect, /_stsd/authz/encode, AssumeRoot."""

import json
import unittest

import botocore.exceptions

from stsd_harness import StsdTestCase, creds_of, send, sts_client

A = "111122223333"  # management account (first in the config)
B = "444455556666"  # member account
HEADER = "x-stsd-encoded-authorization-message"


def allow(actions, resource="*", **extra):
    stmt = {"Effect": "Allow", "Action": actions, "Resource": resource}
    stmt.update(extra)
    return {"Version": "2012-10-17", "Statement": [stmt]}


def trust_aws(principals, actions=("sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"), condition=None):
    stmt = {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": list(actions)}
    if condition:
        stmt["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [stmt]}


def user(account, name, key, policies=None, tags=None):
    u = {"account": account, "name": name, "access_keys": [{"id": key[0], "secret": key[1]}]}
    if policies is not None:
        u["policies"] = policies
    if tags:
        u["tags"] = tags
    return u


ALICE = ("AKIAALICE00000000001", "alice-secret")      # A, no policies: all sts:*
BOB = ("AKIABOB0000000000001", "bob-secret")          # A, may assume only role/b-reader in B
CAROL = ("AKIACAROL00000000001", "carol-secret")      # B, explicitly denied sts:AssumeRole
ROOT_B = ("AKIAROOTB00000000001", "root-b-secret")


class PolicyCase(StsdTestCase):
    @classmethod
    def server_config(cls):
        return {
            "accounts": [{"id": A}, {"id": B, "access_keys": [{"id": ROOT_B[0], "secret": ROOT_B[1]}]}],
            "users": [
                user(A, "alice", ALICE),
                user(A, "bob", BOB, policies=[allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/b-reader")]),
                user(B, "carol", CAROL, policies=[
                    allow("sts:*"),
                    {"Version": "2012-10-17", "Statement": [
                        {"Sid": "NoRoles", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}]),
            ],
            "managed_policies": [{"account": A, "name": "OnlyStep3", "path": "/limits/",
                                  "document": allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/step3")}],
            "roles": [
                # Trusts account A as a whole: A's identity policies decide.
                {"account": B, "name": "b-reader", "trust_policy": trust_aws(A)},
                {"account": B, "name": "b-writer", "trust_policy": trust_aws(A)},
                # Trusts its own account: carol's explicit deny wins.
                {"account": B, "name": "b-local", "trust_policy": trust_aws(B)},
                # A chain: step1 -> step2 -> step3.
                {"account": A, "name": "step1", "trust_policy": trust_aws(f"arn:aws:iam::{A}:user/alice")},
                {"account": A, "name": "step2", "trust_policy": trust_aws(f"arn:aws:iam::{A}:role/step1")},
                {"account": A, "name": "step3", "trust_policy": trust_aws(f"arn:aws:iam::{A}:role/step2")},
                # Allows AssumeRole but not TagSession / SetSourceIdentity.
                {"account": A, "name": "plain", "trust_policy": trust_aws(
                    f"arn:aws:iam::{A}:user/alice", actions=("sts:AssumeRole",))},
            ],
        }

    def client(self, creds=ALICE, **kwargs):
        return sts_client(self.server.url, creds, **kwargs)

    def denied(self, fn, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as e:
            fn(**kwargs)
        return e.exception.response

    def role(self, account, name):
        return f"arn:aws:iam::{account}:role/{name}"


class CrossAccountTest(PolicyCase):
    def test_account_trust_defers_to_identity_policies(self):
        # alice has no policies (all sts:* allowed), bob only b-reader.
        self.assertIn("Credentials", self.client(ALICE).assume_role(RoleArn=self.role(B, "b-writer"), RoleSessionName="s1"))
        self.assertIn("Credentials", self.client(BOB).assume_role(RoleArn=self.role(B, "b-reader"), RoleSessionName="s1"))
        r = self.denied(self.client(BOB).assume_role, RoleArn=self.role(B, "b-writer"), RoleSessionName="s1")
        self.assertEqual(r["Error"]["Code"], "AccessDenied")
        self.assertEqual(r["Error"]["Message"], f"User: arn:aws:iam::{A}:user/bob is not authorized to perform: "
                                                f"sts:AssumeRole on resource: {self.role(B, 'b-writer')}")

    def test_explicit_deny_in_identity_policy_wins(self):
        r = self.denied(self.client(CAROL).assume_role, RoleArn=self.role(B, "b-local"), RoleSessionName="s1")
        self.assertEqual(r["Error"]["Code"], "AccessDenied")

    def test_access_denied_carries_a_decodable_authorization_message(self):
        r = self.denied(self.client(CAROL).assume_role, RoleArn=self.role(B, "b-local"), RoleSessionName="s1")
        encoded = r["ResponseMetadata"]["HTTPHeaders"].get(HEADER)
        self.assertTrue(encoded, "AccessDenied without an encoded authorization message")
        # Decodable in carol's account (B), as on AWS; not in another one.
        decoded = json.loads(self.client(ROOT_B).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
        self.assertEqual(decoded["allowed"], False)
        self.assertEqual(decoded["explicitDeny"], True)
        self.assertEqual(decoded["context"]["action"], "sts:AssumeRole")
        self.assertEqual(decoded["context"]["resource"], self.role(B, "b-local"))
        self.assertEqual(decoded["context"]["principal"]["arn"], f"arn:aws:iam::{B}:user/carol")
        sids = [s.get("statementId") for s in decoded["matchedStatements"]["items"]]
        self.assertIn("NoRoles", sids)
        keys = {c["key"] for c in decoded["context"]["conditions"]["items"]}
        self.assertIn("aws:username", keys)


class SessionSemanticsTest(PolicyCase):
    def test_tags_and_source_identity_through_a_three_step_chain(self):
        one = self.client(ALICE).assume_role(
            RoleArn=self.role(A, "step1"), RoleSessionName="one", SourceIdentity="alice-si",
            Tags=[{"Key": "team", "Value": "blue"}, {"Key": "env", "Value": "dev"}], TransitiveTagKeys=["team"])
        two = self.client(creds_of(one)).assume_role(RoleArn=self.role(A, "step2"), RoleSessionName="two")
        three = self.client(creds_of(two)).assume_role(
            RoleArn=self.role(A, "step3"), RoleSessionName="three", Tags=[{"Key": "stage", "Value": "3"}])
        self.assertEqual(three["SourceIdentity"], "alice-si")
        r = send(self.server, "POST", "/_stsd/credentials/inspect", body=json.dumps(
            {"access_key_id": three["Credentials"]["AccessKeyId"],
             "session_token": three["Credentials"]["SessionToken"]}).encode())
        self.assertEqual(r.status, 200, r.body)
        session = json.loads(r.body)
        self.assertEqual(session["tags"], {"team": "blue", "stage": "3"})  # env was not transitive
        self.assertEqual(session["transitive_tag_keys"], ["team"])
        self.assertEqual(session["source_identity"], "alice-si")
        self.assertEqual(session["chain_depth"], 3)
        # The token is bound to its key id: another key id sees no session.
        r = send(self.server, "POST", "/_stsd/credentials/inspect", body=json.dumps(
            {"access_key_id": one["Credentials"]["AccessKeyId"],
             "session_token": three["Credentials"]["SessionToken"]}).encode())
        self.assertEqual(r.status, 404)
        # Overriding a transitive tag, or changing the source identity, is refused.
        r = self.denied(self.client(creds_of(two)).assume_role, RoleArn=self.role(A, "step3"), RoleSessionName="x1",
                        Tags=[{"Key": "Team", "Value": "red"}])
        self.assertEqual(r["Error"]["Code"], "InvalidParameterValue")
        r = self.denied(self.client(creds_of(two)).assume_role, RoleArn=self.role(A, "step3"), RoleSessionName="x1",
                        SourceIdentity="mallory")
        self.assertEqual(r["Error"]["Code"], "ValidationError")

    def test_tags_need_tag_session_and_source_identity_needs_set_source_identity(self):
        ok = self.client(ALICE).assume_role(RoleArn=self.role(A, "plain"), RoleSessionName="s1")
        self.assertIn("Credentials", ok)
        for kwargs in ({"Tags": [{"Key": "k", "Value": "v"}]}, {"SourceIdentity": "someone"}):
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                r = self.denied(self.client(ALICE).assume_role, RoleArn=self.role(A, "plain"), RoleSessionName="s1",
                                **kwargs)
                self.assertEqual(r["Error"]["Code"], "AccessDenied")


class SessionPolicyTest(PolicyCase):
    def test_malformed_session_policies_get_aws_messages(self):
        cases = [
            ("{not json", "The policy is not in the valid JSON format."),
            (json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
             "Policy statement must contain actions."),
        ]
        for text, message in cases:
            with self.subTest(text):
                r = self.denied(self.client(ALICE).assume_role, RoleArn=self.role(A, "step1"), RoleSessionName="s1",
                                Policy=text)
                self.assertEqual((r["Error"]["Code"], r["Error"]["Message"]), ("MalformedPolicyDocument", message))

    def test_session_policy_limits_what_the_session_may_do_next(self):
        narrow = allow("sts:AssumeRole", self.role(A, "step3"))
        one = self.client(ALICE).assume_role(RoleArn=self.role(A, "step1"), RoleSessionName="s1", Policy=json.dumps(narrow))
        r = self.denied(self.client(creds_of(one)).assume_role, RoleArn=self.role(A, "step2"), RoleSessionName="s2")
        self.assertEqual(r["Error"]["Code"], "AccessDenied")


class AutoRoleModeTest(PolicyCase):
    @classmethod
    def server_config(cls):
        config = super().server_config()
        config["role_mode"] = "auto"
        return config

    def test_undeclared_roles_are_refused_only_by_explicit_denies_or_session_bounds(self):
        # role_mode auto: an undeclared role has no trust policy. No policy at
        # all allows; an identity Deny or a session policy still refuses.
        undeclared = self.role(B, "not-in-config")
        self.assertIn("Credentials", self.client(ALICE).assume_role(RoleArn=undeclared, RoleSessionName="s1"))
        r = self.denied(self.client(CAROL).assume_role, RoleArn=undeclared, RoleSessionName="s1")
        self.assertEqual(r["Error"]["Code"], "AccessDenied")
        narrow = allow("sts:AssumeRole", self.role(A, "step3"))
        one = self.client(ALICE).assume_role(RoleArn=self.role(A, "step1"), RoleSessionName="s1", Policy=json.dumps(narrow))
        r = self.denied(self.client(creds_of(one)).assume_role, RoleArn=undeclared, RoleSessionName="s2")
        self.assertEqual(r["Error"]["Code"], "AccessDenied")
        plain = self.client(ALICE).assume_role(RoleArn=self.role(A, "step1"), RoleSessionName="s1")
        self.assertIn("Credentials", self.client(creds_of(plain)).assume_role(RoleArn=undeclared, RoleSessionName="s2"))


class ManagedPolicyTest(PolicyCase):
    def test_customer_managed_policy_arns_bound_the_session(self):
        arn = f"arn:aws:iam::{A}:policy/limits/OnlyStep3"
        one = self.client(ALICE).assume_role(RoleArn=self.role(A, "step1"), RoleSessionName="s1",
                                             PolicyArns=[{"arn": arn}])
        self.assertIn("PackedPolicySize", one)
        r = self.denied(self.client(creds_of(one)).assume_role, RoleArn=self.role(A, "step2"), RoleSessionName="s2")
        self.assertEqual(r["Error"]["Code"], "AccessDenied")
        # An AWS managed policy is carried, not evaluated.
        two = self.client(ALICE).assume_role(RoleArn=self.role(A, "step1"), RoleSessionName="s1",
                                             PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}])
        self.assertIn("Credentials", self.client(creds_of(two)).assume_role(RoleArn=self.role(A, "step2"),
                                                                           RoleSessionName="s2"))


class AdminEncodeTest(PolicyCase):
    def test_encode_round_trips_through_decode_authorization_message(self):
        message = {"allowed": False, "explicitDeny": False, "matchedStatements": {"items": []},
                   "failures": {"items": []}, "context": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}
        r = send(self.server, "POST", "/_stsd/authz/encode", body=json.dumps(message).encode())
        self.assertEqual(r.status, 200, r.body)
        encoded = json.loads(r.body)["EncodedMessage"]
        decoded = self.client(ALICE).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]
        self.assertEqual(json.loads(decoded), message)
        self.assertEqual(send(self.server, "POST", "/_stsd/authz/encode", body=b"[1,2]").status, 400)


class AssumeRootTest(PolicyCase):
    TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"

    def setUp(self):
        if "AssumeRoot" not in self.client()._service_model.operation_names:
            self.skipTest("this botocore has no AssumeRoot")

    def test_management_account_principal_gets_member_root_credentials(self):
        out = self.client(ALICE).assume_root(TargetPrincipal=B, TaskPolicyArn={"arn": self.TASK}, DurationSeconds=600)
        me = self.client(creds_of(out)).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:iam::{B}:root")
        self.assertEqual(me["Account"], B)

    def test_refusals(self):
        cases = [
            ("member account caller", CAROL, B, self.TASK, "AccessDenied"),
            ("root credentials", ROOT_B, A, self.TASK, "AccessDenied"),
            ("not a member", ALICE, "999999999999", self.TASK, "AccessDenied"),
            ("not a root-task policy", ALICE, B, "arn:aws:iam::aws:policy/AdministratorAccess", "ValidationError"),
        ]
        for name, creds, target, task, code in cases:
            with self.subTest(name):
                r = self.denied(self.client(creds).assume_root, TargetPrincipal=target, TaskPolicyArn={"arn": task})
                self.assertEqual(r["Error"]["Code"], code)
        r = self.denied(self.client(ALICE).assume_root, TargetPrincipal=B, TaskPolicyArn={"arn": self.TASK},
                        DurationSeconds=901)
        self.assertEqual(r["Error"]["Code"], "ValidationError")


if __name__ == "__main__":
    unittest.main()
