"""User accounts in the formats of products and network devices, and users named in prose.

Device configurations (Cisco, HAProxy, FortiGate, PAN-OS, pfSense, MikroTik), their logs
(FreeRADIUS, strongSwan, OpenVPN, Cisco, PAN-OS User-ID, NPS), data platforms and brokers
(Hadoop, Spark, JupyterHub, Nagios, Mosquitto, Neo4j, ClickHouse, RabbitMQ) and tickets
("the user is m.rossi", "ssh'd into build-07 as jdoe"). The checks live in ``people.py``;
``identity.py`` appends these rules to its table.
"""

from __future__ import annotations

from sitrep.redact.rules import Rule
from sitrep.redact.rules.people import (
    check_account,
    check_developer,
    check_down_level,
    check_user,
    name_list,
)

#: A user value in a config line or a log field.
_NAME = r"[^\s\"',;&<>()\[\]{}=|`\\/]+"
#: A table cell holding a user name.
_CELL = r"[A-Za-z_][\w.$@-]*"
#: A login-shaped word of prose: "m.rossi", "s_yilmaz", "jdoe2" (not "account" or "locked").
_LOGIN_SHAPE = r"[a-z][a-z0-9]*(?:[._][a-z][a-z0-9]*|\d+)"

RULES = [
    Rule(
        # Accounts defined in device configurations: Cisco "username jdoe privilege 15",
        # HAProxy's userlist "user jdoe password ...", PAN-OS "set mgt-config users jdoe",
        # FortiGate's "edit "jdoe"" under config user local (found by its "set type"),
        # pfSense's <user><name>jdoe</name>, MikroTik's "/user add name=jdoe group=full".
        "accounts.user",
        r"(?m:^[ \t]*username[ \t]+(?P<user>" + _NAME + r")[ \t]+(?:privilege|secret|password"
        r"|algorithm-type|nopassword|attributes|role)\b)"
        r"|(?m:^[ \t]*user[ \t]+(?P<user2>" + _NAME + r")[ \t]+(?:insecure-)?password[ \t])"
        r"|\bset mgt-config users[ \t]+(?P<user3>" + _NAME + r")"
        r"|\bedit[ \t]+\"(?P<user4>[^\"\s]+)\"[ \t]*\r?\n[ \t]*set[ \t]+"
        r"(?:type[ \t]+(?:password|ldap|radius|tacacs\+)|accprofile)\b"
        r"|<user>\s*<name>(?P<user5>[^<\s]+)</name>"
        # MikroTik's built-in user groups tell /user from other sections' "add name=".
        r"|\badd[ \t](?:[^\r\n]*?[ \t])?group=(?:full|read|write)[ \t](?:[^\r\n]*?[ \t])?"
        r"name=\"?(?P<user6>" + _NAME + r")"
        r"|\badd[ \t](?:[^\r\n]*?[ \t])?name=\"?(?P<user7>" + _NAME + r")\"?[ \t]"
        r"(?:[^\r\n]*?[ \t])?group=(?:full|read|write)\b"
        # NetworkManager's and wpa_supplicant's 802.1X identity= (an address is an e-mail).
        r"|(?m:^[ \t]*identity[ \t]*=[ \t]*\"?(?P<user8>[^\s\"@\\]+)\"?[ \t]*\r?$)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?m:^[ \t]*username[ \t])|(?m:^[ \t]*user[ \t]+\S+[ \t]+(?:insecure-)?password)"
        r"|set mgt-config users"
        r"|\bedit[ \t]+\"[^\"\r\n]+\"[ \t]*\r?\n[ \t]*set[ \t]+(?:type|accprofile)"
        r"|<user>\s*<name>|\badd[ \t][^\r\n]*(?:group=(?:full|read|write)[ \t][^\r\n]*name="
        r"|name=[^\r\n]*group=(?:full|read|write)\b)"
        r"|(?m:^[ \t]*identity[ \t]*=)",
    ),
    Rule(
        # Lists of users: HAProxy's "group admin users jdoe,asmith", Spark's "users with
        # view permissions: jdoe, asmith;" and JupyterHub's admin_users = {'jdoe', 'asmith'}.
        # System accounts in a list are kept by the pseudonym.
        "accounts.user",
        r"(?m:^[ \t]*group[ \t]+\S+[ \t]+users[ \t]+" + name_list(",", 1, 4) + r")"
        r"|\busers with (?:view|modify) permissions:[ \t]*(?:Set\()?"
        + name_list(",[ \t]*", 5, 4)
        + r"|\b(?:admin|allowed|blocked)_users[ \t]*=[ \t]*[\[{(]?[ \t]*(?:set\(\[?)?[\"']"
        + name_list("[\"'][ \t]*,[ \t]*[\"']", 9, 4),
        profile="standard",
        learn=True,
        trigger=r"(?m:^[ \t]*group[ \t]+\S+[ \t]+users[ \t])"
        r"|users with (?:view|modify) permissions:"
        r"|(?:admin|allowed|blocked)_users[ \t]*=",
    ),
    Rule(
        # A pasted table whose first column is named as user names ("username,email,..."):
        # up to six rows. Only rows that are candidate lines of their own are seen (an
        # e-mail column makes them so): the joined trigger automaton stops at "user" of the
        # header (leftmost-first), so this trigger cannot carry the segment over the rows.
        "accounts.user",
        r"(?m:^(?i:user(?:_?name)?|login|samaccountname|uid)[,;\t][^\r\n]*\r?\n"
        + name_list(r"[,;\t][^\r\n]*\r?\n", 1, 6, _CELL)
        + r")",
        profile="standard",
        learn=True,
        trigger=r"(?m:^(?i:user(?:_?name)?|login|samaccountname|uid)[,;\t][^\r\n]*\r?\n"
        r"(?:[^\r\n]*\r?\n){0,5})",
    ),
    Rule(
        # Authentication logs of network gear: FreeRADIUS "Login incorrect (...): [jdoe/<via
        # ...>]", Cisco "Configured from console by jdoe on vty0", MikroTik "user jdoe logged
        # in from", strongSwan "to peer 'jdoe'" and "EAP identity 'jdoe'", OpenVPN's status
        # file (CLIENT_LIST,jdoe,ip:port / jdoe,ip:port,... / 10.8.0.6,jdoe,ip:port), Zeek's
        # Kerberos client "jdoe/REALM" (the realm is a host name) and ftp.log's user column.
        "accounts.user",
        r"\bLogin (?:OK|incorrect)(?:[ \t]*\([^)\r\n]*\))?:[ \t]+\[(?P<user>[^\]/\s]+)[/\]]"
        r"|\bConfigured from [\w.:/-]+ by (?P<user2>" + _NAME + r") on (?:vty|console|tty|con|aux)"
        r"|\buser[ \t]+(?P<user3>" + _NAME + r")[ \t]+logged (?:in|out)\b"
        r"|\b(?:to peer|EAP identity) '(?P<user4>[^'\s=,@]+)'"
        # OpenVPN status: "CLIENT_LIST,jdoe,ip:port", version 1's "jdoe,ip:port,bytes,bytes,"
        # and its routing table's "10.8.0.6,jdoe,ip:port,".
        r"|CLIENT_LIST[,\t](?P<user5>[^,\t\s]+)[,\t](?:\d{1,3}\.){3}\d{1,3}:\d{1,5}[,\t]"
        r"|(?m:^(?P<user8>[^,\t\s]+),(?:\d{1,3}\.){3}\d{1,3}:\d{1,5},\d+,\d+,)"
        r"|(?m:^(?:\d{1,3}\.){3}\d{1,3}[CL]?,(?P<user9>[^,\t\s]+),(?:\d{1,3}\.){3}\d{1,3}:\d{1,5},)"
        r"|\"client\"[ \t]*:[ \t]*\"(?P<user6>[^/\"\s]+)/(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*)\""
        r"|\t\d{1,5}\t(?P<user7>[^\t\s]+)\t[^\t\r\n]*\t(?:USER|PASS|RETR|STOR|LIST|NLST|CWD|DELE"
        r"|MKD|APPE|SIZE|EPSV|PASV|PORT|QUIT)\t",
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"Login (?:OK|incorrect)|Configured from [\w.:/-]+ by |[ \t]logged (?:in|out)\b"
        r"|(?:to peer|EAP identity) '|CLIENT_LIST[,\t]"
        r"|(?m:^(?:(?:\d{1,3}\.){3}\d{1,3}[CL]?,)?[^,\t\s]+,(?:\d{1,3}\.){3}\d{1,3}:\d{1,5},)"
        r"|\"client\"[ \t]*:[ \t]*\"[^/\"\s]+/"
        r"|\t(?:USER|PASS|RETR|STOR|LIST|NLST|CWD|DELE|MKD|APPE|SIZE|EPSV|PASV|PORT|QUIT)\t",
    ),
    Rule(
        # A Windows down-level name where the format says so: PAN-OS User-ID "mapped
        # 10.20.1.45 to ACME\jdoe", a user column of PAN-OS CSV logs (acme\jdoe after the
        # rule name) and quoted CSV fields such as NPS's "CONTOSO\jdoe".
        "accounts.user",
        r"\bmapped[ \t]+\S+[ \t]+to[ \t]+(?:(?P<host>[A-Za-z][\w.-]{0,14})\\{1,2})?"
        r"(?P<user>[^\s\\(),\"']+)"
        r"|,(?:TRAFFIC|THREAT|URL|USERID|GLOBALPROTECT|AUTH|DECRYPTION),[^\r\n]*?,"
        r"(?P<host2>[A-Za-z][\w-]{0,14})\\{1,2}(?P<user2>[A-Za-z][\w.$-]*),"
        r"|(?:^|,)\"(?P<host3>[A-Z][A-Z0-9-]{1,14})\\{1,2}(?P<user3>[A-Za-z][\w.$-]*)\",",
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"\bmapped[ \t]+\S+[ \t]+to[ \t]|,(?:TRAFFIC|THREAT|URL|USERID|GLOBALPROTECT|AUTH"
        r"|DECRYPTION),|\"[A-Z][A-Z0-9-]{1,14}\\{1,2}[A-Za-z][\w.$-]*\",",
    ),
    Rule(
        # Data platforms and brokers: Hadoop's audit "ugi=jdoe", Nagios' acknowledgements
        # and comments (ACKNOWLEDGE_SVC_PROBLEM;host;svc;2;1;1;jdoe;text) and notifications
        # (SERVICE NOTIFICATION: jdoe;...), Mosquitto "(p2, c1, k60, u'jdoe')", Neo4j's
        # security log "[jdoe]: failed to log in", ClickHouse "Exception: jdoe: Authentication
        # failed" and OpenVPN's management interface 'username "Auth" jdoe'.
        "accounts.user",
        r"\bugi=(?P<user>[A-Za-z_][\w.$-]*)"
        r"|\b(?:ACKNOWLEDGE_(?:SVC|HOST)_PROBLEM(?:_EXPIRE)?|ADD_(?:SVC|HOST)_COMMENT);"
        r"(?:[^;\r\n]*;){1,2}(?:\d+;){1,4}(?P<user2>[^;\s]+);"
        r"|\b(?:SERVICE|HOST) NOTIFICATION: (?P<user3>[^;\s]+);"
        r"|\bk\d+, u'(?P<user4>[^'\s]+)'\)"
        r"|(?:INFO|WARN|ERROR)[ \t]+\[(?P<user5>[^\]\s/]+)\]: (?:failed to log (?:in|out)"
        r"|logged (?:in|out))"
        r"|DB::Exception:[ \t]+(?P<user6>[^\s:\"'\[\]]+):[ \t]+Authentication failed"
        r"|\busername \"Auth\" (?P<user7>[^\s\"]+)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\bugi=|ACKNOWLEDGE_(?:SVC|HOST)_PROBLEM|ADD_(?:SVC|HOST)_COMMENT"
        r"|(?:SERVICE|HOST) NOTIFICATION: |, u'|\]: (?:failed to log|logged (?:in|out))"
        r"|DB::Exception:[ \t]+[^\s:]+:[ \t]+Authentication failed|username \"Auth\" ",
    ),
    Rule(
        # User objects and links of more products: RabbitMQ definitions ("name" before
        # "password_hash"), Jira's REST user ("name" next to "key":"JIRAUSER10412" or
        # "emailAddress"), Bitbucket's and GitHub's /users/jdoe/repos, Crowd's "user 'a'
        # renamed to 'b'" and "(sAMAccountName jdoe)".
        "accounts.user",
        r"\"name\"[ \t]*:[ \t]*\"(?P<user>[^\"\s]+)\"[ \t]*,[ \t]*\"(?:password_hash|emailAddress"
        r"|key\"[ \t]*:[ \t]*\"JIRAUSER\d+)\""
        r"|\"key\"[ \t]*:[ \t]*\"JIRAUSER\d+\"[ \t]*,[ \t]*\"name\"[ \t]*:[ \t]*"
        r"\"(?P<user2>[^\"\s]+)\""
        r"|/users/(?P<user3>[^/\s?#\"'<>]+)/(?:repos|avatar\.png|keys|ssh-keys)\b"
        r"|\b[Uu]ser[ \t]+[\"'`][^\"'`\s]+[\"'`][ \t]+(?:renamed|changed) to[ \t]+[\"'`]"
        r"(?P<user4>[^\"'`\s]+)[\"'`]"
        r"|\((?i:samaccountname|userprincipalname|uid)[ \t]+(?P<user5>[^\s()]+)\)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\"(?:password_hash|emailAddress)\"|JIRAUSER\d|/users/[^/\s]+/(?:repos|avatar|keys|ssh)"
        r"|(?:renamed|changed) to[ \t]|\((?i:samaccountname|userprincipalname|uid)[ \t]",
    ),
    Rule(
        # Owners and users in command output and Unix configs: `ls -l`'s owner column,
        # PostgreSQL's log prefix "[51102] ochen@analytics LOG:" and pg_hba.conf's user
        # column, sudoers' "Defaults:jdoe" and "jdoe ALL=(...)", `kinit jdoe` and git's
        # "Username for 'https://git.acme.se': jdoe". System accounts (root, postgres,
        # all) are kept by the check and the pseudonym.
        "accounts.user",
        r"(?m:^[-dlcbps][rwxsStT-]{9}[.+@]?[ \t]+\d+[ \t]+(?P<user>"
        + _CELL
        + r")[ \t]+"
        + _CELL
        + r"[ \t]+\d)"
        r"|\[\d+\][ \t]+(?P<user2>" + _CELL + r")@[\w.$-]*[ \t]+"
        r"(?:LOG|ERROR|FATAL|WARNING|STATEMENT|DETAIL|HINT|NOTICE|PANIC):"
        r"|(?m:^(?:local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)[ \t]+[\w,@.+-]+[ \t]+"
        r"(?P<user3>" + _CELL + r")[ \t]+(?:\S+[ \t]+){0,2}"
        r"(?:trust|reject|md5|password|scram-sha-256|gss|sspi|ident|peer|pam|ldap|radius|cert)\b)"
        r"|\bDefaults:(?P<user4>" + _CELL + r")"
        r"|(?m:^(?P<user5>[a-z_][\w.-]*)[ \t]+ALL[ \t]*=[ \t]*\()"
        r"|\bkinit[ \t]+(?P<user6>[a-z_][\w.-]*)[ \t]*(?m:$)"
        r"|\bUsername for '[^'\r\n]*':[ \t]*(?P<user7>[^\s'\"]+)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?m:^[-dlcbps][rwxsStT-]{9})|\[\d+\][ \t]+[\w.$-]+@[\w.$-]*[ \t]+[A-Z]{3}"
        r"|(?m:^(?:local|host\w*)[ \t])|\bDefaults:|(?m:^[a-z_][\w.-]*[ \t]+ALL[ \t]*=)"
        r"|\bkinit[ \t]|\bUsername for '",
    ),
    Rule(
        # Jenkins' SecurityListener ("Login successful: jdoe", "logged in: jdoe", "failed to
        # authenticate: jdoe", at the end of the line) and chat exports whose speaker is a
        # login ("[2024-03-12 14:03] nina.larsen: can someone check ...").
        "accounts.user",
        r"(?i:\b(?:login successful|logged in|logged out|failed to authenticate|login failed))"
        r"(?: for(?: user)?)?:[ \t]+(?P<user>[^\s\"',;()\[\]]+)[ \t]*\r?(?m:$)"
        r"|(?m:^\[\d{1,4}[-/.:]\d{1,2}[^\]\r\n]*\][ \t]+"
        r"(?P<user2>[a-z][a-z0-9]*[._-][a-z][a-z0-9._-]*[a-z0-9]):[ \t])",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:login successful|logged in|logged out|failed to authenticate|login failed)"
        r"(?: for(?: user)?)?:[ \t]"
        r"|(?m:^\[\d{1,4}[-/.:]\d{1,2}[^\]\r\n]*\][ \t]+[a-z][a-z0-9]*[._-])",
    ),
    Rule(
        # A Windows account anywhere: "running as FABRIKAM\svc-datadog", "logon of
        # TOLVSTAD\b.ilic from ...", "authentication completed for FABRIKAM\jwilson". A domain
        # in capitals and a user in lower case; the domain is pseudonymised as a host label.
        "accounts.user",
        r"(?:^|[\s\"'(=:,\[])(?P<host>[A-Z][A-Z0-9-]{1,14})\\(?P<user>[a-z][a-z0-9._-]{0,30}[a-z0-9])\b",
        profile="standard",
        check=check_down_level,
        learn=True,
        trigger=r"[A-Z][A-Z0-9-]{1,14}\\[a-z]",
    ),
    Rule(
        # Developers in source control: GitHub's "Merge pull request #1234 from
        # fnguyen/feature-x", a Maven POM's <developer><id>mlopez</id><name>Marta López</name>.
        "accounts.user",
        r"\bMerge pull request #\d+ from (?P<user>[A-Za-z0-9][A-Za-z0-9-]*)/"
        r"|<developer>\s*<id>(?P<user2>[^<\s]+)</id>\s*<name>(?P<user3>[^<\r\n]+)</name>"
        # An owner field that ends with its value ("owner":"priya.raman", "# owner: tmorales",
        # tags "owner:jkim"); "(owner: platform team)" is prose.
        r"|\b(?i:owner)\\?[\"']?[ \t]*[:=][ \t]*[\"']?(?P<user4>[A-Za-z_][\w.@-]*)[\"']?[ \t]*"
        r"(?:[,}\]\r\n]|$)",
        profile="standard",
        check=check_developer,
        learn=True,
        trigger=r"Merge pull request #\d+ from |<developer>\s*<id>[^<\s]+</id>\s*<name>"
        r"|\b(?i:owner)\\?[\"']?[ \t]*[:=]",
    ),
    Rule(
        # VPN and device sessions: OpenVPN's status file ("CLIENT_LIST,pvdberg,203.0.113.7:
        # 51234,..." and "ROUTING_TABLE,10.8.0.6,pvdberg,..."), Cisco's "show users" rows.
        "accounts.user",
        r"(?m:^CLIENT_LIST,(?P<user>[^,\r\n]+),)"
        r"|(?m:^ROUTING_TABLE,[^,\r\n]*,(?P<user2>[^,\r\n]+),)"
        r"|(?m:^[* ][ \t]*\d+[ \t]+(?:vty|con|tty|aux)[ \t]+\d+[ \t]+(?P<user3>[A-Za-z_][\w.@-]*)"
        r"[ \t]+(?:idle|\d))",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?m:^(?:CLIENT_LIST|ROUTING_TABLE),)"
        r"|(?m:^[* ][ \t]*\d+[ \t]+(?:vty|con|tty|aux)[ \t])",
    ),
    Rule(
        # A Matrix user id: "@k.berger:matrix.example-city.de" (Synapse logs, room events).
        "accounts.user",
        r"(?:^|[\s\"'({\[<,])@(?P<user>[a-z0-9._=/+-]+):"
        r"(?P<host>(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})\b",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"@[a-z0-9._=/+-]+:(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
    ),
    Rule(
        # Users named in tickets and chat: "the user m.rossi", "the user is s.yilmaz,",
        # "can you check user jdevries on ...", "ssh'd into build-07 as jdoe". A bare word
        # needs a verb before "user"; prose words and nouns ("user account") are refused.
        "accounts.user",
        r"\b(?:[Tt]he|[Oo]f|[Ff]or|[Uu]ser|[Ll]ocal|[Rr]emote|LDAP|[Dd]omain) user[ \t]+(?P<user>"
        + _LOGIN_SHAPE
        + r")\b(?:[^.(\w]|\.(?:\s|$)|$)"
        r"|\b(?i:check|unlock|reset|disable|enable|delete|create|add|remove|rename)"
        r"(?: the)? user[ \t]+(?P<user2>[a-z][\w.-]*[a-z0-9])\b(?:[^.(@\w]|\.(?:\s|$)|$)"
        r"|\b(?i:the) user (?:is|was|name is|id is)[ \t]+(?P<user3>" + _LOGIN_SHAPE + r")\b"
        r"|\b(?i:ssh'?d|ssh-ed|sshed|logged|connected)[ \t]+(?:in)?to[ \t]+(?:the[ \t]+)?\S+"
        r"[ \t]+as[ \t]+(?P<user4>[A-Za-z_][\w.-]*[A-Za-z0-9])"
        # Audit lines: "user kbergstrom authenticated successfully", "Connecting as user
        # mid_server_dc1", "authentication error for 'tbauer'", and brackets around the name
        # (Crowd's "Updated user [ a.okonkwo ]", Synology's "User [mhansen] from").
        r"|\b[Uu]ser[ \t]+(?P<user5>[a-z][\w.-]*[a-z0-9])[ \t]+"
        r"(?:authenticated|logged (?:in|on|out)|signed (?:in|out)|changed"
        r"|failed to (?:log|authenticate|sign)|authentication failed)\b"
        r"|\bas user[ \t]+(?P<user6>[A-Za-z_][\w.-]*[A-Za-z0-9])"
        r"|\b(?i:authentication (?:error|failure|failed)) for[ \t]+'(?P<user7>[^'\s/:@]+)'"
        r"|\b(?:[Uu]ser|[Aa]ccount)[ \t]+\[[ \t]?(?P<user8>[^\]\s$][^\]\s]*)[ \t]?\]"
        # SonarQube's auth events: "[login|r.pemberton]".
        r"|\[login\|(?P<user9>[^\]|\s]+)\]",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:the|of|for|user|local|remote|ldap|domain) user[ \t]+[a-z]"
        r"|(?i:check|unlock|reset|disable|enable"
        r"|delete|create|add|remove|rename)(?: the)? user[ \t]"
        r"|(?i:ssh'?d|ssh-ed|sshed|logged|connected)[ \t]+(?:in)?to[ \t]"
        r"|[Uu]ser[ \t]+[a-z][\w.-]*[ \t]+(?:authenticat|logged|signed|changed|failed)"
        r"|as user[ \t]|(?i:authentication (?:error|failure|failed)) for[ \t]+'"
        r"|(?:[Uu]ser|[Aa]ccount)[ \t]+\[|\[login\|",
    ),
]
