"""End-to-end: the AWS CLI (v1 from PATH, v2 at /usr/bin/aws) and boto3
sessions against the real stsd binary: `--endpoint-url`, the
`AWS_ENDPOINT_URL_STS` variable and `[services]` config sections, and the
assume-role credential provider (role_arn + source_profile + external_id)
routed to stsd. Tests needing a newer client than the one installed skip and
say which version they need; nothing here may reach real AWS (the hermetic
environment points proxies at a closed local port).
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from unittest import mock

import stsd_harness as h
from stsd_harness import DEFAULT_ACCOUNT, DEFAULT_USER_ARN, TEST_KEY

CLI_TIMEOUT_S = 90
# Service-specific endpoints: botocore 1.31 (CLI v1 1.29), CLI v2 2.13.
V1_ENDPOINT_CONFIG_BOTOCORE = "1.31.0"
V2_ENDPOINT_CONFIG = "2.13.0"


class Cli:
    def __init__(self, path, version, botocore_version):
        self.path = path
        self.version = version
        self.botocore_version = botocore_version

    @property
    def major(self):
        return h.version_tuple(self.version)[0]

    def __repr__(self):
        return f"AWS CLI {self.version} at {self.path}" + (
            f" (botocore {self.botocore_version})" if self.botocore_version else "")


_cli_cache = {}


def probe_cli(path):
    if path in _cli_cache:
        return _cli_cache[path]
    cli = None
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        workdir = tempfile.mkdtemp(prefix="stsd-e2e-cli-")
        try:
            env = h.hermetic_env(os.environ, workdir, {"HOME": workdir})
            out = subprocess.run([path, "--version"], capture_output=True, text=True, env=env,
                                 timeout=CLI_TIMEOUT_S)
            text = out.stdout + out.stderr
            m = re.search(r"aws-cli/(\d+\.\d+\.\d+)", text)
            if out.returncode == 0 and m:
                b = re.search(r"botocore/(\d+\.\d+\.\d+)", text)
                cli = Cli(path, m.group(1), b.group(1) if b else None)
        except (OSError, subprocess.SubprocessError):
            cli = None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    _cli_cache[path] = cli
    return cli


def find_cli(major):
    """The first AWS CLI of the given major version: `aws` on PATH, then /usr/bin/aws."""
    candidates = [shutil.which("aws"), "/usr/bin/aws", "/usr/local/bin/aws"]
    seen = set()
    for path in candidates:
        if not path or path in seen:
            continue
        seen.add(path)
        cli = probe_cli(path)
        if cli and cli.major == major:
            return cli
    return None


def cli_supports_endpoint_config(cli):
    if cli.major == 1:
        return cli.botocore_version and h.version_tuple(cli.botocore_version) >= h.version_tuple(
            V1_ENDPOINT_CONFIG_BOTOCORE)
    return h.version_tuple(cli.version) >= h.version_tuple(V2_ENDPOINT_CONFIG)


def endpoint_config_skip_reason(cli):
    if cli.major == 1:
        return (f"{cli!r} predates AWS_ENDPOINT_URL_STS / [services] endpoint config "
                f"(needs botocore >= {V1_ENDPOINT_CONFIG_BOTOCORE}, i.e. CLI v1 >= 1.29)")
    return f"{cli!r} predates AWS_ENDPOINT_URL_STS / [services] endpoint config (needs CLI v2 >= {V2_ENDPOINT_CONFIG})"


def parse_cli_time(text):
    """CLI timestamps: '2026-01-01T00:00:00+00:00' or '...Z'."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class CliTestCase(h.StsdTestCase):
    MAJOR = 1

    def setUp(self):
        self.cli = find_cli(self.MAJOR)
        if self.cli is None:
            self.skipTest(f"no AWS CLI v{self.MAJOR} found (looked at `aws` on PATH and /usr/bin/aws)")
        self.home = tempfile.mkdtemp(prefix="home-", dir=self.workdir)

    def run_cli(self, args, env=None, endpoint=True, creds=TEST_KEY, check=True):
        """Runs the CLI in a hermetic environment (fresh HOME: no credential cache)."""
        extra = {"HOME": self.home, "AWS_PAGER": "", "AWS_DEFAULT_REGION": "us-east-1"}
        if creds:
            extra.update(AWS_ACCESS_KEY_ID=creds[0], AWS_SECRET_ACCESS_KEY=creds[1])
            if len(creds) > 2:
                extra["AWS_SESSION_TOKEN"] = creds[2]
        extra.update(env or {})
        full_env = h.hermetic_env(os.environ, self.workdir, extra)
        for k, v in list(full_env.items()):
            if v is None:
                del full_env[k]
        cmd = [self.cli.path]
        if endpoint:
            cmd += ["--endpoint-url", self.server.url]
        cmd += list(args) + ["--output", "json"]
        out = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=CLI_TIMEOUT_S)
        if check:
            self.assertEqual(out.returncode, 0, f"{self.cli!r}\n$ {' '.join(cmd)}\nstdout:\n{out.stdout}\n"
                                                f"stderr:\n{out.stderr}\n--- stsd log tail ---\n"
                                                f"{self.server.output()[-3000:]}")
            return json.loads(out.stdout) if out.stdout.strip() else {}
        return out


