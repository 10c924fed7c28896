"""Users named by logon events, directory tools, forges and tickets.

Servlet realms and Shiro ("authentication for username [x]", "UsernamePasswordToken - x,"),
sshd's process titles, Samba's tree connects, Windows events and tools (SCCM, SharePoint
claims, print jobs, AD cmdlets), Cisco ASA, Gerrit's sshd_log, forge paths (Gitea, GitLab
runners), JSON user fields (full_name, Jira's "uri"), HTML login forms, URL-encoded
addresses and tickets ("User mgarcia reports", "my login is x"). The checks live in
``people.py``; ``identity.py`` appends these rules to its table. They share the automaton
of ``accounts.py`` (one family name), so they add no scan of their own.
"""

from __future__ import annotations

from sitrep.redact.rules import Rule
from sitrep.redact.rules.people import check_account, check_user

#: A user value in a log field.
_NAME = r"[^\s\"',;&<>()\[\]{}=|`\\/]+"
#: A quote or bracket that may wrap a value.
_OPEN = r"[\"'`\[<]?"
#: An optional Windows domain before the user (RIVERSIDE\gthompson, corp\\jdupont).
_DOMAIN = r"(?:(?P<host>[A-Za-z][\w.-]{0,14})\\{1,2})?"
#: A login-shaped word of prose: "p.oliveira", "s_yilmaz", "jdoe2".
_LOGIN_SHAPE = r"[a-z][a-z0-9]*(?:[._][a-z][a-z0-9]*|\d+)"

