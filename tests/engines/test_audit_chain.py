"""The hash chain: one canonical byte form, and a verifier that names what was changed."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from agentshield.engines.audit_chain import (
    GENESIS_HASH,
    ChainEntry,
    canonical_json,
    entry_hash,
    seal,
    verify_chain,
)

TENANT = uuid.UUID("01890a5d-ac96-774b-bcce-b302099a8057")
T0 = datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_canonical_json_exact_form() -> None:
    value = {
        "b": 1,
        "a": [1.5, "é", None, True],
        "t": datetime(2025, 1, 2, 4, 4, 5, 6, tzinfo=timezone(timedelta(hours=1))),
        "u": TENANT,
        "k": ("x",),
    }
    assert (
        canonical_json(value)
        == (
            '{"a":[1.5,"é",null,true],"b":1,"k":["x"],'
            '"t":"2025-01-02T03:04:05.000006Z","u":"01890a5d-ac96-774b-bcce-b302099a8057"}'
        ).encode()
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (datetime(2025, 1, 1), ValueError),  # naive: which zone?
        (math.nan, ValueError),
        (b"bytes", TypeError),
    ],
)
def test_canonical_json_refuses_ambiguous_values(value: object, error: type) -> None:
    with pytest.raises(error):
        canonical_json({"v": value})


def fields(**changes: object) -> dict[str, object]:
    base = {
        "tenant_id": TENANT,
        "seq": 1,
        "created_at": T0,
        "actor": "key:ask_live_ab12",
        "event_type": "gateway.request",
        "trace_id": "t-1",
        "data": {"decision": "allow"},
    }
    return base | changes


def test_entry_hash_is_sha256_of_canonical_fields_then_prev_hash() -> None:
    expected = hashlib.sha256(canonical_json(fields()) + GENESIS_HASH.encode()).hexdigest()
    assert entry_hash(fields(), GENESIS_HASH) == expected
    assert entry_hash(fields() | {"not_hashed": 1}, GENESIS_HASH) == expected


@pytest.mark.parametrize(
    "change",
    [
        {"tenant_id": uuid.UUID(int=1)},
        {"seq": 2},
        {"created_at": T0 + timedelta(microseconds=1)},
        {"actor": "someone else"},
        {"event_type": "other"},
        {"trace_id": None},
        {"data": {"decision": "block"}},
    ],
)
def test_every_field_is_covered_by_the_hash(change: dict[str, object]) -> None:
    assert entry_hash(fields(**change), GENESIS_HASH) != entry_hash(fields(), GENESIS_HASH)


def test_the_previous_hash_is_covered() -> None:
    assert entry_hash(fields(), GENESIS_HASH) != entry_hash(fields(), "1" * 64)


def make_chain(n: int) -> list[ChainEntry]:
    entries: list[ChainEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        entry = seal(
            tenant_id=TENANT,
            seq=seq,
            created_at=T0 + timedelta(seconds=seq),
            actor="key:ask_live_ab12",
            event_type="gateway.request",
            trace_id=f"t-{seq}",
            data={"seq": seq, "at": T0},
            prev_hash=prev,
        )
        entries.append(entry)
        prev = entry.hash
    return entries


def test_sealed_data_is_stored_as_plain_json() -> None:
    [entry] = make_chain(1)
    assert entry.data == {"seq": 1, "at": "2025-01-02T03:04:05.000006Z"}
    assert entry.sealed_as(1)


def test_an_intact_chain_verifies_in_any_input_order() -> None:
    chain = make_chain(5)
    report = verify_chain(reversed(chain))
    assert (report.ok, report.checked, report.problems) == (True, 5, [])
    assert (report.last_seq, report.head_hash) == (5, chain[-1].hash)
    assert verify_chain([]).ok


Tamper = Callable[[list[ChainEntry]], list[ChainEntry]]


def edit(seq: int, **changes: object) -> Tamper:
    return lambda c: [dataclasses.replace(e, **changes) if e.seq == seq else e for e in c]


def remove(*seqs: int) -> Tamper:
    return lambda c: [e for e in c if e.seq not in seqs]


def swap(a: int, b: int) -> Tamper:
    moved = {a: b, b: a}
    return lambda c: [dataclasses.replace(e, seq=moved.get(e.seq, e.seq)) for e in c]


def reseal(seq: int) -> Tamper:
    """Edit an entry and recompute its own hash, as an attacker covering tracks would."""

    def tamper(chain: list[ChainEntry]) -> list[ChainEntry]:
        e = chain[seq - 1]
        data = {"seq": seq, "at": "forged"}
        forged = dataclasses.replace(
            e, data=data, hash=entry_hash(e.fields() | {"data": data}, e.prev_hash)
        )
        return [forged if x.seq == seq else x for x in chain]

    return tamper


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (edit(3, data={"seq": 3, "at": "x"}), [(3, "edited")]),
        (edit(3, actor="admin"), [(3, "edited")]),
        (edit(3, created_at=T0), [(3, "edited")]),
        (edit(3, prev_hash="1" * 64), [(3, "edited")]),
        (edit(3, hash="1" * 64), [(3, "edited")]),
        (remove(3), [(3, "removed")]),
        (remove(3, 4), [(3, "removed")]),
        (remove(1), [(1, "removed")]),
        (swap(3, 4), [(3, "reordered"), (4, "reordered")]),
        (swap(2, 7), [(2, "reordered"), (7, "reordered")]),
        (swap(1, 8), [(1, "reordered"), (8, "reordered")]),
        (reseal(4), [(5, "removed")]),
    ],
    ids=[
        "edited-data",
        "edited-actor",
        "edited-time",
        "edited-link",
        "edited-hash",
        "removed-one",
        "removed-two",
        "removed-first",
        "swapped-adjacent",
        "swapped-apart",
        "swapped-ends",
        "resealed",
    ],
)
def test_verify_names_the_tampered_entry(tamper: Tamper, expected: list[tuple[int, str]]) -> None:
    report = verify_chain(tamper(make_chain(8)))
    assert not report.ok
    assert [(p.seq, p.kind) for p in report.problems] == expected
    assert all(re.search(rf"\bseqs? {p.seq}\b", p.message) for p in report.problems)


def test_removed_range_is_named_in_the_message() -> None:
    [problem] = verify_chain(remove(3, 4)(make_chain(6))).problems
    assert problem.message == "seqs 3-4 are missing: seq 2 is followed by seq 5"


def test_an_entry_moved_beyond_the_window_is_still_reported() -> None:
    report = verify_chain(swap(2, 9)(make_chain(10)), window=3)
    assert not report.ok
    assert {p.seq for p in report.problems} >= {2, 9}


def test_entries_must_be_unique_by_seq() -> None:
    chain = make_chain(2)
    with pytest.raises(ValueError, match="ascending"):
        verify_chain([chain[0], chain[0], chain[1]])
