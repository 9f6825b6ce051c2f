"""IAM identity providers and the policy simulator end to end through boto3
(docs/IAM-BEHAVIOUR.md sections 5.7, 5.8, 5.11): every OIDC and SAML provider
operation with its errors; a provider created through IAM serving
AssumeRoleWithWebIdentity / AssumeRoleWithSAML for a role created through IAM;
SimulateCustomPolicy and SimulatePrincipalPolicy decisions, matched statements
with their positions, missing context keys and permissions boundaries."""

import datetime
import json
import unittest

from botocore import UNSIGNED

from stsd_harness import TEST_KEY, StsdTestCase, creds_of, send, sts_client

ACCOUNT = "000000000000"
OTHER = "111111111111"
ISSUER = "https://oidc.stsd.local"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.stsd.local"
THUMB = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def oidc_arn(host):
    return f"arn:aws:iam::{ACCOUNT}:oidc-provider/{host}"


def saml_arn(name):
    return f"arn:aws:iam::{ACCOUNT}:saml-provider/{name}"


class IamProvidersCase(StsdTestCase):
    """The test account holds no provider; the built-in issuer and IdP are
    declared in another account (the token endpoint needs one)."""

    @classmethod
    def server_config(cls):
        return {
            "accounts": [{"id": ACCOUNT}, {"id": OTHER}],
            "users": [{"account": ACCOUNT, "name": "test", "access_keys": [{"id": "test", "secret": "test"}]}],
            "oidc_providers": [{"account": OTHER, "url": ISSUER, "client_ids": ["sts.amazonaws.com"],
                                "builtin": True}],
            "saml_providers": [{"account": OTHER, "name": "stsd", "builtin": True}],
        }

    def unsigned(self):
        return sts_client(self.server.url, TEST_KEY, signature_version=UNSIGNED)

    def post_json(self, path, body):
        r = send(self.server, "POST", path, body=json.dumps(body).encode(),
                 headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)

    def saml_metadata(self):
        r = send(self.server, "GET", "/_stsd/saml/metadata")
        self.assertEqual(r.status, 200)
        return r.body.decode()


