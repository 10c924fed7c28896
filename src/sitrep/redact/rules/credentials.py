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
from sitrep.redact.rules.text import is_placeholder, key_is_descriptive, looks_random

#: Broad key words for the fast candidate pattern; ``key_strength`` decides precisely.
KEY_WORDS = (
    r"pass|pwd|pw|secret|token|key|credential|creds|auth|session|cookie|sig|salt|dsn|"
    r"connstr|connection.?string|licen[cs]e|otp|bearer|psk|community"
)
_STRONG = re.compile(
    rb"passw|passphrase|^pass$|[._-]pass$|^pwd$|[._-]pwd$|pwd$|secret(?!ar)|token(?!i[sz])|"
    rb"apikey|api[._-]key|^sig$|"
    rb"accesskey|access[._-]key|privatekey|private[._-]key|credential|^creds?$|accountkey|"
    rb"sharedaccesskey|sas[._-]?token|connection[._-]?string|connstr|licen[cs]e[._-]?key|"
    rb"encryption[._-]?key|signing[._-]?key|master[._-]?key|auth[._-]?key|_authtoken|"
    rb"^pw$|[._-]pw$|(?:^|[._-])(?:bind|root|admin|db|user)pw$|psk|pre[._-]?shared[._-]?key|"
    rb"community|"
    # Directives that name a password without saying so (Redis, SSSD) and the signatures of
    # pre-signed cloud URLs, which grant access until they expire.
    rb"requirepass|masterauth|authtok|(?:routing|integration|app|application|subscription)[._-]?key|(?:amz|goog)[._-]signature|(?:hmac|aes|cipher|jwt)[._-]?key"
)
#: ``keystorePass``, ``bindPw``: a camel-case key whose last word is a password.
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
    rb"(?:process\.env\.\w+|[A-Za-z_]\w*(?:\.\w+)+(?=[(\[])|(?:get)?env(?:iron)?(?=[(\[])|ENV\[)"
)


@functools.lru_cache(maxsize=4096)
def key_strength(key: bytes) -> int:
    """Return 2 for a strong secret key, 1 for a weak one, 0 for a key that is not secret.

    Cached: logs repeat a handful of keys on every line, and the three searches cost a few
    microseconds per match.
    """
    bare = key.strip(b"\"'\\- ")
    plain = bare.lower()
    if plain in (b"secret_id", b"secret-id"):
        return 2  # Vault AppRole's login secret, not the id of a secret
    if key_is_descriptive(bare) or _COUNTER_PREFIX.match(bare):
        return 0
    if _STRONG.search(plain) or _CAMEL_STRONG.search(bare):
        return 2
    return 1 if _WEAK.search(plain) else 0


#: Values that say what the secret is, not what it is: a URL without user-info (nginx
#: ``proxy_pass http://...``), a Java class (``...decrypter.classname=com.acme.Cipher``), a
#: JSON object (a pointer into a secrets manager), or a sentence (a validation message).
_NOT_A_SECRET = re.compile(
    rb"^(?:[A-Za-z][A-Za-z0-9+.-]*://[^@\s]*"
    rb"|(?:~|\.{1,2})?/[\w.@+-]+(?:/[\w.@+-]*)+"
    rb"|[\w.-]+\.(?:key|pem|crt|cer|p12|pfx|jks|keystore|der|pass|txt|conf|cfg)"
    rb"|(?:sha\d*|md5)=[0-9a-fA-F]+"
    rb"|[a-z]+(?:Pwd|Password|Pass)[A-Za-z]*"
    rb"|(?:[a-z][a-z0-9_]*\.){2,}[A-Z][A-Za-z0-9_$]*"
    rb"|\{\s*\\?\"[^\"]+\\?\"\s*:[\s\S]*\})$"
)
_PROSE = re.compile(rb"(?i)(?:\S+\s+){4,}\S+")
_PROSE_WORDS = re.compile(rb"(?i)\b(?:the|must|should|is|are|be|not|least|characters|contain)\b")


def plain_key_end(key: bytes) -> bytes:
    """The last word of a key, lower case: ``NEO4J_AUTH`` -> ``auth``."""
    return re.split(rb"[._\-\s\"']", key.strip(b"\"' ").lower())[-1]


def value_is_secret(key: bytes, value: bytes) -> bool:
    """Decide whether ``value`` found under ``key`` is a credential to hide."""
    strength = key_strength(key)
    if strength == 0 or is_placeholder(value) or _NOT_A_SECRET.match(value):
        return False
    if key.strip(b"\"' ").lower() in (b"pwd", b"oldpwd") and value[:1] in (b"/", b"~"):
        return False  # The shell's working directory, not a password.
    if value == key or (_PROSE.match(value) and len(_PROSE_WORDS.findall(value)) >= 2):
        return False  # "session.tokenkey=session.tokenkey", "The password must be ..."
    if strength == 2:
        return not (value.isdigit() and len(value) <= 3)
    value = value.removeprefix(b"base64:")  # Laravel's APP_KEY=base64:...
    if plain_key_end(key) == b"auth" and (b"/" in value or b":" in value) and len(value) >= 8:
        return True  # NEO4J_AUTH=neo4j/secret, auth=user:password
    if plain_key_end(key) in (b"auth", b"session", b"sid") and _HEXISH.match(value):
        return len(value) >= 32  # Zabbix "auth": "<hex>", a session id
    name, colon, rest = value.partition(b":")
    if colon and name and _TOKENISH.match(rest) and looks_random(rest, min_len=20, min_entropy=3.5):
        return True  # auth=ACCOUNT_SID:AUTH_TOKEN, key=id:secret
    if _HEXISH.match(value):
        return False
    if not _TOKENISH.match(value):
        # Random keys with symbols (WordPress's LOGGED_IN_KEY, NONCE_SALT): long, no spaces.
        return b" " not in value and looks_random(value, min_len=32, min_entropy=4.5)
    return looks_random(value, min_len=20, min_entropy=3.5)


