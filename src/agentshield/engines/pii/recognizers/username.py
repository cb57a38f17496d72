"""USERNAME: a handle introduced as one (`user: jdoe`, `login jdoe`, `usuario = jdoe`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentshield.engines.pii.leet import leet_alternation
from agentshield.engines.pii.lexicon import words
from agentshield.engines.pii.recognizer import Pattern, Recognizer, describes_argument
from agentshield.engines.pii.recognizers.email import ADDRESS
from agentshield.engines.pii.recognizers.password import CREDENTIALS_KEY, IS, not_paired
from agentshield.engines.pii.recognizers.remote_login import logs_in
from agentshield.engines.pii.recognizers.tlds import is_known_tld

_KEYS = ("user", "username", "user name", "user id", "userid", "login", "usuario")
_KEYS += ("utilisateur", "identifiant", "benutzer", "benutzername", "utente", "usuário")
_KEYS += ("gebruikersnaam", "handle")
_ANY_KEY = leet_alternation(_KEYS)
# An account is named by a handle (`account: jdoe`) or a number, which is no user name
# (`{"account": "3279832381"}`, a bank's or a customer's; `validate` refuses a number under
# any key).
_ACCOUNT = leet_alternation(("account",))
_BARE_KEY = leet_alternation(("username", "user name", "login", "usuario"))
# Prose may say it (`your username is jdoe`, `mi usuario es jdoe`): "is" and a blank, or
# nothing, between a bare key and its value.
# The value may be quoted after it (`your login is "jdoe"`, `ist „mmueller“`, `est « jdupont »`),
# or in a markdown code span, as models write it (`the username `jdoe``, with a key alone).
_QUOTE = "(?:[\"'`\u201c\u201e\u00ab\u2018\u201a][ \t]?)?"  # (“ „ « and single ones)
_MAYBE_IS = rf"(?:(?:is|es|est|ist|was):?[ \t]+{_QUOTE})?"
# A handle does not end in a dot: that is the sentence's (`login: jdoe.`). A bracket after
# it is in the value, for `validate` to refuse: code calls (`user = User(`) or subscripts
# (`user_id: Optional[str]`) there.
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # letters past ASCII (`josé`)


def _handle(chars: str) -> str:
    return rf"@?(?P<value>[{chars}][{chars}._-]{{0,30}}[{chars}_-][(\[]?)"


_HANDLE = _handle("A-Za-z0-9")
# After a separator a handle may hold Latin letters (`login: müller`). After a key and a
# blank alone it is ASCII and whole: prose's words there are Spanish's and French's too
# (`usuario único`, `login réussi`), where a cut word was read (`usuario está`: `est`).
_LATIN_HANDLE = _handle("A-Za-z0-9" + _LATIN)
_WHOLE = rf"(?:[^A-Za-z0-9_{_LATIN}-]|$)"
# After a key: a separator, the key's closing quote before it and the value's opening one
# after it (`{"username": "jdoe"}`), or the end of an element's start tag (`<login>jdoe`).
# The value is on the key's line: on the next, it is code's (`elif user:\n    prefix = …`).
_SEPARATOR = r"(?:[\"']?[ \t]*[:=][ \t]*[\"']?|>)"
_SEPARATED = _SEPARATOR + _LATIN_HANDLE
# An account's, in ASCII: tool results hold many `account` keys, and Latin letters after
# them cost new tool results 0.8% more instructions (pii_instructions.py).
_ASCII_SEPARATED = _SEPARATOR + _HANDLE
# Words that follow "login"/"username" in prose and are not handles.
_PROSE = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "is",
        "as",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "this",
        "that",
        "these",
        "those",
        "first",
        "again",
        "here",
        "now",
        "page",
        "screen",
        "form",
        "button",
        "field",
        "fails",
        "failed",
        "failure",
        "attempt",
        "attempts",
        "error",
        "errors",
        "required",
        "please",
        "name",
        "names",
        "was",
        "were",
        "be",
        "been",
        "being",
        "should",
        "must",
        "will",
        "can",
        "could",
        "would",
        "may",
        "might",
        "not",
        "no",
        "yes",
        "only",
        "also",
        "just",
        "then",
        "there",
        "when",
        "with",
        "without",
        "via",
        "using",
        "process",
        "flow",
        "details",
        "info",
        "information",
        "credentials",
        "prompt",
        "box",
        "etc",
        "shell",
        "session",
        "sessions",
        "configuration",
        "config",
        "settings",
        "host",
        "server",
        "service",
        "expansion",
        "timeout",
        "successful",
        "succeeded",
        "success",
        "url",
        "endpoint",
        "method",
        "methods",
        "options",
        "history",
        "status",
        "time",
        "package",
        "failures",
        "retries",
        "tty",
        "protocol",
        "keyword",
        "function",
        "command",
        "credential",
        "followed",
        "portion",
        "so",
        "link",
        "links",
        "script",
        "scripts",
    ]
)
# A log's outcome of a login (`login ok user=jdoe`, `login denied for …`).
_PROSE |= {"ok", "okay", "denied", "rejected", "refused", "accepted", "complete", "completed"}
_PROSE |= {"disabled", "enabled", "locked", "unlocked", "expired", "invalid", "blocked"}
_PROSE |= {"allowed", "granted", "pending", "done", "started", "passed", "aborted"}
# Pronouns (redis.conf's `Enable the user: it is possible to authenticate as this user`).
_PROSE |= {"it", "its", "him", "her", "them", "they", "this", "that", "these", "those"}
# Accounts of the system and its services, and the placeholders of logs (MySQL's `user:
# 'unauthenticated'`): no one's name.
_ACCOUNTS = ("root", "daemon", "nobody", "www-data", "postgres", "mysql", "redis", "rabbitmq")
_ACCOUNTS += ("nginx", "apache", "sshd", "systemd-network", "messagebus", "syslog", "_apt")
_ACCOUNTS += ("unauthenticated", "anonymous")
# The accounts cloud images log in with (`ssh ubuntu@ec2-…`, `ssh ec2-user@…`).
_ACCOUNTS += ("ubuntu", "ec2-user", "centos", "debian", "fedora", "admin", "azureuser", "opc")
_ACCOUNTS += ("bitnami", "vagrant", "git", "deploy")
# Home directories no one's: CI runners', containers' and the system's shared ones.
_ACCOUNTS += ("runner", "circleci", "travis", "vscode", "node", "app", "shared", "public")
_ACCOUNTS += ("default", "guest", "linuxbrew", "www")
# The docs' names for whoever reads them (`/home/myself/node`, `/home/users/.cache`).
_ACCOUNTS += ("users", "myself", "me", "you", "yourname", "your_name", "your-name", "someone")
_ACCOUNTS += ("example", "test", "demo")
_ACCOUNTS += ("all",)  # pg_hba.conf's, for every user (`user='all'`)
# Debian's and its services' system accounts (D-Bus policies' `<policy user="polkitd">`,
# passwd, logs), and systemd's (`systemd-timesync`: the prefix).
_ACCOUNTS += ("polkitd", "avahi", "colord", "pulse", "rtkit", "geoclue", "saned", "usbmux")
_ACCOUNTS += ("dnsmasq", "tss", "uuidd", "tcpdump", "chrony", "ntp", "postfix", "dovecot")
_ACCOUNTS += ("bind", "lightdm", "gdm", "sddm", "statd", "_chrony", "_rpc", "proxy", "backup")
_NO_ONE = frozenset(_ACCOUNTS)
_SYSTEMD = "systemd-"


# Keywords and type names of code: `login\n    raise`, `user: str`, `user_id: int = None`.
_CODE = ("raise", "return", "if", "else", "elif", "while", "def", "class", "import", "lambda")
_CODE += ("await", "async", "yield", "none", "true", "false", "null", "nil", "str", "int")
_CODE += ("bool", "float", "bytes", "dict", "list", "tuple", "set", "any", "object", "string")
_CODE += ("number", "boolean", "optional", "union", "notrequired", "required", "varchar", "text")
_CODE += ("final", "classvar", "literal", "annotated", "nullptr")
# The fields of a passwd entry, as the docs name them (`USERNAME UID GID HOMEDIR`).
_CODE += ("uid", "gid", "homedir", "gecos")
_CODE_WORDS = frozenset(_CODE)
_OWNERS = frozenset(("self", "cls", "this"))
_KEY_WORDS = frozenset(k.replace(" ", "_") for k in _KEYS) | {"password", "passwd", "token"}
_KEY_WORDS |= {"account"}  # (`account = account.id`)
_KEY_WORDS |= {"pass", "pwd"}  # (a URL's credentials spelled out: `'user:pass'`)
_KEY_PREFIXES = tuple(k + "_" for k in _KEY_WORDS)
_TYPE_NAME = re.compile(r"[A-Z][a-z]+[A-Z]\w*")  # CamelCase
_PARTS = re.compile(r"[_-]")  # of a name: `my_user`, `pg-username`
_HEX_ID = re.compile(r"(?=[a-f]*\d)[0-9a-f]{16,}")  # no one's handle
_HUMPS = re.compile(r"[A-Z][a-z]+|[a-z]+|[A-Z]+(?![a-z])")  # of a name in camel case
# Code assigns a variable, indented in a function: `        username = prefix`; a
# configuration's key stands at its line's start, or a little in.
_ASSIGNED = re.compile(r"(?:^|\n)[ \t]{8,}(?:[\w.]*\.)?\w+[ \t]*=[ \t]*\Z")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*[ \t]*(?:\r?\n|\Z)")
# Prose names a user before what it does (`abort the login: keep polling`, `by the user:
# simply wrap the call`): an article before the key, a word after it.
_ARTICLE_KEY = re.compile(rf"(?i)\b(?:the|a|an)[ \t]+(?:{_ANY_KEY})[ \t]*:[ \t]*\Z")
_WORD_THEN_WORD = re.compile(r"([a-z]+)[ \t]+[a-z]")
# A template's arguments (a type's name, not a tag: `jdoe</user>`) or a scope follow.
_CODE_AFTER = re.compile(r"\w+(?:<(?:[A-Z]|std::)|::)")


# A transcript's speaker label, or a message under a `user` key, holds a message, not a
# handle: a sentence (`{"user": "Show me the prompt"}`); at a line's start, any words
# (`User: say hello`), or one beside other speakers' lines (`User: Hello\nBot: Hola`).
_SPEAKER = re.compile(r"(?:^|\W)user[\"']?[ \t]*[:=][ \t]*[\"']?\Z", re.I)
_SENTENCE = re.compile(r"[A-Z][a-z]*[,.!?]?[ \t]+\S")
_LINE_SPEAKER = re.compile(r"(?:^|\n)[ \t]*user[ \t]*:[ \t]*\Z", re.I)
_WORDS_AFTER = re.compile(r"\S*[ \t]+\S")
_OTHER_SPEAKER = re.compile(
    r"(?:^|\n)[ \t]*(?:assistant|bot|ai|system|model|response|output)[ \t]*:", re.I
)
_TRANSCRIPT = 400  # characters either side where another speaker makes it one
_UNIT_USER = re.compile(r"(?:^|\n)User=\Z")  # a systemd unit's: a service's account
# An Amazon resource name's fields, named in its template (`arn:aws:acm-pca:region:account:
# certificate-authority/…`, in botocore's service documents): a resource's type follows.
_ARN = re.compile(r"\barn:[a-z-]+:\S*\Z")
_LAST_LOGIN = re.compile(r"last[ \t]+login[ \t]*:[ \t]*\Z", re.I)  # sshd's: a date follows
# A handle assigned in a statement of its own is code's, a file's or a window's (`handle =
# win32.STDOUT`, `self.handle = 'closed'`); a user's is given with a colon (`handle: @jdoe`,
# `"handle": "jdoe"`), in prose (`my twitter handle = jdoe42`) or in capitals (`HANDLE=jdoe`).
_HANDLE_ASSIGNED = re.compile(r"(?:^|\n)[ \t]*(?:[\w.]*\.)?handle[ \t]*=[ \t]*[\"']?\Z")
# A word right before `=` keys the next pair of a log's line (`action=login ip=…`).
_NEXT_PAIR = re.compile(r"[\w.-]+=(?!=)")
# A key may end a longer name where configuration gives one (`"twitter_username":
# "…"`, `github_username: …` opening a line, `export DB_USER=…`, `?db_user=…`), but not
# elsewhere, where such a name is code's (`self._handle = buffer`, `f(pipe_handle=rhandle)`,
# `"customer_login": CustomerLogin`, a docstring's `listener_handle : ListenerHandle`); nor
# "handle" there (`file_handle: file_like`).
_ENDS_NAME = re.compile(rf"(?i)[a-z0-9.]_(?P<key>{_ANY_KEY})[\"']?[ \t]*[:=>][ \t]*[\"']?\Z")
_NAMED = r"[\w.-]*_(?i:" + _ANY_KEY + ")"
_CONFIGURATION = re.compile(
    rf"""(?:"{_NAMED}"[ \t]*:[ \t]*"|'{_NAMED}'[ \t]*:[ \t]*'"""
    rf"|(?:^|\n)[ \t]*(?:export[ \t]+|-[ \t]+)?{_NAMED}(?:=|:[ \t]*[\"']?)|[?&;]{_NAMED}=)\Z"
)


