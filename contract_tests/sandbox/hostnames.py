"""The DynamoDB endpoint names an SDK may call, whatever its version or endpoint configuration, and the
management API's name a router is given.

Inside the sandbox each resolves to the observing proxy (the sandbox's ``/etc/hosts``), and the
proxy's certificate covers each: a client that ignores ``AWS_ENDPOINT_URL_*`` is seen all the same.
"""

from __future__ import annotations

import functools

#: Partitions and the domain their regional endpoints end in.
PARTITIONS = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}
#: The dual-stack domain of each partition (``dynamodb.<region>.api.aws``).
DUAL_STACK = {"aws": "api.aws", "aws-cn": "api.amazonwebservices.com.cn", "aws-us-gov": "api.aws"}


@functools.cache
def _regions() -> dict[str, str]:
    """Every region DynamoDB is in, with its partition: botocore's own endpoint data."""
    import botocore.session

    session = botocore.session.get_session()
    return {
        region: partition
        for partition in PARTITIONS
        for region in session.get_available_regions("dynamodb", partition_name=partition)
    }


def regions(extra: str | None = None) -> dict[str, str]:
    """The known regions, and ``extra`` (the run's ``--region``) in the commercial partition if it is new."""
    known = dict(_regions())
    if extra and extra not in known:
        known[extra] = "aws"
    return known


def endpoint_names(region: str | None = None) -> list[str]:
    """Regional, FIPS, dual-stack and Streams host names of DynamoDB in every region."""
    names: list[str] = []
    for name, partition in regions(region).items():
        domain, dual = PARTITIONS[partition], DUAL_STACK[partition]
        names += [
            f"dynamodb.{name}.{domain}",
            f"dynamodb-fips.{name}.{domain}",
            f"streams.dynamodb.{name}.{domain}",
            f"dynamodb.{name}.{dual}",
            f"dynamodb-fips.{name}.{dual}",
        ]
    return names


#: The WebSocket API whose management API the gate plays (``https://{api}.execute-api.{region}…/{stage}``).
MANAGEMENT_API_ID = "abcdef1234"


def management_host(region: str) -> str:
    """The host name of the management API of the gate's WebSocket API in ``region``."""
    return f"{MANAGEMENT_API_ID}.execute-api.{region}.{PARTITIONS[regions(region)[region]]}"


def certificate_names(region: str | None = None) -> list[str]:
    """Wildcards covering :func:`endpoint_names` (a wildcard stands for one label only), and the run's
    region's management API."""
    names: list[str] = [management_host(region).replace(MANAGEMENT_API_ID, "*", 1)] if region else []
    for name, partition in regions(region).items():
        domain, dual = PARTITIONS[partition], DUAL_STACK[partition]
        names += [f"*.{name}.{domain}", f"*.dynamodb.{name}.{domain}", f"*.{name}.{dual}"]
    return names
