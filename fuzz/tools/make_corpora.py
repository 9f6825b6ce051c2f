#!/usr/bin/env python3
"""Makes the fuzz targets' seed corpora (all but SAML) and their fixtures.

  python3 fuzz/tools/make_corpora.py [--shared /work/shared]

- fuzz/keys/: fixed, test-only keys, made once (existing keys are kept).
  They protect nothing: they sign the seeds so that the targets reach their
  "signature verifies" paths.
- fuzz/fixtures.h: the public halves (the JWKS the JWT target verifies
  against, the certificates the SAML target trusts), fixed tokens, metadata.
- fuzz/corpus/{form,sigv4,policy,jwt,jwks,config,http_session}/: seeds taken from the
  tests' data (tests/unit/..., config/, the AWS SigV4 suite in the shared
  testdata, botocore-signed STS requests) and tokens minted here.
  The SAML seeds come from tools/mint_saml_seeds.cpp (xmlsec, as stsd signs).

Needs python3-cryptography and python3-botocore. Corpora stay small (at most
30 files and 100 KB per target): libFuzzer grows them, the seeds only have to
show it each input shape once.
"""
import argparse
import base64
import datetime
import hashlib
import json
import pathlib
import re
import shutil
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

FUZZ = pathlib.Path(__file__).resolve().parent.parent
REPO = FUZZ.parent
KEYS = FUZZ / "keys"
CORPUS = FUZZ / "corpus"
MAX_FILES = 30
MAX_BYTES = 100 * 1024


def b64url_uint(n: int, length: int | None = None) -> str:
    raw = n.to_bytes(length or (n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def load_or_make(name: str, make):
    path = KEYS / name
    if not path.exists():
        key = make()
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def cert_for(key, cn: str, name: str) -> x509.Certificate:
    path = KEYS / name
    if path.exists():
        return x509.load_pem_x509_certificate(path.read_bytes())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=365 * 30)).sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def rsa_jwk(key, kid: str, alg: str | None) -> dict:
    pub = key.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": kid, "use": "sig", "n": b64url_uint(pub.n), "e": b64url_uint(pub.e)}
    if alg:
        jwk["alg"] = alg
    return jwk


def ec_jwk(key, kid: str, crv: str, size: int) -> dict:
    pub = key.public_key().public_numbers()
    return {"kty": "EC", "kid": kid, "use": "sig", "crv": crv, "x": b64url_uint(pub.x, size),
            "y": b64url_uint(pub.y, size)}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
EC_SIZES = {"256": 32, "384": 48, "512": 66}


def jws(key, alg: str, header: dict, claims: dict | str) -> str:
    """Compact JWS as RFC 7515/7518 define it (ES: raw R||S)."""
    header = dict(header, alg=alg)
    payload = claims if isinstance(claims, str) else json.dumps(claims, separators=(",", ":"))
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(payload.encode())).encode()
    h = HASHES[alg[2:]]()
    if alg.startswith("RS"):
        sig = key.sign(signing_input, padding.PKCS1v15(), h)
    elif alg.startswith("PS"):
        sig = key.sign(signing_input, padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size), h)
    else:
        r, s_ = decode_dss_signature(key.sign(signing_input, ec.ECDSA(h)))
        size = EC_SIZES[alg[2:]]
        sig = r.to_bytes(size, "big") + s_.to_bytes(size, "big")
    return signing_input.decode() + "." + b64url(sig)


def write_corpus(target: str, items: list[tuple[str, str | bytes]]) -> None:
    """Replaces corpus/<target>/ with items [(name, content)]."""
    folder = CORPUS / target
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    seen = set()
    total = 0
    for name, content in items:
        data = content.encode() if isinstance(content, str) else content
        digest = hashlib.sha1(data).digest()
        if digest in seen:
            continue
        seen.add(digest)
        (folder / name).write_bytes(data)
        total += len(data)
    count = len(seen)
    assert count <= MAX_FILES and total <= MAX_BYTES, f"{target}: {count} files, {total} bytes"
    print(f"corpus/{target}: {count} files, {total} bytes")


