"""The console's data endpoints against the real binary: GET /_stsd/requests/{id}
(a request's decision trace, id = x-amzn-RequestId) for allowed and denied
AssumeRole and web-identity calls, failed requests listed with the action
they asked for, the live stream (Server-Sent Events) and its subscriber cap,
admin_token on every data endpoint (the page itself stays open), the strict
Content-Security-Policy, and --console-ring-size."""

import http.client
import json
import re
import socket
import time
import unittest
import urllib.parse

import botocore.exceptions

from stsd_harness import StsdServer, StsdTestCase, iam_client, send, sts_client

ACCOUNT = "111122223333"
TOKEN = "console-admin-token"
ALICE = ("AKIAALICE00000000001", "alice-secret")
ALICE_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
DEPLOY_ARN = f"arn:aws:iam::{ACCOUNT}:role/deploy"
APP_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.stsd.local"
XSS = "<img src=x onerror=alert(1)>"


def console_config(**extra):
    config = {
        "admin_token": TOKEN,
        "accounts": [{"id": ACCOUNT}],
        "users": [{"account": ACCOUNT, "name": "alice",
                   "access_keys": [{"id": ALICE[0], "secret": ALICE[1]}]}],
        "roles": [
            {"account": ACCOUNT, "name": "deploy", "trust_policy": {
                "Version": "2012-10-17",
                "Statement": [{"Sid": "AliceWithExternalId", "Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"AWS": ALICE_ARN},
                               "Condition": {"StringEquals": {"sts:ExternalId": "xyz"}}}]}},
            {"account": ACCOUNT, "name": "app", "trust_policy": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                               "Principal": {"Federated": PROVIDER_ARN},
                               "Condition": {"StringEquals": {"oidc.stsd.local:sub": "ci"}}}]}},
        ],
        "oidc_providers": [{"account": ACCOUNT, "url": "https://oidc.stsd.local",
                            "client_ids": ["sts.amazonaws.com"], "builtin": True}],
    }
    config.update(extra)
    return config


