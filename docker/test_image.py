"""Drives a running stsd container (or the staged runtime root, from
docker/check-recipe.sh) from outside with boto3, as a user's client would:
GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity and
AssumeRoleWithSAML (libxml2 and xmlsec, the libraries most likely to miss a
piece in a minimal image) against the image's embedded default config, then
IAM. Every client gets endpoint_url explicitly; no profile or environment
credentials are read.

  STSD_URL=http://127.0.0.1:PORT python3 docker/test_image.py [-v]

With STSD_STATE_ROLE=NAME, StatePersists creates that role (STSD_STATE_PHASE=
write) or expects it from an earlier run on the same --state file (read)."""

import json
import os
import unittest
import urllib.request

# Before boto3 reads them: nothing from the caller's AWS setup, no proxy.
for var in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM"):
    os.environ.pop(var, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"

import boto3  # noqa: E402
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402

URL = os.environ.get("STSD_URL", "")
ACCOUNT = "000000000000"  # the embedded default's account
CONFIG = Config(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=30)


def client(service, creds=("test", "test", None), **config):
    return boto3.session.Session().client(
        service, endpoint_url=URL, region_name="us-east-1", aws_access_key_id=creds[0],
        aws_secret_access_key=creds[1], aws_session_token=creds[2], config=CONFIG.merge(Config(**config)))


def creds_of(response):
    c = response["Credentials"]
    return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def admin_post(path, body):
    request = urllib.request.Request(URL + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read())


@unittest.skipUnless(URL, "STSD_URL is not set")
class Sts(unittest.TestCase):
    def test_get_caller_identity(self):
        identity = client("sts").get_caller_identity()
        self.assertEqual(identity["Account"], ACCOUNT)
        self.assertEqual(identity["Arn"], f"arn:aws:iam::{ACCOUNT}:user/test")

    def test_assume_role(self):
        response = client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/app",
                                             RoleSessionName="image-test")
        identity = client("sts", creds_of(response)).get_caller_identity()
        self.assertEqual(identity["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/app/image-test")

    def test_web_identity(self):
        token = admin_post("/_stsd/oidc/token", {"sub": "system:serviceaccount:ns:app"})["token"]
        response = client("sts", signature_version=UNSIGNED).assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/web", RoleSessionName="k8s", WebIdentityToken=token)
        self.assertEqual(response["SubjectFromWebIdentityToken"], "system:serviceaccount:ns:app")
        identity = client("sts", creds_of(response)).get_caller_identity()
        self.assertEqual(identity["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/web/k8s")

    def test_saml(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/saml"
        minted = admin_post("/_stsd/saml/response", {"role_arn": role, "subject": "alice",
                                                     "session_name": "alice"})
        response = client("sts", signature_version=UNSIGNED).assume_role_with_saml(
            RoleArn=role, PrincipalArn=minted["principal_arn"], SAMLAssertion=minted["saml_response"])
        self.assertEqual(response["Subject"], "alice")
        identity = client("sts", creds_of(response)).get_caller_identity()
        self.assertEqual(identity["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/saml/alice")

    def test_iam_role_round_trip(self):
        iam = client("iam")
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="image-iam", AssumeRolePolicyDocument=json.dumps(trust))
        try:
            self.assertEqual(iam.get_role(RoleName="image-iam")["Role"]["Arn"],
                             f"arn:aws:iam::{ACCOUNT}:role/image-iam")
        finally:
            iam.delete_role(RoleName="image-iam")


@unittest.skipUnless(URL and os.environ.get("STSD_STATE_ROLE"), "STSD_STATE_ROLE is not set")
class StatePersists(unittest.TestCase):
    def test_role(self):
        name = os.environ["STSD_STATE_ROLE"]
        iam = client("iam")
        if os.environ.get("STSD_STATE_PHASE") == "write":
            trust = {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        self.assertEqual(iam.get_role(RoleName=name)["Role"]["RoleName"], name)


if __name__ == "__main__":
    unittest.main()