class OidcProviderTest(IamProvidersCase):
    def test_create_get_list_delete(self):
        iam = self.iam()
        out = iam.create_open_id_connect_provider(
            Url="https://auth.example.com/tenant", ClientIDList=["app-1", "app-2"], ThumbprintList=[THUMB],
            Tags=[{"Key": "team", "Value": "blue"}])
        arn = oidc_arn("auth.example.com/tenant")
        self.assertEqual(out["OpenIDConnectProviderArn"], arn)
        self.assertEqual(out["Tags"], [{"Key": "team", "Value": "blue"}])
        got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(got["Url"], "auth.example.com/tenant")
        self.assertEqual(got["ClientIDList"], ["app-1", "app-2"])
        self.assertEqual(got["ThumbprintList"], [THUMB])
        self.assertEqual(got["Tags"], [{"Key": "team", "Value": "blue"}])
        self.assertIsInstance(got["CreateDate"], datetime.datetime)
        arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        self.assertIn(arn, arns)
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
        self.assertNotIn(arn, arns)
        self.assertClientError(lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn),
                               "NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)
        self.assertClientError(lambda: iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn),
                               "NoSuchEntity", f"OpenId connect Provider {arn} cannot be found.", 404)

    def test_empty_lists_are_emitted(self):
        iam = self.iam()
        arn = iam.create_open_id_connect_provider(Url="https://bare.example.com")["OpenIDConnectProviderArn"]
        self.assertEqual(arn, oidc_arn("bare.example.com"))
        got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(got["Url"], "bare.example.com")
        self.assertEqual(got["ClientIDList"], [])
        self.assertEqual(got["ThumbprintList"], [])
        self.assertEqual(got["Tags"], [])

    def test_create_errors(self):
        iam = self.iam()
        self.assertClientError(lambda: iam.create_open_id_connect_provider(Url="example.org"),
                               "ValidationError", "Invalid Open ID Connect Provider URL", 400)
        self.assertClientError(lambda: iam.create_open_id_connect_provider(Url="http://example.org"),
                               "ValidationError", "Invalid Open ID Connect Provider URL", 400)
        self.assertClientError(
            lambda: iam.create_open_id_connect_provider(Url="https://six.example.com", ThumbprintList=[THUMB] * 6),
            "InvalidInput", "Thumbprint list must contain fewer than 5 entries.", 400)
        self.assertClientError(
            lambda: iam.create_open_id_connect_provider(Url="https://many.example.com",
                                                        ClientIDList=[f"c{i}" for i in range(101)]),
            "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)
        iam.create_open_id_connect_provider(Url="https://dup.example.com", ThumbprintList=[THUMB] * 5)
        self.assertClientError(lambda: iam.create_open_id_connect_provider(Url="https://dup.example.com"),
                               "EntityAlreadyExists", "Provider with url https://dup.example.com already exists.",
                               409)

    def test_thumbprints_and_client_ids(self):
        iam = self.iam()
        arn = iam.create_open_id_connect_provider(Url="https://ids.example.com",
                                                  ClientIDList=["a"])["OpenIDConnectProviderArn"]
        other = "f" * 40
        iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[other, THUMB])
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"],
                         [other, THUMB])
        iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[THUMB])
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"], [THUMB])
        self.assertClientError(
            lambda: iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                                   ThumbprintList=[THUMB] * 6),
            "InvalidInput", "Thumbprint list must contain fewer than 5 entries.")
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")  # idempotent
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"], ["a", "b"])
        iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="a")
        iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="a")  # idempotent
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"], ["b"])
        for i in range(99):
            iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=f"c{i}")
        self.assertClientError(
            lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="one-more"),
            "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)
        missing = oidc_arn("missing.example.com")
        for call in (lambda: iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=missing,
                                                                           ClientID="x"),
                     lambda: iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=missing,
                                                                                ClientID="x"),
                     lambda: iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=missing,
                                                                            ThumbprintList=[THUMB])):
            self.assertClientError(call, "NoSuchEntity", f"OpenIDConnect Provider not found for arn {missing}", 404)

    def test_tags(self):
        iam = self.iam()
        arn = iam.create_open_id_connect_provider(Url="https://tags.example.com")["OpenIDConnectProviderArn"]
        iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                         Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "A", "Value": "3"}])
        tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags["Tags"]), [("A", "3"), ("b", "2")])
        self.assertFalse(tags["IsTruncated"])
        page = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn, MaxItems=1)
        self.assertEqual(len(page["Tags"]), 1)
        self.assertTrue(page["IsTruncated"])
        iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["a", "nope"])
        self.assertEqual(iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Tags"],
                         [{"Key": "b", "Value": "2"}])
        missing = oidc_arn("missing.example.com")
        for call in (lambda: iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=missing,
                                                              Tags=[{"Key": "a", "Value": "1"}]),
                     lambda: iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=missing, TagKeys=["a"]),
                     lambda: iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=missing)):
            self.assertClientError(call, "NoSuchEntity", f"OpenIDConnect Provider not found for arn {missing}", 404)

    def test_web_identity_through_a_provider_and_role_created_with_iam(self):
        iam = self.iam()
        token = self.post_json("/_stsd/oidc/token", {"sub": "system:serviceaccount:ns:app"})["token"]
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/oidc-web"
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": OIDC_ARN}, "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"oidc.stsd.local:aud": "sts.amazonaws.com"}}}]}
        iam.create_role(RoleName="oidc-web", AssumeRolePolicyDocument=json.dumps(trust))

        def assume():
            return self.unsigned().assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="s1",
                                                                 WebIdentityToken=token)

        # No provider in this account yet: the issuer is unknown here.
        no_provider = f"No OpenIDConnect provider found in your account for {ISSUER}"
        self.assertClientError(assume, "InvalidIdentityToken", no_provider)
        self.assertEqual(iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["sts.amazonaws.com"])
                         ["OpenIDConnectProviderArn"], OIDC_ARN)
        out = assume()
        self.assertEqual(out["Provider"], OIDC_ARN)
        self.assertEqual(out["Audience"], "sts.amazonaws.com")
        self.assertEqual(out["SubjectFromWebIdentityToken"], "system:serviceaccount:ns:app")
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/oidc-web/s1")
        me = sts_client(self.server.url, creds_of(out)).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/oidc-web/s1")
        # The audience must be one of the provider's client IDs.
        iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=OIDC_ARN,
                                                           ClientID="sts.amazonaws.com")
        self.assertClientError(assume, "InvalidIdentityToken", "Incorrect token audience")
        iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=OIDC_ARN, ClientID="sts.amazonaws.com")
        assume()
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=OIDC_ARN)
        self.assertClientError(assume, "InvalidIdentityToken", no_provider)