def bearer(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


def request_id_of(error):
    return error.response["ResponseMetadata"]["RequestId"]


class ConsoleTest(StsdTestCase):
    @classmethod
    def server_config(cls):
        return console_config()

    def get_json(self, path, token=TOKEN):
        response = send(self.server, "GET", path, headers=bearer(token) if token else {})
        return response, (json.loads(response.body) if response.body else None)

    def trace(self, request_id):
        # The record is added right after the answer is written: allow a moment.
        for _ in range(50):
            response, body = self.get_json(f"/_stsd/requests/{request_id}")
            if response.status == 200:
                return body
            time.sleep(0.02)
        self.fail(f"no trace for {request_id}: {response.status} {response.body!r}")

    def test_denied_assume_role_trace_names_the_missing_external_id(self):
        sts = sts_client(self.server.url, ALICE)
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            sts.assume_role(RoleArn=DEPLOY_ARN, RoleSessionName="s1")
        rid = request_id_of(caught.exception)
        t = self.trace(rid)
        self.assertEqual(t["request_id"], rid)
        self.assertEqual(t["action"], "AssumeRole")
        self.assertEqual(t["principal"], ALICE_ARN)
        self.assertEqual(t["status"], 403)
        self.assertEqual(t["error_code"], "AccessDenied")
        self.assertEqual(t["outcome"], "denied")
        d = t["decision"]
        self.assertEqual(d["deciding_rule"], "TrustNotSatisfied")
        self.assertEqual(d["refinement"], "ExternalIdMissing")
        self.assertIn("ExternalId missing", d["summary"])
        check = d["checks"][0]
        self.assertEqual(check["action"], "sts:AssumeRole")
        self.assertEqual(check["role"], DEPLOY_ARN)
        trust = check["policies"][0]
        self.assertEqual(trust["source"], "trust")
        statement = trust["statements"][0]
        self.assertEqual(statement["sid"], "AliceWithExternalId")
        self.assertTrue(statement["principal_matches"])
        self.assertFalse(statement["applies"])
        condition = statement["conditions"][0]
        self.assertEqual((condition["key"], condition["expected"], condition["actual"], condition["holds"]),
                         ("sts:ExternalId", ["xyz"], [], False))
        self.assertEqual(d["suggestion"]["statement"],
                         {"Effect": "Allow", "Principal": {"AWS": ALICE_ARN}, "Action": "sts:AssumeRole"})
        self.assertEqual(json.loads(d["suggestion"]["text"]), d["suggestion"]["statement"])

    def test_allowed_assume_role_trace(self):
        sts = sts_client(self.server.url, ALICE)
        out = sts.assume_role(RoleArn=DEPLOY_ARN, RoleSessionName="s1", ExternalId="xyz")
        t = self.trace(out["ResponseMetadata"]["RequestId"])
        self.assertEqual(t["outcome"], "allowed")
        self.assertEqual(t["decision"]["deciding_rule"], "Allowed")
        self.assertIsNone(t["decision"]["suggestion"])
        condition = t["decision"]["checks"][0]["policies"][0]["statements"][0]["conditions"][0]
        self.assertEqual((condition["actual"], condition["holds"]), (["xyz"], True))

    def test_web_identity_denial_shows_the_sub_claim_as_data(self):
        minted = send(self.server, "POST", "/_stsd/oidc/token", body=json.dumps({"sub": XSS}).encode(),
                      headers=bearer())
        self.assertEqual(minted.status, 200, minted.body)
        token = json.loads(minted.body)["token"]
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            sts_client(self.server.url).assume_role_with_web_identity(
                RoleArn=APP_ARN, RoleSessionName="s1", WebIdentityToken=token)
        t = self.trace(request_id_of(caught.exception))
        self.assertEqual(t["principal"], PROVIDER_ARN)
        self.assertEqual(t["subject"], XSS)
        d = t["decision"]
        self.assertEqual(d["deciding_rule"], "TrustNotSatisfied")
        self.assertEqual(d["refinement"], "ConditionNotMet")
        self.assertEqual(d["checks"][0]["context"]["oidc.stsd.local:sub"], [XSS])
        self.assertEqual(d["suggestion"]["statement"]["Principal"], {"Federated": PROVIDER_ARN})

    def test_unknown_action_is_listed_with_the_name_it_asked_for(self):
        body = urllib.parse.urlencode({"Action": XSS, "Version": "2011-06-15"}).encode()
        response = send(self.server, "POST", "/", body=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": XSS})
        self.assertEqual(response.status, 400)
        t = self.trace(response.header("x-amzn-RequestId"))
        self.assertEqual(t["action"], XSS)
        self.assertEqual(t["user_agent"], XSS)
        self.assertEqual(t["error_code"], "InvalidAction")
        self.assertEqual(t["decision"]["deciding_rule"], "NotAuthorization")
        response, listed = self.get_json("/_stsd/requests?limit=5")
        self.assertEqual(response.status, 200)
        self.assertIn(XSS, [r["action"] for r in listed])

    def test_unknown_request_id_is_404(self):
        response, body = self.get_json("/_stsd/requests/00000000-0000-4000-8000-000000000000")
        self.assertEqual(response.status, 404)
        self.assertEqual(body["code"], "NotFound")

    def test_every_data_endpoint_needs_the_token_but_the_page_does_not(self):
        for path in ("/_stsd/requests", "/_stsd/requests/x", "/_stsd/console/events",
                     "/_stsd/console/identities", "/_stsd/console/info"):
            for token in (None, "wrong"):
                response, body = self.get_json(path, token)
                self.assertEqual(response.status, 401, (path, token))
                self.assertEqual(body["code"], "Unauthorized")
        for path in ("/_stsd/ui", "/_stsd/ui/app.js", "/_stsd/ui/app.css"):
            response = send(self.server, "GET", path)
            self.assertEqual(response.status, 200, path)
        response, body = self.get_json("/_stsd/console/info")
        self.assertEqual(response.status, 200)
        self.assertTrue(body["token_required"])
        self.assertEqual(body["ring_size"], 1000)

    def test_page_is_served_with_a_strict_policy(self):
        page = send(self.server, "GET", "/_stsd/ui")
        self.assertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        csp = page.header("Content-Security-Policy")
        self.assertIn("default-src 'self'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(page.header("X-Content-Type-Options"), "nosniff")
        html = page.text
        self.assertIn('<script src="/_stsd/ui/app.js"', html)
        self.assertNotIn("<script>", html)
        self.assertNotIn("style=", html)
        script = send(self.server, "GET", "/_stsd/ui/app.js")
        self.assertEqual(script.header("Content-Type"), "text/javascript; charset=utf-8")
        # The DOM is built from text nodes only: no HTML parser is ever fed data.
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            self.assertFalse(sink in script.text, sink)
        self.assertEqual(send(self.server, "GET", "/_stsd/ui/nope.js").status, 404)
        self.assertEqual(send(self.server, "POST", "/_stsd/ui", body=b"").status, 405)

    def test_identities_list_roles_and_trust_edges_without_secrets(self):
        response, body = self.get_json("/_stsd/console/identities")
        self.assertEqual(response.status, 200)
        self.assertEqual([r["arn"] for r in body["roles"]], [APP_ARN, DEPLOY_ARN])
        edges = {(e["from"], e["to"]) for e in body["trust_edges"]}
        self.assertIn((ALICE_ARN, DEPLOY_ARN), edges)
        self.assertIn((PROVIDER_ARN, APP_ARN), edges)
        self.assertNotIn(ALICE[1], response.text)
        self.assertEqual(body["users"][0]["access_keys"], [ALICE[0]])

    def test_live_stream_sends_requests_as_they_happen(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        conn.request("GET", "/_stsd/console/events", headers=bearer())
        response = conn.getresponse()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.getheader("Content-Type"), "text/event-stream; charset=utf-8")
        self.assertIsNone(response.getheader("Content-Length"))
        sts_client(self.server.url, ALICE).get_caller_identity()
        seen = b""
        deadline = time.monotonic() + 10
        while b'"action":"GetCallerIdentity"' not in seen and time.monotonic() < deadline:
            seen += response.fp.read1(65536)
        conn.close()
        self.assertIn(b"event: hello", seen)
        self.assertIn(b'"action":"GetCallerIdentity"', seen)
        self.assertIn(ALICE_ARN.encode(), seen)



class BoundaryTraceTest(StsdTestCase):
    """A permissions boundary set through IAM bounds STS decisions, and the
    trace says so (a server of its own: the test seeds entities)."""

    @classmethod
    def server_config(cls):
        return console_config()

    get_json = ConsoleTest.get_json
    trace = ConsoleTest.trace

    def test_boundary_denial_trace_names_the_boundary(self):
        # Seeded through IAM as a test suite would: bob may assume roles by
        # his identity policy, but his permissions boundary allows only s3.
        iam = iam_client(self.server.url, ALICE)
        boundary = iam.create_policy(PolicyName="OnlyS3", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))["Policy"]["Arn"]
        iam.create_role(RoleName="bounded-target", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}))
        iam.create_user(UserName="bob")
        iam.put_user_policy(UserName="bob", PolicyName="assume", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="bob")["AccessKey"]
        bob = sts_client(self.server.url, (key["AccessKeyId"], key["SecretAccessKey"]))
        target = f"arn:aws:iam::{ACCOUNT}:role/bounded-target"
        bob.assume_role(RoleArn=target, RoleSessionName="before")
        iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=boundary)
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            bob.assume_role(RoleArn=target, RoleSessionName="after")
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDenied")
        d = self.trace(request_id_of(caught.exception))["decision"]
        self.assertEqual(d["deciding_rule"], "BoundaryNoAllow")
        self.assertIn(boundary, d["summary"])
        self.assertEqual(d["suggestion"]["where"], f"the permissions boundary {boundary}")
        self.assertEqual(d["suggestion"]["statement"],
                         {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": target})
        sources = {p["source"]: p for p in d["checks"][0]["policies"]}
        self.assertTrue(sources["permissions-boundary"]["evaluated"])
        self.assertEqual(sources["identity"]["decision"], "Allow")
        # Removing the boundary lifts the limit at once.
        iam.delete_user_permissions_boundary(UserName="bob")
        bob.assume_role(RoleArn=target, RoleSessionName="again")

class ConsoleLimitsTest(unittest.TestCase):
    def test_subscriber_cap_and_ring_size_flags(self):
        server = StsdServer(["--console-subscribers", "1", "--console-ring-size", "2"]).start()
        try:
            first = socket.create_connection(("127.0.0.1", server.port))
            first.sendall(b"GET /_stsd/console/events HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b"200 OK", first.recv(4096))
            second = send(server, "GET", "/_stsd/console/events")
            self.assertEqual(second.status, 503)
            first.close()
            # The slot comes back once the first stream's connection is gone.
            for _ in range(100):
                third = send(server, "GET", "/_stsd/console/info")
                if json.loads(third.body)["subscribers"] == 0:
                    break
                time.sleep(0.05)
            self.assertEqual(json.loads(third.body)["ring_size"], 2)
            ids = []
            for _ in range(3):
                ids.append(sts_client(server.url).get_caller_identity()["ResponseMetadata"]["RequestId"])
            time.sleep(0.1)
            self.assertEqual(send(server, "GET", f"/_stsd/requests/{ids[0]}").status, 404)
            self.assertEqual(send(server, "GET", f"/_stsd/requests/{ids[2]}").status, 200)
        finally:
            server.cleanup()

    def test_stop_ends_open_streams(self):
        server = StsdServer().start()
        stream = socket.create_connection(("127.0.0.1", server.port))
        stream.sendall(b"GET /_stsd/console/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b"200 OK", stream.recv(4096))
        started = time.monotonic()
        try:
            self.assertEqual(server.stop(), 0)
            self.assertLess(time.monotonic() - started, 4.0)
        finally:
            stream.close()
            server.cleanup()

    def test_a_flood_shows_the_newest_and_counts_the_rest(self):
        # The live stream sends at most 200 records per 250 ms: under a flood
        # it jumps to the newest and counts what it left out, exactly.
        server = StsdServer().start()
        stream = flood = None
        try:
            stream = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            stream.sendall(b"GET /_stsd/console/events HTTP/1.1\r\nHost: x\r\n\r\n")
            seen = b""
            while b"event: hello" not in seen:
                seen += stream.recv(65536)
            total = 1000

            def request(action):
                body = f"Action={action}&Version=2011-06-15".encode()
                return (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

            flood = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            flood.sendall(b"".join(request("Flood") for _ in range(total - 1)) + request("FloodLast"))
            answers = b""
            while answers.count(b"HTTP/1.1 400") < total:
                answers += flood.recv(1 << 20)
            deadline = time.monotonic() + 10
            while b'"action":"FloodLast"' not in seen and time.monotonic() < deadline:
                seen += stream.recv(65536)
            shown = seen.count(b"event: request")
            skipped = sum(int(m) for m in re.findall(rb'event: skipped\ndata: \{"count":(\d+)\}', seen))
            self.assertIn(b'"action":"FloodLast"', seen)
            self.assertGreater(skipped, 0)
            self.assertEqual(shown + skipped, total)
            self.assertLessEqual(shown, 200 * 4)
        finally:
            for s in (stream, flood):
                if s is not None:
                    s.close()
            server.cleanup()

    def test_ring_size_zero_turns_the_ring_off(self):
        server = StsdServer(["--console-ring-size", "0"]).start()
        try:
            rid = sts_client(server.url).get_caller_identity()["ResponseMetadata"]["RequestId"]
            self.assertEqual(send(server, "GET", f"/_stsd/requests/{rid}").status, 404)
            self.assertEqual(send(server, "GET", "/_stsd/ui").status, 200)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
