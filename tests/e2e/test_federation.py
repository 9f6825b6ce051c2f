"""Federation end to end (README, "Federation without an outside identity provider"): AssumeRoleWithWebIdentity and
AssumeRoleWithSAML verified for real against the built-in test identity
providers and against providers the test makes itself (its own RSA key and
JWKS; a certificate from the openssl CLI and a response signed with the
xmlsec1 CLI), through boto3; the Kubernetes service-account flow through
boto3's own web-identity credential provider; GetWebIdentityToken verified
with the issuer's published keys."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import botocore
import botocore.exceptions
from botocore import UNSIGNED

from stsd_harness import (DEFAULT_ACCOUNT, TEST_KEY, StsdTestCase, botocore_at_least, creds_of,
                          require_endpoint_config, send, sts_client)

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    HAVE_CRYPTOGRAPHY = True
except ImportError:  # a minimal machine: the tests that sign for themselves skip
    HAVE_CRYPTOGRAPHY = False

ACCOUNT = "111122223333"
BUILTIN_ISSUER = "https://oidc.stsd.local"
BUILTIN_OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.stsd.local"
BUILTIN_SAML_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/stsd"
CUSTOM_ISSUER = "https://issuer.example.test/tenant"
CUSTOM_OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/issuer.example.test/tenant"
SAML_NS = "urn:oasis:names:tc:SAML:2.0"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_int(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_parts(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), b64url_decode(s)


def error_of(test, fn, **kwargs):
    with test.assertRaises(botocore.exceptions.ClientError) as e:
        fn(**kwargs)
    return e.exception.response["Error"]["Code"], e.exception.response["Error"].get("Message", "")


class OwnIssuer:
    """An RSA key, its JWKS, and RS256 tokens signed with it."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pub = self.key.public_key().public_numbers()
        self.jwks = {"keys": [{"kty": "RSA", "kid": "own-1", "use": "sig", "alg": "RS256",
                               "n": b64url_int(pub.n), "e": b64url_int(pub.e)}]}

    def token(self, claims, kid="own-1", alg="RS256"):
        header = {"alg": alg, "typ": "JWT", "kid": kid}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        sig = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + b64url(sig)


def trust(principal_key, principal, action, conditions=None):
    stmt = {"Effect": "Allow", "Principal": {principal_key: principal}, "Action": action}
    if conditions:
        stmt["Condition"] = conditions
    return {"Version": "2012-10-17", "Statement": [stmt]}


