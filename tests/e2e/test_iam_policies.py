"""IAM managed policies, instance profiles, account alias and summary end to
end through boto3 (docs/IAM-BEHAVIOUR.md sections 2, 4, 5.5, 5.9, 5.10),
and a policy version change taking effect on the next STS decision."""

import json
import unittest
import urllib.parse

from stsd_harness import StsdTestCase, creds_of, sts_client

ACCOUNT = "000000000000"


def doc(effect="Allow", action="s3:GetObject", resource="*"):
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": resource}]}


def trust_account():
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}


def policy_arn(name, path="/"):
    return f"arn:aws:iam::{ACCOUNT}:policy{path}{name}"


class ManagedPolicyTest(StsdTestCase):
    def create(self, name, document=None, **kwargs):
        return self.iam().create_policy(PolicyName=name, PolicyDocument=json.dumps(document or doc()),
                                        **kwargs)["Policy"]

    def test_create_get_and_duplicate(self):
        iam = self.iam()
        p = self.create("pol-life", Path="/team/", Description="for tests",
                        Tags=[{"Key": "env", "Value": "dev"}])
        self.assertEqual(p["PolicyName"], "pol-life")
        self.assertEqual(p["Arn"], policy_arn("pol-life", "/team/"))
        self.assertEqual(p["Path"], "/team/")
        self.assertTrue(p["PolicyId"].startswith("ANPA"))
        self.assertEqual(len(p["PolicyId"]), 21)
        self.assertEqual(p["DefaultVersionId"], "v1")
        self.assertEqual(p["AttachmentCount"], 0)
        self.assertEqual(p["PermissionsBoundaryUsageCount"], 0)
        self.assertIs(p["IsAttachable"], True)
        self.assertEqual(p["CreateDate"], p["UpdateDate"])
        self.assertEqual(p["Description"], "for tests")
        self.assertEqual(p["Tags"], [{"Key": "env", "Value": "dev"}])

        plain = self.create("pol-plain")
        self.assertNotIn("Description", plain)
        self.assertNotIn("Tags", plain)

        got = iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual(got, p)

        self.assertClientError(lambda: self.create("POL-LIFE"), "EntityAlreadyExists",
                               "A policy called POL-LIFE already exists. Duplicate names are not allowed.", 409)
        v1 = iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
        self.assertEqual(v1["Document"], doc())
        self.assertEqual(v1["VersionId"], "v1")
        self.assertIs(v1["IsDefaultVersion"], True)

    def test_versions(self):
        iam = self.iam()
        arn = self.create("pol-versions")["Arn"]
        v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc(action="s3:PutObject")))
        self.assertEqual(set(v2["PolicyVersion"]), {"VersionId", "IsDefaultVersion", "CreateDate"})
        self.assertEqual(v2["PolicyVersion"]["VersionId"], "v2")
        self.assertIs(v2["PolicyVersion"]["IsDefaultVersion"], False)
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v1")

        v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc(action="s3:ListBucket")),
                                       SetAsDefault=True)["PolicyVersion"]
        self.assertEqual((v3["VersionId"], v3["IsDefaultVersion"]), ("v3", True))
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v3")
        self.assertEqual(iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"],
                         doc(action="s3:PutObject"))

        listed = iam.list_policy_versions(PolicyArn=arn)
        self.assertEqual([v["VersionId"] for v in listed["Versions"]], ["v3", "v2", "v1"])
        self.assertEqual([v["IsDefaultVersion"] for v in listed["Versions"]], [True, False, False])
        self.assertTrue(all("Document" not in v for v in listed["Versions"]))
        self.assertIs(listed["IsTruncated"], False)

        page = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
        self.assertEqual([v["VersionId"] for v in page["Versions"]], ["v3", "v2"])
        self.assertIs(page["IsTruncated"], True)
        rest = iam.list_policy_versions(PolicyArn=arn, Marker=page["Marker"])
        self.assertEqual([v["VersionId"] for v in rest["Versions"]], ["v1"])
        self.assertNotIn("Marker", rest)

        self.assertClientError(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v3"), "DeleteConflict",
                               "Cannot delete the default version of a policy.", 409)
        self.assertClientError(
            lambda: iam.delete_policy(PolicyArn=arn), "DeleteConflict",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's "
            "versions. The default version is deleted with the policy.", 409)
        iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"], "v1")
        self.assertClientError(lambda: iam.set_default_policy_version(PolicyArn=arn, VersionId="v9"), "NoSuchEntity",
                               f"Policy {arn} version v9 does not exist or is not attachable.", 404)
        self.assertClientError(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v9"), "NoSuchEntity",
                               f"Policy {arn} version v9 does not exist or is not attachable.", 404)
        self.assertClientError(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v9"), "NoSuchEntity",
                               f"Policy {arn} version v9 does not exist or is not attachable.", 404)

        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
        # Version numbers are never reused.
        v4 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc()))["PolicyVersion"]
        self.assertEqual(v4["VersionId"], "v4")
        iam.delete_policy_version(PolicyArn=arn, VersionId="v4")
        iam.delete_policy(PolicyArn=arn)
        self.assertClientError(lambda: iam.get_policy(PolicyArn=arn), "NoSuchEntity",
                               f"Policy {arn} was not found.", 404)
        self.assertClientError(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v1"), "NoSuchEntity",
                               f"Policy {arn} version v1 does not exist or is not attachable.", 404)
        self.assertClientError(lambda: iam.delete_policy(PolicyArn=arn), "NoSuchEntity",
                               f"Policy {arn} was not found.", 404)

    def test_version_quota(self):
        iam = self.iam()
        arn = self.create("pol-quota")["Arn"]
        for n in range(2, 6):
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc(action=f"s3:Get{n}")))
        self.assertClientError(
            lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc())), "LimitExceeded",
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
            "existing version.", 409)
        self.assertEqual(len(iam.list_policy_versions(PolicyArn=arn)["Versions"]), 5)

    def test_malformed_and_size(self):
        iam = self.iam()
        # The text is the shared policy validator's (section 2.6 lists both
        # "This policy contains invalid Json" and "Syntax errors in policy.").
        self.assertClientError(lambda: iam.create_policy(PolicyName="pol-bad", PolicyDocument="not json"),
                               "MalformedPolicyDocument", status=400)
        self.assertClientError(
            lambda: self.create("pol-bad", {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
            "MalformedPolicyDocument", "Policy document should not specify a principal.", 400)
        big = doc(action=[f"s3:Action{i:05d}" for i in range(400)])
        self.assertClientError(lambda: self.create("pol-big", big), "LimitExceeded",
                               "Cannot exceed quota for PolicySize: 6144", 409)
        arn = self.create("pol-small")["Arn"]
        self.assertClientError(
            lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument="{"), "MalformedPolicyDocument",
            status=400)
        self.assertEqual(len(iam.list_policy_versions(PolicyArn=arn)["Versions"]), 1)
        self.assertClientError(lambda: iam.get_policy(PolicyArn=policy_arn("pol-bad")), "NoSuchEntity", status=404)

    def test_model_validation(self):
        iam = self.iam()
        arn = self.create("pol-validate")["Arn"]
        err = self.assertClientError(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="x1"),
                                     "ValidationError", status=400)
        self.assertIn("versionId", err["Message"])
        self.assertIn("v[1-9][0-9]*", err["Message"])
        self.assertClientError(lambda: self.create("pol-path", Path="no-slash"), "ValidationError", status=400)
        self.assertClientError(lambda: iam.list_policies(Scope="Local", Marker="garbage!"), "ValidationError",
                               "Invalid Marker.", 400)

    def test_aws_managed(self):
        iam = self.iam()
        missing = "arn:aws:iam::aws:policy/Nonexistent"
        self.assertClientError(lambda: iam.get_policy(PolicyArn=missing), "NoSuchEntity",
                               f"Policy {missing} was not found.", 404)
        self.assertClientError(lambda: iam.delete_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"),
                               "AccessDenied", "Cannot delete policies outside your own account.", 403)
        self.assertClientError(
            lambda: iam.delete_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess", VersionId="v1"),
            "AccessDenied", "Cannot delete policy versions for policies outside your own account.", 403)
        self.assertClientError(
            lambda: iam.create_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
                                              PolicyDocument=json.dumps(doc())),
            "AccessDenied", "Cannot update policies outside your own account.", 403)
        self.assertClientError(
            lambda: iam.set_default_policy_version(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess",
                                                   VersionId="v2"),
            "AccessDenied", "Cannot update policies outside your own account.", 403)
        # Attachable by ARN, and listed among its entities, though never fetched.
        readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        role = iam.create_role(RoleName="aws-ro", AssumeRolePolicyDocument=json.dumps(trust_account()))["Role"]
        iam.attach_role_policy(RoleName="aws-ro", PolicyArn=readonly)
        ents = iam.list_entities_for_policy(PolicyArn=readonly)
        self.assertEqual(ents["PolicyRoles"], [{"RoleName": "aws-ro", "RoleId": role["RoleId"]}])
        self.assertEqual(iam.list_entities_for_policy(PolicyArn=readonly, EntityFilter="AWSManagedPolicy")["PolicyRoles"],
                         [])
        self.assertClientError(lambda: iam.get_policy(PolicyArn=readonly), "NoSuchEntity",
                               f"Policy {readonly} was not found.", 404)
        iam.detach_role_policy(RoleName="aws-ro", PolicyArn=readonly)
        iam.delete_role(RoleName="aws-ro")
        # stsd has no AWS managed catalogue: Scope=AWS lists nothing.
        listed = iam.list_policies(Scope="AWS")
        self.assertEqual(listed["Policies"], [])
        self.assertIs(listed["IsTruncated"], False)

    def test_list_policies_and_paging(self):
        iam = self.iam()
        names = [f"pg-{i}" for i in range(5)]
        for name in names:
            self.create(name, Path="/paging/")
        local = iam.list_policies(Scope="Local", PathPrefix="/paging/")
        self.assertEqual([p["PolicyName"] for p in local["Policies"]], names)
        self.assertTrue(all("Tags" not in p and "Description" not in p for p in local["Policies"]))
        self.assertEqual(local["Policies"][0]["Arn"], policy_arn("pg-0", "/paging/"))
        seen, marker, pages = [], None, 0
        while True:
            kwargs = {"Marker": marker} if marker else {}
            page = iam.list_policies(PathPrefix="/paging/", MaxItems=2, **kwargs)
            pages += 1
            seen += [p["PolicyName"] for p in page["Policies"]]
            if not page["IsTruncated"]:
                self.assertNotIn("Marker", page)
                break
            marker = page["Marker"]
        self.assertEqual((seen, pages), (names, 3))
        # The paginator agrees.
        paged = [p["PolicyName"] for pg in iam.get_paginator("list_policies").paginate(
            PathPrefix="/paging/", PaginationConfig={"PageSize": 3}) for p in pg["Policies"]]
        self.assertEqual(paged, names)
        self.assertEqual(iam.list_policies(PathPrefix="/paging/", OnlyAttached=True)["Policies"], [])

    def test_attachments_and_entities(self):
        iam = self.iam()
        arn = self.create("pol-attached", Path="/ent/")["Arn"]
        role = iam.create_role(RoleName="ent-role", AssumeRolePolicyDocument=json.dumps(trust_account()))["Role"]
        iam.create_role(RoleName="ent-bound", Path="/b/", AssumeRolePolicyDocument=json.dumps(trust_account()))
        empty = iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual((empty["PolicyGroups"], empty["PolicyUsers"], empty["PolicyRoles"]), ([], [], []))
        self.assertIs(empty["IsTruncated"], False)

        iam.attach_role_policy(RoleName="ent-role", PolicyArn=arn)
        iam.put_role_permissions_boundary(RoleName="ent-bound", PermissionsBoundary=arn)
        p = iam.get_policy(PolicyArn=arn)["Policy"]
        self.assertEqual((p["AttachmentCount"], p["PermissionsBoundaryUsageCount"]), (1, 1))

        ents = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
        self.assertEqual(ents["PolicyRoles"], [{"RoleName": "ent-role", "RoleId": role["RoleId"]}])
        self.assertEqual((ents["PolicyGroups"], ents["PolicyUsers"]), ([], []))
        both = iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual(sorted(r["RoleName"] for r in both["PolicyRoles"]), ["ent-bound", "ent-role"])
        bound = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")
        self.assertEqual([r["RoleName"] for r in bound["PolicyRoles"]], ["ent-bound"])
        users = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="User")
        self.assertEqual((users["PolicyGroups"], users["PolicyUsers"], users["PolicyRoles"]), ([], [], []))
        paged = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=1)
        self.assertEqual(len(paged["PolicyRoles"]), 1)
        self.assertIs(paged["IsTruncated"], True)
        rest = iam.list_entities_for_policy(PolicyArn=arn, Marker=paged["Marker"])
        self.assertEqual(len(rest["PolicyRoles"]), 1)
        self.assertNotEqual(rest["PolicyRoles"], paged["PolicyRoles"])
        missing = policy_arn("nope")
        self.assertClientError(lambda: iam.list_entities_for_policy(PolicyArn=missing), "NoSuchEntity",
                               f"Policy {missing} does not exist or is not attachable.", 404)

        attached = iam.list_policies(OnlyAttached=True, PathPrefix="/ent/")["Policies"]
        self.assertEqual([(x["PolicyName"], x["AttachmentCount"]) for x in attached], [("pol-attached", 1)])
        self.assertClientError(lambda: iam.delete_policy(PolicyArn=arn), "DeleteConflict",
                               "Cannot delete a policy attached to entities.", 409)
        iam.detach_role_policy(RoleName="ent-role", PolicyArn=arn)
        iam.delete_role_permissions_boundary(RoleName="ent-bound")
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"], 0)
        iam.delete_policy(PolicyArn=arn)
        iam.delete_role(RoleName="ent-role")
        iam.delete_role(RoleName="ent-bound")

    def test_policy_tags(self):
        iam = self.iam()
        arn = self.create("pol-tags")["Arn"]
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "B", "Value": "3"}])
        self.assertEqual(iam.list_policy_tags(PolicyArn=arn)["Tags"],
                         [{"Key": "B", "Value": "3"}, {"Key": "a", "Value": "1"}])
        first = iam.list_policy_tags(PolicyArn=arn, MaxItems=1)
        self.assertEqual((first["Tags"], first["IsTruncated"]), ([{"Key": "B", "Value": "3"}], True))
        second = iam.list_policy_tags(PolicyArn=arn, Marker=first["Marker"])
        self.assertEqual((second["Tags"], second["IsTruncated"]), ([{"Key": "a", "Value": "1"}], False))
        self.assertEqual(iam.get_policy(PolicyArn=arn)["Policy"]["Tags"],
                         [{"Key": "B", "Value": "3"}, {"Key": "a", "Value": "1"}])
        iam.untag_policy(PolicyArn=arn, TagKeys=["b"])
        self.assertEqual(iam.list_policy_tags(PolicyArn=arn)["Tags"], [{"Key": "a", "Value": "1"}])
        self.assertClientError(
            lambda: iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}]),
            "InvalidInput", "Duplicate tag keys found.", 400)
        missing = policy_arn("nope-tags")
        self.assertClientError(lambda: iam.tag_policy(PolicyArn=missing, Tags=[{"Key": "k", "Value": "v"}]),
                               "NoSuchEntity", f"Policy {missing} was not found.", 404)
        self.assertClientError(lambda: iam.list_policy_tags(PolicyArn=missing), "NoSuchEntity",
                               f"Policy {missing} was not found.", 404)

    def test_version_change_applies_to_next_sts_decision(self):
        iam = self.iam()
        deny = doc("Deny", "sts:AssumeRole")
        arn = self.create("pol-chain", deny)["Arn"]
        first = iam.create_role(RoleName="chain-first", AssumeRolePolicyDocument=json.dumps(trust_account()))
        second = iam.create_role(RoleName="chain-second", AssumeRolePolicyDocument=json.dumps(trust_account()))
        iam.attach_role_policy(RoleName="chain-first", PolicyArn=arn)
        session = creds_of(self.client().assume_role(RoleArn=first["Role"]["Arn"], RoleSessionName="one"))
        chained = sts_client(self.server.url, session)

        def assume():
            return chained.assume_role(RoleArn=second["Role"]["Arn"], RoleSessionName="two")

        self.assertClientError(assume, "AccessDenied", status=403)
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc("Allow", "sts:AssumeRole")),
                                  SetAsDefault=True)
        out = assume()
        self.assertEqual(out["AssumedRoleUser"]["Arn"], f"arn:aws:sts::{ACCOUNT}:assumed-role/chain-second/two")
        iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.assertClientError(assume, "AccessDenied", status=403)
        iam.detach_role_policy(RoleName="chain-first", PolicyArn=arn)

    def test_identity_policies_see_paths_of_new_and_stored_entities(self):
        iam = self.iam()
        role = iam.create_role(RoleName="scoped-admin", AssumeRolePolicyDocument=json.dumps(trust_account()))
        iam.put_role_policy(RoleName="scoped-admin", PolicyName="scoped", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["iam:CreateInstanceProfile", "iam:GetInstanceProfile",
                                               "iam:AddRoleToInstanceProfile"],
                 "Resource": f"arn:aws:iam::{ACCOUNT}:instance-profile/auth/*"},
                {"Effect": "Allow", "Action": "iam:CreatePolicy",
                 "Resource": f"arn:aws:iam::{ACCOUNT}:policy/auth/*"}]}))
        session = creds_of(self.client().assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="admin"))
        scoped = self.iam(creds=session)
        scoped.create_instance_profile(InstanceProfileName="auth-ip", Path="/auth/")
        self.assertEqual(scoped.get_instance_profile(InstanceProfileName="auth-ip")["InstanceProfile"]["Arn"],
                         f"arn:aws:iam::{ACCOUNT}:instance-profile/auth/auth-ip")
        # The resource of AddRoleToInstanceProfile is the profile, not the role.
        scoped.add_role_to_instance_profile(InstanceProfileName="auth-ip", RoleName="scoped-admin")
        self.assertClientError(lambda: scoped.create_instance_profile(InstanceProfileName="other-ip"),
                               "AccessDenied", status=403)
        scoped.create_policy(PolicyName="auth-pol", Path="/auth/", PolicyDocument=json.dumps(doc()))
        self.assertClientError(lambda: scoped.create_policy(PolicyName="root-pol", PolicyDocument=json.dumps(doc())),
                               "AccessDenied", status=403)
        iam.remove_role_from_instance_profile(InstanceProfileName="auth-ip", RoleName="scoped-admin")

    def test_wire_form(self):
        iam = self.iam()
        raw = []
        iam.meta.events.register("after-call.iam",
                                 lambda http_response=None, **kw: raw.append(http_response.content.decode()))
        text = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
        arn = iam.create_policy(PolicyName="pol-wire", PolicyDocument=text)["Policy"]["Arn"]
        self.assertNotIn("<Tags", raw[-1])
        self.assertNotIn("<Description", raw[-1])
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
        # Kept verbatim, percent-encoded outside A-Za-z0-9-._~ (section 1.4).
        self.assertIn("<Document>" + urllib.parse.quote(text, safe="-._~") + "</Document>", raw[-1])
        iam.list_entities_for_policy(PolicyArn=arn)
        for name in ("PolicyGroups", "PolicyUsers", "PolicyRoles"):
            self.assertRegex(raw[-1], rf"<{name}\s*/>|<{name}>\s*</{name}>")
        self.assertIn("<IsTruncated>false</IsTruncated>", raw[-1])
        self.assertNotIn("<Marker", raw[-1])
        iam.create_instance_profile(InstanceProfileName="ip-wire")
        iam.get_instance_profile(InstanceProfileName="ip-wire")
        for name in ("Roles", "Tags"):
            self.assertRegex(raw[-1], rf"<{name}\s*/>|<{name}>\s*</{name}>")
        iam.delete_instance_profile(InstanceProfileName="ip-wire")


