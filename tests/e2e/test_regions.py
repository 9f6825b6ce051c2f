"""Partitions and opt-in regions, as AWS has them.

Every ARN stsd answers is in the partition of the request's region (the
credential scope's; for the unsigned federation calls, the Host's
sts.<region>.amazonaws.com[.cn], else the server's). Role and provider ARNs
of another partition do not exist (AccessDenied / InvalidIdentityToken),
and session credentials work only in the partition that issued them.

Opt-in regions (launched after 2019-03-20) are disabled for an account
until its config lists them in `enabled_regions`: its credentials do not
exist there (InvalidClientTokenId, as AWS answers), and credentials for it
are refused with RegionDisabledException (403) in such a region or where
`sts_inactive_regions` deactivated STS.
"""
import json
import unittest
import urllib.parse

import stsd_harness as h
from botocore import UNSIGNED

ALICE_ACCOUNT = "111122223333"
BOB_ACCOUNT = "444455556666"
REGION_DISABLED = ("STS is not activated in this region for account:{}. Your account administrator can activate "
                   "STS in this region using the IAM Console.")


def trust(principal):
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}


class PartitionTest(h.StsdTestCase):
    """role_mode auto: any role ARN names a role, in its own partition."""

    @classmethod
    def server_config(cls):
        cls.alice = (h.make_access_key(ALICE_ACCOUNT), h.make_secret())
        return {
            "region": "us-east-1",
            "role_mode": "auto",
            "accounts": [{"id": ALICE_ACCOUNT, "enabled_regions": ["*"]}],
            "users": [{"account": ALICE_ACCOUNT, "name": "alice",
                       "access_keys": [{"id": cls.alice[0], "secret": cls.alice[1]}]}],
            "oidc_providers": [{"account": ALICE_ACCOUNT, "url": "https://oidc.stsd.local",
                                "client_ids": ["sts.amazonaws.com"], "builtin": True}],
        }

    def test_the_callers_arn_takes_the_partition_of_the_region(self):
        for region, partition in [("us-east-1", "aws"), ("eu-west-1", "aws"), ("cn-north-1", "aws-cn"),
                                  ("cn-northwest-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
                                  ("us-iso-east-1", "aws-iso"), ("us-isob-east-1", "aws-iso-b"),
                                  ("eu-isoe-west-1", "aws-iso-e"), ("us-isof-south-1", "aws-iso-f"),
                                  ("eusc-de-east-1", "aws-eusc")]:
            with self.subTest(region=region):
                who = self.client(self.alice, region=region).get_caller_identity()
                self.assertEqual(who["Arn"], f"arn:{partition}:iam::{ALICE_ACCOUNT}:user/alice")

    def test_role_sessions_are_of_the_requests_partition(self):
        cn = self.client(self.alice, region="cn-north-1")
        role = f"arn:aws-cn:iam::{ALICE_ACCOUNT}:role/deploy"
        out = cn.assume_role(RoleArn=role, RoleSessionName="s1")
        arn = f"arn:aws-cn:sts::{ALICE_ACCOUNT}:assumed-role/deploy/s1"
        self.assertEqual(out["AssumedRoleUser"]["Arn"], arn)
        session = h.creds_of(out)
        self.assertEqual(self.client(session, region="cn-north-1").get_caller_identity()["Arn"], arn)
        # A chained session stays in its partition.
        chained = self.client(session, region="cn-north-1").assume_role(RoleArn=role, RoleSessionName="c1")
        self.assertTrue(chained["AssumedRoleUser"]["Arn"].startswith("arn:aws-cn:sts::"))
        # Credentials of one partition do not exist in another.
        self.assertClientError(lambda: self.client(session, region="us-east-1").get_caller_identity(),
                               "InvalidClientTokenId", "The security token included in the request is invalid.",
                               status=403)

    def test_a_role_of_another_partition_is_not_found(self):
        cn = self.client(self.alice, region="cn-north-1")
        role = f"arn:aws:iam::{ALICE_ACCOUNT}:role/deploy"
        self.assertClientError(
            lambda: cn.assume_role(RoleArn=role, RoleSessionName="s1"), "AccessDenied",
            f"User: arn:aws-cn:iam::{ALICE_ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole "
            f"on resource: {role}", status=403)

    def test_the_same_role_name_in_two_partitions_is_two_roles(self):
        ids = {}
        for region, partition in [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-east-1", "aws-us-gov")]:
            out = self.client(self.alice, region=region).assume_role(
                RoleArn=f"arn:{partition}:iam::{ALICE_ACCOUNT}:role/x", RoleSessionName="s1")
            ids[partition] = out["AssumedRoleUser"]["AssumedRoleId"].split(":")[0]
        self.assertEqual(len(set(ids.values())), 3, ids)
        # ... and each partition's id is stable.
        again = self.client(self.alice, region="cn-north-1").assume_role(
            RoleArn=f"arn:aws-cn:iam::{ALICE_ACCOUNT}:role/x", RoleSessionName="t1")
        self.assertEqual(again["AssumedRoleUser"]["AssumedRoleId"].split(":")[0], ids["aws-cn"])

    def test_federated_users_are_of_the_requests_partition(self):
        out = self.client(self.alice, region="us-gov-west-1").get_federation_token(Name="bob")
        self.assertEqual(out["FederatedUser"]["Arn"], f"arn:aws-us-gov:sts::{ALICE_ACCOUNT}:federated-user/bob")

    def mint_oidc(self, **body):
        r = h.send(self.server, "POST", "/_stsd/oidc/token", body=json.dumps(body).encode(),
                   headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)["token"]

    def web_identity(self, host, role_arn):
        token = self.mint_oidc(sub="app")
        body = h.form({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": role_arn,
                       "RoleSessionName": "app", "WebIdentityToken": token})
        return h.send(self.server, "POST", "/", body=body.encode(),
                      headers={"Host": host, "Content-Type": "application/x-www-form-urlencoded"})

    def test_unsigned_calls_take_the_region_of_their_host(self):
        r = self.web_identity("sts.cn-north-1.amazonaws.com.cn", f"arn:aws-cn:iam::{ALICE_ACCOUNT}:role/app")
        self.assertEqual(r.status, 200, r.body)
        result, _ = h.parse_result(r.body, "AssumeRoleWithWebIdentity")
        self.assertEqual(result["AssumedRoleUser"]["Arn"], f"arn:aws-cn:sts::{ALICE_ACCOUNT}:assumed-role/app/app")
        self.assertEqual(result["Provider"], f"arn:aws-cn:iam::{ALICE_ACCOUNT}:oidc-provider/oidc.stsd.local")
        # The server's own region (us-east-1) when the Host names none.
        r = self.web_identity(self.server.host, f"arn:aws-cn:iam::{ALICE_ACCOUNT}:role/app")
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(h.parse_error(r.body)["code"], "AccessDenied")
        r = self.web_identity(self.server.host, f"arn:aws:iam::{ALICE_ACCOUNT}:role/app")
        self.assertEqual(r.status, 200, r.body)


class IamPartitionTest(h.StsdTestCase):
    """IAM answers and checks ARNs in the partition of the signing region."""

    @classmethod
    def server_config(cls):
        cls.alice = (h.make_access_key(ALICE_ACCOUNT), h.make_secret())
        return {
            "region": "cn-north-1",
            "accounts": [{"id": ALICE_ACCOUNT}],
            "users": [{"account": ALICE_ACCOUNT, "name": "alice",
                       "access_keys": [{"id": cls.alice[0], "secret": cls.alice[1]}]}],
        }

    def test_iam_entities_are_of_the_requests_partition(self):
        iam = self.iam(self.alice, region="cn-north-1")
        self.assertEqual(iam.get_user()["User"]["Arn"], f"arn:aws-cn:iam::{ALICE_ACCOUNT}:user/alice")
        role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(
            trust({"AWS": f"arn:aws-cn:iam::{ALICE_ACCOUNT}:root"})))["Role"]
        self.assertEqual(role["Arn"], f"arn:aws-cn:iam::{ALICE_ACCOUNT}:role/app")
        self.assertEqual(iam.get_role(RoleName="app")["Role"]["Arn"], role["Arn"])
        self.assertIn(role["Arn"], [r["Arn"] for r in iam.list_roles()["Roles"]])
        policy = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]
        self.assertEqual(policy["Arn"], f"arn:aws-cn:iam::{ALICE_ACCOUNT}:policy/p")
        iam.attach_role_policy(RoleName="app", PolicyArn=policy["Arn"])
        attached = iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"]
        self.assertEqual([a["PolicyArn"] for a in attached], [policy["Arn"]])
        # The role is assumable in its partition, and its session is of it.
        out = self.client(self.alice, region="cn-north-1").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws-cn:sts::{ALICE_ACCOUNT}:assumed-role/app/s1")
        # The same store seen from the aws partition.
        self.assertEqual(self.iam(self.alice, region="us-east-1").get_role(RoleName="app")["Role"]["Arn"],
                         f"arn:aws:iam::{ALICE_ACCOUNT}:role/app")

    def test_an_arn_of_another_partition_is_refused(self):
        iam = self.iam(self.alice, region="cn-north-1")
        iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps(
            trust({"AWS": f"arn:aws-cn:iam::{ALICE_ACCOUNT}:root"})))
        self.assertClientError(
            lambda: iam.attach_role_policy(RoleName="other", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"),
            "ValidationError", "Invalid ARN partition", status=400)
        iam.attach_role_policy(RoleName="other", PolicyArn="arn:aws-cn:iam::aws:policy/ReadOnlyAccess")
        # A policy naming resources of another partition (aws/chalice#777's text).
        document = {"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:*:*:*"}]}
        self.assertClientError(
            lambda: iam.put_role_policy(RoleName="other", PolicyName="logs", PolicyDocument=json.dumps(document)),
            "MalformedPolicyDocument", 'Partition "aws" is not valid for resource "arn:aws:logs:*:*:*".', status=400)
        document["Statement"][0]["Resource"] = "arn:aws-cn:logs:*:*:*"
        iam.put_role_policy(RoleName="other", PolicyName="logs", PolicyDocument=json.dumps(document))


