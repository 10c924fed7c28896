"""Personal identifiers about people: e-mail addresses and user names in known places.

These are pseudonymised (standard and paranoid profiles), never deleted, so support can
still follow one user through the logs.
"""

from __future__ import annotations

import re

from sitrep.redact.rules import CheckContext, Groups, Rule
from sitrep.redact.rules.text import is_placeholder

#: Accounts that name a role, not a person; pseudonymising them only hides useful facts.
SYSTEM_USERS = frozenset(
    b"""root admin administrator nobody system daemon anonymous guest unknown null none
    jira confluence bitbucket bamboo crowd postgres mysql oracle www-data nginx apache tomcat
    sshd git jenkins docker ubuntu ec2-user centos service default public shared all users
    true false yes no n/a - * invalid user""".split()
)
_URL_PASSWORD = re.compile(rb"://[^\s/@:]*:$")
_WEEKDAYS = frozenset(b"mon tue wed thu fri sat sun".split())
_LAST_LOGIN = re.compile(rb"(?i)last[ _-]?log(?:in|on)\W*$")
_UUID = re.compile(rb"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_EMAIL_TLD_NOT = re.compile(rb"(?i)\.(?:png|jpe?g|gif|svg|webp|ico|js|css|map|class|jar|java|py)$")


_USER_GROUPS = ("user", "user2", "user3", "user4", "user5", "user6", "user7")


def check_user(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Keep system accounts, numeric ids and placeholders as they are."""
    start, end = next(groups[name] for name in _USER_GROUPS if name in groups)
    value = buf[start:end].strip(b".,:;")
    lower = value.lower()
    if not 2 <= len(value) <= 128 or lower in SYSTEM_USERS or is_placeholder(value):
        return False
    if lower in _WEEKDAYS and _LAST_LOGIN.search(buf, max(0, start - 24), start):
        return False  # "Last login: Sun Nov 29 ...": a date.
    if buf[end - 1 : end] == b":" and value.isalpha() and value[:1].isupper():
        return False  # Dovecot's "imap-login: Login: user=<x>": a label, not a name.
    if len(value) == 36 and _UUID.match(value):
        return False  # Kubernetes "uid: <uuid>", object ids: not a person's name.
    if buf[end : end + 1] == b"(" and buf[end : end + 5] != b"(uid=":
        return False  # pam_unix(sudo:session): a module, unlike "jdoe(uid=1001)".
    return not value.replace(b"-", b"").isdigit()


def check_email(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Refuse ``icon@2x.png``-style file names that look like addresses."""
    start, end = groups["email"]
    if _URL_PASSWORD.search(buf[max(0, start - 256) : start]):
        return False  # https://user:PASSWORD@host: the URL rule masks it and keeps the host.
    return _EMAIL_TLD_NOT.search(buf[start:end]) is None


#: The start of an IIS W3C line: date time s-ip cs-method.
_IIS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ (?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|PROPFIND)"
_USER_VALUE = r"(?P<user>[^\s\"',;&<>()\[\]{}=|`\\/]+)"

RULES = [
    Rule(
        "identity.email",
        r"\b(?P<email>[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
        r"[A-Za-z][A-Za-z]+)\b",
        profile="standard",
        check=check_email,
        trigger=r"@",
    ),
    Rule(
        "identity.username",
        # Any prefix before "user" (sasl_username, spring.mail.user, dbUser, X-AUSERNAME):
        # the prefix is context, so only the byte before "user" is matched (cheaper DFA).
        r"(?:(?:\b|_)(?i:user(?:[_.-]?name)?)|[a-z0-9]User(?i:[_.-]?name)?|[A-Z]USER(?:NAME)?|"
        r"(?:A|E|S|FS|O)UID|(?i:\b(?:user[_.\s-]?id|login(?:[_.-]?name)?|uid|acct|"
        r"principal|samaccountname|userprincipalname|account[_.\s-]?name|logon[_.\s-]?name|"
        r"owner[_.-]?name|assignee|reporter|author|created[_.-]?by|updated[_.-]?by)))"
        r"\\{0,3}[\"']?\s*[:=]\s*\\{0,3}[\"'<]?" + _USER_VALUE,
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:user|login|uid|acct|principal|samaccountname|account|logon|owner|assignee|reporter|author|created|updated)",
    ),
    Rule(
        "identity.username",
        r"<(?i:user(?:[_.-]?name)?|login(?:[_.-]?name)?|(?:db|os|ldap|bind)[_.-]?user(?:name)?)"
        r"(?:\s[^>]*)?>(?P<user>[^<\s]+)</",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:<user|<login|<db|<os|<ldap|<bind)",
    ),
    Rule(
        "identity.login",
        r"(?:(?i:accepted (?:password|publickey|keyboard-interactive/pam|gssapi-with-mic) for"
        r"|failed (?:password|publickey|none) for(?: invalid user)?|invalid user|illegal user"
        r"|session (?:opened|closed) for user|logged in as|login as|log(?:ged)? ?in user"
        r"|authenticated user|authentication (?:succeeded|failed|failure) for(?: user)?"
        r"|login (?:succeeded|failed|attempt) for(?: user)?|user logged in:|by user"
        r"|for user|(?:session \d+|log(?:in|on)|password) of user"
        r"|password (?:changed|reset|expired|updated) for(?: user)?|authentication attempt for"
        r"|authentication of|authenticate user|(?:approved|aborted|rejected) by)"
        r":?\s+[\"'`\[]?"
        r"|\b[Uu]ser [\"'`]|\bsudo(?:\[\d+\])?:\s+|\bsu(?:\[\d+\])?: \(to \S+\)\s+)" + _USER_VALUE,
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:accepted|failed|invalid|illegal|session|logged|log ?in|authentic|user|sudo)"
        r"|(?i:approved|aborted|rejected) by"
        r"|(?i:su\[|su:)",
    ),
    Rule(
        # A user key as an XML attribute: Windows events <Data Name="TargetUserName">jdoe</Data>.
        "identity.username",
        r"\b(?i:name|key)=[\"'][\w.:-]*(?i:user(?:[_.-]?name)?|login|account[_.-]?name)[\"']"
        r"[^>]*>(?P<user>[^<\s]+)<",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:user|login|account)",
    ),
    Rule(
        # Commands run as someone: sudo -u jdoe, crontab -u jdoe, ssh -l jdoe, su - jdoe.
        "identity.login",
        r"\b(?:sudo|runuser|crontab|pkexec)\b[^\r\n|;&]*?\s-u[ \t]*(?P<user>[A-Za-z_][\w.@-]*)"
        r"|\bssh\b[^\r\n|;&]*?\s-l[ \t]*(?P<user2>[A-Za-z_][\w.-]*)"
        r"|(?m:^[ \t]*(?:\d+[ \t]+)?(?:[$#][ \t]*)?(?:sudo[ \t]+)?su[ \t]+"
        r"(?:-l?[ \t]+|--login[ \t]+)?(?P<user3>[A-Za-z_][\w.-]*)[ \t]*$)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?:sudo|runuser|crontab|pkexec|ssh)\b[^\r\n]*\s-[ul]"
        r"|(?m:^[ \t]*(?:\d+[ \t]+)?(?:[$#][ \t]*)?(?:sudo[ \t]+)?su[ \t])",
    ),
    Rule(
        # PAM: "session opened for user root(uid=0) by jdoe(uid=1001)".
        "identity.login",
        r"\bby (?P<user>[^\s()]+)\(uid=\d+\)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\(uid=",
    ),
    Rule(
        # "user 'jdoe' is locked", "user [jdoe] does not exist"; unquoted only in Apache's
        # "user jdoe not found: /path" and "user jdoe: authentication failure" (AH01617/8),
        # so "user session not found" stays.
        "identity.login",
        r"(?i:\buser)[ \t]+(?:[\"'`\[](?P<user>[^\s\"'`\[\]]+)[\"'`\]]:?[ \t]+(?i:not found|"
        r"does(?: not|n't) exist|unknown|not known|is (?:locked|disabled|inactive|not)|locked out|"
        r"authentication fail)|(?P<user2>[^\s\"'`:\[\]]+)(?: not found:|: authentication failure))",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:user)",
    ),
    Rule(
        # The user field of common/combined access logs: "10.1.2.3 - jdoe [29/Nov/2026:...".
        "identity.login",
        # The field before it is identd's "-" (or Jira's request id, 615x123x1).
        r"(?:^|[ \t])(?:-|\d+x\d+x\d+)[ \t]+(?P<user>[^\s\"\[\]:]+)[ \t]+"
        r"\[\d{1,2}/[A-Za-z]{3}/\d{4}:",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"[ \t]\[\d{1,2}/[A-Za-z]{3}/\d{4}:",
    ),
    Rule(
        # Confluence's access log: "[29/Nov/2026:10:15:32 +0100] jdoe http-nio-8090-exec-7 ...",
        # Bitbucket's: "10.1.2.3 | https | i@1ABCx615x1x0 | jdoe | 2026-11-29 10:15:32,123 |".
        "identity.login",
        r"\[\d{1,2}/[A-Za-z]{3}/\d{4}:[\d:]+ [+-]\d{4}\][ \t]+(?P<user>[^\s\"\[\]]+)[ \t]+"
        r"(?:https?|ajp)-[\w-]*exec-\d+"
        r"|\|[ \t]*(?:https?|ssh)[ \t]*\|[ \t]*\S+[ \t]*\|[ \t]*(?P<user2>[^\s|]+)[ \t]*\|"
        r"[ \t]*\d{4}-",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\d{4}\][ \t]+\S+[ \t]+(?:https?|ajp)-|\|[ \t]*(?:https?|ssh)[ \t]*\|",
    ),
    Rule(
        # Positional user fields of other access logs: IIS W3C (date time s-ip method stem
        # query port cs-username c-ip), Squid (... URL user HIER_DIRECT/peer), OpenVPN
        # (ip:port [cn]). The triggers are as narrow as the formats: "GET /x HTTP/1.1" 200"
        # or "10:15:32 [main]" on every line made most lines of a log candidates.
        "identity.login",
        r"(?m:^"
        + _IIS
        + r" \S+ \S+ \d{1,5} (?P<user>[^\s-][^\s]*) \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3} )"
        r"|[ \t](?P<user2>[^\s-][^\s]*)[ \t]+(?:HIER_[A-Z_]+|FIRST_UP_PARENT|ORIGINAL_DST)/"
        r"|\d\.\d{1,3}:\d{1,5} \[(?P<user3>[^\]\s/:]+)\] ",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?m:^" + _IIS + r" )|(?:HIER_[A-Z_]+|FIRST_UP_PARENT|ORIGINAL_DST)/"
        r"|\d\.\d{1,3}:\d{1,5} \[",
    ),
    Rule(
        # A user at an address: "ssh jdoe@10.0.0.5", MySQL's "Connect jdoe@10.0.0.5 on db".
        "identity.login",
        r"\b(?P<user>[A-Za-z_][A-Za-z0-9_.-]*)@(?:\d{1,3}\.){3}\d{1,3}\b",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"@\d",
    ),
    Rule(
        # A user object in JSON: ECS "user":{"name":"jdoe"}, Jira "author":{"name":"jdoe"}.
        "identity.username",
        r"(?i:\\?\"(?:user|actor|principal|owner|author|assignee|reporter|creator|sender)\\?\")"
        r"\s*:\s*\{[^{}\r\n]*?\\?\"(?:(?i:name|username|login)\\?\"\s*:\s*\\?\""
        + _USER_VALUE
        # A numeric "id" is not the name: go on to "name" (Jira's audit log puts id first).
        + r"|(?i:id)\\?\"\s*:\s*\\?\"(?P<user2>[^\d\s\"',;&<>()\[\]{}=|`\\/]"
        r"[^\s\"',;&<>()\[\]{}=|`\\/]*))",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:user|actor|principal|owner|author|assignee|reporter|creator|sender)\\?\"\s*:"
        r"\s*\{",
    ),
    Rule(
        # Positional and qualified user names of more products: a Windows down-level logon
        # name after a user key ("Username: ACME\jdoe", Samba's "user [ACME]\[jdoe]"),
        # Dovecot's auth backends ("pam(jdoe,10.0.0.5,<sess>)"), the user field of Nexus
        # ("[qtp1-2] jdoe org.sonatype...") and Artifactory request logs ("|ip|jdoe|GET|"),
        # Terraform addresses of user resources (aws_iam_user.this["jdoe"]) and the value
        # after "username" in redis-cli replies.
        "identity.login",
        r"(?i:\b(?:user(?:[ _]?name)?|became|account(?:[ _]?name)?))[\"']?"
        r"(?:[ \t]*[:=][ \t]*|[ \t]+)"
        r"\[?[A-Za-z][\w.-]{1,14}\]?\\{1,2}\[?(?P<user>[^\s\\\[\]\"'<>,;|]+)"
        r"|\b(?:pam|passwd-file|passwd|shadow|ldap|sql|checkpassword|bsdauth)\("
        r"(?P<user2>[^\s,()]+),(?:\d{1,3}\.){3}\d{1,3}[,)]|\b(?:pam|passwd-file|passwd|shadow|ldap|sql"
        r"|checkpassword|bsdauth)\((?P<user7>[^\s,()]+),[0-9a-fA-F]*:[0-9a-fA-F:.]+[,)]"
        r"|\][ \t]+(?P<user3>[^\s*\[\]]+)[ \t]+(?:org|com)\.sonatype\."
        r"|\|(?P<user4>[^\s|]+)\|(?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS)\|"
        r"|_user\.[\w-]+\[\\?\"(?P<user5>[^\"\\\s]+)\\?\"\]"
        r"|\"(?i:user(?:name)?)\"[ \t]*\r?\n[ \t]*\d+\)[ \t]+\"(?P<user6>[^\"\s]+)\"",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:user|became|account)"
        r"|(?:pam|passwd-file|passwd|shadow|ldap|sql|checkpassword|bsdauth)\("
        r"|[ \t](?:org|com)\.sonatype\.|\|(?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS)\|"
        r"|_user\.[\w-]+\[|\"(?i:user(?:name)?)\"[ \t]*\r?\n[ \t]*\d+\)[ \t]+\"",
    ),
    Rule(
        "identity.login",
        r"(?m:^(?P<user>[a-z_][a-z0-9_.-]{1,31})\s+(?:pts/\d+|tty\d+|:\d+|console)\s)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"pts/|tty|console|\s:\d",
    ),
    Rule(
        "identity.login",
        # Shell prompts: Debian's "jdoe@app01:~$", Red Hat's "[jdoe@app01 ~]$".
        r"\b(?P<user>[a-z_][a-z0-9_.-]*)@(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*)"
        r"(?::[~/]|[ \t][^\]\s]*\][$#])",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"@",
    ),
    Rule(
        "identity.home-directory",
        r"(?:/home/|/Users/|/export/home/|/var/mail/|/var/spool/mail/|/crontabs/|"
        r"(?i:[a-z]:\\{1,2}(?:users|documents and settings)\\{1,2}))"
        r"(?P<user>[^/\\\s\"':;,<>|*?]+)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:/home/|/users/|/export/home/|/var/mail/|/var/spool/mail/|/crontabs/)"
        r"|(?i:\\users\\|documents and settings)",
    ),
    Rule(
        "identity.ldap-dn",
        r"(?i:\b(?:cn|uid)=)(?P<user>[^,+\"=\\\r\n<>;]+?)\s*,\s*(?i:ou|dc|o|cn|uid|l|c)=",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:cn=|uid=)",
    ),
    Rule(
        "identity.ldap-dn",
        r"\b(?P<dc>(?i:dc)=[A-Za-z0-9-]+(?:\s*,\s*(?i:dc)=[A-Za-z0-9-]+)+)",
        profile="standard",
        trigger=r"(?i:dc=)",
    ),
]
