"""Credentials in particular formats: tools, devices, protocols, tool output and prose.

The rules here name a secret by where a format puts it rather than by a key next to it:
a tool's password flag (``mysql -p``, ``ldapsearch -w``), a device config line (``enable
secret 5 x``), a protocol transcript (IMAP ``LOGIN``, SMTP ``AUTH LOGIN``), a tool's output
(Vault's unseal keys), a config file's field (``~/.pgpass``), or a sentence ("the password
for jira is x"). They rarely match, so they share one automaton apart from the key-value
rules in ``credentials.py`` (see ``matcher._family``), whose checks they reuse.
"""

from __future__ import annotations

import re

from sitrep.redact.rules import CheckContext, Groups, Rule
from sitrep.redact.rules.credentials import (
    KEY_WORDS,
    NOT_A_SECRET,
    VALUE,
    check_basic,
    check_bearer,
    check_command_line,
    check_key_value,
    check_value,
    key_strength,
    value_group,
    value_is_secret,
)
from sitrep.redact.rules.text import before, is_placeholder, key_is_descriptive, looks_random


def check_directive(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """``requirepass Zx9...`` alone on a line: a strong key and a value that is not a word."""
    value = buf[groups["secret"][0] : groups["secret"][1]]
    key = buf[groups["key"][0] : groups["key"][1]]
    if value.startswith((b"/", b"~/", b"./")) or NOT_A_SECRET.match(value):
        return False  # "auth-user-pass /etc/openvpn/creds.txt", "proxy_pass http://..."
    return key_strength(key) == 2 and check_bearer(buf, groups, ctx) and not value.isdigit()


def check_variable(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """``${x.password} with v`` and ``define('DB_PASSWORD', 'v')``: the usual key test."""
    key = groups.get("key") or groups["key2"]
    span = value_group(groups)
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
    span = value_group(groups)
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
    return check_value(buf, groups, ctx) and not NOT_A_SECRET.match(value)


def check_reset_token(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A session id or reset token mixes letters and digits; a path word does not."""
    span = value_group(groups)
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
#: "Password policy: length(12) and ...": a rule, not a password.
_CALL = re.compile(rb"[a-z]+\(")
_TOKEN_GROUPS = ("secret4", "secret5", "secret6", "secret7", "secret8", "secret11")


def check_positional(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A field that holds a secret by its position: not a placeholder, path or reference."""
    span = value_group(groups)
    if span is None:
        return False
    value = buf[span[0] : span[1]]
    return not is_placeholder(value) and NOT_A_SECRET.match(value) is None


_KEY_BEFORE = re.compile(rb"([\w.-]+)[ \t]*:?[ \t]*$")


def check_prose(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A password in prose has a digit or a symbol; a token in prose looks random."""
    span = value_group(groups)
    if span is None:
        return False
    value = buf[span[0] : span[1]].rstrip(b".,;:!?)")
    if value.startswith(b"***"):
        return False  # "パスワード：********（伏せ字）": masked, with a note after it
    if is_placeholder(value) or NOT_A_SECRET.match(value) or value.startswith(b"//"):
        return False  # "token via https://host/token": the ":" was the URL's
    if any(name in groups for name in _TOKEN_GROUPS):
        if value.isalpha():
            return False  # "auth tokens: Reauthentication failed": a word
        key = _KEY_BEFORE.search(before(buf, span[0], 80))
        if key is not None and key_is_descriptive(key.group(1)):
            return False  # "I-Twilio-Idempotency-Token: <uuid>": a request id
        return looks_random(value, min_len=8, min_entropy=2.8)
    if (
        _SETTING.match(value)
        or _CALL.match(value)
        or value[:1].isspace()
        or (b";" in value and b"=" in value)
    ):
        return False  # "password rules: minLength=12", a prompt "Password: " then code
    return len(value) >= 4 and not value.replace(b"-", b"").replace(b"_", b"").isalpha()


_JAAS = re.compile(rb"LoginModule\b")


def check_jaas(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """``user_alice="x"`` is a password only inside a JAAS login module's options."""
    start = groups["secret"][0]
    return _JAAS.search(buf, max(0, start - 2000), start) is not None and check_value(
        buf, groups, ctx
    )


_PROSE_LINKS = frozenset(b"with to as for in the by via using and or without".split())


def check_netrc(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """``login jdoe password x``, not prose: "allow login with password authentication"."""
    start, end = groups["login"]
    return buf[start:end].lower() not in _PROSE_LINKS and check_value(buf, groups, ctx)


#: A file name that holds a secret: admin.password, .erlang.cookie, master.key, keyfile.
_SECRET_FILE = (
    r"(?i:pass(?:word)?\b|secret|token|credential|cookie|\.key\b|keyfile|\.pem\b|htpasswd"
    r"|api[_-]?key)"
)

#: A command that prints a secret: a secret file shown, a cloud CLI's token, base64 -d.
_PRINTS_SECRET = (
    r"(?:\b(?:cat|head|tail|type|more|Get-Content|gc)\b[^\r\n]*?"
    + _SECRET_FILE
    + r"|\b(?:get-login-password|print-access-token|print-identity-token|initial-password"
    r"|join-token|base64[ \t]+(?:-d|--decode|-D))\b)"
)
#: A shell prompt at the start of a line: "$ ", "# ", "PS C:\\> ", "jdoe@web01:~$ ".
_PROMPT = (
    r"(?m:^[ \t]*(?:PS [^\r\n>]*>|\[[^\]\r\n]*\][$#]"
    r"|(?:[\w.-]+(?:@[\w.-]+)?(?::[^\r\n$#]*)?[ \t]?)?[$#])[ \t]+)"
)

RULES = [
    Rule(
        # SMTP "AUTH PLAIN <base64 of \0user\0password>" in mail debug transcripts.
        "credentials.smtp-auth",
        r"(?i:\bauth\s+plain)\s+(?P<secret>[A-Za-z0-9+/]{6,}={0,2})",
        check=check_value,
        trigger=r"(?i:auth\s+plain)",
    ),
    Rule(
        "credentials.connection-string",
        r"(?:jdbc:oracle:\w+:@?|\b(?:sqlplus|expdp|impdp|exp|imp|rman\s+target)\s+(?:-\w+\s+)*)"
        r"(?P<user>[A-Za-z][\w$#]*)/(?P<secret>[^@\s/]+)@",
        check=check_value,
        learn=True,
        trigger=r"(?i:jdbc:oracle|sqlplus|expdp|impdp|\bexp\s|\bimp\s|rman)",
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
        # Name and value in sibling elements: Hadoop/Maven <name>/<value>, web.xml
        # <param-name>/<param-value>, Apple property lists' <key>/<string>, also on
        # separate lines.
        "credentials.name-value",
        r"<(?P<tag>(?:[\w-]*[-:])?(?i:name|key))>(?P<key>[^<]*(?i:" + KEY_WORDS + r")[^<]*)</"
        r"[\w:-]+>\s*<(?:[\w-]*[-:])?(?i:value|string)>(?P<secret>[^<\r\n]+)</",
        check=check_key_value,
        learn=True,
        trigger=rf"<(?:[\w-]*[-:])?(?i:name|key)>[^<]*(?i:{KEY_WORDS})[^<]*</[\w:-]+>\s*<",
    ),
    Rule(
        # Kubernetes env entries and other YAML lists: "- name: DB_PASSWORD" then "value: x".
        "credentials.name-value",
        r"\b(?i:name):[ \t]*[\"']?(?P<key>[\w.-]*(?i:" + KEY_WORDS + r")[\w.-]*)[\"']?[ \t]*\r?\n"
        r"[ \t]*(?i:value):[ \t]*" + VALUE,
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
        # A secret printed by the command on the line before, in a pasted terminal session:
        # "$ sudo cat /var/lib/rabbitmq/.erlang.cookie", "$ docker exec nexus cat
        # /nexus-data/admin.password", "$ aws ecr get-login-password", "$ kubectl get secret x
        # -o jsonpath=... | base64 -d". The value is the next line, a single token (with the
        # base64 lines that follow it, for a key file).
        "credentials.command-output",
        _PROMPT + r"[^\r\n]*?" + _PRINTS_SECRET + r"[^\r\n]*\r?\n"
        r"(?P<secret>[^\s\"'$#>]{8,}(?:\r?\n[A-Za-z0-9+/=]{20,})*)[ \t]*\r?(?m:$)",
        check=check_value,
        learn=True,
        # From the prompt to the end of the command's line (and the base64 lines after it): no
        # other trigger starts before it on that line, and the candidate range takes them all.
        trigger=_PROMPT + r"[^\r\n]*?" + _PRINTS_SECRET + r"[^\r\n]*(?:\r?\n[A-Za-z0-9+/=]{20,})*",
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
        # Non-ASCII letters as alternatives, not in a class: patterns match UTF-8 bytes.
        r"(?:(?i:\b(?:password|passphrase|pw|pwd|passwort|kennwort|wachtwoord|mot de passe|"
        r"contrase(?:n|ñ)a|has(?:ł|l)o|clave|sifre|heslo|"
        r"senha|l(?:o|ö)senord|pre-shared[ -]key|psk|wpa2? key|wi-?fi key|network key|pass ?code))"
        # Words that start with a non-ASCII letter have no \b before them (an ASCII class).
        r"|(?:Ş|ş)ifre|пароль|Пароль|パスワード|暗号化キー|密码|口令)"
        # Italian "l'utente" may stand between the word and its value.
        r"(?:[ \t][^.\r\n:=\"@/]{0,60}?)??"
        # "：" is the full-width colon of Japanese and Chinese text.
        r"(?:(?:[ \t](?i:is|was|to|lautet(?:[ \t]+aktuell)?|est|ist|è|é|es|jest|para)[ \t]*:?"
        r"|[ \t]*(?::|：))"
        r"[ \t]*(?:\"(?P<secret>[^\"\r\n]{4,})\"|'(?P<secret2>[^'\r\n]{4,})'"
        r"|(?P<secret3>[^\s\"'«]{6,})|«[ \t]*(?P<secret10>[^\s«]{4,})[ \t]*»)"
        r"|[ \t]*«[ \t]*(?P<secret12>[^\s«]{4,})[ \t]*»)"
        r"|(?i:\b(?:api[ _-]?token|api[ _-]?key|access[ _-]?token|token|shared secret|"
        r"client secret|cl(?:é|e) du compte))(?:[ \t][^.\r\n=\"'@/]{0,60}?)??"
        r"(?:[ \t](?i:is|was|es|est|ist|è|jest)[ \t]*:?|[ \t]*:)[ \t]*"
        r"(?:\r?\n[ \t]*)?"
        r"(?:\"(?P<secret4>[^\"\r\n]{8,})\"|'(?P<secret5>[^'\r\n]{8,})'"
        r"|(?P<secret6>[A-Za-z0-9+/=_.~-]{16,}))"
        r"|(?i:\bshared secret|\bsecret)[ \t]+"
        r"(?:\"(?P<secret7>[^\"\r\n]{8,})\"|'(?P<secret8>[^'\r\n]{8,})')"
        r"|(?i:\blog(?:in|on)\b)[^.\r\n]{0,40}?[ \t]is[ \t]+[^\s/]+[ \t]*/[ \t]*"
        r"(?P<secret9>[^\s\"']{4,})"
        # "the API key b56475ac... in the header": a random token right after its name.
        r"|(?i:\bapi[ _-]?(?:key|token)|\baccess[ _-]?token)[ \t]+"
        r"(?P<secret11>[A-Za-z0-9+/=_.~-]{20,})",
        check=check_prose,
        learn=True,
        trigger=r"(?i:password|passphrase|passwort|kennwort|wachtwoord|mot de passe|contrase|senha|"
        r"senord|pre-shared|psk|wpa|wi-?fi key|network key|token|secret|log(?:in|on)\b"
        r"|ifre|пароль|Пароль|heslo|パスワード|暗号化キー|密码|口令"
        r"|has(?:ł|l)o|clave|api[ _-]?key|cl(?:é|e) du compte|pass ?code)",
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
        r"[ \t]+(?i:value|valuePlaintext|default):[ \t]*" + VALUE + ")"
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
        # "the temporary password for the staging admin is x"
        r"(?:[^.\r\n:=\"']{0,40}?[ \t](?:is|was|to))?"
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
        r"[ \t]+[\"']?(?P<secret>[^\s\"'=:{(\[][^\s\"']*)[\"']?[ \t]*$)",
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
        r"|\bcredential\s+create\b[^\r\n]*?\s-value"
        # MIT Kerberos' master password, certutil's PFX password, Chocolatey's API key.
        r"|\bkdb5_(?:ldap_)?util\b[^\r\n]*?\s-P|\bcertutil\b[^\r\n]*?\s-p"
        r"|\bchoco(?:latey)?\b[^\r\n]*?\s(?:--key|-k|--api-?key)"
        # Cassandra's nodetool -pw, Oracle's mkstore -createCredential alias user password.
        r"|\bnodetool\b[^\r\n]*?\s-pw|\bmkstore\b[^\r\n]*?\s-(?:create|modify)Credential\s+\S+\s+\S+)"
        r"\s*[\"']?(?P<secret>[^\s\"']+)"
        r"|\s-U\s*[\"']?[^%\s\"'/]+%(?P<secret2>[^\s\"']+)"
        r"|\s-pass(?:in|out|word)?\s+[\"']?pass:(?P<secret3>[^\s\"']+)"
        # Positional passwords: net use /user:u p, htpasswd -b file u p, rabbitmqctl add_user u p
        r"|\bnet[ \t]+use\b[^\r\n]*?[ \t]/user:\S+[ \t]+[\"']?(?P<secret4>[^\s\"'/][^\s\"']*)"
        r"|\b(?:htpasswd|mosquitto_passwd)\s+(?:-\w+\s+)*?-\w*b\w*\s+(?:-\w+\s+)*\S+\s+\S+\s+[\"']?"
        r"(?P<secret5>[^\s\"']+)"
        r"|\bcheck_(?:http|curl)\b[^\r\n]*?\s-a[ \t]+[\"']?[^:\s\"']+:(?P<secret12>[^\s\"']+)"
        r"|\brabbitmqctl\s+(?:add_user|change_password)\s+\S+\s+[\"']?(?P<secret6>[^\s\"']+)"
        # A password piped into a command that reads it: echo x | sudo -S, passwd --stdin.
        r"|\becho\s+(?:-n\s+)?[\"']?(?P<secret7>[^\s\"'|]+)[\"']?\s*\|\s*(?:sudo\s+-S|passwd\s+--stdin|"
        r"chpasswd|kinit|docker\s+login\b[^\r\n|]*--password-stdin|[\w/.-]*keystore\s+add\b)"
        # ZooKeeper's "addauth digest user:password"; Postfix's static:user:password map.
        r"|\baddauth[ \t]+digest[ \t]+[^:\s]+:(?P<secret16>\S+)"
        r"|sasl_password_maps[ \t]*=[ \t]*static:[^:\s]+:(?P<secret17>\S+)"
        # Oracle's user/password@service (sqlplus, rman, exp/imp, Data Pump USERID=).
        r"|(?:\b(?i:userid)[ \t]*=[ \t]*\"?|\b(?:sqlplus|rman|expdp|impdp|exp|imp|sqlldr|dgmgrl)\b"
        r"[^\r\n]*?(?:\s|=)|\b(?:target|catalog|auxiliary|connect)[ \t]+)"
        r"[\w$#]+/(?:\"(?P<secret19>[^\"\r\n]+)\"|(?P<secret18>[^\s/@\"']+))@[\w.:/-]+"
        # HAProxy "stats auth admin:x", PowerShell "ConvertTo-SecureString 'x' -AsPlainText".
        r"|\bstats[ \t]+auth[ \t]+[^:\s]+:(?P<secret8>\S+)"
        r"|[ \t]/(?i:RP|pass|password|decrypt)[: \t]+[\"']?(?P<secret13>[^\s\"'/][^\s\"']*)"
        r"|[ \t]-(?i:Password|Pass|passcrypt)[ \t]+[\"'](?P<secret14>[^\"'\r\n]+)[\"']"
        r"|\b(?i:requirepass|masterauth)\"?[ \t]+[\"']?(?P<secret15>[^\s\"']+)"
        r"|(?i:\bConvertTo-SecureString)[ \t]+(?:-(?i:String|AsPlainText|Force)[ \t]+)*"
        r"[\"'](?P<secret9>[^\"'\r\n]+)[\"']"
        # "net use Z: \\\\server\\share PASSWORD /user:DOMAIN\\name"
        r"|\bnet[ \t]+user[ \t]+(?:\"[^\"\r\n]+\"|[^\s/\"]+)[ \t]+[\"']?"
        r"(?P<secret11>[^\s\"'/*][^\s\"']*)"
        r"|\bnet[ \t]+use[ \t]+(?:[A-Za-z]:[ \t]+|\*[ \t]+)?\\\\\S+[ \t]+[\"']?"
        r"(?P<secret10>[^\s\"'/*][^\s\"']*)",
        check=check_command_line,
        learn=True,
        trigger=r"(?i:ldap[a-z]*|sqlcmd|bcp|osql|isql|mongo|twine|cqlsh|beeline|cypher-shell)\b|\s-U"
        r"|-pass|net\s+use|htpasswd|mosquitto_|credential\s+create|check_(?:http|curl|mysql|pgsql)"
        r"|rabbitmqctl|echo\s|stats[ \t]+auth|(?i:convertto-securestring)|kadmin|net\s+user"
        r"|[ \t][/-](?i:rp|pass|decrypt)|(?i:requirepass|masterauth)|kdb5_|certutil|choco"
        r"|addauth[ \t]|nodetool|mkstore|sasl_password_maps|(?i:userid)[ \t]*=|sqlplus|rman"
        r"|expdp|impdp|sqlldr|dgmgrl|\b(?:exp|imp|target|catalog|auxiliary|connect)[ \t]",
    ),
    Rule(
        # Network devices and daemons: Cisco/ASA/Junos/FortiOS/WLC config lines ("enable
        # secret 5 x", "username u privilege 15 password 7 x", "key 0 x", "snmp-server
        # community x RO", "set psksecret ENC x"), net-snmp createUser, HAProxy
        # insecure-password, Squid cachemgr_passwd. Only lines of lower-case command words,
        # so log lines (a timestamp first) and prose (a capital first) do not count.
        "credentials.device-config",
        # OpenVPN's management interface first: at "password" it must win over the keyword.
        r"\bpassword[ \t]+\"(?:Auth|Private Key|HTTP Proxy)\"[ \t]+\"(?P<secret8>[^\"\r\n]+)\""
        r"|\b(?P<key>secret|password|passwd|key|key-string|community|rocommunity|rwcommunity|"
        r"pre-shared-key|set-key|authentication-key|message-digest-key|md5|community-name|"
        r"[\w-]*passw(?:or)?d|psksecret|psk)[ \t]+"
        r"(?:(?:\d+|ascii|ascii-text|hex|ENC|md5)[ \t]+)*[\"']?(?P<secret>[^\s\"'=:-][^\s\"']*)"
        # OpenVPN's management interface; FreeRADIUS with auth_goodpass/auth_badpass.
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
        # Code sets a password by a call: conn.setPassword("x"), $cfg.SetProxyPassword("x").
        "credentials.key-value",
        r"\b(?P<key>(?i:set)\w*(?i:password|passphrase|secret|token|apikey))\([ \t]*[\"']"
        r"(?P<secret>[^\"'\r\n]+)[\"'][ \t]*\)",
        check=check_positional,
        learn=True,
        trigger=r"(?i:password|passphrase|secret|token|apikey)\(",
    ),
    Rule(
        # Files and tools that say by position which field is the secret: a TSIG key on
        # nsupdate's or dig's command line (-y hmac-sha256:name:KEY), a TLS key log
        # (SSLKEYLOGFILE: label, client random, secret), netsh's "Key Content : x", a
        # FreeRADIUS users file ("jdoe" Cleartext-Password := "x"), a hostapd EAP user file
        # ("jdoe" MSCHAPV2 "x"), tac_plus's "login = cleartext x".
        "credentials.tool-output",
        r"\s-y[ \t]+(?:hmac-[\w-]+:)?[\w.-]+:(?P<secret>[A-Za-z0-9+/]{16,}=*)"
        r"|(?m:^(?:CLIENT_RANDOM|(?:CLIENT|SERVER)_(?:HANDSHAKE_|EARLY_)?TRAFFIC_SECRET(?:_\d)?"
        r"|(?:EARLY_)?EXPORTER_SECRET)[ \t]+[0-9a-fA-F]{64}[ \t]+(?P<secret2>[0-9a-fA-F]{32,}))"
        r"|\bKey Content[ \t]*:[ \t]*(?P<secret3>[^\s][^\r\n]*[^\s])"
        r"|(?m:^\"?(?P<user>[^\s\"#][^\s\"]*)\"?[ \t]+"
        r"(?:(?:Cleartext|NT|Crypt|MD5|SMD5|SHA|SSHA|LM)-Password[ \t]*:=[ \t]*"
        r"\"?(?P<secret4>[^\"\r\n]+)"
        r"|(?:MSCHAPV2|MD5|GTC|PWD|TTLS-[A-Z]+)(?:,[A-Z0-9-]+)*[ \t]+"
        r"(?:\"(?P<secret5>[^\"\r\n]+)\"|hash:(?P<secret6>[0-9a-fA-F]{32}))))"
        r"|\blogin[ \t]*=[ \t]*(?:cleartext|des|crypt|clear)[ \t]+\"?(?P<secret7>[^\s\"]+)"
        # Nagios' resource.cfg: $USER3$=x holds passwords (paths are refused by the check).
        r"|(?m:^\$USER\d{1,3}\$[ \t]*=[ \t]*(?P<secret8>[^\r\n]*[^\s]))"
        # Db2's "connect to DB user u using x"; MongoDB's db.auth("u", "x") and
        # changeUserPassword; Redis' "AUTH user x" and Sentinel's "auth-pass master x";
        # elasticsearch-setup-passwords' "PASSWORD elastic = x".
        r"|\bconnect[ \t]+to[ \t]+\S+[ \t]+user[ \t]+\S+[ \t]+using[ \t]+(?P<secret9>[^\s;]+)"
        r"|\b(?:db\.auth|changeUserPassword|username_pw_set)\([ \t]*[\"'][^\"'\r\n]+[\"'][ \t]*,"
        r"[ \t]*[\"'](?P<secret10>[^\"'\r\n]+)[\"']"
        r"|(?m:^[^\r\n]*?>[ \t]*(?i:auth)[ \t]+[\w.-]+[ \t]+(?P<secret11>[^\s]+)[ \t]*\r?$)"
        r"|\bsentinel[ \t]+auth-pass[ \t]+\S+[ \t]+(?P<secret12>[^\s]+)"
        r"|(?m:^PASSWORD[ \t]+[\w.-]+[ \t]+=[ \t]+(?P<secret13>\S+))"
        # Postfix's sasl_passwd ("[smtp.office365.com]:587 user:x"), s3fs' passwd file
        # (ACCESS_KEY:SECRET_KEY).
        r"|(?m:^\[[\w.-]+\](?::\d+)?[ \t]+[^\s:]+:(?P<secret14>\S+))"
        r"|(?m:^[A-Z0-9]{16,24}:(?P<secret15>[A-Za-z0-9/+]{40})[ \t]*\r?$)"
        # MinIO's "mc alias set NAME URL ACCESS_KEY SECRET_KEY".
        r"|\bmc[ \t]+alias[ \t]+set[ \t]+\S+[ \t]+\S+[ \t]+\S+[ \t]+(?P<secret16>[^\s\"']+)"
        # WLST's connect('user', 'x', 'url'); Elytron's masked passwords (MASK-x;salt;count).
        r"|\bconnect\([ \t]*['\"][^'\"\r\n]+['\"][ \t]*,[ \t]*['\"](?P<secret17>[^'\"\r\n]+)['\"]"
        r"|\bMASK-(?P<secret18>[A-Za-z0-9+/=]{16,});"
        # NUT's upsmon.conf: MONITOR ups@host 1 user password primary.
        r"|\bMONITOR[ \t]+\S+[ \t]+\d+[ \t]+\S+[ \t]+(?P<secret19>\S+)[ \t]+"
        r"(?:master|slave|primary|secondary)\b",
        check=check_positional,
        learn=True,
        trigger=r"\s-y[ \t]+\S+:|(?m:^(?:CLIENT_|SERVER_|EARLY_|EXPORTER_))|Key Content"
        r"|-Password[ \t]*:=|(?:MSCHAPV2|MD5|GTC|PWD|TTLS-[A-Z]+)(?:,[A-Z0-9-]+)*[ \t]+[\"h]"
        r"|\blogin[ \t]*=[ \t]*(?:cleartext|des|crypt|clear)[ \t]|(?m:^\$USER\d)"
        r"|\busing[ \t]|db\.auth|changeUserPassword|username_pw_set|(?i:auth)[ \t]+[\w.-]+[ \t]+\S"
        r"|auth-pass|(?m:^PASSWORD[ \t])|(?m:^\[[\w.-]+\](?::\d+)?[ \t])"
        r"|(?m:^[A-Z0-9]{16,24}:[A-Za-z0-9/+]{40})|\bmc[ \t]+alias[ \t]+set[ \t]|connect\(|MASK-"
        r"|\bMONITOR[ \t]",
    ),
]
