"""Checks for identity rules: what is a person's name and what only looks like one.

System and service accounts, field names, templates, numbers and Kubernetes identities are
refused here, and the pattern pieces several rules share are defined at the end, so the
rule table in ``identity.py`` stays a table.
"""

from __future__ import annotations

import re

from sitrep.redact.pseudonym import PUBLIC_DOMAINS, registrable_index
from sitrep.redact.rules import CheckContext, Groups
from sitrep.redact.rules.network import TLDS
from sitrep.redact.rules.text import UUID, is_placeholder

#: Accounts that name a role, not a person; pseudonymising them only hides useful facts.
SYSTEM_USERS = frozenset(
    b"""root admin administrator nobody system daemon anonymous guest unknown null none
    jira confluence bitbucket bamboo crowd postgres mysql oracle www-data nginx apache tomcat
    sshd git jenkins docker ubuntu ec2-user centos service default public shared all users
    true false yes no n/a - * invalid user
    sa sys dba gdm lightdm sddm polkitd messagebus avahi colord rtkit pulse geoclue
    systemd-network systemd-resolve systemd-timesync systemd-coredump postfix dovecot exim
    mail mailnull smmsp ftp ntp chrony named bind redis elasticsearch kibana logstash grafana
    prometheus node_exporter alertmanager consul vault nagios zabbix icinga haproxy squid
    memcached rabbitmq kafka zookeeper mongodb mongod cassandra solr hdfs yarn hive hadoop
    gitlab gitlab-runner svn krbtgt undef cron crond __token__
    datadog dd-agent splunk telegraf filebeat sensu
    gradle maven node npm minioadmin elastic kibana_system logstash_system beats_system
    apm_system remote_monitoring_user weblogic wildfly jboss keycloak sonar sonarqube nexus
    artifactory airflow jovyan circleci vscode codespace runner nonroot
    defaultaccount wdagutilityaccount localsystem localservice networkservice
    krbtgt_rodc deploy ansible backup operator adm bin lp sync shutdown halt games man news
    uucp proxy list irc gnats tss _apt uuidd tcpdump landscape syslog lxd dnsmasq rpc rpcuser
    nfsnobody libstoragemgmt cockpit-ws setroubleshoot unbound clevis saslauth abrt pipewire
    flatpak qemu wheel staff sudo
    app logstash_internal kea _kea dhcpd radiusd freerad suricata zeek snort openvpn
    auto auth neo4j empty""".split()
) | {b"enable_%d" % level for level in range(16)}  # Cisco ASA's privilege levels (enable_15).
#: Domains of Windows' built-in accounts (NT AUTHORITY\SYSTEM, BUILTIN\Administrators, NT
#: SERVICE\MSSQLSERVER, IIS APPPOOL\DefaultAppPool): the name before the backslash.
_BUILTIN_DOMAINS = frozenset(
    b"authority builtin service apppool workgroup nt manager host machines hklm hkcu hkcr hku"
    # Registry hives and keys: "SYSTEM\CurrentControlSet", "SOFTWARE\Microsoft".
    b" hkey_local_machine hkey_current_user system software hardware sam security".split()
)
#: AWS unique ids (AIDA... of a user, AROA... of a role) name no one; after an assumed
#: role's id comes the session name, which is a person only when a person chose it.
_AWS_UNIQUE_ID = re.compile(rb"^A(?:ROA|IDA)[A-Z0-9]{12,}(?::|$)")
_AWS_SESSION = re.compile(
    rb"(?i)^(?:botocore-session-\d+|aws-(?:go|sdk|cli)[\w-]*|i-[0-9a-f]{8,17}|\d+"
    rb"|[0-9a-f-]{16,}|terraform-\d+|awslambda_\d+\w*|ecs-\S+|eks-\S+|AWSCLI-Session.*)$"
)
#: Names of fields, not values ("hostname:port:database:username:password" in docs) and
#: directory attributes that configure where a user name is (ldap.user.username=sAMAccountName).
_FIELD_WORDS = frozenset(
    b"""password passwd username login port host hostname database email samaccountname
    userprincipalname uid cn mail displayname givenname sn memberof member uniquemember
    memberuid objectclass objectguid objectsid distinguishedname entryuuid uidnumber
    gidnumber""".split()
)
#: Words of prose after a user key or phrase ("Login: please use ...", "User-ID: mapped ...",
#: "logged out for user\n\tat org.x") and nouns after "user" ("the user account is ...").
_PROSE_WORDS = frozenset(
    b"""please the a an your my our their his her its this that these those it is are was were
    be been has have had not no with for from to and or of in on at by as if when which who
    you we they he she i enter use see type should must would can could cannot did does
    do mapped logged locked successfully already just never also then still now here there
    account accounts session sessions interface profile profiles data name names id ids
    directory group groups agent role roles rights permissions permission settings mailbox
    list object objects record records entry entries store search attribute attributes
    sync mapping management experience mode request requests access credentials details
    information info field fields filter query table type types usual expected needed before
    always well such follows described shown intended repository repo token project branch
    local network""".split()
)
#: "NT" of "NT AUTHORITY\SYSTEM" and "IIS" of "IIS APPPOOL\x" after a user key or phrase.
#: Words a log puts where a name could stand ("approle/login: Error making API request").
_STATUS_WORDS = frozenset(b"error errors warning failed failure success successful".split())
#: How tac_plus stores a login's password ("login = cleartext x"): a method, not a user.
_PASSWORD_METHODS = frozenset(b"cleartext des crypt clear".split())
_SETTING_WORDS = re.compile(rb"password|passwd|policy|secret|token")
_NOT_NAMES = (
    SYSTEM_USERS | _FIELD_WORDS | _PROSE_WORDS | _PASSWORD_METHODS | _STATUS_WORDS | {b"nt", b"iis"}
)
#: Bytes after a value that may make it something else, and first bytes that call for a
#: closer look (numbers, templates, Kubernetes groups, cron's *system*).
_STOP_AFTER = frozenset((b"(", b"{", b"=", b")"))
_ODD_FIRST = frozenset(bytes((c,)) for c in b"0123456789-*_?=+sS")
#: PAM management groups: pam_unix(systemd-user:session) names a module, not a user.
_PAM_TYPES = frozenset(b"session auth account password".split())
#: A number with a unit (GC logs: "User=0.11s Sys=0.00s") is not a name.
_MEASURE = re.compile(rb"^\d[\d.,]*[a-zA-Z%]{0,2}$")
#: Words that say an angle-bracketed value is a template: <base64-encoded-username>.
_TEMPLATE_WORDS = (b"user", b"name", b"login", b"your", b"encoded", b"example")
#: The lines before a kubeconfig context's "user:", which names a users entry, not a person.
_KUBE_CONTEXT_KEYS = (b"cluster:", b"- cluster:", b"namespace:", b"- context:", b"context:")
_URL_PASSWORD = re.compile(rb"://[^\s/@:]*:$")
_CLAIM = re.compile(rb"[ic]:0[#.]")
_WEEKDAYS = frozenset(b"mon tue wed thu fri sat sun".split())
_LAST_LOGIN = re.compile(rb"(?i)last[ _-]?log(?:in|on)\W*$")
_EMAIL_TLD_NOT = re.compile(
    rb"(?i)\.(?:png|jpe?g|gif|svg|webp|ico|js|css|map|class|jar|java|py"
    # systemd template units: user@1000.service, postgresql@15-main.service.
    rb"|service|socket|timer|target|mount|automount|slice|scope|path|device|swap)$"
)
#: A host name with a known TLD, as a whole value (CN=jira.acme.com).
_HOST_LIKE = re.compile(
    rb"(?i)^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + "|".join(TLDS.split()).encode() + rb")$"
)