class DefaultConfigProvidersTest(StsdTestCase):
    """The embedded default config declares the built-in issuer and IdP in the
    test account: IAM sees them, and a built-in provider deleted and created
    again through IAM keeps serving the built-in issuer's tokens."""

    def test_builtin_providers_are_listed_and_recreated(self):
        iam = self.iam()
        self.assertEqual(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"], [{"Arn": OIDC_ARN}])
        self.assertIn(saml_arn("stsd"), [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]])
        self.assertEqual(sorted(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=OIDC_ARN)["ClientIDList"]),
                         ["sts.amazonaws.com", "stsd"])
        self.assertClientError(lambda: iam.create_open_id_connect_provider(Url=ISSUER), "EntityAlreadyExists",
                               f"Provider with url {ISSUER} already exists.")
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=OIDC_ARN)
        iam.create_open_id_connect_provider(Url=ISSUER, ClientIDList=["sts.amazonaws.com"])
        r = send(self.server, "POST", "/_stsd/oidc/token", body=b"{}", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": OIDC_ARN}, "Action": "sts:AssumeRoleWithWebIdentity"}]}
        iam.create_role(RoleName="again", AssumeRolePolicyDocument=json.dumps(trust))
        out = sts_client(self.server.url, TEST_KEY, signature_version=UNSIGNED).assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/again", RoleSessionName="s1",
            WebIdentityToken=json.loads(r.body)["token"])
        self.assertEqual(out["Provider"], OIDC_ARN)


