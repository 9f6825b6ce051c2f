#!/usr/bin/env python3
"""Writes a wrk Lua script that replays one botocore-signed STS request.

STS accepts a signed request for 15 minutes from its X-Amz-Date and does not
reject replays, so one signature serves a whole benchmark run.
AssumeRoleWithWebIdentity is unsigned, as on AWS: it carries the token given
as the fourth argument instead. With several tokens the script sends them in
turn, one per request (to measure tokens the server has not seen lately).
usage: sign_request.py HOST:PORT ACTION OUT.lua [WEB_IDENTITY_TOKEN...]
"""
import sys
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

PARAMS = {
    "GetCallerIdentity": {},
    "AssumeRole": {"RoleArn": "arn:aws:iam::123456789012:role/bench", "RoleSessionName": "bench"},
    "GetSessionToken": {"DurationSeconds": "900"},
    "AssumeRoleWithWebIdentity": {"RoleArn": "arn:aws:iam::000000000000:role/bench-web",
                                  "RoleSessionName": "bench"},
}
UNSIGNED = {"AssumeRoleWithWebIdentity"}


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main():
    host, action, out = sys.argv[1], sys.argv[2], sys.argv[3]
    params = {"Action": action, "Version": "2011-06-15", **PARAMS[action]}
    bodies = [urllib.parse.urlencode(params)]
    if action == "AssumeRoleWithWebIdentity":
        tokens = sys.argv[4:]
        if not tokens:
            sys.exit("AssumeRoleWithWebIdentity needs a WEB_IDENTITY_TOKEN argument")
        bodies = [urllib.parse.urlencode({**params, "WebIdentityToken": t}) for t in tokens]
    request = AWSRequest(
        method="POST",
        url=f"http://{host}/",
        data=bodies[0],
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    if action not in UNSIGNED:
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "sts", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = host
    with open(out, "w") as f:
        f.write('wrk.method = "POST"\n')
        f.write(f"wrk.body = {lua_string(bodies[0])}\n")
        for k, v in headers.items():
            f.write(f"wrk.headers[{lua_string(k)}] = {lua_string(str(v))}\n")
        if len(bodies) > 1:
            f.write("bodies = {" + ",\n".join(lua_string(b) for b in bodies) + "}\n")
            f.write("local n = 0\n")
            f.write("request = function()\n  n = n % #bodies + 1\n  return wrk.format(nil, nil, nil, bodies[n])\nend\n")


if __name__ == "__main__":
    main()
