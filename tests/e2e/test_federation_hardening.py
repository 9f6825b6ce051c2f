"""Federation hardening end to end (issue 11 items 14, 15, 17, 21), through
the real binary:

- web identity: `iss` must be the registered provider URL exactly (no http://,
  no missing scheme, no extra or missing trailing slash); registered claims
  of another type (an array `sub`, an exp of 2^63-1, negative or fractional
  times) and repeated member names are refused with InvalidIdentityToken;
- SAML: an assertion without SubjectConfirmationData/@NotOnOrAfter and a
  SessionDuration of "3600abc" are refused; a replay inside the validity
  window is accepted, as AWS accepts it;
- logs: a key id carrying a newline or ESC stays on its log line (text) and
  every line stays one JSON object (json);
- GetWebIdentityToken: its tokens name an account-specific issuer, are signed
  with keys the test issuer does not publish, and that issuer's discovery
  document and JWKS are served; discovery documents take their scheme from
  the connection (TLS: https) and refuse a Host that is not host[:port]."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import botocore.exceptions
from botocore import UNSIGNED

import stsd_harness as h
from stsd_harness import TEST_KEY, StsdServer, StsdTestCase, call, parse_result, presigned_url, send, sts_client
from test_federation import (ACCOUNT, BUILTIN_ISSUER, BUILTIN_OIDC_ARN, HAVE_CRYPTOGRAPHY, SAML_NS, OwnIssuer, b64url,
                             b64url_decode, error_of, jwt_parts, trust)

if HAVE_CRYPTOGRAPHY:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

XMLSEC1 = shutil.which("xmlsec1")
OPENSSL = shutil.which("openssl")
SLASHED_ISSUER = "https://issuer.example.test/tenant/"  # registered with its trailing slash
SLASHED_OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/issuer.example.test/tenant/"
SERVICE_ACCOUNT = "system:serviceaccount:ns:app"
ALICE = ("AKIAALICE00000000001", "alice-secret")


def raw_token(issuer, payload_text, kid="own-1"):
    """An RS256 token over a payload given as text (so it may repeat a member)."""
    header = json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid})
    signing_input = (b64url(header.encode()) + "." + b64url(payload_text.encode())).encode()
    sig = issuer.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return signing_input.decode() + "." + b64url(sig)


class HardeningCase(StsdTestCase):
    own = None

    @classmethod
    def server_config(cls):
        cls.own = OwnIssuer() if HAVE_CRYPTOGRAPHY else None
        oidc = [{"account": ACCOUNT, "url": BUILTIN_ISSUER, "client_ids": ["sts.amazonaws.com"], "builtin": True}]
        if cls.own:
            oidc.append({"account": ACCOUNT, "url": SLASHED_ISSUER, "client_ids": ["my-app"], "jwks": cls.own.jwks})
        return {
            "accounts": [{"id": ACCOUNT}],
            "users": [{"account": ACCOUNT, "name": "alice",
                       "access_keys": [{"id": ALICE[0], "secret": ALICE[1]}]}],
            "roles": [
                {"account": ACCOUNT, "name": "web", "trust_policy": trust(
                    "Federated", BUILTIN_OIDC_ARN, "sts:AssumeRoleWithWebIdentity",
                    {"StringEquals": {"oidc.stsd.local:sub": SERVICE_ACCOUNT}})},
                {"account": ACCOUNT, "name": "slashed", "trust_policy": trust(
                    "Federated", SLASHED_OIDC_ARN, "sts:AssumeRoleWithWebIdentity",
                    {"StringEquals": {"issuer.example.test/tenant/:sub": "repo:org/app:ref:refs/heads/main"}})},
                {"account": ACCOUNT, "name": "saml", "trust_policy": trust(
                    "Federated", f"arn:aws:iam::{ACCOUNT}:saml-provider/stsd", "sts:AssumeRoleWithSAML")},
            ],
            "oidc_providers": oidc,
            "saml_providers": [{"account": ACCOUNT, "name": "stsd", "builtin": True}],
        }

    def mint_oidc(self, **body):
        r = send(self.server, "POST", "/_stsd/oidc/token", body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)["token"]

    def web_identity(self, token, role="web"):
        return sts_client(self.server.url, TEST_KEY, signature_version=UNSIGNED).assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName="s1", WebIdentityToken=token)


class IssuerMatchTest(HardeningCase):
    """Item 14: AWS matches iss against the registered URL exactly. Sources:
    CreateOpenIDConnectProvider's Url "must begin with https://"; the token's
    iss "must start with https://" (gitlab-org/gitlab#342243); a provider
    registered with a trailing slash keeps it in its ARN
    (oidc-provider/auth-dev.mozilla.auth0.com/, gist gene1wood/54611c45) and a
    trailing slash on one side only gives "No OpenIDConnect provider found"
    (aws/aws-sam-cli#7432; Auth0 fix in
    aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#54)."""

    def test_iss_variants_of_the_builtin_issuer_are_refused(self):
        self.assertIn("Credentials", self.web_identity(self.mint_oidc(sub=SERVICE_ACCOUNT)))
        for iss in ("http://oidc.stsd.local", "oidc.stsd.local", "https://oidc.stsd.local/",
                    "https://oidc.stsd.local//", "HTTPS://oidc.stsd.local", "https://OIDC.stsd.local",
                    "https://oidc.stsd.local/x"):
            with self.subTest(iss=iss):
                token = self.mint_oidc(sub=SERVICE_ACCOUNT, claims={"iss": iss})
                self.assertEqual(error_of(self, self.web_identity, token=token),
                                 ("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {iss}"))

    @unittest.skipUnless(HAVE_CRYPTOGRAPHY, "python3-cryptography is needed to sign tokens")
    def test_a_trailing_slash_is_part_of_the_provider(self):
        claims = {"aud": "my-app", "sub": "repo:org/app:ref:refs/heads/main", "exp": int(time.time()) + 600}
        out = self.web_identity(self.own.token(dict(claims, iss=SLASHED_ISSUER)), role="slashed")
        self.assertEqual(out["Provider"], SLASHED_OIDC_ARN)
        for iss in ("https://issuer.example.test/tenant", "http://issuer.example.test/tenant/"):
            with self.subTest(iss=iss):
                code, message = error_of(self, self.web_identity, token=self.own.token(dict(claims, iss=iss)),
                                         role="slashed")
                self.assertEqual((code, message),
                                 ("InvalidIdentityToken", f"No OpenIDConnect provider found in your account for {iss}"))


class ClaimTypesTest(HardeningCase):
    """Item 14: registered claims with their registered types only."""

    def assert_refused(self, token, role="web"):
        code, message = error_of(self, self.web_identity, token=token, role=role)
        self.assertEqual(code, "InvalidIdentityToken", message)
        self.assertTrue(message.startswith("The web identity token is not a valid signed JWT: "), message)
        return message

    def test_array_sub_does_not_satisfy_string_equals(self):
        message = self.assert_refused(self.mint_oidc(claims={"sub": [SERVICE_ACCOUNT, "system:serviceaccount:x:y"]}))
        self.assertIn('"sub"', message)
        self.assert_refused(self.mint_oidc(claims={"sub": 12345678}))

    def test_times_that_are_not_small_integers_are_refused(self):
        now = int(time.time())
        for name, value in (("exp", 2 ** 63 - 1), ("exp", 2 ** 64 - 1), ("exp", 253402300800), ("exp", -1),
                            ("exp", now + 600.5), ("exp", str(now + 600)), ("nbf", -(2 ** 63)), ("iat", -5),
                            ("iat", 1.5), ("nbf", 2 ** 63)):
            with self.subTest(claim=name, value=value):
                self.assertIn(f'"{name}"', self.assert_refused(self.mint_oidc(sub=SERVICE_ACCOUNT,
                                                                              claims={name: value})))
        # The largest NumericDate accepted still works (no overflow on the way).
        out = self.web_identity(self.mint_oidc(sub=SERVICE_ACCOUNT, claims={"exp": 253402300799}))
        self.assertIn("Credentials", out)

    def test_other_registered_claims_of_the_wrong_type(self):
        for claims in ({"aud": ["sts.amazonaws.com", 7]}, {"aud": {"sts.amazonaws.com": 1}}, {"azp": ["a"]},
                       {"iss": [BUILTIN_ISSUER]}, {"jti": 1}):
            with self.subTest(claims=claims):
                code, _ = error_of(self, self.web_identity, token=self.mint_oidc(sub=SERVICE_ACCOUNT, claims=claims))
                self.assertEqual(code, "InvalidIdentityToken")

    @unittest.skipUnless(HAVE_CRYPTOGRAPHY, "python3-cryptography is needed to sign tokens")
    def test_repeated_member_names_are_refused(self):
        exp = int(time.time()) + 600
        payload = ('{"iss":"%s","aud":"my-app","sub":"repo:org/app:pull","sub":"repo:org/app:ref:refs/heads/main",'
                   '"exp":%d}' % (SLASHED_ISSUER, exp))
        message = self.assert_refused(raw_token(self.own, payload), role="slashed")
        self.assertIn("repeats a member name", message)
        nested = ('{"iss":"%s","aud":"my-app","sub":"repo:org/app:ref:refs/heads/main","exp":%d,'
                  '"https://aws.amazon.com/tags":{"principal_tags":{"a":["1"],"a":["2"]}}}' % (SLASHED_ISSUER, exp))
        self.assert_refused(raw_token(self.own, nested), role="slashed")
        # The same token without the repetition is fine.
        single = ('{"iss":"%s","aud":"my-app","sub":"repo:org/app:ref:refs/heads/main","exp":%d}' % (SLASHED_ISSUER, exp))
        self.assertIn("Credentials", self.web_identity(raw_token(self.own, single), role="slashed"))


class SamlHardeningTest(HardeningCase):
    """Item 15 with the built-in IdP: SessionDuration digits only; replays."""

    def mint_saml(self, **body):
        r = send(self.server, "POST", "/_stsd/saml/response", body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)["saml_response"]

    def saml(self, response):
        return sts_client(self.server.url, TEST_KEY, signature_version=UNSIGNED).assume_role_with_saml(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/saml", PrincipalArn=f"arn:aws:iam::{ACCOUNT}:saml-provider/stsd",
            SAMLAssertion=response)

    def test_session_duration_must_be_digits_only(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/saml"
        name = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
        for bad in ("3600abc", "3600.0", "+3600", "36e2", "0x0e10"):
            with self.subTest(value=bad):
                self.assertEqual(error_of(self, self.saml, response=self.mint_saml(role_arn=role, attributes={name: [bad]})),
                                 ("InvalidIdentityToken", "SessionDuration in AuthnResponse must be an integer"))
        out = self.saml(self.mint_saml(role_arn=role, attributes={name: ["1800"]}))
        lifetime = out["Credentials"]["Expiration"].timestamp() - time.time()
        self.assertTrue(1700 < lifetime <= 1800, lifetime)

    def test_a_replayed_response_is_accepted_as_on_aws(self):
        # AWS keeps no record of used assertions: SAML CLIs cache one response
        # and send it again for other roles and accounts while it is valid
        # (Versent/saml2aws#526, cevoaustralia/aws-google-auth#47,
        # onelogin/onelogin-python-aws-assume-role#25). stsd does the same.
        response = self.mint_saml(role_arn=f"arn:aws:iam::{ACCOUNT}:role/saml")
        first, second = self.saml(response), self.saml(response)
        self.assertNotEqual(first["Credentials"]["AccessKeyId"], second["Credentials"]["AccessKeyId"])


@unittest.skipUnless(XMLSEC1 and OPENSSL, "xmlsec1 and openssl command-line tools are needed (Debian: xmlsec1, openssl)")
class SamlWithoutNotOnOrAfterTest(StsdTestCase):
    """Item 15: AWS requires SubjectConfirmationData/@NotOnOrAfter ("exactly one
    SubjectConfirmation element with a SubjectConfirmationData element that
    includes both the NotOnOrAfter attribute and a Recipient attribute", IAM
    User Guide, Configure SAML assertions for the authentication response).
    Responses are signed with the xmlsec1 CLI by a provider the test makes."""

    ENTITY = "https://idp.example.test/metadata"

    @classmethod
    def server_config(cls):
        cls.keydir = tempfile.mkdtemp(prefix="stsd-saml-")
        cls.key = os.path.join(cls.keydir, "key.pem")
        cls.cert = os.path.join(cls.keydir, "cert.pem")
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cls.key, "-out", cls.cert,
                        "-days", "2", "-subj", "/CN=test-idp"], check=True, capture_output=True)
        with open(cls.cert) as f:
            der_b64 = "".join(l for l in f.read().splitlines() if "CERTIFICATE" not in l)
        metadata = (f'<md:EntityDescriptor xmlns:md="{SAML_NS}:metadata" entityID="{cls.ENTITY}">'
                    f'<md:IDPSSODescriptor protocolSupportEnumeration="{SAML_NS}:protocol">'
                    f'<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
                    f'<ds:X509Data><ds:X509Certificate>{der_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>'
                    f'</md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>')
        return {
            "accounts": [{"id": ACCOUNT}],
            "roles": [{"account": ACCOUNT, "name": "saml", "trust_policy": trust(
                "Federated", f"arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP", "sts:AssumeRoleWithSAML")}],
            "saml_providers": [{"account": ACCOUNT, "name": "TestIdP", "metadata": metadata}],
        }

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.keydir, ignore_errors=True)
        super().tearDownClass()

    def signed_response(self, confirmation_until=True, conditions_until=True):
        now = time.time()
        fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        role = f"arn:aws:iam::{ACCOUNT}:role/saml,arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP"
        attr = lambda n, v: (f'<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/{n}">'
                             f'<saml:AttributeValue>{v}</saml:AttributeValue></saml:Attribute>')
        until = f' NotOnOrAfter="{fmt(now + 300)}"'
        template = (
            f'<samlp:Response xmlns:samlp="{SAML_NS}:protocol" xmlns:saml="{SAML_NS}:assertion" ID="_r1" '
            f'Version="2.0" IssueInstant="{fmt(now)}" Destination="https://signin.aws.amazon.com/saml">'
            f'<saml:Issuer>{self.ENTITY}</saml:Issuer>'
            f'<samlp:Status><samlp:StatusCode Value="{SAML_NS}:status:Success"/></samlp:Status>'
            f'<saml:Assertion ID="_a1" Version="2.0" IssueInstant="{fmt(now)}">'
            f'<saml:Issuer>{self.ENTITY}</saml:Issuer>'
            '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
            '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
            '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
            '<ds:Reference URI="#_a1"><ds:Transforms>'
            '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
            '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
            '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>'
            '</ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>'
            f'<saml:Subject><saml:NameID Format="{SAML_NS}:nameid-format:transient">bob</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData{until if confirmation_until else ""} '
            'Recipient="https://signin.aws.amazon.com/saml"/>'
            '</saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{fmt(now - 5)}"{until if conditions_until else ""}><saml:AudienceRestriction>'
            '<saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
            f'<saml:AttributeStatement>{attr("Role", role)}{attr("RoleSessionName", "bob")}</saml:AttributeStatement>'
            '</saml:Assertion></samlp:Response>')
        path = os.path.join(self.keydir, "template.xml")
        with open(path, "w") as f:
            f.write(template)
        signed = subprocess.run([XMLSEC1, "--sign", "--privkey-pem", f"{self.key},{self.cert}",
                                 "--id-attr:ID", f"{SAML_NS}:assertion:Assertion", path],
                                check=True, capture_output=True).stdout
        return base64.b64encode(signed).decode()

    def saml(self, response):
        return sts_client(self.server.url, TEST_KEY, signature_version=UNSIGNED).assume_role_with_saml(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/saml", PrincipalArn=f"arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP",
            SAMLAssertion=response)

    def test_not_on_or_after_is_required(self):
        self.assertEqual(self.saml(self.signed_response())["Subject"], "bob")
        expected = ("InvalidIdentityToken", "SubjectConfirmationData in AuthnResponse must have a NotOnOrAfter attribute")
        for confirmation, conditions in ((False, False), (False, True)):
            with self.subTest(confirmation=confirmation, conditions=conditions):
                response = self.signed_response(confirmation_until=confirmation, conditions_until=conditions)
                self.assertEqual(error_of(self, self.saml, response=response), expected)
        # Conditions may omit it when SubjectConfirmationData has it.
        self.assertEqual(self.saml(self.signed_response(conditions_until=False))["Subject"], "bob")


