"""PASSWORD: a value introduced by a password keyword, in several languages and in leetspeak,
or by a secret's key.

`password: hunter2`, `contraseña = 1234abcd`, `mot de passe: …`, `p4ssw0rd=…`, or
`my password is hunter2`; a command's option (`mysql -phunter2`), a form's field, a
.netrc entry. Placeholders and prose after the keyword are not passwords.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agentshield.engines.pii.leet import UNLEET, as_read, leet_alternation
from agentshield.engines.pii.lexicon import words
from agentshield.engines.pii.recognizer import (
    Pattern,
    Recognizer,
    constant_name,
    describes_argument,
)

_WORDS = ("password", "passwd", "passphrase", "passcode", "pwd", "pass", "contraseña", "contrasena")
_WORDS += ("clave", "mot de passe", "mdp", "passwort", "kennwort", "senha", "wachtwoord")
_WORDS += ("hasło", "haslo", "parola", "пароль", "パスワード", "密码")
IS = "(?:is|es|est|ist|lautet|é|è)"  # in the keys' languages (German's "lautet")
# The colon a sentence may put after "is", French with a blank before it (`est : …`).
_COLON = "(?:[ \t]*:)?"
# What a password opens (`the password for the staging box is …`), in those languages.
_FOR = "(?:for|para|pour|für|per|voor)"
_PLAIN = "|".join(as_read(w) for w in _WORDS if len(w) > 4)
# The keys of _PLAIN opening with a letter beyond ASCII (`пароль`, as read `пapoлb`), which
# RE2's `\b` (ASCII's) never opens: they open after a blank or at the text's start.
_BEYOND = "|".join(as_read(w) for w in _WORDS if len(w) > 4 and not w[0].isascii())
# The name of the key right before a value, with its separator (`refused` reads it).
_KEY_BEFORE = re.compile(r"""([\w.$@-]+)["']?\]?[ \t]*(?:[:=][ \t]*["']?|>)\Z""")
# Code assigning a key from a variable, unpacked (`username, password = auth`) or chained
# (`userid = passwd = acct`): the names before the key on its line; the name assigned.
_UNPACKED = re.compile(r"[ \t]*(?:[A-Za-z_][\w.]*[ \t]*[,=][ \t]*)+")
_LINE_REACH = 120
_BARE_NAME = re.compile(r"[A-Za-z_]\w*(?:[ \t]*[,)=]|[ \t]*$)", re.M)
# A type after a name (`password: _PasswordType | None = None`): a union of types.
_UNION = re.compile(r"[\w.\[\]]+[ \t]*\|[ \t]*[A-Z_]")
# A format string's field (`f"password={password!r}"`, `password={token}`): a template's.
_FIELD = re.compile(r"\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}")
# A docstring's role (`Pass :meth:`peek` a default`): the verb "pass", then a name.
_ROLE = re.compile(r"[a-z]+:`")
# Prose after the word "pass" (`# First pass: determine maximum length`): words in small
# letters, one after another.
_WORDS_AFTER = re.compile(r"[a-z]+[ \t]+[a-z]")
# A word in small letters, whole: after "pass", which names a test's outcome or a step as
# often as a password, a word of the lexicon is one of those (`passed`, `ordinary`).
_SMALL_WORD = re.compile(r"[a-z]+(?![\w!@#$%^&*+=~-])")
# A key may end a name (`db_password`, `DB_PASS`, `rootpass`, `minhasenha`), but not an
# English word that ends like one (`Bypass: reveal all`, `compass: north`), nor in mixed
# case (reversed, `EvalContext` holds `ClavE`). Judged by `refused`, on the few values
# that pass the checks: in the pattern, new text cost 0.4%.
_SHORT_KEY = re.compile(
    "(?i)" + leet_alternation(("pass", "pwd", "mdp", "clave", "senha", "parola")) + r"\Z"
)
_ENDING_SO = ("bypass", "compass", "overpass", "underpass", "surpass", "trespass")
_ENDING_SO += ("lowpass", "highpass", "bandpass", "allpass")  # filters
_ENDING_SO += ("enclave", "conclave", "autoclave", "nopasswd")  # and sudoers' tag
# Passive dependency labels of NLP parsers (spaCy's `"auxpass": "auxiliary (passive)"`).
_ENDING_SO += ("auxpass", "csubjpass", "nsubjpass")
# In quotes, a password may hold blanks (`"correct horse battery staple"`): the quotes are
# in the match, for RE2 has one `value` group, and `spans` trims them. A bare value is no
# tag and ends before a closing one (`<password>a1b2</password><password>c3d4</password>`
# holds two passwords).
_BARE = r"""[^\s"'<](?:[^\s"'<]|<[^\s"'/]){3,63}"""
_VALUE = rf"""(?P<value>"[^"\n]{{4,64}}"|'[^'\n]{{4,64}}'|["']?{_BARE})"""
_QUOTES = "\"'"
# On the key's line: a value on the next is code's (`user_pass =\n    return …`).
_SEPARATOR = r"[ \t]*[:=][ \t]*"
# Code, not a password, when bare: a call or subscript (`urllib.parse.unquote(password)`,
# `Optional[str]`), an attribute of the object at hand (`self.password`), a type's name.
_CODE = re.compile(
    r"(?:self|cls|this)\.|[A-Za-z_][\w.]*[a-z][\w.]*[(\[]"
    # a call of a function named in capitals (`password = QUOTER(password)`)
    r"|[A-Z_][A-Z0-9_]{2,}\([A-Za-z_][\w.]*\)"
    # an attribute of a variable (`parsed.password`, `parsed.auth_decoded`), a bracket
    # opening an expression the value does not close (`(lambda: password)`), a type in
    # camel case (`client_secret: ClientSecret`), a variable of three words or more
    # (`util._assertion_pass = call_assertion_pass_hook`)
    r"|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+[,;)}\]]*\Z|[(\[{][^)\]}]*\Z"
    # a member of an object named in camel case (`ResultPass = AnalysisImpl.second;`)
    r"|[A-Z][a-z0-9]+[A-Z]\w*(?:\.[a-z_][a-z0-9_]*)+[,;)}\]]*\Z"
    # a module's constant (`_ffi.NULL`, `constants.OAUTH_CLIENT_SECRET`)
    r"|[a-z_][a-z0-9_]*\.[A-Z][A-Z0-9_]*[,;)}\]]*\Z"
    r"|[A-Z][a-z]+(?:[A-Z][a-z]+)+[,;)]*\Z|[a-z]+(?:_[a-z0-9]+){2,}[,;)]*\Z"
    # C++'s scope after a name ending in a key (`llvm::Pass::doInitialization`: the value
    # opens with the second `:`), a member through a pointer (`Resolver->findImplPass(PI)`)
    r"|:|[A-Za-z_]\w*->"
    # C++'s scope (`std::move(Pass)`), a bracketed expression's member (`(p).pws.pw_name`,
    # `().getCSEInfo()`), a bit shift (`GNUTLS_PKCS_NULL_PASSWORD = 1<<8`)
    r"|\w+::|\(\w*\)[.\[]|\d+<<\d"
)
# The word of a code span right after a key and a blank, the span closing after it.
_SPAN_WORD = re.compile(r"[^\s`-][^\s`]{3,63}`")
_PLAIN_BEFORE = re.compile(rf"(?i)(?:{_PLAIN})\Z")
_IS_BEFORE = re.compile(rf"(?i)\b{IS}\Z")
# Types: a docstring's (`gpass : float`), an API schema's example (`"string"`), an
# annotation's (`password: str`), a password nowhere (_NOT_PASSWORDS); code's alone, bare
# (`password: Optional[str]`).
_TYPE_NAMES = ("float", "int", "integer", "str", "string", "bool", "boolean", "bytes", "dict")
_TYPES = frozenset(["optional", "notrequired", "secretstr"])
# After a bare value, the punctuation of the sentence or of JSON (`{"password": 1234}`),
# or the end of a markdown code span opened before the key; a colon, the docs' before an
# example (`using the password `qwerty`:`).
_TRAILING = ",;:.)]}`"
_OPENERS = {")": "(", "]": "[", "}": "{"}
_VARIABLE = re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")
_NEXT_PARAM = re.compile(r"&[\w.-]+=")
_PLACEHOLDER = re.compile(r"<[A-Za-z_-]+>")  # a template's (`<user>@<pass>:<host>`)
# A version, or an npm range of them (`"minipass": "^7.1.3"`), or Debian's, with an
# epoch (`passwd 1:4.13+dfsg1-1+deb12u1` in a list of packages)
_VERSION = re.compile(r"[\^~]?\d+(?:\.\d+){2,3}(?:[-+~][\w.+~-]*)?|\d+:\d+(?:\.\d+)+[\w.+~-]*")
# A printf conversion (`clave '%-.192s'` in MySQL's messages, `password: %-20s`)
_CONVERSION = re.compile(r"%[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[hlLqjzt]*[diouxXeEfFgGcsSp]")
_ESCAPED_OPENERS = ("&lt;", "&#x3c;", "&#60;")  # `<` as HTML writes it
_NOT_PASSWORDS = frozenset(
    [
        "required",
        "incorrect",
        "wrong",
        "valid",
        "invalid",
        "longer",
        "shorter",
        "expired",
        "reset",
        "changed",
        "protected",
        "strong",
        "weak",
        "missing",
        "empty",
        "correct",
        "hidden",
        "redacted",
        "none",
        "null",
        "nullptr",
        "true",
        "false",
        "undefined",
        "must",
        "should",
        "will",
        "field",
        "manager",
        "policy",
        "hash",
        "hashes",
        "hashed",
        "length",
        "characters",
        "please",
        "here",
        "below",
        "above",
        "same",
        "different",
        "the",
        "your",
        "my",
        "also",
        "password",  # a template's (`CREDPASS="password"`)
        "passwd",
        "files",  # nsswitch.conf's source (`passwd:  files systemd`)
        "value",  # a template's, or code's (`username, password = value`)
        "example",  # the docs' (`POSTGRES_PASSWORD: example`)
        "username",  # code's (`userpass = username + b":" + password`)
        "user",
        "login",
        "options",
        "expected",  # an error's (`TypeError("pwd: expected bytes")`)
        # Prose after "password is": an adverb or an adjective (`is never transmitted`,
        # `no username or password is present`)
        *("never", "always", "only", "still", "present", "absent", "available"),
        "lambda",  # code's (`password=lambda: sslpassword`)
        "await",  # (`password = await password`)
        *_TYPE_NAMES,
    ]
)
# Prose says a password is (`my password is hunter22`); "pass is" is prose too (`the pass
# is valid`, `bypass is on`).
_PROSE_KEY = re.compile(rf"(?i)(\S+)\s+{IS}{_COLON}\s+\Z")
_PASS = re.compile("(?i)" + leet_alternation(("pass",)) + r"\Z")
# After "password is", prose: a participle or an adverb (`the password is stored in the
# vault`, `is written on the router`, `is really only needed`), as the whole value.
# (`spans` trims the punctuation after a bare value, which ends at a blank, quote or tag.)
_PARTICIPLE = re.compile(
    r"(?:[a-z]+(?:ed|ing|ly|en|wn)|sent|kept|found|lost|ge[a-zäöüß]+t)"  # German's `gespeichert`
    rf"(?=[{re.escape(_TRAILING)}]*(?:[\s\"'<]|\Z))"
)


_NAME = re.compile(r"[\w.-]+")
# A C++ class's base after a name ending in a key (`class DCEPass : public PassInfoMixin`).
_BASE_CLASS = re.compile(r"(?:public|private|protected|virtual)[ \t]+[A-Za-z_]")
# The shell's working directories (`PWD=/home/jdoe/app`, `OLDPWD=C:\\build`), in every
# `env` listing an agent's tool prints: a path, not a password.
_WORKING_DIRECTORIES = ("pwd", "oldpwd")
_PATH = re.compile(r"~?/|[A-Za-z]:\\")


def _echoes(key: str, text: str, start: int) -> bool:
    """Whether the value at `start` repeats its key (`token_secret = token_secret`,
    `secret_key: SECRET_KEY`, `CHALLENGE_PASSWORD: "challengePassword"`) or the key's last
    word (`client_secret: secret`), or opens or ends with the key in small letters
    (`password=ssl_password`): a template's or code's."""
    name = _NAME.match(text, start)
    if name is None:
        return False
    own = key.rsplit(".", 1)[-1].lower().replace("-", "_")  # `self.key_password = key_password`
    value = name[0].lower().replace("-", "_").replace(".", "_")
    if value.replace("_", "") == own.replace("_", "") or own.endswith("_" + value):
        return True  # (also `CHALLENGE_PASSWORD: "challengePassword"`, `="consumer.secret"`)
    # A variable's name, in small letters (`password=ssl_password`, `= password_ptr`).
    return name[0].islower() and (value.endswith("_" + own) or value.startswith(own + "_"))


def _not_a_key(key: str) -> bool:
    """Whether a name ending in a key is another word (`Bypass`, `compass`, leet `byp455`,
    `NOPASSWD`) or a reversed one's letters (`ClavE`)."""
    if key.lower().translate(UNLEET).endswith(_ENDING_SO):
        return True
    short = _SHORT_KEY.search(key)
    if short is None or short.start() == 0:
        return False
    word = short[0]
    return not (word.islower() or word.isupper() or word.istitle())


def _code(value: str) -> bool:
    if _CODE.match(value) is not None or constant_name(value.rstrip(",;)")):
        return True
    return value.lower().rstrip(",;:)") in _TYPES


# What gives a user and a password as a pair, up to the user (USERNAME reads the user).
CREDENTIALS_KEY = (
    r"(?i)\b(?P<key>credentials?|creds|(?:log|sign)[ -]?in)"
    r"(?:[ \t]*[:=]|[ \t]+(?:are|is|were|was|with|as|using):?)[ \t]*"
)


def not_paired(value: str) -> bool:
    """Whether what follows a user's `/` in credentials is no password: a URL's path
    (`credentials: https://vault.example.com/…`), or a word in small letters or capitalised,
    as prose and forms pair them (`credentials: read/write`, `user/pass`, `Username /
    Password`, `sign in with Google/Apple`); a default's (`admin/admin`) is missed."""
    return value[0] == "/" or (value.isalpha() and (value.islower() or value.istitle()))


_STANDARD = re.compile(r"[A-Z]+-?[0-9]+|[0-9]+[+-]?[A-Za-z]+")  # SHA256, 16-characters
_SYMBOLS = frozenset("!@#$%^&*?~+")
_NOT_IN_BARE = frozenset("/\\=<>(")


def _unlike_password(value: str) -> bool:
    """Whether a value right after a password's word and a blank is none: shorter than six,
    letters alone or no letter (words, a question's `provision?`, numbers), a standard's
    name or a count (`SHA256`, `16-characters`), a path, markup or a setting (`<input
    type=password value=…>`), or code (C's `struct passwd *getpwuid()`)."""
    if len(value) < 6 or not any(c.isalpha() for c in value) or value[0] in "*&":
        return True
    if not any(c.isdigit() or c in _SYMBOLS for c in value.rstrip("?!")):
        return True
    if any(c in _NOT_IN_BARE for c in value):
        return True
    return _STANDARD.fullmatch(value) is not None or _code(value)


def _spanned(text: str, start: int) -> bool | None:
    """For a value in a code span right after its key and a blank (`password `hunter22``):
    whether its place refuses it. A word alone there is a password, not a command or an
    option (`password `pass show db``), and only after a word that is only a password's
    (`pass `False``, the verb's). None for a value placed otherwise (after a separator or
    "is": `password: `hunter22``, read as the other forms are)."""
    opened = start
    while opened > 0 and start - opened < 3 and text[opened - 1] == "`":
        opened -= 1  # (``RST's`` span opens with two)
    if opened == start or not opened or text[opened - 1] not in " \t":
        return None
    blank = opened - 1
    while blank and text[blank - 1] in " \t":
        blank -= 1
    if not blank or not text[blank - 1].isalpha():
        return None
    if _IS_BEFORE.search(text, max(0, blank - 5), blank):
        return None
    key = _PLAIN_BEFORE.search(text, max(0, blank - 16), blank)
    return key is None or _SPAN_WORD.match(text, start) is None


def _and_blank(key: str) -> str:
    """A key, blanks and a value, or a change's "to" between (see "keyword and blank")."""
    return rf"(?i){key}[ \t]+(?:(?:to|will be|is now)[ \t]+)?{_VALUE}"


class PasswordRecognizer(Recognizer):
    entity_type = "PASSWORD"
    patterns = (
        Pattern(
            "keyword and separator",
            # A key may close its quote before the separator (`{"password": "hunter22"}`),
            # and a subscript too (`os.environ["DB_PASSWORD"] = …`), or be an element's tag
            # (`<password>hunter22</password>`); or prose says it (`my password is
            # hunter22`), which `refused` reads. One pattern: as two, the keys' alternation
            # twice in the Sets and the triggers cost new text 2.2% (pii_instructions.py).
            rf"(?i)(?P<key>{leet_alternation(_WORDS)})"
            rf"(?:[\"']?\]?{_SEPARATOR}|>|\s+{IS}{_COLON}\s+|[ \t]+`){_VALUE}",
            0.8,
        ),
        # A secret's key (`SECRET_KEY=`, `client_secret:`, `client-secret:`, `{"secret": `,
        # `"secretAccessKey":`, `config['JWT_SECRET_KEY'] =`): "secret" glued to a name or in
        # quotes, or before "key"; alone it is prose ("the secret: practice").
        Pattern(
            "secret key",
            r"(?i)(?P<key>[_\"-]secret(?:[_-]?(?:access[_-]?)?key)?|\bsecret[_-]?(?:access[_-]?)?key)"
            rf"[\"']?\]?{_SEPARATOR}{_VALUE}",
            0.8,
        ),
        # A command's option (`--password hunter22`; `--password=` is a keyword and
        # separator): agents run commands.
        Pattern("option", rf"(?i)--(?P<key>password|passwd|pass|pwd)[ \t]+{_VALUE}", 0.8),
        # curl's user and password (`curl -u admin:hunter22`), both in the value: the
        # reversed view's trigger then opens with `u-`, not with a `:` after any word.
        Pattern(
            "curl user",
            rf"(?i)\bcurl\b[^\n]*?\s(?P<key>-u|--user)[ \t]*{_VALUE}",
            0.8,
            refuse=lambda value: ":" not in value.strip(":"),  # `-u admin`: curl asks
        ),
        # A short `-p` is a password only where the command says so: glued to it for the
        # MySQL clients (`mysql -u root -phunter22`; `-p` alone asks, `-P 3306` is a port),
        # or after docker login and sshpass (`docker login -u ci -p hunter22`); and redis-cli's
        # `-a` (its `-p` is a port).
        Pattern("mysql option", rf"\b(?i:mysql\w*|mariadb\w*)\b[^\n]*?\s(?P<key>-p){_VALUE}", 0.8),
        Pattern(
            "login command",
            rf"\b(?i:docker login|az login|sshpass)\b[^\n]*?\s(?P<key>-p)[ \t]+{_VALUE}",
            0.8,
        ),
        Pattern("redis-cli", rf"\b(?i:redis-cli)\b[^\n]*?\s(?P<key>-a)[ \t]+{_VALUE}", 0.8),
        # Redis's own settings, in redis.conf or on its command line (`--requirepass …`).
        Pattern("redis setting", rf"\b(?P<key>requirepass|masterauth)[ \t]+{_VALUE}", 0.8),
        # A form's password field holding its value (`<input type="password" value="…">`;
        # unquoted, it ends before the tag does).
        Pattern(
            "form field",
            r"(?i)<input\b[^>\n]*\btype=[\"']?password\b[^>\n]*\b(?P<key>value)="
            r"""(?P<value>"[^"\n]{4,64}"|'[^'\n]{4,64}'|[^\s"'<>]{4,64})""",
            0.8,
        ),
        # A .netrc entry: `machine api.example.com login jdoe password hunter22`, on one line
        # or several.
        Pattern(
            "netrc",
            r"(?i)\bmachine[ \t]+\S+(?:\s+(?:login|account|port)[ \t]+\S+)*\s+(?P<key>password)"
            rf"[ \t]+{_VALUE}",
            0.8,
        ),
        # What the password opens may stand between (`the password for the staging box
        # is: Winter2026#`, `la contraseña para el wifi es …`). Its own pattern, with no
        # view and no leetspeak: with the keys' alternation, new text cost 1.3% more.
        Pattern(
            "keyword for",
            rf"(?i)\b(?P<key>{_PLAIN}) {_FOR} (?:the |my |our |el |la |le |den |die )?"
            rf"\w+(?: \w+)? {IS}:? {_VALUE}",
            0.8,
            turned=False,
        ),
        # Nothing but a blank after the word (`sign in as jdoe with password Xk9mP2qz`), or
        # a change's "to" (`changed my password to Winter2026!`, `password will be …`):
        # prose says as much (`password manager`, `a password 16-characters long`, `reset
        # your password to continue`), so a value must look like a password (see
        # `_unlike_password`).
        Pattern(
            "keyword and blank",
            _and_blank(rf"\b(?P<key>{_PLAIN})"),
            0.8,
            refuse=_unlike_password,
            turned=False,
        ),
        # (A `\B` in its place cost new text 8%, and a blank or `\b` before every key 0.7%.)
        Pattern(
            "keyword beyond ASCII and blank",
            _and_blank(rf"(?:^|[ \t])(?P<key>{_BEYOND})"),
            0.8,
            refuse=_unlike_password,
            turned=False,
        ),
        # A user and a password given as credentials (`the admin credentials are admin /
        # S3cur3P@ss!`, `creds: jdoe:Winter2026!`) or to log in with (`log in with jdoe /
        # hunter22`, `login: admin/S3cret!`): the password, after the user's `/` or `:`
        # (see `not_paired`).
        Pattern(
            "credentials",
            rf"{CREDENTIALS_KEY}[\w.@+-]{{1,64}}(?:[ \t]*/[ \t]*|:){_VALUE}",
            0.8,
            refuse=not_paired,
            turned=False,
        ),
    )

    def spans(self, value: str) -> Iterator[tuple[int, int]]:
        # The value's quotes are not the password (and a value cut short has only one), nor
        # is the closing tag after an element's text.
        if value[0] == "`":  # markdown's code span (`hunter22`); unclosed, a shell's command
            close = value.find("`", 1)
            if close - 1 >= 4 and not _code(value[1:close]):
                yield 1, close
            return
        start = 1 if value[0] in _QUOTES else 0
        if not start and _code(value):
            return  # code, where a quoted value would be a literal
        if value[0] == "@" and ("/" in value or ":" in value):
            return  # the host after a URL's placeholder (`postgresql://u:<password>@db:5432`)
        end = len(value) - 1 if start and len(value) > 1 and value[-1] == value[0] else len(value)
        tag = value.find("</", start, end)
        end = end if tag < 0 else tag
        quote = value.find("&quot;", start + 1, end)  # HTML's, escaped (`&quot;hunter22&quot;`)
        end = end if quote < 0 else quote
        if not start and (query := _NEXT_PARAM.search(value, 0, end)):
            end = query.start()  # a query string's next parameter (`&oauth_callback=…`)
        while not start and end and value[end - 1] in _TRAILING:
            closer = value[end - 1]
            if closer in _OPENERS and value.count(_OPENERS[closer], 0, end) >= value.count(
                closer, 0, end
            ):
                break  # closes a bracket of its own (`(hunter22)`)
            if closer == "`" and value.count("`", 0, end) % 2 == 0:
                break  # closes a code span of its own
            end -= 1
        if end - start >= 4:  # as long as the pattern wants a value
            yield start, end

    def refused(self, text: str, start: int) -> bool:
        spanned = _spanned(text, start)
        if spanned is not None:
            return spanned
        if describes_argument(text, start):
            return True  # a docstring's (`client_secret: Configuration options …`)
        prose = _PROSE_KEY.search(text, max(0, start - 40), start)
        if prose is not None:
            return _PASS.search(prose[1]) is not None or _PARTICIPLE.match(text, start) is not None
        key = _KEY_BEFORE.search(text, max(0, start - 40), start)
        if key is None:
            return False
        name = key[1].lower()
        if name in _WORKING_DIRECTORIES and _PATH.match(text, start):
            return True
        if _UNION.match(text, start) or _BASE_CLASS.match(text, start):
            return True  # a type (`password: _PasswordType | None`), a class's base
        if name == "pass":
            if _WORDS_AFTER.match(text, start):
                return True  # prose (`First pass: determine the length`)
            word = _SMALL_WORD.match(text, start)
            if word and word[0] in words() and text[start - 1] != ":":
                # a column of results (`| test | pass |` over `passed`), a pass's name; not
                # OpenSSL's argument, glued (`-passout pass:sample`)
                return True
        if "=" in text[key.end(1) : start] and _BARE_NAME.match(text, start):
            # The names before the key, from its line's start within reach (a long line
            # would cost a search of its length for each value).
            reach = max(0, key.start(1) - _LINE_REACH)
            newline = text.rfind("\n", reach, key.start(1))
            if (newline >= 0 or reach == 0) and _UNPACKED.fullmatch(
                text, newline + 1, key.start(1)
            ):
                return True  # code (`username, password = auth`)
        return _echoes(key[1], text, start) or _not_a_key(key[1])

    def validate(self, value: str) -> bool | None:
        lowered = value.lower().strip(".,;:!?}])")
        if lowered in _NOT_PASSWORDS or len(set(value)) == 1:
            return False
        if value.startswith(("${", "{{", "<", "$(", "%(")) or _PLACEHOLDER.search(value):
            return False  # a template's placeholder, or a command's output (`$(getent …)`)
        if _CONVERSION.fullmatch(value.rstrip(".,;:!?}])")) or _VERSION.fullmatch(value):
            return False
        if lowered.startswith(_ESCAPED_OPENERS):
            return False  # one escaped in a web page (`password: &lt;your-password&gt;`)
        if _FIELD.match(value) or _ROLE.match(value):
            return False
        if _VARIABLE.fullmatch(value):
            return False  # a shell variable holding it (`--password $PGPASS`)
        return None