RULES = [
    Rule(
        # Logon events: Tomcat realms "authentication for username [x]", Crowd "Failed to
        # authenticate principal 'x'", Nextcloud "Login failed: 'x' (Remote IP", Shiro's
        # "UsernamePasswordToken - x, rememberMe=", Samba "initially as user x (uid=" and its
        # client column "x (ipv4:ip:port) connect to service", sshd's process titles
        # ("sshd: x [priv]", "sshd: x@pts/0"), SCCM "User logon detected: D\x", Cisco ASA
        # SharePoint claims "i:0#.w|corp\x".
        "accounts.user",
        r"\b(?i:authentication|authenticating|login|logon) for (?:username|principal)[ \t]+"
        + _OPEN
        + r"(?P<user>"
        + _NAME
        + r")"
        r"|\bauthenticate principal[ \t]+" + _OPEN + r"(?P<user2>" + _NAME + r")"
        r"|\b(?i:login|logon|authentication) failed:[ \t]+[\"'](?P<user3>[^\"'\s]+)[\"']"
        r"|UsernamePasswordToken - (?P<user4>[^\s,\[\]]+), rememberMe="
        r"|\binitially as user (?P<user5>" + _NAME + r") \(uid="
        r"|(?m:^[ \t]*(?P<user6>" + _NAME + r") \(ipv[46]:[0-9A-Fa-f.:\[\]]+\) connect to service)"
        r"|\bsshd: (?P<user7>[A-Za-z_][\w.-]*)(?: \[(?:priv|net|accepted)\]|@(?:pts/\d|notty|tty))"
        r"|\b[Uu]ser (?i:logon|logoff|login|logout)(?: detected| event)?:[ \t]+"
        + _DOMAIN
        + r"(?P<user8>"
        + _NAME
        + r")"
        r"|\bi:0[#.]\.?w\|(?P<host2>[A-Za-z][\w.-]{0,14})\\{1,2}(?P<user9>[^\s\\,;|\"'<>]+)",
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"(?i:authentication|authenticating|login|logon) for (?:username|principal)"
        r"|authenticate principal|(?i:login|logon|authentication) failed:[ \t]+[\"']"
        r"|UsernamePasswordToken - |initially as user|\) connect to service|sshd: [A-Za-z_]"
        r"|[Uu]ser (?i:logon|logoff|login|logout)|i:0[#.]",
    ),
    Rule(
        # Windows and directory tools: print jobs "owned by x on \\PC-X" (the client host
        # too), AD cmdlets' -Identity, "created local account 'x'"; Gerrit's sshd_log user
        # column ("[ts] 5d8f2a1c jbakker a/1000123 git-upload-pack"), forge paths (Gitea
        # "GET /x/repo/src/branch/main", GitLab runners' /builds/<token>/0/x/repo), Cisco ASA's
        # "User <x> IP <".
        "accounts.user",
        r"\bowned by (?P<user>" + _NAME + r") on \\\\(?P<host>[A-Za-z0-9][\w-]*)"
        r"|\b(?:Set|Get|Unlock|Enable|Disable|Remove|Rename)-AD(?:User|Account\w*)\b[^\r\n|;]*?"
        r"[ \t]-Identity[ \t]+[\"']?(?P<user2>[A-Za-z_][\w.-]*)"
        r"|\b(?i:created|creating|deleted|removed|disabled|enabled|locked|unlocked)"
        r"(?: local| domain| new)? (?:user )?account[ \t]+[\"'`](?P<user3>[^\"'`\s]+)[\"'`]"
        r"|\] [0-9a-f]{8} (?P<user4>" + _NAME + r") a/\d+ "
        r"|[ \t](?:GET|POST|HEAD) /(?P<user5>[A-Za-z][\w.-]*)/[\w.-]+/(?:src|raw|commits?)"
        r"/(?:branch|commit|tag)/"
        r"|/builds/[\w-]+/\d+/(?P<user6>[A-Za-z][\w.-]*)/"
        r"|\bUser <(?P<user7>[^<>\s]+)> IP <",
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"owned by \S+ on \\\\|-AD(?:User|Account)|(?i:account)[ \t]+[\"'`]"
        r"|\] [0-9a-f]{8} \S+ a/\d|/(?:src|raw|commits?)/(?:branch|commit|tag)/|/builds/[\w-]+/\d"
        r"|User <[^<>\s]+> IP <",
    ),
    Rule(
        # Users in JSON, forms and URLs: "full_name": "Jane Doe", Jira's audit author
        # {"type":"user","uri":"jdoe"}, <input name="username" value="jdoe">, "owner=jdoe"
        # (Nextcloud shares) and a URL-encoded address (email=jane.doe%40acme.de).
        "accounts.user",
        r"\"(?:full_?name|fullName)\"[ \t]*:[ \t]*\"(?P<user>[^\"\s\\][^\"\\\r\n]*)\""
        r"|\"type\"[ \t]*:[ \t]*\"(?i:user)\"[ \t]*,[ \t]*\"uri\"[ \t]*:[ \t]*\"(?P<user2>"
        + _NAME
        + r")\""
        r"|\bname=[\"'](?i:user(?:name)?|login|j_username)[\"'][^<>\r\n]*?\bvalue=[\"']"
        r"(?P<user3>[^\"'\s<>]+)[\"']"
        r"|\bowner=(?P<user4>[a-z][\w.-]*)"
        r"|[=:](?P<user5>[A-Za-z0-9][A-Za-z0-9._+-]*)%40"
        r"(?P<host>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})\b",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\"(?:full_?name|fullName)\"|\"uri\"[ \t]*:|\bname=[\"'](?i:user|login|j_user)"
        r"|\bowner=|%40[A-Za-z0-9]",
    ),
    Rule(
        # Tickets: "User mgarcia reports ...", "her colleague p.oliveira can", "my login is
        # oadeyemi", "connecting to files.acme.co.uk:22 as jdoe". A bare word only before a
        # verb of reporting; after "colleague" only a login shape.
        "accounts.user",
        r"\b[Uu]ser (?P<user>[a-z][a-z0-9._-]{2,}) (?:reports|reported|says|said|cannot|can't"
        r"|is unable|was unable|complains|complained|gets|got|sees|tried)\b"
        r"|\b(?:colleague|co-?worker|manager|teammate) (?P<user2>" + _LOGIN_SHAPE + r")\b"
        r"|\b(?i:my|his|her|their) (?:login|username|user name|user id|account) is "
        r"(?P<user3>[a-z][\w.-]*[a-z0-9])\b"
        r"|\b(?i:connecting|connected|logging in|logged in) to [\w.-]+(?::\d{1,5})? as "
        r"(?P<user4>[A-Za-z_][\w.-]*[A-Za-z0-9])",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"[Uu]ser [a-z][a-z0-9._-]{2,} (?:reports|reported|says|said|cannot|can't|is unable"
        r"|was unable|complains|complained|gets|got|sees|tried)"
        r"|(?:colleague|co-?worker|manager|teammate) [a-z]|(?i:my|his|her|their) (?:login|user"
        r"|account)|(?i:connecting|connected|logging in|logged in) to [\w.-]+(?::\d{1,5})? as ",
    ),
]
