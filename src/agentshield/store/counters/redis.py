"""Counters in Redis: one Lua script checks every limit of a call and charges all or none.

The script reads the clock with Redis's TIME, so every replica measures time the same way.
Each counter is a hash {b: backlog, t: ms} that expires once drained. A call's keys share
the tenant's hash tag, so on Redis Cluster they live in one slot, as a script requires.
The arithmetic is `engines.ratelimit`'s `drain`, `fits` and `charge`, repeated in Lua;
the script returns the drained backlogs and `decide` turns them into the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from agentshield.engines.ratelimit import PERIOD_MS, Decision, Limit, decide
from agentshield.store.counters import CountersUnavailable

CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 2.0
MAX_CONNECTIONS = 100

# KEYS: one counter per limit. ARGV: period_ms, force ("1": charge without checking),
# then (limit, cost) per key. Returns each counter's backlog drained to now, before charging.
SCRIPT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local period = tonumber(ARGV[1])
local force = ARGV[2] == '1'
local backlogs = {}
local fits = true
for i = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * i])
  local cost = tonumber(ARGV[2 + 2 * i])
  local state = redis.call('HMGET', KEYS[i], 'b', 't')
  local elapsed = math.max(0, now_ms - (tonumber(state[2]) or now_ms))
  local b = math.max(0, (tonumber(state[1]) or 0) - elapsed * limit)
  backlogs[i] = b
  if b + cost * period > limit * period then fits = false end
end
if fits or force then
  for i = 1, #KEYS do
    local limit = tonumber(ARGV[1 + 2 * i])
    local b = math.max(0, backlogs[i] + tonumber(ARGV[2 + 2 * i]) * period)
    if b == 0 then
      redis.call('DEL', KEYS[i])
    else
      redis.call('HSET', KEYS[i], 'b', string.format('%d', b), 't', string.format('%d', now_ms))
      redis.call('PEXPIRE', KEYS[i], math.ceil(b / limit))
    end
  end
end
local out = {}
for i = 1, #KEYS do out[i] = string.format('%d', backlogs[i]) end
return out
"""


class RedisCounters:
    def __init__(self, url: str, prefix: str) -> None:
        self._prefix = prefix + "rl:"
        # Calls beyond MAX_CONNECTIONS wait for a connection rather than fail. One
        # immediate retry: a connection Redis dropped gets a fresh one, and an outage
        # answers within the timeouts rather than after a backoff.
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=COMMAND_TIMEOUT,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=COMMAND_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
        )
        self._client = aioredis.Redis(connection_pool=pool)
        self._script = self._client.register_script(SCRIPT)

    async def acquire(self, limits: Sequence[Limit]) -> Decision:
        return decide(limits, await self._run(limits, force=False))

    async def adjust(self, limits: Sequence[Limit]) -> None:
        await self._run(limits, force=True)

    async def close(self) -> None:
        await self._client.aclose(close_connection_pool=True)

    async def _run(self, limits: Sequence[Limit], *, force: bool) -> list[int]:
        keys = [self._prefix + limit.key for limit in limits]
        args: list[int] = [PERIOD_MS, int(force)]
        for limit in limits:
            args += (limit.limit, limit.cost)
        try:
            backlogs = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            raise CountersUnavailable(f"Redis: {exc}") from exc
        return [int(b) for b in backlogs]