class InstanceProfileTest(StsdTestCase):
    def test_lifecycle(self):
        iam = self.iam()
        created = iam.create_instance_profile(InstanceProfileName="ip-one", Path="/ip/")["InstanceProfile"]
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT}:instance-profile/ip/ip-one")
        self.assertEqual((created["InstanceProfileName"], created["Path"]), ("ip-one", "/ip/"))
        self.assertTrue(created["InstanceProfileId"].startswith("AIPA"))
        self.assertEqual(len(created["InstanceProfileId"]), 21)
        self.assertEqual(created["Roles"], [])
        got = iam.get_instance_profile(InstanceProfileName="ip-one")["InstanceProfile"]
        self.assertEqual((got["Roles"], got["Tags"]), ([], []))
        self.assertEqual(got["InstanceProfileId"], created["InstanceProfileId"])
        self.assertClientError(lambda: iam.create_instance_profile(InstanceProfileName="IP-ONE"),
                               "EntityAlreadyExists", "Instance Profile IP-ONE already exists.", 409)

        role = iam.create_role(RoleName="ip-role", AssumeRolePolicyDocument=json.dumps(trust_account()))["Role"]
        iam.create_role(RoleName="ip-role2", AssumeRolePolicyDocument=json.dumps(trust_account()))
        iam.add_role_to_instance_profile(InstanceProfileName="ip-one", RoleName="ip-role")
        got = iam.get_instance_profile(InstanceProfileName="ip-one")["InstanceProfile"]
        self.assertEqual(len(got["Roles"]), 1)
        self.assertEqual(got["Roles"][0]["RoleName"], "ip-role")
        self.assertEqual(got["Roles"][0]["RoleId"], role["RoleId"])
        self.assertEqual(got["Roles"][0]["Arn"], role["Arn"])
        self.assertEqual(got["Roles"][0]["AssumeRolePolicyDocument"], trust_account())
        self.assertClientError(
            lambda: iam.add_role_to_instance_profile(InstanceProfileName="ip-one", RoleName="ip-role2"),
            "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", 409)
        self.assertClientError(
            lambda: iam.add_role_to_instance_profile(InstanceProfileName="ip-one", RoleName="ghost"),
            "NoSuchEntity", "The role with name ghost cannot be found.", 404)
        self.assertClientError(
            lambda: iam.add_role_to_instance_profile(InstanceProfileName="ip-ghost", RoleName="ip-role"),
            "NoSuchEntity", "Instance Profile ip-ghost cannot be found.", 404)

        for_role = iam.list_instance_profiles_for_role(RoleName="ip-role")
        self.assertEqual([p["InstanceProfileName"] for p in for_role["InstanceProfiles"]], ["ip-one"])
        self.assertEqual(iam.list_instance_profiles_for_role(RoleName="ip-role2")["InstanceProfiles"], [])
        self.assertClientError(lambda: iam.list_instance_profiles_for_role(RoleName="ghost"), "NoSuchEntity",
                               "The role with name ghost cannot be found.", 404)

        self.assertClientError(lambda: iam.delete_role(RoleName="ip-role"), "DeleteConflict",
                               "Cannot delete entity, must remove roles from instance profile first.", 409)
        self.assertClientError(lambda: iam.delete_instance_profile(InstanceProfileName="ip-one"), "DeleteConflict",
                               "Cannot delete entity, must remove roles from instance profile first.", 409)
        self.assertClientError(
            lambda: iam.remove_role_from_instance_profile(InstanceProfileName="ip-one", RoleName="ip-role2"),
            "NoSuchEntity", "Role ip-role2 in Instance Profile ip-one cannot be found.", 404)
        iam.remove_role_from_instance_profile(InstanceProfileName="ip-one", RoleName="ip-role")
        self.assertEqual(iam.get_instance_profile(InstanceProfileName="ip-one")["InstanceProfile"]["Roles"], [])
        iam.delete_role(RoleName="ip-role")
        iam.delete_role(RoleName="ip-role2")
        iam.delete_instance_profile(InstanceProfileName="ip-one")
        self.assertClientError(lambda: iam.get_instance_profile(InstanceProfileName="ip-one"), "NoSuchEntity",
                               "Instance Profile ip-one cannot be found.", 404)
        self.assertClientError(lambda: iam.delete_instance_profile(InstanceProfileName="ip-one"), "NoSuchEntity",
                               "Instance Profile ip-one cannot be found.", 404)

    def test_list_and_paging(self):
        iam = self.iam()
        names = [f"ipl-{i}" for i in range(5)]
        for name in names:
            iam.create_instance_profile(InstanceProfileName=name, Path="/list/")
        iam.create_instance_profile(InstanceProfileName="ipl-other", Path="/elsewhere/")
        listed = iam.list_instance_profiles(PathPrefix="/list/")
        self.assertEqual([p["InstanceProfileName"] for p in listed["InstanceProfiles"]], names)
        self.assertIs(listed["IsTruncated"], False)
        page = iam.list_instance_profiles(PathPrefix="/list/", MaxItems=3)
        self.assertEqual([p["InstanceProfileName"] for p in page["InstanceProfiles"]], names[:3])
        self.assertIs(page["IsTruncated"], True)
        rest = iam.list_instance_profiles(PathPrefix="/list/", MaxItems=3, Marker=page["Marker"])
        self.assertEqual([p["InstanceProfileName"] for p in rest["InstanceProfiles"]], names[3:])
        self.assertIs(rest["IsTruncated"], False)
        self.assertClientError(lambda: iam.list_instance_profiles(Marker="!!bogus!!"), "ValidationError",
                               "Invalid Marker.", 400)

    def test_tags(self):
        iam = self.iam()
        created = iam.create_instance_profile(InstanceProfileName="ip-tags",
                                              Tags=[{"Key": "team", "Value": "a"}])["InstanceProfile"]
        self.assertEqual(created["Tags"], [{"Key": "team", "Value": "a"}])
        iam.tag_instance_profile(InstanceProfileName="ip-tags", Tags=[{"Key": "env", "Value": "prod"}])
        self.assertEqual(iam.list_instance_profile_tags(InstanceProfileName="ip-tags")["Tags"],
                         [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "prod"}])
        page = iam.list_instance_profile_tags(InstanceProfileName="ip-tags", MaxItems=1)
        self.assertEqual((page["Tags"], page["IsTruncated"]), ([{"Key": "team", "Value": "a"}], True))
        iam.untag_instance_profile(InstanceProfileName="ip-tags", TagKeys=["TEAM"])
        self.assertEqual(iam.get_instance_profile(InstanceProfileName="ip-tags")["InstanceProfile"]["Tags"],
                         [{"Key": "env", "Value": "prod"}])
        self.assertClientError(
            lambda: iam.tag_instance_profile(InstanceProfileName="ip-nope", Tags=[{"Key": "k", "Value": "v"}]),
            "NoSuchEntity", "Instance Profile ip-nope cannot be found.", 404)
        self.assertClientError(
            lambda: iam.tag_instance_profile(InstanceProfileName="ip-tags",
                                             Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)]),
            "LimitExceeded", "The number of tags has reached the maximum limit.", 409)


