"""IAM temporary delegation end to end with boto3: a partner's delegation
request (CreateDelegationRequest), the customer's Associate / Update /
Accept / Reject / SendDelegationToken, and STS GetDelegatedAccessToken
exchanging the trade-in token, once, for credentials of the approver. Guards
every state transition and its refusals, the token's single use and expiry
on stsd's (movable) clock, visibility across accounts, model validation, and
the flow surviving a restart with --state. Facts and choices:
docs/DELEGATION.md."""
import calendar
import json
import os
import signal
import time
import unittest

import stsd_harness as h

PARTNER = "111111111111"
CUSTOMER = "222222222222"
STRANGER = "333333333333"
TOPIC = f"arn:aws:sns:us-east-1:{PARTNER}:delegation-notices"
DAY = 86400


def iso_epoch(value):
    return calendar.timegm(value.utctimetuple())


def needs_delegation_client():
    """boto3 clients that know the delegation operations (botocore 1.41+)."""
    import botocore.session
    session = botocore.session.Session()
    if "GetDelegatedAccessToken" not in session.get_service_model("sts").operation_names or \
            "CreateDelegationRequest" not in session.get_service_model("iam").operation_names:
        raise unittest.SkipTest(f"botocore {h.botocore.__version__} lacks the delegation operations "
                                "(GetDelegatedAccessToken, CreateDelegationRequest): needs a newer botocore")


def config():
    keys = {name: (h.make_access_key(account), h.make_secret())
            for name, account in (("partner", PARTNER), ("alice", CUSTOMER), ("bob", CUSTOMER),
                                  ("carol", CUSTOMER), ("root", CUSTOMER), ("stranger", STRANGER))}
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    return keys, {
        "region": "us-east-1",
        "role_mode": "auto",
        "accounts": [{"id": PARTNER, "alias": "acme-partner"},
                     {"id": CUSTOMER, "access_keys": [{"id": keys["root"][0], "secret": keys["root"][1]}]},
                     {"id": STRANGER}],
        "users": [
            {"account": PARTNER, "name": "partner",
             "access_keys": [{"id": keys["partner"][0], "secret": keys["partner"][1]}]},
            {"account": CUSTOMER, "name": "alice",
             "access_keys": [{"id": keys["alice"][0], "secret": keys["alice"][1]}]},
            {"account": CUSTOMER, "name": "bob", "policies": [allow_all],
             "access_keys": [{"id": keys["bob"][0], "secret": keys["bob"][1]}]},
            {"account": CUSTOMER, "name": "carol",
             "policies": [{"Version": "2012-10-17", "Statement": [
                 {"Effect": "Allow", "Action": "iam:AssociateDelegationRequest", "Resource": "*"}]}],
             "access_keys": [{"id": keys["carol"][0], "secret": keys["carol"][1]}]},
            {"account": STRANGER, "name": "stranger",
             "access_keys": [{"id": keys["stranger"][0], "secret": keys["stranger"][1]}]},
        ],
    }


def admin_token(server, request_id):
    """What the partner's SNS topic would receive (POST /_stsd/delegation/token)."""
    r = h.send(server, "POST", "/_stsd/delegation/token",
               body=json.dumps({"delegation_request_id": request_id}).encode(),
               headers={"Content-Type": "application/json"})
    return r.status, json.loads(r.body)


