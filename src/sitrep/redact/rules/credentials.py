"""Credentials: values under secret-like keys, headers, cookies, URLs, PEM blocks, JWTs.

Every match here is removed (masked) in every profile. The key-value rules cover
``key=value``, ``key: value``, ``"key": "value"`` (also escaped JSON inside a log line),
XML attributes and elements, ``name``/``value`` pairs and command-line flags.
Strong keys (password, secret, token, API key, ...) hide any value that is not a
placeholder; weak keys (key, auth, signature, session, ...) only hide random-looking values.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re

from sitrep.redact.rules import CheckContext, Groups, Rule
from sitrep.redact.rules.text import UUID, is_placeholder, key_is_descriptive, looks_random

#: Broad key words for the fast candidate pattern; ``key_strength`` decides precisely.
KEY_WORDS = (
    r"pass|pwd|pw|secret|token|key|credential|creds|auth|session|cookie|sig|salt|dsn|"
    r"connstr|connection.?string|licen[cs]e|otp|bearer|psk|community|verifier|device.?code|oinkcode|"
    r"clear-?text"
)
_STRONG = re.compile(
    rb"passw|pass[._-]word|passphrase|^pass$|key[._-]?base$|[._-]pass$|(?<=[a-z])(?<!by)pass$|^pwd$|[._-]pwd$|pwd$|secret(?!ar)|token(?!i[sz])|"
    rb"apikey|api[._-]key|^sig$|"
    rb"accesskey|access[._-]key|privatekey|private[._-]key|credential|^creds?$|accountkey|"
    rb"sharedaccesskey|sas[._-]?token|connection[._-]?string|connstr|licen[cs]e[._-]?key|"
    rb"encryption[._-]?key|signing[._-]?key|master[._-]?key|auth[._-]?key|_authtoken|"
    rb"^pw$|[._-]pw$|(?:^|[._-])(?:bind|root|admin|db|user)pw$|psk|pre[._-]?shared[._-]?key|"
    rb"community|code[._-]?verifier|device[._-]?code|(?:primary|secondary)[._-]?key|oinkcode|"
    rb"ticket[._-]?salt|pass4symmkey|(?:pass(?:word|wd)?|pwd)[._-]?(?:hash|salt)|erlang[._-]?cookie|"
    rb"^clear[._-]?text$|"
    # Directives that name a password without saying so (Redis, SSSD) and the signatures of
    # pre-signed cloud URLs, which grant access until they expire.
    rb"requirepass|masterauth|authtok|(?:routing|integration|app|application|subscription|validation|decryption)[._-]?key|(?:amz|goog)[._-]signature|(?:hmac|aes|cipher|jwt)[._-]?key"
)
#: ``keystorePass``, ``bindPw``: a camel-case key whose last word is a password.
_SOURCE_FILE = re.compile(rb"\.(?:rs|py|go|java|js|ts|rb|c|h|cc|cpp|kt|scala|php|cs|swift)$")
_CAMEL_STRONG = re.compile(rb"[a-z0-9](?:Pass|Pw|PW)$")
_WEAK = re.compile(rb"key|auth|sig|salt|session|cookie|licen[cs]e|otp|bearer|dsn")
#: A counter or flag word before the key (``max_password_age``, ``usePassword``), but not the
#: start of a longer word (``userPassword``, ``issuerSecret``).
_COUNTER_WORDS = rb"max|min|num|total|count|use|has|is|show|enable|disable"
#: camelCase only in lower case: "MINIO_ROOT_PASSWORD" does not start with "MIN".
_COUNTER_PREFIX = re.compile(
    rb"^(?:(?i:" + _COUNTER_WORDS + rb")[._-]|(?:" + _COUNTER_WORDS + rb")(?=[A-Z]))"
)
_ARN = re.compile(rb"\barn:[\w-]+:[^\s\"']*$")
_IAM_SERVICE = re.compile(rb"[a-z0-9-]+:")
_IAM_ACTION = re.compile(rb"(?:[A-Z][a-z]+){2,}\*?|[A-Z]?[a-z]*\*")
_HEXISH = re.compile(rb"^(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|[0-9a-fA-F]+)$")
_TOKENISH = re.compile(rb"^[A-Za-z0-9+/=_.~%-]+$")
#: ``jjwt-api:0.12.3`` after ``io.jsonwebtoken:``: a Maven/Gradle coordinate, not a secret.
_COORDINATE = re.compile(
    rb"[A-Za-z][\w.-]*(?::[A-Za-z][\w.-]*)*:\d+(?:(?:\.\d+)+[\w.+-]*)?(?::\w+)?$"
)
#: ``os.environ.get(``, ``process.env.X``, ``ENV[``: code that reads a secret, not the secret.
_CODE = re.compile(
    rb"(?:process\.env\.\w+|[A-Za-z_]\w*(?:\.\w+)+(?=[(\[])|(?:get)?env(?:iron)?(?=[(\[])|ENV\["
    # Jenkins' credentials('id'), a helper's call: a function, not a value.
    rb"|(?:credentials|secret|token|password|vault|lookup|file|readFile)(?=\()"
    rb")"
)


@functools.lru_cache(maxsize=4096)
def key_strength(key: bytes) -> int:
    """Return 2 for a strong secret key, 1 for a weak one, 0 for a key that is not secret.

    Cached: logs repeat a handful of keys on every line, and the three searches cost a few
    microseconds per match.
    """
    bare = key.strip(b"\"'\\- ")
    plain = bare.lower()
    if _SOURCE_FILE.search(plain):
        return 0  # "src/auth/token.rs:14:22": a file and a line, not a key
    if plain in (b"secret_id", b"secret-id", b"passwords_listener"):
        return 2  # Vault AppRole's login secret; Oracle listener.ora's password
    if key_is_descriptive(bare) or _COUNTER_PREFIX.match(bare):
        return 0
    if _STRONG.search(plain) or _CAMEL_STRONG.search(bare):
        return 2
    return 1 if _WEAK.search(plain) else 0


#: Values that say what the secret is, not what it is: a URL without user-info (nginx
#: ``proxy_pass http://...``), a Java class (``...decrypter.classname=com.acme.Cipher``), a
#: JSON object (a pointer into a secrets manager), or a sentence (a validation message).
NOT_A_SECRET = re.compile(
    rb"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^@\s]*"
    rb"|(?:[\w.-]+:)?(?:~|\.{1,2})?/[\w.@+-]+(?:/[\w.@+-]*)+"
    rb"|\d+:\d+"
    # Terraform references, PowerShell prompts, name-version packages (secretstorage-3.3.3).
    rb"|(?:var|local|data|module|each)\.[\w.\[\]\"-]+"
    rb"|(?:Read|Get|ConvertTo|ConvertFrom|Import)-[A-Z]\w+"
    # unattend.xml's configuration passes (<settings pass="oobeSystem">); a message that
    # names a variable ("SR_SYNC_PASSWORD not set").
    rb"|windowsPE|offlineServicing|generalize|specialize|auditSystem|auditUser|oobeSystem"
    # A ModSecurity operator: SecRule ARGS:password "@rx ^.{0,7}$".
    rb"|@(?:rx|pm|pmf|streq|contains|beginsWith|endsWith|eq|ge|gt|le|lt|within|detectSQLi"
    rb"|detectXSS|validateByteRange)\b[\s\S]*"
    rb"|[A-Z][A-Z0-9_]+ (?:is )?(?:not set|missing|required|must be set)"
    rb"|[A-Za-z][\w.]*(?:-[A-Za-z][\w.]*)*-\d+(?:\.\d+)+[\w.+-]*"
    rb"|[\w.-]+\.(?:key|pem|crt|cer|p12|pfx|jks|keystore|der|pass|txt|conf|cfg)"
    rb"|(?:sha\d*|md5)=[0-9a-fA-F]+"
    rb"|[a-z]+(?:Pwd|Password|Pass)[A-Za-z]*"
    rb"|(?:[a-z][a-z0-9_]*\.){2,}[A-Z][A-Za-z0-9_$]*"
    rb"|\{\s*\\?\"[^\"]+\\?\"\s*:[\s\S]*\})$"
)
_KEY_IS_VALUE = re.compile(rb"[A-Za-z_][\w.-]*=[^=]")
_PASSWORD_KEY = re.compile(rb"(?i)pass|pwd|pw$")
_CONN_KEY = re.compile(rb"(?i)conn(?:ection)?[._-]?str|connectionstring")
_CONN_PASSWORD = re.compile(rb"(?i)(?:password|pwd|secret|key|token)\s*=")
_PROSE = re.compile(rb"(?i)(?:\S+\s+){4,}\S+")
_PROSE_WORDS = re.compile(rb"(?i)\b(?:the|must|should|is|are|be|not|least|characters|contain)\b")


def plain_key_end(key: bytes) -> bytes:
    """The last word of a key, lower case: ``NEO4J_AUTH`` -> ``auth``."""
    return re.split(rb"[._\-\s\"']", key.strip(b"\"' ").lower())[-1]


#: A version, a duration or a rate: the setting of a key about secrets, not one.
_SETTING = re.compile(
    rb"^(?:[\^~<>=v]*\d+(?:\.\d+){1,3}(?:-[a-z][\w.]*)?"
    rb"|\d+\.v[0-9a-f]+(?:_[0-9a-f]+)*_?"  # a Jenkins plugin: credentials:1319.v7eb_51b_3a_c97b_
    rb"|-?\d+(?:\.\d+)?(?:\.(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)"
    rb"|/(?:s|sec|second|m|min|minute|h|hour|d|day))|-1)$"
)


def value_is_secret(key: bytes, value: bytes) -> bool:
    """Decide whether ``value`` found under ``key`` is a credential to hide."""
    if key.strip(b"\"' ").lower() == b"secretid":
        return UUID.match(value) is not None  # Consul's token; AWS's SecretId names a secret
    strength = key_strength(key)
    if strength == 0 or is_placeholder(value) or NOT_A_SECRET.match(value):
        return False
    if key.strip(b"\"' ").lower() in (b"pwd", b"oldpwd") and value[:1] in (b"/", b"~"):
        return False  # The shell's working directory, not a password.
    if value == key or (_PROSE.match(value) and len(_PROSE_WORDS.findall(value)) >= 2):
        return False  # "session.tokenkey=session.tokenkey", "The password must be ..."
    if _SETTING.match(value):
        return False  # "jsonwebtoken": "9.0.2", reset_password_within = 6.hours, "10/minute"
    if strength == 2:
        if _CONN_KEY.search(key) and b"=" in value and not _CONN_PASSWORD.search(value):
            return False  # "Data Source=x;Integrated Security=SSPI": nothing secret in it
        return not (value.isdigit() and len(value) <= 3)
    value = value.removeprefix(b"base64:")  # Laravel's APP_KEY=base64:...
    if plain_key_end(key) == b"auth" and (b"/" in value or b":" in value) and len(value) >= 8:
        return True  # NEO4J_AUTH=neo4j/secret, auth=user:password
    if plain_key_end(key) in (b"auth", b"session", b"sid", b"license") and _HEXISH.match(value):
        return len(value) >= 32  # Zabbix "auth": "<hex>", a session id, newrelic.license
    name, colon, rest = value.partition(b":")
    if colon and name and _TOKENISH.match(rest) and looks_random(rest, min_len=20, min_entropy=3.5):
        return True  # auth=ACCOUNT_SID:AUTH_TOKEN, key=id:secret
    if _HEXISH.match(value):
        return False
    if not _TOKENISH.match(value):
        # Random keys with symbols (WordPress's LOGGED_IN_KEY, NONCE_SALT): long, no spaces.
        return b" " not in value and looks_random(value, min_len=32, min_entropy=4.5)
    return looks_random(value, min_len=20, min_entropy=3.5)


_SECRET_GROUPS = ("secret", *(f"secret{i}" for i in range(2, 20)))


def value_group(groups: Groups) -> tuple[int, int] | None:
    for name in _SECRET_GROUPS:
        if name in groups:
            return groups[name]
    return None


def check_key_value(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Veto a key-value match whose key is not secret-like or whose value is a placeholder."""
    span = value_group(groups)
    if span is None or "key" not in groups:
        return False
    key = buf[groups["key"][0] : groups["key"][1]]
    if buf[span[1] : span[1] + 1] in (b"(", b"[") or buf.startswith(b"process.env.", span[0]):
        if _CODE.match(buf, span[0], span[1] + 1):
            return False
    if buf[groups["key"][0] - 1 : groups["key"][0]] == b"(" and buf[span[1] : span[1] + 1] == b")":
        return False  # pam_unix(passwd:chauthtok): a PAM service and its stage
    if groups["key"][1] + 1 == span[0] and _COORDINATE.match(buf, span[0], span[1]):
        return False  # group:artifact:version, no space after the colon
    if buf[groups["key"][0] - 2 : groups["key"][0]] == b"${" and buf[groups["key"][1]] == 58:
        return False  # ${DB_PASSWORD:?must be set}: a variable with its message or default
    quote = buf[groups["key"][0] - 1 : groups["key"][0]]
    if quote in (b'"', b"'") and buf[span[0] - 1 : span[0]] == quote:
        if not buf[groups["key"][1] : span[0] - 1].strip(b" \t:="):
            return False  # read -p "Password: " VAR: a prompt, then the next string
    if buf[max(0, groups["key"][0] - 7) : groups["key"][0]].lower() in (b"public ", b"set /p "):
        return False  # WireGuard's "public key: x"; a batch file's "set /p PASS=Prompt: "
    if _ARN.search(buf, max(0, groups["key"][0] - 200), groups["key"][0]):
        return False  # arn:aws:secretsmanager:region:account:secret:name names a secret
    if _IAM_SERVICE.fullmatch(key + buf[span[0] - 1 : span[0]]) and _IAM_ACTION.fullmatch(
        buf, span[0], span[1]
    ):
        return False  # "secretsmanager:GetSecretValue": a permission
    value = buf[span[0] : span[1]]
    if value == b"ENC" and buf[span[1] : span[1] + 1] == b"[":
        return False  # hiera-eyaml's ENC[PKCS7,...]: encrypted for the Puppet server only
    if value.isalpha() and value.islower() and _PROSE_AFTER.match(buf, span[1]):
        return False  # "# Credentials: stored in the admin UI", "Foo= or an EnvironmentFile"
    if value.isalpha() and value.istitle() and _WORD_AFTER.match(buf, span[1]):
        return False  # "auth tokens: Reauthentication failed."
    return value_is_secret(key, value)


