"""End-to-end: presigned GetCallerIdentity URLs, as Vault, EKS
(aws-iam-authenticator) and similar callers use them to prove an identity.
URLs are made with botocore's own presigner and fetched with plain HTTP GETs.
"""

import base64
import datetime
import json
import time
import urllib.parse

import stsd_harness as h
from stsd_harness import DEFAULT_ACCOUNT, DEFAULT_USER_ARN, STS_NS, TEST_KEY, UUID_RE

CLUSTER_HEADER = "x-k8s-aws-id"
TOKEN_PREFIX = "k8s-aws-v1."


def query_of(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def with_query_param(url, name, value):
    split = urllib.parse.urlsplit(url)
    pairs = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
    pairs = [(k, value if k == name else v) for k, v in pairs]
    return urllib.parse.urlunsplit(split._replace(query=urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)))


def eks_token(client, cluster):
    """What aws-iam-authenticator does: presign GetCallerIdentity with the
    cluster id as an extra signed header, then base64url it."""

    def add_cluster_header(request, **kwargs):
        request.headers[CLUSTER_HEADER] = cluster

    client.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster_header)
    try:
        url = client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET")
    finally:
        client.meta.events.unregister("before-sign.sts.GetCallerIdentity", add_cluster_header)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(url.encode()).decode().rstrip("="), url


def url_of_eks_token(token):
    assert token.startswith(TOKEN_PREFIX), token
    payload = token[len(TOKEN_PREFIX):]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


def error_code(resp):
    """The error code of an XML or (Accept: application/json) JSON error."""
    if "json" not in (resp.header("Content-Type") or ""):
        return h.parse_error(resp.body)["code"]
    doc = json.loads(resp.body)
    doc = doc.get("ErrorResponse", doc)
    return doc["Error"]["Code"]


class PresignTest(h.StsdTestCase):

    def assertCaller(self, resp, arn):
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, rid = h.parse_result(resp.body, "GetCallerIdentity")
        self.assertEqual(result["Arn"], arn, f"response: {resp!r}")
        self.assertEqual(resp.header("x-amzn-RequestId"), rid)
        return result

    def assertSignatureDoesNotMatch(self, resp, prefix=None):
        self.assertEqual(resp.status, 403, f"response: {resp!r}")
        err = h.parse_error(resp.body)
        self.assertEqual(err["code"], "SignatureDoesNotMatch", f"response: {resp!r}")
        self.assertEqual(err["ns"], STS_NS)
        if prefix:
            self.assertTrue((err["message"] or "").startswith(prefix), f"response: {resp!r}")
        return err

    def test_presigned_get_caller_identity(self):
        client = self.client()
        url = client.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        self.assertTrue(url.startswith(self.server.url + "/?"), url)
        q = query_of(url)
        for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                     "X-Amz-SignedHeaders", "X-Amz-Signature"):
            self.assertIn(name, q, url)
        self.assertEqual(q["Action"], ["GetCallerIdentity"])
        expected = client.get_caller_identity()
        result = self.assertCaller(h.get_url(url), DEFAULT_USER_ARN)
        self.assertEqual(result["UserId"], expected["UserId"])
        self.assertEqual(result["Account"], DEFAULT_ACCOUNT)

    def test_method_is_signed(self):
        # botocore presigns for the operation's method (POST) unless told
        # otherwise; the method is part of the canonical request, so such a
        # URL fetched with GET does not match (as on AWS).
        url = self.client().generate_presigned_url("get_caller_identity", ExpiresIn=60)
        self.assertSignatureDoesNotMatch(h.get_url(url))

    def test_presigned_in_other_regions(self):
        for region, partition in (("eu-west-3", "aws"), ("us-gov-west-1", "aws-us-gov")):
            with self.subTest(region=region):
                url = self.client(region=region).generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
                self.assertIn(f"%2F{region}%2Fsts%2Faws4_request", url)
                self.assertCaller(h.get_url(url), DEFAULT_USER_ARN.replace("arn:aws:", f"arn:{partition}:"))

    def test_presigned_url_is_reusable(self):
        url = self.client().generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        for _ in range(3):
            self.assertCaller(h.get_url(url), DEFAULT_USER_ARN)

    def test_x_amz_expires_is_ignored(self):
        # AWS honours presigned STS URLs for 15 minutes from X-Amz-Date,
        # whatever X-Amz-Expires says.
        url = self.client().generate_presigned_url("get_caller_identity", ExpiresIn=1, HttpMethod="GET")
        self.assertEqual(query_of(url)["X-Amz-Expires"], ["1"])
        time.sleep(2.2)
        self.assertCaller(h.get_url(url), DEFAULT_USER_ARN)

    def test_presigned_fifteen_minutes_window(self):
        params = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
        recent = h.utcnow() - datetime.timedelta(minutes=14)
        self.assertCaller(h.get_url(h.presigned_url(self.server, params, at=recent, expires=60)), DEFAULT_USER_ARN)
        old = h.utcnow() - datetime.timedelta(minutes=16)
        self.assertSignatureDoesNotMatch(h.get_url(h.presigned_url(self.server, params, at=old, expires=900)),
                                         "Signature expired: ")

    def test_tampered_presigned_url(self):
        url = self.client().generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        sig = query_of(url)["X-Amz-Signature"][0]
        flipped = sig[:-1] + ("0" if sig[-1] != "0" else "1")
        for bad in (with_query_param(url, "X-Amz-Signature", flipped),
                    url + "&Extra=1",
                    with_query_param(url, "X-Amz-Date", (h.utcnow() - datetime.timedelta(seconds=30))
                                     .strftime(h.SIGV4_TIMESTAMP))):
            with self.subTest(url=bad):
                self.assertSignatureDoesNotMatch(h.get_url(bad))

    def test_presigned_with_unknown_key(self):
        url = self.client(("AKIAZZZZZZZZZZZZZZZZ", "x")).generate_presigned_url("get_caller_identity",
                                                                                ExpiresIn=60)
        resp = h.get_url(url)
        self.assertEqual(resp.status, 403, f"response: {resp!r}")
        self.assertEqual(h.parse_error(resp.body)["code"], "InvalidClientTokenId")

    def test_presigned_with_session_token(self):
        resp = self.client().assume_role(RoleArn="arn:aws:iam::123456789012:role/presigner",
                                         RoleSessionName="presign")
        role_client = self.client(h.creds_of(resp))
        url = role_client.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
        q = query_of(url)
        self.assertEqual(q["X-Amz-Security-Token"], [resp["Credentials"]["SessionToken"]])
        result = self.assertCaller(h.get_url(url), resp["AssumedRoleUser"]["Arn"])
        self.assertEqual(result["UserId"], resp["AssumedRoleUser"]["AssumedRoleId"])
        self.assertEqual(result["Account"], "123456789012")
        # The token is part of what was signed.
        other = self.client().assume_role(RoleArn="arn:aws:iam::123456789012:role/presigner",
                                          RoleSessionName="other")["Credentials"]["SessionToken"]
        bad = h.get_url(with_query_param(url, "X-Amz-Security-Token", other))
        self.assertEqual(bad.status, 403, f"response: {bad!r}")
        self.assertIn(h.parse_error(bad.body)["code"], ("InvalidClientTokenId", "SignatureDoesNotMatch"))

    def test_presigned_other_action(self):
        url = self.client().generate_presigned_url(
            "assume_role", Params={"RoleArn": "arn:aws:iam::123456789012:role/byurl", "RoleSessionName": "url"},
            ExpiresIn=60, HttpMethod="GET")
        resp = h.get_url(url)
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        result, _ = h.parse_result(resp.body, "AssumeRole")
        self.assertEqual(result["AssumedRoleUser"]["Arn"], "arn:aws:sts::123456789012:assumed-role/byurl/url")


