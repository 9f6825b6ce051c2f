"""Trust gaps of the STS actions (issue 11, items 11, 12, 13, 16 and 19),
through the real binary:

- GetFederationToken and DecodeAuthorizationMessage need their action through
  the caller's identity policies (an explicit Deny refuses; a caller without
  policies keeps stsd's allow-all rule), and a message about one account's
  principal does not decode in another account;
- sessions of a role or user removed by PUT /_stsd/config or
  POST /_stsd/reset answer InvalidClientTokenId, ahead of the HMAC (a wrong
  secret changes nothing) but after expiry;
- an MFA code is accepted once per device, and five wrong codes in a row
  lock the device for 300 s (even the right code is then refused);
- with --auth off an expired session token gets ExpiredToken instead of
  minting fresh credentials;
- IAM's policy size quotas refuse oversized config policies with IAM's
  LimitExceeded text naming the JSON path, and a denial matching hundreds of
  statements answers 403 with a bounded, decodable message instead of 500.

Expired tokens are sealed here with the server's configured token_key in
stsd's token format (src/domain/session_token.cpp), as no API mints a token
already expired."""

import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import unittest

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:  # only the tests that seal an expired token need it
    AESGCM = None

import stsd_harness as h
from stsd_harness import StsdServer, StsdTestCase, creds_of, parse_error, send, sts_client

A = "111122223333"
B = "444455556666"
HEADER = "x-stsd-encoded-authorization-message"
MFA_TEXT = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
INVALID_TOKEN = "The security token included in the request is invalid."

ALICE = ("AKIAALICE00000000001", "alice-secret")          # A, no policies
DENIED = ("AKIADENIED0000000001", "denied-secret")        # A, sts:* but Deny GFT and Decode
NARROW = ("AKIANARROW0000000001", "narrow-secret")        # A, GFT only for federated-user/ok-*
CAROL = ("AKIACAROL00000000001", "carol-secret")          # B, denied sts:AssumeRole
DAVE = ("AKIADAVE000000000001", "dave-secret")            # B, no policies
MFA_USER = ("AKIAMFAUSER000000001", "mfa-secret")         # A, one virtual MFA device
LOCK_USER = ("AKIALOCKUSER00000001", "lock-secret")       # A, one virtual MFA device
TOTP_SECRET = h.make_totp_secret()
LOCK_SECRET = h.make_totp_secret()
MFA_SERIAL = f"arn:aws:iam::{A}:mfa/mfa-user"
LOCK_SERIAL = f"arn:aws:iam::{A}:mfa/lock-user"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action, resource="*", sid=None):
    s = {"Effect": "Deny", "Action": action, "Resource": resource}
    if sid:
        s["Sid"] = sid
    return s


def user(account, name, key, policies=None, mfa=None):
    u = {"account": account, "name": name, "access_keys": [{"id": key[0], "secret": key[1]}]}
    if policies is not None:
        u["policies"] = policies
    if mfa:
        u["mfa_devices"] = [{"serial": mfa[0], "totp_secret": mfa[1]}]
    return u


def trust(*principals):
    return policy({"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"})


def role_arn(account, name):
    return f"arn:aws:iam::{account}:role/{name}"


def base_config():
    return {
        "role_mode": "strict",
        "token_key": base64.b64encode(b"k" * 32).decode(),
        "accounts": [{"id": A}, {"id": B}],
        "users": [
            user(A, "alice", ALICE),
            user(A, "denied", DENIED, [policy(allow("sts:*"), deny("sts:GetFederationToken", sid="NoFed"),
                                              deny("sts:DecodeAuthorizationMessage", sid="NoDecode"))]),
            user(A, "narrow", NARROW, [policy(allow("sts:GetFederationToken",
                                                    f"arn:aws:sts::{A}:federated-user/ok-*"))]),
            user(B, "carol", CAROL, [policy(allow("sts:*"), deny("sts:AssumeRole", sid="NoRoles"))]),
            user(B, "dave", DAVE),
            user(A, "mfa-user", MFA_USER, mfa=(MFA_SERIAL, TOTP_SECRET)),
            user(A, "lock-user", LOCK_USER, mfa=(LOCK_SERIAL, LOCK_SECRET)),
        ],
        "roles": [
            {"account": A, "name": "keep", "trust_policy": trust(f"arn:aws:iam::{A}:user/alice")},
            {"account": A, "name": "gone", "trust_policy": trust(f"arn:aws:iam::{A}:user/alice")},
            {"account": A, "name": "chained", "trust_policy": trust(role_arn(A, "keep"))},
            {"account": B, "name": "b-local", "trust_policy": trust(B)},
        ],
    }