# A Windows name may hold blanks (`C:\\Users\\Jane Roe\\…`): then the value takes the `\`
# after it, so that prose after a name is not read (`spans` trims the `\`).
_NAME = "[A-Za-z0-9._-]{1,32}"
_HOME = (
    r"(?:/(?:home|Users)/|:\\{1,2}Users\\{1,2})"
    rf"(?P<value>{_NAME}(?:(?: {_NAME}){{1,2}}\\|\b))"
)
# A file right in the directory (`/home/index.js:3:1` in the docs' stack traces), or a
# hidden one (`/home/.gitignore`): no user's name opens with a dot.
_FILE = re.compile(
    r"(?i)\.|.+\.(?:js|mjs|ts|py|rb|go|rs|java|c|h|cpp|json|ya?ml|toml|ini|conf|cfg|txt|md|html?"
    r"|css|sh|log|csv|xml|lock|pem|key|crt)\Z"
)
# What may stand before a path's first `/`: the text's start, a blank, a quote, a bracket,
# `=` or `:` (a setting's, `PATH=…:/home/jdoe/bin`), or a file URL's `file://`; not a
# host's or another directory's (`https://example.com/home/about`, `/srv/www/home/`).
_PATH_OPENERS = frozenset(" \t\r\n\"'`=(:,[")