class FederationCase(StsdTestCase):
    own = None

    @classmethod
    def server_config(cls):
        cls.own = OwnIssuer() if HAVE_CRYPTOGRAPHY else None
        oidc = [{"account": ACCOUNT, "url": BUILTIN_ISSUER, "client_ids": ["sts.amazonaws.com"], "builtin": True}]
        if cls.own:
            oidc.append({"account": ACCOUNT, "url": CUSTOM_ISSUER, "client_ids": ["my-app"], "jwks": cls.own.jwks})
        return {
            "accounts": [{"id": ACCOUNT}],
            "users": [{"account": ACCOUNT, "name": "alice",
                       "access_keys": [{"id": "AKIAALICE00000000001", "secret": "alice-secret"}]}],
            "roles": [
                {"account": ACCOUNT, "name": "web", "trust_policy": trust(
                    "Federated", BUILTIN_OIDC_ARN, "sts:AssumeRoleWithWebIdentity",
                    {"StringEquals": {"oidc.stsd.local:aud": "sts.amazonaws.com"},
                     "StringLike": {"oidc.stsd.local:sub": "system:serviceaccount:ns:*"}})},
                {"account": ACCOUNT, "name": "custom", "trust_policy": trust(
                    "Federated", CUSTOM_OIDC_ARN, "sts:AssumeRoleWithWebIdentity",
                    {"StringEquals": {"issuer.example.test/tenant:sub": "repo:org/app:ref:refs/heads/main"}})},
                {"account": ACCOUNT, "name": "tagged", "max_session_duration": 7200, "trust_policy": {
                    "Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": {"Federated": BUILTIN_OIDC_ARN},
                        "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"]}]}},
                {"account": ACCOUNT, "name": "saml", "trust_policy": trust(
                    "Federated", BUILTIN_SAML_ARN, ["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity"],
                    {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})},
                {"account": ACCOUNT, "name": "alice-role", "trust_policy": trust(
                    "AWS", f"arn:aws:iam::{ACCOUNT}:user/alice", "sts:AssumeRole")},
                {"account": ACCOUNT, "name": "nobody", "trust_policy": trust(
                    "AWS", f"arn:aws:iam::{ACCOUNT}:root", "sts:AssumeRole")},
            ],
            "oidc_providers": oidc,
            "saml_providers": [{"account": ACCOUNT, "name": "stsd", "builtin": True}],
        }

    def unsigned(self):
        return sts_client(self.server.url, TEST_KEY, signature_version=UNSIGNED)

    def mint_oidc(self, **body):
        r = send(self.server, "POST", "/_stsd/oidc/token", body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)["token"]

    def mint_saml(self, **body):
        r = send(self.server, "POST", "/_stsd/saml/response", body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)["saml_response"]

    def web_identity(self, token, role="web", session="s1", **kwargs):
        return self.unsigned().assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", RoleSessionName=session, WebIdentityToken=token, **kwargs)

    def inspect(self, creds):
        r = send(self.server, "POST", "/_stsd/credentials/inspect",
                 body=json.dumps({"access_key_id": creds[0], "session_token": creds[2]}).encode())
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)