def without(config, users=(), roles=()):
    c = json.loads(json.dumps(config))
    c["users"] = [u for u in c["users"] if u["name"] not in users]
    c["roles"] = [r for r in c["roles"] if r["name"] not in roles]
    return c


def seal_session(token_key_b64, access_key_id, secret, arn, source_arn, role_session_name, expiration,
                 account=A, issued_at=None):
    """An assumed-role session token in stsd's format 2 (varints, AES-256-GCM
    with AAD 'stsd-session-token-v2', version byte 2, standard base64)."""
    if AESGCM is None:
        raise unittest.SkipTest("python3-cryptography is needed to seal an expired session token")
    def u64(v):
        out = bytearray()
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
        return bytes(out)

    def i64(v):
        return u64(((v << 1) ^ (v >> 63)) & 0xFFFFFFFFFFFFFFFF)

    def s(text):
        b = text.encode()
        return u64(len(b)) + b

    issued_at = expiration - 3600 if issued_at is None else issued_at
    record = (u64(2) + s(access_key_id) + s(secret) + i64(issued_at) + i64(expiration) + u64(2) + s(account)
              + s(arn) + s("AROAEXAMPLEEXAMPLE01:" + role_session_name) + s(source_arn) + s(role_session_name)
              + u64(0) + i64(0) + i64(1) + u64(0) + u64(0) + u64(0) + u64(0) + u64(0))
    nonce = os.urandom(12)
    sealed = AESGCM(base64.b64decode(token_key_b64)).encrypt(nonce, record, b"stsd-session-token-v2")
    return base64.b64encode(b"\x02" + nonce + sealed).decode()


class TrustCase(StsdTestCase):
    @classmethod
    def server_config(cls):
        return base_config()

    def client(self, creds=ALICE, **kwargs):
        return sts_client(self.server.url, creds, **kwargs)

    def denied_message(self):
        """carol (account B) is refused b-local: the header's encoded message."""
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            self.client(CAROL).assume_role(RoleArn=role_arn(B, "b-local"), RoleSessionName="s1")
        encoded = ctx.exception.response["ResponseMetadata"]["HTTPHeaders"].get(HEADER)
        self.assertTrue(encoded, "AccessDenied without an encoded authorization message")
        return encoded


