"""POST /_stsd/clock: tests move stsd's clock to expire credentials and cross
MFA windows without sleeping; /_stsd/reset puts it back. Signatures are
still checked against the machine's time, which clients sign with."""
import calendar
import json
import time
import unittest

import stsd_harness as h

ACCOUNT = "111122223333"


def post_clock(server, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return h.send(server, "POST", "/_stsd/clock", body=raw, headers=headers)


def epoch_of(iso):
    return calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))


class ClockTest(h.StsdTestCase):
    @classmethod
    def server_config(cls):
        key = (h.make_access_key(ACCOUNT), h.make_secret())
        cls.totp_secret = h.make_totp_secret()
        cls.serial = f"arn:aws:iam::{ACCOUNT}:mfa/alice"
        cls.alice = key
        return {
            "region": "us-east-1",
            "accounts": [{"id": ACCOUNT}],
            "users": [{"account": ACCOUNT, "name": "alice", "access_keys": [{"id": key[0], "secret": key[1]}],
                       "mfa_devices": [{"serial": cls.serial, "totp_secret": cls.totp_secret}]}],
        }

    def setUp(self):
        self.addCleanup(lambda: h.send(self.server, "POST", "/_stsd/reset"))

    def clock(self):
        r = h.send(self.server, "GET", "/_stsd/clock")
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)

    def move(self, body):
        r = post_clock(self.server, body)
        self.assertEqual(r.status, 200, r.body)
        return json.loads(r.body)

    def test_unmoved_clock_is_the_machines(self):
        c = self.clock()
        self.assertEqual(c["offset_seconds"], 0)
        self.assertLessEqual(abs(c["epoch"] - time.time()), 5)
        self.assertEqual(epoch_of(c["now"]), c["epoch"])

    def test_advancing_past_expiry_expires_credentials_and_reset_revives_them(self):
        session = h.creds_of(self.client(self.alice).get_session_token(DurationSeconds=900))
        self.assertTrue(self.client(session).get_caller_identity()["Arn"].endswith(":user/alice"))

        moved = self.move({"advance_seconds": 901})
        self.assertEqual(moved["offset_seconds"], 901)
        self.assertClientError(lambda: self.client(session).get_caller_identity(), "ExpiredToken")
        # Long-term keys still sign: the signature's time is the machine's.
        self.assertTrue(self.client(self.alice).get_caller_identity()["Arn"].endswith(":user/alice"))

        self.assertEqual(h.send(self.server, "POST", "/_stsd/reset").status, 200)
        self.assertEqual(self.clock()["offset_seconds"], 0)
        self.assertTrue(self.client(session).get_caller_identity()["Arn"].endswith(":user/alice"))

    def test_advance_adds_to_the_offset_and_offset_replaces_it(self):
        self.move({"advance_seconds": 600})
        self.assertEqual(self.move({"advance_seconds": 600})["offset_seconds"], 1200)
        self.assertEqual(self.move({"offset_seconds": -300})["offset_seconds"], -300)

    def test_credentials_are_issued_on_the_moved_clock(self):
        moved = self.move({"now": "2030-01-01T00:00:00Z"})
        self.assertEqual(moved["now"][:15], "2030-01-01T00:0")
        creds = self.client(self.alice).get_session_token(DurationSeconds=900)["Credentials"]
        expiration = calendar.timegm(creds["Expiration"].utctimetuple())
        self.assertAlmostEqual(expiration, epoch_of("2030-01-01T00:15:00Z"), delta=10)
        self.move({"now": epoch_of("2031-06-01T12:00:00Z")})
        self.assertEqual(self.clock()["now"][:13], "2031-06-01T12")

    def test_mfa_codes_follow_the_moved_clock(self):
        moved = self.move({"advance_seconds": 3600})
        at = moved["epoch"]
        machine_code = h.totp(self.totp_secret, at=time.time())
        self.assertClientError(
            lambda: self.client(self.alice).get_session_token(SerialNumber=self.serial, TokenCode=machine_code),
            "AccessDenied")
        # A fresh step on stsd's clock (the refused code above may not be reused).
        self.move({"advance_seconds": 90})
        code = h.totp(self.totp_secret, at=at + 90)
        self.client(self.alice).get_session_token(SerialNumber=self.serial, TokenCode=code)

    def test_bad_bodies_are_refused_and_change_nothing(self):
        for body in ({}, {"advance_seconds": "60"}, {"advance_seconds": 1.5}, {"now": "2030-01-01"},
                     {"now": -1}, {"now": "9999-99-99T00:00:00Z"}, {"advance_seconds": 10**17},
                     {"offset_seconds": 1, "advance_seconds": 1}, {"later": 5}, [], b"{not json"):
            r = post_clock(self.server, body)
            self.assertEqual(r.status, 400, (body, r.body))
            self.assertIn("error", json.loads(r.body))
        self.assertEqual(self.clock()["offset_seconds"], 0)
        self.assertEqual(h.send(self.server, "PUT", "/_stsd/clock", body=b"{}").status, 405)


class ClockAdminTokenTest(h.StsdTestCase):
    TOKEN = "clock-admin-token-0123456789"

    @classmethod
    def server_config(cls):
        return {"region": "us-east-1", "accounts": [{"id": ACCOUNT}], "admin_token": cls.TOKEN}

    def test_the_clock_follows_admin_token(self):
        self.assertEqual(h.send(self.server, "GET", "/_stsd/clock").status, 401)
        self.assertEqual(post_clock(self.server, {"advance_seconds": 60}).status, 401)
        r = post_clock(self.server, {"advance_seconds": 60}, token=self.TOKEN)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(json.loads(r.body)["offset_seconds"], 60)


if __name__ == "__main__":
    unittest.main()