def _rooted(text: str, start: int) -> bool:
    """Whether the home directory whose name starts at `start` opens its path. A Windows
    one (`C:\\Users\\…`) always does: the drive's `:` opens the pattern."""
    slash = text.rfind("/", 0, start - 1)
    if slash < 0 or text[slash + 1 : start - 1] not in ("home", "Users"):
        return True  # Windows: `C:` opened the pattern
    return slash == 0 or text[slash - 1] in _PATH_OPENERS or text.endswith("file://", 0, slash)


_LETTER = r"\pL"  # what `_numeric` looks for, in RE2


def _numeric(value: str) -> bool:
    return not any(c.isalpha() for c in value)


def _host(value: str) -> bool:
    """A host one logs in to (`docker login ghcr.io`), not a user."""
    return "." in value and is_known_tld(value.rsplit(".", 1)[1])


# A bare `login` or `username` in prose (not a command's flag, `--username ci`), and a word
# after it (`for login shells`, `The username needed`: 34 of the 41 such values in 9,000
# files were words of lexicon.py, and all 34 were prose).
_BARE_BEFORE = re.compile(rf"(?i)(?<!\w)(?<!--)(?<!\s-)(?:{_BARE_KEY})[ \t]+(?:{_MAYBE_IS}|`)\Z")
_WORD_AT = re.compile(r"[A-Za-z]+(?![\w@-]|\.\w)")  # (a sentence's stop may follow)


