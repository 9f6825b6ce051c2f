"""End-to-end: SigV4a (AWS4-ECDSA-P256-SHA256, X-Amz-Region-Set), which the
STS model lists as accepted auth, against the real binary:

- the JavaScript SDK v3's own signer (@aws-sdk/signature-v4a from npm, pure
  JS): the STS client with its sigv4a auth scheme preferred, the signer alone
  for chosen region sets, and session credentials. npm installs it into
  tests/e2e/js/node_modules on first use; the test skips saying why when it
  cannot.
- botocore's SigV4a signers (CrtSigV4AsymAuth and CrtSigV4AsymQueryAuth:
  aws-c-auth through awscrt), in both forms, when awscrt is importable
  (Debian's python3-awscrt is; the test skips otherwise).
- a small SigV4a signer written here from aws-c-auth's description (checked
  against the published test suite's public key), for the error paths:
  region sets that do not cover the server's region, tampering, the clock,
  and the syntax errors.

A region set must cover the region the server answers for (config
"region"); one that does not gets 403 SignatureDoesNotMatch with SigV4's
wrong-region text (AWS's text for SigV4a is not known).
"""

import datetime
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import unittest
import urllib.parse

import stsd_harness as h
from stsd_harness import DEFAULT_USER_ARN, TEST_KEY

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    HAVE_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - the e2e machines have it
    HAVE_CRYPTOGRAPHY = False

try:
    import awscrt  # noqa: F401  (botocore's SigV4a signers need it)
    import botocore.crt.auth
    HAVE_CRT = True
except ImportError:
    HAVE_CRT = False

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
# npm reaches the registry with the machine's own settings, taken before a
# test class swaps in the hermetic environment (whose proxy is a dead port).
NPM_ENV = dict(os.environ)
GCI = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
ALGORITHM = "AWS4-ECDSA-P256-SHA256"
BAD_SIGNATURE_MSG = ("The request signature we calculated does not match the signature you provided. "
                     "Check your AWS Secret Access Key and signing method. Consult the service documentation "
                     "for details.")
WRONG_REGION_MSG = "Credential should be scoped to a valid region. "
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# aws-c-auth tests/aws-signing-test-suite/v4a/*/public-key.json
SUITE_KEY = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_PUBLIC_X = 0xb6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1
SUITE_PUBLIC_Y = 0x865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518


# --------------------------------------------------------------------------
# A SigV4a signer, from aws-c-auth's description (source/key_derivation.c,
# source/aws_signing.c), independent of stsd's C++.


def private_key(access_key_id, secret):
    """The ECDSA P-256 key of the counter-mode KDF: the first HMAC candidate <= n - 2, plus one."""
    kdf_key = ("AWS4A" + secret).encode()
    for counter in range(1, 255):
        fixed_input = (b"\x00\x00\x00\x01" + ALGORITHM.encode() + b"\x00" + access_key_id.encode()
                       + bytes([counter]) + b"\x00\x00\x01\x00")
        candidate = int.from_bytes(hmac.new(kdf_key, fixed_input, hashlib.sha256).digest(), "big")
        if candidate <= P256_N - 2:
            return ec.derive_private_key(candidate + 1, ec.SECP256R1())
    raise ValueError("no SigV4a key for these credentials")


def quote(text):
    return urllib.parse.quote(text, safe="-_.~")


