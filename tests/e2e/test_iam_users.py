"""IAM users, groups, access keys and virtual MFA devices through boto3
(docs/IAM-BEHAVIOUR.md sections 2, 5.2-5.4, 5.6), and their effect on STS:
keys created through IAM sign at once, Inactive or deleted keys are refused,
an enabled virtual MFA device satisfies GetSessionToken."""
import base64
import hashlib
import hmac
import json
import struct
import time
import unittest
import uuid

from stsd_harness import StsdTestCase, main

ACCOUNT = "000000000000"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def totp(seed, step):
    """RFC 6238 TOTP (HMAC-SHA1, 6 digits) of `seed` for time step `step`."""
    digest = hmac.new(seed, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000
    return f"{value:06d}"


def current_step():
    """The current 30 s step, waiting out the last seconds of a step so that a
    request sent now is checked within the same one."""
    while time.time() % 30 > 26:
        time.sleep(0.5)
    return int(time.time()) // 30


def policy(effect="Allow", action="s3:GetObject", resource="*", padding=0):
    statement = {"Effect": effect, "Action": action, "Resource": resource}
    if padding:
        statement["Sid"] = "P" + "x" * padding
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


class IamUsersTest(StsdTestCase):

    def make_user(self, path="/", **kwargs):
        name = unique("u")
        return self.iam().create_user(UserName=name, Path=path, **kwargs)["User"]

    def make_group(self, path="/"):
        name = unique("g")
        return self.iam().create_group(GroupName=name, Path=path)["Group"]

    # --- users -------------------------------------------------------------

    def test_create_get_delete_user(self):
        iam = self.iam()
        name = unique("Alice")
        created = iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "k", "Value": "v"}])["User"]
        self.assertEqual(created["UserName"], name)
        self.assertEqual(created["Path"], "/team/")
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT}:user/team/{name}")
        self.assertTrue(created["UserId"].startswith("AIDA"))
        self.assertEqual(len(created["UserId"]), 21)
        self.assertEqual(created["Tags"], [{"Key": "k", "Value": "v"}])
        got = iam.get_user(UserName=name)["User"]
        self.assertEqual(got["UserId"], created["UserId"])
        self.assertEqual(got["CreateDate"], created["CreateDate"])
        # Lookups ignore case and show the stored spelling.
        self.assertEqual(iam.get_user(UserName=name.upper())["User"]["UserName"], name)
        self.assertClientError(lambda: iam.create_user(UserName=name), "EntityAlreadyExists",
                               f"User with name {name} already exists.", 409)
        self.assertClientError(lambda: iam.create_user(UserName=name.lower()), "EntityAlreadyExists",
                               f"User with name {name.lower()} already exists.", 409)
        iam.delete_user(UserName=name)
        self.assertClientError(lambda: iam.get_user(UserName=name), "NoSuchEntity",
                               f"The user with name {name} cannot be found.", 404)
        self.assertClientError(lambda: iam.delete_user(UserName=name), "NoSuchEntity",
                               f"The user with name {name} cannot be found.", 404)

    def test_get_user_of_caller(self):
        me = self.iam().get_user()["User"]
        self.assertEqual(me["UserName"], "test")
        self.assertEqual(me["Arn"], f"arn:aws:iam::{ACCOUNT}:user/test")
        # A new user's own key: GetUser names that user.
        user = self.make_user()
        key = self.iam().create_access_key(UserName=user["UserName"])["AccessKey"]
        own = self.iam(creds=(key["AccessKeyId"], key["SecretAccessKey"])).get_user()["User"]
        self.assertEqual(own["UserId"], user["UserId"])

    def test_get_user_from_role_session(self):
        creds = self.client().assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/anyrole",
                                          RoleSessionName="session")["Credentials"]
        iam = self.iam(creds=(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]))
        self.assertClientError(lambda: iam.get_user(), "ValidationError",
                               "Must specify userName when calling with non-User credentials", 400)
        self.assertClientError(lambda: iam.list_access_keys(), "ValidationError",
                               "Must specify userName when calling with non-User credentials", 400)

    def test_list_users_paging_and_prefix(self):
        iam = self.iam()
        path = f"/{unique('pg')}/"
        names = sorted((self.make_user(path=path)["UserName"] for _ in range(5)), key=str.lower)
        seen, marker, pages = [], None, 0
        while True:
            kwargs = {"PathPrefix": path, "MaxItems": 2}
            if marker:
                kwargs["Marker"] = marker
            page = iam.list_users(**kwargs)
            pages += 1
            self.assertLessEqual(len(page["Users"]), 2)
            seen += [u["UserName"] for u in page["Users"]]
            for u in page["Users"]:
                self.assertNotIn("Tags", u)
            if not page["IsTruncated"]:
                self.assertNotIn("Marker", page)
                break
            marker = page["Marker"]
        self.assertEqual(seen, names)
        self.assertEqual(pages, 3)
        self.assertClientError(lambda: iam.list_users(Marker="!!not-a-marker!!"), "ValidationError",
                               "Invalid Marker.", 400)
        everyone = [u["UserName"] for u in iam.list_users(MaxItems=1000)["Users"]]
        self.assertIn("test", everyone)
        self.assertTrue(set(names) <= set(everyone))

    def test_update_user_rename_carries_groups_and_keys(self):
        iam = self.iam()
        user = self.make_user()
        old = user["UserName"]
        group = self.make_group()["GroupName"]
        iam.add_user_to_group(GroupName=group, UserName=old)
        key = iam.create_access_key(UserName=old)["AccessKey"]
        new = unique("renamed")
        iam.update_user(UserName=old, NewUserName=new, NewPath="/moved/")
        got = iam.get_user(UserName=new)["User"]
        self.assertEqual(got["UserId"], user["UserId"])
        self.assertEqual(got["Path"], "/moved/")
        self.assertEqual(got["Arn"], f"arn:aws:iam::{ACCOUNT}:user/moved/{new}")
        self.assertClientError(lambda: iam.get_user(UserName=old), "NoSuchEntity",
                               f"The user with name {old} cannot be found.", 404)
        self.assertEqual([g["GroupName"] for g in iam.list_groups_for_user(UserName=new)["Groups"]], [group])
        self.assertEqual([u["UserName"] for u in iam.get_group(GroupName=group)["Users"]], [new])
        keys = iam.list_access_keys(UserName=new)["AccessKeyMetadata"]
        self.assertEqual([(k["AccessKeyId"], k["UserName"]) for k in keys], [(key["AccessKeyId"], new)])
        # The key signs as the renamed user.
        ident = self.client(creds=(key["AccessKeyId"], key["SecretAccessKey"])).get_caller_identity()
        self.assertEqual(ident["Arn"], got["Arn"])
        # A taken name.
        other = self.make_user()["UserName"]
        self.assertClientError(lambda: iam.update_user(UserName=new, NewUserName=other.upper()),
                               "EntityAlreadyExists", f"User with name {other.upper()} already exists.", 409)
        self.assertClientError(lambda: iam.update_user(UserName=unique("nobody"), NewPath="/x/"), "NoSuchEntity")

    def test_delete_user_conflicts(self):
        iam = self.iam()
        name = self.make_user()["UserName"]
        group = self.make_group()["GroupName"]
        iam.attach_user_policy(UserName=name, PolicyArn=READ_ONLY)
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy())
        key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("dev"))["VirtualMFADevice"]
        seed = base64.b32decode(serial["Base32StringSeed"])
        step = current_step()
        iam.enable_mfa_device(UserName=name, SerialNumber=serial["SerialNumber"],
                              AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step))
        iam.add_user_to_group(GroupName=group, UserName=name)

        def conflict(message):
            self.assertClientError(lambda: iam.delete_user(UserName=name), "DeleteConflict",
                                   "Cannot delete entity, " + message, 409)

        conflict("must detach all policies first.")
        iam.detach_user_policy(UserName=name, PolicyArn=READ_ONLY)
        conflict("must delete policies first.")
        iam.delete_user_policy(UserName=name, PolicyName="inline")
        conflict("must delete access keys first.")
        iam.delete_access_key(UserName=name, AccessKeyId=key)
        conflict("must delete MFA device first.")
        iam.deactivate_mfa_device(UserName=name, SerialNumber=serial["SerialNumber"])
        conflict("must remove users from group first.")
        iam.remove_user_from_group(GroupName=group, UserName=name)
        iam.delete_user(UserName=name)
        self.assertClientError(lambda: iam.get_user(UserName=name), "NoSuchEntity")

    def test_user_tags(self):
        iam = self.iam()
        name = self.make_user()["UserName"]
        iam.tag_user(UserName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        iam.tag_user(UserName=name, Tags=[{"Key": "A", "Value": "3"}])
        self.assertEqual(iam.list_user_tags(UserName=name)["Tags"],
                         [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}])
        first = iam.list_user_tags(UserName=name, MaxItems=1)
        self.assertTrue(first["IsTruncated"])
        rest = iam.list_user_tags(UserName=name, Marker=first["Marker"])
        self.assertEqual(first["Tags"] + rest["Tags"], [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}])
        self.assertFalse(rest["IsTruncated"])
        self.assertEqual(iam.get_user(UserName=name)["User"]["Tags"],
                         [{"Key": "A", "Value": "3"}, {"Key": "b", "Value": "2"}])
        iam.untag_user(UserName=name, TagKeys=["a"])
        self.assertEqual(iam.list_user_tags(UserName=name)["Tags"], [{"Key": "b", "Value": "2"}])
        iam.tag_user(UserName=name, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
        self.assertClientError(lambda: iam.tag_user(UserName=name, Tags=[{"Key": "one-more", "Value": "v"}]),
                               "LimitExceeded", "The number of tags has reached the maximum limit.", 409)
        self.assertClientError(
            lambda: iam.create_user(UserName=unique("dup"), Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}]),
            "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
        self.assertClientError(lambda: iam.list_user_tags(UserName=unique("nobody")), "NoSuchEntity")

    def test_user_inline_policies(self):
        iam = self.iam()
        name = self.make_user()["UserName"]
        iam.put_user_policy(UserName=name, PolicyName="p1", PolicyDocument=policy())
        iam.put_user_policy(UserName=name, PolicyName="p0", PolicyDocument=policy(action="s3:PutObject"))
        got = iam.get_user_policy(UserName=name, PolicyName="p1")
        self.assertEqual((got["UserName"], got["PolicyName"]), (name, "p1"))
        self.assertEqual(got["PolicyDocument"], json.loads(policy()))
        self.assertEqual(iam.list_user_policies(UserName=name)["PolicyNames"], ["p0", "p1"])
        page = iam.list_user_policies(UserName=name, MaxItems=1)
        self.assertEqual((page["PolicyNames"], page["IsTruncated"]), (["p0"], True))
        # Replacing keeps one policy of that name.
        iam.put_user_policy(UserName=name, PolicyName="p1", PolicyDocument=policy(action="s3:ListBucket"))
        self.assertEqual(iam.get_user_policy(UserName=name, PolicyName="p1")["PolicyDocument"]["Statement"][0]["Action"],
                         "s3:ListBucket")
        self.assertEqual(len(iam.list_user_policies(UserName=name)["PolicyNames"]), 2)
        # The aggregate of a user's inline policies is at most 2048 bytes.
        self.assertClientError(
            lambda: iam.put_user_policy(UserName=name, PolicyName="big", PolicyDocument=policy(padding=1900)),
            "LimitExceeded", f"Maximum policy size of 2048 bytes exceeded for user {name}", 409)
        self.assertClientError(
            lambda: iam.put_user_policy(UserName=name, PolicyName="bad", PolicyDocument="{not json"),
            "MalformedPolicyDocument", status=400)
        self.assertClientError(lambda: iam.get_user_policy(UserName=name, PolicyName="nope"), "NoSuchEntity",
                               "The user policy with name nope cannot be found.", 404)
        iam.delete_user_policy(UserName=name, PolicyName="p1")
        self.assertEqual(iam.list_user_policies(UserName=name)["PolicyNames"], ["p0"])
        self.assertClientError(lambda: iam.delete_user_policy(UserName=name, PolicyName="p1"), "NoSuchEntity",
                               "The user policy with name p1 cannot be found.", 404)
        self.assertClientError(lambda: iam.put_user_policy(UserName=unique("nobody"), PolicyName="p",
                                                           PolicyDocument=policy()), "NoSuchEntity")

    def test_user_attached_policies_and_boundary(self):
        iam = self.iam()
        name = self.make_user()["UserName"]
        arns = [f"arn:aws:iam::aws:policy/Managed{i}" for i in range(10)]
        for arn in arns:
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        iam.attach_user_policy(UserName=name, PolicyArn=arns[0])  # idempotent
        self.assertClientError(lambda: iam.attach_user_policy(UserName=name, PolicyArn=READ_ONLY),
                               "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10", 409)
        listed, marker = [], None
        while True:
            page = iam.list_attached_user_policies(UserName=name, MaxItems=4, **({"Marker": marker} if marker else {}))
            listed += page["AttachedPolicies"]
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual(sorted(p["PolicyArn"] for p in listed), sorted(arns))
        self.assertEqual({p["PolicyName"] for p in listed}, {f"Managed{i}" for i in range(10)})
        iam.detach_user_policy(UserName=name, PolicyArn=arns[3])
        self.assertEqual(len(iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]), 9)
        self.assertClientError(lambda: iam.detach_user_policy(UserName=name, PolicyArn=arns[3]), "NoSuchEntity",
                               f"Policy {arns[3]} was not found.", 404)
        missing = f"arn:aws:iam::{ACCOUNT}:policy/{unique('nope')}"
        self.assertClientError(lambda: iam.attach_user_policy(UserName=name, PolicyArn=missing), "NoSuchEntity",
                               f"Policy {missing} does not exist or is not attachable.", 404)
        # Permissions boundary.
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=READ_ONLY)
        self.assertEqual(iam.get_user(UserName=name)["User"]["PermissionsBoundary"],
                         {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": READ_ONLY})
        self.assertClientError(lambda: iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=missing),
                               "NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.", 404)
        iam.delete_user_permissions_boundary(UserName=name)
        self.assertNotIn("PermissionsBoundary", iam.get_user(UserName=name)["User"])
        boundary_user = self.make_user(PermissionsBoundary=READ_ONLY)
        self.assertEqual(boundary_user["PermissionsBoundary"]["PermissionsBoundaryArn"], READ_ONLY)

    # --- groups ------------------------------------------------------------

    def test_group_lifecycle_and_membership(self):
        iam = self.iam()
        name = unique("Devs")
        created = iam.create_group(GroupName=name, Path="/eng/")["Group"]
        self.assertEqual(created["Arn"], f"arn:aws:iam::{ACCOUNT}:group/eng/{name}")
        self.assertTrue(created["GroupId"].startswith("AGPA"))
        self.assertClientError(lambda: iam.create_group(GroupName=name.upper()), "EntityAlreadyExists",
                               f"Group with name {name.upper()} already exists.", 409)
        users = sorted((self.make_user()["UserName"] for _ in range(3)), key=str.lower)
        for u in users:
            iam.add_user_to_group(GroupName=name, UserName=u)
        iam.add_user_to_group(GroupName=name, UserName=users[0])  # already a member: succeeds
        self.assertEqual(len(iam.list_groups_for_user(UserName=users[0])["Groups"]), 1)
        got = iam.get_group(GroupName=name)
        self.assertEqual(got["Group"]["GroupId"], created["GroupId"])
        self.assertEqual([u["UserName"] for u in got["Users"]], users)
        page = iam.get_group(GroupName=name, MaxItems=2)
        self.assertTrue(page["IsTruncated"])
        rest = iam.get_group(GroupName=name, Marker=page["Marker"])
        self.assertEqual([u["UserName"] for u in page["Users"] + rest["Users"]], users)
        self.assertClientError(lambda: iam.get_group(GroupName=unique("nogroup")), "NoSuchEntity",
                               message_prefix="The group with name ", status=404)
        self.assertClientError(lambda: iam.add_user_to_group(GroupName=name, UserName=unique("nobody")),
                               "NoSuchEntity", status=404)
        self.assertClientError(lambda: iam.delete_group(GroupName=name), "DeleteConflict",
                               "Cannot delete entity, must remove users from group first.", 409)
        for u in users:
            iam.remove_user_from_group(GroupName=name, UserName=u)
        self.assertClientError(lambda: iam.remove_user_from_group(GroupName=name, UserName=users[0]),
                               "NoSuchEntity", status=404)
        self.assertEqual(iam.get_group(GroupName=name)["Users"], [])
        iam.put_group_policy(GroupName=name, PolicyName="gp", PolicyDocument=policy())
        self.assertClientError(lambda: iam.delete_group(GroupName=name), "DeleteConflict",
                               "Cannot delete entity, must delete policies first.", 409)
        iam.delete_group_policy(GroupName=name, PolicyName="gp")
        iam.attach_group_policy(GroupName=name, PolicyArn=READ_ONLY)
        self.assertClientError(lambda: iam.delete_group(GroupName=name), "DeleteConflict",
                               "Cannot delete entity, must detach all policies first.", 409)
        iam.detach_group_policy(GroupName=name, PolicyArn=READ_ONLY)
        iam.delete_group(GroupName=name)
        self.assertClientError(lambda: iam.get_group(GroupName=name), "NoSuchEntity",
                               f"The group with name {name} cannot be found.", 404)

    def test_list_groups_paging_and_rename(self):
        iam = self.iam()
        path = f"/{unique('gp')}/"
        names = sorted((self.make_group(path=path)["GroupName"] for _ in range(3)), key=str.lower)
        first = iam.list_groups(PathPrefix=path, MaxItems=2)
        self.assertTrue(first["IsTruncated"])
        second = iam.list_groups(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
        self.assertFalse(second["IsTruncated"])
        self.assertEqual([g["GroupName"] for g in first["Groups"] + second["Groups"]], names)
        user = self.make_user()["UserName"]
        iam.add_user_to_group(GroupName=names[0], UserName=user)
        group_id = iam.get_group(GroupName=names[0])["Group"]["GroupId"]
        new = unique("renamed")
        iam.update_group(GroupName=names[0], NewGroupName=new, NewPath="/other/")
        got = iam.get_group(GroupName=new)
        self.assertEqual(got["Group"]["GroupId"], group_id)
        self.assertEqual(got["Group"]["Arn"], f"arn:aws:iam::{ACCOUNT}:group/other/{new}")
        self.assertEqual([u["UserName"] for u in got["Users"]], [user])
        self.assertEqual([g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]], [new])
        self.assertClientError(lambda: iam.get_group(GroupName=names[0]), "NoSuchEntity")
        self.assertClientError(lambda: iam.update_group(GroupName=new, NewGroupName=names[1]),
                               "EntityAlreadyExists", f"Group with name {names[1]} already exists.", 409)

    def test_groups_per_user_quota(self):
        iam = self.iam()
        user = self.make_user()["UserName"]
        groups = [self.make_group()["GroupName"] for _ in range(11)]
        for g in groups[:10]:
            iam.add_user_to_group(GroupName=g, UserName=user)
        self.assertClientError(lambda: iam.add_user_to_group(GroupName=groups[10], UserName=user),
                               "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10", 409)
        listed = iam.list_groups_for_user(UserName=user, MaxItems=6)
        more = iam.list_groups_for_user(UserName=user, Marker=listed["Marker"])
        self.assertEqual(sorted(g["GroupName"] for g in listed["Groups"] + more["Groups"]), sorted(groups[:10]))

    def test_group_policies(self):
        iam = self.iam()
        name = self.make_group()["GroupName"]
        iam.put_group_policy(GroupName=name, PolicyName="b", PolicyDocument=policy())
        iam.put_group_policy(GroupName=name, PolicyName="a", PolicyDocument=policy(action="s3:PutObject"))
        got = iam.get_group_policy(GroupName=name, PolicyName="b")
        self.assertEqual((got["GroupName"], got["PolicyDocument"]), (name, json.loads(policy())))
        self.assertEqual(iam.list_group_policies(GroupName=name)["PolicyNames"], ["a", "b"])
        self.assertClientError(
            lambda: iam.put_group_policy(GroupName=name, PolicyName="big", PolicyDocument=policy(padding=5100)),
            "LimitExceeded", f"Maximum policy size of 5120 bytes exceeded for group {name}", 409)
        self.assertClientError(lambda: iam.get_group_policy(GroupName=name, PolicyName="zz"), "NoSuchEntity",
                               "The group policy with name zz cannot be found.", 404)
        iam.delete_group_policy(GroupName=name, PolicyName="b")
        self.assertEqual(iam.list_group_policies(GroupName=name)["PolicyNames"], ["a"])
        self.assertClientError(lambda: iam.delete_group_policy(GroupName=name, PolicyName="b"), "NoSuchEntity",
                               "The group policy with name b cannot be found.", 404)
        arns = [f"arn:aws:iam::aws:policy/G{i}" for i in range(10)]
        for arn in arns:
            iam.attach_group_policy(GroupName=name, PolicyArn=arn)
        self.assertClientError(lambda: iam.attach_group_policy(GroupName=name, PolicyArn=READ_ONLY),
                               "LimitExceeded", "Cannot exceed quota for PoliciesPerGroup: 10", 409)
        self.assertEqual(sorted(p["PolicyArn"] for p in
                                iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]), sorted(arns))
        iam.detach_group_policy(GroupName=name, PolicyArn=arns[0])
        self.assertClientError(lambda: iam.detach_group_policy(GroupName=name, PolicyArn=arns[0]), "NoSuchEntity",
                               f"Policy {arns[0]} was not found.", 404)

    def test_group_policy_governs_members(self):
        """A group's policies are its members' identity policies."""
        iam = self.iam()
        user = self.make_user()["UserName"]
        group = self.make_group()["GroupName"]
        key = iam.create_access_key(UserName=user)["AccessKey"]
        member = self.iam(creds=(key["AccessKeyId"], key["SecretAccessKey"]))
        iam.put_group_policy(GroupName=group, PolicyName="only-get-user",
                             PolicyDocument=policy(action="iam:GetUser"))
        iam.add_user_to_group(GroupName=group, UserName=user)
        self.assertEqual(member.get_user()["User"]["UserName"], user)
        self.assertClientError(lambda: member.list_users(), "AccessDenied", status=403)
        iam.remove_user_from_group(GroupName=group, UserName=user)
        member.list_users()  # no policy at all again: stsd's permissive default

    # --- access keys -------------------------------------------------------

    def test_access_key_lifecycle(self):
        iam = self.iam()
        user = self.make_user()
        name = user["UserName"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        self.assertEqual((key["UserName"], key["Status"]), (name, "Active"))
        self.assertRegex(key["AccessKeyId"], r"^AKIA[A-Z2-7]{16}$")
        self.assertRegex(key["SecretAccessKey"], r"^[A-Za-z0-9+/]{40}$")
        # It signs STS calls at once, as its user.
        ident = self.client(creds=(key["AccessKeyId"], key["SecretAccessKey"])).get_caller_identity()
        self.assertEqual((ident["Arn"], ident["Account"], ident["UserId"]), (user["Arn"], ACCOUNT, user["UserId"]))
        second = iam.create_access_key(UserName=name)["AccessKey"]
        self.assertClientError(lambda: iam.create_access_key(UserName=name), "LimitExceeded",
                               "Cannot exceed quota for AccessKeysPerUser: 2", 409)
        listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        self.assertEqual(sorted(k["AccessKeyId"] for k in listed), sorted([key["AccessKeyId"], second["AccessKeyId"]]))
        for k in listed:
            self.assertEqual((k["UserName"], k["Status"]), (name, "Active"))
            self.assertNotIn("SecretAccessKey", k)
        page = iam.list_access_keys(UserName=name, MaxItems=1)
        self.assertTrue(page["IsTruncated"])
        iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
        status = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}
        self.assertEqual(status, {key["AccessKeyId"]: "Inactive", second["AccessKeyId"]: "Active"})
        self.assertClientError(lambda: iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"],
                                                             Status="Expired"), "ValidationError", status=400)
        last = iam.get_access_key_last_used(AccessKeyId=second["AccessKeyId"])
        self.assertEqual(last["UserName"], name)
        self.assertEqual(last["AccessKeyLastUsed"]["ServiceName"], "N/A")
        self.assertEqual(last["AccessKeyLastUsed"]["Region"], "N/A")
        self.assertNotIn("LastUsedDate", last["AccessKeyLastUsed"])
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        self.assertEqual([k["AccessKeyId"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]],
                         [second["AccessKeyId"]])
        self.assertClientError(lambda: iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"]),
                               "NoSuchEntity", f"The Access Key with id {key['AccessKeyId']} cannot be found.", 404)
        # Another user's key is not this user's.
        other = self.make_user()["UserName"]
        self.assertClientError(lambda: iam.update_access_key(UserName=other, AccessKeyId=second["AccessKeyId"],
                                                             Status="Inactive"),
                               "NoSuchEntity", f"The Access Key with id {second['AccessKeyId']} cannot be found.", 404)
        unknown = "AKIAZZZZZZZZZZZZZZZZ"
        self.assertClientError(lambda: iam.get_access_key_last_used(AccessKeyId=unknown), "AccessDenied",
                               f"User: arn:aws:iam::{ACCOUNT}:user/test is not authorized to perform "
                               f"iam:GetAccessKeyLastUsed on resource: access key {unknown}", 403)
        self.assertClientError(lambda: iam.create_access_key(UserName=unique("nobody")), "NoSuchEntity")

    def test_access_keys_of_caller(self):
        # `test` already holds two keys: its quota is full.
        iam = self.iam()
        self.assertEqual(len(iam.list_access_keys()["AccessKeyMetadata"]), 2)
        self.assertClientError(lambda: iam.create_access_key(), "LimitExceeded",
                               "Cannot exceed quota for AccessKeysPerUser: 2", 409)
        # A user's own key manages that user's keys without UserName.
        name = self.make_user()["UserName"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        own = self.iam(creds=(key["AccessKeyId"], key["SecretAccessKey"]))
        second = own.create_access_key()["AccessKey"]
        self.assertEqual(second["UserName"], name)
        self.assertEqual(sorted(k["AccessKeyId"] for k in own.list_access_keys()["AccessKeyMetadata"]),
                         sorted([key["AccessKeyId"], second["AccessKeyId"]]))
        own.delete_access_key(AccessKeyId=second["AccessKeyId"])
        self.assertEqual(len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]), 1)

    # --- virtual MFA -------------------------------------------------------

    def test_virtual_mfa_lifecycle_and_get_session_token(self):
        iam = self.iam()
        user = self.make_user()
        name = user["UserName"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        device_name = unique("phone")
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=device_name, Path="/dev/")["VirtualMFADevice"]
        serial = device["SerialNumber"]
        self.assertEqual(serial, f"arn:aws:iam::{ACCOUNT}:mfa/dev/{device_name}")
        seed = base64.b32decode(device["Base32StringSeed"])
        self.assertEqual(len(seed), 20)
        self.assertNotIn("QRCodePNG", device)  # stsd has no PNG encoder
        self.assertClientError(lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName=device_name, Path="/dev/"),
                               "EntityAlreadyExists", "MFA device already exists.", 409)
        unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
        self.assertIn({"SerialNumber": serial}, unassigned)

        step = current_step()
        self.assertClientError(
            lambda: iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=totp(seed, step),
                                          AuthenticationCode2=totp(seed, step - 1)),
            "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)
        missing = f"arn:aws:iam::{ACCOUNT}:mfa/{unique('none')}"
        self.assertClientError(
            lambda: iam.enable_mfa_device(UserName=name, SerialNumber=missing, AuthenticationCode1="123456",
                                          AuthenticationCode2="234567"),
            "NoSuchEntity", f"MFA Device with serial number {missing} does not exist.", 404)
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                              AuthenticationCode2=totp(seed, step))
        devices = iam.list_mfa_devices(UserName=name)["MFADevices"]
        self.assertEqual([(d["UserName"], d["SerialNumber"]) for d in devices], [(name, serial)])
        assigned = {d["SerialNumber"]: d for d in
                    iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]}
        self.assertEqual(assigned[serial]["User"]["UserId"], user["UserId"])
        self.assertIn("EnableDate", assigned[serial])
        self.assertNotIn(serial, [d["SerialNumber"] for d in
                                  iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]])
        other = self.make_user()["UserName"]
        self.assertClientError(
            lambda: iam.enable_mfa_device(UserName=other, SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                                          AuthenticationCode2=totp(seed, step)),
            "EntityAlreadyExists", "MFA Device is already in use.", 409)
        self.assertClientError(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial), "DeleteConflict",
                               status=409)
        step = current_step()
        iam.resync_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                              AuthenticationCode2=totp(seed, step))
        self.assertClientError(
            lambda: iam.resync_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="000000",
                                          AuthenticationCode2="000001"),
            "InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)

        # The enabled device satisfies GetSessionToken for the user's key.
        sts = self.client(creds=(key["AccessKeyId"], key["SecretAccessKey"]))
        step = current_step()
        session = sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, step))["Credentials"]
        self.assertTrue(session["AccessKeyId"].startswith("ASIA"))
        # MFA-authenticated session credentials may call IAM as the user.
        as_session = self.iam(creds=(session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]))
        self.assertEqual(as_session.get_user()["User"]["UserName"], name)
        wrong = f"{(int(totp(seed, step)) + 1) % 1000000:06d}"
        with self.assertRaises(Exception):
            sts.get_session_token(SerialNumber=serial, TokenCode=wrong)

        iam.deactivate_mfa_device(UserName=name, SerialNumber=serial)
        self.assertEqual(iam.list_mfa_devices(UserName=name)["MFADevices"], [])
        self.assertIn({"SerialNumber": serial},
                      iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"])
        self.assertClientError(lambda: iam.deactivate_mfa_device(UserName=name, SerialNumber=serial),
                               "NoSuchEntity", f"MFA Device with serial number {serial} does not exist.", 404)
        iam.delete_virtual_mfa_device(SerialNumber=serial)
        self.assertNotIn(serial, [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]])
        self.assertClientError(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial), "NoSuchEntity",
                               f"MFA Device with serial number {serial} does not exist.", 404)

    def test_virtual_mfa_listing_and_errors(self):
        iam = self.iam()
        prefix = unique("m")
        serials = sorted(iam.create_virtual_mfa_device(VirtualMFADeviceName=f"{prefix}{i}")["VirtualMFADevice"]
                         ["SerialNumber"] for i in range(3))
        seen, marker = [], None
        while True:
            page = iam.list_virtual_mfa_devices(MaxItems=1, **({"Marker": marker} if marker else {}))
            seen += [d["SerialNumber"] for d in page["VirtualMFADevices"]]
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        self.assertEqual([s for s in seen if prefix in s], serials)
        self.assertClientError(lambda: iam.list_virtual_mfa_devices(Marker="garbage!"), "ValidationError",
                               "Invalid Marker.", 400)
        self.assertClientError(lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("p"), Path="nope"),
                               "ValidationError", status=400)
        self.assertClientError(lambda: iam.list_mfa_devices(UserName=unique("nobody")), "NoSuchEntity")
        self.assertEqual(iam.list_mfa_devices()["MFADevices"], [])  # the caller, `test`, has none


