"""`POST /v1/pii/patterns/generate`: a regex to offer the user, never saved by itself.

From examples (and optional negative examples) the engine's `generate_pattern` builds one.
From a plain-language description, the model named by `pii_generator_model` is asked,
through the app's upstream router, for an RE2 regex; its answer is checked like any
pattern (compiles, matches the examples and none of the negatives, not the empty string)
and returned with that check, for the user to fix or save.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from pydantic import Field, model_validator
from starlette.requests import Request

from agentshield.api.deps import AdminCaller, DbSession
from agentshield.api.problems import BadGateway, Unprocessable
from agentshield.api.schemas import Body
from agentshield.api.trail import record_action
from agentshield.engines.pii import InvalidRule, generate_pattern, try_pattern

log = logging.getLogger("agentshield.api")
Examples = Annotated[list[str], Field(max_length=100)]
INSTRUCTIONS = (
    "You write one regular expression in RE2 syntax (no look-arounds, no backreferences) "
    "that finds the kind of value the user describes inside longer text. Answer with the "
    "regular expression only, between backticks."
)
_QUOTED = re.compile(r"```(?:[a-z]*\n)?(.+?)```|`([^`\n]+)`", re.S)


class GenerateIn(Body):
    examples: Examples = []
    negative_examples: Examples = []
    description: Annotated[str | None, Field(max_length=2000)] = None

    @model_validator(mode="after")
    def _something(self) -> GenerateIn:
        if not self.examples and not self.description:
            raise ValueError("give positive 'examples', or a 'description'")
        return self


async def generate(
    body: GenerateIn, caller: AdminCaller, session: DbSession, request: Request
) -> dict[str, Any]:
    if body.description:
        return await _from_description(body, caller, session, request)
    try:
        made = generate_pattern(body.examples, body.negative_examples)
    except InvalidRule as exc:
        raise Unprocessable("; ".join(exc.problems), exc.problems) from exc
    return {
        "source": "examples",
        "pattern": made.pattern,
        "confidence": made.confidence,
        "should_match": list(made.should_match),
        "should_not_match": list(made.should_not_match),
        "explanation": made.explanation,
    }


async def _from_description(
    body: GenerateIn, caller: AdminCaller, session: DbSession, request: Request
) -> dict[str, Any]:
    model = request.app.state.settings.pii_generator_model
    if not model:
        raise Unprocessable(
            "generating a pattern from a description needs a model: set pii_generator_model "
            "(AGENTSHIELD_PII_GENERATOR_MODEL) to a model a configured provider serves, or "
            "give examples instead"
        )
    target = request.app.state.router.resolve(model)
    prompt = body.description or ""
    if body.examples:
        prompt += "\nIt must match: " + "; ".join(body.examples)
    if body.negative_examples:
        prompt += "\nIt must not match: " + "; ".join(body.negative_examples)
    call = {
        "model": target.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": INSTRUCTIONS},
            {"role": "user", "content": prompt},
        ],
    }
    try:
        answer = await target.client.chat(call)
    except Exception as exc:  # the upstream clients' errors, whose types live in the gateway
        log.warning("pii_generator_model %r failed: %s", model, exc)
        raise BadGateway(f"the pattern generator model {model!r} failed: {exc}") from exc
    pattern = _pattern_in(answer)
    tried = try_pattern(pattern, body.examples, body.negative_examples)
    problems = list(tried.problems) if pattern else ["the model's answer holds no pattern"]
    await record_action(session, caller, "pii.pattern.generated", model=model, ok=not problems)
    return {
        "source": "description",
        "model": model,
        "pattern": pattern,
        "validation": {"ok": not problems, "problems": problems},
    }


def _pattern_in(answer: dict[str, Any]) -> str:
    """The regex in a chat answer: quoted in backticks, else the first non-empty line."""
    choices = answer.get("choices") or [{}]
    content = (choices[0].get("message") or {}).get("content") or ""
    quoted = _QUOTED.search(content)
    if quoted:
        return (quoted.group(1) or quoted.group(2)).strip()
    return next((line.strip() for line in content.splitlines() if line.strip()), "")