_PROSE_KEYS = "benutzername|gebruikersnaam|identifiant|nom d'utilisateur|nome utente|usuário"
# What those languages' prose says a user name is (`Der Benutzername ist falsch`, `est
# requis`, `is onjuist`, `è obbligatorio`, `é inválido`), or what opens a phrase there.
_SAID = ("falsch", "richtig", "korrekt", "ungültig", "gültig", "erforderlich", "leer")
_SAID += ("vergeben", "gesperrt", "bereits", "nicht", "schon", "noch", "neu", "ein", "eine")
_SAID += ("der", "die", "das", "dein", "ihr", "mein", "unser")
_SAID += ("incorrect", "correct", "invalide", "requis", "obligatoire", "vide", "déjà", "pas")
_SAID += ("votre", "mon", "le", "la", "un", "une")
_SAID += ("onjuist", "ongeldig", "verplicht", "leeg", "al", "niet", "uw", "mijn", "de", "het")
_SAID += ("een", "errato", "corretto", "obbligatorio", "richiesto", "vuoto", "già", "non")
_SAID += ("il", "tuo", "mio", "inválido", "incorreto", "correto", "obrigatório", "vazio", "já")
_SAID += ("não", "o", "seu", "meu", "um", "uma")
_PROSE_AFTER = frozenset(_SAID)
_PARTICIPLE = re.compile(r"ge\w+t")  # German's (`ist gesperrt`, `ist geändert`)