class DelegationTest(h.StsdTestCase):
    @classmethod
    def setUpClass(cls):
        needs_delegation_client()
        super().setUpClass()

    @classmethod
    def server_config(cls):
        cls.keys, cfg = config()
        return cfg

    def setUp(self):
        self.addCleanup(lambda: h.send(self.server, "POST", "/_stsd/reset"))

    # --- helpers ---------------------------------------------------------------

    def create(self, owner=CUSTOMER, duration=3600, **extra):
        kwargs = dict(Description="Configure Acme monitoring", RequestorWorkflowId=f"wf-{time.time_ns()}",
                      NotificationChannel=TOPIC, SessionDuration=duration,
                      Permissions={"PolicyTemplateArn": f"arn:aws:iam::{PARTNER}:policy/acme-template",
                                   "Parameters": [{"Name": "bucket", "Values": ["logs"], "Type": "string"}]})
        if owner:
            kwargs["OwnerAccountId"] = owner
        kwargs.update(extra)
        out = self.iam(self.keys["partner"]).create_delegation_request(**kwargs)
        return out["DelegationRequestId"]

    def get(self, request_id, who="alice"):
        return self.iam(self.keys[who] if isinstance(who, str) else who).get_delegation_request(
            DelegationRequestId=request_id)["DelegationRequest"]

    def move_clock(self, seconds):
        r = h.send(self.server, "POST", "/_stsd/clock", body=json.dumps({"advance_seconds": seconds}).encode(),
                   headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r.body)

    def approved(self, approver="alice", **create):
        """A FINALIZED request approved by `approver` (a key name or creds) and its trade-in token."""
        creds = self.keys[approver] if isinstance(approver, str) else approver
        request_id = self.create(**create)
        iam = self.iam(creds)
        iam.associate_delegation_request(DelegationRequestId=request_id)
        iam.accept_delegation_request(DelegationRequestId=request_id)
        iam.send_delegation_token(DelegationRequestId=request_id)
        status, notice = admin_token(self.server, request_id)
        self.assertEqual(status, 200, notice)
        return request_id, notice["trade_in_token"]

    def exchange(self, token, creds=None):
        return self.client(creds or self.keys["partner"]).get_delegated_access_token(TradeInToken=token)

    # --- the flow --------------------------------------------------------------

    def test_whole_flow_gives_credentials_of_the_accepting_user(self):
        partner, alice = self.iam(self.keys["partner"]), self.iam(self.keys["alice"])
        created = partner.create_delegation_request(
            OwnerAccountId=CUSTOMER, Description="Configure Acme monitoring", RequestMessage="for ticket 42",
            RequestorWorkflowId="acme-workflow-0001", NotificationChannel=TOPIC, SessionDuration=1800,
            RedirectUrl="https://acme.example.com/done",
            Permissions={"PolicyTemplateArn": f"arn:aws:iam::{PARTNER}:policy/acme-template"})
        request_id = created["DelegationRequestId"]
        self.assertRegex(request_id, h.UUID_RE)
        self.assertIn(request_id, created["ConsoleDeepLink"])

        shown = self.get(request_id, "partner")
        self.assertEqual(shown["State"], "UNASSIGNED")
        self.assertEqual(shown["RequestorId"], PARTNER)
        self.assertEqual(shown["RequestorName"], "acme-partner")
        self.assertEqual(shown["OwnerAccountId"], CUSTOMER)
        self.assertEqual(shown["SessionDuration"], 1800)
        self.assertEqual(shown["RequestMessage"], "for ticket 42")
        self.assertEqual(shown["RedirectUrl"], "https://acme.example.com/done")
        self.assertNotIn("OwnerId", shown)
        # An unassigned request lives one day.
        self.assertEqual(iso_epoch(shown["ExpirationTime"]) - iso_epoch(shown["CreateDate"]), DAY)

        alice.associate_delegation_request(DelegationRequestId=request_id)
        shown = self.get(request_id)
        self.assertEqual(shown["State"], "ASSIGNED")
        self.assertEqual(shown["OwnerId"], f"arn:aws:iam::{CUSTOMER}:user/alice")
        self.assertEqual(iso_epoch(shown["ExpirationTime"]) - iso_epoch(shown["UpdatedTime"]), 7 * DAY)
        listed = alice.list_delegation_requests()
        self.assertEqual([r["DelegationRequestId"] for r in listed["DelegationRequests"]], [request_id])
        self.assertFalse(listed["isTruncated"])

        alice.accept_delegation_request(DelegationRequestId=request_id)
        shown = self.get(request_id)
        self.assertEqual(shown["State"], "ACCEPTED")
        self.assertEqual(shown["ApproverId"], f"arn:aws:iam::{CUSTOMER}:user/alice")
        status, _ = admin_token(self.server, request_id)
        self.assertEqual(status, 404)  # no token before SendDelegationToken

        alice.send_delegation_token(DelegationRequestId=request_id)
        self.assertEqual(self.get(request_id)["State"], "FINALIZED")
        status, notice = admin_token(self.server, request_id)
        self.assertEqual(status, 200, notice)
        self.assertEqual(notice["notification_channel"], TOPIC)
        self.assertGreaterEqual(len(notice["trade_in_token"]), 43)

        out = self.exchange(notice["trade_in_token"])
        self.assertEqual(out["AssumedPrincipal"], f"arn:aws:iam::{CUSTOMER}:user/alice")
        self.assertNotIn("PackedPolicySize", out)
        creds = out["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        # The delegation period started at SendDelegationToken and lasts SessionDuration.
        self.assertLessEqual(abs(iso_epoch(creds["Expiration"]) - (time.time() + 1800)), 10)
        me = self.client(h.creds_of(out)).get_caller_identity()
        self.assertEqual(me["Arn"], f"arn:aws:iam::{CUSTOMER}:user/alice")
        self.assertEqual(me["Account"], CUSTOMER)
        # The credentials act as alice in her account (she has no policies: everything).
        self.assertEqual(self.iam(h.creds_of(out)).get_user()["User"]["UserName"], "alice")
        r = h.send(self.server, "POST", "/_stsd/credentials/inspect",
                   body=json.dumps({"access_key_id": creds["AccessKeyId"],
                                    "session_token": creds["SessionToken"]}).encode())
        self.assertEqual(json.loads(r.body)["credential_type"], "Delegated")

        # Single use.
        err = self.assertClientError(lambda: self.exchange(notice["trade_in_token"]),
                                     "ExpiredTradeInTokenException", status=400)
        self.assertIn("already been exchanged", err["Message"])
        self.assertTrue(admin_token(self.server, request_id)[1]["used"])

    def test_role_session_approver_maps_to_its_role_session(self):
        alice_sts = self.client(self.keys["alice"])
        role_arn = f"arn:aws:iam::{CUSTOMER}:role/admin"
        session = h.creds_of(alice_sts.assume_role(RoleArn=role_arn, RoleSessionName="console-alice"))
        _, token = self.approved(session)
        out = self.exchange(token)
        self.assertEqual(out["AssumedPrincipal"], role_arn)
        self.assertEqual(self.client(h.creds_of(out)).get_caller_identity()["Arn"],
                         f"arn:aws:sts::{CUSTOMER}:assumed-role/admin/console-alice")

    def test_update_forwards_for_approval_with_notes(self):
        request_id = self.create()
        alice, bob = self.iam(self.keys["alice"]), self.iam(self.keys["bob"])
        alice.associate_delegation_request(DelegationRequestId=request_id)
        alice.update_delegation_request(DelegationRequestId=request_id, Notes="bob, please approve")
        shown = self.get(request_id)
        self.assertEqual(shown["State"], "PENDING_APPROVAL")
        self.assertEqual(shown["Notes"], "bob, please approve")
        # An administrator of the owner account approves; the credentials are his.
        bob.accept_delegation_request(DelegationRequestId=request_id)
        self.assertEqual(self.get(request_id)["ApproverId"], f"arn:aws:iam::{CUSTOMER}:user/bob")
        alice.send_delegation_token(DelegationRequestId=request_id)
        out = self.exchange(admin_token(self.server, request_id)[1]["trade_in_token"])
        self.assertEqual(self.client(h.creds_of(out)).get_caller_identity()["Arn"],
                         f"arn:aws:iam::{CUSTOMER}:user/bob")

    def test_reject_paths(self):
        alice = self.iam(self.keys["alice"])
        for before in ("assigned", "pending", "accepted"):
            request_id = self.create()
            alice.associate_delegation_request(DelegationRequestId=request_id)
            if before == "pending":
                alice.update_delegation_request(DelegationRequestId=request_id)
            if before == "accepted":
                alice.accept_delegation_request(DelegationRequestId=request_id)
            alice.reject_delegation_request(DelegationRequestId=request_id, Notes="not today")
            shown = self.get(request_id)
            self.assertEqual(shown["State"], "REJECTED", before)
            self.assertEqual(shown["RejectionReason"], "not today")
            for call in (alice.accept_delegation_request, alice.send_delegation_token,
                         alice.update_delegation_request, alice.reject_delegation_request):
                err = self.assertClientError(lambda: call(DelegationRequestId=request_id), "InvalidInput",
                                             status=400)
                self.assertIn("is REJECTED", err["Message"])
            self.assertEqual(admin_token(self.server, request_id)[0], 404)
        # Once the token is sent there is no going back.
        request_id, _ = self.approved()
        self.assertClientError(lambda: alice.reject_delegation_request(DelegationRequestId=request_id),
                               "InvalidInput", f"Delegation request {request_id} is FINALIZED and cannot be rejected.")

    def test_wrong_state_transitions(self):
        alice = self.iam(self.keys["alice"])
        request_id = self.create()
        for call, verb in ((alice.accept_delegation_request, "accepted"), (alice.send_delegation_token, "sent"),
                           (alice.update_delegation_request, "updated"),
                           (alice.reject_delegation_request, "rejected")):
            self.assertClientError(lambda: call(DelegationRequestId=request_id), "InvalidInput",
                                   f"Delegation request {request_id} is UNASSIGNED and cannot be {verb}.")
        alice.associate_delegation_request(DelegationRequestId=request_id)
        self.assertClientError(lambda: alice.associate_delegation_request(DelegationRequestId=request_id),
                               "InvalidInput", f"Delegation request {request_id} is ASSIGNED and cannot be associated.")
        self.assertClientError(lambda: alice.send_delegation_token(DelegationRequestId=request_id), "InvalidInput",
                               f"Delegation request {request_id} is ASSIGNED and cannot be sent.")
        alice.accept_delegation_request(DelegationRequestId=request_id)
        self.assertClientError(lambda: alice.accept_delegation_request(DelegationRequestId=request_id),
                               "InvalidInput", f"Delegation request {request_id} is ACCEPTED and cannot be accepted.")
        self.assertClientError(lambda: alice.update_delegation_request(DelegationRequestId=request_id),
                               "InvalidInput", f"Delegation request {request_id} is ACCEPTED and cannot be updated.")
        alice.send_delegation_token(DelegationRequestId=request_id)
        self.assertClientError(lambda: alice.send_delegation_token(DelegationRequestId=request_id), "InvalidInput",
                               f"Delegation request {request_id} is FINALIZED and cannot be sent.")

    def test_unknown_id_is_no_such_entity(self):
        missing = "00000000-0000-4000-8000-000000000000"
        alice = self.iam(self.keys["alice"])
        for call in (alice.get_delegation_request, alice.associate_delegation_request,
                     alice.accept_delegation_request, alice.reject_delegation_request,
                     alice.update_delegation_request, alice.send_delegation_token):
            self.assertClientError(lambda: call(DelegationRequestId=missing), "NoSuchEntity",
                                   f"The delegation request with id {missing} cannot be found.", status=404)

    def test_accounts_see_and_act_on_what_is_theirs(self):
        request_id = self.create(owner=CUSTOMER)
        stranger, partner = self.iam(self.keys["stranger"]), self.iam(self.keys["partner"])
        # Another account neither sees nor claims a request made for CUSTOMER.
        self.assertClientError(lambda: stranger.get_delegation_request(DelegationRequestId=request_id),
                               "NoSuchEntity")
        self.assertClientError(lambda: stranger.associate_delegation_request(DelegationRequestId=request_id),
                               "NoSuchEntity")
        self.iam(self.keys["alice"]).associate_delegation_request(DelegationRequestId=request_id)
        # The partner sees its request but may not approve it.
        self.assertEqual(self.get(request_id, "partner")["State"], "ASSIGNED")
        err = self.assertClientError(lambda: partner.accept_delegation_request(DelegationRequestId=request_id),
                                     "AccessDenied", status=403)
        self.assertIn("iam:AcceptDelegationRequest", err["Message"])
        self.assertEqual([r["DelegationRequestId"] for r in partner.list_delegation_requests()["DelegationRequests"]
                          if r["DelegationRequestId"] == request_id], [request_id])
        self.assertEqual(stranger.list_delegation_requests()["DelegationRequests"], [])

        # Without OwnerAccountId any account may claim it, and then owns it.
        open_id = self.create(owner=None)
        self.assertEqual(self.get(open_id, "stranger")["State"], "UNASSIGNED")
        stranger.associate_delegation_request(DelegationRequestId=open_id)
        shown = self.get(open_id, "stranger")
        self.assertEqual(shown["OwnerAccountId"], STRANGER)
        self.assertEqual(shown["OwnerId"], f"arn:aws:iam::{STRANGER}:user/stranger")
        self.assertClientError(lambda: self.get(open_id, "alice"), "NoSuchEntity")

    def test_list_filters_by_owner_and_pages(self):
        alice, bob = self.iam(self.keys["alice"]), self.iam(self.keys["bob"])
        ids = []
        for i in range(3):
            request_id = self.create()
            (alice if i < 2 else bob).associate_delegation_request(DelegationRequestId=request_id)
            ids.append(request_id)
        unowned = self.create()
        everything = [r["DelegationRequestId"] for r in alice.list_delegation_requests()["DelegationRequests"]]
        self.assertEqual(sorted(everything), sorted(ids))
        self.assertNotIn(unowned, everything)
        mine = alice.list_delegation_requests(OwnerId=f"arn:aws:iam::{CUSTOMER}:user/alice")
        self.assertEqual(sorted(r["DelegationRequestId"] for r in mine["DelegationRequests"]), sorted(ids[:2]))
        first = alice.list_delegation_requests(MaxItems=2)
        self.assertTrue(first["isTruncated"])
        rest = alice.list_delegation_requests(MaxItems=2, Marker=first["Marker"])
        self.assertFalse(rest["isTruncated"])
        self.assertEqual(sorted(r["DelegationRequestId"] for r in first["DelegationRequests"] + rest["DelegationRequests"]),
                         sorted(ids))

    def test_owner_may_get_and_update_without_a_policy_for_it(self):
        request_id = self.create()
        carol = self.iam(self.keys["carol"])
        # Before she owns it, her policies decide.
        self.assertClientError(lambda: carol.get_delegation_request(DelegationRequestId=request_id), "AccessDenied")
        carol.associate_delegation_request(DelegationRequestId=request_id)
        self.assertEqual(self.get(request_id, "carol")["State"], "ASSIGNED")
        carol.update_delegation_request(DelegationRequestId=request_id, Notes="please approve")
        self.assertEqual(self.get(request_id, "carol")["State"], "PENDING_APPROVAL")
        # Approving needs iam:AcceptDelegationRequest.
        self.assertClientError(lambda: carol.accept_delegation_request(DelegationRequestId=request_id),
                               "AccessDenied")
        self.iam(self.keys["bob"]).accept_delegation_request(DelegationRequestId=request_id)

    def test_only_send_by_owner(self):
        request_id = self.create(OnlySendByOwner=True)
        alice, bob = self.iam(self.keys["alice"]), self.iam(self.keys["bob"])
        alice.associate_delegation_request(DelegationRequestId=request_id)
        bob.accept_delegation_request(DelegationRequestId=request_id)
        self.assertTrue(self.get(request_id)["OnlySendByOwner"])
        self.assertClientError(lambda: bob.send_delegation_token(DelegationRequestId=request_id), "AccessDenied")
        alice.send_delegation_token(DelegationRequestId=request_id)
        self.assertEqual(self.get(request_id)["State"], "FINALIZED")

    def test_root_accepts_at_most_four_hours(self):
        root = self.iam(self.keys["root"])
        long_id = self.create(duration=4 * 3600 + 1)
        root.associate_delegation_request(DelegationRequestId=long_id)
        self.assertClientError(lambda: root.accept_delegation_request(DelegationRequestId=long_id), "InvalidInput")
        _, token = self.approved("root", duration=4 * 3600)
        self.assertEqual(self.client(h.creds_of(self.exchange(token))).get_caller_identity()["Arn"],
                         f"arn:aws:iam::{CUSTOMER}:root")

    # --- the token -------------------------------------------------------------

    def test_token_expires_with_the_delegation_period(self):
        request_id, token = self.approved(duration=900)
        self.move_clock(901)
        self.assertClientError(lambda: self.exchange(token), "ExpiredTradeInTokenException",
                               "The trade-in token has expired.", status=400)

    def test_credentials_end_with_the_delegation_period(self):
        _, token = self.approved(duration=900)
        self.move_clock(600)
        out = self.exchange(token)
        # Exchanged 600 s into a 900 s period: 300 s left (on stsd's clock).
        clock = json.loads(h.send(self.server, "GET", "/_stsd/clock").body)
        self.assertLessEqual(abs(iso_epoch(out["Credentials"]["Expiration"]) - (clock["epoch"] + 300)), 5)
        self.move_clock(301)
        self.assertClientError(lambda: self.client(h.creds_of(out)).get_caller_identity(), "ExpiredToken")

    def test_token_of_another_account_or_made_up_is_refused(self):
        _, token = self.approved()
        for creds in (self.keys["alice"], self.keys["stranger"]):
            self.assertClientError(lambda: self.exchange(token, creds), "ExpiredTradeInTokenException",
                                   "The trade-in token is not valid.")
        self.assertClientError(lambda: self.exchange("not-a-token"), "ExpiredTradeInTokenException",
                               "The trade-in token is not valid.")
        # Refusals do not spend it: the partner still can.
        self.assertIn("Credentials", self.exchange(token))

    def test_requests_expire_without_action(self):
        unassigned = self.create()
        assigned = self.create()
        alice = self.iam(self.keys["alice"])
        alice.associate_delegation_request(DelegationRequestId=assigned)
        self.move_clock(DAY)
        self.assertEqual(self.get(unassigned, "partner")["State"], "EXPIRED")
        self.assertClientError(lambda: alice.associate_delegation_request(DelegationRequestId=unassigned),
                               "InvalidInput", f"Delegation request {unassigned} is EXPIRED and cannot be associated.")
        self.assertEqual(self.get(assigned)["State"], "ASSIGNED")
        self.move_clock(6 * DAY)
        self.assertEqual(self.get(assigned)["State"], "EXPIRED")
        self.assertClientError(lambda: alice.accept_delegation_request(DelegationRequestId=assigned), "InvalidInput")

    def test_policy_template_bounds_the_credentials(self):
        partner = self.iam(self.keys["partner"])
        template = {"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "sts:GetCallerIdentity"],
                                   "Resource": "*"}]}
        arn = partner.create_policy(PolicyName="acme-template", PolicyDocument=json.dumps(template))["Policy"]["Arn"]
        request_id, token = self.approved(Permissions={"PolicyTemplateArn": arn})
        self.assertEqual(json.loads(self.get(request_id)["PermissionPolicy"]), template)
        creds = h.creds_of(self.exchange(token))
        self.assertIn("Users", self.iam(creds).list_users())
        self.assertClientError(lambda: self.iam(creds).list_roles(), "AccessDenied")

    def test_permission_check_asks_the_callers_policies(self):
        partner = self.iam(self.keys["partner"])

        # dana may read and associate requests, nothing else; bob may do everything.
        bob = self.iam(self.keys["bob"])
        bob.create_user(UserName="dana")
        bob.put_user_policy(UserName="dana", PolicyName="requests", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "iam:GetDelegationRequest", "iam:AssociateDelegationRequest"]}]}))
        key = bob.create_access_key(UserName="dana")["AccessKey"]
        users = {"bob": self.keys["bob"], "dana": (key["AccessKeyId"], key["SecretAccessKey"])}

        def check(request_id, who):
            out = self.iam(users[who]).get_delegation_request(
                DelegationRequestId=request_id, DelegationPermissionCheck=True)
            self.assertEqual(out["PermissionCheckStatus"], "COMPLETE")
            return out["PermissionCheckResult"]

        def template(name, statement):
            return partner.create_policy(PolicyName=name, PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [statement]}))["Policy"]["Arn"]

        associate = template("acme-associate", {"Effect": "Allow", "Action": "iam:AssociateDelegationRequest",
                                                "Resource": "*"})
        broad = template("acme-broad", {"Effect": "Allow", "Action": ["iam:ListUsers", "s3:Get*"], "Resource": "*"})
        conditional = template("acme-conditional", {
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}})
        negated = template("acme-negated", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})

        def created(arn):
            return self.create(Permissions={"PolicyTemplateArn": arn})

        self.assertEqual(check(created(broad), "bob"), "ALLOWED")
        self.assertEqual(check(created(broad), "dana"), "DENIED")
        self.assertEqual(check(created(associate), "dana"), "ALLOWED")
        self.assertEqual(check(created(conditional), "dana"), "UNSURE")
        self.assertEqual(check(created(negated), "bob"), "UNSURE")
        # A template stsd does not hold, and no check asked for.
        self.assertEqual(check(self.create(), "bob"), "UNSURE")
        plain = self.iam(self.keys["bob"]).get_delegation_request(DelegationRequestId=self.create())
        self.assertNotIn("PermissionCheckResult", plain)

    def test_deleted_approver_makes_the_token_unusable(self):
        admin = self.iam(self.keys["alice"])
        admin.create_user(UserName="temp")
        key = admin.create_access_key(UserName="temp")["AccessKey"]
        _, token = self.approved((key["AccessKeyId"], key["SecretAccessKey"]))
        admin.delete_access_key(UserName="temp", AccessKeyId=key["AccessKeyId"])
        admin.delete_user(UserName="temp")
        self.assertClientError(lambda: self.exchange(token), "ExpiredTradeInTokenException",
                               "The principal that accepted the delegation request no longer exists.")

    # --- input -----------------------------------------------------------------

    def test_create_checks(self):
        self.create(RequestorWorkflowId="same-workflow")
        self.assertClientError(lambda: self.create(RequestorWorkflowId="same-workflow"), "EntityAlreadyExists",
                               status=409)
        self.assertClientError(lambda: self.create(NotificationChannel=f"arn:aws:sqs:us-east-1:{PARTNER}:q"),
                               "InvalidInput", "NotificationChannel must be the ARN of an Amazon SNS topic.")

    def test_model_validation(self):
        raw = self.iam(self.keys["partner"], validate=False)
        template = {"PolicyTemplateArn": f"arn:aws:iam::{PARTNER}:policy/acme-template"}
        base = dict(Description="d", RequestorWorkflowId="wf-valid", NotificationChannel=TOPIC,
                    SessionDuration=3600, Permissions=template)
        for change, member in ((dict(SessionDuration=299), "sessionDuration"),
                               (dict(SessionDuration=43201), "sessionDuration"),
                               (dict(RequestorWorkflowId="abcd"), "requestorWorkflowId"),
                               (dict(NotificationChannel="has space"), "notificationChannel"),
                               (dict(RedirectUrl="ftp://x"), "redirectUrl"),
                               (dict(Description="x" * 1001), "description"),
                               (dict(OwnerAccountId="12345"), "ownerAccountId"),
                               (dict(RequestMessage="m" * 201), "requestMessage"),
                               (dict(Permissions={**template, "Parameters": [{"Name": "abcde", "Type": "int"}]}), "type"),
                               (dict(Permissions={**template, "Parameters": [{"Name": "abcde"}] * 51}), "parameters")):
            err = self.assertClientError(lambda: raw.create_delegation_request(**{**base, **change}),
                                         "ValidationError", status=400)
            self.assertIn(member, err["Message"])
        self.assertClientError(lambda: raw.create_delegation_request(Description="d"), "ValidationError")
        # An empty structure is not sent: Permissions is then missing.
        self.assertClientError(lambda: raw.create_delegation_request(**{**base, "Permissions": {}}), "ValidationError",
                               "1 validation error detected: Value null at 'permissions' failed to satisfy "
                               "constraint: Member must not be null")
        # Each case above failed on its member alone; the base itself is valid.
        self.assertIn("DelegationRequestId", raw.create_delegation_request(**base))
        for call in (raw.get_delegation_request, raw.accept_delegation_request, raw.send_delegation_token):
            self.assertClientError(lambda: call(DelegationRequestId="short"), "ValidationError")
            self.assertClientError(lambda: call(DelegationRequestId="has spaces in it!!"), "ValidationError")
        self.assertClientError(lambda: raw.reject_delegation_request(DelegationRequestId="a" * 16, Notes="n" * 501),
                               "ValidationError")
        self.assertClientError(lambda: raw.list_delegation_requests(MaxItems=0), "ValidationError")
        sts = self.client(self.keys["partner"], validate=False)
        self.assertClientError(lambda: sts.get_delegated_access_token(), "ValidationError")


