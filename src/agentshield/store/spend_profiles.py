"""The hourly profile job: each finished hour of each active user folded into their profile.

`fold_hours(db, now)` folds, for every user with requests in the window, every finished
hour (before the start of `now`'s hour) that their profile has not seen (`through`), and
saves the profile. `SpendProfile.with_tally` refits the IsolationForest once a user has 10
hours, then every 24 new hours or when the fit is a week old. A user first seen is learnt
from up to CATCH_UP of past requests.

`ProfileJob` runs it a minute after each hour (so the batched `requests` rows of the hour's
last calls are written), started by the app when the `anomaly` guard is on. Every replica
may run it: a profile already folded through the hour is skipped, and folding is
deterministic, so two replicas write the same profile.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.engines.anomaly import SpendProfile, hour_of, tallies
from agentshield.store.anomalies import load_profile, save_profile
from agentshield.store.db import Database
from agentshield.store.errors import StoreError
from agentshield.store.models import User, utcnow
from agentshield.store.scoped import get_owned
from agentshield.store.spend_hours import active_users, spend_records

log = logging.getLogger("agentshield.store")

CATCH_UP = timedelta(days=14)
AFTER_THE_HOUR = timedelta(minutes=1)


async def fold_user(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> SpendProfile:
    """The user's profile with every finished hour before `now`'s folded in, saved."""
    await get_owned(session, User, tenant_id, user_id)
    end = hour_of(now)
    profile = await load_profile(session, tenant_id, user_id) or SpendProfile()
    start = max(profile.through or end - CATCH_UP, end - CATCH_UP)
    if start >= end:
        return profile
    for tally in tallies(await spend_records(session, tenant_id, user_id, start, end)):
        profile = profile.with_tally(tally, now)
    profile = profile.folded_through(end)
    await save_profile(session, tenant_id, user_id, profile)
    return profile


async def fold_hours(db: Database, now: datetime, since: datetime | None = None) -> int:
    """Fold finished hours for users active since `since` (default CATCH_UP ago).

    Returns how many users were visited. One transaction per user: one user's failure
    (deleted meanwhile, say) does not hold back the others.
    """
    end = hour_of(now)
    async with db.read() as session:
        users = await active_users(session, since or end - CATCH_UP, end)
    for tenant_id, user_id in users:
        try:
            async with db.transaction() as session:
                await fold_user(session, tenant_id, user_id, now)
        except StoreError as exc:
            log.warning("spend profile of user %s not updated: %s", user_id, exc)
    return len(users)


async def retrain(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> SpendProfile:
    """Fold the user's finished hours, then refit on every sample held (on demand)."""
    profile = (await fold_user(session, tenant_id, user_id, now)).retrained()
    await save_profile(session, tenant_id, user_id, profile)
    return profile


class ProfileJob:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        since: datetime | None = None  # the first run catches up on CATCH_UP
        while True:
            now = self._clock()
            try:
                await fold_hours(self._db, now, since)
                since = hour_of(now)
            except SQLAlchemyError as exc:  # the next hour tries again, from the same point
                log.error("spend profiles not updated: %s", type(exc).__name__)
            wake = hour_of(now) + timedelta(hours=1) + AFTER_THE_HOUR
            await asyncio.sleep(max((wake - self._clock()).total_seconds(), 1.0))
