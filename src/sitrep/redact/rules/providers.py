"""Provider tokens: credentials recognisable by their own shape, wherever they appear.

Patterns follow the providers' documented token formats (and gitleaks' MIT-licensed rules).
They need no key next to them, so they also catch a token pasted into a log line.
"""

from __future__ import annotations

import re

from sitrep.redact.rules import CheckContext, Groups, Rule
from sitrep.redact.rules.text import is_placeholder

#: (provider, pattern) pairs; the whole token is the secret.
TOKEN_SHAPES = [
    ("aws", r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}"),
    ("github", r"(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}"),
    (
        "gitlab",
        r"gl(?:pat|ptt|dt|rt|cbt|soat|ft|imt|agent|ffct|oas)-[A-Za-z0-9_-]{20,}"
        r"|GR1348941[A-Za-z0-9_-]{20,}",
    ),
    ("slack", r"xox[abposr]-[0-9A-Za-z-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+"),
    (
        "slack-webhook",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,}"
        r"|services/T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/[A-Za-z0-9]{20,}",
    ),
    ("stripe", r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}|whsec_[A-Za-z0-9]{24,}"),
    ("google", r"AIza[0-9A-Za-z_-]{35}|GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[0-9A-Za-z_.-]{20,}"),
    ("azure", r"[A-Za-z0-9_~.-]+\dQ~[A-Za-z0-9_~.-]{31,}"),
    ("atlassian", r"AT[ACS]TT3[A-Za-z0-9_=-]{30,}|ATBB[A-Za-z0-9_=.-]{28,}"),
    ("npm", r"npm_[A-Za-z0-9]{36}"),
    ("pypi", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    (
        "openai",
        r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"
        r"|sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}",
    ),
    ("anthropic", r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}"),
    ("sendgrid", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("twilio", r"SK[0-9a-fA-F]{32}"),
    ("mailgun", r"key-[0-9a-f]{32}"),
    ("digitalocean", r"do[opr]_v1_[a-f0-9]{64}"),
    ("shopify", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    ("vault", r"hv[sbr]\.[A-Za-z0-9_-]{24,}"),
    ("terraform", r"[A-Za-z0-9]+\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    ("docker", r"dckr_pat_[A-Za-z0-9_-]{27,}"),
    ("databricks", r"dapi[a-f0-9]{32}(?:-\d)?"),
    ("huggingface", r"hf_[A-Za-z]{34}"),
    ("grafana", r"glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
    ("newrelic", r"NRAK-[A-Z0-9]{27}"),
    ("sentry", r"sntry[su]_[A-Za-z0-9+/=_-]{40,}"),
    ("square", r"sq0(?:atp|csp)-[0-9A-Za-z_-]{22,}|EAAA[A-Za-z0-9_-]{60}"),
    ("telegram", r"\d+:AA[0-9A-Za-z_-]{33}"),
    ("linear", r"lin_api_[A-Za-z0-9]{40}"),
    ("postman", r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    ("age", r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
    ("heroku", r"HRKU-[A-Za-z0-9_-]{60}"),
    ("honeycomb", r"hc[a-z]{2,3}_[0-9a-z]{20,}"),
    ("sonarqube", r"sq[upa]_[0-9a-f]{40}"),
    ("jfrog", r"AKCp[A-Za-z0-9]{65,75}|cmVmdGtu[A-Za-z0-9]{50,}"),
    ("notion", r"secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{46}"),
    ("firebase", r"AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{100,}"),
    # A BitLocker recovery password: eight groups of six digits unlock the disk.
    ("bitlocker", r"\d{6}(?:-\d{6}){7}"),
    # Incoming-webhook ids that are the whole secret: Mattermost, Microsoft Teams.
    ("mattermost", r"hooks/[a-z0-9]{26}"),
    ("rocketchat", r"hooks/[A-Za-z0-9]{17}/[A-Za-z0-9]{48}"),
    ("teams", r"IncomingWebhook/[0-9a-f]{32}/[0-9a-f-]{36}"),
    # NATS nkey seeds (user, account, operator, server, cluster): the private half.
    ("nats", r"S[UAONC][A-Z2-7]{56}"),
    # Not tokens but as good as passwords: a Docker config.json in base64 ({"auths": ...),
    # PostgreSQL's md5 and SCRAM verifiers (PgBouncer's userlist.txt, pg_authid dumps).
    ("docker-config", r"(?:eyJhdXRocyI6|ewogICJhdXRocyI6|ewoJImF1dGhzIjo)[A-Za-z0-9+/]{20,}"),
    (
        "postgres",
        r"md5[0-9a-f]{32}|SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/]+",
    ),
]
# Okta API tokens have no distinctive prefix; the key-value rules catch them (SSWS ...).

#: Documentation fills a token's shape with filler: ``ghp_XXXX...``, ``.../services/XXXX/``.
_FILLER = re.compile(rb"(?i)x{8,}|\*{4,}|0{20,}|(?-i:EXAMPLE)")


def check_shape(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A token of the right shape counts unless it is filler from an example (``ghp_XXXX``,
    ``xoxb-your-token-here``)."""
    start, end = groups["secret"]
    return _FILLER.search(buf, start, end) is None and not is_placeholder(buf[start:end])


RULES = [
    Rule(
        # An AWS key id next to its secret: the console's credentials CSV, "id:secret" pairs.
        "credentials.provider-token",
        r"\b(?P<secret>(?:AKIA|ASIA)[A-Z0-9]{16})['\"]?,[ \t]*['\"]?"
        r"(?P<secret2>[A-Za-z0-9/+]{40})\b",
        learn=True,
    ),
    Rule(
        # A password hash with its scheme (Atlassian's {PKCS5S2}, LDAP's {SSHA}, crypt(3)'s
        # $2b$, $6$): crackable, so removed like the password itself. The scheme alone is a
        # placeholder.
        "credentials.password-hash",
        r"(?P<secret>\{(?i:PKCS5S2|SSHA(?:256|512)?|SHA(?:256|512)?|SMD5|MD5|CRYPT|ARGON2(?:I|ID)?|"
        r"BCRYPT|AES(?:256)?|XOR)\}[A-Za-z0-9+/$.=]{8,}"
        # crypt(3) hashes: bcrypt, sha512crypt/sha256crypt (/etc/shadow), argon2.
        r"|\$2[aby]?\$\d\d\$[./A-Za-z0-9]{50,60}|\$(?:1|apr1)\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}"
        r"|\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$"
        r"[./A-Za-z0-9]{43,86}|\$argon2(?:id|i|d)\$[^\s\"']{40,}"
        # yescrypt, Debian's and Fedora's default now.
        r"|\$y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{43}"
        # Mosquitto's password file: $7$iterations$salt$hash (PBKDF2-SHA512).
        r"|\$7\$\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]{40,}={0,2})",
        learn=True,
        trigger=r"\{(?i:pkcs5s2|ssha|sha|smd5|md5|crypt|argon2|bcrypt|aes|xor)|\$2[aby]?\$|\$[156]\$|\$apr1\$"
        r"|\$argon2|\$y\$|\$7\$",
    ),
    Rule(
        # A FileVault personal recovery key (six groups of four), where a line speaks of
        # recovery or escrow; a CrowdStrike customer id with its checksum (32 hex digits, a
        # dash, two more), where it says CID: the sensor joins the customer's tenant with it.
        # Kept out of the token shapes: counted runs of a broad class in the candidate
        # automaton made its DFA twice as slow to build on new text.
        "credentials.provider-token",
        r"\b(?P<secret>[A-Z0-9]{4}(?:-[A-Z0-9]{4}){5}|[0-9A-Fa-f]{32}-[0-9A-Fa-f]{2})\b",
        check=check_shape,
        learn=True,
        trigger=r"(?i:recovery|filevault|fdesetup|escrow|personal ?key|\bcid\b)",
    ),
    Rule(
        # A Telegram bot token inside its API path: /bot<id>:<token>/sendMessage.
        "credentials.provider-token",
        r"/bot(?P<secret>\d{6,}:AA[0-9A-Za-z_-]{30,})",
        check=check_shape,
        learn=True,
        trigger=r"/bot\d",
    ),
    Rule(
        "credentials.provider-token",
        r"\b(?P<secret>" + "|".join(f"(?:{shape})" for _, shape in TOKEN_SHAPES) + r")\b",
        check=check_shape,
        learn=True,
    ),
]