#: Two more lower-case words after a bare lower-case value: the value starts a sentence.
_WORD_AFTER = re.compile(rb"[ \t]+[a-z]{2,}\b")
_PROSE_AFTER = re.compile(rb"[ \t]+[a-z]{2,}[ \t]+[A-Za-z]{2,}\b")


def check_value(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Veto a match whose secret is a placeholder such as ``${PASSWORD}`` or ``****``."""
    span = value_group(groups)
    return span is not None and not is_placeholder(buf[span[0] : span[1]])


def check_quoted(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A quoted value after "password": not a placeholder, nor a rule's operator ("@rx ...")."""
    span = value_group(groups)
    if span is None or not check_value(buf, groups, ctx):
        return False
    return NOT_A_SECRET.match(buf[span[0] : span[1]]) is None


def check_command_line(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A flag value is a secret unless it is a placeholder or a number (``-u 1000:1000``).

    Nor is ``jdbc:hive2`` in ``-u "jdbc:hive2://host"`` a user and password, nor a port
    mapping (``-u 1000 -p 8080:80``).
    """
    span = value_group(groups)
    if span is None or buf[span[1] : span[1] + 2] == b"//":
        return False
    value = buf[span[0] : span[1]]
    if value.endswith(b")") and b"(" not in value:
        return False  # "(use --password-stdin instead)": help text
    if len(value) < 2 or value in _HELP_WORDS:
        return False  # nodetool's "-pw"; help text: "(use --password to override)"
    key = buf[groups["key"][0] : groups["key"][1]] if "key" in groups else b""
    if key.endswith((b"-stdin", b"-file", b"askpass")):
        return False  # "--password-stdin registry.gitlab.com": the flag takes no value
    return (
        check_value(buf, groups, ctx) and not value.replace(b":", b"").replace(b".", b"").isdigit()
    )


_HELP_WORDS = frozenset(b"to or and for if instead with".split())
_COOKIE_ATTRIBUTES = frozenset(
    b"path domain expires max-age samesite secure httponly priority partitioned version".split()
)


def check_cookie(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A cookie header hides its values, unless every cookie in it is being cleared (``a=;``)."""
    if not check_value(buf, groups, ctx):
        return False
    for pair in buf[groups["secret"][0] : groups["secret"][1]].split(b";"):
        name, _, value = pair.partition(b"=")
        if not is_placeholder(value) and name.strip().lower() not in _COOKIE_ATTRIBUTES:
            return True
    return False


def check_session(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A session id is a secret unless it is a number (Kafka's fetch sessionId=1785330241,
    Windows' logon session 3): a counter, not a credential."""
    span = value_group(groups)
    return (
        span is not None and not buf[span[0] : span[1]].isdigit() and check_value(buf, groups, ctx)
    )


def check_bearer(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A bearer token has a digit or a symbol; ``Bearer authentication`` is prose."""
    span = value_group(groups)
    if span is None:
        return False
    start, end = span
    value = buf[start:end]
    if buf[end : end + 1] in (b"=", b":") or (value[-1:] == b"=" and buf[end : end + 1].isalnum()):
        return False  # "token_type=Bearer expires_in=3600": the next key, not a token
    return not value.replace(b"_", b"").isalpha() and not is_placeholder(value)


def check_basic(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """``Basic`` is followed by base64 of ``user:password``."""
    value = buf[groups["secret"][0] : groups["secret"][1]]
    try:
        return b":" in base64.b64decode(value + b"=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False


_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=]{16}")


def check_pem(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A key block holds key material; "# ..." between the markers is an example."""
    start, end = groups.get("pem") or groups["pem2"]
    return _BASE64_RUN.search(buf, start, end) is not None


def check_entropy(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A token next to a secret-like key counts only when it looks random."""
    key = buf[groups["key"][0] : groups["key"][1]]
    quoted = groups.get("secret2") or groups.get("secret3")
    if quoted is not None:  # "ldapAgentPassword 'x'": a password key's quoted value
        value = buf[quoted[0] : quoted[1]]
        if buf[groups["key"][0] - 1 : groups["key"][0]] in (b'"', b"'") or NOT_A_SECRET.match(
            value
        ):
            return False  # resource "aws_iam_access_key" "ci"; key '/root/.ssh/id_ed25519'
        if not _PASSWORD_KEY.search(key):  # secret "ingress-tls": a Secret's name; a token
            if key_strength(key) == 1 and UUID.match(value):
                return False  # "Job session '0b7a2e64-...' has been created": an id
            return key_strength(key) > 0 and looks_random(value, min_len=16, min_entropy=3.3)
        return key_strength(key) == 2 and not is_placeholder(value) and b" " not in value
    start, end = groups["secret"]
    if _KEY_IS_VALUE.match(buf, start, end):
        return False  # "client_credentials password_min_length=12": the next key=value
    if buf[end : end + 3].lstrip(b" \t")[:1] in (b"=", b":") or NOT_A_SECRET.match(buf[start:end]):
        return False  # "TSIG secret dns_secret = x": a key of its own; "HostKey /etc/ssh/..."
    strength = key_strength(key)
    if strength == 1 and plain_key_end(key) == b"key" and _HEXISH.match(buf[start:end]):
        return False  # "using RSA key 7E8A9B4C...": a fingerprint, not a secret
    return strength > 0 and looks_random(buf[start:end], min_len=16, min_entropy=3.3)


def check_random_token(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Paranoid: any long random token, unless it is a file-system path."""
    value = buf[groups["secret"][0] : groups["secret"][1]]
    if _CAMEL_WORDS.fullmatch(value):
        return False  # Saml2WebSsoAuthenticationFilter: a class name made of words
    return value.count(b"/") < 3 and looks_random(value, min_len=24, min_entropy=4.0)


#: Capitalised words with at most a digit after each: a class or method name, not a token.
_CAMEL_WORDS = re.compile(rb"(?:[A-Z]?[a-z]{2,}[0-9]?)+")


_KEY = rf"(?P<key>[A-Za-z0-9_.-]*(?i:{KEY_WORDS})[A-Za-z0-9_.-]*)"
VALUE = (
    r"(?:(?P<secret4>\$\{[^}\r\n]*\}|%\{[^}\r\n]*\}|\$\([^)\r\n]*\)|\{\{[^}\r\n]*\}\}|%\([^)\r\n]*\)s)"
    # ODBC braces ("PWD={a;b}"), hash schemes ("{PKCS5S2}abc"), Java map dumps ("=[x]").
    r"|(?P<secret5>\{[^}\r\n]+\}[^\s\"',;&<>(){}\[\]\\|`]*)"
    r"|\[(?P<secret6>[^\]\s,'\"]+)\]|\[[ \t]*\"(?P<secret7>[^\"\r\n]+)\"[ \t]*\]"
    # A Google app password: four groups of four letters.
    r"|(?P<secret16>[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4})\b"
    # Camel's RAW(x) keeps a password's characters as they are.
    r"|RAW\((?P<secret15>[^)\r\n]+)\)"
    # A data URI holds the secret after its comma: tokenSecretKey=data:;base64,x.
    r"|data:[\w/+.-]*;base64,(?P<secret14>[A-Za-z0-9+/=]+)"
    # Oracle's listener.ora: PASSWORDS_LISTENER = (x).
    r"|\((?P<secret13>[^()\s,]+)\)"
    r"|\"\"\"(?P<secret8>[^\"\r\n]+)\"\"\""
    r"|\\{0,3}\"(?P<secret>(?:[^\"\\\r\n]|\\[^\"\r\n])+)"
    r"|N?'(?P<secret2>[^'\r\n]+)'|`(?P<secret10>[^`\r\n]+)`"
    # A \uXXXX escape (.properties files) is part of the value.
    # Not "=x": "secretstorage==3.3.3" is a pinned package, not a key and its value.
    r"|(?P<secret3>(?:[^\s\"',;&<>(){}\[\]\\|`=]|\\u[0-9A-Fa-f]{4})"
    # Brackets inside a password ("Secr3t(2024)x") are part of it, as is what follows them.
    r"(?:[^\s\"',;&<>(){}\[\]\\|`]|\\u[0-9A-Fa-f]{4}|\([\w!@#$%^&*+=.~-]+\)[^\s\"',;&<>(){}\[\]\\|`])*))"
)

#: Simple JSON members between a name and its value: "tags": {}, "enabled": true.
_SIBLINGS = r"(?:\s*\"[\w-]+\"\s*:\s*(?:\"[^\"\r\n]*\"|[\w.-]+|\{\}|\[\])\s*,)*"

#: Rules that must win when they start at the same position as a broader one.
PRIORITY_RULES = [
    Rule(
        "credentials.private-key",
        r"-----BEGIN[A-Z0-9 ]*(?:PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1|NKEY SEED)-----"
        r"(?P<pem>[\s\S]*?)"
        r"-+END[A-Z0-9 ]*(?:PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1|NKEY SEED)-+"
        # A key pasted without its END line ("... (rest cut)"): its base64 lines.
        r"|-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----[ \t]*\r?\n"
        r"(?P<pem2>(?:[ \t]*[A-Za-z0-9+/=]{20,}[ \t]*\r?\n)*[ \t]*[A-Za-z0-9+/=]{20,})",
        check=check_pem,
        trigger=r"-----BEGIN",
    ),
    Rule(
        "credentials.jwt",
        r"\b(?P<secret>eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)",
        trigger=r"eyJ",
    ),
]

RULES = [
    Rule(
        "credentials.authorization",
        r"(?i:(?:proxy-)?authori[sz]ation)\\?[\"']?[ \t]*(?:=>|[:=])[ \t]*\\?(?:b?[\"']|\[)?"
        # Digest parameters are quoted; a header inside b'...' ends at its quote.
        r"(?:(?i:digest|aws4-hmac-sha256|hmac|sharedkey|signature)\s+"
        r"(?P<secret>[^\r\n'\"]*(?:\"[^\"\r\n]*\"[^\r\n'\"]*)*)"
        r"|(?:[A-Za-z][A-Za-z0-9_-]+\s+)?"
        r"(?P<secret2>[^\s\"',\]`]+))",
        check=check_value,
        learn=True,
        trigger=r"(?i:authori[sz]ation)",
    ),
    Rule(
        "credentials.bearer",
        r"(?i:\bbearer)\s+(?P<secret>[A-Za-z0-9._~+/-]{8,}=*)",
        check=check_bearer,
        trigger=r"(?i:bearer)",
    ),
    Rule(
        "credentials.basic-auth",
        r"(?i:\bbasic)\s+(?P<secret>[A-Za-z0-9+/]{6,}={0,2})",
        check=check_basic,
        trigger=r"(?i:basic)",
    ),
    Rule(
        "credentials.session-id",
        r"(?i:(?P<key>jsessionid|phpsessid|asp\.net_sessionid|aspsessionid\w*|sessionid|"
        r"session[_-]?id|session[_-]?token|connect\.sid|seraph\.rememberme\.cookie|"
        r"atlassian\.xsrf\.token|xsrf[_-]token|csrf[_-]?token|csrftoken|remember[_-]?me|"
        r"_session|samlresponse))\\?[\"']?[ \t]*[=:][ \t]*\\?[\"']?(?P<secret>[^\s;,&\"'<>)}\]]+)",
        check=check_session,
        learn=True,
        trigger=r"(?i:session|sessid|sid|xsrf|csrf|remember|seraph|samlresponse)",
    ),
    Rule(
        "credentials.cookie",
        r"(?i:\b(?:set-)?cookie)\\?[\"']?\s*[:=]\s*\\?[\"']?(?P<secret>[^\r\n\"]*=[^\r\n\"]+)",
        check=check_cookie,
        trigger=r"(?i:cookie)",
    ),
    Rule(
        "credentials.url-userinfo",
        # smb://DOMAIN/user:x@host and smb://DOMAIN;user:x@host carry the domain first.
        r"\b[A-Za-z][A-Za-z0-9+.-]*://(?:[A-Za-z0-9_-]+[/;])?(?P<user>[^\s/:@\"'<>;]*):"
        r"(?P<secret>[^\s/\"'<>]+)@",
        check=check_value,
        learn=True,
        trigger=r"://",
    ),
    Rule(
        "credentials.key-value",
        # Simple keys may stand between them ("name": "db-password", "tags": {}, "value": x),
        # and Keycloak says "type": "password"; a MongoDB settings document names it by "_id".
        r"(?:\\?\"|\b)(?i:name|key|type|_id)\\?\"\s*:\s*\\?\""
        + r"(?P<key>[^\"\\]*(?i:"
        + KEY_WORDS
        + r")[^\"\\]*)\\?\"\s*,"
        + _SIBLINGS
        + r"\s*\\?\"(?i:value)\\?\"\s*:\s*\\?\"(?P<secret>[^\"\\\r\n]+)",
        check=check_key_value,
        learn=True,
        trigger=rf"(?i:name|key|type|_id)\\?\"\s*:\s*\\?\"[^\"\\]*(?i:{KEY_WORDS})[^\"\\]*\\?\"\s*,"
        + _SIBLINGS
        + r"\s*\\?\"(?i:value)",
    ),
    Rule(
        "credentials.key-value",
        r"\b(?i:name|key)=[\"'](?P<key>[^\"'<>]*(?i:" + KEY_WORDS + r")[^\"'<>]*)[\"'][^>]*?"
        r"(?:(?i:value)=[\"'](?P<secret>[^\"'\r\n]+)[\"']|>(?P<secret2>[^<\r\n]+)<"
        r"|><!\[CDATA\[(?P<secret5>[^\]\r\n]+(?:\][^\]\r\n]+)*)\]\]><"
        r"|>\s*<(?i:value)>(?:<!\[CDATA\[(?P<secret3>[^\]\r\n]+(?:\][^\]\r\n]+)*)\]\]>"
        r"|(?P<secret4>[^<\r\n]+))<)",
        check=check_key_value,
        learn=True,
        trigger=rf"(?i:name|key)=[\"'][^\"'<>]*(?i:{KEY_WORDS})",
    ),
    Rule(
        # A two-column table of settings: "| API Secret | x |", psql's "| ldap.password | x",
        # fastlane's summary "| p12_password | x |".
        "credentials.key-value",
        r"\|[ \t]*(?P<key>(?:[\w.-]+ ){0,2}[\w.-]*(?i:" + KEY_WORDS + r")[\w.-]*(?: [\w.-]+){0,2})"
        r"[ \t]*\|[ \t]*(?P<secret>[^|\s`][^|\r\n`<>]*?)[ \t]*\|?[ \t]*\r?(?m:$)",
        check=check_key_value,
        learn=True,
        trigger=r"(?i:" + KEY_WORDS + r")[\w. \t-]*\|[ \t]*[^|\s]",
    ),
    Rule(
        "credentials.key-value",
        r"<(?P<key>[\w.:-]*(?i:" + KEY_WORDS + r")[\w.:-]*)(?:\s[^>]*)?>"
        r"(?:<!\[CDATA\[(?P<secret2>[^\]\r\n]+(?:\][^\]\r\n]+)*)\]\]>|(?P<secret>[^<\r\n]+))</",
        check=check_key_value,
        learn=True,
        trigger=rf"<[\w.:-]*(?i:{KEY_WORDS})",
    ),
    Rule(
        # SQL statements in database logs: ALTER USER x PASSWORD '...', IDENTIFIED BY '...',
        # PASSWORD = N'...' (T-SQL), SET PASSWORD FOR u = '...'. Before the generic key-value
        # rule, which would take the N.
        "credentials.sql-password",
        r"(?i:\bset\s+password\s+for\s+\S+\s*=\s*|\bpassword(?:\s*=\s*N?|\s+|\s*\(\s*)"
        r"|\bidentified(?:\s+with\s+\w+)?\s+by(?:\s+values)?\s+)"
        r"(?:'(?P<secret>[^'\r\n]+)'|\"(?P<secret2>[^\"\r\n]+)\")",
        check=check_quoted,
        learn=True,
        trigger=r"(?i:password\s*[(=]?\s*N?['\"]|by\s+['\"]|set\s+password)",
    ),
    Rule(
        "credentials.key-value",
        # "::" is LDIF's base64 value ("userPassword:: e1NTSEF9...").
        # Spaces and tabs only around the separator: an empty value ("SECRET_KEY=") must not
        # take the next line. Spring's /actuator/env wraps values ("x.password": {"value":
        # "..."}); a YAML block scalar ("password: >-") has the value on the next line.
        # Pretty-printed JSON may put a quoted value on the next line ("password" :\n "x").
        # Make's "?=", ":=" and "+=".
        _KEY + r"\\{0,3}[\"']?\]?[ \t]*(?:=>|[?+:]=|::[ \t]|[:=])"
        r"(?:[ \t]*\r?\n[ \t]*\"(?P<secret12>[^\"\\\r\n]+)\"[ \t]*[,}\r\n]|[ \t]*"
        r"(?:\{\s*\\?\"(?i:value)\\?\"[ \t]*:[ \t]*|[|>][+-]?[ \t]*\r?\n[ \t]+)?" + VALUE + ")",
        check=check_key_value,
        learn=True,
        # A block scalar's or a wrapped value's line must be in the candidate range too.
        trigger=rf"(?i:{KEY_WORDS})[A-Za-z0-9_.-]*\\{{0,3}}[\"']?\]?\s*[?+]?[:=]"
        r"(?:[ \t]*[|>][+-]?[ \t]*\r?\n[ \t]*\S|[ \t]*\{\s*\\?\"(?i:value))?",
    ),
    Rule(
        "credentials.command-line",
        r"(?:--(?P<key>[\w-]*(?i:pass|secret|token|api-?key|credential)[\w-]*)\s+[\"']?"
        r"(?P<secret>[^\s\"'-][^\s\"']*)"
        r"|\b(?i:mysql(?:dump|admin)?)\b[^\r\n]*?[\s\"]-p(?P<secret2>[^\s\"-][^\s\"]*)"
        r"|\s(?:-[a-zA-Z]?u|--user)\s*[\"']?(?P<user>[^:\s\"'@]+):[\"']?(?P<secret3>[^\s\"'@/]+)"
        r"|\s-[uU][ \t]+[\"']?[^\s\"'-][^\s\"']*[\"']?[ \t]+-[pP][ \t]*[\"']?"
        r"(?P<secret6>[^\s\"'-][^\s\"']*)"
        r"|\b(?:redis-cli\b[^\r\n]*?\s-a|sshpass\s+-p|docker\s+login\b[^\r\n]*?\s-p)\s+[\"']?"
        r"(?P<secret4>[^\s\"']+)"
        r"|\s-(?:src|dest)?(?:store|key)pass\s+[\"']?(?P<secret5>[^\s\"']+)"
        # Splunk's "-auth admin:x", Nagios' check_snmp "-C community".
        r"|\s-auth[ \t]+[\"']?[^:\s\"']+:(?P<secret7>[^\s\"']+)"
        r"|\bcheck_snmp\b[^\r\n]*?\s-C[ \t]+[\"']?(?P<secret8>[^\s\"'$][^\s\"']*)"
        # A single-dash -password flag (wsadmin's createAuthDataEntry, Java tools).
        r"|\s-(?:password|passwd)[ \t]+(?P<secret9>[^\s\"'\]\-][^\s\"'\]]*))",
        check=check_command_line,
        learn=True,
        trigger=r"--|(?i:mysql|redis-cli|sshpass|docker)|\s-[uU]|(?i:pass)\s|\s-auth[ \t]"
        r"|check_snmp"
        r"|\s-passw",
    ),
    Rule(
        "credentials.high-entropy",
        # Spaces and tabs only: a key word at the end of one line ("PRIVATE KEY-----")
        # must not take the first word of the next line.
        _KEY + r"\\?[\"']?[ \t]+(?:'(?P<secret2>[^'\r\n]+)'|\"(?P<secret3>[^\"\r\n]+)\""
        # Shorter values are never random enough (looks_random: 16): not matched at all,
        # so "publickey for" costs no check.
        r"|[\"']?(?P<secret>[A-Za-z0-9+/=_.~-]{16,}))",
        check=check_entropy,
        learn=True,
        trigger=rf"(?i:{KEY_WORDS})[A-Za-z0-9_.-]*\\?[\"']?[ \t]",
    ),
    Rule(
        "credentials.random-token",
        r"(?P<secret>[A-Za-z0-9+/_=-]+)",
        profile="paranoid",
        check=check_random_token,
        trigger=r"[A-Za-z0-9+/_=-]{24}",
    ),
]
