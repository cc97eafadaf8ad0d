"""The services the lessons use: how to reach them, check them, start and stop them."""

from course.services.probes import SERVICES, ServiceSpec, ServiceUnavailable, make_s3_client

__all__ = ["SERVICES", "ServiceSpec", "ServiceUnavailable", "make_s3_client"]
