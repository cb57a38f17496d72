"""Layer 5: custom rules are checked when saved, merged by scope and run under RE2."""

from __future__ import annotations

import pytest
import re2

from agentshield.engines.pii import (
    CustomRule,
    InvalidRule,
    PiiScanner,
    RuleSet,
    check_rule,
    merge_rules,
    try_pattern,
)
from agentshield.engines.pii._finder import error as finder_error

EMPLOYEE = CustomRule(
    name="employee id",
    pattern=r"\bEMP-\d{6}\b",
    entity_type="EMPLOYEE_ID",
    examples=("badge EMP-123456",),
    counter_examples=("EMP-12345",),
)


def test_a_good_rule_passes_its_check() -> None:
    check_rule(EMPLOYEE)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"(\w+)\1", "does not compile under RE2"),  # backreference
        (r"(?=secret)\w+", "does not compile under RE2"),  # look-ahead
        (r"\d*", "matches the empty string"),
        (r"a|", "matches the empty string"),
        (r"\b", "matches the empty string"),
        (r"((((a{100}){100}){100}){100})", "does not compile under RE2"),  # too big
        ("x" * 1001, "longer than 1000"),
        (r"EMP-\d{7}", "does not match its example"),
        (r"EMP-\d{5,6}", "matches its counter-example"),
    ],
)
def test_bad_patterns_are_refused_when_saved(pattern: str, problem: str) -> None:
    rule = CustomRule(
        name="r", pattern=pattern, examples=("badge EMP-123456",), counter_examples=("EMP-12345",)
    )
    with pytest.raises(InvalidRule) as refused:
        check_rule(rule)
    assert any(problem in p for p in refused.value.problems)


def test_bad_fields_are_refused() -> None:
    with pytest.raises(InvalidRule) as refused:
        check_rule(CustomRule(name=" ", pattern="abc", entity_type="lower", score=2.0))
    assert len(refused.value.problems) == 3


def test_catastrophic_backtracking_patterns_run_in_linear_time(scanner: PiiScanner) -> None:
    # (a+)+b hangs a backtracking engine on a long run of "a"; RE2 does not backtrack.
    rules = RuleSet([CustomRule(name="evil", pattern=r"(a+)+b", examples=("aaab",))])
    result = scanner.scan("a" * 200_000 + "!", rules=rules)
    assert result.findings == ()


def test_try_pattern_reports_spans_for_each_example() -> None:
    tested = try_pattern(r"\d{3}", ["a 123 b 456"], ["none"])
    assert tested.ok
    assert tested.matches == {"a 123 b 456": [(2, 5), (8, 11)], "none": []}


def test_user_overrides_department_overrides_tenant() -> None:
    tenant = [
        CustomRule(name="project", pattern=r"PRJ-\d{4}", scope="tenant"),
        CustomRule(name="ticket", pattern=r"TCK-\d{4}", scope="tenant"),
        CustomRule(name="badge", pattern=r"BDG-\d{4}", scope="tenant"),
    ]
    department = [CustomRule(name="project", pattern=r"PRJ-[A-Z]{2}\d{4}", scope="department")]
    user = [
        CustomRule(name="project", pattern=r"PRJ-X\d{4}", scope="user"),
        CustomRule(name="badge", pattern=r"BDG-\d{4}", scope="user", enabled=False),
    ]
    merged = merge_rules(tenant=tenant, department=department, user=user)
    assert {rule.name: rule.pattern for rule in merged} == {
        "ticket": r"TCK-\d{4}",
        "project": r"PRJ-X\d{4}",
    }


def test_rule_sets_refuse_invalid_rules() -> None:
    with pytest.raises(InvalidRule):
        RuleSet([CustomRule(name="bad", pattern=r"(\w+)\1")])


def test_a_rule_the_scans_re2_refuses_is_refused_when_saved() -> None:
    # The binding may be a newer RE2 than the one scans run on (Debian's, for native/):
    # `(?<name>...)` is newer syntax. Saved, such a rule would stop every scan of its tenant.
    pattern = r"\bEMP-(?<digits>\d{6})\b"
    if finder_error(pattern, 1 << 20) is None:
        pytest.skip("both RE2 builds accept (?<name>...)")
    assert re2.compile(pattern).search("EMP-123456")  # the binding alone would take it
    with pytest.raises(InvalidRule) as refused:
        check_rule(CustomRule(name="new syntax", pattern=pattern, examples=("EMP-123456",)))
    assert "does not compile under RE2" in refused.value.problems[0]


def test_custom_findings_are_reported_and_redacted(scanner: PiiScanner) -> None:
    rules = RuleSet([EMPLOYEE])
    result = scanner.scan("ask EMP-123456 or EMP-12345", rules=rules)
    assert [(f.entity_type, f.layer) for f in result.findings] == [("EMPLOYEE_ID", "custom")]
    assert result.redacted_text == "ask <EMPLOYEE_ID> or EMP-12345"


def test_custom_rules_see_through_evasions(scanner: PiiScanner) -> None:
    rules = RuleSet([EMPLOYEE])
    (finding,) = scanner.scan("id RU1QLTEyMzQ1Ng==", rules=rules).findings
    assert (finding.entity_type, finding.evasion) == ("EMPLOYEE_ID", "base64")
