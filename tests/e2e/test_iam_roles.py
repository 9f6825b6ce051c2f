"""IAM roles through the real binary (issue 12): the moto/LocalStack flow
(create a role with IAM, then assume it), every role operation, IAM's error
classes and texts, paging, the IAM envelope, and effects on STS at once."""

import json
import unittest
import urllib.parse

from stsd_harness import StsdTestCase, creds_of, iam_client, sts_client

ACCOUNT = "000000000000"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"


def trust(principal=f"arn:aws:iam::{ACCOUNT}:root"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}]})


def allow(action, resource="*", effect="Allow"):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": action, "Resource": resource}]})


class RoleLifecycleTest(StsdTestCase):
    def setUp(self):
        self.iam_ = self.iam()

    def tearDown(self):
        for role in self.iam_.list_roles()["Roles"]:
            name = role["RoleName"]
            for p in self.iam_.list_role_policies(RoleName=name)["PolicyNames"]:
                self.iam_.delete_role_policy(RoleName=name, PolicyName=p)
            for p in self.iam_.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
                self.iam_.detach_role_policy(RoleName=name, PolicyArn=p["PolicyArn"])
            self.iam_.delete_role(RoleName=name)

    def test_create_then_get_shows_iam_shapes(self):
        created = self.iam_.create_role(RoleName="app", Path="/team/x/", AssumeRolePolicyDocument=trust(),
                                        Description="the app", Tags=[{"Key": "env", "Value": "test"}])["Role"]
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT}:role/team/x/app")
        self.assertRegex(created["RoleId"], r"^AROA[A-Z2-7]{17}$")
        self.assertEqual(created["Path"], "/team/x/")
        self.assertEqual(created["AssumeRolePolicyDocument"], json.loads(trust()))
        self.assertNotIn("MaxSessionDuration", created)  # CreateRole does not show it
        got = self.iam_.get_role(RoleName="app")["Role"]
        self.assertEqual(got["RoleId"], created["RoleId"])
        self.assertEqual(got["MaxSessionDuration"], 3600)
        self.assertEqual(got["Description"], "the app")
        self.assertEqual(got["Tags"], [{"Key": "env", "Value": "test"}])
        self.assertEqual(got["RoleLastUsed"], {})
        self.assertEqual(got["CreateDate"], created["CreateDate"])

    def test_names_are_unique_ignoring_case(self):
        self.iam_.create_role(RoleName="Dup", AssumeRolePolicyDocument=trust())
        self.assertClientError(lambda: self.iam_.create_role(RoleName="DUP", AssumeRolePolicyDocument=trust()),
                               "EntityAlreadyExists", "Role with name DUP already exists.", 409)

    def test_missing_role_is_no_such_entity(self):
        self.assertClientError(lambda: self.iam_.get_role(RoleName="absent"), "NoSuchEntity",
                               "The role with name absent cannot be found.", 404)
        self.assertClientError(lambda: self.iam_.delete_role(RoleName="absent"), "NoSuchEntity", status=404)

    def test_model_validation_errors(self):
        client = self.iam(validate=False)
        err = self.assertClientError(
            lambda: client.create_role(RoleName="x" * 65, AssumeRolePolicyDocument=trust()), "ValidationError",
            status=400)
        # IAM no longer echoes the value (docs/IAM-BEHAVIOUR.md section 2.8).
        self.assertEqual(err["Message"], "1 validation error detected: Value at 'roleName' failed to satisfy "
                                         "constraint: Member must have length less than or equal to 64")
        err = self.assertClientError(
            lambda: client.create_role(RoleName="p", Path="no-slash", AssumeRolePolicyDocument=trust()),
            "ValidationError", status=400)
        self.assertIn("'path' failed to satisfy constraint: Member must satisfy regular expression pattern",
                      err["Message"])
        self.assertClientError(
            lambda: client.create_role(RoleName="d", AssumeRolePolicyDocument=trust(), MaxSessionDuration=100),
            "ValidationError", "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy "
                               "constraint: Member must have value greater than or equal to 3600", 400)
        self.assertClientError(
            lambda: client.list_policies(Scope="Everything"), "ValidationError",
            "1 validation error detected: Value at 'scope' failed to satisfy constraint: Member must satisfy enum "
            "value set", 400)

    def test_malformed_and_oversized_trust_policies(self):
        self.assertClientError(lambda: self.iam_.create_role(RoleName="bad", AssumeRolePolicyDocument="{nope"),
                               "MalformedPolicyDocument", "This policy contains invalid Json", 400)
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": ["x" * 60 + str(i) for i in range(40)]}}}]})
        self.assertClientError(lambda: self.iam_.create_role(RoleName="big", AssumeRolePolicyDocument=big),
                               "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048", 409)
        self.assertClientError(lambda: self.iam_.get_role(RoleName="bad"), "NoSuchEntity")

    def test_update_role_and_description(self):
        self.iam_.create_role(RoleName="upd", AssumeRolePolicyDocument=trust())
        self.iam_.update_role(RoleName="upd", MaxSessionDuration=7200)
        self.iam_.update_role(RoleName="upd", Description="later")
        got = self.iam_.get_role(RoleName="upd")["Role"]
        self.assertEqual((got["MaxSessionDuration"], got["Description"]), (7200, "later"))
        shown = self.iam_.update_role_description(RoleName="upd", Description="again")["Role"]
        self.assertEqual(shown["Description"], "again")

    def test_tags_are_case_insensitive_and_replace(self):
        self.iam_.create_role(RoleName="tagged", AssumeRolePolicyDocument=trust())
        self.iam_.tag_role(RoleName="tagged", Tags=[{"Key": "somekey", "Value": "a"}])
        self.iam_.tag_role(RoleName="tagged", Tags=[{"Key": "Somekey", "Value": "b"}, {"Key": "k2", "Value": ""}])
        self.assertEqual(self.iam_.list_role_tags(RoleName="tagged")["Tags"],
                         [{"Key": "Somekey", "Value": "b"}, {"Key": "k2", "Value": ""}])
        self.iam_.untag_role(RoleName="tagged", TagKeys=["SOMEKEY"])
        self.assertEqual(self.iam_.list_role_tags(RoleName="tagged")["Tags"], [{"Key": "k2", "Value": ""}])
        self.assertClientError(
            lambda: self.iam_.tag_role(RoleName="tagged", Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]),
            "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
        self.assertClientError(
            lambda: self.iam_.tag_role(RoleName="tagged", Tags=[{"Key": f"n{i}", "Value": ""} for i in range(50)]),
            "LimitExceeded", "The number of tags has reached the maximum limit.", 409)

    def test_tags_page_in_insertion_order(self):
        self.iam_.create_role(RoleName="paged-tags", AssumeRolePolicyDocument=trust())
        keys = ["zeta", "alpha", "mid", "Beta", "omega"]
        self.iam_.tag_role(RoleName="paged-tags", Tags=[{"Key": k, "Value": k} for k in keys])
        seen, marker = [], None
        while True:
            page = self.iam_.list_role_tags(RoleName="paged-tags", MaxItems=2, **({"Marker": marker} if marker else {}))
            seen += [t["Key"] for t in page["Tags"]]
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual(seen, keys)

    def test_inline_policies(self):
        self.iam_.create_role(RoleName="inl", AssumeRolePolicyDocument=trust())
        self.iam_.put_role_policy(RoleName="inl", PolicyName="s3", PolicyDocument=allow("s3:*"))
        self.iam_.put_role_policy(RoleName="inl", PolicyName="ec2", PolicyDocument=allow("ec2:*"))
        self.assertEqual(self.iam_.list_role_policies(RoleName="inl")["PolicyNames"], ["ec2", "s3"])
        got = self.iam_.get_role_policy(RoleName="inl", PolicyName="s3")
        self.assertEqual((got["RoleName"], got["PolicyName"], got["PolicyDocument"]),
                         ("inl", "s3", json.loads(allow("s3:*"))))
        self.assertClientError(lambda: self.iam_.delete_role(RoleName="inl"), "DeleteConflict",
                               "Cannot delete entity, must delete policies first.", 409)
        self.iam_.delete_role_policy(RoleName="inl", PolicyName="s3")
        self.assertClientError(lambda: self.iam_.get_role_policy(RoleName="inl", PolicyName="s3"), "NoSuchEntity",
                               "The role policy with name s3 cannot be found.", 404)
        self.assertClientError(
            lambda: self.iam_.put_role_policy(RoleName="inl", PolicyName="p", PolicyDocument='{"Version":"2012-10-17"}'),
            "MalformedPolicyDocument", status=400)

    def test_attached_policies_and_quota(self):
        self.iam_.create_role(RoleName="att", AssumeRolePolicyDocument=trust())
        arns = [f"arn:aws:iam::aws:policy/Managed{i}" for i in range(11)]
        for arn in arns[:10]:
            self.iam_.attach_role_policy(RoleName="att", PolicyArn=arn)
        self.iam_.attach_role_policy(RoleName="att", PolicyArn=arns[0])  # idempotent
        self.assertClientError(lambda: self.iam_.attach_role_policy(RoleName="att", PolicyArn=arns[10]),
                               "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)
        page = self.iam_.list_attached_role_policies(RoleName="att", MaxItems=4)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(len(page["AttachedPolicies"]), 4)
        rest = self.iam_.list_attached_role_policies(RoleName="att", Marker=page["Marker"])
        self.assertFalse(rest["IsTruncated"])
        self.assertNotIn("Marker", rest)
        names = [p["PolicyName"] for p in page["AttachedPolicies"] + rest["AttachedPolicies"]]
        self.assertEqual(sorted(names), sorted(a.rsplit("/", 1)[1] for a in arns[:10]))
        self.assertClientError(lambda: self.iam_.delete_role(RoleName="att"), "DeleteConflict",
                               "Cannot delete entity, must detach all policies first.", 409)
        missing = f"arn:aws:iam::{ACCOUNT}:policy/none"
        self.assertClientError(lambda: self.iam_.detach_role_policy(RoleName="att", PolicyArn=missing),
                               "NoSuchEntity", f"Policy {missing} was not found.", 404)
        self.assertClientError(lambda: self.iam_.attach_role_policy(RoleName="att", PolicyArn=missing),
                               "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)

    def test_permissions_boundary(self):
        self.iam_.create_role(RoleName="bnd", AssumeRolePolicyDocument=trust())
        arn = "arn:aws:iam::aws:policy/PowerUserAccess"
        self.iam_.put_role_permissions_boundary(RoleName="bnd", PermissionsBoundary=arn)
        self.assertEqual(self.iam_.get_role(RoleName="bnd")["Role"]["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn})
        self.iam_.delete_role_permissions_boundary(RoleName="bnd")
        self.assertNotIn("PermissionsBoundary", self.iam_.get_role(RoleName="bnd")["Role"])
        bad = "arn:aws:iam::111111111111:not_a_policy/invalid"
        self.assertClientError(
            lambda: self.iam_.put_role_permissions_boundary(RoleName="bnd", PermissionsBoundary=bad),
            "InvalidInput", f"ARN {bad} is not valid.", 400)

    def test_list_roles_pages_in_name_order(self):
        names = [f"r{i:02d}" for i in range(7)]
        for n in reversed(names):
            self.iam_.create_role(RoleName=n, Path="/pg/", AssumeRolePolicyDocument=trust())
        seen, marker = [], None
        while True:
            kwargs = {"PathPrefix": "/pg/", "MaxItems": 3}
            if marker:
                kwargs["Marker"] = marker
            page = self.iam_.list_roles(**kwargs)
            seen += [r["RoleName"] for r in page["Roles"]]
            self.assertTrue(all("Tags" not in r and "RoleLastUsed" not in r for r in page["Roles"]))
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual(seen, names)
        self.assertClientError(lambda: self.iam_.list_roles(Marker="!!garbage!!"), "ValidationError",
                               "Invalid Marker.", 400)


class WireFormatTest(StsdTestCase):
    def test_envelope_namespace_and_encoded_documents(self):
        client = iam_client(self.server.url)
        raw = []
        client.meta.events.register("after-call.iam.*", lambda http_response=None, **kw: raw.append(http_response))
        client.create_role(RoleName="wire", AssumeRolePolicyDocument=trust())
        body = raw[-1].text
        self.assertTrue(body.startswith(f'<CreateRoleResponse xmlns="{IAM_NS}">'), body)
        encoded = body.split("<AssumeRolePolicyDocument>")[1].split("</AssumeRolePolicyDocument>")[0]
        self.assertEqual(encoded, urllib.parse.quote(trust(), safe="-._~"))
        client.delete_role(RoleName="wire")
        self.assertNotIn("<DeleteRoleResult", raw[-1].text)
        self.assertIn("<ResponseMetadata>", raw[-1].text)
        try:
            client.get_role(RoleName="wire")
        except client.exceptions.NoSuchEntityException:
            pass
        self.assertTrue(raw[-1].text.startswith(f'<ErrorResponse xmlns="{IAM_NS}">'), raw[-1].text)

    def test_unknown_operation_for_iam_version(self):
        from botocore.exceptions import ClientError
        client = iam_client(self.server.url)
        client.meta.service_model.operation_model("ListRoles")  # a known one, sanity
        # An STS operation name signed for iam is not an IAM operation.
        with self.assertRaises(ClientError) as ctx:
            client._make_api_call("GetRole", {"RoleName": "x"})
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NoSuchEntity")


class StsEffectsStrictTest(StsdTestCase):
    """role_mode strict: only declared roles exist, trust policies decide."""

    @classmethod
    def server_config(cls):
        return {
            "role_mode": "strict",
            "accounts": [{"id": ACCOUNT}],
            "users": [
                {"account": ACCOUNT, "name": "admin", "access_keys": [{"id": "AKIAADMIN0000000001", "secret": "a" * 40}]},
                {"account": ACCOUNT, "name": "other", "access_keys": [{"id": "AKIAOTHER0000000001", "secret": "o" * 40}]},
            ],
        }

    ADMIN = ("AKIAADMIN0000000001", "a" * 40)
    OTHER = ("AKIAOTHER0000000001", "o" * 40)

    def test_created_role_is_assumable_at_once_and_trust_changes_apply(self):
        iam = self.iam(self.ADMIN)
        sts_admin = self.client(self.ADMIN)
        sts_other = self.client(self.OTHER)
        arn = f"arn:aws:iam::{ACCOUNT}:role/deploy"
        self.assertClientError(lambda: sts_admin.assume_role(RoleArn=arn, RoleSessionName="s1"), "AccessDenied")
        iam.create_role(RoleName="deploy", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/admin"))
        got = sts_admin.assume_role(RoleArn=arn, RoleSessionName="s1")
        self.assertEqual(got["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/s1")
        self.assertTrue(got["AssumedRoleUser"]["AssumedRoleId"].startswith(
            iam.get_role(RoleName="deploy")["Role"]["RoleId"] + ":"))
        self.assertClientError(lambda: sts_other.assume_role(RoleArn=arn, RoleSessionName="s1"), "AccessDenied")
        iam.update_assume_role_policy(RoleName="deploy", PolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/other"))
        sts_other.assume_role(RoleArn=arn, RoleSessionName="s1")
        self.assertClientError(lambda: sts_admin.assume_role(RoleArn=arn, RoleSessionName="s1"), "AccessDenied")

        # The sessions of a deleted role are refused.
        session = self.client(creds_of(sts_other.assume_role(RoleArn=arn, RoleSessionName="t1")))
        session.get_caller_identity()
        iam.delete_role(RoleName="deploy")
        self.assertClientError(lambda: session.get_caller_identity(), "InvalidClientTokenId", status=403)

    def test_role_policy_decides_what_its_sessions_may_call(self):
        iam = self.iam(self.ADMIN)
        iam.create_role(RoleName="limited", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/admin"))
        iam.put_role_policy(RoleName="limited", PolicyName="no-iam", PolicyDocument=allow("sts:*"))
        creds = creds_of(self.client(self.ADMIN).assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/limited", RoleSessionName="s1"))
        limited_iam = self.iam(creds)
        err = self.assertClientError(lambda: limited_iam.list_roles(), "AccessDenied", status=403)
        self.assertIn("iam:ListRoles", err["Message"])
        iam.put_role_policy(RoleName="limited", PolicyName="read", PolicyDocument=allow("iam:ListRoles"))
        self.assertIn("limited", [r["RoleName"] for r in limited_iam.list_roles()["Roles"]])
        iam.delete_role_policy(RoleName="limited", PolicyName="no-iam")
        iam.delete_role_policy(RoleName="limited", PolicyName="read")
        iam.delete_role(RoleName="limited")

    def test_signature_checked_for_iam(self):
        bad = self.iam((self.ADMIN[0], "b" * 40))
        self.assertClientError(lambda: bad.list_roles(), "SignatureDoesNotMatch", status=403)
        unknown = self.iam(("AKIAUNKNOWN000000001", "u" * 40))
        self.assertClientError(lambda: unknown.list_roles(), "InvalidClientTokenId", status=403)

    def test_config_roles_are_iam_entities(self):
        # Config-declared users are visible and changeable through IAM too.
        iam = self.iam(self.ADMIN)
        iam.create_role(RoleName="seen", AssumeRolePolicyDocument=trust())
        self.assertIn("seen", [r["RoleName"] for r in iam.list_roles()["Roles"]])
        iam.delete_role(RoleName="seen")


class ConfigRolesTest(StsdTestCase):
    @classmethod
    def server_config(cls):
        return {
            "role_mode": "strict",
            "accounts": [{"id": ACCOUNT}],
            "users": [{"account": ACCOUNT, "name": "u", "access_keys": [{"id": "AKIAUSER00000000001", "secret": "s" * 40}]}],
            "roles": [{"account": ACCOUNT, "name": "from-config", "path": "/cfg/",
                       "trust_policy": json.loads(trust(f"arn:aws:iam::{ACCOUNT}:user/u"))}],
        }

    def test_config_role_shown_and_changed_through_iam(self):
        creds = ("AKIAUSER00000000001", "s" * 40)
        iam = self.iam(creds)
        role = iam.get_role(RoleName="from-config")["Role"]
        self.assertEqual(role["Arn"], f"arn:aws:iam::{ACCOUNT}:role/cfg/from-config")
        self.assertEqual(role["AssumeRolePolicyDocument"], json.loads(trust(f"arn:aws:iam::{ACCOUNT}:user/u")))
        self.client(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
        iam.update_assume_role_policy(RoleName="from-config", PolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
        # Naming only the account: the caller's identity policies must allow (u has none: allowed).
        self.client(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
        iam.delete_role(RoleName="from-config")
        self.assertClientError(lambda: self.client(creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s1"),
                               "AccessDenied")


class StatePersistenceTest(unittest.TestCase):
    """--state: every acknowledged IAM write survives kill -9; an edited
    --config is served instead; an older JSON state file is imported."""

    def setUp(self):
        import tempfile
        self.workdir = tempfile.mkdtemp(prefix="stsd-iam-state-")
        self.servers = []

    def tearDown(self):
        import shutil
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, args, config=None):
        from stsd_harness import StsdServer
        server = StsdServer(args, config, workdir=self.workdir).start()
        self.servers.append(server)
        return server

    def kill9(self, server):
        import os
        import signal
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait()

    def test_acknowledged_iam_writes_survive_kill_9(self):
        import os
        state = os.path.join(self.workdir, "state.db")
        server = self.start(["--state", state])
        iam = iam_client(server.url)
        ids = {}
        for i in range(30):
            ids[f"role-{i}"] = iam.create_role(RoleName=f"role-{i}", Path="/p/",
                                               AssumeRolePolicyDocument=trust())["Role"]["RoleId"]
        iam.put_role_policy(RoleName="role-3", PolicyName="inline", PolicyDocument=allow("s3:*"))
        iam.tag_role(RoleName="role-4", Tags=[{"Key": "k", "Value": "v"}])
        iam.delete_role(RoleName="role-5")
        del ids["role-5"]
        self.kill9(server)

        again = self.start(["--state", state])
        iam = iam_client(again.url)
        roles = {r["RoleName"]: r for r in iam.list_roles(PathPrefix="/p/")["Roles"]}
        self.assertEqual({n: r["RoleId"] for n, r in roles.items()}, ids)
        self.assertEqual(iam.get_role_policy(RoleName="role-3", PolicyName="inline")["PolicyDocument"],
                         json.loads(allow("s3:*")))
        self.assertEqual(iam.list_role_tags(RoleName="role-4")["Tags"], [{"Key": "k", "Value": "v"}])
        # Created through IAM, assumable after the restart.
        sts = sts_client(again.url)
        self.assertEqual(sts.assume_role(RoleArn=roles["role-7"]["Arn"], RoleSessionName="after")
                         ["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/role-7/after")

    def test_every_kind_of_entity_survives_kill_9(self):
        import os
        state = os.path.join(self.workdir, "state.db")
        server = self.start(["--state", state])
        iam = iam_client(server.url)
        iam.create_user(UserName="carol", Path="/staff/")
        key = iam.create_access_key(UserName="carol")["AccessKey"]
        iam.create_group(GroupName="devs")
        iam.add_user_to_group(UserName="carol", GroupName="devs")
        policy = iam.create_policy(PolicyName="p", PolicyDocument=allow("s3:*"))["Policy"]
        iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=allow("ec2:*"), SetAsDefault=True)
        iam.attach_group_policy(GroupName="devs", PolicyArn=policy["Arn"])
        iam.create_role(RoleName="ec2", AssumeRolePolicyDocument=trust())
        iam.create_instance_profile(InstanceProfileName="prof")
        iam.add_role_to_instance_profile(InstanceProfileName="prof", RoleName="ec2")
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="token")["VirtualMFADevice"]["SerialNumber"]
        iam.create_account_alias(AccountAlias="my-alias")
        oidc = iam.create_open_id_connect_provider(Url="https://idp.example.com", ClientIDList=["app"],
                                                   ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
        before = iam.get_user(UserName="carol")["User"]
        self.kill9(server)

        again = self.start(["--state", state])
        iam = iam_client(again.url)
        self.assertEqual(iam.get_user(UserName="carol")["User"], before)
        self.assertEqual([g["GroupName"] for g in iam.list_groups_for_user(UserName="carol")["Groups"]], ["devs"])
        self.assertEqual(iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["DefaultVersionId"], "v2")
        self.assertEqual(iam.list_attached_group_policies(GroupName="devs")["AttachedPolicies"][0]["PolicyArn"],
                         policy["Arn"])
        self.assertEqual([r["RoleName"] for r in
                          iam.get_instance_profile(InstanceProfileName="prof")["InstanceProfile"]["Roles"]], ["ec2"])
        self.assertIn(serial, [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]])
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], ["my-alias"])
        self.assertEqual(iam.get_open_id_connect_provider(OpenIDConnectProviderArn=oidc)["ClientIDList"], ["app"])
        # The key created through IAM still signs, as carol.
        sts = sts_client(again.url, (key["AccessKeyId"], key["SecretAccessKey"]))
        self.assertEqual(sts.get_caller_identity()["Arn"], f"arn:aws:iam::{ACCOUNT}:user/staff/carol")

    def test_reset_state_and_an_edited_config_serve_the_config(self):
        import os
        state = os.path.join(self.workdir, "state.db")
        config = {"accounts": [{"id": ACCOUNT}],
                  "users": [{"account": ACCOUNT, "name": "test", "access_keys": [{"id": "test", "secret": "test"}]}]}
        server = self.start(["--state", state], config)
        iam_client(server.url).create_role(RoleName="made-at-run-time", AssumeRolePolicyDocument=trust())
        server.stop()
        again = self.start(["--state", state, "--reset-state"], config)
        self.assertEqual(iam_client(again.url).list_roles()["Roles"], [])

    def test_a_json_state_file_of_an_older_stsd_is_imported(self):
        import os
        state = os.path.join(self.workdir, "state.json")
        with open(state, "w") as f:
            json.dump({"accounts": [{"id": ACCOUNT}],
                       "users": [{"account": ACCOUNT, "name": "old", "access_keys": [{"id": "test", "secret": "test"}]}]}, f)
        server = self.start(["--state", state])
        self.assertTrue(os.path.exists(state + ".json-imported"))
        self.assertEqual(sts_client(server.url).get_caller_identity()["Arn"], f"arn:aws:iam::{ACCOUNT}:user/old")
        with open(state, "rb") as f:
            self.assertEqual(f.read(16), b"SQLite format 3\x00")


if __name__ == "__main__":
    unittest.main()
