"""Pattern generation from examples: matches the positives, rejects the negatives."""

from __future__ import annotations

import pytest
import re2

from agentshield.engines.pii import InvalidRule, generate_pattern


def test_shared_letters_are_kept_and_runs_become_classes() -> None:
    generated = generate_pattern(["EMP-123456", "EMP-987654", "EMP-555000"])
    assert generated.pattern == r"\bEMP\-\d{6}\b"
    assert generated.confidence == pytest.approx(0.79)
    assert "EMP-012345" in generated.should_match


@pytest.mark.parametrize(
    ("positives", "negatives"),
    [
        (["AB-1234", "XY-98765"], ["AB-12", "ab-1234"]),
        (["user_42", "admin_7"], ["user-42"]),
        (["INV/2024/0001", "INV/2025/1234"], ["INV/2024/01"]),
        (["12-AB", "ZZ-9876-Q"], []),  # two shapes: an alternation
        (["(415) 555-0132"], []),
    ],
)
def test_generated_patterns_match_positives_and_reject_negatives(
    positives: list[str], negatives: list[str]
) -> None:
    generated = generate_pattern(positives, negatives)
    compiled = re2.compile(generated.pattern)
    assert all(compiled.search(p) for p in positives)
    assert not any(compiled.search(n) for n in negatives)
    assert all(compiled.fullmatch(s) for s in generated.should_match)
    assert not any(compiled.search(s) for s in generated.should_not_match)
    assert generated.should_not_match
    assert 0 < generated.confidence < 1


def test_negatives_make_the_pattern_more_specific_and_more_confident() -> None:
    loose = generate_pattern(["ab-1234", "cd-5678"])
    strict = generate_pattern(["ab-1234", "cd-5678"], ["AB-1234"])
    assert re2.search(loose.pattern, "AB-1234")
    assert not re2.search(strict.pattern, "AB-1234")
    assert strict.confidence > loose.confidence


def test_impossible_separation_is_refused() -> None:
    with pytest.raises(InvalidRule):
        generate_pattern(["abc"], ["abc"])


def test_no_positive_is_refused() -> None:
    with pytest.raises(InvalidRule):
        generate_pattern(["", ""])
