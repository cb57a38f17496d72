"""The rule table shared by the cleaner and the pattern detector.

A rule names the risk factor it is evidence of and how much text the cleaner removes:
`span` the match alone, `clause` the match and the rest of its sentence (the instruction
that follows "ignore previous instructions" is the payload), `block` the match and the rest
of its line (a fake `### System:` header owns its line).

Every word rule is anchored on word boundaries and asks for its context: "DAN" is upper case
and stands alone (never inside "dance" or "Dan Brown"), "ignore" needs something that was
given before ("previous instructions"), a request for the system prompt needs a verb of
disclosure and "your" or "the hidden/initial" (so "what is a system prompt?" and
`print(system_prompt)` stay clean).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

Scope = Literal["span", "clause", "block"]

INSTRUCTION_OVERRIDE = "instruction_override"
SYSTEM_PROMPT_EXTRACTION = "system_prompt_extraction"
ROLE_HIJACK = "role_hijack"
JAILBREAK_PERSONA = "jailbreak_persona"
DELIMITER_INJECTION = "delimiter_injection"
ENCODING_OBFUSCATION = "encoding_obfuscation"
HIDDEN_MARKUP = "hidden_markup"
DATA_EXFILTRATION = "data_exfiltration"
TOOL_ABUSE = "tool_abuse"

RISK_FACTORS = (
    INSTRUCTION_OVERRIDE,
    SYSTEM_PROMPT_EXTRACTION,
    ROLE_HIJACK,
    JAILBREAK_PERSONA,
    DELIMITER_INJECTION,
    ENCODING_OBFUSCATION,
    HIDDEN_MARKUP,
    DATA_EXFILTRATION,
    TOOL_ABUSE,
)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    factor: str
    pattern: re.Pattern[str]
    scope: Scope
    explanation: str


_I = re.IGNORECASE
_PRIOR = (
    r"(?:all\s+|any\s+|the\s+|your\s+|my\s+|of\s+)*(?:previous|prior|above|earlier|preceding|"
    r"foregoing|original|initial|former|existing|system|safety)"
)
_DIRECTIVES = (
    r"(?:instructions?|prompts?|rules?|guidelines?|directives?|commands?|context|programming|"
    r"constraints?|restrictions?|guardrails?|polic(?:y|ies))"
)
_DISCLOSE = (
    r"(?:reveal|show|print|output|display|repeat|leak|dump|expose|disclose|tell\s+me|give\s+me|"
    r"share|recite|write\s+out|spell\s+out|paste)"
)
_SECRET_PROMPT = (
    r"(?:your|the)\s+(?:(?:full|entire|exact|original|initial|hidden|secret|internal|system|"
    r"developer|confidential|complete|verbatim)\s+)+(?:prompt|instructions?|message|rules|"
    r"guidelines|configuration)|your\s+(?:prompt|instructions|rules|guidelines)"
)


def _rule(name: str, factor: str, pattern: str, scope: Scope, why: str, flags: int = _I) -> Rule:
    return Rule(name, factor, re.compile(pattern, flags), scope, why)


RULES: tuple[Rule, ...] = (
    # instruction overrides
    _rule(
        "ignore_prior",
        INSTRUCTION_OVERRIDE,
        rf"\b(?:ignore|disregard|forget|override|overrule|bypass|skip|drop|abandon|discard|"
        rf"neglect|dismiss|cancel)\s+(?:about\s+)?(?:everything\s+|anything\s+|all\s+)?{_PRIOR}"
        rf"(?:\s+\w+)?\s+{_DIRECTIVES}\b",
        "clause",
        "asks to discard the instructions given before it",
    ),
    _rule(
        "ignore_everything",
        INSTRUCTION_OVERRIDE,
        r"\b(?:ignore|disregard|forget)\s+(?:everything|all(?:\s+of\s+that)?|what)\s+"
        r"(?:(?:you\s+(?:were|have\s+been)\s+told|(?:was\s+)?said|written|stated)\s*)?"
        r"(?:above|before|previously|earlier|so\s+far|until\s+now)\b",
        "clause",
        "asks to discard everything said before it",
    ),
    _rule(
        "new_instructions",
        INSTRUCTION_OVERRIDE,
        r"\b(?:new|updated|revised|real|actual|true|override|secret)\s+"
        r"(?:instructions?|task|directives?|orders|system\s+prompt)\s*[:\-]",
        "clause",
        "announces replacement instructions",
    ),
    _rule(
        "do_not_follow",
        INSTRUCTION_OVERRIDE,
        rf"\b(?:do\s+not|don'?t|stop|no\s+longer)\s+(?:follow|obey|adhere\s+to|comply\s+with)\s+"
        rf"{_PRIOR}(?:\s+\w+)?\s+{_DIRECTIVES}\b",
        "clause",
        "tells the model to stop following its instructions",
    ),
    # system-prompt extraction
    _rule(
        "disclose_prompt",
        SYSTEM_PROMPT_EXTRACTION,
        rf"\b{_DISCLOSE}\s+(?:me\s+|us\s+)?(?:back\s+)?(?:all\s+(?:of\s+)?)?(?:{_SECRET_PROMPT})\b",
        "clause",
        "asks for the hidden prompt or instructions",
    ),
    _rule(
        "what_are_your_instructions",
        SYSTEM_PROMPT_EXTRACTION,
        r"\bwhat\s+(?:are|were|is)\s+(?:your|the)\s+(?:(?:system|initial|original|hidden|"
        r"exact)\s+)*(?:instructions|system\s+prompt|rules\s+you\s+were\s+given)\b",
        "clause",
        "asks what the model was instructed",
    ),
    _rule(
        "text_above",
        SYSTEM_PROMPT_EXTRACTION,
        rf"\b{_DISCLOSE}\s+(?:all\s+|everything\s+|the\s+(?:text|words|content)\s+)"
        r"(?:above|before\s+this|that\s+came\s+before)\b",
        "clause",
        "asks to repeat the text that precedes the user's",
    ),
    # role and persona changes
    _rule(
        "you_are_now",
        ROLE_HIJACK,
        r"\b(?:you\s+are\s+now|you'?re\s+now|you\s+are\s+no\s+longer|from\s+now\s+on,?\s+you"
        r"(?:\s+are|\s+will|\s+must|'re|'ll)?|henceforth,?\s+you)\b",
        "clause",
        "reassigns the model's role",
    ),
    _rule(
        "pretend",
        ROLE_HIJACK,
        r"\b(?:pretend|imagine)\s+(?:to\s+be|you\s+are|that\s+you\s+are|you'?re)\b|"
        r"\b(?:roleplay|role-play)\s+as\b|\byour\s+new\s+(?:role|persona|identity|name)\s+is\b",
        "clause",
        "asks the model to take another persona",
    ),
    _rule(
        "act_unrestricted",
        ROLE_HIJACK,
        r"\bact\s+as\s+(?:if\s+you\s+(?:are|were|have)\s+|an?\s+|the\s+)?"
        r"(?:no\s+|an?\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|"
        r"amoral|unethical|restrictions|limits|rules|filters)\b",
        "clause",
        "asks the model to act without its limits",
    ),
    # jailbreak personas
    _rule(
        "dan",
        JAILBREAK_PERSONA,
        r"\bDAN\b(?!\s+(?:Brown|Smith|Jones|Patrick)\b)|\bdo\s+anything\s+now\b",
        "clause",
        "names the DAN jailbreak (upper-case, as a word)",
        flags=0,
    ),
    _rule(
        "jailbreak_words",
        JAILBREAK_PERSONA,
        r"\b(?:developer|god|jailbreak|unrestricted|unfiltered|evil)\s+mode\b|"
        r"\b(?:you\s+(?:are|have\s+been)\s+|now\s+|stay\s+)jailbroken\b|"
        r"\b(?:STAN|DUDE|AIM|UCAR|BetterDAN|AntiGPT)\b(?=[\s,.:!])(?=.*\b(?:chatgpt|ai|model|"
        r"persona|character|respond|answer)\b)",
        "clause",
        "names a known jailbreak or an unlocked mode",
    ),
    _rule(
        "no_limits",
        JAILBREAK_PERSONA,
        r"\b(?:without|free\s+(?:of|from)|no|ignore\s+(?:all\s+)?(?:your\s+)?)\s+(?:any\s+)?"
        r"(?:ethical|moral|safety|content)?\s*(?:restrictions|limitations|filters|censorship|"
        r"guidelines|boundaries|rules)\b(?=[^.?!\n]{0,80}\b(?:you|answer|respond|reply|AI|"
        r"assistant)\b)",
        "clause",
        "asks the model to drop its safety limits",
    ),
    # chat-template and delimiter tokens
    _rule(
        "template_tokens",
        DELIMITER_INJECTION,
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|"
        r"end_header_id|begin_of_text)\|>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>",
        "span",
        "contains a model's chat-template token",
        flags=0,
    ),
    _rule(
        "fake_system_turn",
        DELIMITER_INJECTION,
        r"(?:<\|im_start\|>\s*system|<\|system\|>|<<SYS>>|\[INST\]).*?(?:<\|im_end\|>|"
        r"<\|(?:user|assistant)\|>|<</SYS>>|\[/INST\]|$)",
        "span",
        "carries a whole fake system turn",
        flags=re.DOTALL,
    ),
    _rule(
        "role_tags",
        DELIMITER_INJECTION,
        r"</?(?:system|assistant|instructions?|sys)>|^\s*#{2,}\s*(?:system|instruction|"
        r"assistant)s?\s*:?|^\s*(?:system|SYSTEM)\s*(?:prompt)?\s*:|\bEND\s+OF\s+(?:SYSTEM\s+)?"
        r"(?:PROMPT|INSTRUCTIONS|CONTEXT)\b|={3,}\s*(?:system|new\s+instructions)",
        "block",
        "fakes a system or turn boundary",
        flags=re.IGNORECASE | re.MULTILINE,
    ),
    # hidden HTML and markdown
    _rule(
        "html_comment",
        HIDDEN_MARKUP,
        r"<!--.*?(?:-->|$)",
        "span",
        "hides text in an HTML comment",
        flags=re.DOTALL,
    ),
    _rule(
        "hidden_element",
        HIDDEN_MARKUP,
        r"<(\w+)[^>]*style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|"
        r"font-size\s*:\s*0|opacity\s*:\s*0(?:\.0+)?\b|color\s*:\s*(?:white|#fff(?:fff)?)\b)"
        r"[^\"']*[\"'][^>]*>.*?(?:</\1>|$)",
        "span",
        "hides text in an invisible HTML element",
        flags=re.IGNORECASE | re.DOTALL,
    ),
    _rule(
        "markdown_comment",
        HIDDEN_MARKUP,
        r"^\s*\[//\]:\s*#\s*.*$",
        "span",
        "hides text in a markdown comment",
        flags=re.MULTILINE,
    ),
    # encodings
    _rule(
        "invisible_chars",
        ENCODING_OBFUSCATION,
        "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\U000e0000-\U000e007f]+",
        "span",
        "contains invisible or tag characters",
        flags=0,
    ),
    _rule(
        "decode_request",
        ENCODING_OBFUSCATION,
        r"\b(?:decode|decrypt|translate|convert)\s+(?:this|the\s+following|it|that)\s+"
        r"(?:from\s+)?(?:base64|base\s*64|rot-?13|hex|binary|morse|caesar)\b|"
        r"\b(?:base64|rot-?13|hex)[\s-]+(?:encoded|decoded?)\s+(?:instructions?|payload|"
        r"command|message|prompt)\b",
        "clause",
        "asks to decode an encoded instruction",
    ),
    _rule(
        "base64_blob",
        ENCODING_OBFUSCATION,
        r"(?<![\w/+=])(?=[A-Za-z0-9+/]*[0-9+/])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])"
        r"[A-Za-z0-9+/]{24,}={0,2}(?![\w/+=])",
        "span",
        "contains a base64 blob",
        flags=0,
    ),
    # data exfiltration
    _rule(
        "send_data",
        DATA_EXFILTRATION,
        r"\b(?:send|forward|email|post|upload|transmit|leak|exfiltrate|copy)\s+(?:all\s+|every\s+)?"
        r"(?:the\s+|your\s+|my\s+|this\s+|of\s+the\s+|their\s+)?(?:user'?s?\s+|customer\s+)?"
        r"(?:data|conversation|chat\s+history|history|credentials|passwords?|api\s+keys?|"
        r"secrets?|tokens?|emails?|messages|contacts|files|documents|personal\s+information)\s+"
        r"(?:\w+\s+){0,3}to\s+(?:https?://|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w+\.\w+|me\b|"
        r"this\s+(?:address|url))",
        "clause",
        "asks to send data to an outside address",
    ),
    _rule(
        "markdown_beacon",
        DATA_EXFILTRATION,
        r"!\[[^\]]*\]\(\s*https?://[^)\s]*\?[^)\s]*(?:\{|%7B|data|q|secret|token|key|conv|"
        r"history)[^)\s]*\)",
        "span",
        "a markdown image whose URL carries data out",
    ),
    # tool abuse
    _rule(
        "destructive_command",
        TOOL_ABUSE,
        r"\brm\s+-(?:rf|fr)\s+[/~*]|\b(?:curl|wget)\s+[^|\n]+\|\s*(?:ba|z)?sh\b|"
        r"\bdrop\s+(?:table|database)\s+\w+|:\(\)\s*\{\s*:\|:&\s*\};:|\bmkfs\.\w+\s+/dev/|"
        r"\bchmod\s+(?:-R\s+)?777\s+/",
        "block",
        "carries a destructive shell or SQL command",
    ),
    _rule(
        "unsanctioned_action",
        TOOL_ABUSE,
        r"\b(?:call|invoke|use|run|trigger)\s+the\s+[\w.-]+\s+(?:tool|function|plugin|api)\s+"
        r"(?:to|and)\s+(?:delete|transfer|send|wire|purchase|grant|disable|wipe)\b|"
        r"\b(?:transfer|wire)\s+(?:all\s+)?(?:the\s+)?(?:funds|money|\$\s?\d[\d,]*)\s+to\b|"
        r"\bdelete\s+all\s+(?:the\s+)?(?:user\s+)?(?:files|emails|records|data|accounts|repos)\b",
        "clause",
        "asks a tool to take a harmful action",
    ),
)


def ruleset_digest(rules: tuple[Rule, ...] = RULES) -> str:
    """Changes whenever any rule's pattern, flags or scope changes."""
    text = "\n".join(
        f"{r.name}\t{r.factor}\t{r.scope}\t{r.pattern.flags}\t{r.pattern.pattern}" for r in rules
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]