_SECRET_GROUPS = ("secret", *(f"secret{i}" for i in range(2, 16)))


def _value_group(groups: Groups) -> tuple[int, int] | None:
    for name in _SECRET_GROUPS:
        if name in groups:
            return groups[name]
    return None


def check_key_value(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Veto a key-value match whose key is not secret-like or whose value is a placeholder."""
    span = _value_group(groups)
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
    if buf[max(0, groups["key"][0] - 7) : groups["key"][0]].lower() == b"public ":
        return False  # WireGuard's "public key: x"
    if _ARN.search(buf, max(0, groups["key"][0] - 200), groups["key"][0]):
        return False  # arn:aws:secretsmanager:region:account:secret:name names a secret
    if _IAM_SERVICE.fullmatch(key + buf[span[0] - 1 : span[0]]) and _IAM_ACTION.fullmatch(
        buf, span[0], span[1]
    ):
        return False  # "secretsmanager:GetSecretValue": a permission
    return value_is_secret(key, buf[span[0] : span[1]])


def check_value(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Veto a match whose secret is a placeholder such as ``${PASSWORD}`` or ``****``."""
    span = _value_group(groups)
    return span is not None and not is_placeholder(buf[span[0] : span[1]])


def check_command_line(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A flag value is a secret unless it is a placeholder or a number (``-u 1000:1000``).

    Nor is ``jdbc:hive2`` in ``-u "jdbc:hive2://host"`` a user and password, nor a port
    mapping (``-u 1000 -p 8080:80``).
    """
    span = _value_group(groups)
    if span is None or buf[span[1] : span[1] + 2] == b"//":
        return False
    value = buf[span[0] : span[1]]
    return (
        check_value(buf, groups, ctx) and not value.replace(b":", b"").replace(b".", b"").isdigit()
    )


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


def check_bearer(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A bearer token has a digit or a symbol; ``Bearer authentication`` is prose."""
    span = _value_group(groups)
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


def check_directive(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """``requirepass Zx9...`` alone on a line: a strong key and a value that is not a word."""
    value = buf[groups["secret"][0] : groups["secret"][1]]
    key = buf[groups["key"][0] : groups["key"][1]]
    if value.startswith((b"/", b"~/", b"./")) or _NOT_A_SECRET.match(value):
        return False  # "auth-user-pass /etc/openvpn/creds.txt", "proxy_pass http://..."
    return key_strength(key) == 2 and check_bearer(buf, groups, ctx) and not value.isdigit()


def check_variable(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """``${x.password} with v`` and ``define('DB_PASSWORD', 'v')``: the usual key test."""
    key = groups.get("key") or groups["key2"]
    span = _value_group(groups)
    return span is not None and value_is_secret(buf[key[0] : key[1]], buf[span[0] : span[1]])


#: What may stand before the keyword on a device config line: an optional prompt, then
#: lower-case command words. A log line (a timestamp first), a Java exception ("x.Y:") or
#: prose (a capital first) does not match.
_DEVICE_LINE = re.compile(
    rb"[ \t]*(?:\([^)\r\n]*\)[ \t]*>|[\w.-]+[#>])?[ \t]*"
    rb"(?:[a-z][a-z0-9_-]*(?:[ \t]+[\w.:/!-]+)*)?[ \t]*"
)


def check_device(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A device secret has a digit or a symbol: "snmp-server community public" is the default
    and "key chain" a keyword; a bare number is a key id or an index."""
    span = _value_group(groups)
    if span is None:
        return False
    if "key" in groups:  # A config line: only command words before the keyword.
        key_start = groups["key"][0]
        line_start = buf.rfind(b"\n", 0, key_start) + 1
        if buf[key_start - 1 : key_start] not in (b"", b" ", b"\t", b"\n"):
            return False  # "api-key 1234": part of a longer word
        if not _DEVICE_LINE.fullmatch(buf, line_start, key_start):
            return False
    value = buf[span[0] : span[1]]
    if value.isdigit() or value.replace(b"-", b"").replace(b"_", b"").isalpha():
        return False
    return check_value(buf, groups, ctx) and not _NOT_A_SECRET.match(value)


def check_reset_token(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A session id or reset token mixes letters and digits; a path word does not."""
    span = _value_group(groups)
    return span is not None and looks_random(buf[span[0] : span[1]], min_len=16, min_entropy=3.0)


_RANDOM_RESOURCE = re.compile(rb"\"random_(?:password|string)\"")
_OAUTH_PAGE = re.compile(rb"(?i)callback|oauth|authori[sz]e|redirect|signin|sso|login")


def check_tool_output(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """Unseal keys always; a "result" only in a random_password resource of Terraform state."""
    if "secret2" in groups:
        start = groups["secret2"][0]
        if _RANDOM_RESOURCE.search(buf, max(0, start - 3000), start) is None:
            return False
    return check_value(buf, groups, ctx)


def check_oauth_code(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """``code=`` is an authorization code on an OAuth callback; elsewhere it is any code."""
    start, end = groups["secret"]
    line_start = buf.rfind(b"\n", 0, start) + 1
    return _OAUTH_PAGE.search(buf, max(line_start, start - 300), start) is not None and (
        looks_random(buf[start:end], min_len=16, min_entropy=3.0)
    )


_SETTING = re.compile(rb"[A-Za-z_][\w.-]*=")
_TOKEN_GROUPS = ("secret4", "secret5", "secret6", "secret7", "secret8")


def check_prose(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A password in prose has a digit or a symbol; a token in prose looks random."""
    span = _value_group(groups)
    if span is None:
        return False
    value = buf[span[0] : span[1]].rstrip(b".,;:!?)")
    if is_placeholder(value) or _NOT_A_SECRET.match(value):
        return False
    if any(name in groups for name in _TOKEN_GROUPS):
        return looks_random(value, min_len=8, min_entropy=2.8)
    if _SETTING.match(value):
        return False  # "password rules: minLength=12": a setting, not the password
    return len(value) >= 4 and not value.replace(b"-", b"").replace(b"_", b"").isalpha()


_JAAS = re.compile(rb"LoginModule\b")


def check_jaas(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """``user_alice="x"`` is a password only inside a JAAS login module's options."""
    start = groups["secret"][0]
    return _JAAS.search(buf, max(0, start - 2000), start) is not None and check_value(
        buf, groups, ctx
    )


_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=]{16}")


def check_pem(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A key block holds key material; "# ..." between the markers is an example."""
    start, end = groups["pem"]
    return _BASE64_RUN.search(buf, start, end) is not None


_PROSE_LINKS = frozenset(b"with to as for in the by via using and or without".split())


def check_netrc(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """``login jdoe password x``, not prose: "allow login with password authentication"."""
    start, end = groups["login"]
    return buf[start:end].lower() not in _PROSE_LINKS and check_value(buf, groups, ctx)


def check_entropy(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A token next to a secret-like key counts only when it looks random."""
    key = buf[groups["key"][0] : groups["key"][1]]
    start, end = groups["secret"]
    if buf[end : end + 3].lstrip(b" \t")[:1] in (b"=", b":") or _NOT_A_SECRET.match(buf[start:end]):
        return False  # "TSIG secret dns_secret = x": a key of its own; "HostKey /etc/ssh/..."
    return key_strength(key) > 0 and looks_random(buf[start:end], min_len=16, min_entropy=3.3)


def check_random_token(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Paranoid: any long random token, unless it is a file-system path."""
    value = buf[groups["secret"][0] : groups["secret"][1]]
    return value.count(b"/") < 3 and looks_random(value, min_len=24, min_entropy=4.0)


_KEY = rf"(?P<key>[A-Za-z0-9_.-]*(?i:{KEY_WORDS})[A-Za-z0-9_.-]*)"
_VALUE = (
    r"(?:(?P<secret4>\$\{[^}\r\n]*\}|\$\([^)\r\n]*\))"
    # ODBC braces ("PWD={a;b}"), hash schemes ("{PKCS5S2}abc"), Java map dumps ("=[x]").
    r"|(?P<secret5>\{[^}\r\n]+\}[^\s\"',;&<>(){}\[\]\\|`]*)"
    r"|\[(?P<secret6>[^\]\s,'\"]+)\]|\[[ \t]*\"(?P<secret7>[^\"\r\n]+)\"[ \t]*\]"
    r"|\"\"\"(?P<secret8>[^\"\r\n]+)\"\"\""
    r"|\\{0,3}\"(?P<secret>(?:[^\"\\\r\n]|\\[^\"\r\n])+)"
    r"|'(?P<secret2>[^'\r\n]+)'"
    # A \uXXXX escape (.properties files) is part of the value.
    r"|(?P<secret3>(?:[^\s\"',;&<>(){}\[\]\\|`]|\\u[0-9A-Fa-f]{4})+))"
)

#: Simple JSON members between a name and its value: "tags": {}, "enabled": true.
_SIBLINGS = r"(?:\s*\"[\w-]+\"\s*:\s*(?:\"[^\"\r\n]*\"|[\w.-]+|\{\}|\[\])\s*,)*"

#: Rules that must win when they start at the same position as a broader one.
PRIORITY_RULES = [
    Rule(
        "credentials.private-key",
        r"-----BEGIN[A-Z0-9 ]*(?:PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1|NKEY SEED)-----"
        r"(?P<pem>[\s\S]*?)"
        r"-+END[A-Z0-9 ]*(?:PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1|NKEY SEED)-+",
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
        r"(?P<secret2>[^\s\"',\]]+))",
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
        # SMTP "AUTH PLAIN <base64 of \0user\0password>" in mail debug transcripts.
        "credentials.smtp-auth",
        r"(?i:\bauth\s+plain)\s+(?P<secret>[A-Za-z0-9+/]{6,}={0,2})",
        check=check_value,
        trigger=r"(?i:auth\s+plain)",
    ),
    Rule(
        "credentials.session-id",
        r"(?i:(?P<key>jsessionid|phpsessid|asp\.net_sessionid|aspsessionid\w*|sessionid|"
        r"session[_-]?id|session[_-]?token|connect\.sid|seraph\.rememberme\.cookie|"
        r"atlassian\.xsrf\.token|xsrf[_-]token|csrf[_-]?token|csrftoken|remember[_-]?me|"
        r"_session|samlresponse))\\?[\"']?\s*[=:]\s*\\?[\"']?(?P<secret>[^\s;,&\"'<>)}\]]+)",
        check=check_value,
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
        r"\b[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^\s/:@\"'<>]*):"
        r"(?P<secret>[^\s/\"'<>]+)@",
        check=check_value,
        learn=True,
        trigger=r"://",
    ),
    Rule(
        "credentials.connection-string",
        r"(?:jdbc:oracle:\w+:@?|\b(?:sqlplus|expdp|impdp|exp|imp|rman\s+target)\s+)"
        r"(?P<user>[A-Za-z][\w$#]*)/(?P<secret>[^@\s/]+)@",
        check=check_value,
        learn=True,
        trigger=r"(?i:jdbc:oracle|sqlplus|expdp|impdp|\bexp\s|\bimp\s|rman)",
    ),
    Rule(
        "credentials.key-value",
        # Simple keys may stand between them ("name": "db-password", "tags": {}, "value": x),
        # and Keycloak says "type": "password".
        r"(?:\\?\"|\b)(?i:name|key|type)\\?\"\s*:\s*\\?\""
        + r"(?P<key>[^\"\\]*(?i:"
        + KEY_WORDS
        + r")[^\"\\]*)\\?\"\s*,"
        + _SIBLINGS
        + r"\s*\\?\"(?i:value)\\?\"\s*:\s*\\?\"(?P<secret>[^\"\\\r\n]+)",
        check=check_key_value,
        learn=True,
        trigger=rf"(?i:name|key|type)\\?\"\s*:\s*\\?\"[^\"\\]*(?i:{KEY_WORDS})[^\"\\]*\\?\"\s*,"
        + _SIBLINGS
        + r"\s*\\?\"(?i:value)",
    ),
    Rule(
        "credentials.key-value",
        r"\b(?i:name|key)=[\"'](?P<key>[^\"'<>]*(?i:" + KEY_WORDS + r")[^\"'<>]*)[\"'][^>]*?"
        r"(?:(?i:value)=[\"'](?P<secret>[^\"'\r\n]+)[\"']|>(?P<secret2>[^<\r\n]+)<)",
        check=check_key_value,
        learn=True,
        trigger=rf"(?i:name|key)=[\"'][^\"'<>]*(?i:{KEY_WORDS})",
    ),
    Rule(
        "credentials.key-value",
        r"<(?P<key>[\w.:-]*(?i:" + KEY_WORDS + r")[\w.:-]*)(?:\s[^>]*)?>(?P<secret>[^<\r\n]+)</",
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
        r"|\bidentified(?:\s+with\s+\w+)?\s+by\s+)"
        r"(?:'(?P<secret>[^'\r\n]+)'|\"(?P<secret2>[^\"\r\n]+)\")",
        check=check_value,
        learn=True,
        trigger=r"(?i:password\s*[(=]?\s*N?['\"]|by\s+['\"]|set\s+password)",
    ),
    Rule(
        # Files whose format says which field is the password: Sendmail's AuthInfo "P:x",
        # Maven's settings-security.xml <master>, Redis ACL rules (user u on >x ~*), and
        # ~/.pgpass lines (host:port:database:user:password).
        "credentials.config-file",
        r"\bAuthInfo:[^\r\n]*?\"P:(?P<secret>[^\"\r\n]+)\""
        r"|<master>(?P<secret2>\{[^<\r\n]+\})</master>"
        r"|(?m:^[ \t]*(?i:acl[ \t]+setuser|user)[ \t]+\S+[ \t]+(?:[^\r\n>]*[ \t])?>"
        r"(?P<secret3>\S+))"
        r"|(?m:^(?:[A-Za-z0-9*][\w.*-]*|\[[0-9A-Fa-f:]+\]):(?:\d{1,5}|\*):[^:\s]+:[^:\s]+:"
        r"(?P<secret4>(?:[^\s:\\]|\\.)+)$)",
        check=check_command_line,
        learn=True,
        trigger=r"AuthInfo:|<master>\{|[ \t]>[^\s>=]|:(?:\d+|\*):[^:\s]+:[^:\s]+:",
    ),
    Rule(
        "credentials.key-value",
        # "::" is LDIF's base64 value ("userPassword:: e1NTSEF9...").
        # Spaces and tabs only around the separator: an empty value ("SECRET_KEY=") must not
        # take the next line. Spring's /actuator/env wraps values ("x.password": {"value":
        # "..."}); a YAML block scalar ("password: >-") has the value on the next line.
        _KEY + r"\\{0,3}[\"']?\]?[ \t]*(?:=>|:=|::[ \t]|[:=])[ \t]*"
        r"(?:\{\s*\\?\"(?i:value)\\?\"[ \t]*:[ \t]*|[|>][+-]?[ \t]*\r?\n[ \t]+)?" + _VALUE,
        check=check_key_value,
        learn=True,
        # A block scalar's or a wrapped value's line must be in the candidate range too.
        trigger=rf"(?i:{KEY_WORDS})[A-Za-z0-9_.-]*\\{{0,3}}[\"']?\]?\s*[:=]"
        r"(?:[ \t]*[|>][+-]?[ \t]*\r?\n[ \t]*\S|[ \t]*\{\s*\\?\"(?i:value))?",
    ),
    Rule(
        # Name and value in sibling elements: Hadoop/Maven <name>/<value>, web.xml
        # <param-name>/<param-value>, also on separate lines.
        "credentials.name-value",
        r"<(?P<tag>(?:[\w-]*[-:])?(?i:name|key))>(?P<key>[^<]*(?i:" + KEY_WORDS + r")[^<]*)</"
        r"[\w:-]+>\s*<(?:[\w-]*[-:])?(?i:value)>(?P<secret>[^<\r\n]+)</",
        check=check_key_value,
        learn=True,
        trigger=rf"<(?:[\w-]*[-:])?(?i:name|key)>[^<]*(?i:{KEY_WORDS})[^<]*</[\w:-]+>\s*<",
    ),
    Rule(
        # Kubernetes env entries and other YAML lists: "- name: DB_PASSWORD" then "value: x".
        "credentials.name-value",
        r"\b(?i:name):[ \t]*[\"']?(?P<key>[\w.-]*(?i:" + KEY_WORDS + r")[\w.-]*)[\"']?[ \t]*\r?\n"
        r"[ \t]*(?i:value):[ \t]*" + _VALUE,
        check=check_key_value,
        learn=True,
        trigger=rf"(?i:name):[ \t]*[\"']?[\w.-]*(?i:{KEY_WORDS})[\w.-]*[\"']?[ \t]*\r?\n"
        r"[ \t]*(?i:value):",
    ),
    Rule(
        # Jira's audit log: {"fieldName":"Password","changedFrom":"x","changedTo":"y"}.
        "credentials.changed-value",
        r"\"fieldName\"\s*:\s*\"(?P<key>[^\"]*(?i:" + KEY_WORDS + r")[^\"]*)\"\s*,\s*"
        r"\"changedFrom\"\s*:\s*\"(?P<secret>[^\"\r\n]+)?\"\s*,\s*"
        r"\"changedTo\"\s*:\s*\"(?P<secret2>[^\"\r\n]+)?\"",
        check=check_key_value,
        learn=True,
        trigger=rf"\"fieldName\"\s*:\s*\"[^\"]*(?i:{KEY_WORDS})",
    ),
    Rule(
        # A variable and its value: Bamboo's "Substituting variable: ${x.password} with v",
        # PHP's define('DB_PASSWORD', 'v').
        "credentials.variable",
        r"\$\{(?P<key>[\w.-]*(?i:" + KEY_WORDS + r")[\w.-]*)\}\s+(?i:with|to)\s+"
        r"(?P<secret>[^\s\"']+)"
        r"|\bdefine\s*\(\s*['\"](?P<key2>[^'\"\r\n]*(?i:" + KEY_WORDS + r")[^'\"\r\n]*)['\"]\s*,\s*"
        r"(?:'(?P<secret2>[^'\r\n]+)'|\"(?P<secret3>[^\"\r\n]+)\")",
        check=check_variable,
        learn=True,
        trigger=r"\}[ \t]+(?i:with|to)[ \t]|define[ \t]*\(",
    ),
    Rule(
        # Go's MySQL DSN has no scheme: user:password@tcp(host:3306)/db.
        "credentials.connection-string",
        r"\b(?P<user>[\w.-]+):(?P<secret>[^\s@/:]+)@(?:tcp|unix|udp)\(",
        check=check_value,
        learn=True,
        trigger=r"@(?:tcp|unix|udp)\(",
    ),
    Rule(
        # Passwords passed as call arguments that stack traces and client errors print:
        # PHP's PDO/mysqli (dsn or host, user, password), node-redis and redis MONITOR AUTH.
        "credentials.call-argument",
        r"(?:\bPDO(?:->|::)__construct|\bnew\s+PDO|\bmysqli(?:->|::)__construct|\bmysqli_connect)"
        r"\(\s*(?:'[^'\r\n]*'|\"[^\"\r\n]*\")\s*,\s*(?:'[^'\r\n]*'|\"[^\"\r\n]*\")\s*,\s*"
        r"(?:'(?P<secret>[^'\r\n]+)'|\"(?P<secret2>[^\"\r\n]+)\")"
        r"|\bname:\s*['\"](?i:auth)['\"],\s*args:\s*\[\s*(?:['\"][^'\"\r\n]*['\"],\s*)?"
        r"['\"](?P<secret3>[^'\"\r\n]+)['\"]\s*\]"
        r"|\"(?i:auth)\"[ \t]+(?:\"[^\"\r\n]*\"[ \t]+)?\"(?P<secret4>[^\"\r\n]+)\"",
        check=check_value,
        learn=True,
        trigger=r"PDO|mysqli|(?i:auth)['\"][ \t,]",
    ),
    Rule(
        # A session id in express-session's debug output; a reset token in a URL path
        # (/password/reset/key/<token>/, /reset/<uid>/<token>/).
        "credentials.reset-token",
        r"\bexpress-session\s+(?:saving|destroy|touch|fetching|split response)\s+"
        r"(?P<secret>[A-Za-z0-9_-]{16,})"
        r"|(?i:/(?:password[/_-]?reset|reset[/_-]?password|reset)(?:/key)?/)"
        r"(?:[A-Za-z0-9_-]{1,12}/)?(?P<secret2>[A-Za-z0-9_.~-]{16,})",
        check=check_reset_token,
        trigger=r"express-session|(?i:/(?:password[/_-]?reset|reset[/_-]?password|reset)/)",
    ),
    Rule(
        # Secrets printed by name in tool output: Vault's "Unseal Key 1: x" and "Recovery Key
        # 1: x", and Terraform state's "result" of a random_password resource.
        "credentials.tool-output",
        r"(?i:\b(?:unseal|recovery)[ \t]+key(?:[ \t]+\d+)?)[ \t]*:[ \t]*"
        r"(?P<secret>[A-Za-z0-9+/=]{16,})"
        r"|\"result\"\s*:\s*\"(?P<secret2>[^\"\r\n]+)\"",
        check=check_tool_output,
        learn=True,
        trigger=r"(?i:unseal|recovery)[ \t]+(?i:key)|\"result\"\s*:",
    ),
    Rule(
        # Mail protocols: SMTP AUTH LOGIN's answer to "334 UGFzc3dvcmQ6" (base64 "Password:"),
        # IMAP "a1 LOGIN user password", POP3 "PASS x".
        "credentials.mail-login",
        r"334 UGFzc3dvcmQ6[ \t]*\r?\n(?:C:[ \t]*)?(?P<secret>[A-Za-z0-9+/]{4,}={0,2})"
        r"|(?m:^(?:C:[ \t]*)?[A-Za-z]*\d+[A-Za-z0-9]*[ \t]+LOGIN[ \t]+(?:\"[^\"\r\n]*\"|\S+)[ \t]+"
        r"(?:\"(?P<secret2>[^\"\r\n]+)\"|(?P<secret3>\S+)))"
        r"|(?m:^(?:C:[ \t]*)?PASS[ \t]+(?P<secret4>\S+))",
        check=check_value,
        learn=True,
        # The password line must be in the candidate range: a hit at a line end takes the next.
        trigger=r"UGFzc3dvcmQ6|LOGIN[ \t]|PASS[ \t]",
    ),
    Rule(
        # What people write in tickets and mails: "the password for jira is Hq7!rT2#",
        # "Kennwort: x", "le mot de passe est : x", "the API token is x", "Token:" with the
        # token on the next line, "the shared secret 'x'", "login is admin / x".
        "credentials.prose",
        r"(?i:\b(?:password|passphrase|passwort|kennwort|wachtwoord|mot de passe|contrase[nñ]a|"
        r"senha|l[oö]senord|pre-shared key|psk|wpa2? key|wi-?fi key|network key))"
        r"[^.\r\n:=\"']{0,40}?"
        r"(?:[ \t](?i:is|was|to|lautet(?:[ \t]+aktuell)?|est|ist)[ \t]*:?|[ \t]*:)[ \t]*"
        r"(?:\"(?P<secret>[^\"\r\n]{4,})\"|'(?P<secret2>[^'\r\n]{4,})'|(?P<secret3>[^\s\"']{6,}))"
        r"|(?i:\b(?:api[ _-]?token|api[ _-]?key|access[ _-]?token|token|shared secret|"
        r"client secret))[^.\r\n=\"']{0,60}?(?:[ \t](?i:is|was)[ \t]*:?|:)[ \t]*(?:\r?\n[ \t]*)?"
        r"(?:\"(?P<secret4>[^\"\r\n]{8,})\"|'(?P<secret5>[^'\r\n]{8,})'"
        r"|(?P<secret6>[A-Za-z0-9+/=_.~-]{16,}))"
        r"|(?i:\bshared secret|\bsecret)[ \t]+"
        r"(?:\"(?P<secret7>[^\"\r\n]{8,})\"|'(?P<secret8>[^'\r\n]{8,})')"
        r"|(?i:\blog(?:in|on)\b)[^.\r\n]{0,40}?[ \t]is[ \t]+[^\s/]+[ \t]*/[ \t]*"
        r"(?P<secret9>[^\s\"']{4,})",
        check=check_prose,
        learn=True,
        trigger=r"(?i:password|passphrase|passwort|kennwort|wachtwoord|mot de passe|contrase|senha|"
        r"senord|pre-shared|psk|wpa|wi-?fi key|network key|token|secret|log(?:in|on)\b)",
    ),
    Rule(
        # An OAuth authorization code in a callback URL: exchanged for tokens by whoever
        # holds it until it expires.
        "credentials.oauth-code",
        r"[?&]code=(?P<secret>[^&\s\"'#<>]{16,})",
        check=check_oauth_code,
        trigger=r"[?&]code=",
    ),
    Rule(
        # JAAS login modules (Kafka, ZooKeeper): user_NAME="password".
        "credentials.jaas-user",
        r"\buser_(?P<user>[\w.-]+)[ \t]*=[ \t]*\"(?P<secret>[^\"\r\n]+)\"",
        check=check_jaas,
        learn=True,
        trigger=r"user_[\w.-]+[ \t]*=[ \t]*\"",
    ),
    Rule(
        # Elasticsearch's create-API-key answer: "encoded" is base64 of "id:api_key".
        "credentials.api-key",
        r"\\?\"encoded\\?\"\s*:\s*\\?\"(?P<secret>[A-Za-z0-9+/]{16,}={0,2})\\?\"",
        check=check_basic,
        learn=True,
        trigger=r"\"encoded\\?\"\s*:",
    ),
    Rule(
        # cloud-init: "Set the following 'random' passwords" then user:password lines.
        "credentials.generated-password",
        r"(?i:following\s+'?random'?\s+passwords?)[^\r\n]*\r?\n[ \t]*[\w.-]+:(?P<secret>\S+)"
        r"(?:\r?\n[ \t]*[\w.-]+:(?P<secret2>\S+))?(?:\r?\n[ \t]*[\w.-]+:(?P<secret3>\S+))?",
        check=check_value,
        learn=True,
        trigger=r"(?i:following\s+'?random'?\s+passwords?)[^\r\n]*\r?\n[ \t]*[\w.-]+:\S+"
        r"(?:\r?\n[ \t]*[\w.-]+:\S+)?(?:\r?\n[ \t]*[\w.-]+:\S+)?",
    ),
    Rule(
        # The secret's name on the parent, its value in a child: KOTS ConfigValues
        # ("admin_password:" then "value: x"), unattend.xml <Password><Value>x</Value>.
        "credentials.name-value",
        r"(?m:^[ \t]*(?P<key>[\w.-]*(?i:" + KEY_WORDS + r")[\w.-]*):[ \t]*\r?\n"
        r"[ \t]+(?i:value|valuePlaintext|default):[ \t]*" + _VALUE + ")"
        r"|<(?P<key2>[\w:.-]*(?i:"
        + KEY_WORDS
        + r")[\w:.-]*)>\s*<(?i:value)>(?P<secret9>[^<\r\n]+)</",
        check=check_variable,
        learn=True,
        trigger=rf"(?i:{KEY_WORDS})[\w.-]*:[ \t]*\r?\n[ \t]+(?i:value|valuePlaintext|default):"
        rf"|<[\w:.-]*(?i:{KEY_WORDS})[\w:.-]*>\s*<(?i:value)>",
    ),
    Rule(
        # "A temporary password is generated for root@localhost: Zx9..." (MySQL, installers).
        "credentials.generated-password",
        # Jenkins: "use the following password ...:", the password after a blank line.
        r"(?i:\b(?:temporary|generated|initial|default|random|one-time|following)\s+(?:[a-z]+\s+)?"
        r"password\b)[^:\r\n]*:(?:[ \t]+|[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*)(?P<secret>[^\s'\"]+)"
        # In prose, without a colon: "created with temporary password Zx9-1 (change it)".
        r"|(?i:\b(?:temporary|generated|initial|one-time|with(?:[ \t]+the)?|and)\s+password"
        r"|\bpassword[ \t]+(?:is|was))[ \t]+(?:(?i:is|of)[ \t]+)?"
        r"(?P<secret2>[A-Za-z0-9][^\s'\"]*[^\s'\".,;)])",
        check=check_bearer,
        learn=True,
        trigger=r"(?i:temporary|generated|initial|default|random|one-time|with|and)\s+(?:[a-z]+\s+)?"
        r"(?i:password)|(?i:password[ \t]+(?:is|was)[ \t])"
        # The value's line must be in the candidate range too.
        r"|(?i:following\s+password)[^:\r\n]*:[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*[^\s'\"]",
    ),
    Rule(
        # A config directive alone on its line: "requirepass x", "bindpw x", "rootpw {SSHA}x".
        "credentials.directive",
        r"(?m:^[ \t]*(?P<key>[\w.-]*(?i:pass|pw|secret|token|auth|credential)[\w.-]*)"
        r"[ \t]+[\"']?(?P<secret>[^\s\"'=:][^\s\"']*)[\"']?[ \t]*$)",
        check=check_directive,
        learn=True,
        trigger=r"(?m:(?i:pass|pw|secret|token|auth|credential)[\w.-]*[ \t]+\S+[ \t]*$)",
    ),
    Rule(
        # .netrc: "machine api.example.com login jdoe password x".
        "credentials.directive",
        r"\blogin[ \t]+(?P<login>\S+)[ \t]+password[ \t]+(?P<secret>\S+)",
        check=check_netrc,
        learn=True,
        trigger=r"\blogin[ \t]+\S+[ \t]+password",
    ),
    Rule(
        "credentials.command-line",
        r"(?:--(?P<key>[\w-]*(?i:pass|secret|token|api-?key|credential)[\w-]*)\s+[\"']?"
        r"(?P<secret>[^\s\"'-][^\s\"']*)"
        r"|\b(?i:mysql(?:dump|admin)?)\b[^\r\n]*?\s-p(?P<secret2>[^\s-]\S*)"
        r"|\s(?:-u|--user)\s*[\"']?(?P<user>[^:\s\"'@]+):[\"']?(?P<secret3>[^\s\"'@/]+)"
        r"|\s-u[ \t]+[\"']?[^\s\"'-][^\s\"']*[\"']?[ \t]+-[pP][ \t]*[\"']?"
        r"(?P<secret6>[^\s\"'-][^\s\"']*)"
        r"|\b(?:redis-cli\b[^\r\n]*?\s-a|sshpass\s+-p|docker\s+login\b[^\r\n]*?\s-p)\s+[\"']?"
        r"(?P<secret4>[^\s\"']+)"
        r"|\s-(?:src|dest)?(?:store|key)pass\s+[\"']?(?P<secret5>[^\s\"']+))",
        check=check_command_line,
        learn=True,
        trigger=r"--|(?i:mysql|redis-cli|sshpass|docker)|\s-u|(?i:pass)\s",
    ),
    Rule(
        # Tools whose password flag is a short option: ldapsearch -w, sqlcmd -P, mongosh -p,
        # twine -p, smbclient -U user%password, openssl -passin pass:x.
        "credentials.tool-password",
        r"(?:\b(?:ldap(?:search|modify|add|delete|passwd|compare|whoami|modrdn|exop)|kadmin"
        r"|[\w-]*_ldap_[\w-]*)\b"
        r"[^\r\n]*?\s-w"
        r"|\b(?:sqlcmd|bcp|osql|isql)\b[^\r\n]*?\s-P"
        r"|\b(?:mongo(?:sh|dump|restore|export|import|stat|top|files)?|twine|cqlsh|beeline|cypher-shell"
        r"|check_mysql|check_pgsql)\b[^\r\n]*?\s-p"
        r"|\bmosquitto_(?:sub|pub|rr)\b[^\r\n]*?\s-P"
        r"|\bcredential\s+create\b[^\r\n]*?\s-value)"
        r"\s*[\"']?(?P<secret>[^\s\"']+)"
        r"|\s-U\s*[\"']?[^%\s\"'/]+%(?P<secret2>[^\s\"']+)"
        r"|\s-pass(?:in|out|word)?\s+[\"']?pass:(?P<secret3>[^\s\"']+)"
        # Positional passwords: net use /user:u p, htpasswd -b file u p, rabbitmqctl add_user u p
        r"|\bnet\s+use\b[^\r\n]*?\s/user:\S+\s+[\"']?(?P<secret4>[^\s\"'/][^\s\"']*)"
        r"|\b(?:htpasswd|mosquitto_passwd)\s+(?:-\w+\s+)*?-\w*b\w*\s+(?:-\w+\s+)*\S+\s+\S+\s+[\"']?"
        r"(?P<secret5>[^\s\"']+)"
        r"|\bcheck_(?:http|curl)\b[^\r\n]*?\s-a[ \t]+[\"']?[^:\s\"']+:(?P<secret12>[^\s\"']+)"
        r"|\brabbitmqctl\s+(?:add_user|change_password)\s+\S+\s+[\"']?(?P<secret6>[^\s\"']+)"
        # A password piped into a command that reads it: echo x | sudo -S, passwd --stdin.
        r"|\becho\s+(?:-n\s+)?[\"']?(?P<secret7>[^\s\"'|]+)[\"']?\s*\|\s*(?:sudo\s+-S|passwd\s+--stdin|"
        r"chpasswd|kinit|docker\s+login\b[^\r\n|]*--password-stdin)"
        # HAProxy "stats auth admin:x", PowerShell "ConvertTo-SecureString 'x' -AsPlainText".
        r"|\bstats[ \t]+auth[ \t]+[^:\s]+:(?P<secret8>\S+)"
        r"|(?i:\bConvertTo-SecureString)[ \t]+(?:-(?i:String|AsPlainText|Force)[ \t]+)*"
        r"[\"'](?P<secret9>[^\"'\r\n]+)[\"']"
        # "net use Z: \\\\server\\share PASSWORD /user:DOMAIN\\name"
        r"|\bnet\s+user\s+(?:\"[^\"\r\n]+\"|[^\s/\"]+)\s+[\"']?(?P<secret11>[^\s\"'/*][^\s\"']*)"
        r"|\bnet\s+use\s+(?:[A-Za-z]:\s+|\*\s+)?\\\\\S+\s+[\"']?(?P<secret10>[^\s\"'/*][^\s\"']*)",
        check=check_command_line,
        learn=True,
        trigger=r"(?i:ldap[a-z]*|sqlcmd|bcp|osql|isql|mongo|twine|cqlsh|beeline|cypher-shell)\b|\s-U"
        r"|-pass|net\s+use|htpasswd|mosquitto_|credential\s+create|check_(?:http|curl|mysql|pgsql)"
        r"|rabbitmqctl|echo\s|stats[ \t]+auth|(?i:convertto-securestring)|kadmin|net\s+user",
    ),
    Rule(
        # Network devices and daemons: Cisco/ASA/Junos/FortiOS/WLC config lines ("enable
        # secret 5 x", "username u privilege 15 password 7 x", "key 0 x", "snmp-server
        # community x RO", "set psksecret ENC x"), net-snmp createUser, HAProxy
        # insecure-password, Squid cachemgr_passwd. Only lines of lower-case command words,
        # so log lines (a timestamp first) and prose (a capital first) do not count.
        "credentials.device-config",
        r"\b(?P<key>secret|password|passwd|key|key-string|community|rocommunity|rwcommunity|"
        r"pre-shared-key|set-key|authentication-key|message-digest-key|md5|"
        r"[\w-]*passw(?:or)?d|psksecret|psk)[ \t]+"
        r"(?:(?:\d+|ascii|ascii-text|hex|ENC|md5)[ \t]+)*[\"']?(?P<secret>[^\s\"'=:-][^\s\"']*)"
        # OpenVPN's management interface; FreeRADIUS with auth_goodpass/auth_badpass.
        r"|\bpassword[ \t]+\"(?:Auth|Private Key|HTTP Proxy)\"[ \t]+\"(?P<secret8>[^\"\r\n]+)\""
        r"|\bLogin (?:OK|incorrect)[^\[\r\n]*:[ \t]*\[(?P<user>[^/\]\r\n]+)/"
        r"(?P<secret9>[^\]\r\n]+)\]"
        r"|\bcreateUser[ \t]+\S+[ \t]+(?:MD5|SHA(?:-\d+)?)[ \t]+\"?(?P<secret2>[^\s\"]+)\"?"
        r"(?:[ \t]+(?:DES|AES(?:-?\d+)?)[ \t]+\"?(?P<secret3>[^\s\"]+)\"?)?"
        # strongSwan/libreswan ipsec.secrets: ": PSK \"x\"", ": RSA key.pem \"passphrase\"".
        r"|:[ \t]*(?:PSK|EAP|XAUTH|(?:RSA|ECDSA|P12)[ \t]+\S+)[ \t]+"
        r"(?:\"(?P<secret4>[^\"\r\n]+)\"|(?P<secret5>0s[A-Za-z0-9+/=]+|0x[0-9a-fA-F]+))"
        # `wg genkey` prints the private key on the next line.
        r"|\bwg[ \t]+genkey[^\r\n]*\r?\n(?P<secret6>[A-Za-z0-9+/]{42,43}=)"
        # Header tuples in debug output: ('x-api-key', 'x').
        r"|['\"](?i:x-api-key|api-key|x-auth-token|authorization)['\"],[ \t]*"
        r"['\"](?P<secret7>[^'\"\r\n]+)['\"]",
        check=check_device,
        learn=True,
        trigger=r"(?:secret|passw|key|community|psk)[\w-]*[ \t]"
        r"|createUser|:[ \t]*(?:PSK|EAP|XAUTH|RSA|ECDSA|P12)[ \t]|Login (?:OK|incorrect)"
        r"|wg[ \t]+genkey[^\r\n]*\r?\n[A-Za-z0-9+/]"
        r"|(?i:api-key|auth-token|authorization)['\"],",
    ),
    Rule(
        "credentials.high-entropy",
        # Spaces and tabs only: a key word at the end of one line ("PRIVATE KEY-----")
        # must not take the first word of the next line.
        _KEY + r"\\?[\"']?[ \t]+(?P<secret>[A-Za-z0-9+/=_.~-]+)",
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
