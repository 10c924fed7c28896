# ruff: noqa: E501 -- corpus templates are data; wrapping them would hurt reading them.
"""Build the labelled redaction corpus (deterministic; run to regenerate the JSONL files).

positives.jsonl: {"family", "kind": "credential"|"identifier", "text", "values": [...]}; every
value must be gone from the redacted text. negatives.jsonl: {"family", "text"}; each text must
come out byte-identical (standard profile). Templates cover many formats and contexts; the
values are random, so the rules cannot be fitted to particular strings.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from pathlib import Path

HERE = Path(__file__).parent
R = random.Random(20261129)
ALNUM = string.ascii_letters + string.digits


def rand(chars: str, n: int) -> str:
    return "".join(R.choice(chars) for _ in range(n))


def password() -> str:
    kind = R.randrange(4)
    if kind == 0:
        return rand(ALNUM + "!#$%^*_+-.", R.randint(10, 24))
    if kind == 1:
        return (
            R.choice(["Winter", "Summer", "Spring", "Autumn", "Welcome", "Company"])
            + str(R.randint(2015, 2026))
            + R.choice("!#$%*")
        )
    if kind == 2:
        return "-".join(
            R.choice(["correct", "horse", "battery", "staple", "orbit", "maple", "river"])
            for _ in range(3)
        ) + str(R.randint(1, 99))
    return rand(ALNUM, R.randint(12, 32))


FIRST = [
    "john",
    "jane",
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "oscar",
    "peggy",
    "trent",
    "victor",
    "walter",
    "maria",
    "li",
]
LAST = [
    "smith",
    "doe",
    "miller",
    "garcia",
    "nguyen",
    "schmidt",
    "rossi",
    "kowalski",
    "tanaka",
    "okafor",
    "novak",
    "silva",
    "dubois",
    "jensen",
    "murphy",
]
COMPANIES = [
    "acme",
    "globex",
    "initech",
    "umbrella-corp",
    "hooli",
    "vandelay",
    "stark-ind",
    "wayne-ent",
    "tyrell",
    "cyberdyne",
    "contoso",
    "fabrikam",
    "northwind",
    "wonka",
]
TLDS = ["com", "de", "co.uk", "net", "org", "io", "fr", "corp", "local", "internal", "ch", "nl"]


def username() -> str:
    style = R.randrange(4)
    first, last = R.choice(FIRST), R.choice(LAST)
    return [
        f"{first[0]}{last}",
        f"{first}.{last}",
        f"{first}{R.randint(1, 99)}",
        f"{first}_{last}",
    ][style]


def domain() -> str:
    return f"{R.choice(COMPANIES)}{R.choice(['', '-corp', '-gmbh', '-inc'])}.{R.choice(TLDS)}"


def host() -> str:
    sub = R.choice(
        [
            "jira",
            "confluence",
            "db01",
            "db-prod-02",
            "app3",
            "git",
            "ldap",
            "mail",
            "build-agent-7",
            "k8s-node-4",
            "wiki",
            "sso",
        ]
    )
    return f"{sub}.{domain()}"


def email() -> str:
    return f"{username()}@{domain()}"


def ipv4() -> str:
    kind = R.randrange(3)
    if kind == 0:
        return f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
    if kind == 1:
        return f"192.168.{R.randint(0, 255)}.{R.randint(1, 254)}"
    return f"{R.choice([23, 45, 62, 81, 93, 104, 151, 185, 203])}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


def ipv6() -> str:
    groups = [f"{R.randint(0, 0xFFFF):x}" for _ in range(8)]
    kind = R.randrange(3)
    if kind == 0:
        return ":".join(["2001", "db8"] + groups[2:])
    if kind == 1:
        return f"2a02:{groups[1]}:{groups[2]}::{groups[3]}"
    return f"fe80::{groups[4]}:{groups[5]}:{groups[6]}:{groups[7]}"


def mac(sep: str = ":") -> str:
    return sep.join(f"{R.randint(0, 255):02x}" for _ in range(6))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt() -> str:
    header = b64url(json.dumps({"alg": R.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    payload = b64url(
        json.dumps(
            {
                "sub": str(R.randint(1000, 99999)),
                "name": username(),
                "iat": R.randint(1600000000, 1800000000),
            }
        ).encode()
    )
    return f"{header}.{payload}.{b64url(R.randbytes(32))}"


def ts() -> str:
    return f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d},{R.randint(0, 999):03d}"


def level() -> str:
    return R.choice(["INFO", "WARN", "ERROR", "DEBUG"])


def cls() -> str:
    return R.choice(
        [
            "c.a.j.web.action.IssueAction",
            "com.acme.reports.ExportService",
            "o.a.c.c.StandardWrapperValve",
            "com.atlassian.crowd.Directory",
            "org.springframework.jdbc.DataSource",
            "com.acme.sync.Worker",
        ]
    )


def line_prefix() -> str:
    return f"{ts()} {level()} [http-nio-8080-exec-{R.randint(1, 40)}] {cls()} "


# -- credentials --------------------------------------------------------------------------
SECRET_KEYS = [
    "password",
    "passwd",
    "pwd",
    "db.password",
    "DB_PASSWORD",
    "spring.datasource.password",
    "hibernate.connection.password",
    "jdbc.password",
    "ldap.bind.password",
    "mail.smtp.password",
    "secret",
    "client_secret",
    "clientSecret",
    "app_secret",
    "SECRET_KEY",
    "secret_key_base",
    "api_key",
    "apiKey",
    "API_KEY",
    "x-api-key",
    "apikey",
    "access_token",
    "accessToken",
    "refresh_token",
    "auth_token",
    "authToken",
    "token",
    "GITHUB_TOKEN",
    "private_key",
    "privateKey",
    "credentials",
    "passphrase",
    "keystore.password",
    "truststore.password",
    "aws_secret_access_key",
    "AZURE_CLIENT_SECRET",
    "AccountKey",
    "encryption_key",
    "signing_key",
    "master_key",
    "license_key",
    "bindpw",
    "rootpw",
    "smtp_pass",
    "ADMIN_PASS",
    "jwt_secret",
    "webhook_secret",
    "oauth_token",
    "bearer_token",
    "SLACK_BOT_TOKEN",
    "sonar.login.token",
    "vault_token",
    "db_pass",
]


def kv_forms(key: str, value: str) -> list[str]:
    return [
        f"{key}={value}",
        f"{key} = {value}",
        f"{key}: {value}",
        f'"{key}": "{value}"',
        f'{{"{key}":"{value}","retries":3}}',
        f'msg="payload {{\\"{key}\\":\\"{value}\\",\\"id\\":7}}"',
        f'<add key="{key}" value="{value}"/>',
        f"<{key}>{value}</{key}>",
        f"{key}: '{value}'",
        f"export {key.upper().replace('.', '_').replace('-', '_')}={value}",
        f'{key}="{value}"',
        f"{key} => '{value}'",
        f"GET /api/v2/sync?{key}={value}&page=2 HTTP/1.1",
        f'<property name="{key}">{value}</property>',
        f'{{"name":"{key}","value":"{value}"}}',
    ]


def credential_positives() -> list[dict]:
    out = []
    for key in SECRET_KEYS:
        for form in R.sample(kv_forms(key, "VALUE"), 6):
            value = password()
            text = form.replace("VALUE", value)
            if R.random() < 0.5:
                text = line_prefix() + text
            out.append({"family": "key-value", "text": text, "values": [value]})
    for _ in range(40):
        user, pw, h = username(), password().replace("@", "#").replace("/", "_"), host()
        scheme = R.choice(
            [
                "https",
                "http",
                "postgresql",
                "mysql",
                "mongodb",
                "redis",
                "amqp",
                "ftp",
                "ldap",
                "smtp",
            ]
        )
        text = R.choice(
            [
                f"Connecting to {scheme}://{user}:{pw}@{h}:5432/app",
                f"url={scheme}://{user}:{pw}@{h}/",
                f'"uri": "{scheme}://{user}:{pw}@{h}:6379/0"',
                f"{line_prefix()}fetch {scheme}://{user}:{pw}@{h}/repo.git failed",
            ]
        )
        out.append({"family": "url-userinfo", "text": text, "values": [pw]})
    for _ in range(30):
        user, pw = username(), password()
        token = base64.b64encode(f"{user}:{pw}".encode()).decode()
        bearer = R.choice([jwt(), rand(ALNUM, 40), "ya29." + rand(ALNUM + "_-", 60)])
        out.append(
            {
                "family": "authorization",
                "text": R.choice(
                    [
                        f"Authorization: Basic {token}",
                        f"authorization=Basic {token}",
                        f"> Authorization: Basic {token}",
                        f'"Authorization": "Basic {token}"',
                    ]
                ),
                "values": [token],
            }
        )
        out.append(
            {
                "family": "authorization",
                "text": R.choice(
                    [
                        f"Authorization: Bearer {bearer}",
                        f'headers={{"Authorization": "Bearer {bearer}"}}',
                        f"curl -H 'Authorization: Bearer {bearer}' https://{host()}/rest/api/2/myself",
                        f"{line_prefix()}Sending request with Bearer {bearer}",
                    ]
                ),
                "values": [bearer],
            }
        )
    for _ in range(25):
        sid = rand("0123456789ABCDEF", 32)
        xsrf = f"{rand('ABCD', 4)}-{rand('0123456789ABCDEF', 4)}-{rand(ALNUM, 40)}_lin"
        out.append(
            {
                "family": "cookie",
                "text": R.choice(
                    [
                        f"Cookie: JSESSIONID={sid}; atlassian.xsrf.token={xsrf}",
                        f"Set-Cookie: JSESSIONID={sid}; Path=/; Secure; HttpOnly",
                        f"GET /secure/Dashboard.jspa;jsessionid={sid} HTTP/1.1",
                        f"session_id={sid} expired after 30m",
                        f"PHPSESSID={sid}",
                        f'"sessionId":"{sid}"',
                    ]
                ),
                "values": [sid],
            }
        )
    for _ in range(30):
        user, pw, h = username(), password().replace(";", "!"), host()
        forms = [
            (f"jdbc:postgresql://{h}:5432/jira?user={user}&password={pw}", [pw]),
            (f"jdbc:mysql://{h}:3306/conf?useSSL=true&user={user}&password={pw}", [pw]),
            (f"jdbc:sqlserver://{h}:1433;databaseName=jira;user={user};password={pw};", [pw]),
            (f"Server={h};Database=app;User ID={user};Password={pw};Encrypt=True;", [pw]),
            (f"Data Source={h};Initial Catalog=crm;User Id={user};Pwd={pw};", [pw]),
            (f"DSN=reports;UID={user};PWD={pw}", [pw]),
            (f"jdbc:oracle:thin:{user}/{pw}@{h}:1521:ORCL", [pw]),
            (f"sqlplus {user}/{pw}@{h}:1521/XE", [pw]),
        ]
        text, values = R.choice(forms)
        out.append({"family": "connection-string", "text": text, "values": values})
    for _ in range(12):
        body = "\n".join(base64.b64encode(R.randbytes(48)).decode() for _ in range(R.randint(3, 8)))
        kind = R.choice(["RSA ", "EC ", "", "OPENSSH ", "ENCRYPTED ", "DSA "])
        pem = f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"
        first = body.split("\n")[0]
        if R.random() < 0.3:
            pem = json.dumps({"type": "service_account", "private_key": pem + "\n"})
        out.append({"family": "private-key", "text": pem, "values": [first]})
    for _ in range(20):
        token = jwt()
        out.append(
            {
                "family": "jwt",
                "text": R.choice(
                    [
                        f"{line_prefix()}validated token {token}",
                        f"id_token={token}",
                        f'{{"jwt":"{token}"}}',
                        f"X-Auth: {token}",
                    ]
                ),
                "values": [token],
            }
        )
    out.extend(provider_positives())
    for _ in range(20):
        value = rand(ALNUM, R.randint(24, 40))
        key = R.choice(
            [
                "X-Api-Key",
                "api key",
                "client secret",
                "secret",
                "token",
                "Ocp-Apim-Subscription-Key",
            ]
        )
        out.append(
            {
                "family": "high-entropy",
                "text": R.choice(
                    [
                        f"Using {key} {value} for upload",
                        f"{key}: {value}",
                        f"--{key.replace(' ', '-').lower()} {value}",
                    ]
                ),
                "values": [value],
            }
        )
    for c in out:
        c["kind"] = "credential"
    return out


def provider_tokens() -> list[tuple[str, str]]:
    b32 = string.ascii_uppercase + "234567"
    return [
        ("aws", R.choice(["AKIA", "ASIA"]) + rand(b32, 16)),
        ("github", R.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + rand(ALNUM, 36)),
        ("github", "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59)),
        ("gitlab", "glpat-" + rand(ALNUM + "_-", 20)),
        (
            "slack",
            R.choice(["xoxb-", "xoxp-"])
            + "-".join(
                [str(R.randint(10**10, 10**12)), str(R.randint(10**10, 10**12)), rand(ALNUM, 24)]
            ),
        ),
        ("stripe", R.choice(["sk_live_", "rk_live_", "sk_test_"]) + rand(ALNUM, 24)),
        ("google", "AIza" + rand(ALNUM + "_-", 35)),
        ("azure", rand(ALNUM, 3) + str(R.randint(0, 9)) + "Q~" + rand(ALNUM + "_-.", 34)),
        ("atlassian", "ATATT3" + rand(ALNUM + "_-", 180) + "=" + rand("0123456789ABCDEF", 8)),
        ("npm", "npm_" + rand(ALNUM, 36)),
        ("pypi", "pypi-AgEIcHlwaS5vcmc" + rand(ALNUM + "_-", 70)),
        ("sendgrid", "SG." + rand(ALNUM + "_-", 22) + "." + rand(ALNUM + "_-", 43)),
        ("twilio", "SK" + rand("0123456789abcdef", 32)),
        ("openai", "sk-proj-" + rand(ALNUM, 24) + "T3BlbkFJ" + rand(ALNUM, 24)),
        ("docker", "dckr_pat_" + rand(ALNUM + "_-", 27)),
        ("vault", "hvs." + rand(ALNUM, 24)),
        ("digitalocean", "dop_v1_" + rand("0123456789abcdef", 64)),
        ("huggingface", "hf_" + rand(string.ascii_letters, 34)),
        ("shopify", "shpat_" + rand("0123456789abcdef", 32)),
        ("mailgun", "key-" + rand("0123456789abcdef", 32)),
    ]


def provider_positives() -> list[dict]:
    out = []
    for _ in range(6):
        for provider, token in provider_tokens():
            text = R.choice(
                [
                    f"{line_prefix()}using credential {token} for sync",
                    f"TOKEN={token}",
                    f'{{"token": "{token}"}}',
                    f"# pasted: {token}",
                    f"  - {token}",
                    f"curl -u {token}: https://api.{provider}.example/v1",
                    f"export {provider.upper()}_KEY={token}",
                    f"echo {token} | docker login --password-stdin",
                ]
            )
            out.append({"family": f"provider-{provider}", "text": text, "values": [token]})
    return out


# -- identifiers --------------------------------------------------------------------------
def identifier_positives() -> list[dict]:
    out = []
    for _ in range(60):
        e = email()
        name = f"{R.choice(FIRST).title()} {R.choice(LAST).title()}"
        out.append(
            {
                "family": "email",
                "text": R.choice(
                    [
                        f"From: {name} <{e}>",
                        f"{line_prefix()}Sent notification to {e}",
                        f'"emailAddress":"{e}"',
                        f"mailto:{e}",
                        f"{e},{name},active",
                        f"user {e} logged in from portal",
                        f"reporter={e} assignee=unassigned",
                    ]
                ),
                "values": [e],
            }
        )
    for _ in range(50):
        ip = ipv4()
        out.append(
            {
                "family": "ipv4",
                "text": R.choice(
                    [
                        f"Accepted publickey for deploy from {ip} port {R.randint(1024, 65535)} ssh2",
                        f'{ip} - - [29/Nov/2026:10:07:55 +0000] "GET /rest/api/2/issue/ABC-1 HTTP/1.1" 200 512',
                        f"client={ip} latency=12ms",
                        f"X-Forwarded-For: {ip}, 10.0.0.1",
                        f"{line_prefix()}Connection refused: /{ip}:5432",
                        f"http://{ip}:8080/status",
                        f"listen_addresses = '{ip}'",
                        f"inet {ip}/24 brd 10.0.0.255 scope global eth0",
                    ]
                ),
                "values": [ip],
            }
        )
    for _ in range(25):
        ip = ipv6()
        out.append(
            {
                "family": "ipv6",
                "text": R.choice(
                    [
                        f"inet6 {ip}/64 scope global",
                        f"client [{ip}]:443 connected",
                        f"from {ip} port 22",
                        f"remote_addr={ip}",
                    ]
                ),
                "values": [ip],
            }
        )
    for _ in range(20):
        m = mac(R.choice([":", "-"]))
        m = m.upper() if R.random() < 0.5 else m
        out.append(
            {
                "family": "mac",
                "text": R.choice(
                    [
                        f"link/ether {m} brd ff:ff:ff:ff:ff:ff",
                        f"HWaddr {m}",
                        f"mac={m}",
                        f"DHCPACK on 10.0.0.5 to {m} via eth0",
                    ]
                ),
                "values": [m],
            }
        )
    for _ in range(70):
        u = username()
        forms = [
            f"user={u}",
            f'"username": "{u}"',
            f"Accepted password for {u} from 10.0.0.9 port 50022 ssh2",
            f"Failed password for invalid user {u} from 10.2.3.4 port 22 ssh2",
            f"pam_unix(sshd:session): session opened for user {u} by (uid=0)",
            f"{line_prefix()}User '{u}' logged in",
            f"login as {u}",
            f"/home/{u}/.ssh/authorized_keys",
            f"C:\\Users\\{u}\\AppData\\Local\\Temp",
            f"uid={u},ou=People,dc={R.choice(COMPANIES)},dc=com",
            f"sudo:   {u} : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/systemctl restart jira",
            f"assignee={u} status=Open",
            f"DB_USER={u}",
            f"logged in as {u}",
            f"Authentication failed for user {u}",
            f"{line_prefix()}remote_user={u} action=export",
        ]
        out.append({"family": "username", "text": R.choice(forms), "values": [u]})
    for _ in range(12):
        name = f"{R.choice(FIRST).title()} {R.choice(LAST).title()}"
        out.append(
            {
                "family": "ldap-dn",
                "text": f"CN={name},OU=Staff,DC={R.choice(COMPANIES)},DC=local",
                "values": [name],
            }
        )
    for _ in range(50):
        h = host()
        out.append(
            {
                "family": "hostname",
                "text": R.choice(
                    [
                        f"host={h}",
                        f"hostname: {h}",
                        f"Connecting to https://{h}/rest/api/2/serverInfo",
                        f"jdbc:postgresql://{h}:5432/jira",
                        f"Server={h};Database=crm;",
                        f"{line_prefix()}Resolved {h} to 10.0.0.7",
                        f"baseUrl=https://{h}",
                        f"Forwarding mail via {h}",
                        f"ping {h}",
                    ]
                ),
                "values": [h],
            }
        )
    for c in out:
        c["kind"] = "identifier"
    return out


# -- negatives ----------------------------------------------------------------------------
def negatives() -> list[dict]:
    out = []

    def add(family: str, text: str) -> None:
        out.append({"family": family, "text": text})

    for _ in range(40):
        u = str(uuid.UUID(bytes=R.randbytes(16), version=4))
        add(
            "uuid",
            R.choice(
                [
                    f"{line_prefix()}Processing job {u}",
                    f"request_id={u}",
                    f'"id": "{u}"',
                    f"traceId={u} spanId={rand('0123456789abcdef', 16)}",
                    f"correlation-id: {u}",
                    f"Created attachment {u}.tmp",
                    f"workflow scheme {u} migrated",
                ]
            ),
        )
    for _ in range(40):
        sha = hashlib.sha1(R.randbytes(8)).hexdigest()
        add(
            "git-sha",
            R.choice(
                [
                    f"commit {sha}",
                    f"HEAD is now at {sha[:7]} Fix export of empty reports",
                    f"Revision: {sha}",
                    f"build.git.commit={sha}",
                    f"Merge: {sha[:7]} {sha[7:14]}",
                    f"plugin build {sha[:12]} loaded",
                ]
            ),
        )
    for _ in range(40):
        data = R.randbytes(16)
        add(
            "checksum",
            R.choice(
                [
                    f"sha256:{hashlib.sha256(data).hexdigest()}",
                    f"{hashlib.md5(data).hexdigest()}  atlassian-jira-9.12.4.tar.gz",
                    f"SHA-512 {hashlib.sha512(data).hexdigest()}",
                    f'ETag: "{hashlib.sha1(data).hexdigest()}"',
                    f"Digest: sha256={base64.b64encode(hashlib.sha256(data).digest()).decode()}",
                    f'"integrity": "sha512-{base64.b64encode(hashlib.sha512(data).digest()).decode()}"',
                    f"image: registry.acme-images.test/app@sha256:{hashlib.sha256(data).hexdigest()}".replace(
                        "registry.acme-images.test/", ""
                    ),
                    f"checksum={hashlib.sha256(data).hexdigest()}",
                ]
            ),
        )
    versions = [
        "Jira 9.12.4",
        "version 1.2.3.4",
        "Apache Tomcat/9.0.83",
        'openjdk version "17.0.9" 2023-10-17',
        "Python 3.11.7",
        "v2.4.1-rc.1",
        "kernel 5.15.0-91-generic",
        "glibc 2.35",
        "postgresql-14.10",
        "1.2.3.4-SNAPSHOT",
        "Build: 10.4.18.0 (#1234)",
        "Confluence 8.5.3 build 9012",
        "ver 4.4.0.1",
        "Bundle-Version: 3.2.1.20231005",
        "node v18.19.0",
        "npm 10.2.3",
        "Chrome/120.0.6099.109",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
        "release 2.0.0.RELEASE",
        "firmware 1.0.2.13",
    ]
    for v in versions:
        add("version", f"{line_prefix()}{v}")
        add("version", v)
    maven = [
        "org.apache.maven:maven-core:3.8.1",
        "com.fasterxml.jackson.core:jackson-databind:jar:2.15.2:compile",
        "<groupId>org.springframework.boot</groupId>",
        "io.netty:netty-all:4.1.100.Final",
        "org.apache.logging.log4j:log4j-core:2.17.1",
        "com.google.guava:guava:32.1.3-jre",
        "<artifactId>jira-rest-java-client-core</artifactId>",
        "net.bytebuddy:byte-buddy:1.14.9",
        "org.postgresql:postgresql:42.6.0",
        "com.atlassian.jira:jira-api:9.12.4:provided",
    ]
    for m in maven:
        add("maven", m)
        add("maven", f"[INFO] Downloaded {m}")
    for _ in range(40):
        add(
            "timestamp",
            R.choice(
                [
                    f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}Z started",
                    f"Nov {R.randint(1, 28)} {R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} scheduler tick",
                    f"elapsed={R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}",
                    f"[{R.randint(1, 28):02d}/Nov/2026:{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d} +0000] request done",
                    f"epoch_ms={R.randint(1600000000000, 1800000000000)}",
                    f"2026-11-29 10:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}+01:00 backup finished",
                ]
            ),
        )
    java = [
        "at com.atlassian.jira.web.action.issue.ViewIssue.execute(ViewIssue.java:123)",
        'java.lang.NullPointerException: Cannot invoke "String.length()"',
        "Caused by: java.io.IOException: Broken pipe",
        "org.hibernate.exception.JDBCConnectionException",
        "at com.sun.proxy.$Proxy123.invoke(Unknown Source)",
        "io.micrometer.core.instrument.MeterRegistry",
        "at org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:197)",
        "com.acme.reports.export.CsvExporter@1a2b3c4d",
        "at java.base/java.lang.Thread.run(Thread.java:840)",
        "org.springframework.security.authentication.BadCredentialsException: Bad credentials",
        "at com.atlassian.crowd.manager.authentication.TokenAuthenticationManager.validate(TokenAuthenticationManager.java:88)",
        "javax.net.ssl.SSLHandshakeException: PKIX path building failed",
        "at org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:319)",
        "com.atlassian.oauth2.provider.core.token.TokenServiceImpl",
        "at io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:569)",
        "org.apache.commons.lang3.StringUtils",
        "com.acme.v2.api.ReportResource",
        "net.sf.ehcache.CacheManager",
    ]
    for j in java:
        add("java", j)
    pkgs = [
        "log4j-core-2.17.1.jar",
        "python3.11",
        "libssl1.1",
        "lib64/libcrypto.so.3",
        "jackson-datatype-jsr310-2.15.2.jar",
        "ec2-instance-connect",
        "x86_64-linux-gnu",
        "libstdc++6",
        "openssl-3.0.2-0ubuntu1.12",
        "py3-none-any.whl",
        "urllib3-2.1.0",
        "h2-2.2.224.jar",
        "commons-io-2.15.1.jar",
        "s3transfer-0.8.2",
        "base64-0.21.5",
        "utf8mb4_unicode_ci",
        "aarch64",
        "sha256sum",
        "md5sum",
        "i18n",
        "k8s.io/client-go/v12",
    ]
    for p in pkgs:
        add("package", f"Installed {p}")
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + R.randbytes(90)).decode()
    gif = base64.b64encode(b"GIF89a" + R.randbytes(60)).decode()
    for _ in range(6):
        add("base64-image", f"![logo](data:image/png;base64,{png})")
        add("base64-image", f'<img src="data:image/gif;base64,{gif}" alt="spinner">')
        add(
            "base64-image",
            f"background: url(data:image/svg+xml;base64,{base64.b64encode(b'<svg xmlns=...>' + R.randbytes(40)).decode()});",
        )
        png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + R.randbytes(120)).decode()
    misc = [
        "Password must be at least 8 characters long",
        "The token has expired; please sign in again",
        "secret rotation completed in 35 ms",
        "Using authentication scheme Basic",
        "api key length must be 32",
        "password_policy.min_length=12",
        "token_type=Bearer",
        "password=",
        "password=${DB_PASSWORD}",
        "secret: <your-secret-here>",
        "password: ********",
        "token=null",
        "PWD=/opt/atlassian/jira",
        "Listening on 0.0.0.0:8080",
        "connect to 127.0.0.1:5432",
        "netmask 255.255.255.0",
        "bind [::1]:8005",
        "OID 1.3.6.1.4.1.311.20.2.3",
        "ABC-1234 transitioned to Done",
        "SELECT id, summary FROM jiraissue WHERE project = 10001",
        "thread http-nio-8080-exec-10 blocked for 1203 ms",
        "heap=2048m gc=G1 pause=12ms",
        "Loaded plugin com.atlassian.jira.plugin.system.customfieldtypes:textfield",
        "See https://confluence.atlassian.com/adminjiraserver/jira-application-home-directory-938847746.html",
        "Downloading https://repo.maven.apache.org/maven2/org/apache/ant/ant/1.10.14/ant-1.10.14.pom",
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        "Content-Type: application/json; charset=UTF-8",
        "max_tokens=512 temperature=0.2",
        "Cache key=ISSUE-4711 hit",
        "auth.method=ldap",
        "session.timeout=30m",
        "csrf protection enabled",
        "user_count=1542",
        "passed=42 failed=0 skipped=3",
        "bypass_cache=true",
        "keyboard layout us",
        "primary_key=id",
        "signature verified",
        "SSL certificate CN=*.atlassian.net valid",
        "PasswordEncoder: bcrypt strength 10",
        "cookie policy: SameSite=Lax",
        "TOKEN_TTL=3600",
        "api_key_header=X-Api-Key",
        "secret_name=db-credentials",
        "password_file=/run/secrets/db",
    ]
    for m in misc:
        add("prose-and-config", m)
    return out


def main() -> None:
    positives = credential_positives() + identifier_positives()
    with open(HERE / "positives.jsonl", "w") as fh:
        for item in positives:
            fh.write(json.dumps(item, sort_keys=True) + "\n")
    with open(HERE / "negatives.jsonl", "w") as fh:
        for item in negatives():
            fh.write(json.dumps(item, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