def _prose_after(value: str) -> bool:
    lowered = value.lower()
    return lowered in _PROSE_AFTER or _PARTICIPLE.fullmatch(lowered) is not None


# A user to log in as, or the user of a pair given as credentials or to log in with (`log in
# with jdoe / hunter22`, `creds: jdoe:Winter2026!`, `sign in as kwilliams`).
_PAIR = re.compile(r"[\w.@+-]{1,64}(?:[ \t]*/[ \t]*|:)([^\s,;]+)")
_AS_BEFORE = re.compile(r"(?i)(?:log|sign)[ -]?in[ \t]+as[ \t]+\Z")


def _logs_in_with(text: str, start: int) -> bool:
    """Whether the value at `start`, after a login's or credentials' key, is a user: paired
    with a password (as PASSWORD's credentials pattern reads the pair), or alone after "log
    in as", when no word (`log in as administrator`) nor the docs' name in capitals
    (`allowed to login as LOCUSER`)."""
    pair = _PAIR.match(text, start)
    password = pair[1].rstrip(".)") if pair else ""  # (not a sentence's stop alone)
    if password:
        return not not_paired(password)
    if not _AS_BEFORE.search(text, max(0, start - 16), start):
        return False
    word = _WORD_AT.match(text, start)
    return word is None or not (word[0].isupper() or word[0].lower() in words())