class DelegationStateTest(unittest.TestCase):
    """--state: requests, their states and the token's single use survive kill -9."""

    def setUp(self):
        needs_delegation_client()
        import tempfile
        self.workdir = tempfile.mkdtemp(prefix="stsd-delegation-state-")
        self.keys, self.cfg = config()
        self.servers = []

    def tearDown(self):
        import shutil
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start(self, state):
        server = h.StsdServer(["--state", state], self.cfg, workdir=self.workdir).start()
        self.servers.append(server)
        return server

    def kill9(self, server):
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait()

    def test_flow_survives_restarts(self):
        state = os.path.join(self.workdir, "state.db")
        server = self.start(state)
        partner = h.iam_client(server.url, self.keys["partner"])
        alice = h.iam_client(server.url, self.keys["alice"])
        request_id = partner.create_delegation_request(
            OwnerAccountId=CUSTOMER, Description="d", RequestorWorkflowId="wf-state", NotificationChannel=TOPIC,
            SessionDuration=3600,
            Permissions={"PolicyTemplateArn": f"arn:aws:iam::{PARTNER}:policy/acme-template"})["DelegationRequestId"]
        alice.associate_delegation_request(DelegationRequestId=request_id)
        alice.accept_delegation_request(DelegationRequestId=request_id)
        before = alice.get_delegation_request(DelegationRequestId=request_id)["DelegationRequest"]
        self.kill9(server)

        server = self.start(state)
        alice = h.iam_client(server.url, self.keys["alice"])
        self.assertEqual(alice.get_delegation_request(DelegationRequestId=request_id)["DelegationRequest"], before)
        alice.send_delegation_token(DelegationRequestId=request_id)
        status, notice = admin_token(server, request_id)
        self.assertEqual(status, 200, notice)
        self.kill9(server)

        server = self.start(state)
        sts = h.sts_client(server.url, self.keys["partner"])
        out = sts.get_delegated_access_token(TradeInToken=notice["trade_in_token"])
        self.assertEqual(h.sts_client(server.url, h.creds_of(out)).get_caller_identity()["Arn"],
                         f"arn:aws:iam::{CUSTOMER}:user/alice")
        self.kill9(server)

        # Spent before the restart, spent after it.
        server = self.start(state)
        sts = h.sts_client(server.url, self.keys["partner"])
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            sts.get_delegated_access_token(TradeInToken=notice["trade_in_token"])
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ExpiredTradeInTokenException")


if __name__ == "__main__":
    h.main()