def greedy(candidates: list[str], limit: int, tokens) -> list[str]:
    """Up to `limit` candidates, each adding the most tokens not yet seen."""
    chosen, seen = [], set()
    pool = list(dict.fromkeys(candidates))
    while pool and len(chosen) < limit:
        best = max(pool, key=lambda c: (len(tokens(c) - seen), -len(c)))
        if not tokens(best) - seen and chosen:
            break
        chosen.append(best)
        seen |= tokens(best)
        pool.remove(best)
    return chosen


def raw_literals(path: pathlib.Path) -> list[str]:
    return re.findall(r'R"\((.*?)\)"', path.read_text(), re.S)


def json_tokens(text: str) -> set:
    out = set()

    def walk(v, depth=0):
        if isinstance(v, dict):
            for k, x in v.items():
                out.add(("k", k))
                walk(x, depth + 1)
        elif isinstance(v, list):
            out.add(("list", depth))
            for x in v:
                walk(x, depth + 1)
        else:
            out.add(("v", type(v).__name__, str(v)[:24]))
    walk(json.loads(text))
    return out


def keys_and_fixtures() -> dict:
    KEYS.mkdir(exist_ok=True)
    rsa_key = load_or_make("jwt-rsa.pem", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    ec256 = load_or_make("jwt-ec256.pem", lambda: ec.generate_private_key(ec.SECP256R1()))
    ec384 = load_or_make("jwt-ec384.pem", lambda: ec.generate_private_key(ec.SECP384R1()))
    ec521 = load_or_make("jwt-ec521.pem", lambda: ec.generate_private_key(ec.SECP521R1()))
    saml_key = load_or_make("saml-idp.key.pem", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    saml_cert = cert_for(saml_key, "saml.fuzz.stsd.local", "saml-idp.cert.pem")
    other_key = load_or_make("saml-other.key.pem", lambda: ec.generate_private_key(ec.SECP256R1()))
    other_cert = cert_for(other_key, "other.fuzz.stsd.local", "saml-other.cert.pem")

    # The RSA key twice: once pinned to RS256, once (no "alg") for RS*/PS*.
    jwks = {"keys": [rsa_jwk(rsa_key, "rsa-rs256", "RS256"), rsa_jwk(rsa_key, "rsa", None),
                     ec_jwk(ec256, "ec256", "P-256", 32), ec_jwk(ec384, "ec384", "P-384", 48),
                     ec_jwk(ec521, "ec521", "P-521", 66)]}
    jwks_json = json.dumps(jwks, separators=(",", ":"), sort_keys=True)
    (KEYS / "jwks.json").write_text(jwks_json + "\n")

    def pem(cert):
        return cert.public_bytes(serialization.Encoding.PEM).decode()

    now = 1704164645  # 2024-01-02T03:04:05Z
    base_claims = {"iss": "https://oidc.fuzz.stsd.local", "sub": "alice", "aud": "sts.amazonaws.com",
                   "iat": now, "nbf": now, "exp": now + 3600}
    es256 = jws(ec256, "ES256", {"kid": "ec256", "typ": "JWT"}, base_claims)
    rs256 = jws(rsa_key, "RS256", {"kid": "rsa-rs256", "typ": "JWT"}, base_claims)
    ps256 = jws(rsa_key, "PS256", {"typ": "JWT"}, base_claims)
    metadata = f'''<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://saml.fuzz.stsd.local">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{base64.b64encode(saml_cert.public_bytes(serialization.Encoding.DER)).decode()}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://saml.fuzz.stsd.local/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
'''

    (FUZZ / "fixtures.h").write_text(f'''#pragma once
// Generated by fuzz/tools/make_keys.py from fuzz/keys/ (test-only keys that
// signed the seed corpora). Do not edit by hand.
#include <string_view>

namespace stsd::fuzz {{

// The JWKS the JWT target verifies against (public halves of keys/jwt-*.pem).
inline constexpr std::string_view kJwksJson = R"json({jwks_json})json";

// The certificate of keys/saml-idp.key.pem: signed the SAML seeds.
inline constexpr std::string_view kSamlIdpCertPem = R"pem({pem(saml_cert)})pem";

// An unrelated EC certificate the SAML target also trusts (tried first).
inline constexpr std::string_view kSamlOtherCertPem = R"pem({pem(other_cert)})pem";

// Metadata of the seeds' SAML IdP (the config target's metadata.xml side file).
inline constexpr std::string_view kSamlMetadataXml = R"xml({metadata})xml";

// Tokens valid against kJwksJson (the JWKS target verifies them with its input).
inline constexpr std::string_view kJwtEs256 = "{es256}";
inline constexpr std::string_view kJwtRs256 = "{rs256}";
inline constexpr std::string_view kJwtPs256NoKid = "{ps256}";

}}  // namespace stsd::fuzz
''')
    print("keys in", KEYS, "and", FUZZ / "fixtures.h")
    return {"rsa": rsa_key, "ec256": ec256, "ec384": ec384, "ec521": ec521, "jwks": jwks, "claims": base_claims,
            "metadata": metadata}


# --- JWT and JWKS -------------------------------------------------------------

def jwt_corpus(k: dict) -> None:
    c = k["claims"]
    tags = {"principal_tags": {"team": ["blue"], "project": "apollo"}, "transitive_tag_keys": ["team"]}
    rich = dict(c, aud=["sts.amazonaws.com", "other"], amr=["authenticated", "mfa"], email="alice@example.com",
                email_verified=True, azp="client-1", groups=["dev", 7, False], auth_time=c["iat"])
    items = [
        ("rs256", jws(k["rsa"], "RS256", {"kid": "rsa-rs256", "typ": "JWT"}, c)),
        ("rs384", jws(k["rsa"], "RS384", {"kid": "rsa"}, c)),
        ("rs512-nokid", jws(k["rsa"], "RS512", {}, c)),
        ("ps256-aud-list", jws(k["rsa"], "PS256", {"kid": "rsa"}, rich)),
        ("ps384", jws(k["rsa"], "PS384", {"kid": "rsa"}, c)),
        ("ps512", jws(k["rsa"], "PS512", {"kid": "rsa"}, c)),
        ("es256-claims", jws(k["ec256"], "ES256", {"kid": "ec256", "typ": "JWT"}, rich)),
        ("es384-tags", jws(k["ec384"], "ES384", {"kid": "ec384"}, dict(c, **{"https://aws.amazon.com/tags": tags}))),
        ("es512", jws(k["ec521"], "ES512", {"kid": "ec521"}, c)),
        ("es256-nokid", jws(k["ec256"], "ES256", {}, c)),
        ("es256-unknown-kid", jws(k["ec256"], "ES256", {"kid": "nope"}, c)),
        # the RS256-pinned key must refuse RS384
        ("rs384-pinned-kid", jws(k["rsa"], "RS384", {"kid": "rsa-rs256"}, c)),
        ("es256-wrong-curve", jws(k["ec256"], "ES256", {"kid": "ec384"}, c)),
        ("crit", jws(k["ec256"], "ES256", {"kid": "ec256", "crit": ["exp"]}, c)),
        ("kid-number", jws(k["ec256"], "ES256", {"kid": 7}, c)),
        ("float-exp", jws(k["ec256"], "ES256", {"kid": "ec256"}, dict(c, exp=1.5e9, nbf="1", iat=True))),
        ("bad-tags", jws(k["ec256"], "ES256", {"kid": "ec256"},
                         dict(c, **{"https://aws.amazon.com/tags": {"principal_tags": {"a": [1]}}}))),
        ("alg-none", b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(c).encode()) + "."),
        ("alg-hs256", b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + b64url(json.dumps(c).encode()) + ".c2ln"),
        ("padded", b64url(b'{"alg":"RS256"}') + "=." + b64url(b'{}') + ".c2lnbmF0dXJl"),
        ("four-segments", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln.eHh4"),
        # Raw form (see jwt_fuzzer.cpp): header JSON, claims JSON, signature bytes.
        ("raw-rs256", '{"alg":"RS256","kid":"rsa","typ":"JWT"}\n' + json.dumps(rich) + "\n" + "s" * 256),
        ("raw-es256-tags", '{"alg":"ES256","kid":"ec256"}\n' +
         json.dumps(dict(c, **{"https://aws.amazon.com/tags": tags})) + "\n" + "r" * 64),
        ("raw-es512-nested", '{"alg":"ES512","kid":"ec521","x":{"y":[1,2,{"z":null}]}}\n'
         '{"sub":"\\u00e9\\ud83d\\ude00","aud":[],"exp":18446744073709551616,"amr":[["x"]]}\n' + "q" * 132),
        ("raw-ps512", '{"alg":"PS512"}\n{"aud":"a","exp":-1,"nbf":1e3,"iat":0}\nsig'),
    ]
    write_corpus("jwt", items)


def jwks_corpus(k: dict) -> None:
    keys = k["jwks"]["keys"]
    rsa_pub = keys[1]
    ec_pub = keys[2]
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    dump = lambda v: json.dumps(v, indent=1)  # noqa: E731
    items = [
        ("fixture", dump(k["jwks"])),
        ("rsa", dump({"keys": [rsa_pub]})),
        ("ec-p256", dump({"keys": [ec_pub]})),
        ("ec-p384-p521", dump({"keys": keys[3:5]})),
        ("google-style", dump({"keys": [dict(rsa_pub, alg="RS256"), dict(keys[0], kid="b", alg="PS256")]})),
        ("use-enc-key-ops", dump({"keys": [dict(rsa_pub, use="enc"), dict({n: v for n, v in ec_pub.items() if n != "use"}, key_ops=["verify"]),
                                           dict(ec_pub, kid="k2", key_ops=["sign"])]})),
        ("alg-unsupported", dump({"keys": [dict(rsa_pub, alg="HS256"), dict(ec_pub, alg="EdDSA")]})),
        ("other-kty", dump({"keys": [{"kty": "oct", "k": "c2VjcmV0"}, {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
                                     rsa_pub]})),
        ("rsa-1024", dump({"keys": [rsa_jwk(small, "small", "RS256")]})),
        ("private-d", dump({"keys": [dict(ec_pub, d="AAAA")]})),
        ("ec-bad-point", dump({"keys": [dict(ec_pub, y=ec_pub["x"])]})),
        ("ec-wrong-size", dump({"keys": [dict(ec_pub, crv="P-384")]})),
        ("rsa-missing-n", dump({"keys": [{"kty": "RSA", "e": "AQAB", "kid": "x"}]})),
        ("rsa-padded-n", dump({"keys": [dict(rsa_pub, n=rsa_pub["n"] + "==")]})),
        ("x5c", dump({"keys": [dict(rsa_pub, x5c=["MIIB"], x5t="abc")]})),
        ("keys-object", '{"keys": {}}'),
        ("keys-empty", '{"keys": []}'),
        ("key-not-object", '{"keys": [1, "x", null]}'),
        ("not-object", '[{"keys": []}]'),
        ("kid-types", dump({"keys": [dict(ec_pub, kid=5), dict(rsa_pub, use=3)]})),
    ]
    write_corpus("jwks", items)


# --- Form bodies and SigV4 requests --------------------------------------------

def form_corpus() -> None:
    q = urllib.parse.urlencode
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                  "Resource": "*"}]})
    items = [
        ("get-caller-identity", "Action=GetCallerIdentity&Version=2011-06-15"),
        ("assume-role", q({"Action": "AssumeRole", "Version": "2011-06-15",
                           "RoleArn": "arn:aws:iam::111122223333:role/deploy", "RoleSessionName": "s1",
                           "DurationSeconds": "900", "ExternalId": "example-external-id",
                           "Tags.member.1.Key": "team", "Tags.member.1.Value": "blue",
                           "TransitiveTagKeys.member.1": "team",
                           "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                           "Policy": policy, "SerialNumber": "arn:aws:iam::111122223333:mfa/alice",
                           "TokenCode": "123456", "SourceIdentity": "alice"})),
        ("assume-role-web-identity", q({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                        "RoleArn": "arn:aws:iam::111122223333:role/web",
                                        "RoleSessionName": "web", "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
                                        "ProviderId": "www.amazon.com"})),
        ("assume-role-saml", q({"Action": "AssumeRoleWithSAML", "Version": "2011-06-15",
                                "RoleArn": "arn:aws:iam::111122223333:role/saml",
                                "PrincipalArn": "arn:aws:iam::111122223333:saml-provider/idp",
                                "SAMLAssertion": base64.b64encode(b"<samlp:Response/>").decode()})),
        ("get-session-token", "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600"
                              "&SerialNumber=GAHT12345678&TokenCode=123456"),
        ("get-federation-token", q({"Action": "GetFederationToken", "Version": "2011-06-15", "Name": "bob",
                                    "Policy": policy, "Tags.member.1.Key": "k", "Tags.member.1.Value": "v",
                                    "Tags.member.2.Key": "k2", "Tags.member.2.Value": ""})),
        ("decode-authorization-message", "Action=DecodeAuthorizationMessage&Version=2011-06-15"
                                         "&EncodedMessage=AbCd%2B%2F%3D%3D"),
        ("get-access-key-info", "Action=GetAccessKeyInfo&Version=2011-06-15&AccessKeyId=AKIAIOSFODNN7EXAMPLE"),
        ("presigned-query", "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                            "&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsts%2Faws4_request"
                            "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"
                            "&X-Amz-Security-Token=FQo%2Babc%3D%3D&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede"
                            "9550f4dce4144713e844b25b7192d3865d"),
        ("first-value-wins", "Action=A&Version=1&Action=B&Tags=&Flag&&=x"),
        ("escapes", "a%20b+c=%2F%2f&%=%4&%zz=%E2%9C%93&nul=%00&%41%42=%ff%FE"),
        ("malformed-tail", "k=v%&x=%2&y=%%41&=&&&"),
        ("utf8-invalid", b"RoleSessionName=\xc3\x28\xff&Name=%C3%28&Policy=%7B%22a%22%3A%22%ED%A0%80%22%7D"),
        ("many-params", "&".join(f"P{i}={i}" for i in range(200))),
        ("plus-and-spaces", "Name=a+b+%2B&Value=+++&Key+With+Space=x y"),
    ]
    write_corpus("form", items)


