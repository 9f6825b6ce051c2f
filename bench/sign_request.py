#!/usr/bin/env python3
"""Writes a wrk Lua script that replays one botocore-signed STS request.

STS accepts a signed request for 15 minutes from its X-Amz-Date and does not
reject replays, so one signature serves a whole benchmark run.
AssumeRoleWithWebIdentity is unsigned, as on AWS: it carries the token given
as the fourth argument instead. With several tokens the script sends them in
turn, one per request (to measure tokens the server has not seen lately).
IAM actions (GetRole) are signed for the iam service (Version 2010-05-08);
IAM, too, checks the signature's date but not replays. For other actions,
Name=Value arguments override or add request parameters.
usage: sign_request.py HOST:PORT ACTION OUT.lua [WEB_IDENTITY_TOKEN... | Name=Value...]
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
IAM_PARAMS = {
    "GetRole": {"RoleName": "bench"},
}


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main():
    host, action, out = sys.argv[1], sys.argv[2], sys.argv[3]
    service, version = ("iam", "2010-05-08") if action in IAM_PARAMS else ("sts", "2011-06-15")
    params = {"Action": action, "Version": version, **{**PARAMS, **IAM_PARAMS}[action]}
    if action != "AssumeRoleWithWebIdentity":
        params.update(arg.split("=", 1) for arg in sys.argv[4:])
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
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), service, "us-east-1").add_auth(request)
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
