"""Small value tests the rule families share: placeholders, entropy, neighbouring bytes."""

from __future__ import annotations

import math
import re
from collections import Counter

_PLACEHOLDER = re.compile(
    rb"""(?ix)^(?:
        \$\{[^}]*\}|\$\([^)]*\)|\$\$?[A-Z_][A-Z0-9_]*|\$env:[A-Z_]\w*|%\([^)]*\)s|%[A-Z_]+%|\{\{[^}]*\}\}|<[^>]*>
      | %\{[^}]*\}|\{[a-z][a-z0-9+-]*://[^}]*\}  # Shibboleth's %{prop}, Kong's {vault://env/x}
      | ENC\[[\w.-]+\]  # a Datadog secret handle: ENC[pg_datadog_password]
      | vault:[\w./#-]+  # a reference into Vault: vault:kv/sendgrid#api_key
      | \*+|x+|\.{3,}|-+|_+|\?+|\#+
      | \*+hidden\*+|[\[(]?(?:redacted|hidden|masked|filtered)[\])]?|sanitized.*
      | null|none|nil|true|false|yes|no|on|off|undefined|empty|n/?a|unset|required|optional
      | string|str|int|integer|bool|boolean|uint|duration|value|strings
      | \[?(?:string|int|id|float|boolean)!?\]?!?  # GraphQL types: "password: String!"
      | autogenerate(?:,isolateapps)?
      | no-?check|disabled|enabled|redacted|removed|omitted|not[-_ ]?set
      | read|write|read-?write|read-?only|read-all|write-all  # GitHub's "id-token: write"
      | replace[-_]?me|change[-_]me
      | \*sensitive\*data\*deleted\*  # Windows setup logs and unattend.xml after setup
      | _?(?:the|your|my)[_-][\w-]*(?:password|secret|token)[\w-]*  # _the_password_of_x
      # A provider's prefix before a placeholder: sk_test_REPLACE_ME, whsec_..., SG.xxxx.xxxx
      | (?:[a-z]{2,8}[_.-])+(?:x{4,}|\.{3,}|\*{3,}|replace[-_]?me|change[-_]?me)(?:[._-]x{4,})*
      | (?:[a-z]{2,8}_)+  # whsec_... once its dots are stripped
      | \{[A-Z0-9_-]+\}
      | (?-i:[A-Z]+(?:_[A-Z]+){2,}|PASSWORD|PASSWD|PWD|PASS|SECRET|TOKEN|API_?KEY|USER(?:NAME)?)
      | (?:user|host|domain|word)-[0-9a-f]{8}(?:[0-9a-f]{4})?
    )$"""
)
_WORDY_KEY_SUFFIX = re.compile(
    rb"(?i)(?:length|len|min|max|policy|expiry|expires|expiration|ttl|age|count|enabled|"
    rb"disabled|required|reset|file|path|dir|hint|type|field|url|uri|endpoint|name|id|ids|ref|"
    rb"prompt|label|changed|updated|version|format|algorithm|alg|encoding|mode|timeout|interval|"
    rb"size|strength|rotation|header|param|validity|lifetime|store|storetype|provider|class|"
    rb"handler|manager|service|method|scheme|pattern|regex|location|source|env|var|cache|"
    rb"limit|limits|attempts|retries|complexity|history|duration|seconds|minutes|hours|days|"
    rb"exception|error|encoder|decoder|filter|factory|impl|validator|util|utils|helper|listener|"
    rb"resolver|holder|context|config|configuration|properties|registry|generator|request|"
    rb"response|dialog|form|page|view|controller|action|test|tests|spec|event|events|"
    rb"encryption|issuer|audience|module|map|maps|plugin|plugins|scope|scopes|classname|"
    rb"pointer|arn|in|hasher|hashers|validators|accessor|cmd|command|authenticator|identity|at|"
    rb"iterations|rounds|cost|algo|stdin|suite|cipher|ciphers|function|variable|variables)$"
)


