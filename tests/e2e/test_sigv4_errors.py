"""End-to-end: the wire surface of stsd as raw HTTP sees it. Requests are
signed with botocore's own SigV4 signer (at chosen instants, for chosen
scopes) and sent with http.client, so this guards AWS's authentication
errors, the exact envelope bytes, dispatch errors, transport quirks (302 on
no Action, first duplicate wins, 413 over 10,000,000 bytes) and keep-alive.
"""

import base64
import datetime
import http.client
import json
import re
import secrets
import select
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import stsd_harness as h
from stsd_harness import AWSFAULT_NS, DEFAULT_USER_ARN, STS_NS, TEST_KEY, UUID_RE

GCI = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
BAD_SIGNATURE_MSG = ("The request signature we calculated does not match the signature you provided. "
                     "Check your AWS Secret Access Key and signing method. Consult the service documentation "
                     "for details.")
INVALID_TOKEN_MSG = "The security token included in the request is invalid."
TS = r"(\d{8}T\d{6}Z)"


def ts(text):
    return datetime.datetime.strptime(text, h.SIGV4_TIMESTAMP)


class WireTest(h.StsdTestCase):

    def assertError(self, resp, status, code, message=None, ns=STS_NS, error_type="Sender"):
        ctx = f"response: {resp!r}"
        self.assertEqual(resp.status, status, ctx)
        err = h.parse_error(resp.body)
        self.assertEqual(err["ns"], ns, ctx)
        self.assertEqual(err["code"], code, ctx)
        self.assertEqual(err["type"], error_type, ctx)
        if message is not None:
            self.assertEqual(err["message"], message, ctx)
        self.assertRegex(err["request_id"], "^" + UUID_RE + "$", ctx)
        self.assertEqual(resp.header("x-amzn-RequestId"), err["request_id"], ctx)
        self.assertEqual(resp.header("Content-Type"), "text/xml", ctx)
        return err

    def assertCallerIs(self, resp, arn=DEFAULT_USER_ARN):
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, _ = h.parse_result(resp.body, "GetCallerIdentity")
        self.assertEqual(result["Arn"], arn, f"response: {resp!r}")
        return result

    def assume(self, name="wire", session="wire"):
        resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                    ("RoleArn", f"arn:aws:iam::123456789012:role/{name}"),
                                    ("RoleSessionName", session)])
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, _ = h.parse_result(resp.body, "AssumeRole")
        c = result["Credentials"]
        return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), result