class UsernameRecognizer(Recognizer):
    entity_type = "USERNAME"
    patterns = (
        # A value with no letter is no handle (`validate`): the screen refuses it without
        # a call into Python (an account's number: 701 calls a pass of new tool results).
        Pattern(
            "keyword and separator",
            rf"(?i)(?:\b|_)(?P<key>{_ANY_KEY}){_SEPARATED}",
            0.75,
            screen=_LETTER,
        ),
        Pattern("account", rf"(?i)\b(?P<key>{_ACCOUNT}){_ASCII_SEPARATED}", 0.75, screen=_LETTER),
        Pattern(
            "keyword",
            rf"(?i)\b(?P<key>{_BARE_KEY})[ \t]+(?:{_MAYBE_IS}|`){_HANDLE}{_WHOLE}",
            0.6,
            refuse=_host,
            screen=_LETTER,
        ),
        # Other languages' prose says it with its verb (`mein Benutzername ist mmueller`,
        # `mon identifiant est jdupont`): there a word after the key alone is prose's
        # (`Benutzername und Passwort`), which the English lexicon cannot tell.
        Pattern(
            "keyword is",
            rf"(?i)\b(?P<key>{_PROSE_KEYS})[ \t]+{IS}[ \t]+{_QUOTE}{_HANDLE}"
            # (an ASCII handle, whole: not `inv` of `inválido`; a closing quote may follow)
            "(?:[\\s.,;:!?)\\]\"'\u201c\u201d\u00bb\u2019]|$)",
            0.6,
            refuse=_prose_after,
            screen=_LETTER,
            turned=False,
        ),
        Pattern(
            "login",
            CREDENTIALS_KEY + _HANDLE,
            0.75,
            screen=_LETTER,
            turned=False,
            place=_logs_in_with,
        ),
        # `ssh jdoe@bastion.example.org`: the user of a remote login (see remote_login.py),
        # on EMAIL's matches, which run once for both.
        Pattern("remote login", ADDRESS, 0.75, turned=False, place=logs_in),
        # A home directory's name, in a path (`/home/jdoe/app/main.py` in a traceback,
        # `/Users/janeroe/Downloads`, `C:\\Users\\jdoe\\…`, escaped in JSON or not).
        Pattern("home directory", _HOME, 0.75, refuse=_FILE.match, turned=False, place=_rooted),
    )

    def refused(self, text: str, start: int) -> bool:
        near = max(0, start - 40)
        glued = text.find("_", near, start) >= 0 and _ENDS_NAME.search(text, near, start)
        if glued and (
            glued["key"].lower() == "handle"
            or not _CONFIGURATION.search(text, max(0, start - 80), start)
        ):
            return True
        before = max(0, start - 12)
        if _LAST_LOGIN.search(text, before, start) or _UNIT_USER.search(text, before, start):
            return True
        if _ARN.search(text, near, start):
            return True
        if _HANDLE_ASSIGNED.search(text, max(0, start - 40), start):
            return True
        if _IDENTIFIER.match(text, start) and _ASSIGNED.search(text, max(0, start - 80), start):
            return True  # a variable, in code
        prose = _WORD_THEN_WORD.match(text, start)
        if prose and prose[1] in words() and _ARTICLE_KEY.search(text, near, start):
            return True
        if _NEXT_PAIR.match(text, start):
            return True
        if _CODE_AFTER.match(text, start):
            return True  # a type in C++'s code (`using Handle = Local<T>;`, `Kind::User`)
        word = _WORD_AT.match(text, start)
        if word and word[0].lower() in words() and _BARE_BEFORE.search(text, near, start):
            return True  # prose
        if describes_argument(text, start):
            return True  # a docstring's (`username: Available when the proxy …`)
        if _LINE_SPEAKER.search(text, before, start):
            if _WORDS_AFTER.match(text, start):
                return True
            near = max(0, start - _TRANSCRIPT), start + _TRANSCRIPT
            return _OTHER_SPEAKER.search(text, *near) is not None
        sentence = _SENTENCE.match(text, start) is not None
        return sentence and _SPEAKER.search(text, before, start) is not None

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        # A remote login's `user@host` (EMAIL's match): the user. No other pattern's value
        # holds an `@`, nor ends in a `\` but a Windows name of several words.
        at = value.find("@")
        yield 0, at if at > 0 else len(value.rstrip("\\"))

    def validate(self, value: str) -> bool | None:
        lowered = value.lower()
        if lowered in _PROSE or lowered in _CODE_WORDS or lowered in _NO_ONE or value[-1] in "([":
            return False
        if lowered.startswith(_SYSTEMD):
            return False
        # In code, a variable or attribute holding the user (`username = self.username`,
        # `user_id=user_id`, `account = account.id`, `username_bytes`) or a module's type
        # (`handle: asyncio.TimerHandle`), not a handle.
        parts = lowered.split(".")
        if parts[0] in _OWNERS or parts[-1] in _KEY_WORDS or lowered.startswith(_KEY_PREFIXES):
            return False
        if _HEX_ID.fullmatch(value):
            return False  # an object's id (`ssh://687fb701029421ae5549d998@ssh.hf.jobs`)
        if _numeric(value) or _KEY_WORDS.intersection(_PARTS.split(lowered)[1:]):
            # an id (`user:123`, `login\t\t513/tcp`), a variable (`user=my_user`), a
            # column's name (pg_ident.conf's `SYSTEM-USERNAME  PG-USERNAME`)
            return False
        humps = _HUMPS.findall(value)
        if len(humps) > 1 and _KEY_WORDS.intersection(h.lower() for h in humps):
            return False  # a type's name (`username: UserNameDep`, `user: OrganizationUser`)
        dotted = len(parts) > 1
        if dotted and (parts[0] in _KEY_WORDS or _TYPE_NAME.fullmatch(value.rsplit(".", 1)[1])):
            return False
        return None