_USER_GROUPS = ("user", *(f"user{i}" for i in range(2, 25)))


def check_user(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Keep system accounts, numeric ids, placeholders and field names as they are.

    Dense logs call this for every user field: the common case is a few set lookups, and
    the rarer shapes (a digit, ``*``, ``_`` or ``system:`` first, ``<`` or ``[`` before)
    are looked at only when the first or the previous byte says so.
    """
    start, end = next(groups[name] for name in _USER_GROUPS if name in groups)
    value = buf[start:end].strip(b".,:;")
    lower = value.lower()
    if not 2 <= len(value) <= 128 or lower in _NOT_NAMES or is_placeholder(value):
        return False
    after = buf[end : end + 1]
    if after == b"/" and buf[end - 1 : end + 2] == b"://":
        return False  # "Authentication failed for 'https://git...'": a URL's scheme.
    if after in _STOP_AFTER and _after_says_no(buf, end, after, lower):
        return False
    if lower in _WEEKDAYS and _LAST_LOGIN.search(buf, max(0, start - 24), start):
        return False  # "Last login: Sun Nov 29 ...": a date.
    if buf[end - 1 : end] == b":" and value.isalpha() and value[:1].isupper():
        return False  # Dovecot's "imap-login: Login: user=<x>": a label, not a name.
    if len(value) == 36 and UUID.match(value):
        return False  # Kubernetes "uid: <uuid>", object ids: not a person's name.
    if lower.endswith((b"-bot", b"_bot", b"[bot]")):
        return False  # "alerts-bot", "dependabot[bot]": a program's account
    if buf[start - 1 : start] == b"<" and b":" in buf[start : end + 1]:
        return False  # argocd-vault-plugin's <path:secret/data/x#key>: a reference
    if b"_" in value and _SETTING_WORDS.search(lower):
        return False  # "password_policy: min_length=12": a setting, not a login
    if value[:1] == b"A" and _AWS_UNIQUE_ID.match(value):
        return not is_machine_session(value.partition(b":")[2])
    if buf[start - 4 : start] == b"By: " and buf[start - 12 : start - 4] == b"Created-":
        return False  # A JAR manifest's "Created-By: Maven JAR Plugin 3.3.0": a program.
    prior = buf[start - 1 : start]
    if value[:1] == b"%" or (value[:2] in (b"i:", b"c:") and _CLAIM.match(value)):
        return False  # LDAP filters' (uid=%s); SharePoint claims (i:0#.w|...) name the user after.
    if prior == b":" and _URL_PASSWORD.search(buf, max(0, start - 64), start):
        return False  # postgresql://USER:PASSWORD@HOST: the URL's user and password, not a key.
    if value[:1] in _ODD_FIRST or prior == b"<" or prior == b"[":
        return _not_a_template(buf, start, end, value, lower)
    return prior != b" " or b"user:" not in buf[max(0, start - 12) : start] or _not_kube(buf, start)


def _after_says_no(buf: bytes, end: int, after: bytes, lower: bytes) -> bool:
    """pam_unix(sudo:session) names a module, unlike "jdoe(uid=1001)"; "ConfluenceUserImpl{"
    a class; PAM's "ruser= rhost=" is an empty value before the next key."""
    if after == b")":
        return lower in _PAM_TYPES  # pam_unix(systemd-user:session)
    return after != b"(" or buf[end : end + 5] != b"(uid="


def _not_a_template(buf: bytes, start: int, end: int, value: bytes, lower: bytes) -> bool:
    """Refuse numbers, Kubernetes groups, templates and labels; accept anything else."""
    prior, after, first = buf[start - 1 : start], buf[end : end + 1], value[:1]
    if (first.isdigit() or first == b"-") and (
        value.replace(b"-", b"").isdigit() or _MEASURE.match(value)
    ):
        return False  # Numeric ids, and "User=0.11s Sys=0.00s" in GC logs.
    if lower.startswith(b"system:") or first == b"*":
        return False  # Kubernetes' system:apiserver; cron's "(*system*) RELOAD".
    if value.startswith(b"__") and value.endswith(b"__"):
        return False  # PyPI's __token__.
    if prior == b"<" and after == b">":
        return not any(word in lower for word in _TEMPLATE_WORDS)  # <base64-encoded-username>
    if prior == b"[" and after in (b" ", b"\t"):
        return False  # {os_username=[jdoe], login=[Log in]}: a button's label, not a name.
    if prior == b" " and b"user:" in buf[max(0, start - 12) : start]:
        return _not_kube(buf, start)
    # A shell default: ${POSTGRES_USER:-app}.
    return not (first in b"-?=+" and b"${" in buf[max(0, start - 64) : start])


def _not_kube(buf: bytes, start: int) -> bool:
    """False for "user:" in a kubeconfig context, under "cluster:" (a users entry's name)."""
    line = buf.rfind(b"\n", 0, start) + 1
    if buf[line:start].strip() != b"user:":
        return True
    lines = buf[max(0, line - 240) : line].splitlines()[-3:]
    return not any(previous.strip().startswith(_KUBE_CONTEXT_KEYS) for previous in lines)


def is_machine_session(session: bytes) -> bool:
    """True for AWS session names that SDKs and services make up (botocore-session-1710...)."""
    return not session or _AWS_SESSION.match(session) is not None


def check_account(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A user name, maybe after its Windows domain (``CORP\\jdoe``); built-in ones stay."""
    for name in ("host", "host2", "host3"):
        span = groups.get(name)
        if span is not None and buf[span[0] : span[1]].lower() in _BUILTIN_DOMAINS:
            return False
    span = groups.get("user")
    if span is not None and b"uid" in buf[max(0, span[0] - 8) : span[0]].lower():
        if _OBJECT_ID.fullmatch(buf, span[0], span[1]):
            return False  # Grafana's "uid":"PBFA97CFB590B2093", Zeek's "uid":"CzK1...".
    if span is not None and _named_after_database(buf, span[0], span[1]):
        return False
    return check_user(buf, groups, ctx)


#: A setting's key, alone before its value on a config line (jdbc.username=, "user": ).
_CONFIG_KEY = re.compile(rb"[ \t]*[\w.\"'-]+[ \t]*[:=][ \t]*[\"']?")


def _named_after_database(buf: bytes, start: int, end: int) -> bool:
    """True for an application's account named after its database (jdbc.username=portal
    next to jdbc:postgresql://db:5432/portal, or dbname = "portal"): a role, not a person."""
    # Only a config line's value (it ends the line) is looked at: dense logs call this for
    # every user field, and a search around each one halved their speed.
    tail = buf[end : end + 2]
    if tail[:1] in (b'"', b"'"):
        tail = tail[1:]
    if tail[:1] not in (b"\n", b"\r", b""):
        return False
    line = buf.rfind(b"\n", max(0, start - 128), start) + 1
    if not _CONFIG_KEY.fullmatch(buf, line, start):
        return False  # "session opened for user jdoe": a log line, not a setting.
    value = buf[start:end]
    low, high = max(0, start - 1024), end + 1024
    if len(value) < 3 or (buf.find(value, low, start) < 0 and buf.find(value, end, high) < 0):
        return False
    # Django's NAME = gitea, not "Account Name: jdoe" of a Windows event.
    pattern = (
        rb"(?:(?i:db_?name|database)[\"']?[ \t]*[:=][ \t]*[\"']?|\bNAME[ \t]*=[ \t]*[\"']?"
        rb"|:\d{2,5}/)"
    )
    return re.search(pattern + re.escape(value) + rb"\b", buf[low:high]) is not None


#: An object id: upper-case letters and digits mixed (people's uids are lower case).
_OBJECT_ID = re.compile(rb"(?=[^\s\"']*[A-Z])(?=[^\s\"']*\d)[A-Za-z0-9_-]{4,}")


def check_aws_user(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """The last part of an IAM or STS ARN, unless an SDK or service named the session."""
    start, end = groups["user"]
    return not is_machine_session(buf[start:end]) and check_user(buf, groups, ctx)


#: The header of the INI section a line belongs to ("[user]" in a git config).
_SECTION = re.compile(rb"(?m)^[ \t]*\[([^\]\r\n]+)\][ \t]*\r?$")


def check_git_name(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """``name = Jane Doe`` names a person only in a git config's ``[user]`` section."""
    start = groups["user"][0]
    headers = _SECTION.findall(buf, max(0, start - 2048), start)
    return bool(headers) and headers[-1].strip().lower() == b"user" and check_user(buf, groups, ctx)


def check_passwd(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A person's line of /etc/passwd: uid 1000 or more, not nobody (65534)."""
    start, end = groups["uid"]
    uid = int(buf[start:end])
    return 1000 <= uid < 60000 and check_user(buf, groups, ctx)


def check_sender_name(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """ "Jane Doe <jane@acme.de>" names a person; "Jira Software <jira@atlassian.com>" not."""
    end = next(groups[name] for name in _USER_GROUPS if name in groups)[1]
    close = buf.find(b">", end, end + 256)
    labels = buf[buf.find(b"@", end, close) + 1 : close].lower().split(b".")
    public = b".".join(labels[registrable_index(labels) :]).decode("ascii", "replace")
    return public not in PUBLIC_DOMAINS and check_user(buf, groups, ctx)


def check_prompt(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A shell prompt's user and host; root's prompt still names its host (the pseudonym
    keeps system accounts as they are)."""
    start, end = groups["user"]
    return buf[start:end] in SYSTEM_USERS or check_user(buf, groups, ctx)


def check_named_address(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A person's name, before an address at no public domain if an address follows."""
    end = next(groups[name] for name in _USER_GROUPS if name in groups)[1]
    if buf[end : end + 4].lstrip(b" \t(")[:1] == b"<" and not check_sender_name(buf, groups, ctx):
        return False
    return check_person_name(buf, groups, ctx)


#: Directory entries that are not people: the schema, configuration and built-in containers.
_DIRECTORY_ENTRIES = frozenset(
    b"""schema subschema configuration config monitor users computers builtin system
    administrators""".split()
)
#: Group and certificate authority names: "Domain Admins", "Backup Operators", "... CA 04".
_GROUP_OR_CA = re.compile(
    rb" (?:Admins|Users|Operators|Computers|Controllers|Owners|Servers|Publishers|Guests)$"
    rb"|\b(?:CA|TLS|RSA|ECC|Issuing|Certification Authority)\b"
)


def check_dn_user(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A certificate's ``CN=*.acme.com`` or ``CN=jira.acme.com`` is a host, not a person."""
    start, end = next(groups[name] for name in _USER_GROUPS if name in groups)
    value = buf[start:end]
    if value[:2] == b"*." or _HOST_LIKE.match(value):
        return False  # The host rules take it (and keep public ones).
    if value.lower() in _DIRECTORY_ENTRIES or _GROUP_OR_CA.search(value):
        return False  # cn=schema, CN=Domain Admins, CN=Microsoft Azure RSA TLS Issuing CA 04.
    return check_user(buf, groups, ctx)


#: Values of a name label that are no one: an unassigned ticket, a robot (system accounts,
#: "none" and "n/a" are refused by check_user already).
_NO_PERSON = frozenset(b"unassigned automation bot".split())
#: Keys near a JSON "displayName" that say the object is a person (Entra ID, Slack, Jira).
_PERSON_KEYS = re.compile(
    rb'(?i)"(?:[\w.]*e?mail[\w.]*|userprincipalname|givenname|surname|samaccountname'
    rb'|accountid|user|usertype|useridentitytype|upn|alternateid|userid|login)"\s*:'
)


_LOG_WORDS = frozenset(
    b"""server service job task build backup update deploy system process restart restarted
    start started starting stop stopped stopping shutdown running failed completed finished
    error warning info debug maintenance agent the team support desk operations department
    group admins""".split()
)
_DOTTED_WORD = re.compile(rb"\.[A-Za-z]{2}")


#: A word no name has, unless the whole name is in capitals: an acronym (API, PURE) or a
#: brand's inner capital (VMware).
_PRODUCT_WORD = re.compile(rb"\b[A-Z]{2,}(?:\b|[a-z])")


def check_person_name(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A name under a person label; a JSON "displayName" only in an object about a person
    (package.json's "displayName": "Jira Software" names a product)."""
    start, end = next(groups[name] for name in _USER_GROUPS if name in groups)
    if buf[start:end].lower() in _NO_PERSON or _DOTTED_WORD.search(buf, start, end):
        return False  # .NET's "DisplayName = Newtonsoft.Json, Version=13.0.0.0": an assembly.
    if not _LOG_WORDS.isdisjoint(buf[start:end].lower().split()):
        return False  # "[12:00] Server Restarted": a log line, not a chat's speaker.
    if _PRODUCT_WORD.search(buf, start, end) and not buf[start:end].isupper():
        return False  # "VMware vCenter Server", "PURE Fibre Channel Disk", "Verify API Key"
    key_start, key_end = groups.get("key", (0, 0))
    key = buf[key_start:key_end].lower().replace(b"_", b"").replace(b" ", b"")
    if (key == b"name" or (key.endswith(b"displayname") and key != b"userdisplayname")) and buf[
        key_start - 1 : key_start
    ] == b'"':
        window = buf[max(0, start - 400) : end + 400]
        if not _PERSON_KEYS.search(window):
            return False
    return check_user(buf, groups, ctx)


#: Capitals before a backslash that are no Windows domain: registry hives, and log levels
#: before an escaped newline ("ERROR\nat com.acme").
_NOT_DOMAINS = frozenset(
    b"HKLM HKCU HKCR HKU HKCC ERROR WARN WARNING INFO DEBUG TRACE FATAL FAILED SEVERE OK".split()
)


def check_down_level(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """``DOMAIN\\user`` outside a labelled field: not a registry hive or an escaped newline."""
    domain = buf[groups["host"][0] : groups["host"][1]]
    if domain in _NOT_DOMAINS or domain.startswith(b"HKEY"):
        return False
    return check_user(buf, groups, ctx)


#: Branch prefixes of a pull request from the same repository: "from release/5.3".
_BRANCH_PREFIXES = frozenset(
    b"release hotfix feature bugfix fix main master develop dev dependabot renovate".split()
)


def check_developer(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A pull request's author, not a branch prefix of the same repository."""
    start, end = next(groups[name] for name in _USER_GROUPS if name in groups)
    return buf[start:end].lower() not in _BRANCH_PREFIXES and check_user(buf, groups, ctx)


def check_user_object(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A HAR file's ``"creator": {"name": "WebInspector", "version": ...}`` is a program."""
    start, end = next(groups[name] for name in _USER_GROUPS if name in groups)
    low, high = buf.rfind(b"{", 0, start), buf.find(b"}", end)
    if b'"version' in buf[low : high if high >= 0 else end + 256]:
        return False
    return check_user(buf, groups, ctx)


def check_email(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Refuse ``icon@2x.png``-style file names that look like addresses."""
    start, end = groups["email"]
    if _URL_PASSWORD.search(buf[max(0, start - 256) : start]):
        return False  # https://user:PASSWORD@host: the URL rule masks it and keeps the host.
    prior = buf[start - 1 : start]
    if prior == b"/" or prior == b".":
        if prior == b"." or buf[start - 3 : start] != b"://":
            return False  # Kerberos krbtgt/ACME.COM@ACME.COM, HTTP/web01.acme.com@ACME.COM.
        if buf[start:end].partition(b"@")[0].lower() in SYSTEM_USERS:
            return False  # ssh://git@github.com: a system account at a host.
    elif buf[end : end + 1] == b":" and buf[start:end].partition(b"@")[0].lower() in SYSTEM_USERS:
        return False  # git@bitbucket.acme.com:team/repo.git: the same, in scp syntax.
    local, _, domain = buf[start:end].lower().rpartition(b"@")
    if local in _VCS_USERS or domain in _ALGORITHM_DOMAINS:
        return False  # "ssh git@bitbucket.org" (the host rules take the host); ssh algorithms.
    if prior == b"<" and _MESSAGE_ID.search(buf, max(0, start - 512), start):
        return False  # Message-ID: <CAKx...@mail.gmail.com>: a message, not a mailbox.
    return _EMAIL_TLD_NOT.search(buf[start:end]) is None


#: Accounts that every git server shares ("ssh git@host", "hg@host").
_VCS_USERS = frozenset(b"git hg svn gitea forgejo gogs".split())
#: Domains that name SSH algorithm extensions: chacha20-poly1305@openssh.com.
_ALGORITHM_DOMAINS = frozenset(b"openssh.com libssh.org ssh.com".split())
#: A message id's header or field, with earlier ids of a References header after it.
_MESSAGE_ID = re.compile(
    rb"(?i)(?:message-id|in-reply-to|references|content-id|msgid|x-ms-exchange-\w+-id)"
    rb"(?:[:=]|\s*:)[ \t]*(?:<[^<>\s]+>\s*)*<$"
)


# Pieces of the identity rules' patterns (re2 syntax), shared by several rules.

#: The start of an IIS W3C line: date time s-ip cs-method.
IIS_LINE = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ (?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|PROPFIND)"
USER_VALUE = r"(?P<user>[^\s\"',;&<>()\[\]{}=|`\\/]+)"
#: A Windows domain before the user ("NORDSEE\lbrandt", JSON's "RIJNLAND\\hvanderberg"): the
#: domain is pseudonymised as a host label, the user as a user. One backslash only after a
#: domain in capitals, so "jdoe\n" in an escaped log line is not a domain and a user "n".
DOWN_LEVEL = r"(?:(?P<host>[A-Z][A-Z0-9-]*)\\|(?P<host2>[A-Za-z][\w.-]*)\\\\{1,3})?"
#: A name of one or more words (a display name, "Katarzyna Nowak"): taken whole, since
#: replacing the first word alone leaves the surname.
NAME_VALUE = r"(?P<user>[^\s\"',;&<>()\[\]{}=|`\\/]+(?: [^\s\"',;&<>()\[\]{}=|`\\/]+)*)"
#: A display name at the end of a line: capitalised words and name particles ("Jan de
#: Vries"), so "Started by user jdoe for build 5" is not read as a name of five words.
DISPLAY_NAME = (
    r"(?P<user>[^\s\"',;&<>()\[\]{}=|`\\/]+(?: (?:[A-Z\x80-\xff][^\s\"',;&<>()\[\]{}=|`\\/]*"
    r"|de|van|von|der|den|da|di|du|la|le|del|dos|das|ter|ten|bin|al|y)){0,3})"
)


#: A person's name: capitalised words and name particles ("Hannah Lee", "Jan de Vries",
#: "Bogdan Ilić"), so "Reporter: Hannah Lee (hlee)" is taken whole and a lower-case login
#: is left to the user rules.
def person_name(more_words: int = 0) -> str:
    """The pattern of a person's name with at least ``more_words`` words after the first."""
    return (
        r"(?P<user>(?:(?:van|von|de|der|den|da|di|du|la|le|del)[ \t]+)?"
        r"[A-Z\x80-\xff][\w\x80-\xff'.-]*(?:[ \t]+(?:[A-Z\x80-\xff][\w\x80-\xff'.-]*"
        r"|de|van|von|der|den|da|di|du|la|le|del|dos|das|ter|ten|bin|al|y)){"
        + str(more_words)
        + ",4}"
        # "Weber, Hanna": the family name first.
        r"(?:,[ \t]+[A-Z\x80-\xff][\w\x80-\xff'.-]*)?)"
    )


PERSON_NAME = person_name()
#: A display name that runs to the end of its line or field ("Lena Wagner,,," in GECOS).
LINE_NAME = r"[^\s\"'<>=:,#][^\r\n\"'<>=,#]*[^\s\"'<>=,#]"
#: A member of a list of user names (/etc/group, AllowUsers, sssd's simple_allow_users).
MEMBER = r"[A-Za-z_][\w.$@-]*"


def name_list(separator: str, first: int, count: int, member: str = MEMBER) -> str:
    """Up to ``count`` list members, each in a group of its own (user, user2, ...).

    System accounts among them (root in "wheel:x:10:root,jdoe") are kept by the pseudonym.
    """
    groups = [f"(?P<user{'' if first == 1 else first}>{member})"]
    for i in range(first + 1, first + count):
        groups.append(f"(?:{separator}(?P<user{i}>{member}))?")
    return "".join(groups)


#: The first three rows of `net user`'s account table: three names a row, two spaces apart.
WINDOWS_NAME = r"[^\s\\/\[\]:;|=,+*?<>\"]+"
ROW_GAP = r"[ \t]{2,}"
NET_USER_ROWS = "".join(
    "(?:"
    + name_list(ROW_GAP, first, 3, WINDOWS_NAME)
    + r"[ \t]*\r?\n)"
    + ("?" if first > 1 else "")
    for first in (1, 4, 7)
)


DB_CLIENTS = (
    r"mysql|mysqldump|mysqladmin|mysqlsh|mariadb|psql|pg_dump|pg_dumpall|pg_restore|"
    r"pg_basebackup|createdb|dropdb|createuser|vacuumdb|mongosh|mongo|mongodump|mongorestore|"
    r"mongoexport|mongoimport|sqlcmd|bcp|clickhouse-client|cqlsh|smbclient|curl"
)
METHODS = r"(?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS|PROPFIND)"
#: What OpenVPN logs after a client instance name ("jdoe/203.0.113.5:1194 MULTI_sva: ...").
OPENVPN = (
    r"(?:MULTI|PUSH|SENT CONTROL|Data Channel|Outgoing|Incoming|Control Channel|TLS|VERIFY"
    r"|peer info|SIGTERM|SIGUSR1|Connection reset|Inactivity timeout|Timers|Protocol options"
    r"|OPTIONS IMPORT|REMOVE|Delayed exit)"
)