class AuthenticationErrorsTest(WireTest):

    def test_signed_post_succeeds(self):
        self.assertCallerIs(h.call(self.server, GCI))

    def test_signed_get_succeeds(self):
        self.assertCallerIs(h.call(self.server, GCI, method="GET"))

    def test_content_type_without_charset(self):
        self.assertCallerIs(h.call(self.server, GCI, content_type="application/x-www-form-urlencoded"))

    def test_no_authentication(self):
        resp = h.send(self.server, "POST", "/", body=h.form(GCI),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertError(resp, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        resp = h.send(self.server, "GET", "/?" + h.form(GCI))
        self.assertError(resp, 403, "MissingAuthenticationToken", "Request is missing Authentication Token")

    def test_unknown_access_key(self):
        for key in ("AKIAZZZZZZZZZZZZZZZZ", h.make_access_key("000000000000"), "nobody"):
            with self.subTest(key=key):
                resp = h.call(self.server, GCI, creds=(key, "secret"))
                self.assertError(resp, 403, "InvalidClientTokenId", INVALID_TOKEN_MSG)

    def test_wrong_secret(self):
        resp = h.call(self.server, GCI, creds=("test", "not-the-secret"))
        self.assertError(resp, 403, "SignatureDoesNotMatch", BAD_SIGNATURE_MSG)

    def test_body_changed_after_signing(self):
        prepared = h.signed_request(self.server, GCI + [("Pad", "a")])
        prepared.body = prepared.body.replace(b"Pad=a", b"Pad=b")
        self.assertError(h.send_prepared(self.server, prepared), 403, "SignatureDoesNotMatch", BAD_SIGNATURE_MSG)

    def test_signature_expired(self):
        signed_at = h.utcnow().replace(microsecond=0) - datetime.timedelta(minutes=20)
        before = h.utcnow()
        resp = h.call(self.server, GCI, at=signed_at)
        after = h.utcnow()
        err = self.assertError(resp, 403, "SignatureDoesNotMatch")
        self.assertTrue(err["message"].startswith("Signature expired: "), err)
        m = re.fullmatch(rf"Signature expired: {TS} is now earlier than {TS} \({TS} - 15 min\.\)", err["message"])
        self.assertIsNotNone(m, err)
        self.assertEqual(ts(m.group(1)), signed_at)
        self.assertEqual(ts(m.group(3)) - ts(m.group(2)), datetime.timedelta(minutes=15))
        self.assertGreaterEqual(ts(m.group(3)), before.replace(microsecond=0) - datetime.timedelta(seconds=1))
        self.assertLessEqual(ts(m.group(3)), after + datetime.timedelta(seconds=1))

    def test_signature_not_yet_current(self):
        signed_at = h.utcnow().replace(microsecond=0) + datetime.timedelta(minutes=20)
        resp = h.call(self.server, GCI, at=signed_at)
        err = self.assertError(resp, 403, "SignatureDoesNotMatch")
        self.assertTrue(err["message"].startswith("Signature not yet current: "), err)
        m = re.fullmatch(rf"Signature not yet current: {TS} is still later than {TS} \({TS} \+ 15 min\.\)",
                         err["message"])
        self.assertIsNotNone(m, err)
        self.assertEqual(ts(m.group(1)), signed_at)
        self.assertEqual(ts(m.group(2)) - ts(m.group(3)), datetime.timedelta(minutes=15))

    def test_within_fifteen_minutes_accepted(self):
        for minutes in (-14, 14):
            with self.subTest(minutes=minutes):
                at = h.utcnow() + datetime.timedelta(minutes=minutes)
                self.assertCallerIs(h.call(self.server, GCI, at=at))

    def test_wrong_service_in_scope(self):
        for service in ("iam", "s3"):
            with self.subTest(service=service):
                resp = h.call(self.server, GCI, service=service)
                self.assertError(resp, 403, "SignatureDoesNotMatch",
                                 "Credential should be scoped to correct service: 'sts'. ")

    def test_wrong_service_wins_over_unknown_key(self):
        # Precedence: credential-scope errors come before key checks.
        resp = h.call(self.server, GCI, service="iam", creds=("AKIAZZZZZZZZZZZZZZZZ", "x"))
        self.assertError(resp, 403, "SignatureDoesNotMatch",
                         "Credential should be scoped to correct service: 'sts'. ")

    def test_any_region_in_scope(self):
        # The ARN is in the partition of the scope's region.
        for region, partition in (("us-east-1", "aws"), ("eu-west-3", "aws"), ("us-gov-west-1", "aws-us-gov"),
                                  ("cn-north-1", "aws-cn"), ("ap-southeast-7", "aws")):
            with self.subTest(region=region):
                self.assertCallerIs(h.call(self.server, GCI, region=region),
                                    DEFAULT_USER_ARN.replace("arn:aws:", f"arn:{partition}:"))

    def test_any_host_header(self):
        prepared = h.signed_request(self.server, GCI, headers={"Host": "sts.amazonaws.com"})
        self.assertCallerIs(h.send_prepared(self.server, prepared))
        prepared = h.signed_request(self.server, GCI, region="eu-west-3",
                                    headers={"Host": "sts.eu-west-3.amazonaws.com"})
        self.assertCallerIs(h.send_prepared(self.server, prepared))

    def test_malformed_authorization_header(self):
        date = h.utcnow().strftime(h.SIGV4_TIMESTAMP)
        scope = f"test/{date[:8]}/us-east-1/sts/aws4_request"
        headers_base = {"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Date": date}
        for auth in (
                f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature",
                f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date",
                f"AWS4-HMAC-SHA256 Credential={scope}",
                "AWS4-HMAC-SHA256 garbage",
                "AWS4-HMAC-SHA256 ",
        ):
            with self.subTest(auth=auth):
                resp = h.send(self.server, "POST", "/", body=h.form(GCI),
                              headers=dict(headers_base, Authorization=auth))
                self.assertError(resp, 400, "IncompleteSignature")

    def test_credential_with_four_elements(self):
        date = h.utcnow().strftime(h.SIGV4_TIMESTAMP)
        cred = f"test/{date[:8]}/us-east-1/sts"
        auth = f"AWS4-HMAC-SHA256 Credential={cred}, SignedHeaders=host;x-amz-date, Signature={'0' * 64}"
        resp = h.send(self.server, "POST", "/", body=h.form(GCI),
                      headers={"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Date": date,
                               "Authorization": auth})
        self.assertError(resp, 400, "IncompleteSignature",
                         "Credential must have exactly 5 slash-delimited elements, "
                         f"e.g. keyid/date/region/service/term, got '{cred}'")

    def test_sigv4a_rejected_cleanly(self):
        date = h.utcnow().strftime(h.SIGV4_TIMESTAMP)
        auth = (f"AWS4-ECDSA-P256-SHA256 Credential=test/{date[:8]}/sts/aws4_request, "
                f"SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100aa")
        resp = h.send(self.server, "POST", "/", body=h.form(GCI),
                      headers={"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Date": date,
                               "X-Amz-Region-Set": "*", "Authorization": auth})
        self.assertIn(resp.status, (400, 403), f"response: {resp!r}")
        h.parse_error(resp.body)


class SessionTokenTest(WireTest):

    def test_role_credentials_work(self):
        creds, result = self.assume(session="raw")
        self.assertCallerIs(h.call(self.server, GCI, creds=creds), result["AssumedRoleUser"]["Arn"])

    def test_tampered_session_token(self):
        creds, _ = self.assume()
        token = creds[2]
        mid = len(token) // 2
        flipped = token[:mid] + ("A" if token[mid] != "A" else "B") + token[mid + 1:]
        for bad in (flipped, token[:-8], token + "AAAA", "FwoGZXIvYXdzEBogus"):
            with self.subTest(token=bad[:12] + "..."):
                resp = h.call(self.server, GCI, creds=(creds[0], creds[1], bad))
                self.assertError(resp, 403, "InvalidClientTokenId", INVALID_TOKEN_MSG)

    def test_temporary_key_without_token(self):
        creds, _ = self.assume()
        resp = h.call(self.server, GCI, creds=(creds[0], creds[1]))
        self.assertError(resp, 403, "InvalidClientTokenId", INVALID_TOKEN_MSG)

    def test_token_bound_to_its_access_key(self):
        a, _ = self.assume(session="a1")
        b, _ = self.assume(session="b1")
        resp = h.call(self.server, GCI, creds=(a[0], a[1], b[2]))
        self.assertError(resp, 403, "InvalidClientTokenId", INVALID_TOKEN_MSG)

    def test_long_term_key_with_token(self):
        creds, _ = self.assume()
        resp = h.call(self.server, GCI, creds=(TEST_KEY[0], TEST_KEY[1], creds[2]))
        self.assertError(resp, 403, "InvalidClientTokenId", INVALID_TOKEN_MSG)

    def test_bad_signature_with_session_credentials(self):
        creds, _ = self.assume()
        resp = h.call(self.server, GCI, creds=(creds[0], "x" * 40, creds[2]))
        self.assertError(resp, 403, "SignatureDoesNotMatch", BAD_SIGNATURE_MSG)

    def test_expired_session_token(self):
        self.skipTest("the shortest session is DurationSeconds=900 and stsd has no clock override, "
                      "so an ExpiredToken cannot be produced within a test run")


class TokenKeyTest(unittest.TestCase):
    """Session tokens are self-contained under token_key (README, "Security model")."""

    def test_tokens_survive_across_instances_with_the_same_key(self):
        binary = h.binary_path()
        default = json.loads(subprocess.run([binary, "--print-default-config"], check=True, capture_output=True,
                                            timeout=10).stdout)
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        other = base64.b64encode(secrets.token_bytes(32)).decode()
        workdir = tempfile.mkdtemp(prefix="stsd-e2e-")
        env = h.HermeticEnviron(workdir)
        servers = []
        try:
            for k in (key, key, other):
                servers.append(h.StsdServer(config=dict(default, token_key=k), workdir=workdir).start())
            a, b, c = servers
            resp = h.call(a, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                              ("RoleArn", "arn:aws:iam::123456789012:role/portable"), ("RoleSessionName", "p1")])
            self.assertEqual(resp.status, 200, f"response: {resp!r}")
            cr = h.parse_result(resp.body, "AssumeRole")[0]["Credentials"]
            creds = (cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
            for server in (a, b):
                r = h.call(server, GCI, creds=creds)
                self.assertEqual(r.status, 200, f"response: {r!r}")
                self.assertEqual(h.parse_result(r.body, "GetCallerIdentity")[0]["Arn"],
                                 "arn:aws:sts::123456789012:assumed-role/portable/p1")
            r = h.call(c, GCI, creds=creds)
            self.assertEqual(r.status, 403, f"response: {r!r}")
            self.assertEqual(h.parse_error(r.body)["code"], "InvalidClientTokenId", f"response: {r!r}")
        finally:
            for s in servers:
                s.cleanup()
            env.restore()
            shutil.rmtree(workdir, ignore_errors=True)


class EnvelopeTest(WireTest):

    def test_error_envelope_bytes(self):
        resp = h.call(self.server, GCI, creds=("AKIAZZZZZZZZZZZZZZZZ", "x"))
        self.assertEqual(resp.status, 403)
        rid = resp.header("x-amzn-RequestId")
        self.assertRegex(rid or "", "^" + UUID_RE + "$", f"response: {resp!r}")
        expected = (f'<ErrorResponse xmlns="{STS_NS}">\n'
                    "  <Error>\n"
                    "    <Type>Sender</Type>\n"
                    "    <Code>InvalidClientTokenId</Code>\n"
                    f"    <Message>{INVALID_TOKEN_MSG}</Message>\n"
                    "  </Error>\n"
                    f"  <RequestId>{rid}</RequestId>\n"
                    "</ErrorResponse>\n")
        self.assertEqual(resp.text, expected)
        self.assertEqual(resp.header("Content-Type"), "text/xml")
        self.assertEqual(int(resp.header("Content-Length")), len(resp.body))
        self.assertIsNotNone(resp.header("Date"))

    def test_success_envelope_bytes(self):
        resp = h.call(self.server, GCI)
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        rid = resp.header("x-amzn-RequestId")
        m = re.fullmatch(
            f'<GetCallerIdentityResponse xmlns="{re.escape(STS_NS)}">\n'
            "  <GetCallerIdentityResult>\n"
            f"    <Arn>{re.escape(DEFAULT_USER_ARN)}</Arn>\n"
            "    <UserId>(AIDA[A-Z0-9]{17})</UserId>\n"
            "    <Account>000000000000</Account>\n"
            "  </GetCallerIdentityResult>\n"
            "  <ResponseMetadata>\n"
            f"    <RequestId>({UUID_RE})</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</GetCallerIdentityResponse>\n", resp.text)
        self.assertIsNotNone(m, f"response: {resp!r}")
        self.assertEqual(m.group(2), rid)
        self.assertEqual(resp.header("Content-Type"), "text/xml")
        self.assertEqual(int(resp.header("Content-Length")), len(resp.body))
        self.assertFalse(resp.text.startswith("<?xml"))

    def test_assume_role_envelope_bytes(self):
        resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                    ("RoleArn", "arn:aws:iam::123456789012:role/shape"),
                                    ("RoleSessionName", "shape")])
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        m = re.fullmatch(
            f'<AssumeRoleResponse xmlns="{re.escape(STS_NS)}">\n'
            "  <AssumeRoleResult>\n"
            "    <AssumedRoleUser>\n"
            "      <AssumedRoleId>AROA[A-Z0-9]{17}:shape</AssumedRoleId>\n"
            "      <Arn>arn:aws:sts::123456789012:assumed-role/shape/shape</Arn>\n"
            "    </AssumedRoleUser>\n"
            "    <Credentials>\n"
            "      <AccessKeyId>ASIA[A-Z2-7]{16}</AccessKeyId>\n"
            "      <SecretAccessKey>[A-Za-z0-9+/]{40}</SecretAccessKey>\n"
            "      <SessionToken>[A-Za-z0-9+/=]+</SessionToken>\n"
            r"      <Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</Expiration>" "\n"
            "    </Credentials>\n"
            # The newest model's token size members (after the recording's members).
            r"    <SessionTokenUtilization>\d+</SessionTokenUtilization>" "\n"
            r"    <SessionTokenSize>\d+</SessionTokenSize>" "\n"
            "  </AssumeRoleResult>\n"
            "  <ResponseMetadata>\n"
            f"    <RequestId>{UUID_RE}</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</AssumeRoleResponse>\n", resp.text)
        self.assertIsNotNone(m, f"response: {resp!r}")

    def test_json_rendering(self):
        resp = h.call(self.server, GCI, headers={"Accept": "application/json"})
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertIn("json", resp.header("Content-Type", ""), f"response: {resp!r}")
        doc = json.loads(resp.body)
        rid = resp.header("x-amzn-RequestId")
        result = doc["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
        self.assertEqual(result["Arn"], DEFAULT_USER_ARN)
        self.assertEqual(result["Account"], "000000000000")
        self.assertRegex(result["UserId"], r"^AIDA[A-Z0-9]{17}$")
        self.assertEqual(doc["GetCallerIdentityResponse"]["ResponseMetadata"], {"RequestId": rid})

    def test_json_expiration_is_epoch_seconds(self):
        started = time.time()
        resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                    ("RoleArn", "arn:aws:iam::123456789012:role/json"),
                                    ("RoleSessionName", "json")], headers={"Accept": "application/json"})
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result = json.loads(resp.body)["AssumeRoleResponse"]["AssumeRoleResult"]
        expiration = result["Credentials"]["Expiration"]
        self.assertIsInstance(expiration, (int, float), f"response: {resp!r}")
        self.assertAlmostEqual(expiration, started + 3600, delta=5)
        self.assertEqual(result["AssumedRoleUser"]["Arn"], "arn:aws:sts::123456789012:assumed-role/json/json")

    def test_request_ids_are_unique(self):
        ids = {h.call(self.server, GCI).header("x-amzn-RequestId") for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_validation_error_envelope(self):
        resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                    ("RoleSessionName", "s1")])
        self.assertError(resp, 400, "ValidationError",
                         "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: "
                         "Member must not be null")

    def test_malformed_duration(self):
        for value in ("abc", "900.0", "2147483648"):
            with self.subTest(value=value):
                resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                            ("RoleArn", "arn:aws:iam::123456789012:role/m"),
                                            ("RoleSessionName", "s1"), ("DurationSeconds", value)])
                err = self.assertError(resp, 400, "MalformedInput")
                self.assertIsNone(err["message"], f"MalformedInput has no Message: {resp!r}")

    def test_duration_leading_plus_and_zero(self):
        for value in ("+900", "0900"):
            with self.subTest(value=value):
                resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                            ("RoleArn", "arn:aws:iam::123456789012:role/m"),
                                            ("RoleSessionName", "s1"), ("DurationSeconds", value)])
                self.assertEqual(resp.status, 200, f"response: {resp!r}")