class IamAccessKeysStrictTest(StsdTestCase):
    """In strict auth mode unknown keys are refused, so Inactive and deleted
    keys are seen to fail."""

    SERVER_ARGS = ("--auth", "strict")

    def test_inactive_and_deleted_keys_are_refused(self):
        iam = self.iam()
        name = unique("strict")
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        sts = self.client(creds=(key["AccessKeyId"], key["SecretAccessKey"]))
        self.assertEqual(sts.get_caller_identity()["Arn"], arn)
        iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
        self.assertClientError(lambda: sts.get_caller_identity(), "InvalidClientTokenId", status=403)
        iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Active")
        self.assertEqual(sts.get_caller_identity()["Arn"], arn)
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        self.assertClientError(lambda: sts.get_caller_identity(), "InvalidClientTokenId", status=403)

    def test_deleted_user_key_holder_is_refused(self):
        iam = self.iam()
        name = unique("gone")
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        sts = self.client(creds=(key["AccessKeyId"], key["SecretAccessKey"]))
        sts.get_caller_identity()
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)
        self.assertClientError(lambda: sts.get_caller_identity(), "InvalidClientTokenId", status=403)


class IamRootCallerTest(StsdTestCase):
    """An account root's long-term key: GetUser shows the root, and access
    key operations without UserName manage the root's own keys."""

    SERVER_ARGS = ("--auth", "strict")
    ROOT = ("AKIAROOTKEYEXAMPLE00", "root-secret")

    @classmethod
    def server_config(cls):
        return {
            "region": "us-east-1",
            "role_mode": "auto",
            "accounts": [{"id": ACCOUNT, "access_keys": [{"id": cls.ROOT[0], "secret": cls.ROOT[1]}]}],
            "users": [{"account": ACCOUNT, "name": "test", "path": "/",
                       "access_keys": [{"id": "test", "secret": "test"}]}],
        }

    def test_get_user_as_root(self):
        root = self.iam(creds=self.ROOT).get_user()["User"]
        self.assertEqual(root["UserId"], ACCOUNT)
        self.assertEqual(root["Arn"], f"arn:aws:iam::{ACCOUNT}:root")
        self.assertNotIn("UserName", root)  # AWS leaves the root's user name out

    def test_root_manages_root_keys(self):
        iam = self.iam(creds=self.ROOT)
        self.assertEqual([k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]], [self.ROOT[0]])
        key = iam.create_access_key()["AccessKey"]
        self.assertTrue(key["AccessKeyId"].startswith("AKIA"))
        ident = self.client(creds=(key["AccessKeyId"], key["SecretAccessKey"])).get_caller_identity()
        self.assertEqual((ident["Arn"], ident["UserId"]), (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT))
        self.assertClientError(lambda: iam.create_access_key(), "LimitExceeded",
                               "Cannot exceed quota for AccessKeysPerUser: 2", 409)
        # The root's keys are not the `test` user's.
        self.assertEqual(len(self.iam().list_access_keys()["AccessKeyMetadata"]), 1)
        iam.delete_access_key(AccessKeyId=key["AccessKeyId"])
        self.assertEqual(len(iam.list_access_keys()["AccessKeyMetadata"]), 1)


if __name__ == "__main__":
    main()
