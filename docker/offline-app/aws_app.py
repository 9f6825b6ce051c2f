"""Stands in for the compose example's amazon/aws-cli container where that
image cannot be pulled (make docker-test on a machine without a registry):
`sts get-caller-identity --profile NAME`, resolved by botocore's own profile
machinery (role_arn + source_profile: its assume-role provider), printed as
the CLI prints it. Debian 12's botocore (1.29) predates AWS_ENDPOINT_URL_STS
(1.31), so the STS clients it creates, the provider's included, are given
that endpoint explicitly."""

import json
import os
import sys

import botocore.session

args = sys.argv[1:]
if args[:2] != ["sts", "get-caller-identity"] or "--profile" not in args:
    sys.exit(f"aws-app: only 'sts get-caller-identity --profile NAME' is supported, got {args}")
profile = args[args.index("--profile") + 1]
endpoint = os.environ["AWS_ENDPOINT_URL_STS"]

session = botocore.session.Session(profile=profile)
create_client = session.create_client


def create_sts_at_endpoint(service_name, *pos, **kwargs):
    if service_name == "sts":
        kwargs.setdefault("endpoint_url", endpoint)
    return create_client(service_name, *pos, **kwargs)


session.create_client = create_sts_at_endpoint
identity = session.create_client("sts").get_caller_identity()
identity.pop("ResponseMetadata", None)
print(json.dumps(identity, indent=4))