class DispatchTest(WireTest):

    def assertInvalidAction(self, params, message):
        resp = h.call(self.server, params)
        self.assertError(resp, 400, "InvalidAction", message, ns=AWSFAULT_NS)
        self.assertTrue(resp.text.startswith(f'<ErrorResponse xmlns="{AWSFAULT_NS}">\n  <Error>\n'
                                             "    <Type>Sender</Type>\n    <Code>InvalidAction</Code>\n"),
                        f"response: {resp!r}")

    def test_unknown_action(self):
        self.assertInvalidAction([("Action", "NoSuchAction"), ("Version", "2011-06-15")],
                                 "Could not find operation NoSuchAction for version 2011-06-15")

    def test_missing_version(self):
        self.assertInvalidAction([("Action", "GetCallerIdentity")],
                                 "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED")

    def test_empty_version(self):
        self.assertInvalidAction([("Action", "GetCallerIdentity"), ("Version", "")],
                                 "Could not find operation GetCallerIdentity for version ")

    def test_other_version(self):
        self.assertInvalidAction([("Action", "GetCallerIdentity"), ("Version", "2000-01-01")],
                                 "Could not find operation GetCallerIdentity for version 2000-01-01")

    def test_empty_action(self):
        self.assertInvalidAction([("Action", ""), ("Version", "2011-06-15")],
                                 "Could not find operation  for version 2011-06-15")

    def test_post_without_action_redirects(self):
        for body in (h.form([("Version", "2011-06-15")]), ""):
            with self.subTest(body=body):
                resp = h.send(self.server, "POST", "/", body=body,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
                self.assertEqual(resp.status, 302, f"response: {resp!r}")
                self.assertEqual(resp.header("Location"), "https://aws.amazon.com/iam")
                self.assertEqual(resp.body, b"")

    def test_post_without_content_type_redirects(self):
        resp = h.send(self.server, "POST", "/", body=h.form(GCI))
        self.assertEqual(resp.status, 302, f"response: {resp!r}")
        self.assertEqual(resp.header("Location"), "https://aws.amazon.com/iam")
        self.assertEqual(resp.body, b"")

    def test_get_without_action_redirects_keeping_query(self):
        resp = h.send(self.server, "GET", "/?Version=2011-06-15")
        self.assertEqual(resp.status, 302, f"response: {resp!r}")
        self.assertEqual(resp.header("Location"), "https://aws.amazon.com/iam?Version=2011-06-15")
        self.assertEqual(resp.body, b"")

    def test_first_duplicate_wins(self):
        self.assertCallerIs(h.call(self.server, GCI + [("Action", "NoSuchAction"), ("Version", "2000-01-01")]))
        resp = h.call(self.server, [("Action", "AssumeRole"), ("Version", "2011-06-15"),
                                    ("RoleArn", "arn:aws:iam::123456789012:role/first"),
                                    ("RoleArn", "not-an-arn"),
                                    ("RoleSessionName", "good"), ("RoleSessionName", "bad/name")])
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, _ = h.parse_result(resp.body, "AssumeRole")
        self.assertEqual(result["AssumedRoleUser"]["Arn"], "arn:aws:sts::123456789012:assumed-role/first/good")
        self.assertInvalidAction([("Action", "NoSuchAction"), ("Version", "2011-06-15"),
                                  ("Action", "GetCallerIdentity")],
                                 "Could not find operation NoSuchAction for version 2011-06-15")

    def test_unknown_parameters_ignored(self):
        self.assertCallerIs(h.call(self.server, GCI + [("Foo", "bar"), ("Tags.member.9.Key", "x")]))


class TransportTest(WireTest):

    def test_body_limit(self):
        prefix = h.form(GCI) + "&Pad="
        # Exactly 10,000,000 bytes is still accepted.
        body = prefix + "x" * (10_000_000 - len(prefix))
        self.assertEqual(len(body), 10_000_000)
        self.assertCallerIs(h.call(self.server, None, body=body))

    def test_body_over_limit(self):
        total = 10_000_001
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as sock:
            sock.sendall((f"POST / HTTP/1.1\r\nHost: {self.server.host}\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          f"Content-Length: {total}\r\n\r\n").encode())
            # Send the body until the server answers (it may answer on the
            # header alone): reading the answer first avoids losing it to a
            # reset when the server closes with unread data.
            chunk = b"x" * 65536
            sent = 0
            while sent < total:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break
                try:
                    sent += sock.send(chunk[:min(len(chunk), total - sent)])
                except (BrokenPipeError, ConnectionResetError):
                    break
            resp = http.client.HTTPResponse(sock)
            resp.begin()
            body = resp.read()
        self.assertEqual(resp.status, 413, f"headers: {resp.getheaders()!r} body: {body[:500]!r}")
        self.assertEqual(body, b"")
        self.assertIsNone(resp.getheader("x-amzn-RequestId"))

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            first = h.call(self.server, GCI, conn=conn)
            self.assertCallerIs(first)
            sock = conn.sock
            self.assertIsNotNone(sock, "server closed the connection after one request")
            local = sock.getsockname()
            for i in range(6):
                creds = ("AKIAZZZZZZZZZZZZZZZZ", "x") if i % 3 == 1 else TEST_KEY
                resp = h.call(self.server, GCI, conn=conn, creds=creds)
                if i % 3 == 1:
                    self.assertError(resp, 403, "InvalidClientTokenId")
                else:
                    self.assertCallerIs(resp)
                self.assertIs(conn.sock, sock, f"connection was reopened before request {i + 2}")
                self.assertEqual(conn.sock.getsockname(), local)
                self.assertNotEqual((resp.header("Connection") or "").lower(), "close")
        finally:
            conn.close()

    def test_pipelined_requests(self):
        prepared = [h.signed_request(self.server, GCI) for _ in range(3)]
        raw = b""
        for p in prepared:
            head = f"POST / HTTP/1.1\r\nHost: {self.server.host}\r\n"
            for k, v in p.headers.items():
                if k.lower() not in ("host", "content-length"):
                    head += f"{k}: {v}\r\n"
            head += f"Content-Length: {len(p.body)}\r\n\r\n"
            raw += head.encode() + p.body
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(raw)
            data = b""
            deadline = time.monotonic() + 10
            while data.count(b"</GetCallerIdentityResponse>") < 3 and time.monotonic() < deadline:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        self.assertEqual(data.count(b"HTTP/1.1 200"), 3, data[:2000])

    def test_head_too_large(self):
        resp = h.send(self.server, "GET", "/?" + h.form(GCI) + "&Pad=" + "x" * 20000)
        self.assertEqual(resp.status, 400, f"response: {resp!r}")
        self.assertEqual(resp.body, b"")


if __name__ == "__main__":
    h.main()