class WebIdentityTest(FederationCase):
    def test_builtin_issuer_token_assumes_the_role(self):
        sub = "system:serviceaccount:ns:app"
        out = self.web_identity(self.mint_oidc(sub=sub))
        self.assertEqual(out["SubjectFromWebIdentityToken"], sub)
        self.assertEqual(out["Audience"], "sts.amazonaws.com")
        self.assertEqual(out["Provider"], BUILTIN_OIDC_ARN)
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/web/s1")
        self.assertNotIn("PackedPolicySize", out)
        me = sts_client(self.server.url, creds_of(out)).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/web/s1")

    def test_every_builtin_algorithm_verifies(self):
        for alg in ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "ES512"):
            with self.subTest(alg=alg):
                token = self.mint_oidc(sub="system:serviceaccount:ns:app", algorithm=alg)
                self.assertEqual(jwt_parts(token)[0]["alg"], alg)
                self.assertIn("Credentials", self.web_identity(token))

    def test_trust_policy_conditions_on_claims(self):
        code, message = error_of(self, self.web_identity, token=self.mint_oidc(sub="system:serviceaccount:other:x"))
        self.assertEqual((code, message), ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"))
        code, _ = error_of(self, self.web_identity, token=self.mint_oidc(sub="system:serviceaccount:ns:app"),
                           role="nobody")
        self.assertEqual(code, "AccessDenied")

    def test_rejections_with_aws_errors(self):
        sub = "system:serviceaccount:ns:app"
        cases = [
            ("wrong audience", self.mint_oidc(sub=sub, aud="someone-else"),
             ("InvalidIdentityToken", "Incorrect token audience")),
            ("unknown issuer", self.mint_oidc(sub=sub, claims={"iss": "https://evil.example"}),
             ("InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://evil.example")),
        ]
        for name, token, expected in cases:
            with self.subTest(name):
                self.assertEqual(error_of(self, self.web_identity, token=token), expected)
        code, message = error_of(self, self.web_identity, token=self.mint_oidc(sub=sub, lifetime=-3600))
        self.assertEqual(code, "ExpiredTokenException")
        self.assertRegex(message, r"^Token expired: current date/time \d+ must be before the expiration date/time \d+$")

        good = self.mint_oidc(sub=sub)
        h, p, s = good.split(".")
        tampered_payload = b64url(json.dumps(dict(jwt_parts(good)[1], sub="system:serviceaccount:ns:root")).encode())
        forged = [
            ("tampered payload", f"{h}.{tampered_payload}.{s}"),
            ("alg none", b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + p + "."),
            ("HS256", b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + p + "." + s),
            ("garbage", "not-a-jwt-at-all"),
        ]
        for name, token in forged:
            with self.subTest(name):
                code, _ = error_of(self, self.web_identity, token=token)
                self.assertEqual(code, "InvalidIdentityToken")

    def test_token_not_valid_yet_is_refused(self):
        future = int(time.time()) + 3600
        token = self.mint_oidc(sub="system:serviceaccount:ns:app", claims={"nbf": future, "iat": future})
        code, _ = error_of(self, self.web_identity, token=token)
        self.assertEqual(code, "InvalidIdentityToken")

    def test_admin_token_endpoint_rejects_bad_requests(self):
        for body in (b"[1]", b'{"algorithm": "HS256"}', b'{"lifetime": "long"}', b'{"aud": 5}'):
            with self.subTest(body=body):
                r = send(self.server, "POST", "/_stsd/oidc/token", body=body)
                self.assertEqual(r.status, 400, r.body)
                self.assertIn("error", json.loads(r.body))

    def test_oauth_access_tokens_are_refused_not_trusted(self):
        code, message = error_of(self, self.web_identity, token="Atza|opaque-access-token-value",
                                 ProviderId="www.amazon.com")
        self.assertEqual(code, "InvalidIdentityToken")
        self.assertIn("OAuth 2.0", message)

    def test_asserted_tags_need_tag_session_in_the_trust_policy(self):
        token = self.mint_oidc(sub="system:serviceaccount:ns:app", claims={
            "https://aws.amazon.com/tags": {"principal_tags": {"team": ["blue"]}}})
        code, _ = error_of(self, self.web_identity, token=token)  # role "web" does not allow sts:TagSession
        self.assertEqual(code, "AccessDenied")

    def test_session_tags_and_source_identity_from_the_token(self):
        token = self.mint_oidc(sub="u1", claims={
            "https://aws.amazon.com/tags": {"principal_tags": {"team": ["blue"], "env": ["dev"]},
                                           "transitive_tag_keys": ["team"]},
            "https://aws.amazon.com/source_identity": "alice@example.com"})
        out = self.web_identity(token, role="tagged", DurationSeconds=7200)
        self.assertEqual(out["SourceIdentity"], "alice@example.com")
        self.assertIn("PackedPolicySize", out)
        session = self.inspect(creds_of(out))
        self.assertEqual(session["tags"], {"env": "dev", "team": "blue"})
        self.assertEqual(session["transitive_tag_keys"], ["team"])
        self.assertEqual(session["source_identity"], "alice@example.com")
        self.assertEqual(session["arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/tagged/s1")

    @unittest.skipUnless(HAVE_CRYPTOGRAPHY, "python cryptography is not installed: cannot sign our own tokens")
    def test_configured_provider_with_its_own_jwks(self):
        now = int(time.time())
        claims = {"iss": CUSTOM_ISSUER, "aud": "my-app", "sub": "repo:org/app:ref:refs/heads/main",
                  "iat": now, "exp": now + 600}
        out = self.web_identity(self.own.token(claims), role="custom")
        self.assertEqual(out["Provider"], CUSTOM_OIDC_ARN)
        self.assertEqual(out["Audience"], "my-app")
        other = OwnIssuer()  # same kid, another key: re-signed by someone else
        code, _ = error_of(self, self.web_identity, token=other.token(claims), role="custom")
        self.assertEqual(code, "InvalidIdentityToken")
        code, _ = error_of(self, self.web_identity, token=self.own.token(dict(claims, sub="repo:org/app:pull")),
                           role="custom")
        self.assertEqual(code, "AccessDenied")

    def test_discovery_and_jwks_are_published(self):
        r = send(self.server, "GET", "/_stsd/oidc/.well-known/openid-configuration")
        self.assertEqual(r.status, 200)
        doc = json.loads(r.body)
        self.assertEqual(doc["issuer"], BUILTIN_ISSUER)
        self.assertEqual(doc["jwks_uri"], f"http://{self.server.host}/_stsd/oidc/jwks.json")
        keys = json.loads(send(self.server, "GET", "/_stsd/oidc/jwks.json").body)["keys"]
        self.assertEqual(sorted({k["kty"] for k in keys}), ["EC", "RSA"])
        self.assertTrue(all("d" not in k and "p" not in k for k in keys), "private key material published")


class KubernetesServiceAccountFlowTest(FederationCase):
    """boto3's AssumeRoleWithWebIdentity provider driven by the environment only."""

    def test_boto3_web_identity_provider_from_environment(self):
        require_endpoint_config(self)
        import boto3
        token_file = os.path.join(self.workdir, "token")
        with open(token_file, "w") as f:
            f.write(self.mint_oidc(sub="system:serviceaccount:ns:worker"))
        os.environ.update({"AWS_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/web",
                           "AWS_WEB_IDENTITY_TOKEN_FILE": token_file,
                           "AWS_ENDPOINT_URL_STS": self.server.url,
                           "AWS_DEFAULT_REGION": "us-east-1"})
        try:
            me = boto3.Session().client("sts").get_caller_identity()
        finally:
            for k in ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL_STS", "AWS_DEFAULT_REGION"):
                os.environ.pop(k, None)
        self.assertRegex(me["Arn"], rf"^arn:aws:sts::{ACCOUNT}:assumed-role/web/.+")


class SamlTest(FederationCase):
    def saml(self, response, role="saml", principal=BUILTIN_SAML_ARN, **kwargs):
        return self.unsigned().assume_role_with_saml(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}", PrincipalArn=principal, SAMLAssertion=response, **kwargs)

    def test_builtin_idp_response_assumes_the_role(self):
        response = self.mint_saml(role_arn=f"arn:aws:iam::{ACCOUNT}:role/saml", subject="alice@example.com",
                                  session_name="alice", source_identity="alice")
        out = self.saml(response)
        self.assertEqual(out["Subject"], "alice@example.com")
        self.assertEqual(out["SubjectType"], "persistent")
        self.assertEqual(out["Issuer"], "https://saml.stsd.local")
        self.assertEqual(out["Audience"], "https://signin.aws.amazon.com/saml")
        expected_nq = base64.b64encode(hashlib.sha1(
            ("https://saml.stsd.local" + ACCOUNT + "/stsd").encode()).digest()).decode()
        self.assertEqual(out["NameQualifier"], expected_nq)
        self.assertEqual(out["SourceIdentity"], "alice")
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/saml/alice")
        me = sts_client(self.server.url, creds_of(out)).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/saml/alice")

    def test_session_not_on_or_after_caps_the_credentials(self):
        cap = int(time.time()) + 1200
        response = self.mint_saml(role_arn=f"arn:aws:iam::{ACCOUNT}:role/saml", session_not_on_or_after=cap)
        out = self.saml(response)
        expiration = out["Credentials"]["Expiration"].timestamp()
        self.assertLessEqual(expiration, cap)
        self.assertGreater(expiration, cap - 5)

    def test_rejections(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/saml"
        good = self.mint_saml(role_arn=role)
        xml = base64.b64decode(good).decode()
        tampered = base64.b64encode(xml.replace("stsd-test-user", "admin-user").encode()).decode()
        cases = [
            ("tampered", tampered, {}, ("InvalidIdentityToken", "Response signature invalid")),
            ("unsigned", self.mint_saml(role_arn=role, sign_assertion=False), {},
             ("InvalidIdentityToken", "Response signature invalid")),
            ("role not in the Role attribute", good, {"role": "nobody"},
             ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")),
            ("audience condition", self.mint_saml(role_arn=role, recipient="https://us-west-2.signin.aws.amazon.com/saml"),
             {}, ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")),
            ("bad session name", self.mint_saml(role_arn=role, session_name="bad name!"), {},
             ("InvalidIdentityToken", "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")),
        ]
        for name, response, kwargs, expected in cases:
            with self.subTest(name):
                self.assertEqual(error_of(self, self.saml, response=response, **kwargs), expected)
        for name, response in (
                ("recipient not AWS sign-in", self.mint_saml(role_arn=role, recipient="https://app.example.com/acs")),
                ("audience not AWS", self.mint_saml(role_arn=role, audience="https://app.example.com")),
                ("SessionDuration out of range", self.mint_saml(role_arn=role, session_duration=100))):
            with self.subTest(name):
                code, _ = error_of(self, self.saml, response=response)
                self.assertEqual(code, "InvalidIdentityToken")
        r = send(self.server, "POST", "/_stsd/saml/response", body=b'{"subject": "x"}')
        self.assertEqual(r.status, 400)
        code, _ = error_of(self, self.saml, response=self.mint_saml(role_arn=role, lifetime=-1200))
        self.assertEqual(code, "ExpiredTokenException")
        code, _ = error_of(self, self.saml, response=good, principal=f"arn:aws:iam::{ACCOUNT}:saml-provider/Nope")
        self.assertEqual(code, "InvalidIdentityToken")

    def test_metadata_is_published(self):
        r = send(self.server, "GET", "/_stsd/saml/metadata")
        self.assertEqual(r.status, 200)
        self.assertIn(b"https://saml.stsd.local", r.body)
        self.assertIn(b"X509Certificate", r.body)


XMLSEC1 = shutil.which("xmlsec1")
OPENSSL = shutil.which("openssl")


@unittest.skipUnless(XMLSEC1 and OPENSSL, "xmlsec1 and openssl command-line tools are needed (Debian: xmlsec1, openssl)")
class SamlSignedByXmlsecCliTest(StsdTestCase):
    """A provider whose metadata and responses the test makes with openssl and xmlsec1."""

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
                "Federated", f"arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP", "sts:AssumeRoleWithSAML",
                {"StringEquals": {"SAML:sub": "bob"}})}],
            "saml_providers": [{"account": ACCOUNT, "name": "TestIdP", "metadata": metadata}],
        }

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.keydir, ignore_errors=True)
        super().tearDownClass()

    def signed_response(self, subject="bob"):
        now = time.time()
        fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        role = f"arn:aws:iam::{ACCOUNT}:role/saml,arn:aws:iam::{ACCOUNT}:saml-provider/TestIdP"
        attr = lambda n, v: (f'<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/{n}">'
                             f'<saml:AttributeValue>{v}</saml:AttributeValue></saml:Attribute>')
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
            f'<saml:Subject><saml:NameID Format="{SAML_NS}:nameid-format:transient">{subject}</saml:NameID>'
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{fmt(now + 300)}" Recipient="https://signin.aws.amazon.com/saml"/>'
            '</saml:SubjectConfirmation></saml:Subject>'
            f'<saml:Conditions NotBefore="{fmt(now - 5)}" NotOnOrAfter="{fmt(now + 300)}"><saml:AudienceRestriction>'
            '<saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>'
            f'<saml:AttributeStatement>{attr("Role", role)}{attr("RoleSessionName", subject)}</saml:AttributeStatement>'
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

    def test_response_signed_by_xmlsec1_is_accepted(self):
        out = self.saml(self.signed_response())
        self.assertEqual(out["Subject"], "bob")
        self.assertEqual(out["SubjectType"], "transient")
        self.assertEqual(out["Issuer"], self.ENTITY)

    def test_issuer_other_than_the_metadata_entity_is_refused(self):
        self.ENTITY = "https://impostor.example.test/metadata"  # signed with the trusted key, wrong issuer
        code, message = error_of(self, self.saml, response=self.signed_response())
        self.assertEqual((code, message), ("InvalidIdentityToken", "Issuer not present in specified provider"))

    def test_trust_condition_on_saml_sub(self):
        code, _ = error_of(self, self.saml, response=self.signed_response(subject="mallory"))
        self.assertEqual(code, "AccessDenied")