def sha256_hex(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


def string_to_sign(date, service, canonical):
    return "\n".join([ALGORITHM, date, f"{date[:8]}/{service}/aws4_request", sha256_hex(canonical)])


def sign_string(creds, text):
    return private_key(creds[0], creds[1]).sign(text.encode(), ec.ECDSA(hashes.SHA256())).hex()


def header_signed(server, params, creds=TEST_KEY, region_set="us-east-1", service="sts", at=None,
                  unsigned=()):
    """(body, headers) of a SigV4a-signed POST; `unsigned` names headers sent but left unsigned."""
    date = (at or h.utcnow()).strftime(h.SIGV4_TIMESTAMP)
    body = h.form(params)
    headers = {"Host": server.host, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
               "X-Amz-Date": date, "X-Amz-Region-Set": region_set}
    if len(creds) > 2:
        headers["X-Amz-Security-Token"] = creds[2]
    signed = sorted((k.lower(), " ".join(v.split())) for k, v in headers.items() if k.lower() not in unsigned)
    names = ";".join(k for k, _ in signed)
    canonical = "\n".join(["POST", "/", "", "".join(f"{k}:{v}\n" for k, v in signed), names, sha256_hex(body)])
    signature = sign_string(creds, string_to_sign(date, service, canonical))
    headers["Authorization"] = (f"{ALGORITHM} Credential={creds[0]}/{date[:8]}/{service}/aws4_request, "
                                f"SignedHeaders={names}, Signature={signature}")
    return body, headers


def presigned_path(server, params, creds=TEST_KEY, region_set="us-east-1", service="sts", at=None):
    """The path and query of a SigV4a-presigned GET ('host' signed)."""
    date = (at or h.utcnow()).strftime(h.SIGV4_TIMESTAMP)
    query = list(params) + [("X-Amz-Algorithm", ALGORITHM),
                            ("X-Amz-Credential", f"{creds[0]}/{date[:8]}/{service}/aws4_request"),
                            ("X-Amz-Date", date), ("X-Amz-Expires", "60"), ("X-Amz-SignedHeaders", "host"),
                            ("X-Amz-Region-Set", region_set)]
    if len(creds) > 2:
        query.append(("X-Amz-Security-Token", creds[2]))
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted((quote(k), quote(v)) for k, v in query))
    canonical = "\n".join(["GET", "/", canonical_query, f"host:{server.host}\n", "host", sha256_hex(b"")])
    query.append(("X-Amz-Signature", sign_string(creds, string_to_sign(date, service, canonical))))
    return "/?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query)


def post(server, body, headers):
    return h.send(server, "POST", "/", body=body, headers=headers)


# --------------------------------------------------------------------------


class SigV4aTestCase(h.StsdTestCase):

    def assertError(self, resp, status, code, message=None, message_prefix=None):
        ctx = f"response: {resp!r}"
        self.assertEqual(resp.status, status, ctx)
        err = h.parse_error(resp.body)
        self.assertEqual(err["code"], code, ctx)
        if message is not None:
            self.assertEqual(err["message"], message, ctx)
        if message_prefix is not None:
            self.assertTrue(err["message"].startswith(message_prefix), ctx)
        return err

    def assertCaller(self, resp, arn=DEFAULT_USER_ARN):
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, _ = h.parse_result(resp.body, "GetCallerIdentity")
        self.assertEqual(result["Arn"], arn)