class StrictPartitionTest(h.StsdTestCase):
    """Declared roles: trust policies name principals of one partition."""

    @classmethod
    def server_config(cls):
        cls.alice = (h.make_access_key(ALICE_ACCOUNT), h.make_secret())
        return {
            "region": "us-east-1",
            "accounts": [{"id": ALICE_ACCOUNT, "enabled_regions": ["*"]}],
            "users": [{"account": ALICE_ACCOUNT, "name": "alice",
                       "access_keys": [{"id": cls.alice[0], "secret": cls.alice[1]}]}],
            "roles": [
                {"account": ALICE_ACCOUNT, "name": "china", "trust_policy": trust(
                    {"AWS": f"arn:aws-cn:iam::{ALICE_ACCOUNT}:user/alice"})},
                {"account": ALICE_ACCOUNT, "name": "root-cn", "trust_policy": trust(
                    {"AWS": f"arn:aws-cn:iam::{ALICE_ACCOUNT}:root"})},
            ],
        }

    def assume(self, region, partition, name):
        return self.client(self.alice, region=region).assume_role(
            RoleArn=f"arn:{partition}:iam::{ALICE_ACCOUNT}:role/{name}", RoleSessionName="s1")

    def test_a_declared_role_answers_in_the_requests_partition(self):
        out = self.assume("cn-north-1", "aws-cn", "china")
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws-cn:sts::{ALICE_ACCOUNT}:assumed-role/china/s1")
        self.assume("cn-north-1", "aws-cn", "root-cn")

    def test_principals_of_another_partition_are_not_trusted(self):
        for name in ("china", "root-cn"):
            with self.subTest(role=name):
                self.assertClientError(lambda: self.assume("us-east-1", "aws", name), "AccessDenied", status=403)


