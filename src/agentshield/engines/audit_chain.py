"""The audit log's hash chain: how an entry is sealed, and how a chain is checked.

Each entry's hash covers its content and the previous entry's hash, so editing, removing or
moving an entry breaks the chain where it happened. `verify_chain` names the entry and how:

- edited:    the entry's hash does not match its content;
- removed:   seq numbers skip, or an entry is chained to one that is no longer in the log;
- reordered: the entry's content is intact but it sits at another place than it was written
             (its content verifies under another seq, or it is chained after another entry).

Created-at order is not a signal: events may carry their own time, and several processes
append, so times along a legitimate chain need not increase.

Only a change that leaves every hash intact goes unseen, i.e. the rewriting of every entry
from the change to the head; anchoring the head hash elsewhere (`ChainReport.head_hash`)
closes that gap.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("tenant_id", "seq", "created_at", "actor", "event_type", "trace_id", "data")
ProblemKind = Literal["edited", "removed", "reordered"]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in an audit entry: use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} in an audit entry")


def canonical_json(obj: Any) -> bytes:
    """The one byte form of `obj` that is hashed.

    JSON (RFC 8259) encoded as UTF-8 with no insignificant whitespace (separators `,` and
    `:`), object keys sorted by code point, non-ASCII characters written as themselves (not
    `\\u` escapes), NaN and infinities refused. Datetimes must be timezone-aware and become
    UTC strings with six fractional digits and a `Z`: `2025-01-02T03:04:05.000006Z` (an
    offset such as +02:00 is converted first). UUIDs become lower-case hyphenated strings,
    tuples arrays. Anything else that is not JSON raises TypeError.
    """
    text = json.dumps(
        obj,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_json_default,
    )
    return text.encode("utf-8")


def to_json_value(data: Any) -> Any:
    """`data` as plain JSON values, as it will read back from the database after storing."""
    return json.loads(canonical_json(data))


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 hex of the canonical JSON of the hashed fields, followed by `prev_hash`."""
    content = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(content) + prev_hash.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainEntry:
    tenant_id: uuid.UUID
    seq: int
    created_at: datetime
    actor: str
    event_type: str
    trace_id: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str

    def fields(self, seq: int | None = None) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "seq": self.seq if seq is None else seq,
            "created_at": self.created_at,
            "actor": self.actor,
            "event_type": self.event_type,
            "trace_id": self.trace_id,
            "data": self.data,
        }

    def sealed_as(self, seq: int) -> bool:
        """True when the stored hash matches this content written at `seq`."""
        return entry_hash(self.fields(seq), self.prev_hash) == self.hash


def seal(
    *,
    tenant_id: uuid.UUID,
    seq: int,
    created_at: datetime,
    actor: str,
    event_type: str,
    trace_id: str | None,
    data: dict[str, Any],
    prev_hash: str,
) -> ChainEntry:
    """A new entry after `prev_hash`; `data` is normalised to what the database gives back."""
    if created_at.tzinfo is None:
        raise ValueError("naive datetime in an audit entry: use UTC-aware datetimes")
    fields = {
        "tenant_id": tenant_id,
        "seq": seq,
        "created_at": created_at.astimezone(UTC),
        "actor": actor,
        "event_type": event_type,
        "trace_id": trace_id,
        "data": to_json_value(data),
    }
    return ChainEntry(**fields, prev_hash=prev_hash, hash=entry_hash(fields, prev_hash))


@dataclass(frozen=True, slots=True)
class ChainProblem:
    seq: int
    kind: ProblemKind
    message: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    checked: int
    problems: list[ChainProblem] = field(default_factory=list)
    last_seq: int = 0
    head_hash: str = GENESIS_HASH


@dataclass(slots=True)
class _Waiting:
    entry: ChainEntry
    position: int
    content_ok: bool
    after_gap: bool
    resolved: bool = False


