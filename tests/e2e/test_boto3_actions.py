"""End-to-end: every implemented STS action through botocore against the real
stsd binary, checking identities, credential shapes, the rules on what
temporary credentials may call next, the exact validation texts live AWS
answers (the argmin STS oracle, github.com/justincormack/argmin), MFA, and
strict role mode with trust policies.

Runs with any botocore from 1.29 (Debian 12) up.
"""

import base64
import re
import time
import unittest

import stsd_harness as h
from stsd_harness import DEFAULT_ACCOUNT, DEFAULT_USER_ARN, EXAMPLE_KEY, TEST_KEY

ROLE_ACCOUNT = "123456789012"
ASIA_RE = re.compile(r"^ASIA[A-Z2-7]{16}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9+/]{40}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9+/=]+$")
EXPIRATION_XML_RE = re.compile(r"<Expiration>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)</Expiration>")

CHAINING_MSG = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
MAX_SESSION_MSG = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."


def role_arn(name, account=ROLE_ACCOUNT):
    return f"arn:aws:iam::{account}:role/{name}"


class CredentialShapeMixin:
    def assertTemporaryCredentials(self, creds, account):
        self.assertRegex(creds["AccessKeyId"], ASIA_RE)
        self.assertEqual(h.account_of_key(creds["AccessKeyId"]), account,
                         f"{creds['AccessKeyId']} should encode account {account}")
        self.assertRegex(creds["SecretAccessKey"], SECRET_RE)
        self.assertRegex(creds["SessionToken"], TOKEN_RE)
        self.assertGreaterEqual(len(creds["SessionToken"]), 100)

    def assertExpiration(self, response, capture, started, finished, duration):
        expiration = response["Credentials"]["Expiration"].timestamp()
        # AWS: response Date + DurationSeconds, sometimes minus 1 s.
        self.assertGreaterEqual(expiration, int(started) + duration - 1)
        self.assertLessEqual(expiration, finished + duration + 1)
        raw = capture.last.content.decode()
        m = EXPIRATION_XML_RE.search(raw)
        self.assertIsNotNone(m, f"Expiration not ISO-8601 to whole seconds in:\n{raw}")
        self.assertEqual(h.parse_iso8601(m.group(1)), expiration)


class DefaultIdentityTest(h.StsdTestCase, CredentialShapeMixin):
    """The embedded default: user `test`, keys test/test and the AWS example pair, role_mode auto."""

    def test_get_caller_identity_with_test_key(self):
        ident = self.client(TEST_KEY).get_caller_identity()
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)
        self.assertEqual(ident["Account"], DEFAULT_ACCOUNT)
        self.assertTrue(ident["UserId"].startswith("AIDA"), ident)
        self.assertEqual(len(ident["UserId"]), 21, ident)
        self.assertRegex(ident["UserId"], r"^AIDA[A-Z0-9]{17}$")

    def test_both_default_keys_are_the_same_user(self):
        a = self.client(TEST_KEY).get_caller_identity()
        b = self.client(EXAMPLE_KEY).get_caller_identity()
        self.assertEqual(a["Arn"], b["Arn"])
        self.assertEqual(a["UserId"], b["UserId"])
        self.assertEqual(b["Account"], DEFAULT_ACCOUNT)

    def test_any_region_in_the_client(self):
        # The ARN is in the partition of the client's region.
        for region, partition in (("eu-west-3", "aws"), ("ap-southeast-2", "aws"), ("us-gov-west-1", "aws-us-gov")):
            with self.subTest(region=region):
                ident = self.client(TEST_KEY, region=region).get_caller_identity()
                self.assertEqual(ident["Arn"], DEFAULT_USER_ARN.replace("arn:aws:", f"arn:{partition}:"))

    def test_response_metadata_request_id(self):
        client = self.client()
        capture = h.RawCapture(client)
        ident = client.get_caller_identity()
        rid = ident["ResponseMetadata"]["RequestId"]
        self.assertRegex(rid, "^" + h.UUID_RE + "$")
        self.assertEqual(capture.last.headers.get("x-amzn-RequestId"), rid)
        self.assertNotEqual(client.get_caller_identity()["ResponseMetadata"]["RequestId"], rid)