#: A UUID: an object's id (Kubernetes uid, Consul's SecretID token, a request id).
UUID = re.compile(rb"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def is_placeholder(value: bytes) -> bool:
    """True for values that are clearly not a real secret: ``${VAR}``, ``****``, ``null``."""
    value = value.strip(b"\"' ").rstrip(b".,;")
    if not value or _PLACEHOLDER.match(value) is not None:
        return True
    # YOUR_API_KEY, your-token-here, PASTE_SECRET_HERE: tested apart, and only when the first
    # or last letter fits, which is cheaper than more alternatives in the regex.
    if value[:1] in b"yY" and value[:5].lower() in (b"your_", b"your-", b"your "):
        return True
    return value[-1:] in b"eE" and value[-5:].lower() in (b"_here", b"-here")


_COMMON_VALUES = frozenset(
    b"""password passwd secret changeit changeme default example placeholder dummy token
    admin administrator root system public private localhost unknown anonymous enabled
    disabled redacted hidden masked username""".split()
)


def is_learnable(value: bytes) -> bool:
    """True when a secret value is distinctive enough to be removed wherever it appears."""
    return len(value) >= 6 and not is_placeholder(value) and value.lower() not in _COMMON_VALUES


#: ``passwordKey: password`` names the entry of a Kubernetes Secret that holds the password.
_ENTRY_NAME = frozenset(b"password passwd username user".split())
_ENTRY_REFS = [[name, b"secret", b"key"] for name in _ENTRY_NAME]
#: A key that starts with one of these names an action about a secret; ``verify_token`` (a
#: webhook's shared secret) still counts, by its last word.
_VERBS = frozenset(b"validate verify check forgot handle on".split())


def key_is_descriptive(key: bytes) -> bool:
    """True when a secret-looking key names a property of the secret (``password_length``).

    Also ``existingSecret`` (the name of a Secret object) and ``adminPasswordKey`` (the
    entry that holds the password), as Helm charts spell them, and public keys and .NET's
    ``PublicKeyToken``.
    """
    parts = re.split(rb"[._\-\s]|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", key.strip(b"\"'\\"))
    if len(parts) < 2:
        return False
    if parts[0].lower() == b"existing" or (
        parts[0].lower() == b"public"
        and parts[-1].lower() in (b"key", b"keys", b"cert", b"pem", b"token")
    ):
        return True  # existingSecret; a public key ("PublicLinkSalt" is a salt)
    words = [p.lower() for p in parts]
    if words[0] in _VERBS and words[-1] not in (b"token", b"key", b"secret"):
        return True  # ValidateUsernamePasswordAgainstLDAP: an action, not a password
    if b"idempotency" in words or b"dedup" in words:
        return True  # Idempotency-Token: a request id that makes a retry safe
    if parts[-1].lower() == b"key" and parts[-2].lower() in _ENTRY_NAME:
        return True
    if len(parts) > 2 and [p.lower() for p in parts[-3:]] in _ENTRY_REFS:
        return True  # usernameSecretKey: username (where a Secret keeps the user name)
    return _WORDY_KEY_SUFFIX.match(parts[-1]) is not None


def entropy(value: bytes) -> float:
    """Shannon entropy of ``value`` in bits per byte."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def looks_random(value: bytes, *, min_len: int = 16, min_entropy: float = 3.2) -> bool:
    """True for long, high-entropy tokens that mix letters and digits."""
    if len(value) < min_len or entropy(value) < min_entropy:
        return False
    has_digit = any(48 <= c <= 57 for c in value)
    has_alpha = any(65 <= c <= 90 or 97 <= c <= 122 for c in value)
    return has_digit and has_alpha


def before(buf: bytes, start: int, width: int) -> bytes:
    """Return up to ``width`` bytes before ``start``."""
    return buf[max(0, start - width) : start]


def after(buf: bytes, end: int, width: int) -> bytes:
    """Return up to ``width`` bytes after ``end``."""
    return buf[end : end + width]