class CliV1Test(CliTestCase):
    MAJOR = 1

    def test_get_caller_identity(self):
        for creds in (TEST_KEY, h.EXAMPLE_KEY):
            with self.subTest(key=creds[0]):
                ident = self.run_cli(["sts", "get-caller-identity"], creds=creds)
                self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)
                self.assertEqual(ident["Account"], DEFAULT_ACCOUNT)
                self.assertRegex(ident["UserId"], r"^AIDA[A-Z0-9]{17}$")

    def test_assume_role_and_use_the_credentials(self):
        name = h.unique_name("cli")
        started = datetime.datetime.now(datetime.timezone.utc).timestamp()
        resp = self.run_cli(["sts", "assume-role", "--role-arn", f"arn:aws:iam::123456789012:role/{name}",
                             "--role-session-name", "cli-session", "--duration-seconds", "900"])
        self.assertEqual(resp["AssumedRoleUser"]["Arn"], f"arn:aws:sts::123456789012:assumed-role/{name}/cli-session")
        self.assertRegex(resp["AssumedRoleUser"]["AssumedRoleId"], r"^AROA[A-Z0-9]{17}:cli-session$")
        c = resp["Credentials"]
        self.assertRegex(c["AccessKeyId"], r"^ASIA[A-Z2-7]{16}$")
        expiration = parse_cli_time(c["Expiration"])
        self.assertAlmostEqual(expiration, started + 900, delta=15)
        ident = self.run_cli(["sts", "get-caller-identity"],
                             creds=(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
        self.assertEqual(ident["Arn"], resp["AssumedRoleUser"]["Arn"])
        self.assertEqual(ident["UserId"], resp["AssumedRoleUser"]["AssumedRoleId"])

    def test_get_session_token(self):
        resp = self.run_cli(["sts", "get-session-token", "--duration-seconds", "900"])
        c = resp["Credentials"]
        ident = self.run_cli(["sts", "get-caller-identity"],
                             creds=(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)
        out = self.run_cli(["sts", "get-session-token"], check=False,
                           creds=(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("An error occurred (AccessDenied) when calling the GetSessionToken operation: "
                      "Cannot call GetSessionToken with session credentials", out.stderr)

    def test_get_federation_token(self):
        resp = self.run_cli(["sts", "get-federation-token", "--name", "cli-fed"])
        self.assertEqual(resp["FederatedUser"]["Arn"], f"arn:aws:sts::{DEFAULT_ACCOUNT}:federated-user/cli-fed")

    def test_get_access_key_info(self):
        resp = self.run_cli(["sts", "get-access-key-info", "--access-key-id", "ASIAY34FZKBOKMUTVV7A"])
        self.assertEqual(resp, {"Account": "609629065308"})

    def test_service_error_output(self):
        out = self.run_cli(["sts", "get-caller-identity"], creds=("AKIAZZZZZZZZZZZZZZZZ", "nope"), check=False)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: "
                      "The security token included in the request is invalid.", out.stderr)

    def test_endpoint_from_environment(self):
        if not cli_supports_endpoint_config(self.cli):
            self.skipTest(endpoint_config_skip_reason(self.cli))
        ident = self.run_cli(["sts", "get-caller-identity"], endpoint=False,
                             env={"AWS_ENDPOINT_URL_STS": self.server.url})
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)
        ident = self.run_cli(["sts", "get-caller-identity"], endpoint=False,
                             env={"AWS_ENDPOINT_URL": self.server.url})
        self.assertEqual(ident["Arn"], DEFAULT_USER_ARN)


class CliV2Test(CliV1Test):
    """The same commands through AWS CLI v2 (Debian's awscli package)."""
    MAJOR = 2


# --------------------------------------------------------------------------
# The assume-role credential provider, routed to stsd by endpoint config.

ACCOUNT = "111122223333"
EXTERNAL_ID = "xyz-123"


class AssumeRoleProfileTestBase(h.StsdTestCase):

    @classmethod
    def server_config(cls):
        cls.key = (h.make_access_key(ACCOUNT), h.make_secret())
        return {
            "region": "us-east-1",
            "accounts": [{"id": ACCOUNT, "alias": "dev"}],
            "users": [{"account": ACCOUNT, "name": "alice",
                       "access_keys": [{"id": cls.key[0], "secret": cls.key[1]}]}],
            "roles": [{"account": ACCOUNT, "name": "ext", "max_session_duration": 3600,
                       "trust_policy": {"Version": "2012-10-17", "Statement": [{
                           "Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
                           "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]}}],
        }

    def write_profiles(self, services, external_id=EXTERNAL_ID, session=None):
        """AWS config + credentials files with profile `assumer`; returns their env and the expected ARN."""
        session = session or h.unique_name("prof")
        d = tempfile.mkdtemp(prefix="profiles-", dir=self.workdir)
        config = os.path.join(d, "config")
        creds = os.path.join(d, "credentials")
        with open(creds, "w") as f:
            f.write(f"[base]\naws_access_key_id = {self.key[0]}\naws_secret_access_key = {self.key[1]}\n")
        lines = ["[profile base]", "region = us-east-1", "",
                 "[profile assumer]", f"role_arn = arn:aws:iam::{ACCOUNT}:role/ext", "source_profile = base",
                 f"external_id = {external_id}", f"role_session_name = {session}", "region = us-east-1"]
        if services:
            lines += ["services = local-stsd", "", "[services local-stsd]", "sts =",
                      f"  endpoint_url = {self.server.url}"]
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        env = {"AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": creds}
        return env, f"arn:aws:sts::{ACCOUNT}:assumed-role/ext/{session}"


class CliProfileTestMixin:
    """CLI `--profile assumer`: the CLI's own assume-role provider calls stsd."""

    def check_profile(self, services, env_endpoint):
        if not cli_supports_endpoint_config(self.cli):
            self.skipTest(endpoint_config_skip_reason(self.cli) +
                          "; without it the assume-role provider cannot be routed to stsd")
        env, arn = self.write_profiles(services=services)
        if env_endpoint:
            env["AWS_ENDPOINT_URL_STS"] = self.server.url
        ident = self.run_cli(["sts", "get-caller-identity", "--profile", "assumer"], endpoint=False, creds=None,
                             env=env)
        self.assertEqual(ident["Arn"], arn)
        self.assertEqual(ident["Account"], ACCOUNT)
        self.assertRegex(ident["UserId"], r"^AROA[A-Z0-9]{17}:" + re.escape(arn.rsplit("/", 1)[1]) + "$")

    def test_profile_with_services_section(self):
        self.check_profile(services=True, env_endpoint=False)

    def test_profile_with_endpoint_variable(self):
        self.check_profile(services=False, env_endpoint=True)

    def test_profile_with_wrong_external_id(self):
        if not cli_supports_endpoint_config(self.cli):
            self.skipTest(endpoint_config_skip_reason(self.cli))
        env, _ = self.write_profiles(services=True, external_id="not-the-one")
        out = self.run_cli(["sts", "get-caller-identity", "--profile", "assumer"], endpoint=False, creds=None,
                           env=env, check=False)
        self.assertNotEqual(out.returncode, 0, out.stdout)
        self.assertIn("AccessDenied", out.stderr)
        self.assertIn(f"User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole "
                      f"on resource: arn:aws:iam::{ACCOUNT}:role/ext", out.stderr)


class CliV1ProfileTest(CliProfileTestMixin, AssumeRoleProfileTestBase, CliTestCase):
    MAJOR = 1


class CliV2ProfileTest(CliProfileTestMixin, AssumeRoleProfileTestBase, CliTestCase):
    MAJOR = 2


class Boto3ProfileTest(AssumeRoleProfileTestBase):
    """boto3.Session(profile_name=...): botocore's AssumeRoleProvider calls stsd."""

    def setUp(self):
        h.require_endpoint_config(self)

    def session_identity(self, env):
        import boto3
        with mock.patch.dict(os.environ, env):
            session = boto3.session.Session(profile_name="assumer")
            client = session.client("sts")
            self.assertEqual(client.meta.endpoint_url, self.server.url)
            ident = client.get_caller_identity()
            frozen = session.get_credentials().get_frozen_credentials()
        return ident, frozen

    def test_profile_with_services_section(self):
        env, arn = self.write_profiles(services=True)
        ident, creds = self.session_identity(env)
        self.assertEqual(ident["Arn"], arn)
        self.assertTrue(creds.access_key.startswith("ASIA"), creds.access_key)
        self.assertEqual(h.account_of_key(creds.access_key), ACCOUNT)

    def test_profile_with_endpoint_variable(self):
        env, arn = self.write_profiles(services=False)
        env["AWS_ENDPOINT_URL_STS"] = self.server.url
        ident, _ = self.session_identity(env)
        self.assertEqual(ident["Arn"], arn)

    def test_credential_source_environment(self):
        d = tempfile.mkdtemp(prefix="profiles-", dir=self.workdir)
        config = os.path.join(d, "config")
        with open(config, "w") as f:
            f.write(f"[profile assumer]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/ext\n"
                    f"credential_source = Environment\nexternal_id = {EXTERNAL_ID}\n"
                    "role_session_name = from-env\nregion = us-east-1\n")
        ident, _ = self.session_identity({"AWS_CONFIG_FILE": config, "AWS_ENDPOINT_URL_STS": self.server.url,
                                          "AWS_ACCESS_KEY_ID": self.key[0], "AWS_SECRET_ACCESS_KEY": self.key[1]})
        self.assertEqual(ident["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/ext/from-env")

    def test_wrong_external_id(self):
        from botocore.exceptions import ClientError
        env, _ = self.write_profiles(services=True, external_id="not-the-one")
        with self.assertRaises(ClientError) as ctx:
            self.session_identity(env)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "AccessDenied")


if __name__ == "__main__":
    h.main()