class ChainVerifier:
    """Checks a chain fed one entry at a time in ascending seq order, in bounded memory.

    Links are followed within `window` entries: an entry moved further than that from its
    place reads as edited (or its successor as chained to a removed entry), never as fine.
    """

    def __init__(self, window: int = 1000) -> None:
        self._window = window
        self._position = 0
        self._last_seq = 0
        self._head_hash = GENESIS_HASH
        self._written: OrderedDict[str, int] = OrderedDict()  # hash -> seq it was written at
        self._waiting: dict[str, list[_Waiting]] = {}  # a prev_hash not seen yet -> its entries
        self._queue: deque[_Waiting] = deque()  # the same entries, oldest first, for expiry
        self._problems: list[ChainProblem] = []
        self._edited: set[int] = set()

    def feed(self, entry: ChainEntry) -> None:
        if entry.seq <= self._last_seq:
            raise ValueError(f"seq {entry.seq} after {self._last_seq}: feed in ascending order")
        after_gap = entry.seq != self._last_seq + 1
        if after_gap:
            self._report_gap(entry.seq)
        self._position += 1
        self._last_seq, self._head_hash = entry.seq, entry.hash
        content_ok = entry.sealed_as(entry.seq)
        target = self._written_seq(entry.prev_hash)
        if target is None:
            # Its predecessor may come later (a moved entry) or never (a removed one).
            waiting = _Waiting(entry, self._position, content_ok, after_gap)
            self._waiting.setdefault(entry.prev_hash, []).append(waiting)
            self._queue.append(waiting)
            self._remember(entry.hash, entry.seq)
        else:
            self._judge(entry, content_ok, target, after_gap)
        self._expire(self._position - self._window)

    def report(self) -> ChainReport:
        self._expire(self._position + 1)
        problems = sorted(self._problems, key=lambda p: p.seq)
        return ChainReport(
            ok=not problems,
            checked=self._position,
            problems=problems,
            last_seq=self._last_seq,
            head_hash=self._head_hash,
        )

    def _written_seq(self, hash_: str) -> int | None:
        return 0 if hash_ == GENESIS_HASH else self._written.get(hash_)

    def _remember(self, hash_: str, seq: int) -> None:
        self._written[hash_] = seq
        self._written.move_to_end(hash_)
        if len(self._written) > self._window:
            self._written.popitem(last=False)
        for waiting in self._waiting.pop(hash_, []):
            waiting.resolved = True
            self._judge(waiting.entry, waiting.content_ok, seq, waiting.after_gap)

    def _judge(self, entry: ChainEntry, content_ok: bool, target: int, after_gap: bool) -> None:
        """`target` is the seq at which the entry this one is chained after was written."""
        seq = entry.seq
        if content_ok:
            if target != seq - 1 and not after_gap:
                message = f"seq {seq} was chained after seq {target}, not after seq {seq - 1}"
                self._add(seq, "reordered", message)
            self._remember(entry.hash, seq)
        elif target + 1 != seq and entry.sealed_as(target + 1):
            message = f"the entry stored as seq {seq} was written as seq {target + 1}"
            self._add(seq, "reordered", message)
            self._remember(entry.hash, target + 1)
        else:
            self._add_edited(seq)
            self._remember(entry.hash, seq)

    def _expire(self, before_position: int) -> None:
        """Settle entries whose predecessor did not show up within the window."""
        while self._queue and self._queue[0].position < before_position:
            waiting = self._queue.popleft()
            if waiting.resolved:
                continue
            self._waiting[waiting.entry.prev_hash].remove(waiting)
            if not self._waiting[waiting.entry.prev_hash]:
                del self._waiting[waiting.entry.prev_hash]
            seq = waiting.entry.seq
            if not waiting.content_ok:
                self._add_edited(seq)
            elif not waiting.after_gap and seq - 1 not in self._edited:
                # A gap or an edited predecessor already explains the broken link.
                message = (
                    f"seq {seq} is chained to an entry that is not in the log "
                    f"(seq {seq - 1} was rewritten or replaced)"
                )
                self._add(seq, "removed", message)

    def _report_gap(self, seq: int) -> None:
        first, last = self._last_seq + 1, seq - 1
        missing = f"seq {first} is" if first == last else f"seqs {first}-{last} are"
        if self._last_seq == 0:
            self._add(first, "removed", f"{missing} missing: the chain starts at seq {seq}")
        else:
            self._add(
                first,
                "removed",
                f"{missing} missing: seq {self._last_seq} is followed by seq {seq}",
            )

    def _add_edited(self, seq: int) -> None:
        self._edited.add(seq)
        self._add(seq, "edited", f"seq {seq} was edited: its hash does not match its content")

    def _add(self, seq: int, kind: ProblemKind, message: str) -> None:
        self._problems.append(ChainProblem(seq, kind, message))


def verify_chain(entries: Iterable[ChainEntry], window: int = 1000) -> ChainReport:
    """Check a whole chain (entries in any order; they are walked in seq order)."""
    verifier = ChainVerifier(window)
    for entry in sorted(entries, key=lambda e: e.seq):
        verifier.feed(entry)
    return verifier.report()