class AccountTest(StsdTestCase):
    def test_alias(self):
        iam = self.iam()
        empty = iam.list_account_aliases()
        self.assertEqual((empty["AccountAliases"], empty["IsTruncated"]), ([], False))
        iam.create_account_alias(AccountAlias="stsd-one")
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], ["stsd-one"])
        # A second alias replaces the first.
        iam.create_account_alias(AccountAlias="stsd-two")
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], ["stsd-two"])
        self.assertClientError(lambda: iam.delete_account_alias(AccountAlias="stsd-one"), "NoSuchEntity", status=404)
        iam.delete_account_alias(AccountAlias="stsd-two")
        self.assertEqual(iam.list_account_aliases()["AccountAliases"], [])
        self.assertClientError(lambda: iam.delete_account_alias(AccountAlias="stsd-two"), "NoSuchEntity",
                               "The account alias stsd-two cannot be found.", 404)
        self.assertClientError(lambda: iam.create_account_alias(AccountAlias="Bad_Alias"), "ValidationError",
                               status=400)

    def test_summary(self):
        iam = self.iam()
        before = iam.get_account_summary()["SummaryMap"]
        expected_quotas = {
            "UsersQuota": 5000, "RolesQuota": 1000, "GroupsQuota": 300, "PoliciesQuota": 1500,
            "InstanceProfilesQuota": 1000, "ServerCertificatesQuota": 20, "AttachedPoliciesPerUserQuota": 10,
            "AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10, "VersionsPerPolicyQuota": 5,
            "PolicySizeQuota": 6144, "AssumeRolePolicySizeQuota": 2048, "UserPolicySizeQuota": 2048,
            "RolePolicySizeQuota": 10240, "GroupPolicySizeQuota": 5120, "GroupsPerUserQuota": 10,
            "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2, "PolicyVersionsInUseQuota": 10000,
            "GlobalEndpointTokenVersion": 1,
        }
        for key, value in expected_quotas.items():
            self.assertEqual(before[key], value, key)
        for key in ("Users", "Roles", "Groups", "Policies", "PolicyVersionsInUse", "InstanceProfiles",
                    "ServerCertificates", "MFADevices", "MFADevicesInUse", "Providers", "AccountMFAEnabled",
                    "AccountAccessKeysPresent", "AccountSigningCertificatesPresent", "AccountPasswordPresent"):
            self.assertIn(key, before)
        self.assertGreaterEqual(before["Users"], 1)  # the default config's user `test`

        arn = iam.create_policy(PolicyName="sum-pol", PolicyDocument=json.dumps(doc()))["Policy"]["Arn"]
        iam.create_role(RoleName="sum-role", AssumeRolePolicyDocument=json.dumps(trust_account()))
        iam.attach_role_policy(RoleName="sum-role", PolicyArn=arn)
        iam.create_instance_profile(InstanceProfileName="sum-ip")
        after = iam.get_account_summary()["SummaryMap"]
        self.assertEqual(after["Policies"], before["Policies"] + 1)
        self.assertEqual(after["Roles"], before["Roles"] + 1)
        self.assertEqual(after["InstanceProfiles"], before["InstanceProfiles"] + 1)
        self.assertEqual(after["PolicyVersionsInUse"], before["PolicyVersionsInUse"] + 1)
        self.assertEqual(after["Users"], before["Users"])


if __name__ == "__main__":
    unittest.main()
