"""A memo computes a verdict once per recent value, holds no value, and remembers nothing
when the hash salt is fixed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agentshield.engines.pii.memo import Memo, remembered


def _counting() -> tuple[Memo[int], list[str]]:
    seen: list[str] = []

    def compute(value: str) -> int:
        seen.append(value)
        return len(value)

    return remembered(compute, size=2), seen


def test_a_verdict_is_computed_once_per_recent_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    memo, seen = _counting()
    assert [memo("abc"), memo("abc"), memo("de"), memo("abc")] == [3, 3, 2, 3]
    assert seen == ["abc", "de"]
    assert set(memo.remembered) == {hash("abc"), hash("de")}  # keyed by hash: no value held
    memo("fgh")  # past the size: starts again
    memo("abc")
    assert seen == ["abc", "de", "fgh", "abc"]


def test_nothing_is_remembered_when_the_salt_is_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    memo, seen = _counting()
    memo("abc")
    memo("abc")
    assert seen == ["abc", "abc"]


def test_an_error_is_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    calls: list[str] = []

    def compute(value: str) -> int:
        calls.append(value)
        if len(calls) == 1:
            raise ValueError("first call fails")
        return 1

    memo = remembered(compute)
    with pytest.raises(ValueError, match="first call fails"):
        memo("abc")
    assert memo("abc") == 1 and memo("abc") == 1
    assert calls == ["abc", "abc"]
    with pytest.raises(TypeError):
        memo("abc", "de")  # one value


def test_threads_share_a_memo_that_keeps_starting_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # The gateway scans in threads; a small memo starts again every few values meanwhile.
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    memo = remembered(lambda value: len(value), size=8)  # Python: threads switch inside it
    values = [str(n) * (n % 7 + 1) for n in range(20_000)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [memo(v) for v in values], range(8)))
    assert results == [[len(v) for v in values]] * 8
    assert len(memo.remembered) <= 8