class SamlProviderTest(IamProvidersCase):
    def test_create_get_list_update_delete(self):
        iam = self.iam()
        metadata = self.saml_metadata()
        out = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=metadata,
                                       Tags=[{"Key": "env", "Value": "test"}])
        arn = saml_arn("corp")
        self.assertEqual(out["SAMLProviderArn"], arn)
        self.assertEqual(out["Tags"], [{"Key": "env", "Value": "test"}])
        got = iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertEqual(got["SAMLMetadataDocument"], metadata)
        self.assertRegex(got["SAMLProviderUUID"], r"^[A-Z0-9]{22,64}$")
        self.assertEqual(got["AssertionEncryptionMode"], "Allowed")
        self.assertEqual(got["PrivateKeyList"], [])
        self.assertEqual(got["Tags"], [{"Key": "env", "Value": "test"}])
        self.assertIsInstance(got["CreateDate"], datetime.datetime)
        self.assertGreater(got["ValidUntil"], got["CreateDate"])
        self.assertEqual(iam.get_saml_provider(SAMLProviderArn=arn)["SAMLProviderUUID"], got["SAMLProviderUUID"])
        listed = {p["Arn"]: p for p in iam.list_saml_providers()["SAMLProviderList"]}
        self.assertEqual(listed[arn]["CreateDate"], got["CreateDate"])
        self.assertEqual(listed[arn]["ValidUntil"], got["ValidUntil"])
        self.assertNotIn(f"arn:aws:iam::{OTHER}:saml-provider/stsd", listed)  # another account's

        updated = metadata.replace("<md:EntityDescriptor ", '<md:EntityDescriptor validUntil="2031-01-02T03:04:05Z" ', 1)
        self.assertNotEqual(updated, metadata)
        self.assertEqual(iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=updated)
                         ["SAMLProviderArn"], arn)
        got = iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertEqual(got["SAMLMetadataDocument"], updated)
        self.assertEqual(got["ValidUntil"], datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))

        self.assertClientError(lambda: iam.create_saml_provider(Name="corp", SAMLMetadataDocument=metadata),
                               "EntityAlreadyExists", "SAMLProvider corp already exists.", 409)
        iam.delete_saml_provider(SAMLProviderArn=arn)
        self.assertNotIn(arn, [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]])
        for call in (lambda: iam.get_saml_provider(SAMLProviderArn=arn),
                     lambda: iam.delete_saml_provider(SAMLProviderArn=arn),
                     lambda: iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata)):
            self.assertClientError(call, "NoSuchEntity", f"Manifest not found for arn {arn}", 404)

    def test_unparsable_metadata(self):
        iam = self.iam()
        junk = "<notmetadata>" + "x" * 1200 + "</notmetadata>"
        err = self.assertClientError(lambda: iam.create_saml_provider(Name="junk", SAMLMetadataDocument=junk),
                                     "InvalidInput", status=400, message_prefix="Could not parse metadata")
        self.assertGreater(len(err["Message"]), len("Could not parse metadata: "))
        arn = iam.create_saml_provider(Name="keep", SAMLMetadataDocument=self.saml_metadata())["SAMLProviderArn"]
        self.assertClientError(lambda: iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=junk),
                               "InvalidInput", message_prefix="Could not parse metadata")
        self.assertClientError(lambda: iam.get_saml_provider(SAMLProviderArn=saml_arn("junk")), "NoSuchEntity")

    def test_tags(self):
        iam = self.iam()
        arn = iam.create_saml_provider(Name="tagged", SAMLMetadataDocument=self.saml_metadata())["SAMLProviderArn"]
        iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.assertEqual(iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"],
                         [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["a"])
        out = iam.list_saml_provider_tags(SAMLProviderArn=arn)
        self.assertEqual(out["Tags"], [{"Key": "b", "Value": "2"}])
        self.assertFalse(out["IsTruncated"])
        self.assertEqual(iam.get_saml_provider(SAMLProviderArn=arn)["Tags"], [{"Key": "b", "Value": "2"}])
        missing = saml_arn("missing")
        for call in (lambda: iam.tag_saml_provider(SAMLProviderArn=missing, Tags=[{"Key": "a", "Value": "1"}]),
                     lambda: iam.untag_saml_provider(SAMLProviderArn=missing, TagKeys=["a"]),
                     lambda: iam.list_saml_provider_tags(SAMLProviderArn=missing)):
            self.assertClientError(call, "NoSuchEntity", f"Manifest not found for arn {missing}", 404)

    def test_saml_through_a_provider_and_role_created_with_iam(self):
        iam = self.iam()
        provider = iam.create_saml_provider(Name="idp", SAMLMetadataDocument=self.saml_metadata())["SAMLProviderArn"]
        role_arn = f"arn:aws:iam::{ACCOUNT}:role/saml-role"
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
        iam.create_role(RoleName="saml-role", AssumeRolePolicyDocument=json.dumps(trust))
        assertion = self.post_json("/_stsd/saml/response", {
            "role_arn": role_arn, "principal_arn": provider, "subject": "alice@example.com",
            "session_name": "alice"})["saml_response"]
        out = self.unsigned().assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=assertion)
        self.assertEqual(out["Subject"], "alice@example.com")
        self.assertEqual(out["Issuer"], "https://saml.stsd.local")
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/saml-role/alice")
        me = sts_client(self.server.url, creds_of(out)).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/saml-role/alice")
        iam.delete_saml_provider(SAMLProviderArn=provider)
        self.assertClientError(lambda: self.unsigned().assume_role_with_saml(
            RoleArn=role_arn, PrincipalArn=provider, SAMLAssertion=assertion), "InvalidIdentityToken",
            "Specified provider doesn't exist.")