class LogInjectionTest(unittest.TestCase):
    """Item 17: a key id from a presigned URL reaches the permissive-mode
    warning; %0A and ESC in it must not forge a line or a terminal sequence."""

    FORGED = "2026-01-01T00:00:00.000Z error forged line"

    def run_server(self, *args):
        server = StsdServer(["--auth", "permissive", *args]).start()
        self.addCleanup(server.cleanup)
        url = presigned_url(server, {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                            creds=(f"AKIAFORGE\n{self.FORGED}\x1b[2J", "secret"))
        r = send(server, "GET", url[len(server.url):])
        self.assertEqual(r.status, 200, r.body)
        # Bytes that are not UTF-8 (the key id is percent-decoded as bytes).
        url = presigned_url(server, {"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                            creds=("AKIANOTUTF8", "secret"))
        r = send(server, "GET", url[len(server.url):].replace("AKIANOTUTF8", "AKIA%FF%C0%AF"))
        self.assertEqual(r.status, 200, r.body)
        deadline = time.monotonic() + 5
        while server.output().count("unknown access key") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.stop()
        with open(server.log_path, "rb") as f:
            return f.read().decode("utf-8")  # strict: the log must be UTF-8 text

    def test_text_format_keeps_the_value_on_its_line(self):
        out = self.run_server()
        self.assertIn("unknown access key AKIAFORGE\\n" + self.FORGED + "\\x1b[2J accepted", out)
        self.assertFalse(any(line.startswith(self.FORGED) for line in out.splitlines()), out)
        self.assertNotIn("\x1b", out)
        self.assertIn("unknown access key AKIA\\xff\\xc0\\xaf accepted", out)

    def test_json_format_stays_one_object_per_line(self):
        out = self.run_server("--log-format", "json")
        messages = [json.loads(line)["msg"] for line in out.splitlines() if line.strip()]
        self.assertIn(f"permissive auth: unknown access key AKIAFORGE\n{self.FORGED}\x1b[2J accepted as "
                      f"arn:aws:iam::000000000000:user/test", messages)
        self.assertIn("permissive auth: unknown access key AKIA\ufffd\ufffd\ufffd accepted as "
                      "arn:aws:iam::000000000000:user/test", messages)
        self.assertNotIn("\x1b", out)


class OutboundIssuerTest(HardeningCase):
    """Item 21: GetWebIdentityToken's issuer is the account's own
    (https://<uuid>.tokens.sts.global.api.aws on AWS: IAM
    EnableOutboundWebIdentityFederation, IssuerIdentifier), with its discovery
    document and JWKS; never the test issuer or its keys."""

    def get_token(self, alg):
        r = call(self.server, {"Action": "GetWebIdentityToken", "Version": "2011-06-15",
                               "Audience.member.1": "https://api.example.com", "SigningAlgorithm": alg},
                 creds=ALICE)
        self.assertEqual(r.status, 200, r.body)
        return parse_result(r.body, "GetWebIdentityToken")[0]["WebIdentityToken"]

    def test_tokens_name_the_account_issuer_and_verify_only_with_its_keys(self):
        discovery = send(self.server, "GET", f"/_stsd/outbound/{ACCOUNT}/.well-known/openid-configuration")
        self.assertEqual(discovery.status, 200, discovery.body)
        doc = json.loads(discovery.body)
        self.assertRegex(doc["issuer"], r"^https://[0-9a-f-]{36}\.tokens\.sts\.stsd\.local$")
        self.assertEqual(doc["jwks_uri"], f"http://{self.server.host}/_stsd/outbound/{ACCOUNT}/.well-known/jwks.json")
        self.assertEqual(doc["id_token_signing_alg_values_supported"], ["RS256", "ES384"])
        other = json.loads(send(self.server, "GET", "/_stsd/outbound/444455556666/.well-known/openid-configuration").body)
        self.assertNotEqual(other["issuer"], doc["issuer"])
        outbound_keys = json.loads(send(self.server, "GET", doc["jwks_uri"][len(self.server.url):]).body)["keys"]
        test_issuer_keys = json.loads(send(self.server, "GET", "/_stsd/oidc/jwks.json").body)["keys"]
        self.assertFalse({k["kid"] for k in outbound_keys} & {k["kid"] for k in test_issuer_keys})
        for path in ("/_stsd/outbound/12345/.well-known/jwks.json", f"/_stsd/outbound/{ACCOUNT}/jwks.json",
                     f"/_stsd/outbound/{ACCOUNT}"):
            self.assertEqual(send(self.server, "GET", path).status, 404, path)

        for alg in ("RS256", "ES384"):
            with self.subTest(alg=alg):
                token = self.get_token(alg)
                header, claims, sig = jwt_parts(token)
                self.assertEqual(claims["iss"], doc["issuer"])
                self.assertNotEqual(claims["iss"], BUILTIN_ISSUER)
                self.assertIn(header["kid"], {k["kid"] for k in outbound_keys})
                self.assertNotIn(header["kid"], {k["kid"] for k in test_issuer_keys})
                if HAVE_CRYPTOGRAPHY:
                    jwk = next(k for k in outbound_keys if k["kid"] == header["kid"])
                    signing_input = token.rsplit(".", 1)[0].encode()
                    if alg == "RS256":
                        n = int.from_bytes(b64url_decode(jwk["n"]), "big")
                        e = int.from_bytes(b64url_decode(jwk["e"]), "big")
                        rsa.RSAPublicNumbers(e, n).public_key().verify(sig, signing_input, padding.PKCS1v15(),
                                                                       hashes.SHA256())
                    else:
                        x = int.from_bytes(b64url_decode(jwk["x"]), "big")
                        y = int.from_bytes(b64url_decode(jwk["y"]), "big")
                        key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP384R1()).public_key()
                        der = encode_dss_signature(int.from_bytes(sig[:48], "big"), int.from_bytes(sig[48:], "big"))
                        key.verify(der, signing_input, ec.ECDSA(hashes.SHA384()))
                    # An application that trusts the test issuer's keys does not accept it.
                    for other in test_issuer_keys:
                        if other["kty"] != jwk["kty"] or other.get("crv") != jwk.get("crv"):
                            continue
                        with self.assertRaises(Exception):
                            if alg == "RS256":
                                n = int.from_bytes(b64url_decode(other["n"]), "big")
                                e = int.from_bytes(b64url_decode(other["e"]), "big")
                                rsa.RSAPublicNumbers(e, n).public_key().verify(
                                    sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
                            else:
                                x = int.from_bytes(b64url_decode(other["x"]), "big")
                                y = int.from_bytes(b64url_decode(other["y"]), "big")
                                ec.EllipticCurvePublicNumbers(x, y, ec.SECP384R1()).public_key().verify(
                                    der, signing_input, ec.ECDSA(hashes.SHA384()))

    def test_discovery_refuses_a_host_that_is_not_host_port(self):
        ok = send(self.server, "GET", "/_stsd/oidc/.well-known/openid-configuration", headers={"Host": "sts.test:8090"})
        self.assertEqual(json.loads(ok.body)["jwks_uri"], "http://sts.test:8090/_stsd/oidc/jwks.json")
        for host in ('evil.example"/x', "evil.example/x", "user@evil.example", "a b", "evil.example?x=1",
                     "h:99999999", "<script>"):
            for path in ("/_stsd/oidc/.well-known/openid-configuration",
                         f"/_stsd/outbound/{ACCOUNT}/.well-known/openid-configuration"):
                with self.subTest(host=host, path=path):
                    r = send(self.server, "GET", path, headers={"Host": host})
                    self.assertEqual(r.status, 400, r.body)
                    self.assertNotIn(b"evil", r.body)
                    self.assertNotIn(b"script", r.body)


class DiscoveryOverTlsTest(StsdTestCase):
    """Item 21: under TLS the discovery documents point at https:// URLs."""

    @classmethod
    def make_server(cls, workdir):
        from test_tls import TlsServer, make_certificate
        cls.cert, cls.key = make_certificate(workdir)
        return TlsServer(cls.cert, cls.key, workdir)

    def https_get(self, path):
        import http.client
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, context=self.server.context(), timeout=30)
        try:
            conn.request("GET", path, headers={"Host": self.server.host})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def test_jwks_uri_is_https(self):
        for path, jwks in (("/_stsd/oidc/.well-known/openid-configuration", "/_stsd/oidc/jwks.json"),
                           ("/_stsd/outbound/000000000000/.well-known/openid-configuration",
                            "/_stsd/outbound/000000000000/.well-known/jwks.json")):
            with self.subTest(path=path):
                status, body = self.https_get(path)
                self.assertEqual(status, 200, body)
                self.assertEqual(json.loads(body)["jwks_uri"], f"https://{self.server.host}{jwks}")


if __name__ == "__main__":
    h.main()
