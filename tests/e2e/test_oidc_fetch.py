"""OIDC providers without configured keys: stsd fetches the issuer's
/.well-known/openid-configuration and its jwks_uri, as AWS does.

The test runs its own identity providers on 127.0.0.1 (http.server in a
thread): an http one declared in the config (a local Keycloak/Dex), and an
https one with a self-signed certificate whose providers are created through
IAM, trusted only by a registered thumbprint. RSA keys and RS256 tokens are
made with the `cryptography` module."""

import base64
import hashlib
import http.server
import json
import os
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from botocore import UNSIGNED

from stsd_harness import ClosedPort, StsdTestCase

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
except ImportError:  # pragma: no cover
    rsa = None

ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/web-fetch"
IDP_MESSAGE = ("Couldn't retrieve verification key from your identity provider,  please reference "
               "AssumeRoleWithWebIdentity documentation for requirements")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(n):
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


class RsaKey:
    def __init__(self, kid):
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self):
        pub = self.key.public_key().public_numbers()
        return {"kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                "n": b64url(int_bytes(pub.n)), "e": b64url(int_bytes(pub.e))}

    def token(self, iss, aud="app", sub="user-1", lifetime=600):
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        now = int(time.time())
        claims = {"iss": iss, "aud": aud, "sub": sub, "iat": now, "exp": now + lifetime}
        signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
        signature = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return signing_input.decode() + "." + b64url(signature)


class Idp:
    """An OpenID provider on 127.0.0.1: any path ending in
    /.well-known/openid-configuration names <prefix>/jwks as its jwks_uri."""

    def __init__(self, tls_cert=None, tls_key=None):
        self.keys = []
        self.hits = []
        idp = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                idp.hits.append(self.path)
                if self.path.endswith("/.well-known/openid-configuration"):
                    prefix = self.path[: -len("/.well-known/openid-configuration")]
                    body = {"issuer": idp.base + prefix, "jwks_uri": idp.base + prefix + "/jwks"}
                elif self.path.endswith("/jwks"):
                    body = {"keys": [k.jwk() for k in idp.keys]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert, tls_key)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.base = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def jwks_hits(self):
        return sum(1 for p in self.hits if p.endswith("/jwks"))

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def self_signed(directory):
    cert, key = os.path.join(directory, "idp.crt"), os.path.join(directory, "idp.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True, capture_output=True).stdout
    return cert, key, hashlib.sha1(der).hexdigest()


@unittest.skipIf(rsa is None, "the cryptography module is not installed")
class OidcFetchTest(StsdTestCase):
    # The shortest refresh interval that still shows the rate limit on a
    # one-second clock (a 1 s interval may refresh at the next second tick).
    SERVER_ARGS = ("--oidc-key-refresh-s", "2")

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="stsd-idp-")
        cls.http_idp = Idp()
        cls.http_idp.keys = [RsaKey("k1")]
        cert, key, cls.thumbprint = self_signed(cls.tmp)
        cls.https_idp = Idp(cert, key)
        cls.https_idp.keys = [RsaKey("t1")]
        # A port that accepts connections but never answers (a hung IdP).
        cls.silent = socket.socket()
        cls.silent.bind(("127.0.0.1", 0))
        cls.silent.listen(8)
        cls.silent_url = f"http://127.0.0.1:{cls.silent.getsockname()[1]}"
        # A port that refuses connections (an IdP that is down), reserved for the class.
        cls.closed = ClosedPort().__enter__()
        cls.closed_url = f"http://127.0.0.1:{cls.closed.port}"
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.http_idp.stop()
            cls.https_idp.stop()
            cls.silent.close()
            cls.closed.__exit__(None, None, None)

    @classmethod
    def server_config(cls):
        def provider(url):
            return {"account": ACCOUNT, "url": url, "client_ids": ["app"]}
        return {
            "role_mode": "auto",
            "accounts": [{"id": ACCOUNT}],
            "users": [{"account": ACCOUNT, "name": "test", "access_keys": [{"id": "test", "secret": "test"}]}],
            # http issuers (local IdPs) are declared in the config: IAM takes https:// only, as AWS does.
            "oidc_providers": [provider(cls.http_idp.base), provider(cls.http_idp.base + "/rotating"),
                               provider(cls.silent_url), provider(cls.closed_url)],
        }

    def assume(self, token):
        sts = self.client(signature_version=UNSIGNED)
        return sts.assume_role_with_web_identity(RoleArn=ROLE, RoleSessionName="fetch", WebIdentityToken=token)

    def assertIdpError(self, token):
        err = self.assertClientError(lambda: self.assume(token), "IDPCommunicationError", status=400)
        self.assertEqual(err["Message"], IDP_MESSAGE)

    def test_http_issuer_keys_are_fetched_and_cached(self):
        key = self.http_idp.keys[0]
        r = self.assume(key.token(self.http_idp.base))
        self.assertEqual(r["SubjectFromWebIdentityToken"], "user-1")
        self.assertEqual(r["Audience"], "app")
        before = self.http_idp.jwks_hits()
        self.assume(key.token(self.http_idp.base, sub="user-2"))
        self.assertEqual(self.http_idp.jwks_hits(), before, "the key set is cached")

    def test_rotated_keys_are_fetched_for_an_unknown_kid(self):
        iss = self.http_idp.base + "/rotating"
        # Tokens with unknown kids, made first: key generation is slow next to the interval.
        stranger = RsaKey("nope")
        tokens = []
        for kid in ("nope-1", "nope-2", "nope-3"):
            stranger.kid = kid
            tokens.append(stranger.token(iss))
        old = self.http_idp.keys[0]
        self.assume(old.token(iss))
        new = RsaKey("k2")
        self.http_idp.keys = [old, new]
        time.sleep(2.1)  # --oidc-key-refresh-s 2: a refresh is allowed again
        r = self.assume(new.token(iss, sub="rotated"))
        self.assertEqual(r["SubjectFromWebIdentityToken"], "rotated")
        # Made-up kids right after: answered from the cache, at most one new
        # fetch (a loaded machine may cross the interval once).
        hits = self.http_idp.jwks_hits()
        started = time.monotonic()
        for token in tokens:
            err = self.assertClientError(lambda: self.assume(token), "InvalidIdentityToken", status=400)
            self.assertEqual(err["Message"], IDP_MESSAGE)
        if time.monotonic() - started < 0.9:  # a loaded machine may cross the interval
            self.assertLessEqual(self.http_idp.jwks_hits(), hits + 1)
        self.assertLessEqual(self.http_idp.jwks_hits(), hits + 1)

    def test_https_issuer_created_through_iam_with_thumbprint(self):
        iam = self.iam()
        url = self.https_idp.base
        iam.create_open_id_connect_provider(Url=url, ClientIDList=["app"], ThumbprintList=[self.thumbprint.upper()])
        key = self.https_idp.keys[0]
        r = self.assume(key.token(url))
        self.assertEqual(r["SubjectFromWebIdentityToken"], "user-1")

    def test_https_issuer_without_its_thumbprint_is_refused_until_registered(self):
        iam = self.iam()
        url = self.https_idp.base + "/untrusted"
        arn = iam.create_open_id_connect_provider(Url=url, ClientIDList=["app"],
                                                  ThumbprintList=["0" * 40])["OpenIDConnectProviderArn"]
        key = self.https_idp.keys[0]
        self.assertIdpError(key.token(url))
        iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                      ThumbprintList=[self.thumbprint])
        r = self.assume(key.token(url))
        self.assertEqual(r["SubjectFromWebIdentityToken"], "user-1")

    def test_unreachable_issuer_fails_quickly(self):
        key = self.http_idp.keys[0]
        started = time.monotonic()
        self.assertIdpError(key.token(self.closed_url))
        self.assertLess(time.monotonic() - started, 2.0)

    def test_hung_issuer_fails_within_the_timeout(self):
        key = self.http_idp.keys[0]
        started = time.monotonic()
        self.assertIdpError(key.token(self.silent_url))
        self.assertLess(time.monotonic() - started, 7.0)


if __name__ == "__main__":
    unittest.main()