# The real SimulatePrincipalPolicy example of section 5.11: Python's
# json.dumps of this dict is 113 characters; the statement spans columns 41-113.
EXAMPLE_POLICY = json.dumps({"Version": "2012-10-17",
                             "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}})


class SimulatorTest(IamProvidersCase):
    def simulate(self, policies, actions, **kwargs):
        return self.iam().simulate_custom_policy(PolicyInputList=policies, ActionNames=actions, **kwargs)

    def test_allowed_and_implicit_deny_with_positions(self):
        self.assertEqual(len(EXAMPLE_POLICY), 113)
        out = self.simulate([EXAMPLE_POLICY], ["s3:PutObject", "s3:GetObjectVersion"],
                            ResourceArns=["arn:aws:s3:::bucket"])
        self.assertFalse(out["IsTruncated"])
        put, get = out["EvaluationResults"]
        self.assertEqual(put["EvalActionName"], "s3:PutObject")
        self.assertEqual(put["EvalResourceName"], "arn:aws:s3:::bucket")
        self.assertEqual(put["EvalDecision"], "allowed")
        self.assertEqual(put["MatchedStatements"], [{
            "SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
            "StartPosition": {"Line": 1, "Column": 41}, "EndPosition": {"Line": 1, "Column": 113}}])
        self.assertEqual(put["MissingContextValues"], [])
        self.assertEqual(put["EvalDecisionDetails"], {})
        self.assertEqual(put["OrganizationsDecisionDetail"], {"AllowedByOrganizations": True})
        self.assertEqual(put["ResourceSpecificResults"][0]["EvalResourceDecision"], "allowed")
        self.assertEqual(get["EvalActionName"], "s3:GetObjectVersion")
        self.assertEqual(get["EvalDecision"], "implicitDeny")
        self.assertEqual(get["MatchedStatements"], [])

    def test_default_resource_and_multiline_positions(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}]}, indent=2)
        out = self.simulate([policy], ["sns:Publish"])
        result = out["EvaluationResults"][0]
        self.assertEqual(result["EvalResourceName"], "*")
        self.assertEqual(result["EvalDecision"], "allowed")
        stmt = result["MatchedStatements"][0]
        brace = policy.index("{", policy.index("}") + 1)  # the second statement's
        self.assertEqual(stmt["StartPosition"], {"Line": policy.count("\n", 0, brace) + 1,
                                                 "Column": brace - (policy.rfind("\n", 0, brace) + 1) + 2})
        self.assertGreater(stmt["StartPosition"]["Line"], 1)
        end = policy.index("}", policy.index('"sns:Publish"'))
        self.assertEqual(stmt["EndPosition"], {"Line": policy.count("\n", 0, end) + 1,
                                               "Column": end - (policy.rfind("\n", 0, end) + 1) + 2})

    def test_explicit_deny(self):
        allow = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                    "Resource": "*"}]})
        deny = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "NoDelete", "Effect": "Deny",
                                                                   "Action": "s3:DeleteObject", "Resource": "*"}]})
        out = self.simulate([allow, deny], ["s3:DeleteObject", "s3:GetObject"],
                            ResourceArns=["arn:aws:s3:::b/k"])
        delete, get = out["EvaluationResults"]
        self.assertEqual(delete["EvalDecision"], "explicitDeny")
        self.assertEqual([s["SourcePolicyId"] for s in delete["MatchedStatements"]], ["PolicyInputList.2"])
        self.assertEqual(get["EvalDecision"], "allowed")
        self.assertEqual([s["SourcePolicyId"] for s in get["MatchedStatements"]], ["PolicyInputList.1"])

    def test_missing_context_values(self):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
            "Condition": {"StringLike": {"s3:prefix": "home/*"}, "Bool": {"aws:SecureTransport": "true"}}}]})
        out = self.simulate([policy], ["s3:ListBucket"], ResourceArns=["arn:aws:s3:::b"])
        result = out["EvaluationResults"][0]
        self.assertEqual(result["EvalDecision"], "implicitDeny")
        self.assertEqual(sorted(result["MissingContextValues"]), ["aws:SecureTransport", "s3:prefix"])
        out = self.simulate([policy], ["s3:ListBucket"], ResourceArns=["arn:aws:s3:::b"], ContextEntries=[
            {"ContextKeyName": "s3:prefix", "ContextKeyValues": ["home/alice"], "ContextKeyType": "string"}])
        result = out["EvaluationResults"][0]
        self.assertEqual(result["EvalDecision"], "implicitDeny")
        self.assertEqual(result["MissingContextValues"], ["aws:SecureTransport"])
        out = self.simulate([policy], ["s3:ListBucket"], ResourceArns=["arn:aws:s3:::b"], ContextEntries=[
            {"ContextKeyName": "s3:prefix", "ContextKeyValues": ["home/alice"], "ContextKeyType": "string"},
            {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"}])
        result = out["EvaluationResults"][0]
        self.assertEqual(result["EvalDecision"], "allowed")
        self.assertEqual(result["MissingContextValues"], [])
        # Policy variables in resources and condition values are context keys too.
        home = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
            "Condition": {"StringLike": {"s3:ExistingObjectTag/owner": "${aws:PrincipalTag/team, 'none'}"}}}]})
        out = self.simulate([home], ["s3:GetObject"], ResourceArns=["arn:aws:s3:::b/alice/k"])
        self.assertEqual(sorted(out["EvaluationResults"][0]["MissingContextValues"]),
                         ["aws:PrincipalTag/team", "aws:username", "s3:ExistingObjectTag/owner"])
        # A statement for another resource is not considered.
        out = self.simulate([policy], ["s3:ListBucket"], ResourceArns=["arn:aws:s3:::other"])
        self.assertEqual(out["EvaluationResults"][0]["MissingContextValues"], [])

    def test_permissions_boundary(self):
        allow_all = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                        "Resource": "*"}]})
        boundary = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                       "Resource": "*"}]})
        out = self.simulate([allow_all], ["s3:GetObject", "ec2:RunInstances"],
                            PermissionsBoundaryPolicyInputList=[boundary])
        s3, ec2 = out["EvaluationResults"]
        self.assertEqual(s3["EvalDecision"], "allowed")
        self.assertEqual(s3["PermissionsBoundaryDecisionDetail"], {"AllowedByPermissionsBoundary": True})
        self.assertEqual(ec2["EvalDecision"], "implicitDeny")
        self.assertEqual(ec2["PermissionsBoundaryDecisionDetail"], {"AllowedByPermissionsBoundary": False})

    def test_paging(self):
        out = self.simulate([EXAMPLE_POLICY], ["s3:PutObject", "s3:GetObject", "s3:ListBucket"], MaxItems=2)
        self.assertEqual([r["EvalActionName"] for r in out["EvaluationResults"]], ["s3:PutObject", "s3:GetObject"])
        self.assertTrue(out["IsTruncated"])
        rest = self.simulate([EXAMPLE_POLICY], ["s3:PutObject", "s3:GetObject", "s3:ListBucket"], MaxItems=2,
                             Marker=out["Marker"])
        self.assertEqual([r["EvalActionName"] for r in rest["EvaluationResults"]], ["s3:ListBucket"])
        self.assertFalse(rest["IsTruncated"])

    def test_principal_policy_of_a_role_with_an_inline_policy(self):
        iam = self.iam()
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service":
                                                                                         "ec2.amazonaws.com"},
                                                         "Action": "sts:AssumeRole"}]}
        role_arn = iam.create_role(RoleName="sim-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName="sim-role", PolicyName="s3-read", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
                {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secret/*"}]}))
        out = iam.simulate_principal_policy(
            PolicySourceArn=role_arn, ActionNames=["s3:GetObject", "s3:PutObject"],
            ResourceArns=["arn:aws:s3:::public/a", "arn:aws:s3:::secret/b"])
        decisions = [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"])
                     for r in out["EvaluationResults"]]
        self.assertEqual(decisions, [
            ("s3:GetObject", "arn:aws:s3:::public/a", "allowed"),
            ("s3:GetObject", "arn:aws:s3:::secret/b", "explicitDeny"),
            ("s3:PutObject", "arn:aws:s3:::public/a", "implicitDeny"),
            ("s3:PutObject", "arn:aws:s3:::secret/b", "implicitDeny")])
        first = out["EvaluationResults"][0]["MatchedStatements"][0]
        self.assertEqual(first["SourcePolicyId"], "s3-read")
        self.assertEqual(first["SourcePolicyType"], "IAM Policy")
        # PolicyInputList adds to the role's own policies.
        extra = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject",
                                                                    "Resource": "*"}]})
        out = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["s3:PutObject"],
                                            PolicyInputList=[extra])
        self.assertEqual(out["EvaluationResults"][0]["EvalDecision"], "allowed")
        self.assertEqual(out["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyId"], "PolicyInputList.1")

    def test_principal_policy_of_a_user_and_errors(self):
        iam = self.iam()
        out = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/test",
                                            ActionNames=["s3:GetObject"])
        self.assertEqual(out["EvaluationResults"][0]["EvalDecision"], "implicitDeny")
        self.assertClientError(lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/nope", ActionNames=["s3:GetObject"]),
            "NoSuchEntity", "The role with name nope cannot be found.", 404)
        self.assertClientError(lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody", ActionNames=["s3:GetObject"]),
            "NoSuchEntity", "The user with name nobody cannot be found.", 404)
        self.assertClientError(lambda: iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/none", ActionNames=["s3:GetObject"]),
            "NoSuchEntity", "The group with name none cannot be found.", 404)
        self.assertClientError(lambda: self.simulate(["{not json"], ["s3:GetObject"]), "MalformedPolicyDocument",
                               status=400)


if __name__ == "__main__":
    unittest.main()