def http_text(method: str, url: str, headers, body: bytes) -> bytes:
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1"] + [f"{n}:{v}" for n, v in headers]
    return ("\n".join(lines) + "\n\n").encode() + body


def botocore_requests() -> list[tuple[str, bytes]]:
    from botocore.auth import SigV4Auth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    session = Credentials("ASIAEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "FQoGZXIvYXdzEXAMPLE+/=")
    out = []
    for name, c, body in [
        ("boto-post-get-caller-identity", creds, "Action=GetCallerIdentity&Version=2011-06-15"),
        ("boto-post-assume-role-token", session,
         "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeploy"
         "&RoleSessionName=s1"),
    ]:
        req = AWSRequest("POST", "https://sts.us-east-1.amazonaws.com/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(c, "sts", "us-east-1").add_auth(req)
        headers = [("Host", "sts.us-east-1.amazonaws.com")] + [(n, v) for n, v in req.headers.items()]
        out.append((name, http_text("POST", req.url, headers, body.encode())))
    # A presigned GetCallerIdentity as EKS tokens use (x-k8s-aws-id signed).
    req = AWSRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
                     headers={"x-k8s-aws-id": "my-cluster"})
    SigV4QueryAuth(session, "sts", "us-east-1", expires=60).add_auth(req)
    out.append(("boto-presigned-eks", http_text("GET", req.url, [("Host", "sts.amazonaws.com"),
                                                                 ("x-k8s-aws-id", "my-cluster")], b"")))
    return out


def sigv4_corpus(shared: pathlib.Path) -> None:
    suite = shared / "testdata" / "sigv4" / "v4"
    header_cases = ["get-vanilla", "get-header-key-duplicate", "get-header-value-multiline", "get-header-value-trim",
                    "get-relative-relative-normalized", "get-slash-dot-slash-unnormalized", "get-slashes-unnormalized",
                    "get-space-normalized", "get-unreserved", "get-utf8", "get-vanilla-empty-query-key",
                    "get-vanilla-query-order-encoded", "get-vanilla-with-session-token", "post-header-key-case",
                    "post-sts-header-after", "post-vanilla-query", "post-x-www-form-urlencoded-parameters"]
    query_cases = ["get-vanilla", "get-vanilla-query-unreserved", "get-vanilla-utf8-query",
                   "get-vanilla-with-session-token", "post-sts-header-before", "post-vanilla-empty-query-value",
                   "post-x-www-form-urlencoded"]
    items = []
    for case in header_cases:
        items.append((f"suite-header-{case}", (suite / case / "header-signed-request.txt").read_bytes()))
    for case in query_cases:
        items.append((f"suite-query-{case}", (suite / case / "query-signed-request.txt").read_bytes()))
    items += botocore_requests()
    # Error shapes from tests/unit/sigv4/parser_test.cpp.
    items += [
        ("err-no-equals", b"GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
                          b"Authorization:AWS4-HMAC-SHA256 FooBar, Credential=a/b/c/d/e\n\n"),
        ("err-date-mismatch", b"GET / HTTP/1.1\nHost:h\nDate:20150831T000000Z\nAuthorization:AWS4-HMAC-SHA256 "
                              b"Credential=AKID/20150830/us-east-1/sts/aws4_request/, SignedHeaders=Host;Date, "
                              b"Signature=abc\n\n"),
        ("err-both-forms", b"GET /?X-Amz-Algorithm=AWS4-HMAC-SHA256 HTTP/1.1\nHost:h\nAuthorization:AWS4-X\n\n"),
    ]
    write_corpus("sigv4", items)


# --- Policies and configs ------------------------------------------------------

def policy_corpus() -> None:
    tests = REPO / "tests" / "unit" / "domain"
    candidates = []
    for name in ["policy_test.cpp", "policy_validation_test.cpp", "policy_condition_test.cpp"]:
        for lit in raw_literals(tests / name):
            try:
                doc = json.loads(lit)
            except ValueError:
                continue
            if isinstance(doc, dict) and "Statement" in doc:
                candidates.append(lit)
    # Every condition-operator family and the policy variables, on keys the
    # fuzz target's fixed requests carry (policy_condition_test.cpp builds
    # these from a template, so they are not literals there).
    cond = lambda c: json.dumps({"Version": "2012-10-17", "Statement": [  # noqa: E731
        {"Sid": "S1", "Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/ci"],
                                                       "Federated": "accounts.google.com",
                                                       "Service": "ec2.amazonaws.com"},
         "Action": ["sts:AssumeRole*", "sts:TagSession"], "Condition": c}]})
    hand = [
        cond({"StringEquals": {"sts:ExternalId": "s3cret", "aws:PrincipalTag/team": ["blue", "red"]},
              "StringLikeIfExists": {"sts:RoleSessionName": "alice-*"},
              "StringNotEqualsIgnoreCase": {"aws:username": "BOB"}}),
        cond({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}, "NumericNotEquals": {"test:number": -12.5},
              "Bool": {"aws:MultiFactorAuthPresent": True}, "Null": {"aws:TokenIssueTime": "false"}}),
        cond({"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
              "DateLessThan": {"aws:EpochTime": "1804164645"}, "DateEquals": {"aws:TokenIssueTime": "2024-01-02"}}),
        cond({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
              "NotIpAddress": {"test:ipv6": "2001:db8::1/128"}, "BinaryEquals": {"test:binary": "AQID"}}),
        cond({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"},
              "ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::other"},
              "ForAllValues:StringEquals": {"aws:TagKeys": ["project", "cost-center"]},
              "ForAnyValue:StringLike": {"oidc.example.com:amr": "mfa"}}),
        cond({"StringEquals": {"accounts.google.com:aud": "client-1.apps.googleusercontent.com",
                               "saml:aud": "https://signin.aws.amazon.com/saml"},
              "ForAnyValue:StringEqualsIfExists": {"saml:edupersonaffiliation": ["staff"]}}),
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/${aws:username}/*"},
            {"Effect": "Deny", "NotAction": "s3:Get*", "NotResource": ["arn:aws:s3:::${aws:PrincipalTag/team, 'x'}",
                                                                        "${*}${?}${$}"]},
            {"Effect": "Allow", "Action": "*", "Resource": "*",
             "Condition": {"StringLike": {"aws:userid": "${aws:userid}"}}}]}),
        json.dumps({"Version": "2012-10-17", "Statement": {
            "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root", "CanonicalUser": "79a5"},
            "Action": "*", "Resource": "*"}}),
    ]
    chosen = greedy(candidates, 30 - len(hand), json_tokens)
    write_corpus("policy", [(f"hand-{i:02}", t) for i, t in enumerate(hand)] +
                 [(f"tests-{i:02}", t) for i, t in enumerate(chosen)])


def config_corpus(k: dict) -> None:
    tests = REPO / "tests" / "unit" / "config"
    candidates = []
    for name in ["config_test.cpp", "config_errors_test.cpp", "config_files_test.cpp"]:
        for lit in raw_literals(tests / name):
            try:
                doc = json.loads(lit)
            except ValueError:
                continue
            if isinstance(doc, dict) and "accounts" in doc:
                candidates.append(lit)
    default = re.search(r'kDefault = R"\((.*?)\)";', (REPO / "src" / "config" / "default_config.cpp").read_text(),
                        re.S).group(1)
    account = [{"id": "111122223333"}]
    side = lambda **kw: json.dumps(dict({"accounts": account}, **kw), indent=2)  # noqa: E731
    hand = [
        ("example", (REPO / "config" / "example.json").read_text()),
        ("default", default),
        ("jwks-file", side(oidc_providers=[{"account": "111122223333", "url": "https://oidc.example.com",
                                            "client_ids": ["sts.amazonaws.com"], "thumbprints": ["a" * 40],
                                            "jwks_file": "jwks.json"}])),
        ("jwks-inline", side(oidc_providers=[{"account": "111122223333", "url": "https://oidc.example.com",
                                              "client_ids": ["c"], "jwks": k["jwks"]}])),
        ("metadata-file", side(saml_providers=[{"account": "111122223333", "name": "idp",
                                                "metadata_file": "metadata.xml"}])),
        ("metadata-inline", side(saml_providers=[{"account": "111122223333", "name": "idp",
                                                  "metadata": k["metadata"]}])),
        ("side-file-errors", side(oidc_providers=[{"account": "111122223333", "url": "https://a", "client_ids": [],
                                                   "jwks_file": "bad.json"},
                                                  {"account": "111122223333", "url": "https://b", "client_ids": [],
                                                   "jwks_file": "dir"}],
                                  saml_providers=[{"account": "111122223333", "name": "e",
                                                   "metadata_file": "empty.txt"},
                                                  {"account": "111122223333", "name": "l",
                                                   "metadata_file": "latin1.xml"},
                                                  {"account": "111122223333", "name": "m",
                                                   "metadata_file": "missing.xml"}])),
    ]
    chosen = greedy(candidates, 30 - len(hand), json_tokens)
    write_corpus("config", hand + [(f"tests-{i:02}", t) for i, t in enumerate(chosen)])


def http_session_corpus() -> None:
    """The raw-HTTP cases of tests/e2e/test_abuse.py and test_http_hardening.py,
    sized for the target's limits (head 1024, body 2048, budget 1536). Byte 0
    is the read size: 0x80 reads 64 KiB at a time, n < 0x40 reads n + 1 bytes."""
    gci = b"Action=GetCallerIdentity&Version=2011-06-15"

    def post(target, body, extra=b""):
        return (b"POST " + target + b" HTTP/1.1\r\nHost: sts.test\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: %d\r\n" % len(body) + extra + b"\r\n" + body)

    def get(target, extra=b""):
        return b"GET " + target + b" HTTP/1.1\r\nHost: sts.test\r\n" + extra + b"\r\n"

    def chunked(target, chunks, trailer=b"", te=b"chunked"):
        out = b"POST " + target + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + b"\r\n\r\n"
        for c in chunks:
            out += b"%x\r\n" % len(c) + c + b"\r\n"
        return out + b"0\r\n" + trailer + b"\r\n"

    raw_post = b"POST / HTTP/1.1\r\nHost: x\r\n"
    write_corpus("http_session", [
        ("get", b"\x80" + get(b"/_stsd/health")),
        ("post-form", b"\x80" + post(b"/", gci)),
        ("pipelined", b"\x80" + get(b"/a") + post(b"/b", b"body-b") + get(b"/c") + post(b"/d", b"")),
        ("pipelined-byte-reads", b"\x00" + post(b"/first", b"one=1") + get(b"/second")),
        ("split-reads", b"\x06" + post(b"/split", gci)),
        ("chunked", b"\x80" + chunked(b"/c", [b"Action=", b"GetCallerIdentity"])),
        ("chunked-trailer", b"\x80" + chunked(b"/t", [b"abc", b"de"], b"X-Trailer: t\r\nAuthorization: no\r\n")
         + get(b"/after")),
        ("chunked-trailer-big", b"\x3f" + chunked(b"/t", [b"abc"], b"X-Big: " + b"a" * 1200 + b"\r\n")),
        ("chunked-extension", b"\x80" + chunked(b"/e", [b"abc"]).replace(b"3\r\nabc", b"3;name=value;q=\"x\"\r\nabc")),
        ("chunked-over-limit", b"\x80" + chunked(b"/o", [b"x" * 1500, b"y" * 1000])),
        ("chunked-over-budget", b"\x80" + chunked(b"/o", [b"x" * 1000, b"y" * 700])),
        ("te-gzip", b"\x80" + raw_post + b"Transfer-Encoding: gzip\r\n\r\n" + get(b"/smuggled")),
        ("te-chunked-identity", b"\x80" + raw_post + b"Transfer-Encoding: chunked, identity\r\n\r\n" + get(b"/s")),
        ("te-gzip-chunked", b"\x80" + chunked(b"/g", [b"abc"], te=b"gzip, chunked")),
        ("length-and-chunked", b"\x80" + raw_post + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"3\r\nabc\r\n0\r\n\r\n"),
        ("two-lengths", b"\x80" + raw_post + b"Content-Length: 3\r\nContent-Length: 7\r\n\r\nabc"),
        ("body-over-limit", b"\x80" + post(b"/", b"a" * 2049)),
        ("body-at-limit", b"\x80" + post(b"/", b"a" * 1500)),
        ("expect-continue", b"\x80" + post(b"/e", b"body", b"Expect: 100-continue\r\n") + get(b"/next")),
        ("http10", b"\x80" + b"GET /http10 HTTP/1.0\r\n\r\n"),
        ("http10-chunked-keepalive", b"\x80" + b"POST /old HTTP/1.0\r\nConnection: keep-alive\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
        ("head", b"\x80" + b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n" + get(b"/after-head")),
        ("handler-throws", b"\x80" + get(b"/throw") + get(b"/fine")),
        ("oversized-head", b"\x80" + get(b"/", b"X-Big: " + b"a" * 1100 + b"\r\n")),
        ("obs-fold-bare-lf", b"\x80" + b"GET /f HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"
         b"GET /lf HTTP/1.1\nHost: x\n\n"),
        ("garbage", b"\x80" + b"\x16\x03\x01 this is not HTTP\r\n\r\n"),
        ("bad-chunk-size", b"\x80" + raw_post + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
        ("huge-chunk-size", b"\x80" + raw_post + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nabc\r\n"),
        ("connection-close", b"\x80" + get(b"/bye", b"Connection: close\r\n") + get(b"/unread")),
        ("garbage-after-request", b"\x80" + get(b"/ok") + b"BROKEN\x00 / HTTP/1.1\r\n\r\n" + get(b"/never")),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"), help="the shared spec/testdata folder")
    args = parser.parse_args()
    k = keys_and_fixtures()
    jwt_corpus(k)
    jwks_corpus(k)
    form_corpus()
    sigv4_corpus(pathlib.Path(args.shared))
    policy_corpus()
    config_corpus(k)
    http_session_corpus()


if __name__ == "__main__":
    main()
