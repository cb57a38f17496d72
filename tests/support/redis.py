"""The real Redis the tests share (DESIGN.md §6): each test names its keys with its own prefix.

Redis is expected at AGENTSHIELD_TEST_REDIS (default redis://127.0.0.1:6379/0). Nothing is
flushed: keys a test leaves expire on their own.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from redis.exceptions import RedisError

REDIS_URL = os.environ.get("AGENTSHIELD_TEST_REDIS", "redis://127.0.0.1:6379/0")


def redis_url() -> str:
    """The test Redis's URL, once it answered a PING; fails the test saying how to start it."""
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
            client.ping()
    except (RedisError, OSError) as exc:
        pytest.fail(
            f"Redis is not reachable at {REDIS_URL} ({exc}). Start it with "
            "'redis-server --daemonize yes' or point AGENTSHIELD_TEST_REDIS at a server.",
            pytrace=False,
        )
    return REDIS_URL


def unique_prefix() -> str:
    return f"agentshield-test:{uuid.uuid4().hex}:"
