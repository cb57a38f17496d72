"""The gateway's running view of each user's spend this hour, and what their anomalies impose.

Per call it costs a dictionary lookup and one scoring (under a millisecond). It reads
the database when a user is first seen in an hour and then every `refresh` (30 s) while the
user is calling: their profile (refitting the model only when the profile's fit changed),
their open anomalies (restricted mode, throttle), and the hour's requests as written by
every replica. It writes when an anomaly is raised.

The hour's tally is counted here as calls start and end, so a burst is seen as it happens;
at each refresh the database's tally replaces it when it holds more requests (other
replicas' calls, once their batched rows are written). Several replicas therefore agree
within `refresh` plus the request log's flush interval.

`clock` is what "now" means for every decision: tests set it to replay a given hour.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agentshield.engines.anomaly import (
    Assessment,
    HourTally,
    Severity,
    SpendModel,
    SpendProfile,
    SpendRecord,
    hour_of,
)
from agentshield.store import anomalies
from agentshield.store.anomalies import OpenActions
from agentshield.store.db import Database
from agentshield.store.models import SpendAnomaly, utcnow
from agentshield.store.spend_hours import hour_tally

Clock = Callable[[], datetime]
UserKey = tuple[uuid.UUID, uuid.UUID]  # (tenant id, user id)
ORDER = list(Severity)
THROTTLE_FACTOR = 0.5


@dataclass(slots=True)
class Watched:
    """One user in the current hour, as this process sees them."""

    hour: datetime
    tally: HourTally
    profile: SpendProfile
    model: SpendModel
    actions: OpenActions
    checked_at: datetime

    def assess(self, pending: SpendRecord) -> Assessment:
        """The hour as it would be with `pending` in it."""
        hour = self.tally.copy()
        hour.add(pending)
        return self.model.assess(self.profile.habits.features(hour))

    def is_new(self, severity: Severity) -> bool:
        """Above every severity already recorded for this hour."""
        raised = [ORDER.index(Severity(s)) for s in self.actions.raised]
        return severity is not Severity.NONE and ORDER.index(severity) > max(raised, default=0)


class SpendWatch:
    def __init__(
        self, db: Database, clock: Clock = utcnow, refresh: timedelta = timedelta(seconds=30)
    ) -> None:
        self._db = db
        self.clock = clock
        self._refresh = refresh
        self._users: dict[UserKey, Watched] = {}
        self._loading: dict[UserKey, asyncio.Task[Watched]] = {}
        self._models: dict[UserKey, tuple[tuple[object, ...], SpendModel]] = {}
        self._hour: datetime | None = None  # the hour the entries are for

    async def watched(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Watched:
        """The user's current hour: from memory, or (re)loaded when new or due."""
        now = self.clock()
        key = (tenant_id, user_id)
        entry = self._users.get(key)
        if (
            entry is not None
            and entry.hour == hour_of(now)
            and now - entry.checked_at < self._refresh
        ):
            return entry
        task = self._loading.get(key)
        if task is None:  # concurrent calls of one user share one load
            task = asyncio.ensure_future(self._load(key, now, entry))
            self._loading[key] = task
            task.add_done_callback(lambda _: self._loading.pop(key, None))
        return await asyncio.shield(task)

    async def rate_factor(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> float:
        """What the user's rate limits are multiplied by: halved while throttled."""
        entry = await self.watched(tenant_id, user_id)
        return THROTTLE_FACTOR if entry.actions.throttled else 1.0

    async def raise_anomaly(
        self, tenant_id: uuid.UUID, user_id: uuid.UUID, entry: Watched, assessment: Assessment
    ) -> SpendAnomaly:
        """Record the anomaly (row and event) and apply what it imposes at once, here."""
        async with self._db.transaction() as session:
            row = await anomalies.raise_anomaly(
                session, tenant_id, user_id, assessment, self.clock()
            )
            entry.actions = await anomalies.open_actions(session, tenant_id, user_id, entry.hour)
        return row

    def forget(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Read the user's anomalies and profile afresh on their next call (an admin
        acknowledged an anomaly or retrained the model); the running hour is kept."""
        entry = self._users.get((tenant_id, user_id))
        if entry is not None:
            entry.checked_at = datetime.min.replace(tzinfo=UTC)

    async def _load(self, key: UserKey, now: datetime, entry: Watched | None) -> Watched:
        hour = hour_of(now)
        if self._hour is None or hour > self._hour:
            self._forget_before(hour)
        if entry is not None and entry.hour != hour:
            entry = None
        tenant_id, user_id = key
        async with self._db.read() as session:
            profile = await anomalies.load_profile(session, tenant_id, user_id) or SpendProfile()
            actions = await anomalies.open_actions(session, tenant_id, user_id, hour)
            stored = await hour_tally(session, tenant_id, user_id, hour)
        tally = stored if entry is None or stored.requests > entry.tally.requests else entry.tally
        model = await self._model(key, profile)
        fresh = Watched(hour, tally, profile, model, actions, now)
        self._users[key] = fresh
        return fresh

    async def _model(self, key: UserKey, profile: SpendProfile) -> SpendModel:
        """The fitted model, refitted (in a thread: a forest takes ~0.1 s) only when due."""
        cached = self._models.get(key)
        if cached is not None and cached[0] == profile.model_key():
            return cached[1]
        model = await asyncio.to_thread(SpendModel.fit, profile)
        self._models[key] = (profile.model_key(), model)
        return model

    def _forget_before(self, hour: datetime) -> None:
        """A new hour: the running tallies of the last one are done with, and the models of
        users idle through it (a fitted forest holds about a megabyte)."""
        self._hour = hour
        self._models = {k: m for k, m in self._models.items() if k in self._users}
        self._users = {k: w for k, w in self._users.items() if w.hour >= hour}