@unittest.skipUnless(HAVE_CRYPTOGRAPHY, "python cryptography not installed")
class RawSigV4aTest(SigV4aTestCase):
    """The server's region is the default, us-east-1."""

    def test_our_signer_derives_the_suites_key(self):
        numbers = private_key(*SUITE_KEY).public_key().public_numbers()
        self.assertEqual((numbers.x, numbers.y), (SUITE_PUBLIC_X, SUITE_PUBLIC_Y))

    def test_header_form(self):
        for region_set in ("us-east-1", "*", "us-*", "eu-west-1,us-east-1", "*-east-1"):
            with self.subTest(region_set=region_set):
                self.assertCaller(post(self.server, *header_signed(self.server, GCI, region_set=region_set)))

    def test_presigned_form(self):
        resp = h.send(self.server, "GET", presigned_path(self.server, GCI, region_set="us-*"))
        self.assertCaller(resp)

    def test_session_credentials(self):
        creds = h.creds_of(self.client().get_session_token())
        self.assertCaller(post(self.server, *header_signed(self.server, GCI, creds=creds, region_set="*")))
        self.assertCaller(h.send(self.server, "GET", presigned_path(self.server, GCI, creds=creds)))

    def test_region_set_must_cover_the_servers_region(self):
        for region_set in ("eu-west-1", "eu-*", "us-east-2,us-west-*"):
            with self.subTest(region_set=region_set):
                resp = post(self.server, *header_signed(self.server, GCI, region_set=region_set))
                self.assertError(resp, 403, "SignatureDoesNotMatch", WRONG_REGION_MSG)
        resp = h.send(self.server, "GET", presigned_path(self.server, GCI, region_set="ap-*"))
        self.assertError(resp, 403, "SignatureDoesNotMatch", WRONG_REGION_MSG)

    def test_tampered_signature_and_wrong_key(self):
        body, headers = header_signed(self.server, GCI)
        auth = headers["Authorization"]
        headers["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")
        self.assertError(post(self.server, body, headers), 403, "SignatureDoesNotMatch", BAD_SIGNATURE_MSG)
        wrong = post(self.server, *header_signed(self.server, GCI, creds=("test", "not-the-secret")))
        self.assertError(wrong, 403, "SignatureDoesNotMatch", BAD_SIGNATURE_MSG)
        # The region set is signed: widening it after signing breaks the signature.
        body, headers = header_signed(self.server, GCI, region_set="us-east-1")
        headers["X-Amz-Region-Set"] = "*"
        self.assertError(post(self.server, body, headers), 403, "SignatureDoesNotMatch", BAD_SIGNATURE_MSG)
        unknown = post(self.server, *header_signed(self.server, GCI, creds=("AKIAUNKNOWN000000000", "x")))
        self.assertError(unknown, 403, "InvalidClientTokenId")

    def test_clock_rules_are_sigv4s(self):
        old = h.utcnow() - datetime.timedelta(minutes=20)
        resp = post(self.server, *header_signed(self.server, GCI, at=old))
        self.assertError(resp, 403, "SignatureDoesNotMatch", message_prefix="Signature expired: ")
        future = h.utcnow() + datetime.timedelta(minutes=20)
        resp = post(self.server, *header_signed(self.server, GCI, at=future))
        self.assertError(resp, 403, "SignatureDoesNotMatch", message_prefix="Signature not yet current: ")

    def test_syntax_errors(self):
        body, headers = header_signed(self.server, GCI, unsigned=("x-amz-region-set",))
        self.assertError(post(self.server, body, headers), 403, "SignatureDoesNotMatch",
                         "'X-Amz-Region-Set' must be a 'SignedHeader' in the AWS Authorization.")
        body, headers = header_signed(self.server, GCI)
        del headers["X-Amz-Region-Set"]
        self.assertError(post(self.server, body, headers), 400, "IncompleteSignature",
                         message_prefix="Authorization header requires existence of a 'X-Amz-Region-Set' header. ")
        body, headers = header_signed(self.server, GCI)
        headers["Authorization"] = headers["Authorization"].replace("/sts/", "/us-east-1/sts/")
        self.assertError(post(self.server, body, headers), 400, "IncompleteSignature",
                         message_prefix="Credential must have exactly 4 slash-delimited elements")

    def test_iam_is_not_signed_with_sigv4a(self):
        # IAM's model lists only aws.auth#sigv4: the request is not served.
        params = [("Action", "ListRoles"), ("Version", "2010-05-08")]
        resp = post(self.server, *header_signed(self.server, params, service="iam", region_set="*"))
        self.assertIn(resp.status, (400, 403), f"response: {resp!r}")
        h.parse_error(resp.body)


@unittest.skipUnless(HAVE_CRYPTOGRAPHY, "python cryptography not installed")
class OtherRegionSigV4aTest(SigV4aTestCase):
    """A server in eu-west-1: the region set must cover that region."""

    KEY = ("AKIAEUWEST0000000001", "eu-west-secret")

    @classmethod
    def server_config(cls):
        return {"region": "eu-west-1", "accounts": [{"id": "000000000000"}],
                "users": [{"account": "000000000000", "name": "test",
                           "access_keys": [{"id": cls.KEY[0], "secret": cls.KEY[1]}]}]}

    def test_region_set_is_matched_against_the_configured_region(self):
        for region_set in ("eu-west-1", "eu-*", "*", "us-east-1,eu-west-1"):
            with self.subTest(region_set=region_set):
                self.assertCaller(post(self.server, *header_signed(self.server, GCI, creds=self.KEY,
                                                                   region_set=region_set)))
        resp = post(self.server, *header_signed(self.server, GCI, creds=self.KEY, region_set="us-east-1"))
        self.assertError(resp, 403, "SignatureDoesNotMatch", WRONG_REGION_MSG)


@unittest.skipUnless(HAVE_CRT, "awscrt not installed: botocore's SigV4a signers need it "
                               "(Debian: python3-awscrt, used by /usr/bin/python3)")
