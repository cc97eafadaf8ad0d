"""Credentials and least privilege: keys from the environment, one prefix read-only, refusals.

Running it shows:
1. where boto3 finds credentials when code names none (the default chain: environment
   variables, then the shared credentials file, then the role of the machine it runs on);
2. on an S3 server of its own that checks signatures and IAM policies (moto with
   authentication on), a user whose policy allows reading `reports/` and nothing else:
   a read inside the prefix works; a read elsewhere and any write are refused;
3. the same user's key id with a wrong secret: refused, the signature does not match.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError
from s3_basics import make_s3_client

from course.settings import Settings

logger = logging.getLogger(__name__)

# least privilege: read objects under one prefix, list only that prefix, nothing else
READ_ONLY_REPORTS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadReports",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::{bucket}/reports/*",
        },
        {
            "Sid": "ListReportsOnly",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": ["reports/*"]}},
        },
    ],
}
ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
# requests moto answers before it checks: 3 while course.services starts it, 6 to create users
FREE_REQUESTS = 3 + 6


def credential_source() -> str:
    """Say where boto3's default chain finds credentials ("env", "shared-credentials-file"...)."""
    credentials = boto3.Session().get_credentials()
    return credentials.method if credentials else "nothing"


def policy_for(bucket_name: str, policy: dict) -> str:
    """The policy as JSON, with `{bucket}` replaced by the bucket's name."""
    return json.dumps(policy).replace("{bucket}", bucket_name)


@dataclass(frozen=True)
class LockedDownServer:
    """An S3 server that checks every signature, with an admin and a read-only user."""

    admin: Settings
    reporter: Settings
    bucket_name: str


def create_user(iam, name: str, policy_json: str, settings: Settings) -> Settings:
    """Create an IAM user with an inline policy and a key; return settings that use that key."""
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=policy_json)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return settings.model_copy(
        update={
            "aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"],
        }
    )


@contextlib.contextmanager
def locked_down_server(
    settings: Settings, bucket_name: str = "shared"
) -> Iterator[LockedDownServer]:
    """Start a private moto that enforces IAM; create an admin, a reporter and a bucket."""
    from course.services.private import private_server

    env = {"INITIAL_NO_AUTH_ACTION_COUNT": str(FREE_REQUESTS)}
    with private_server("s3", env=env) as server:
        own = settings.model_copy(update=server.url_settings)
        iam = boto3.client(
            "iam", endpoint_url=own.s3_endpoint_url, region_name=own.aws_default_region,
            aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap",  # nosec B106  # moto's bootstrap key, local only
        )  # fmt: skip
        admin = create_user(iam, "admin", json.dumps(ADMIN_POLICY), own)
        reporter = create_user(
            iam, "reporter", policy_for(bucket_name, READ_ONLY_REPORTS_POLICY), own
        )
        check_enforced(own)
        admin_client = make_s3_client(admin)
        admin_client.create_bucket(Bucket=bucket_name)
        admin_client.put_object(Bucket=bucket_name, Key="reports/q1.csv", Body=b"month,total\n")
        admin_client.put_object(Bucket=bucket_name, Key="payroll/ada.csv", Body=b"salary\n")
        yield LockedDownServer(admin, reporter, bucket_name)


def check_enforced(settings: Settings) -> None:
    """Fail loudly if the server still answers unknown keys (the free requests miscounted)."""
    try:
        make_s3_client(settings, total_attempts=1).list_buckets()
    except ClientError as error:
        if error.response["Error"]["Code"] == "InvalidAccessKeyId":
            return
        raise
    raise RuntimeError("the private S3 server does not check credentials yet")


def attempt(action) -> str:
    """Run an S3 call; return "allowed" or the error code it was refused with."""
    try:
        action()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "allowed"


def main() -> None:
    import course

    settings = course.require("s3")
    print(f"1. boto3's default chain, with no keys in code, finds: {credential_source()}")
    print("   (it prints 'env' when AWS_* variables are set, 'shared-credentials-file' for")
    print("   ~/.aws/credentials, a role's method on AWS; 'nothing' is normal on a laptop)")
    where = settings.source("aws_access_key_id")
    print(f"   the course's scripts pass the keys from its settings instead, here {where}")
    with locked_down_server(settings) as server:
        reporter = make_s3_client(server.reporter, total_attempts=1)
        bucket = server.bucket_name
        print("2. the reporter's policy allows s3:GetObject on reports/* only:")
        get, put = reporter.get_object, reporter.put_object
        checks = {
            "read reports/q1.csv ": lambda: get(Bucket=bucket, Key="reports/q1.csv"),
            "read payroll/ada.csv": lambda: get(Bucket=bucket, Key="payroll/ada.csv"),
            "write reports/x.csv ": lambda: put(Bucket=bucket, Key="reports/x.csv", Body=b""),
        }
        for label, action in checks.items():
            print(f"   {label}: {attempt(action)}")
        wrong = server.reporter.model_copy(update={"aws_secret_access_key": "guessed"})  # nosec B105  # a wrong secret, refused on purpose
        wrong_client = make_s3_client(wrong, total_attempts=1)
        outcome = attempt(lambda: wrong_client.get_object(Bucket=bucket, Key="reports/q1.csv"))
        print(f"3. the reporter's key id with a wrong secret: {outcome}")
    print("Conclusion: keys live outside the code, and each key may do only what its job needs.")


if __name__ == "__main__":
    import course

    course.script_arguments()
    main()