class EksTokenTest(h.StsdTestCase):

    def test_eks_token_round_trip(self):
        client = self.client()
        token, url = eks_token(client, "my-cluster")
        self.assertEqual(url_of_eks_token(token), url)
        self.assertNotIn("=", token[len(TOKEN_PREFIX):])
        signed_headers = query_of(url)["X-Amz-SignedHeaders"][0].split(";")
        self.assertIn(CLUSTER_HEADER, signed_headers)
        self.assertIn("host", signed_headers)

        expected = client.get_caller_identity()
        resp = h.get_url(url_of_eks_token(token), headers={CLUSTER_HEADER: "my-cluster",
                                                            "Accept": "application/json"})
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertIn("json", resp.header("Content-Type", ""), f"response: {resp!r}")
        doc = json.loads(resp.body)
        self.assertEqual(set(doc), {"GetCallerIdentityResponse"}, doc)
        body = doc["GetCallerIdentityResponse"]
        self.assertEqual(set(body), {"GetCallerIdentityResult", "ResponseMetadata"}, doc)
        self.assertEqual(body["GetCallerIdentityResult"],
                         {"Account": DEFAULT_ACCOUNT, "Arn": DEFAULT_USER_ARN, "UserId": expected["UserId"]})
        self.assertEqual(set(body["ResponseMetadata"]), {"RequestId"}, doc)
        self.assertRegex(body["ResponseMetadata"]["RequestId"], "^" + UUID_RE + "$")
        self.assertEqual(resp.header("x-amzn-RequestId"), body["ResponseMetadata"]["RequestId"])

    def test_eks_token_without_json(self):
        token, _ = eks_token(self.client(), "my-cluster")
        resp = h.get_url(url_of_eks_token(token), headers={CLUSTER_HEADER: "my-cluster"})
        self.assertEqual(resp.status, 200, f"response: {resp!r}")
        self.assertEqual(resp.header("Content-Type"), "text/xml")
        self.assertEqual(h.parse_result(resp.body, "GetCallerIdentity")[0]["Arn"], DEFAULT_USER_ARN)

    def test_eks_token_for_another_cluster(self):
        token, _ = eks_token(self.client(), "my-cluster")
        url = url_of_eks_token(token)
        for headers in ({CLUSTER_HEADER: "other-cluster", "Accept": "application/json"},
                        {"Accept": "application/json"}):
            with self.subTest(headers=headers):
                resp = h.get_url(url, headers=headers)
                self.assertEqual(resp.status, 403, f"response: {resp!r}")
                self.assertEqual(error_code(resp), "SignatureDoesNotMatch", f"response: {resp!r}")

    def test_eks_token_with_role_credentials(self):
        resp = self.client().assume_role(RoleArn="arn:aws:iam::210987654321:role/eks-node",
                                         RoleSessionName="node-1")
        token, _ = eks_token(self.client(h.creds_of(resp)), "prod")
        got = h.get_url(url_of_eks_token(token), headers={CLUSTER_HEADER: "prod", "Accept": "application/json"})
        self.assertEqual(got.status, 200, f"response: {got!r}")
        result = json.loads(got.body)["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
        self.assertEqual(result, {"Account": "210987654321", "Arn": resp["AssumedRoleUser"]["Arn"],
                                  "UserId": resp["AssumedRoleUser"]["AssumedRoleId"]})


if __name__ == "__main__":
    h.main()