class IdentityPoliciesTest(TrustCase):
    """Item 11."""

    def test_get_federation_token_honours_an_explicit_deny(self):
        err = self.assertClientError(lambda: self.client(DENIED).get_federation_token(Name="fed-1"),
                                     "AccessDenied", status=403)
        self.assertEqual(err["Message"], f"User: arn:aws:iam::{A}:user/denied is not authorized to perform: "
                                         f"sts:GetFederationToken on resource: arn:aws:sts::{A}:federated-user/fed-1")

    def test_get_federation_token_needs_an_allow_on_the_federated_user(self):
        ok = self.client(NARROW).get_federation_token(Name="ok-1")
        self.assertEqual(ok["FederatedUser"]["Arn"], f"arn:aws:sts::{A}:federated-user/ok-1")
        self.assertClientError(lambda: self.client(NARROW).get_federation_token(Name="other"), "AccessDenied",
                               status=403)

    def test_callers_without_policies_keep_every_sts_action(self):
        self.assertIn("Credentials", self.client(ALICE).get_federation_token(Name="fed-2"))

    def test_decode_authorization_message_honours_an_explicit_deny(self):
        encoded = self.denied_message()
        err = self.assertClientError(
            lambda: self.client(DENIED).decode_authorization_message(EncodedMessage=encoded), "AccessDenied",
            status=403)
        self.assertEqual(err["Message"],
                         f"User: arn:aws:iam::{A}:user/denied is not authorized to perform: sts:DecodeAuthorizationMessage")

    def test_a_message_decodes_only_in_the_account_it_was_issued_for(self):
        encoded = self.denied_message()
        # alice (account A, allowed everything) may not read carol's denial (account B).
        self.assertClientError(lambda: self.client(ALICE).decode_authorization_message(EncodedMessage=encoded),
                               "InvalidAuthorizationMessageException", status=400)
        # dave, of carol's account, may.
        decoded = json.loads(self.client(DAVE).decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"])
        self.assertEqual(decoded["context"]["principal"]["arn"], f"arn:aws:iam::{B}:user/carol")
        self.assertTrue(decoded["explicitDeny"])


class MfaTest(TrustCase):
    """Item 13."""

    def test_a_code_is_accepted_once(self):
        code = h.totp(TOTP_SECRET)
        self.assertIn("Credentials", self.client(MFA_USER).get_session_token(SerialNumber=MFA_SERIAL, TokenCode=code))
        self.assertClientError(
            lambda: self.client(MFA_USER).get_session_token(SerialNumber=MFA_SERIAL, TokenCode=code),
            "AccessDenied", MFA_TEXT, status=403)
        # The code of the previous step, still inside the drift window, is refused as well.
        older = h.totp(TOTP_SECRET, time.time() - 30)
        if older != code:
            self.assertClientError(
                lambda: self.client(MFA_USER).get_session_token(SerialNumber=MFA_SERIAL, TokenCode=older),
                "AccessDenied", MFA_TEXT, status=403)

    def test_five_wrong_codes_lock_the_device(self):
        c = self.client(LOCK_USER)
        for _ in range(5):
            self.assertClientError(
                lambda: c.get_session_token(SerialNumber=LOCK_SERIAL, TokenCode=h.wrong_totp(LOCK_SECRET)),
                "AccessDenied", MFA_TEXT, status=403)
        # Locked: the right code is refused too, with the same answer.
        self.assertClientError(
            lambda: c.get_session_token(SerialNumber=LOCK_SERIAL, TokenCode=h.totp(LOCK_SECRET)),
            "AccessDenied", MFA_TEXT, status=403)


class LivenessTest(unittest.TestCase):
    """Item 12: each test has its own server, since it replaces the config."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="stsd-trust-")
        self.environ = h.HermeticEnviron(self.workdir)
        self.config = base_config()
        self.server = StsdServer((), self.config, workdir=self.workdir).start()

    def tearDown(self):
        self.server.stop()
        self.environ.restore()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def put_config(self, config):
        r = send(self.server, "PUT", "/_stsd/config", body=json.dumps(config).encode(),
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)

    def caller(self, creds):
        return sts_client(self.server.url, creds).get_caller_identity()

    def assert_invalid(self, creds):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            self.caller(creds)
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), ("InvalidClientTokenId", INVALID_TOKEN),
                         ctx.exception.response)

    def test_sessions_of_a_removed_role_are_refused(self):
        alice = sts_client(self.server.url, ALICE)
        gone = creds_of(alice.assume_role(RoleArn=role_arn(A, "gone"), RoleSessionName="s1"))
        keep = creds_of(alice.assume_role(RoleArn=role_arn(A, "keep"), RoleSessionName="s1"))
        self.assertIn("assumed-role/gone/s1", self.caller(gone)["Arn"])
        self.put_config(without(self.config, roles=("gone",)))
        self.assert_invalid(gone)
        self.assertIn("assumed-role/keep/s1", self.caller(keep)["Arn"])
        # Ahead of the HMAC: a wrong secret still gets InvalidClientTokenId.
        self.assert_invalid((gone[0], "x" * 40, gone[2]))

    def test_chained_sessions_of_a_removed_role_are_refused(self):
        keep = creds_of(sts_client(self.server.url, ALICE).assume_role(RoleArn=role_arn(A, "keep"),
                                                                      RoleSessionName="one"))
        chained = creds_of(sts_client(self.server.url, keep).assume_role(RoleArn=role_arn(A, "chained"),
                                                                         RoleSessionName="two"))
        self.assertIn("assumed-role/chained/two", self.caller(chained)["Arn"])
        self.put_config(without(self.config, roles=("chained",)))
        self.assert_invalid(chained)

    def test_session_and_federation_tokens_of_a_removed_user_are_refused(self):
        alice = sts_client(self.server.url, ALICE)
        session = creds_of(alice.get_session_token())
        federated = creds_of(alice.get_federation_token(Name="fed"))
        self.assertEqual(self.caller(session)["Arn"], f"arn:aws:iam::{A}:user/alice")
        self.put_config(without(self.config, users=("alice",)))
        self.assert_invalid(session)
        self.assert_invalid(federated)

    def test_reset_back_to_a_config_without_the_role(self):
        # Start from a config that gains a role at run time, then reset.
        extra = json.loads(json.dumps(self.config))
        extra["roles"].append({"account": A, "name": "runtime", "trust_policy": trust(f"arn:aws:iam::{A}:user/alice")})
        self.put_config(extra)
        runtime = creds_of(sts_client(self.server.url, ALICE).assume_role(RoleArn=role_arn(A, "runtime"),
                                                                         RoleSessionName="s1"))
        self.assertIn("assumed-role/runtime/s1", self.caller(runtime)["Arn"])
        self.assertEqual(send(self.server, "POST", "/_stsd/reset").status, 200)
        self.assert_invalid(runtime)

    def test_mfa_state_survives_a_config_replace(self):
        # Item 13: the device's state is kept by serial outside the swapped store.
        mfa = sts_client(self.server.url, MFA_USER)
        code = h.totp(TOTP_SECRET)
        self.assertIn("Credentials", mfa.get_session_token(SerialNumber=MFA_SERIAL, TokenCode=code))
        self.put_config(without(self.config, roles=("gone",)))
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            mfa.get_session_token(SerialNumber=MFA_SERIAL, TokenCode=code)
        self.assertEqual(ctx.exception.response["Error"]["Message"], MFA_TEXT)

    def test_expiry_is_reported_before_liveness(self):
        self.put_config(without(self.config, roles=("gone",)))
        token = seal_session(self.config["token_key"], "ASIAEXPIREDEXAMPLE01", "s" * 40,
                             f"arn:aws:sts::{A}:assumed-role/gone/s1", role_arn(A, "gone"), "s",
                             expiration=int(time.time()) - 60)
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            self.caller(("ASIAEXPIREDEXAMPLE01", "s" * 40, token))
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ExpiredToken")


class AuthOffExpiredTokenTest(StsdTestCase):
    """Item 16."""

    SERVER_ARGS = ("--auth", "off")

    @classmethod
    def server_config(cls):
        return {"token_key": base64.b64encode(b"o" * 32).decode(), "accounts": [{"id": A}],
                "users": [user(A, "alice", ALICE)]}

    def token(self, expiration):
        return seal_session(self.server_config()["token_key"], "ASIAAUTHOFFEXAMPLE01", "s" * 40,
                            f"arn:aws:sts::{A}:assumed-role/any/s", role_arn(A, "any"), "s", expiration)

    def test_an_expired_session_token_gets_expired_token(self):
        creds = ("ASIAAUTHOFFEXAMPLE01", "s" * 40, self.token(int(time.time()) - 60))
        for call in (lambda c: c.get_caller_identity(),
                     lambda c: c.assume_role(RoleArn=role_arn(A, "other"), RoleSessionName="x1")):
            self.assertClientError(lambda: call(self.client(creds)), "ExpiredToken",
                                   "The security token included in the request is expired", status=403)

    def test_a_live_session_token_still_names_its_session(self):
        creds = ("ASIAAUTHOFFEXAMPLE01", "s" * 40, self.token(int(time.time()) + 600))
        self.assertEqual(self.client(creds).get_caller_identity()["Arn"], f"arn:aws:sts::{A}:assumed-role/any/s")


def padded_policy(chars):
    """A valid identity policy of at least `chars` non-white-space characters."""
    statements = []
    size = 0
    i = 0
    while size < chars:
        s = {"Sid": f"S{i}", "Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
        statements.append(s)
        size += len(json.dumps(s, separators=(",", ":"))) + 1
        i += 1
    return policy(*statements)


class PolicyLimitsTest(unittest.TestCase):
    """Item 19: IAM's quotas at config load, and no 500 for a big denial."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="stsd-trust-")
        self.environ = h.HermeticEnviron(self.workdir)

    def tearDown(self):
        self.environ.restore()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def check_config(self, config):
        path = h.write_json(self.workdir, "config.json", config)
        r = subprocess.run([h.binary_path(), "--check-config", path], capture_output=True, text=True, timeout=30)
        return r.returncode, r.stdout + r.stderr

    def test_oversized_policies_are_config_errors_with_iam_text(self):
        cases = [
            (lambda c: c["roles"][0].__setitem__("trust_policy", padded_policy(2100)),
             "/roles/0/trust_policy", "LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048"),
            (lambda c: c["roles"][0].__setitem__("policies", [padded_policy(6000), padded_policy(5000)]),
             "/roles/0/policies", "LimitExceeded: Maximum policy size of 10240 bytes exceeded for role keep"),
            (lambda c: c["users"][0].__setitem__("policies", [padded_policy(1100), padded_policy(1000)]),
             "/users/0/policies", "LimitExceeded: Maximum policy size of 2048 bytes exceeded for user alice"),
            (lambda c: c.__setitem__("managed_policies", [{"account": A, "name": "Big", "document": padded_policy(6200)}]),
             "/managed_policies/0/document", "LimitExceeded: Cannot exceed quota for PolicySize: 6144"),
        ]
        for mutate, pointer, text in cases:
            config = base_config()
            mutate(config)
            code, output = self.check_config(config)
            self.assertEqual(code, 2, output)
            self.assertIn(pointer, output)
            self.assertIn(text, output)

    def test_white_space_is_not_counted(self):
        config = base_config()
        # A trust policy of 3,000 spaces and a few hundred other characters is within 2,048.
        config["roles"][0]["trust_policy"]["Statement"][0]["Condition"] = {
            "StringNotEquals": {"aws:username": "x" + " " * 3000 + "y"}}
        config["roles"][0]["policies"] = [padded_policy(9000)]
        code, output = self.check_config(config)
        self.assertEqual(code, 0, output)

    def test_put_config_refuses_an_oversized_trust_policy_and_keeps_the_running_one(self):
        server = StsdServer((), base_config(), workdir=self.workdir).start()
        try:
            config = base_config()
            config["roles"][0]["trust_policy"] = padded_policy(3000)
            r = send(server, "PUT", "/_stsd/config", body=json.dumps(config).encode(),
                     headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 400, r)
            self.assertIn("/roles/0/trust_policy", r.text)
            self.assertIn("ACLSizePerRole", r.text)
            self.assertIn("Credentials", sts_client(server.url, ALICE).assume_role(
                RoleArn=role_arn(A, "keep"), RoleSessionName="s1"))
        finally:
            server.stop()

    def test_a_denial_matching_hundreds_of_statements_is_a_403_with_a_decodable_message(self):
        config = base_config()
        # 170 Deny statements in the role's own inline policies (under 10,240 characters) plus
        # 300 more in three session policies (each under 6,144): all match the chained AssumeRole.
        many = [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}] * 170
        config["roles"][0]["policies"] = [policy(allow("sts:*"), *many)]
        config["managed_policies"] = [
            {"account": A, "name": f"D{i}", "document": policy(allow("sts:*"), *many[:100])} for i in range(3)]
        code, output = self.check_config(config)
        self.assertEqual(code, 0, output)
        server = StsdServer((), config, workdir=self.workdir).start()
        try:
            keep = creds_of(sts_client(server.url, ALICE).assume_role(
                RoleArn=role_arn(A, "keep"), RoleSessionName="s1",
                PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/D{i}"} for i in range(3)]))
            r = h.call(server, {"Action": "AssumeRole", "Version": h.API_VERSION,
                                "RoleArn": role_arn(A, "chained"), "RoleSessionName": "two"}, creds=keep)
            self.assertEqual(r.status, 403, r)
            self.assertEqual(parse_error(r.body)["code"], "AccessDenied")
            encoded = r.header(HEADER)
            self.assertTrue(encoded, r)
            self.assertLessEqual(len(encoded), 10240)
            decoded = json.loads(sts_client(server.url, ALICE).decode_authorization_message(
                EncodedMessage=encoded)["DecodedMessage"])
            self.assertTrue(decoded["explicitDeny"])
            self.assertGreater(len(decoded["matchedStatements"]["items"]), 0)
            self.assertEqual(decoded["context"]["action"], "sts:AssumeRole")
        finally:
            server.stop()


if __name__ == "__main__":
    h.main()