class GetWebIdentityTokenTest(FederationCase):
    def setUp(self):
        if "GetWebIdentityToken" not in sts_client(self.server.url)._service_model.operation_names:
            self.skipTest(f"botocore {botocore.__version__} has no GetWebIdentityToken (newest STS model)")

    def jwk_for(self, kid):
        # GetWebIdentityToken's issuer is the account's own, with keys of its own.
        keys = json.loads(send(self.server, "GET", f"/_stsd/outbound/{ACCOUNT}/.well-known/jwks.json").body)["keys"]
        return next(k for k in keys if k["kid"] == kid)

    def test_refusals(self):
        alice = ("AKIAALICE00000000001", "alice-secret")
        client = sts_client(self.server.url, alice, validate=False)
        code, _ = error_of(self, client.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS512")
        self.assertEqual(code, "ValidationError")
        short = creds_of(sts_client(self.server.url, alice).get_session_token(DurationSeconds=900))
        code, _ = error_of(self, sts_client(self.server.url, short).get_web_identity_token,
                           Audience=["a"], SigningAlgorithm="RS256", DurationSeconds=3600)
        self.assertEqual(code, "AccessDenied")  # GetSessionToken credentials may only call AssumeRole
        role = sts_client(self.server.url, alice).assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/alice-role", RoleSessionName="s1", DurationSeconds=900)
        code, _ = error_of(self, sts_client(self.server.url, creds_of(role)).get_web_identity_token,
                           Audience=["a"], SigningAlgorithm="RS256", DurationSeconds=3600)
        self.assertEqual(code, "SessionDurationEscalationException")

    def test_tokens_carry_aws_claims_and_verify_with_the_published_keys(self):
        alice = ("AKIAALICE00000000001", "alice-secret")
        for alg in ("RS256", "ES384"):
            with self.subTest(alg=alg):
                out = sts_client(self.server.url, alice).get_web_identity_token(
                    Audience=["https://api.example.com"], SigningAlgorithm=alg, DurationSeconds=600,
                    Tags=[{"Key": "job", "Value": "42"}])
                token = out["WebIdentityToken"]
                header, claims, sig = jwt_parts(token)
                self.assertEqual(header["alg"], alg)
                issuer = json.loads(send(self.server, "GET",
                                         f"/_stsd/outbound/{ACCOUNT}/.well-known/openid-configuration").body)["issuer"]
                self.assertEqual(claims["iss"], issuer)
                self.assertEqual(claims["aud"], "https://api.example.com")
                self.assertEqual(claims["sub"], f"arn:aws:iam::{ACCOUNT}:user/alice")
                self.assertEqual(claims["exp"] - claims["iat"], 600)
                aws = claims["https://sts.amazonaws.com/"]
                self.assertEqual(aws["aws_account"], ACCOUNT)
                self.assertEqual(aws["request_tags"], {"job": "42"})
                if HAVE_CRYPTOGRAPHY:
                    jwk = self.jwk_for(header["kid"])
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
                # AWS refuses its own outbound tokens for inbound federation.
                code, _ = error_of(self, self.web_identity, token=token)
                self.assertEqual(code, "InvalidIdentityToken")


if __name__ == "__main__":
    unittest.main()
