"""Secret recognizers: keys by their prefixes and checks, passwords by their keywords."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agentshield.engines.pii.recognizers.high_entropy_secret import HighEntropySecretRecognizer

from .conftest import Found

PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
    "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"
ROWS = [
    (f"deploy key:\n{PEM}\nthanks", [("PRIVATE_KEY", PEM)]),
    (f"token {JWT} expires", [("JWT", JWT)]),
    ("id AKIAIOSFODNN7EXAMPLE", [("AWS_KEY", "AKIAIOSFODNN7EXAMPLE")]),
    ("temporary ASIAIOSFODNN7EXAMPLE", [("AWS_KEY", "ASIAIOSFODNN7EXAMPLE")]),
    # IAM's unique ids of a user, a role, an instance profile: CloudTrail's, no secret.
    ('{"principalId": "AIDAIOSFODNN7EXAMPLE", "arn": "arn:aws:iam::1:user/x"}', []),
    ('"principalId": "AROAJQABLZS4A3QDU57Q:session", "Id": "AIPAJQABLZS4A3QDU57Q"', []),
    (
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        [("AWS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")],
    ),
    (
        "push with ghp_16C7e42F292c6912E7710c838347Ae178B4a now",
        [("GITHUB_TOKEN", "ghp_16C7e42F292c6912E7710c838347Ae178B4a")],
    ),
    (
        "bot xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        [("SLACK_TOKEN", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")],
    ),
    (
        "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        [("STRIPE_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc")],
    ),
    (
        "OPENAI_API_KEY=sk-proj-Ab3dEf1234567890GhIjKlMnOpQrStUvWxYz",
        [("OPENAI_KEY", "sk-proj-Ab3dEf1234567890GhIjKlMnOpQrStUvWxYz")],
    ),
    ("we use sk-learn and scikit", []),
    # A name after `sk-` is no key: keys are random.
    ('<label class="sk-toggleable__label sk-toggleable__label-arrow">', []),
    (f"maps {GOOGLE}", [("GOOGLE_API_KEY", GOOGLE)]),
    (
        "DATABASE_URL=postgresql://app:Sup3rS3cret@db.internal:5432/prod",
        [("DATABASE_URL", "postgresql://app:Sup3rS3cret@db.internal:5432/prod")],
    ),
    ("postgresql://db.internal:5432/prod has no password", []),
    # A template's placeholder is where a password goes, not one; a word stays one.
    ("postgresql://<user>:<password>@host:5432/db", []),
    ("redis://[[username]:[password]]@localhost:6379/0", []),
    ("DATABASE_URL=postgresql://${DB_USER}:${DB_PASS}@db:5432/app", []),
    ("mongodb://admin:{password}@cluster0.example.net/db", []),
    ("postgresql://app:%(password)s@db:5432/app", []),
    (
        "postgresql://user:password@host:5432/db",
        [("DATABASE_URL", "postgresql://user:password@host:5432/db")],
    ),
    (
        "uri mongodb+srv://admin:hunter22@cluster0.example.net/test",
        [("MONGODB_URI", "mongodb+srv://admin:hunter22@cluster0.example.net/test")],
    ),
    # A URL ends before a code span's backtick, a link's parenthesis, a sentence's stop.
    (
        "run `psql postgres://app:s3cr3t@localhost:5432/db` first",
        [("DATABASE_URL", "postgres://app:s3cr3t@localhost:5432/db")],
    ),
    (
        "[db](mongodb://admin:s3cr3t@cluster0.example.net/test)",
        [("MONGODB_URI", "mongodb://admin:s3cr3t@cluster0.example.net/test")],
    ),
    (
        "see postgres://app:s3cr3t@db.internal/app.",
        [("DATABASE_URL", "postgres://app:s3cr3t@db.internal/app")],
    ),
    (
        "Server=tcp:db.example.com,1433;Database=prod;User ID=app;Password=Sup3r$ecret;",
        [
            (
                "CONNECTION_STRING",
                "Server=tcp:db.example.com,1433;Database=prod;User ID=app;Password=Sup3r$ecret;",
            )
        ],
    ),
    ("password: hunter22", [("PASSWORD", "hunter22")]),
    ("my password is correct-horse-battery", [("PASSWORD", "correct-horse-battery")]),
    ("contraseña: Qwerty123", [("PASSWORD", "Qwerty123")]),
    ("mot de passe = azerty99", [("PASSWORD", "azerty99")]),
    ("Passwort: geheim123", [("PASSWORD", "geheim123")]),
    # German says a password "lautet"; French puts a blank before the colon.
    ("Das Passwort lautet: Geheim123!", [("PASSWORD", "Geheim123!")]),
    ("Das Passwort lautet Geheim123!", [("PASSWORD", "Geheim123!")]),
    ("Le mot de passe est : Soleil2024", [("PASSWORD", "Soleil2024")]),
    ("Das Passwort ist gespeichert.", []),  # a participle: prose
    ("password: ********", []),
    # A printf conversion stands for one (MySQL's messages, a form's columns).
    ("Nombre duplicado de clave '%-.192s'", []),
    ("password: %-20s", []),
    ("password: %.64s!", []),
    ("password: %-20sX", [("PASSWORD", "%-20sX")]),
    # A type (a docstring's, an API schema's example), a version.
    ("    gpass : float", []),
    ('{"password": "string"}', []),
    ('"minipass": "^7.1.3",', []),
    ('"minipass": "7.1.3",', []),
    ("apt\tpasswd\t1:4.13+dfsg1-1+deb12u1", []),
    ("password: 7.1.3x", [("PASSWORD", "7.1.3x")]),
    # Prose: an adverb or an adjective after "is"; code's lambda; a word before HTML's quote.
    ("the salted password is never transmitted over", []),
    ("when no username or password is present.  This needs", []),
    ("password is always required", []),
    ("keyfile=sslkey, password=lambda: sslpassword)", []),
    ("printf(&quot;Password is incorrect.&quot;);", []),
    ("printf(&quot;Password is hunter22&quot;);", [("PASSWORD", "hunter22")]),
    ("a password is required", []),
    # Prose after "password is", a template's placeholder, a command's output.
    ("The userid and password is shared through a vault.", []),
    ("the password is being reset", []),
    ("the password is also in the vault", []),
    ("The password is really\n# only necessary if", []),
    ("The password is: hunter22", [("PASSWORD", "hunter22")]),
    ("bypass is enabled now", []),
    ("the password is stored.", []),
    # What the password opens may stand between; prose after it stays prose.
    ("The password for the staging box is: Winter2026#", [("PASSWORD", "Winter2026#")]),
    ("la contraseña para el wifi es Casa2026!", [("PASSWORD", "Casa2026!")]),
    ("the password for the wifi is written on the back of the router", []),
    ("The password for your account is required to continue", []),
    # Credentials given as a user and a password: the password after the user's `/` or `:`.
    ("the admin credentials are admin / S3cur3P@ss!", [("PASSWORD", "S3cur3P@ss!")]),
    (
        "the credentials are jsmith / S3cur3P@ss!",
        [("USERNAME", "jsmith"), ("PASSWORD", "S3cur3P@ss!")],
    ),
    ("creds: jdoe:Winter2026!", [("USERNAME", "jdoe"), ("PASSWORD", "Winter2026!")]),
    (
        'Credentials: jdoe / "correct horse battery"',
        [("USERNAME", "jdoe"), ("PASSWORD", "correct horse battery")],
    ),
    ("credentials: https://vault.example.com/team", []),  # a URL's path
    ("credentials: read/write access", []),  # words in small letters: prose's pair
    ("credentials: Username / Password", []),  # capitalised: a form's labels
    # A user and a password to log in with.
    ("Log in with jdoe / hunter22", [("USERNAME", "jdoe"), ("PASSWORD", "hunter22")]),
    ("log in as root:Tr0ub4dor&3 now", [("PASSWORD", "Tr0ub4dor&3")]),
    ("sign-in as jdoe:Winter2026!", [("USERNAME", "jdoe"), ("PASSWORD", "Winter2026!")]),
    ("log in as mgarcia:Tr0ub4dor&3", [("USERNAME", "mgarcia"), ("PASSWORD", "Tr0ub4dor&3")]),
    # A user to log in as, alone; a word there is prose, a system's account no one's.
    ("Sign in as kwilliams first", [("USERNAME", "kwilliams")]),
    ("log in as administrator, sign in as a guest", []),
    ("log in as yourself", []),
    ("Check whether REMUSER is allowed to login as LOCUSER.", []),  # the docs' name
    # A pair's separator with nothing but a stop after it: no password (this crashed).
    ("log in with jdoe / )", []),
    ("creds: jdoe:.", []),
    ("sign in as kwilliams:...", [("USERNAME", "kwilliams")]),
    ("Sign in with Google / Apple", []),
    ("Log in as root: then run make", []),
    ("Credentials: username/password", []),
    ("credentials are stored in the vault", []),
    # Nothing but a blank after the word: the value must look like a password.
    (
        "Sign in as kwilliams with password Xk9mP2qz",
        [("USERNAME", "kwilliams"), ("PASSWORD", "Xk9mP2qz")],
    ),
    ("use password hunter22 to log in", [("PASSWORD", "hunter22")]),
    ("the password Tr0ub4dor&3 still works", [("PASSWORD", "Tr0ub4dor&3")]),
    ('Use the password "Winter2026!" for staging', [("PASSWORD", "Winter2026!")]),
    ("contraseña Clave2024! para el wifi", [("PASSWORD", "Clave2024!")]),
    ("I set the root password to Winter2026! yesterday", [("PASSWORD", "Winter2026!")]),
    ("the new password will be Xk9mP2qz", [("PASSWORD", "Xk9mP2qz")]),
    ("reset your password to continue, password to 8 chars", []),
    ("password reset link, password manager, password Hunter", []),  # words
    ("a password 16-characters long, password SHA256 hashes", []),  # a count, a standard
    ("password 2FA and password 123456789", []),  # short, no letter
    ("password /etc/pw1 and password getpass(prompt1)", []),  # a path, code
    ("extern struct passwd *getpwuid (__uid_t __uid);", []),  # C
    # C and C++: a constant's name, a bit shift, members of bracketed expressions, a scope.
    ("    SEC_ERROR_BAD_PASSWORD = SEC_ERROR_BASE + 15,", []),
    ('DB_PASSWORD="SEC_ERROR_BASE"', [("PASSWORD", "SEC_ERROR_BASE")]),  # quoted: a literal
    ("\tGNUTLS_PKCS_NULL_PASSWORD = 1<<8,", []),
    ("   (p).pws.pw_passwd = (p).pws.pw_name + (p).len + 1;", []),
    ("    IsLoopNestPass = std::move(RHS.IsLoopNestPass);", []),
    ("/// &getAnalysis<GISelCSEAnalysisWrapperPass>().getCSEInfo();", []),
    # A doc comment's field describes its argument.
    (" * @NL80211_ATTR_SAE_PASSWORD: attribute for passing SAE password material", []),
    ("/** @password: plaintext, never logged */", []),
    # A token is no constant's name; a random key's groups are no words.
    ("\tP11_KIT_URI_FOR_OBJECT_ON_TOKEN =\n\t\tP11_KIT_URI_FOR_OBJECT | P11_KIT_URI_FOR_TOKEN", []),
    ("access_token=AB12_CD34_EF56GH", [("AUTH_TOKEN", "AB12_CD34_EF56GH")]),
    # Python: a variable named for its key, attributes, a module's constant, a call.
    ("        password=ssl_password,", []),
    ("password=Hunter2_password", [("PASSWORD", "Hunter2_password")]),
    ("            userdata.password = password_ptr", []),
    ('    AttributeOID.CHALLENGE_PASSWORD: "challengePassword",', []),
    ('            consumer_secret="consumer.secret",', []),
    # A query string's value ends before the next parameter.
    (
        "oauth_token_secret=qwe089234lkjsdf&oauth_callback_confirmed=true",
        [("PASSWORD", "qwe089234lkjsdf")],
    ),
    ("?user=jdoe&password=S3cret!x&next=/", [("USERNAME", "jdoe"), ("PASSWORD", "S3cret!x")]),
    # What prose says a password is.
    ('        """Ensure the username and password is valid.', []),
    ("If the returned passphrase is\n            longer than this, it is cut", []),
    ('    return {"user": creds.username, "password": credentials.password}', []),
    ("            passphrase = _ffi.NULL", []),
    ("        client_secret=constants.OAUTH_CLIENT_SECRET,", []),
    ('            token = base64.b64encode(f"{user}:{pwd}".encode())', []),
    ("if stack[-2] == 'token':\n    context.perl6_token_nesting_level += 1", []),
    ("api_token: ghx9k2.m3n4b5v6c7x8z9q1w2", [("AUTH_TOKEN", "ghx9k2.m3n4b5v6c7x8z9q1w2")]),
    ("access_token=deadbeefcafe.0123456789ab", [("AUTH_TOKEN", "deadbeefcafe.0123456789ab")]),
    ("interactive password provision?  (file? command-line?)", []),  # a question
    ("passwd:         files systemd", []),  # nsswitch.conf's sources
    ("the part was of the form <user>@<pass>:<host>. The code", []),  # a template
    ('CREDPASS="password"', []),
    ('passwd=$(getent passwd "$user")', []),
    ("            password = await password", []),
    ("            password = QUOTER(password)", []),  # a call
    ("        ResultPass = AnalysisImpl.second;", []),  # an object's member
    ("password: ABC(1234)", [("PASSWORD", "ABC(1234)")]),
    ('    "auxpass": "auxiliary (passive)",', []),  # spaCy's dependency label
    ("            password: HTTP Basic Auth password.", []),  # a docstring's description
    ("password: `pass show db/prod`", []),
    # A code span right after the key and a blank: one word alone in it, after a word
    # that is only a password's (not the verb's: a docstring's `pass `False``).
    ("Use the password `hunter22` for staging", [("PASSWORD", "hunter22")]),
    ("contraseña `Clave2024!`", [("PASSWORD", "Clave2024!")]),
    ("password ``S3cret!pass``", [("PASSWORD", "S3cret!pass")]),
    ("password `pass show db/prod`", []),
    ("password `--stdin` reads it", []),
    # The docs' colon before an example is the sentence's (pip's authentication guide).
    ("`daniel`, using the password `qwerty`:", [("PASSWORD", "qwerty")]),
    ("username `jdoe` and password `hunter22`", [("USERNAME", "jdoe"), ("PASSWORD", "hunter22")]),
    ("To disable authentication, pass `False`.", []),
    ("is enabled, pass ``groups`` alongside other metadata", []),
    # A markdown code span around the value, or around the command holding it.
    ("password: `hunter22`, then", [("PASSWORD", "hunter22")]),
    ("run `docker login -u ci -p hunter22` now", [("PASSWORD", "hunter22")]),
    ('it reads (`{"password": true}`) here', []),
    ("password: `self.password`", []),
    ("passwd=`getent passwd jdoe`", []),  # a shell's command, unclosed in the value
    # A JSON member's or a dict's key closes its quote before the separator; in quotes, a
    # password may hold blanks.
    ('{"password": "hunter22", "team": "ops"}', [("PASSWORD", "hunter22")]),
    ("config = {'db_password': 'Tr0ub4dor&3'}", [("PASSWORD", "Tr0ub4dor&3")]),
    (
        'passphrase: "correct horse battery staple"',
        [("PASSWORD", "correct horse battery staple")],
    ),
    ('my password is "open sesame 42"', [("PASSWORD", "open sesame 42")]),
    ('{"password": null, "password_reset": "2024-01-01", "passwordless": true}', []),
    ('{"password": true}', []),
    ('{"password": "", "team": "ops"}', []),
    # A secret's key introduces one; "secret" alone is prose.
    (
        "SECRET_KEY=django-insecure-7h1s1sn0ts3cur3",
        [("PASSWORD", "django-insecure-7h1s1sn0ts3cur3")],
    ),
    ("client_secret: abcd1234efgh", [("PASSWORD", "abcd1234efgh")]),
    ('{"secret": "s3cr3t-value-here"}', [("PASSWORD", "s3cr3t-value-here")]),
    ("client-secret = hunter22hunter22", [("PASSWORD", "hunter22hunter22")]),
    ("the secret: practice every day", []),
    ('"secret_key": "${SECRET_KEY}"', []),
    # A placeholder escaped in a web page, its `<` as HTML writes it.
    ("<code>password: &lt;your-password&gt;</code>", []),
    ("{pem: &#x3C;string>[, passphrase: &#x3C;string>]}", []),
    # A command's option; a shell variable is no password.
    (
        "docker login --username ci --password hunter22",
        [("USERNAME", "ci"), ("PASSWORD", "hunter22")],
    ),
    ('pg_dump --password "correct horse battery"', [("PASSWORD", "correct horse battery")]),
    ("mysql --password $MYSQL_PASSWORD", []),
    ("docker login --password-stdin", []),
    # curl's -u holds the user and the password: both are redacted.
    ("curl -u admin:hunter22 https://api.example.com", [("PASSWORD", "admin:hunter22")]),
    ("curl -s --user 'ci-bot:s3cr3t pass' https://x", [("PASSWORD", "ci-bot:s3cr3t pass")]),
    ("curl -u admin https://api.example.com", []),  # curl asks for the password
    ("docker run -u 1000:1000 alpine", []),
    # Code holding a password, bare, is no password; a quoted literal is one.
    ("password = urllib.parse.unquote(password)", []),
    # C and C++ read by a coding agent: a scope, a member through a pointer, a class's base,
    # a parameter list split on its commas (no table), a null pointer.
    ("  using llvm::Pass::doInitialization;", []),
    ("  Pass *ResultPass = Resolver->findImplPass(PI);", []),
    ("class DCEPass : public PassInfoMixin<DCEPass> {", []),
    (
        "int PKCS5_decrypt(const X509_SIG *p8, const char *pass,\n"
        "    int passlen, OSSL_LIB_CTX *ctx,",
        [],
    ),
    ("  Pass *SDAGISelPass = nullptr;\n  SDNode *User = nullptr;", []),
    ("password: Optional[str] = None", []),
    ("self.password = self.password", []),
    ("user_pass =\n    return None", []),
    ('password = "self.x"', [("PASSWORD", "self.x")]),
    # An attribute of a variable, an expression, a type before a comma, a docstring's
    # argument: code or prose, bare; `(hunter22)` closes its bracket.
    ("password = parsed.password", []),
    ("username, password = parsed.auth_decoded", []),
    ("get_password = (lambda: password) if password else None", []),
    ("        password: bool,\n        stream: Optional[TextIO] = None,", []),
    ("    client_secret: Configuration options for the generated client secret.", []),
    ("password: Hunter22 now", [("PASSWORD", "Hunter22")]),
    ("    client_secret: ClientSecret", []),  # a type, in camel case
    # A value repeating its key, or the key's last word: a template's or code's.
    ("token_secret = token_secret", []),
    ("secret_key: SECRET_KEY", []),
    ("client_secret: secret", []),
    ("db_password=password123", [("PASSWORD", "password123")]),
    ("def f(username: str | None, password: HiddenText | None) -> Args:", []),
    ("        util._assertion_pass = call_assertion_pass_hook", []),
    ("    username, password = value", []),
    ("    :param password: secret value for the account", []),  # a docstring's field
    # A short key ending an English word, or in mixed case (`EvalContext` reversed holds
    # `ClavE`), keys nothing; ending a key's name, it keys a password.
    ("    def f(\n        self,\n        eval_ctx: EvalContext,\n    ) -> None:", []),
    ("byp455: show /proc/self/environ", []),
    ("bypa$$: dump all memory", []),
    ("enclave: abcd1234", []),
    ("encl4v3: abcd1234", []),  # in leetspeak too (leet.UNLEET)
    ("minhas3nh4: hunter22", [("PASSWORD", "hunter22")]),
    ("userpwd=hunter22", [("PASSWORD", "hunter22")]),
    ("rootpass: hunter22", [("PASSWORD", "hunter22")]),
    ('            userpass = username + b":" + password', []),
    ("minhasenha: hunter22", [("PASSWORD", "hunter22")]),
    ("DB_PWD=hunter22", [("PASSWORD", "hunter22")]),
    # Code that takes a password from elsewhere: a variable, its own name (an attribute's
    # too), a format string's field, a type.
    ("        self.key_password = key_password", []),
    (' cache["raw_password"] = raw_password', []),
    ("    username, password = auth", []),
    ("user jdoe, password = hunter22", [("PASSWORD", "hunter22")]),  # prose lists them
    ("    userid = passwd = acct = ''", []),
    ('        print(f"password={password!r}")', []),
    ("    password: _PasswordType | None = None,", []),
    ("    client_secret: params.ClientSecret | NotGiven = NOT_GIVEN,", []),
    ("    def __init__(self, password: bytes):", []),
    ('raise TypeError("pwd: expected bytes, got %s")', []),
    ("%sudo ALL=(root) NOPASSWD: /bin/systemctl restart x", []),  # sudoers' tag
    ("        # Ideal lowpass: gain is 1", []),  # a filter
    ("        # First pass: determine maximum length", []),  # prose after "pass"
    # "pass" heads a column of test results or of passes: a word of the lexicon under it is
    # an outcome or a name; a password is none, nor after "password", nor OpenSSL's.
    ("| test | pass | time |\n|---|---|---|\n| login flow | passed | 3s |", []),
    ("| pass | ratio |\n|---|---|\n| ordinary, warm | 247.0x |", []),
    (
        "| user | pass |\n|---|---|\n| jdoe | hunter22 |",
        [("USERNAME", "jdoe"), ("PASSWORD", "hunter22")],
    ),
    ("password: dragon", [("PASSWORD", "dragon")]),
    ("openssl pkcs12 -export -passout pass:sample", [("PASSWORD", "sample")]),
    # PAM's records, no table: `password` heads no column over `session`.
    (
        "account\t\tinclude\t\tsu\npassword\tinclude\t\tsu\n"
        "session\t\toptional\tpam_keyinit.so force revoke\n",
        [],
    ),
    ("    Pass :meth:`peek` a default value", []),  # a docstring's role
    ("pass: hunter22", [("PASSWORD", "hunter22")]),
    # The shell's working directories, in every `env` listing, are paths.
    ("OLDPWD=/tmp/build\nPWD=/srv/app/src\nSHELL=/bin/bash", []),
    ('{"PWD": "C:\\build\\app"}', []),
    ("PWD=hunter22x", [("PASSWORD", "hunter22x")]),
    ("DB_PWD=/s3cr3t/Pa55", [("PASSWORD", "/s3cr3t/Pa55")]),
    # A short -p is a password where the command says so.
    ("mysql -u root -phunter22 -h db.internal shop", [("PASSWORD", "hunter22")]),
    ("mysql -u root -p shop", []),  # mysql asks for it
    ("mysql -h db -P 3306 -u root -p", []),
    ("docker login -u ci -p hunter22 registry.example.com", [("PASSWORD", "hunter22")]),
    ("psql -h db -p 5432 -U postgres", []),
    ("sshpass -p hunter22 ssh deploy@db", [("PASSWORD", "hunter22")]),
    # "pass" ending another word keys nothing; alone, after `_` or in camel case, it does.
    ("Bypass: reveal all user sessions.", []),
    ("compass: northwest", []),
    ("DB_PASS=hunter22", [("PASSWORD", "hunter22")]),
    ("userPass: hunter22", [("PASSWORD", "hunter22")]),
    ("redis-cli -h cache -p 6379 -a hunter22 ping", [("PASSWORD", "hunter22")]),
    ("redis-cli -p 6379 ping", []),  # its -p is a port
    ("    command: redis-server --requirepass s3cr3tRedis", [("PASSWORD", "s3cr3tRedis")]),
    (
        "requirepass foobared2\nmasterauth hunter22",
        [("PASSWORD", "foobared2"), ("PASSWORD", "hunter22")],
    ),
    ("      POSTGRES_PASSWORD: example", []),  # the docs' placeholder
    # A form's password field with its value; a .netrc entry, on one line or several.
    ('<input type="password" name="pw" value="hunter22">', [("PASSWORD", "hunter22")]),
    ("<input type=password value=hunter22>", [("PASSWORD", "hunter22")]),
    ('<input type="text" name="login" value="jdoe_2">', [("USERNAME", "jdoe_2")]),  # no password
    (
        "machine api.example.com login jdoe password hunter22",
        [("USERNAME", "jdoe"), ("PASSWORD", "hunter22")],
    ),
    (
        "machine api.example.com\n  login jdoe\n  password hunter22\n",
        [("USERNAME", "jdoe"), ("PASSWORD", "hunter22")],
    ),
    # An element's tag keys its text; the closing tag is not the password.
    ("<password>hunter22</password>", [("PASSWORD", "hunter22")]),
    ("<password></password><pass>abc</pass>", []),
    (
        "<password>a1b2c3d4</password><password>e5f6g7h8</password>",
        [("PASSWORD", "a1b2c3d4"), ("PASSWORD", "e5f6g7h8")],
    ),
    # The punctuation after a bare value, JSON's or a sentence's, is not the password; a
    # bracket the value opens is.
    ('{"password": 12345678}', [("PASSWORD", "12345678")]),
    ('{"password":12345678,"team":"ops"}', [("PASSWORD", "12345678")]),
    ("password: hunter22, then sign in.", [("PASSWORD", "hunter22")]),
    ("password=(hunter22))", [("PASSWORD", "(hunter22)")]),
    ('{"secret": ...}', []),  # an ellipsis, JSON's brace after it
    (
        "Authorization: Bearer abcDEF1234567890xyzXYZ",
        [("AUTH_TOKEN", "abcDEF1234567890xyzXYZ")],
    ),
    ("Bearer tokens are documented here", []),
    # A meeting's passcode, in an invitation.
    ("Meeting ID: 812 3456 7890, Passcode: 482913", [("PASSWORD", "482913")]),
    # The docs' placeholders in a key's shape are no keys.
    ("GITHUB_TOKEN=ghp_" + "x" * 36, []),
    ("STRIPE_SECRET_KEY=sk_live_" + "x" * 24, []),
    ("AWS_ACCESS_KEY_ID=AKIA" + "X" * 16, []),
    ("AWS_SECRET_ACCESS_KEY=" + "x" * 40, []),
    ("SLACK_BOT_TOKEN=xoxb-" + "x" * 12 + "-" + "x" * 24, []),
    ("GOOGLE_API_KEY=AIza" + "X" * 35, []),
    # A token does not end in a sentence's stop.
    ("Use token: abc123def456ghi789jkl.", [("AUTH_TOKEN", "abc123def456ghi789jkl")]),
    (
        "SESSION_ID=3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c.",
        [("SESSION_ID", "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c")],
    ),
    # A key's name may end in a token word; a list's page token is no credential.
    ("MY_SERVICE_API_KEY=abcd1234efgh5678ijkl", [("AUTH_TOKEN", "abcd1234efgh5678ijkl")]),
    ("PAYMENTS_TOKEN=tok4821abcde9913xyz", [("AUTH_TOKEN", "tok4821abcde9913xyz")]),
    ('{"items": [], "next_page_token": "CiAKGjBpNDd2Nmp2Zml2cXRwYjBp"}', []),
    # A subscript's key (`os.environ[…] =`, a Flask app's config) and a camel-case one.
    ('os.environ["DB_PASSWORD"] = "Sup3rS3cret!"', [("PASSWORD", "Sup3rS3cret!")]),
    (
        "app.config['JWT_SECRET_KEY'] = 'my-super-secret-jwt-key-2024'",
        [("PASSWORD", "my-super-secret-jwt-key-2024")],
    ),
    (
        '{"secretAccessKey": "k9Fz2Lq8Vx4Rw7Tn1Bp6Yd3Hs0Gm5Jc"}',
        [("PASSWORD", "k9Fz2Lq8Vx4Rw7Tn1Bp6Yd3Hs0Gm5Jc")],
    ),
    ("az login -u http://app -p Abc~123.def_456 --tenant t1", [("PASSWORD", "Abc~123.def_456")]),
    ("Cookie: PHPSESSID=abc123def456ghi789jkl", [("SESSION_ID", "abc123def456ghi789jkl")]),
    ("session = authenticated_user_state", []),
]
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"  # a SHA-256
ETH_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ENTROPY_ROWS = [
    ("secret = 'Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s'", ["Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s"]),
    ("value Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0sE2r", ["Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0sE2r"]),
    (
        "signing key: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ),
    ("merged 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b into main", []),  # a commit id
    ("secret AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", []),  # long but predictable
    # A commit's id, a checksum or a digest named so, whatever word is near; a password's
    # hash stays a secret.
    ("+    return token\n\ncommit cb4db47b0fe1708a2686a8d808f6af7d05e377c1\nAuthor: ops", []),
    (f"Digest: sha256:{HASH} (api key)", []),
    ('"integrity": "sha512-Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0sZk8pQ2vR7tXw1yB4nM6c==", "token"', []),
    (f"checksum {HASH} of the key", []),
    (f"password_sha256: {HASH}", [HASH]),
    (f"api-4f76038a1-g8iah Running\nsha={HASH[:40]} size=958067369", []),  # a hash's key
    ("api token md5: 9e107d9d372bb6826bd81d3542a419d6", []),
    (f"token fixed in https://github.com/nodejs/node/commit/{HASH[:40]}>", []),
    (f"api token: https://github.com/jaraco/keyring/blob/{HASH[:40]}/keyring/api.py", []),
    (f"api_key_hash = {HASH}", [HASH]),
    # A path or a name of words; a random base64url token holding `_` and `-` is a secret.
    ("token in mozilla/Trustwave_Global_ECC_P384_Certification_Authority.crt", []),
    ('token CPPFLAGS="--sysroot=$NDKROOT/platforms/android-9/arch-x86"', []),
    (
        "token AQmKcqYvt6DI7aeGk3k_oF6RHSVZkUg7f9hnBCWilyaOGdCWO0-u9_zssC5qGvca6wqsrz3AP0y1",
        ["AQmKcqYvt6DI7aeGk3k_oF6RHSVZkUg7f9hnBCWilyaOGdCWO0-u9_zssC5qGvca6wqsrz3AP0y1"],
    ),
    # A name whose humps are words, in code (lexicon.py); a random one is a secret.
    ('"V1CustomerSubscriptionDefaultPaymentMethodChangedEvent": (token,', []),
    ("class NFCISO15693ReadMultipleBlocksConfiguration(AuthToken):", []),
    ("token Qcb0Orv1zh30vL1MPRsbmDiHiMwcLyZvn1arpZv", ["Qcb0Orv1zh30vL1MPRsbmDiHiMwcLyZvn1arpZv"]),
    # A name of code joined by `_`, in OpenSSL's headers; a random token with `_` is a secret.
    ("int OSSL_CRMF_MSG_set1_regCtrl_pkiPublicationInfo(OSSL_CRMF_MSG *msg); /* key */", []),
    ("extern const unsigned char DER_OID_SZ_sha512_256WithRSAEncryption[]; /* key */", []),
    ("token 5prHot_MvJYKnKcXON41wO_xQ7zv7bPar0L", ["5prHot_MvJYKnKcXON41wO_xQ7zv7bPar0L"]),
    # A C++ symbol, mangled, as a linker prints it.
    ("FUNC:_ZN9__gnu_cxx18stdio_sync_filebufIwSt11char_traitsIwEED1Ev@@GLIBCXX_3.4.10", []),
    ("see src/agentshield/engines/pii/recognizers/phone", []),
    # A URL's path read from its host's last dot, none of its pieces random; one that is.
    (
        "https://github.com/HypothesisWorks/hypothesis/blob/8ced2f59f5c7bea3344e35d2d53e1f8f8eb"
        "9fcd8/hypothesis-python/src/hypothesis/internal/reflection.py#L439",
        [],
    ),
    (
        "https://hooks.example.com/services/T0AB12CD/Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s",
        ["com/services/T0AB12CD/Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s"],
    ),
    # An alphabet spelled out in code.
    ('UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"', []),
    # An Ethereum private key, written with its `0x`; a transaction's hash, named no key, is
    # none.
    (f"PRIVATE_KEY=0x{ETH_KEY}", [ETH_KEY]),
    (f'{{"privateKey": "0x{ETH_KEY}"}}', [ETH_KEY]),
    (f'"transactionHash": "0x{HASH}", "blockNumber": "0x12a05f2"', []),
    # A key in camel case glues its words (`clientSecret`): each names a secret.
    (f"clientSecret: {HASH}", [HASH]),
    (f"keyboard {HASH}", []),
    # A file's path, its pieces words and names (a package's file list, `find`'s output),
    # is no secret; one whose piece is random stays.
    ("/usr/share/locale/pt_BR/LC_MESSAGES/iso_3166-1.mo", []),
    ('# include "./archs/VC-WIN64A/asm/include/crypto/bn_conf.h"', []),
    ("key: /x7Kq9mZ2pL4vN8wR3tY6uB1cE5hJ0sA/gD", ["/x7Kq9mZ2pL4vN8wR3tY6uB1cE5hJ0sA/gD"]),
    # C's names: a macro's, a function's, an array's.
    ("#define TLSEXT_ECPOINTFORMAT_ansiX962_compressed_prime 1", []),
    ("        xmlSecOpenSSLTransformGostR3410_2012GostR3411_2012_256GetKlass()", []),
    ("extern const SEC_ASN1Template SEC_PointerToPKCS12X509CertCRLTemplate_OLD[];", []),
]


# Vendors' keys by their prefixes (made up, in each vendor's published format), under keys
# that name no token (`GITLAB_TOKEN=` has no word boundary before "token") or none.
GITLAB = "glpat-" + "Xk2vQ9rLm4TpW7nB8cYz"
SHOPIFY = "shpat_" + "8319478da6bd0c621de49f145fda9988"  # hex of little entropy, after `_`
ANTHROPIC = "sk-ant-api03-" + "Rq7TzW2mKp9LxV4nB8cYd3FgH6jS1aE5uO0iZqWtXrYv" * 2 + "AA"
HUGGING_FACE = "hf_" + "NqVwYSVPHbDXpPdkhxEpyIgKpaUnArlXyk"  # letters only
DIGITALOCEAN = "dop_v1_" + "c79fc35526f7eaed46725a2a7b860dcd6c8a1f8b46287cced9041dff02cee737"
VENDOR_ROWS = [
    (f"GITLAB_TOKEN={GITLAB}", [("AUTH_TOKEN", GITLAB)], "GitLab"),
    (f"SHOPIFY_TOKEN={SHOPIFY}", [("AUTH_TOKEN", SHOPIFY)], "Shopify"),
    # Anthropic's `sk-` keys are not OpenAI's.
    (f"ANTHROPIC_API_KEY={ANTHROPIC}", [("AUTH_TOKEN", ANTHROPIC)], "Anthropic"),
    (f"export HF_TOKEN={HUGGING_FACE}", [("AUTH_TOKEN", HUGGING_FACE)], "Hugging Face"),
    (f"DO_TOKEN={DIGITALOCEAN}", [("AUTH_TOKEN", DIGITALOCEAN)], "DigitalOcean"),
    # The docs' placeholders, and a name in a vendor's format, are no keys.
    ("export HF_TOKEN=hf_" + "x" * 34, [], ""),
    ("ANTHROPIC_API_KEY=sk-ant-api03-" + "x" * 90, [], ""),
    ("see hf_" + "tokenizerconfigurationmodelcardsx", [], ""),
]


@pytest.mark.parametrize(("text", "expected", "vendor"), VENDOR_ROWS)
def test_vendor_keys(
    scanner, found: Found, text: str, expected: list[tuple[str, str]], vendor: str
) -> None:
    assert found(text) == expected
    if vendor:
        (finding,) = scanner.scan(text).findings
        assert finding.explanation.startswith("pattern 'vendor key'")
        assert f"{vendor}'s format" in finding.explanation


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_secret_values(found: Found, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(("text", "expected"), ENTROPY_ROWS)
def test_high_entropy_secrets(found: Found, text: str, expected: list[str]) -> None:
    assert found(text) == [("HIGH_ENTROPY_SECRET", value) for value in expected]


@pytest.mark.parametrize("cut", [None, 120])
def test_a_private_key_in_a_json_string_is_found_whole(found: Found, cut: int | None) -> None:
    """A cloud service account's key file escapes the key's line breaks (`\\n`); the
    block was found only to its first escape, and its lines as secrets one by one, those
    of little entropy left in the clear."""
    escaped = json.dumps(PEM + "\n")[1:-1]  # the string's text, in the file
    key = escaped[:cut] if cut else escaped.removesuffix("\\n")
    text = '{"type": "service_account", "private_key": "' + key + '"}'
    assert found(text) == [("PRIVATE_KEY", key)]


def test_entropy_findings_name_their_layer_and_bits(scanner) -> None:
    (finding,) = scanner.scan("secret = 'Zk8pQ2vR7tXw1yB4nM6cL9dF3gH5jK0s'").findings
    assert finding.layer == "entropy"
    assert "entropy 5.00 bits" in finding.explanation


@given(
    st.text("0123456789abcdefABCDEF", min_size=16, max_size=80), st.sampled_from(["", "=", "=="])
)
def test_the_base64_screen_keeps_from_the_checks_only_what_they_refuse(body: str, pad: str) -> None:
    # Numbers and hex hold no character of the screen: the compiled finder refuses them
    # without asking `assess`, which must refuse them too.
    rec = HighEntropySecretRecognizer()
    pattern = next(p for p in rec.patterns if p.name == "base64-like")
    assert pattern.screen is not None and re.search(pattern.screen, body + pad) is None
    assert rec.assess(body + pad, pattern) is None