class RegionDisabledTest(h.StsdTestCase):
    @classmethod
    def server_config(cls):
        cls.alice = (h.make_access_key(ALICE_ACCOUNT), h.make_secret())
        cls.bob = (h.make_access_key(BOB_ACCOUNT), h.make_secret())
        everyone = {"AWS": [f"arn:aws:iam::{ALICE_ACCOUNT}:root", f"arn:aws:iam::{BOB_ACCOUNT}:root"]}
        return {
            "region": "us-east-1",
            "accounts": [
                {"id": ALICE_ACCOUNT, "enabled_regions": ["ap-east-1", "me-south-1"],
                 "sts_inactive_regions": ["eu-west-3"]},
                {"id": BOB_ACCOUNT},
            ],
            "users": [
                {"account": ALICE_ACCOUNT, "name": "alice", "access_keys": [{"id": cls.alice[0], "secret": cls.alice[1]}]},
                {"account": BOB_ACCOUNT, "name": "bob", "access_keys": [{"id": cls.bob[0], "secret": cls.bob[1]}]},
            ],
            "roles": [
                {"account": ALICE_ACCOUNT, "name": "a", "trust_policy": trust(everyone)},
                {"account": BOB_ACCOUNT, "name": "b", "trust_policy": trust(everyone)},
            ],
        }

    def assertRegionDisabled(self, call, account):
        self.assertClientError(call, "RegionDisabledException", REGION_DISABLED.format(account), status=403)

    def test_an_opt_in_region_the_account_has_not_enabled_does_not_know_its_credentials(self):
        for region in ("ap-east-1", "af-south-1", "il-central-1", "mx-central-1"):
            with self.subTest(region=region):
                self.assertClientError(lambda: self.client(self.bob, region=region).get_caller_identity(),
                                       "InvalidClientTokenId",
                                       "The security token included in the request is invalid.", status=403)
        # Regions launched before 2019-03-20 are always enabled.
        for region in ("us-east-1", "eu-west-3", "ap-northeast-3", "sa-east-1"):
            with self.subTest(region=region):
                self.assertTrue(self.client(self.bob, region=region).get_caller_identity()["Arn"].endswith(":user/bob"))

    def test_an_enabled_opt_in_region_works(self):
        alice = self.client(self.alice, region="ap-east-1")
        self.assertTrue(alice.get_caller_identity()["Arn"].endswith(":user/alice"))
        out = alice.assume_role(RoleArn=f"arn:aws:iam::{ALICE_ACCOUNT}:role/a", RoleSessionName="s1")
        self.assertTrue(self.client(h.creds_of(out), region="ap-east-1").get_caller_identity()["Arn"])
        alice.get_session_token()

    def test_credentials_for_an_account_that_has_not_enabled_the_region_are_refused(self):
        # Alice may use ap-east-1; the role's account (bob's) may not.
        alice = self.client(self.alice, region="ap-east-1")
        self.assertRegionDisabled(
            lambda: alice.assume_role(RoleArn=f"arn:aws:iam::{BOB_ACCOUNT}:role/b", RoleSessionName="s1"), BOB_ACCOUNT)
        # Bob can get credentials for alice's role in a region he has not
        # enabled? No: his own credentials do not exist there.
        self.assertClientError(
            lambda: self.client(self.bob, region="me-south-1").assume_role(
                RoleArn=f"arn:aws:iam::{ALICE_ACCOUNT}:role/a", RoleSessionName="s1"), "InvalidClientTokenId")

    def test_sts_deactivated_in_a_region_refuses_credentials_for_the_account(self):
        alice = self.client(self.alice, region="eu-west-3")
        self.assertTrue(alice.get_caller_identity()["Arn"].endswith(":user/alice"))
        self.assertRegionDisabled(lambda: alice.get_session_token(), ALICE_ACCOUNT)
        self.assertRegionDisabled(lambda: alice.get_federation_token(Name="fed"), ALICE_ACCOUNT)
        self.assertRegionDisabled(
            lambda: alice.assume_role(RoleArn=f"arn:aws:iam::{ALICE_ACCOUNT}:role/a", RoleSessionName="s1"),
            ALICE_ACCOUNT)
        # Bob assuming alice's role there: the role's account decides.
        bob = self.client(self.bob, region="eu-west-3")
        self.assertRegionDisabled(
            lambda: bob.assume_role(RoleArn=f"arn:aws:iam::{ALICE_ACCOUNT}:role/a", RoleSessionName="s1"),
            ALICE_ACCOUNT)
        bob.assume_role(RoleArn=f"arn:aws:iam::{BOB_ACCOUNT}:role/b", RoleSessionName="s1")

    def test_the_config_names_the_regions(self):
        r = h.send(self.server, "GET", "/_stsd/config")
        accounts = json.loads(r.body)["accounts"]
        self.assertEqual(accounts[0]["enabled_regions"], ["ap-east-1", "me-south-1"])
        self.assertEqual(accounts[0]["sts_inactive_regions"], ["eu-west-3"])
        self.assertNotIn("enabled_regions", accounts[1])

    def test_a_region_that_is_always_enabled_cannot_be_listed_as_enabled(self):
        bad = {"accounts": [{"id": ALICE_ACCOUNT, "enabled_regions": ["us-east-1", "nope!"]}]}
        r = h.send(self.server, "PUT", "/_stsd/config", body=json.dumps(bad).encode(),
                   headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400, r.body)
        self.assertIn("/accounts/0/enabled_regions/0", r.text)
        self.assertIn("/accounts/0/enabled_regions/1", r.text)


if __name__ == "__main__":
    h.main()