class BotocoreCrtSigV4aTest(SigV4aTestCase):
    """aws-c-auth itself signing, through botocore's CRT signers."""

    def signed(self, signer_class, region_set, method="POST", creds=TEST_KEY, **kwargs):
        import botocore.awsrequest
        import botocore.credentials
        if method == "POST":
            request = botocore.awsrequest.AWSRequest(
                method="POST", url=self.server.url + "/", data=h.form(GCI).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        else:
            request = botocore.awsrequest.AWSRequest(method="GET", url=self.server.url + "/?" + h.form(GCI))
        credentials = botocore.credentials.Credentials(*creds)
        signer_class(credentials, "sts", region_set, **kwargs).add_auth(request)
        return request.prepare()

    def send(self, prepared):
        # The CRT signer names the header 'host': sent as is, so http.client
        # does not add a second Host line.
        headers = {("Host" if k.lower() == "host" else k): v for k, v in prepared.headers.items()}
        return h.send(self.server, prepared.method, "/", body=prepared.body, headers=headers)

    def test_header_form(self):
        for region_set in ("us-east-1", "*", "us-*"):
            with self.subTest(region_set=region_set):
                prepared = self.signed(botocore.crt.auth.CrtSigV4AsymAuth, region_set)
                self.assertTrue(prepared.headers["Authorization"].startswith(ALGORITHM + " "))
                self.assertCaller(self.send(prepared))
        prepared = self.signed(botocore.crt.auth.CrtSigV4AsymAuth, "eu-*")
        self.assertError(self.send(prepared), 403, "SignatureDoesNotMatch", WRONG_REGION_MSG)

    def test_presigned_form(self):
        prepared = self.signed(botocore.crt.auth.CrtSigV4AsymQueryAuth, "*", method="GET", expires=60)
        self.assertIn("X-Amz-Algorithm=" + ALGORITHM, prepared.url)
        self.assertCaller(h.get_url(prepared.url))

    def test_session_credentials(self):
        creds = h.creds_of(self.client().get_session_token())
        prepared = self.signed(botocore.crt.auth.CrtSigV4AsymAuth, "*", creds=creds)
        self.assertCaller(self.send(prepared))

    def test_client_with_signature_version_v4a(self):
        client = self.client(signature_version="v4a")
        self.assertEqual(client.get_caller_identity()["Arn"], DEFAULT_USER_ARN)


def js_sdk_ready():
    """None when node and the JS SDK's SigV4a signer are usable, else why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "node/npm not installed (Debian: nodejs npm)"
    needed = [os.path.join(JS_DIR, "node_modules", "@aws-sdk", name) for name in ("signature-v4a", "client-sts")]
    if not all(os.path.isdir(path) for path in needed):
        try:
            out = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=JS_DIR,
                                 capture_output=True, text=True, timeout=240, env=NPM_ENV)
        except subprocess.TimeoutExpired:
            return "npm install of @aws-sdk/signature-v4a took longer than 240 s (registry unreachable or slow)"
        if out.returncode != 0:
            return f"npm install of @aws-sdk/signature-v4a failed (no registry?): {out.stderr.strip()[-300:]}"
    return None


class JsSdkSigV4aTest(SigV4aTestCase):

    def test_js_sdk_signs_sigv4a(self):
        why = js_sdk_ready()
        if why:
            self.skipTest(why)
        out = subprocess.run(["node", "sigv4a_flow.mjs", self.server.url], cwd=JS_DIR, capture_output=True,
                             text=True, timeout=120, env=h.hermetic_env(os.environ, self.workdir))
        self.assertEqual(out.returncode, 0, out.stderr + self.server.output()[-2000:])
        facts = json.loads(out.stdout)
        # 1. The client really signed with SigV4a, for the region set "*".
        self.assertTrue(facts["clientAuthorization"].startswith(f"{ALGORITHM} Credential=test/"), facts)
        self.assertRegex(facts["clientAuthorization"], r"Credential=test/\d{8}/sts/aws4_request,")
        self.assertIn("x-amz-region-set", facts["clientAuthorization"])
        self.assertEqual(facts["clientRegionSet"], "*")
        self.assertEqual(facts["clientArn"], DEFAULT_USER_ARN)
        # 2. The signer alone: sets covering us-east-1 pass, others do not.
        for region_set in ("us-east-1", "us-*,eu-west-1"):
            got = facts["direct"][region_set]
            self.assertEqual(got["regionSet"], region_set, got)
            self.assertTrue(got["authorization"].startswith(ALGORITHM + " "), got)
            self.assertEqual((got["status"], got["arn"]), (200, DEFAULT_USER_ARN), got)
        refused = facts["direct"]["eu-*"]
        self.assertEqual((refused["status"], refused["code"], refused["message"]),
                         (403, "SignatureDoesNotMatch", WRONG_REGION_MSG), refused)
        # 3. Session credentials.
        self.assertEqual((facts["session"]["status"], facts["session"]["arn"]), (200, DEFAULT_USER_ARN),
                         facts["session"])


if __name__ == "__main__":
    unittest.main()