class AssumeRoleTest(h.StsdTestCase, CredentialShapeMixin):
    """AssumeRole in role_mode auto, and what its credentials can do."""

    def assume(self, creds=TEST_KEY, name=None, session="e2e-session", account=ROLE_ACCOUNT, **kwargs):
        name = name or h.unique_name("role")
        client = self.client(creds)
        capture = h.RawCapture(client)
        started = time.time()
        resp = client.assume_role(RoleArn=role_arn(name, account), RoleSessionName=session, **kwargs)
        return resp, capture, started, time.time(), name

    def test_assume_role_shapes(self):
        resp, capture, started, finished, name = self.assume(session="s1.x@y=z,w-v_u+t")
        session = "s1.x@y=z,w-v_u+t"
        user = resp["AssumedRoleUser"]
        self.assertEqual(user["Arn"], f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/{name}/{session}")
        self.assertRegex(user["AssumedRoleId"], r"^AROA[A-Z0-9]{17}:" + re.escape(session) + "$")
        self.assertTemporaryCredentials(resp["Credentials"], ROLE_ACCOUNT)
        self.assertExpiration(resp, capture, started, finished, 3600)
        self.assertNotIn("PackedPolicySize", resp)
        self.assertNotIn("<PackedPolicySize>", capture.last.content.decode())

    def test_assume_role_duration(self):
        for duration in (900, 7200, 43200):
            with self.subTest(duration=duration):
                resp, capture, started, finished, _ = self.assume(DurationSeconds=duration)
                self.assertExpiration(resp, capture, started, finished, duration)

    def test_role_path_is_dropped_from_assumed_role_arn(self):
        name = h.unique_name("pathed")
        resp = self.client().assume_role(RoleArn=f"arn:aws:iam::{ROLE_ACCOUNT}:role/team/a/{name}",
                                         RoleSessionName="p1")
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/{name}/p1")

    def test_same_role_same_role_id(self):
        name = h.unique_name("stable")
        a, *_ = self.assume(name=name, session="one")
        b, *_ = self.assume(name=name, session="two")
        self.assertEqual(a["AssumedRoleUser"]["AssumedRoleId"].split(":")[0],
                         b["AssumedRoleUser"]["AssumedRoleId"].split(":")[0])
        self.assertNotEqual(a["Credentials"]["AccessKeyId"], b["Credentials"]["AccessKeyId"])

    def test_caller_identity_with_role_credentials(self):
        resp, *_ = self.assume(session="who-am-i")
        ident = self.client(h.creds_of(resp)).get_caller_identity()
        self.assertEqual(ident["Arn"], resp["AssumedRoleUser"]["Arn"])
        self.assertEqual(ident["UserId"], resp["AssumedRoleUser"]["AssumedRoleId"])
        self.assertEqual(ident["Account"], ROLE_ACCOUNT)

    def test_packed_policy_size_with_policy(self):
        policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
        resp, *_ = self.assume(Policy=policy)
        self.assertIn("PackedPolicySize", resp)
        self.assertGreaterEqual(resp["PackedPolicySize"], 1)
        self.assertLessEqual(resp["PackedPolicySize"], 100)

    def test_packed_size_of_session_tags_matches_awss_data_point(self):
        # aws-actions/configure-aws-credentials#1898: AWS answers 498% for
        # nine tags T1..T9 with 250-character values (`aws sts assume-role`).
        tags = [{"Key": f"T{i}", "Value": "a" * 250} for i in range(1, 10)]
        self.assertClientError(lambda: self.assume(Tags=tags), "PackedPolicyTooLarge",
                               "Packed size of session tags consumes 498% of allotted space.", status=400)
        resp, *_ = self.assume(Tags=tags[:1])
        self.assertEqual(resp["PackedPolicySize"], 56)

    def test_role_chaining(self):
        first, *_ = self.assume(session="first")
        role_creds = h.creds_of(first)
        chained, capture, started, finished, name = self.assume(role_creds, session="second")
        self.assertEqual(chained["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/{name}/second")
        self.assertExpiration(chained, capture, started, finished, 3600)
        ident = self.client(h.creds_of(chained)).get_caller_identity()
        self.assertEqual(ident["Arn"], chained["AssumedRoleUser"]["Arn"])

    def test_role_chaining_capped_at_one_hour(self):
        first, *_ = self.assume(session="first")
        client = self.client(h.creds_of(first))
        self.assertClientError(
            lambda: client.assume_role(RoleArn=role_arn(h.unique_name("next")), RoleSessionName="second",
                                       DurationSeconds=7200),
            "ValidationError", CHAINING_MSG, status=400)

    def test_role_credentials_may_not_get_session_or_federation_tokens(self):
        first, *_ = self.assume()
        client = self.client(h.creds_of(first))
        self.assertClientError(client.get_session_token, "AccessDenied",
                               "Cannot call GetSessionToken with session credentials", status=403)
        self.assertClientError(lambda: client.get_federation_token(Name="bob"), "AccessDenied",
                               "Cannot call GetFederationToken with session credentials", status=403)

    def test_assume_role_into_another_account(self):
        resp, *_ = self.assume(account="111111111111", session="x1")
        self.assertTrue(resp["AssumedRoleUser"]["Arn"].startswith("arn:aws:sts::111111111111:assumed-role/"))
        self.assertEqual(h.account_of_key(resp["Credentials"]["AccessKeyId"]), "111111111111")


class SessionAndFederationTokenTest(h.StsdTestCase, CredentialShapeMixin):

    def test_get_session_token(self):
        client = self.client()
        capture = h.RawCapture(client)
        started = time.time()
        resp = client.get_session_token()
        finished = time.time()
        self.assertTemporaryCredentials(resp["Credentials"], DEFAULT_ACCOUNT)
        self.assertExpiration(resp, capture, started, finished, 43200)
        ident = self.client(h.creds_of(resp)).get_caller_identity()
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)
        self.assertEqual(ident["UserId"], self.client().get_caller_identity()["UserId"])
        self.assertEqual(ident["Account"], DEFAULT_ACCOUNT)

    def test_get_session_token_duration(self):
        client = self.client()
        capture = h.RawCapture(client)
        started = time.time()
        resp = client.get_session_token(DurationSeconds=129600)
        self.assertExpiration(resp, capture, started, time.time(), 129600)

    def test_session_token_credentials_rules(self):
        gst = h.creds_of(self.client().get_session_token(DurationSeconds=900))
        client = self.client(gst)
        self.assertClientError(client.get_session_token, "AccessDenied",
                               "Cannot call GetSessionToken with session credentials", status=403)
        self.assertClientError(lambda: client.get_federation_token(Name="bob"), "AccessDenied",
                               "Cannot call GetFederationToken with session credentials", status=403)
        # ... but AssumeRole is allowed.
        name = h.unique_name("from-gst")
        resp = client.assume_role(RoleArn=role_arn(name), RoleSessionName="gst")
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/{name}/gst")

    def test_get_federation_token(self):
        client = self.client()
        capture = h.RawCapture(client)
        started = time.time()
        resp = client.get_federation_token(Name="bob@example")
        finished = time.time()
        fed = resp["FederatedUser"]
        self.assertEqual(fed["Arn"], f"arn:aws:sts::{DEFAULT_ACCOUNT}:federated-user/bob@example")
        self.assertEqual(fed["FederatedUserId"], f"{DEFAULT_ACCOUNT}:bob@example")
        self.assertTemporaryCredentials(resp["Credentials"], DEFAULT_ACCOUNT)
        self.assertExpiration(resp, capture, started, finished, 43200)

        ident = self.client(h.creds_of(resp)).get_caller_identity()
        self.assertEqual(ident["Arn"], fed["Arn"])
        self.assertEqual(ident["UserId"], fed["FederatedUserId"])
        self.assertEqual(ident["Account"], DEFAULT_ACCOUNT)

    def test_federation_credentials_may_only_call_get_caller_identity(self):
        resp = self.client().get_federation_token(Name="carol", DurationSeconds=900)
        fed_arn = resp["FederatedUser"]["Arn"]
        client = self.client(h.creds_of(resp))
        self.assertEqual(client.get_caller_identity()["Arn"], fed_arn)
        self.assertClientError(client.get_session_token, "AccessDenied",
                               "Cannot call GetSessionToken with session credentials", status=403)
        self.assertClientError(lambda: client.get_federation_token(Name="dave"), "AccessDenied",
                               "Cannot call GetFederationToken with session credentials", status=403)
        target = role_arn(h.unique_name("fed"))
        self.assertClientError(lambda: client.assume_role(RoleArn=target, RoleSessionName="x1"), "AccessDenied",
                               f"User: {fed_arn} is not authorized to perform: sts:AssumeRole on resource: {target}",
                               status=403)
        self.assertClientError(lambda: client.get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A"),
                               "AccessDenied", status=403)
        self.assertClientError(lambda: client.decode_authorization_message(EncodedMessage="abcd"),
                               "AccessDenied", status=403)


class AccessKeyInfoTest(h.StsdTestCase):

    def test_minted_keys_answer_their_account(self):
        for account in (ROLE_ACCOUNT, "111111111111", "000000000001"):
            with self.subTest(account=account):
                resp = self.client().assume_role(RoleArn=role_arn("k", account), RoleSessionName="k1")
                key = resp["Credentials"]["AccessKeyId"]
                self.assertEqual(self.client().get_access_key_info(AccessKeyId=key)["Account"], account)
                # Stateless decoding: the random tail does not matter.
                changed = key[:13] + ("A" if key[13] != "A" else "B") + key[14:]
                self.assertEqual(self.client().get_access_key_info(AccessKeyId=changed)["Account"], account)

    def test_session_token_key_is_callers_account(self):
        key = self.client().get_session_token()["Credentials"]["AccessKeyId"]
        self.assertEqual(self.client().get_access_key_info(AccessKeyId=key)["Account"], DEFAULT_ACCOUNT)

    def test_known_aws_key(self):
        self.assertEqual(self.client().get_access_key_info(AccessKeyId="ASIAY34FZKBOKMUTVV7A")["Account"],
                         "609629065308")

    def test_key_encoded_by_the_test(self):
        key = h.make_access_key("987654321098")
        self.assertEqual(self.client().get_access_key_info(AccessKeyId=key)["Account"], "987654321098")

    def test_configured_old_generation_key_is_looked_up(self):
        # README: configured keys are looked up (AKIAIOSFODNN7EXAMPLE would decode to garbage).
        self.assertEqual(self.client().get_access_key_info(AccessKeyId=EXAMPLE_KEY[0])["Account"],
                         DEFAULT_ACCOUNT)


class DecodeAuthorizationMessageTest(h.StsdTestCase):

    def test_garbage(self):
        client = self.client()
        for garbage in ("garbage", base64.b64encode(b"not an encoded message").decode(), "x" * 10240):
            with self.subTest(garbage=garbage[:20]):
                self.assertClientError(lambda: client.decode_authorization_message(EncodedMessage=garbage),
                                       "InvalidAuthorizationMessageException", status=400)


def ve(value, member, constraint):
    return (f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must {constraint}")


class ValidationTest(h.StsdTestCase):
    """AWS's validation texts, with botocore's client-side validation off."""

    def setUp(self):
        self.raw = self.client(validate=False)
        self.arn = role_arn("validation")

    def check(self, call, message):
        err = self.assertClientError(call, "ValidationError", message, status=400)
        self.assertEqual(err.get("Type"), "Sender")

    def test_role_session_name_too_short(self):
        self.check(lambda: self.raw.assume_role(RoleArn=self.arn, RoleSessionName="a"),
                   ve("a", "roleSessionName", "have length greater than or equal to 2"))

    def test_role_session_name_too_long(self):
        name = "n" * 65
        self.check(lambda: self.raw.assume_role(RoleArn=self.arn, RoleSessionName=name),
                   ve(name, "roleSessionName", "have length less than or equal to 64"))

    def test_role_session_name_pattern(self):
        self.check(lambda: self.raw.assume_role(RoleArn=self.arn, RoleSessionName="bad/name"),
                   ve("bad/name", "roleSessionName", r"satisfy regular expression pattern: [\w+=,.@-]*"))

    def test_duration_too_short(self):
        self.check(lambda: self.raw.assume_role(RoleArn=self.arn, RoleSessionName="s1", DurationSeconds=899),
                   ve("899", "durationSeconds", "have value greater than or equal to 900"))

    def test_duration_too_long(self):
        self.check(lambda: self.raw.assume_role(RoleArn=self.arn, RoleSessionName="s1", DurationSeconds=43201),
                   ve("43201", "durationSeconds", "have value less than or equal to 43200"))

    def test_duration_boundaries_accepted(self):
        for duration in (900, 43200):
            with self.subTest(duration=duration):
                self.raw.assume_role(RoleArn=self.arn, RoleSessionName="s1", DurationSeconds=duration)

    def test_missing_role_arn(self):
        self.check(lambda: self.raw.assume_role(RoleSessionName="s1"),
                   "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
                   "Member must not be null")

    def test_missing_role_session_name(self):
        self.check(lambda: self.raw.assume_role(RoleArn=self.arn),
                   "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: "
                   "Member must not be null")

    def test_role_arn_too_short(self):
        self.check(lambda: self.raw.assume_role(RoleArn="not-an-arn", RoleSessionName="s1"),
                   ve("not-an-arn", "roleArn", "have length greater than or equal to 20"))

    def test_role_arn_too_long(self):
        arn = "x" * 2049
        self.check(lambda: self.raw.assume_role(RoleArn=arn, RoleSessionName="s1"),
                   ve(arn, "roleArn", "have length less than or equal to 2048"))

    def test_role_arn_not_an_arn(self):
        for value in ("x" * 20, "nothing-valid-in-here", "arn::b:::something/test-role"):
            with self.subTest(value=value):
                self.check(lambda: self.raw.assume_role(RoleArn=value, RoleSessionName="s1"), f"{value} is invalid")

    def test_federation_name_too_short(self):
        self.check(lambda: self.raw.get_federation_token(Name="a"),
                   ve("a", "name", "have length greater than or equal to 2"))

    def test_federation_name_too_long(self):
        name = "n" * 33
        self.check(lambda: self.raw.get_federation_token(Name=name),
                   ve(name, "name", "have length less than or equal to 32"))

    def test_session_token_duration_range(self):
        self.check(lambda: self.raw.get_session_token(DurationSeconds=899),
                   ve("899", "durationSeconds", "have value greater than or equal to 900"))
        self.check(lambda: self.raw.get_session_token(DurationSeconds=129601),
                   ve("129601", "durationSeconds", "have value less than or equal to 129600"))

    def test_token_code_pattern(self):
        self.check(lambda: self.raw.get_session_token(SerialNumber="arn:aws:iam::000000000000:mfa/test",
                                                      TokenCode="12345a"),
                   ve("12345a", "tokenCode", r"satisfy regular expression pattern: [\d]*"))

    def test_get_access_key_info_too_short(self):
        self.check(lambda: self.raw.get_access_key_info(AccessKeyId="AKIASHORT"),
                   ve("AKIASHORT", "accessKeyId", "have length greater than or equal to 16"))


# --------------------------------------------------------------------------
# A config file: strict role mode (implied by declaring roles), trust
# policies, MaxSessionDuration, MFA devices.

STRICT_ACCOUNT = "111122223333"


def strict_config():
    """Keys and TOTP secrets are random per run; returns (config, facts)."""
    facts = {}
    users = []
    for name, mfa in (("alice", True), ("bob", False), ("carol", True), ("dora", True)):
        key, secret = h.make_access_key(STRICT_ACCOUNT), h.make_secret()
        user = {"account": STRICT_ACCOUNT, "name": name, "access_keys": [{"id": key, "secret": secret}]}
        facts[name] = {"key": (key, secret), "arn": f"arn:aws:iam::{STRICT_ACCOUNT}:user/{name}"}
        if mfa:
            serial = f"arn:aws:iam::{STRICT_ACCOUNT}:mfa/{name}"
            totp_secret = h.make_totp_secret()
            user["mfa_devices"] = [{"serial": serial, "totp_secret": totp_secret}]
            facts[name].update(serial=serial, totp=totp_secret)
        users.append(user)

    def trust(*principals, condition=None):
        arns = [facts[p]["arn"] if p in facts else f"arn:aws:iam::{STRICT_ACCOUNT}:role/{p}" for p in principals]
        stmt = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": arns}}
        if condition:
            stmt["Condition"] = condition
        return {"Version": "2012-10-17", "Statement": [stmt]}

    config = {
        "region": "us-east-1",
        "accounts": [{"id": STRICT_ACCOUNT, "alias": "dev"}],
        "users": users,
        "roles": [
            {"account": STRICT_ACCOUNT, "name": "deploy", "max_session_duration": 3600,
             "trust_policy": trust("alice", "carol", "deploy")},
            {"account": STRICT_ACCOUNT, "name": "long", "path": "/svc/", "max_session_duration": 7200,
             "trust_policy": trust("alice", "deploy")},
            {"account": STRICT_ACCOUNT, "name": "ext", "max_session_duration": 3600,
             "trust_policy": trust("alice", condition={"StringEquals": {"sts:ExternalId": "xyz-123"}})},
            {"account": STRICT_ACCOUNT, "name": "mfa-only", "max_session_duration": 3600,
             "trust_policy": trust("dora", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})},
        ],
    }
    return config, facts


class StrictConfigTest(h.StsdTestCase, CredentialShapeMixin):

    @classmethod
    def server_config(cls):
        cls.config, cls.facts = strict_config()
        return cls.config

    def user_client(self, name, validate=True):
        return self.client(self.facts[name]["key"], validate=validate)

    def denied(self, caller, role):
        return f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}"

    def test_configured_user_identity(self):
        ident = self.user_client("alice").get_caller_identity()
        self.assertEqual(ident["Arn"], self.facts["alice"]["arn"])
        self.assertEqual(ident["Account"], STRICT_ACCOUNT)
        self.assertRegex(ident["UserId"], r"^AIDA[A-Z0-9]{17}$")
        self.assertNotEqual(ident["UserId"], self.user_client("bob").get_caller_identity()["UserId"])

    def test_default_keys_absent(self):
        self.assertClientError(self.client(TEST_KEY).get_caller_identity, "InvalidClientTokenId",
                               "The security token included in the request is invalid.", status=403)

    def test_trusted_user_assumes_declared_role(self):
        arn = role_arn("deploy", STRICT_ACCOUNT)
        resp = self.user_client("alice").assume_role(RoleArn=arn, RoleSessionName="ok")
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{STRICT_ACCOUNT}:assumed-role/deploy/ok")
        self.assertTemporaryCredentials(resp["Credentials"], STRICT_ACCOUNT)
        ident = self.client(h.creds_of(resp)).get_caller_identity()
        self.assertEqual(ident["Arn"], resp["AssumedRoleUser"]["Arn"])

    def test_role_with_path(self):
        resp = self.user_client("alice").assume_role(RoleArn=f"arn:aws:iam::{STRICT_ACCOUNT}:role/svc/long",
                                                     RoleSessionName="p1", DurationSeconds=7200)
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{STRICT_ACCOUNT}:assumed-role/long/p1")

    def test_undeclared_role_denied(self):
        for arn in (role_arn("nope", STRICT_ACCOUNT), role_arn("deploy", "999999999999")):
            with self.subTest(arn=arn):
                self.assertClientError(
                    lambda: self.user_client("alice").assume_role(RoleArn=arn, RoleSessionName="no"),
                    "AccessDenied", self.denied(self.facts["alice"]["arn"], arn), status=403)

    def test_untrusted_user_denied(self):
        arn = role_arn("deploy", STRICT_ACCOUNT)
        self.assertClientError(lambda: self.user_client("bob").assume_role(RoleArn=arn, RoleSessionName="no"),
                               "AccessDenied", self.denied(self.facts["bob"]["arn"], arn), status=403)

    def test_max_session_duration(self):
        arn = role_arn("deploy", STRICT_ACCOUNT)
        client = self.user_client("alice")
        self.assertClientError(lambda: client.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=3601),
                               "ValidationError", MAX_SESSION_MSG, status=400)
        # The schema range is checked first.
        self.assertClientError(
            lambda: self.user_client("alice", validate=False).assume_role(RoleArn=arn, RoleSessionName="s1",
                                                                          DurationSeconds=43201),
            "ValidationError", ve("43201", "durationSeconds", "have value less than or equal to 43200"), status=400)
        client.assume_role(RoleArn=arn, RoleSessionName="s1", DurationSeconds=3600)

    def test_chaining_check_comes_after_max_session_duration(self):
        first = self.user_client("alice").assume_role(RoleArn=role_arn("deploy", STRICT_ACCOUNT),
                                                      RoleSessionName="c1")
        # Both roles trust deploy's sessions. `long` (max 7200): 7200 passes
        # MaxSessionDuration and hits the chain cap; `deploy` (max 3600):
        # MaxSessionDuration is checked before the chain cap.
        chained = self.client(h.creds_of(first))
        self.assertClientError(
            lambda: chained.assume_role(RoleArn=f"arn:aws:iam::{STRICT_ACCOUNT}:role/svc/long", RoleSessionName="c2",
                                        DurationSeconds=7200),
            "ValidationError", CHAINING_MSG, status=400)
        self.assertClientError(
            lambda: chained.assume_role(RoleArn=role_arn("deploy", STRICT_ACCOUNT), RoleSessionName="c2",
                                        DurationSeconds=7200),
            "ValidationError", MAX_SESSION_MSG, status=400)

    def test_external_id_condition(self):
        arn = role_arn("ext", STRICT_ACCOUNT)
        client = self.user_client("alice")
        denied = self.denied(self.facts["alice"]["arn"], arn)
        self.assertClientError(lambda: client.assume_role(RoleArn=arn, RoleSessionName="e1"), "AccessDenied",
                               denied, status=403)
        self.assertClientError(lambda: client.assume_role(RoleArn=arn, RoleSessionName="e1", ExternalId="wrong"),
                               "AccessDenied", denied, status=403)
        resp = client.assume_role(RoleArn=arn, RoleSessionName="e1", ExternalId="xyz-123")
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{STRICT_ACCOUNT}:assumed-role/ext/e1")

    def test_get_session_token_with_mfa(self):
        alice = self.facts["alice"]
        client = self.user_client("alice")
        resp = client.get_session_token(SerialNumber=alice["serial"], TokenCode=h.totp(alice["totp"]),
                                        DurationSeconds=900)
        self.assertTemporaryCredentials(resp["Credentials"], STRICT_ACCOUNT)
        ident = self.client(h.creds_of(resp)).get_caller_identity()
        self.assertEqual(ident["Arn"], alice["arn"])

    def test_get_session_token_with_wrong_mfa_code(self):
        carol = self.facts["carol"]
        err = self.assertClientError(
            lambda: self.user_client("carol").get_session_token(SerialNumber=carol["serial"],
                                                                TokenCode=h.wrong_totp(carol["totp"])),
            "AccessDenied", status=403)
        self.assertTrue(err.get("Message"), err)

    def test_get_session_token_with_someone_elses_device(self):
        alice = self.facts["alice"]
        self.assertClientError(
            lambda: self.user_client("bob").get_session_token(SerialNumber=alice["serial"],
                                                              TokenCode=h.wrong_totp(alice["totp"])),
            "AccessDenied", status=403)

    def test_mfa_condition_in_trust_policy(self):
        dora = self.facts["dora"]
        arn = role_arn("mfa-only", STRICT_ACCOUNT)
        client = self.user_client("dora")
        self.assertClientError(lambda: client.assume_role(RoleArn=arn, RoleSessionName="m1"), "AccessDenied",
                               self.denied(dora["arn"], arn), status=403)
        resp = client.assume_role(RoleArn=arn, RoleSessionName="m1", SerialNumber=dora["serial"],
                                  TokenCode=h.totp(dora["totp"]))
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{STRICT_ACCOUNT}:assumed-role/mfa-only/m1")


class TotpSelfTest(unittest.TestCase):
    """The test's own TOTP against RFC 6238 appendix B (SHA-1, truncated to 6 digits)."""

    def test_rfc6238_vectors(self):
        secret = base64.b32encode(b"12345678901234567890").decode()
        for at, code in ((59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                         (1234567890, "89005924"), (2000000000, "69279037")):
            self.assertEqual(h.totp(secret, at=at), code[-6:])


if __name__ == "__main__":
    h.main()
