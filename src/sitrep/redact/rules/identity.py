"""Personal identifiers about people: e-mail addresses and user names in known places.

These are pseudonymised (standard and paranoid profiles), never deleted, so support can
still follow one user through the logs. The checks live in ``people.py``.
"""

from __future__ import annotations

from sitrep.redact.rules import Rule
from sitrep.redact.rules.accounts import RULES as ACCOUNT_RULES
from sitrep.redact.rules.logons import RULES as LOGON_RULES
from sitrep.redact.rules.people import (
    DB_CLIENTS,
    DISPLAY_NAME,
    DOWN_LEVEL,
    IIS_LINE,
    LINE_NAME,
    METHODS,
    NAME_VALUE,
    NET_USER_ROWS,
    OPENVPN,
    PERSON_NAME,
    SYSTEM_USERS,
    USER_VALUE,
    check_account,
    check_aws_user,
    check_dn_user,
    check_email,
    check_git_name,
    check_named_address,
    check_passwd,
    check_person_name,
    check_prompt,
    check_sender_name,
    check_user,
    check_user_object,
    name_list,
    person_name,
)

__all__ = ["RULES", "SYSTEM_USERS"]

#: Labels whose value is a person's name (a ticket's Reporter, AD's GivenName, ...).
_PERSON_LABELS = (
    r"(?i:reporter|assignee|author|caller|requester|requested[ _]by|opened[ _]by"
    r"|submitted[ _]by|(?:user[ _]?)?display[ _-]?name|real[ _]?name|full[ _]?name"
    r"|given[ _]?name|first[ _]?name|last[ _]?name|surname|family[ _]?name"
    # The GECOS field (cloud-init's "gecos:"), unattend.xml's RegisteredOwner.
    r"|gecos|registered[ _]?owner|contact[ _]?name)"
)

#: A chat speaker: a person's name ("Marcus Ode", "Vogt, Lena") or a login with a digit,
#: dot or underscore in it ("frostbyte_", "nina.larsen").
_SPEAKER = (
    r"(?P<user>[A-Z\x80-\xff][\w\x80-\xff'-]*(?:[ \t]+(?:[A-Z\x80-\xff][\w\x80-\xff'-]*"
    r"|de|van|von|der|den|da|di|du|la|le|del|dos|das|ter|ten)){1,3}"
    r"|[A-Z\x80-\xff][\w\x80-\xff'-]*,[ \t]+[A-Z\x80-\xff][\w\x80-\xff'-]*"
    r"|[a-z][a-z0-9]*(?:[.\d][a-z0-9._]*|_))"
)

#: The words that close a mail before the writer's name.
_CLOSING = (
    r"(?i:regards|gr(?:ü|ue)(?:ß|ss)en?|gru(?:ß|ss)|cordialement|saludos|groeten|groet"
    r"|pozdrawiam|pozdrowienia|saluti|cheers|thanks|merci|danke|gracias|grazie|bedankt"
    r"|atentamente|sincerely|bien (?:à|a) vous)"
)

RULES = [
    Rule(
        # A person's name under a label that holds one: a ticket's Reporter/Assignee/Caller,
        # Windows' "Display Name:", AD's GivenName/Surname, Terraform's display_name, Slack's
        # real_name; whole ("Hannah Lee", "Jan de Vries"), with a login in brackets after it.
        # Before identity.username, which takes one word after "reporter:".
        "identity.display-name",
        r"(?P<key>\b" + _PERSON_LABELS + r")"
        # ":", "=", or the end of an XML start tag (<oc:owner-display-name>Ola Hansen<).
        r"(?:\\{0,3}[\"']?[ \t]*[:=]>?[ \t]*\\{0,3}[\"']?|>)"
        + PERSON_NAME
        + r"(?:[ \t]+\((?P<user2>[^\s()]+)\))?",
        profile="standard",
        check=check_person_name,
        learn=True,
        trigger=_PERSON_LABELS + r"(?:\\{0,3}[\"']?[ \t]*[:=]|>)",
    ),
    Rule(
        # "opened 12.03.2024 09:18 by Bogdan Ilić", Bamboo's "Manual run by Hannah Lange":
        # two words at least, so "created by Terraform" stays.
        "identity.display-name",
        r"\b(?i:manual run|opened|closed|resolved|reopened|assigned|escalated|approved|rejected"
        r"|submitted|requested|reported|raised|comment|commented|note added|acknowledged"
        r"|updated|modified|edited)\b[^\r\n]{0,40}? by[ \t]+"
        + person_name(1)
        + r"[ \t]*(?:[.,;:)(]|\r?(?m:$))",
        profile="standard",
        check=check_person_name,
        learn=True,
        # Two capitalised words after "by": a counted gap before it would swell the trigger DFA.
        trigger=r"[ \t]by[ \t]+[A-Z\x80-\xff][\w\x80-\xff'.-]*[ \t]+[A-Z\x80-\xff]",
    ),
    Rule(
        # A JSON "name" of two words or more in an object about a person (Grafana's org
        # users: "email", "name", "login"); the check looks for the person's other keys.
        "identity.display-name",
        r"\"(?P<key>name)\"[ \t]*:[ \t]*\"" + person_name(1) + r"\"",
        profile="standard",
        check=check_person_name,
        learn=True,
        trigger=r"\"name\"[ \t]*:[ \t]*\"[A-Z\x80-\xff][\w\x80-\xff'.-]*[ \t]+[A-Z\x80-\xff]",
    ),
    Rule(
        # Nagios contacts: "    contact_name   jdoyle" in a define contact block; a plist's
        # <key>UserName</key><string>jdoe</string>; Apache's and CUPS' "Require user a b".
        "identity.username",
        r"(?m:^[ \t]+contact_name[ \t]+(?P<user>[^\s;]+)[ \t]*\r?$)"
        r"|<key>(?i:user(?:[_ ]?name)?|login|account(?:[_ ]?name)?|short ?name)</key>\s*<string>"
        r"(?P<user2>[^<\s]+)</string>"
        r"|\bRequire[ \t]+user[ \t]+(?:@\w+[ \t]+)*"
        + name_list("[ \t]+", 3, 4)
        # The user of an htpasswd or shadow line: "jdoe:$apr1$...", "jdoe:$6$...".
        + r"|(?m:^(?P<user7>[A-Za-z0-9_][\w.-]*):(?:\$2[aby]?\$|\$apr1\$|\$[1567y]\$|\{S?SHA\}))"
        # "username x" alone on a config line (Mosquitto's remote_username, bind_user).
        r"|(?m:^[ \t]*(?:remote_|bind_|auth_)?(?:username|user)[ \t]+(?P<user11>[^\s#;=]+)"
        r"[ \t]*\r?$)"
        # PostgreSQL's process title in ps ("postgres: 15/main: ledger_rw ledger 10.2.3.4(53318)
        # idle"), coredumpctl's "UID: 1000 (lwozniak)".
        r"|\bpostgres: (?:[\w.]+/[\w.-]+: )?(?P<user9>[A-Za-z_][\w.-]*) [\w.-]+ "
        r"(?:[\d.]+|\[local\])(?:\(\d+\))? "
        r"|\b(?:UID|GID|Owner UID): \d+ \((?P<user10>[^)\s]+)\)"
        # NetScaler's "User Name: x" in show output.
        r"|(?m:^[ \t]*\d+\)[ \t]+User Name:[ \t]+(?P<user8>[^\s]+))",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?m:^[ \t]+contact_name[ \t])"
        r"|</key>\s*<string>"
        r"|Require[ \t]+user[ \t]|(?m:^[\w.-]+:(?:\$|\{S?SHA\}))|\)[ \t]+User Name:"
        r"|postgres: |(?:UID|GID): \d+ \("
        r"|(?m:^[ \t]*(?:remote_|bind_|auth_)?user(?:name)?[ \t]+\S)",
    ),
    Rule(
        # ServiceNow names people by display value: "caller_id":{"display_value":"Gustavo
        # Lima", ...} in the Table API, <caller_id display_value="Heike Schulze"> in XML.
        "identity.display-name",
        r"\b(?:caller_id|assigned_to|opened_by|resolved_by|closed_by|requested_for|requested_by"
        r"|sys_created_by|sys_updated_by|u_[a-z_]*user)"
        r"(?:\\?\"[ \t]*:[ \t]*\{[ \t]*\\?\"display_value\\?\"[ \t]*:[ \t]*\\?\""
        r"|[ \t]+display_value=\")" + person_name(0),
        profile="standard",
        check=check_person_name,
        learn=True,
        trigger=r"(?:caller_id|assigned_to|opened_by|resolved_by|closed_by|requested_for"
        r"|requested_by|sys_created_by|sys_updated_by|_user)\\?\"?[ \t]*[:{ \t]*[^\r\n]{0,4}"
        r"display_value",
    ),
    Rule(
        # A name before its address: "contact: Deepa Iyer <deepa.iyer@corvid-labs.io>".
        "identity.display-name",
        person_name(1) + r"[ \t]+<[\w.%+-]+@",
        profile="standard",
        check=check_named_address,
        learn=True,
        trigger=r"[A-Z\x80-\xff][\w\x80-\xff'.-]*[ \t]+<[\w.%+-]+@",
    ),
    Rule(
        # Who speaks in a chat copied from Slack, Google Chat, Mattermost or Discord ("Marcus
        # Ode  10:42 AM", "Rahul Menon, 3:02 PM", "nightowl — Today at 11:42 PM"), exported
        # from Teams or WhatsApp ("[13/03/2024 09:02] Vogt, Lena", "[12.03.24, 21:15:40]
        # Miriam Haas: ..."), or in an incident timeline ("14:01  Priya Raman: ...").
        "identity.display-name",
        r"(?m:^" + _SPEAKER + r"(?:,[ \t]*|[ \t]{1,2}|[ \t]+\xe2\x80\x94[ \t]+"
        r"(?:Today|Yesterday)[ \t]+at[ \t]+)\d{1,2}:\d\d(?:[ \t]?[AP]M)?[ \t]*\r?$)"
        r"|(?m:^\[\d[\d./-]{4,9},?[ \t]+\d{1,2}:\d\d(?::\d\d)?(?:[ \t]?[AP]M)?\][ \t]+"
        + _SPEAKER.replace("user", "user2")
        + r"(?:[ \t]*\r?$|:[ \t]))"
        r"|(?m:^\d{1,2}:\d\d(?::\d\d)?[ \t]+" + _SPEAKER.replace("user", "user3") + r":[ \t])",
        profile="standard",
        check=check_person_name,
        learn=True,
        trigger=r"(?m:\d:\d\d(?:[ \t]?[AP]M)?[ \t]*\r?$)"
        r"|(?m:^\[\d[\d./-]{4,9},?[ \t]+\d{1,2}:\d\d)"
        r"|(?m:^\d{1,2}:\d\d(?::\d\d)?[ \t]+[A-Z\x80-\xff])",
    ),
    Rule(
        # Mentions: Jira's wiki markup "[~jmorales]", Zulip's "@_**Felix Wagner|42**", and
        # "@tomas.eriksen" in chat and notes (a dot, dash or underscore inside, so "@param",
        # "@Override" and npm's "@types/node" stay).
        "identity.username",
        r"\[~(?:accountid:)?(?P<user>[^\]\s|]+)\]"
        r"|@_?\*\*(?P<user2>[^*|\r\n]{3,60}?)(?:\|\d+)?\*\*"
        r"|(?:^|[\s(\[>])@(?P<user3>[a-z][a-z0-9]*[._-][a-z0-9]+)(?:[\s,;:!?)\]<]|\.(?:\s|$)|$)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\[~|@_?\*\*|@[a-z][a-z0-9]*[._-][a-z0-9]",
    ),
    Rule(
        # A mail quoted in a reply, in the writer's language: "Von: Müller, Thomas <...>",
        # "De : Claire Martin", "Van: Kees de Wit", "Do: Anna Nowicka".
        "identity.display-name",
        r"(?m:^(?:From|To|Cc|Von|An|De|À|A|Van|Aan|Da|Od|Do|Para|Kopie|Copie)[ \t]?:[ \t]*"
        + _SPEAKER
        + r"[ \t]*(?:[<(\[]|\r?$))",
        profile="standard",
        check=check_named_address,
        learn=True,
        trigger=r"(?m:^(?:From|To|Cc|Von|An|De|À|A|Van|Aan|Da|Od|Do|Para|Kopie|Copie)[ \t]?:"
        r"[ \t]*[A-Z\x80-\xff])",
    ),
    Rule(
        # A signature: the name alone on the line after the closing words.
        "identity.display-name",
        _CLOSING + r"[ \t]*[,!.]?[ \t]*\r?\n"
        r"(?:[ \t]*\r?\n)?[ \t]*" + person_name(1) + r"[ \t]*\r?(?m:$)",
        profile="standard",
        check=check_person_name,
        learn=True,
        # Down to the name's line, so that line is searched too.
        trigger=_CLOSING + r"[ \t]*[,!.]?[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*[A-Z\x80-\xff]",
    ),
    Rule(
        # A chat copied from Teams: "[09:14] Jonas Weber (Extern)" heads the messages below.
        "identity.display-name",
        # Proper-case words only: "[12:00:01] INFO Starting" is a log line.
        r"(?m:^\[\d{1,2}:\d\d(?::\d\d)?\][ \t]+(?P<user>[A-Z\x80-\xff][a-z\x80-\xff'-]+"
        r"(?:[ \t]+(?:[A-Z\x80-\xff][a-z\x80-\xff'-]+|de|van|von|der|da|di|du|la|le)){1,3})"
        r"(?:[ \t]+\([^)\r\n]{1,20}\))?[ \t]*\r?$)",
        profile="standard",
        check=check_person_name,
        learn=True,
        trigger=r"(?m:^\[\d{1,2}:\d\d(?::\d\d)?\][ \t]+[A-Z\x80-\xff])",
    ),
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
        # PAM's ruser=/logname=, Exim's set_id=, MongoDB's principalName. The value is on the
        # key's line ("user:\n    exec:" is a YAML mapping), maybe in brackets ({os_username=[x]}).
        # SQL Server's audit names server_principal_name=CORP\jdoe.
        r"(?:(?:\b|_)(?i:user(?:[_.-]?name)?|principal_name)|[a-zA-Z0-9]User(?i:[_.-]?name)?|[A-Z]USER(?:NAME)?|"
        r"(?:A|E|S|FS|O)UID|\b(?:ruser|logname|set_id)|(?i:(?:\b|_)(?:user[_.\s-]?id|login(?:[_.-]?name)?|"
        r"uid|acct|principal(?:[_.-]?name)?|samaccountname|userprincipalname|account[_.\s-]?name|"
        r"logon[_.\s-]?name|owner[_.-]?name|assignee|reporter|author|created[_.-]?by|updated[_.-]?by"
        # Grafana's uname=, and the label in German, Dutch, French, Spanish, Italian.
        r"|uname|benutzer(?:[_.-]?name)?|gebruiker(?:snaam)?|utilisateur|usuario|utente|db_?user"
        # And in Portuguese (Windows' "Nome da Conta"), Turkish, Czech and Swedish.
        r"|usu(?:á|a)rio|nome da conta|kullan(?:ı|i)c(?:ı|i) ad(?:ı|i)"
        r"|u(?:ž|z)ivatel(?:sk(?:é|e) jm(?:é|e)no)?|anv(?:ä|a)ndarnamn"
        # The EAP identity of 802.1X (NetworkManager's 802-1x.identity, wpa_supplicant).
        r"|802-1x\.identity|eap[_.-]identity|sec_name))"
        # Japanese, Chinese and Russian labels start with a non-ASCII letter: no \b before them.
        r"|ユーザー名|ユーザーID|用户名|账号|账户|пользователь|Пользователь|логин|Логин"
        r"|Built-By)"
        # ":", "=" and Ruby's "=>" ({"login"=>"jdoe"}).
        r"\\{0,3}[\"']?\s*(?:[?+:]=|[:=]>?|：)[ \t]*\\{0,3}[\"'<\[]?" + DOWN_LEVEL + USER_VALUE,
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"(?i:user|login|uid|acct|principal|samaccountname|account|logon|owner|assignee|reporter|author|created|updated"
        r"|uname|benutzer|gebruiker|utilisateur|usuario|utente|802-1x\.identity|eap[_.-]identity|sec_name"
        r"|ユーザー|用户名|账号|账户|usu(?:á|a)rio|nome da conta|kullan|пользователь|Пользователь"
        r"|логин|Логин|ivatel|ndarnamn)"
        r"|logname|set_id|Built-By",
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
        # Jenkins and approval steps name people by display name, sometimes with the login:
        # "Started by user Katarzyna Nowak (knowak)". Only when the line ends there, so
        # "Started by user jdoe for build 5" is left to the phrases below.
        "identity.login",
        r"\b(?:Started|Triggered|Replayed|Rebuilt|Restarted|Approved|Aborted|Rejected|Cancell?ed)"
        r" by user " + DISPLAY_NAME + r"(?: \((?P<user2>[^\s()]+)\))?[ \t.]*(?m:$)"
        # "Authentication for jdoe succeeded", "Mobile login for jdoe" (at the end of a line).
        r"|(?i:\b(?:authentication|login|logon|sign-?in) for)[ \t]+[\"'`\[]?"
        r"(?P<user3>[^\s\"',;&<>()\[\]{}=|`\\/]+)[\"'`\]]?"
        r"(?:[ \t]+(?i:succeeded|successful|failed|rejected|denied)|[ \t]*[.,;]?[ \t]*(?m:$))",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?:Started|Triggered|Replayed|Rebuilt|Restarted|Approved|Aborted|Rejected"
        r"|Cancell?ed) by user |(?i:authentication|login|logon|sign-?in) for[ \t]",
    ),
    Rule(
        "identity.login",
        r"(?:(?i:accepted (?:password|publickey|keyboard-interactive/pam|gssapi-with-mic) for"
        r"|failed (?:password|publickey|none) for(?: invalid user)?|invalid user|illegal user"
        r"|session (?:opened|closed) for user|logged in as|login as|log(?:ged)? ?in user"
        r"|authenticated user|authentication (?:succeeded|failed|failure) for(?: user)?"
        r"|login (?:succeeded|failed|attempt) for(?: user)?|user logged in:|by user"
        r"|for user|(?:session \d+|log(?:in|on)|password) of user"
        r"|password (?:changed|reset|expired|updated) for(?: user)?"
        r"|(?:authentication|login|logon) attempt (?:for|by)(?: user)?"
        r"|authentication of|authenticate user|(?:approved|aborted|rejected) by"
        r"|authenticating user|disconnected from user)"
        # On the phrase's line, maybe in JSON-escaped quotes (for user \"jdoe\").
        r":?[ \t]+\\?[\"'`\[]?"
        r"|\b[Uu]ser(?:name)? \\?[\"'`]|\bsudo(?:\[\d+\])?:\s+"
        # su: "su[9930]: (to postgres) jdoe on pts/3", "FAILED SU (to postgres) jdoe on pts/3".
        r"|\b(?:su(?:\[\d+\])?:[ \t]+|(?:FAILED|SUCCESSFUL) SU[ \t]+)"
        r"(?:(?:FAILED|SUCCESSFUL) SU[ \t]+)?\(to \S+\)\s+)" + DOWN_LEVEL + USER_VALUE,
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"(?i:accepted|failed|invalid|illegal|session|logged|log ?in|authentic|user|sudo)"
        r"|(?i:approved|aborted|rejected) by"
        r"|(?i:su\[|su:|logon)|SU \(to ",
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
        # Commands run as someone: sudo -u jdoe, crontab -u jdoe, ssh -l jdoe, su - jdoe, and
        # database clients: mysql -u jdoe, psql -U jdoe, mongosh -u jdoe.
        "identity.login",
        r"\b(?:sudo|runuser|crontab|pkexec|" + DB_CLIENTS + r")\b[^\r\n|;&]*?\s-[uU][ \t]*"
        r"[\"']?(?P<user>[A-Za-z_][\w.@-]*)"
        r"|\bssh\b[^\r\n|;&]*?\s-l[ \t]*(?P<user2>[A-Za-z_][\w.-]*)"
        r"|(?m:^[ \t]*(?:\d+[ \t]+)?(?:[$#][ \t]*)?(?:sudo[ \t]+)?su[ \t]+"
        r"(?:-l?[ \t]+|--login[ \t]+)?(?P<user3>[A-Za-z_][\w.-]*)[ \t]*$)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?:sudo|runuser|crontab|pkexec|ssh|" + DB_CLIENTS + r")\b[^\r\n]*\s-[ulU]"
        r"|(?m:^[ \t]*(?:\d+[ \t]+)?(?:[$#][ \t]*)?(?:sudo[ \t]+)?su[ \t])",
    ),
    Rule(
        # Long options with the name after a space (--username jdoe; --user=jdoe is a key),
        # Kafka's SCRAM users (--entity-type users ... --entity-name jdoe, either order) and
        # .netrc's "machine host login jdoe" (one line or several).
        "identity.login",
        # PowerShell and find(1) take one dash: -SamAccountName jdoe, find / -user jdoe.
        r"(?:^|[ \t])(?:--(?:user(?:name)?|login(?:-name)?|db-user|admin-user)"
        r"|-(?i:samaccountname|user(?:name)?|logonname))[ \t]+[\"']?"
        r"(?P<user>[^\s\"':-][^\s\"':]*)"
        r"|--entity-type[ =]users\b[^\r\n|;&]*?--entity-name[ =][\"']?(?P<user2>[^\s\"']+)"
        r"|--entity-name[ =][\"']?(?P<user3>[^\s\"']+)[^\r\n|;&]*?--entity-type[ =]users\b"
        r"|\bmachine[ \t]+\S+\s+login[ \t]+(?P<user4>[^\s]+)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"[ \t]--(?:user|login|db-user|admin-user)[ \t]|--entity-type[ =]users"
        r"|[ \t]-(?i:samaccountname|user|logonname)[ \t]"
        r"|\bmachine[ \t]+\S+\s+login[ \t]",
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
        # ActiveMQ: "User name [jdoe] or password is invalid".
        r"(?i:\buser(?: ?name)?)[ \t]+(?:[\"'`\[](?P<user>[^\s\"'`\[\]]+)[\"'`\]]:?[ \t]+"
        r"(?i:not found|does(?: not|n't) exist|unknown|not known"
        r"|is (?:locked|disabled|inactive|not)|locked out|authentication fail|or password)"
        r"|(?P<user2>[^\s\"'`:\[\]]+)(?: not found:|: authentication failure))",
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
        # The user column of Atlassian application logs, found by the request id after it:
        # Jira "2026-11-29 10:15:32,123+0100 http-nio-8080-exec-3 INFO jdoe 615x123x1 1abc
        # 10.1.2.3 /secure/..." (session and address follow), Bitbucket "[http-nio-7990-exec-4]
        # jdoe @1ABCDx615x12x0 10.1.2.3 ...", Bamboo "[AccessLogFilter] jdoe GET https://...",
        # and a quoted user between the address and the request ("10.1.2.3 "jdoe" "GET /...").
        "identity.login",
        r"(?:^|[ \t])(?P<user>[^\s\"'\[\]@|]+)[ \t]+\d+x\d+x\d+[ \t]+\S+[ \t]+"
        r"(?:-|[0-9A-Fa-f]{0,4}[.:][0-9A-Fa-f.:,]+)[ \t]"
        r"|(?:^|[ \t])(?P<user2>[^\s\"'\[\]@|]+)[ \t]+@[0-9A-Z]+x\d+x\d+x\d+[ \t]"
        r"|\[AccessLogFilter\][ \t]+(?P<user3>[^\s\"'\[\]]+)[ \t]+" + METHODS + r"[ \t]"
        r"|[0-9A-Fa-f][ \t]+\"(?P<user4>[^\"\s]+)\"[ \t]+\"" + METHODS + r" ",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\dx\d+x\d+[ \t]|\[AccessLogFilter\]|\"[ \t]+\"" + METHODS + r" ",
    ),
    Rule(
        # cron's "CROND[8801]: (jdoe) CMD (...)", Exim's authenticated sender "A=plain:jdoe",
        # OpenVPN's client instance "jdoe/203.0.113.5:1194 MULTI_sva: ..." and the comment of
        # an SSH public key "ssh-ed25519 AAAA... jdoe@laptop01".
        "identity.login",
        r"\b(?i:crond?|crontab)\[\d+\]:[ \t]+\((?P<user>[^()\s]+)\)[ \t]+[A-Z]"
        r"|[ \t]A=[\w-]+:(?P<user2>[^\s]+)"
        r"|(?:^|[ \t])(?P<user3>[^\s/\[\]]+)/(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}[ \t]+"
        + OPENVPN
        + r"|\b(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+)[ \t]+AAAA[A-Za-z0-9+/]+=*[ \t]+"
        r"(?P<user4>[^\s@\"']+)@(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:crond?|crontab)\[\d+\]:[ \t]+\(|[ \t]A=[\w-]+:"
        r"|:\d{1,5}[ \t]+"
        + OPENVPN
        + r"|(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp\d+)[ \t]+AAAA",
    ),
    Rule(
        # Positional user fields of other access logs: IIS W3C (date time s-ip method stem
        # query port cs-username c-ip), Squid (... URL user HIER_DIRECT/peer), OpenVPN
        # (ip:port [cn]). The triggers are as narrow as the formats: "GET /x HTTP/1.1" 200"
        # or "10:15:32 [main]" on every line made most lines of a log candidates.
        "identity.login",
        r"(?m:^"
        + IIS_LINE
        + r" \S+ \S+ \d{1,5} (?:(?P<host>[A-Za-z][\w.-]*)\\{1,2})?(?P<user>[^\s\\-][^\s\\]*)"
        r" (?:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.%]+) )"
        r"|[ \t](?P<user2>[^\s-][^\s]*)[ \t]+(?:HIER_[A-Z_]+|FIRST_UP_PARENT|ORIGINAL_DST)/"
        r"|\d\.\d{1,3}:\d{1,5} \[(?P<user3>[^\]\s/:]+)\] ",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?m:^" + IIS_LINE + r" )|(?:HIER_[A-Z_]+|FIRST_UP_PARENT|ORIGINAL_DST)/"
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
        + NAME_VALUE
        # A numeric "id" is not the name: go on to "name" (Jira's audit log puts id first).
        + r"|(?i:id)\\?\"\s*:\s*\\?\"(?P<user2>[^\d\s\"',;&<>()\[\]{}=|`\\/]"
        r"[^\s\"',;&<>()\[\]{}=|`\\/]*))",
        profile="standard",
        check=check_user_object,
        learn=True,
        trigger=r"(?i:user|actor|principal|owner|author|assignee|reporter|creator|sender)\\?\"\s*:"
        r"\s*\{",
    ),
    Rule(
        # Atlassian user objects and links: audit records' {"name": "jdoe", "type": "USER"}
        # (either order), toString forms (ConfluenceUserImpl{name='jdoe', key=...}), profile
        # pages (ViewProfile.jspa?name=jdoe) and personal spaces and projects (/display/~jdoe,
        # /projects/~JDOE), and Ansible's user items ({'name': 'jdoe', 'uid': 2011, ...}).
        # Named identity.login for its automaton: the user-key automaton matches three times
        # as often on dense logs, and each rule in it costs every match (about 10 % each).
        "identity.login",
        r"\\?\"name\\?\"[ \t]*:[ \t]*\\?\"" + NAME_VALUE + r"\\?\"[ \t]*,[ \t]*"
        r"\\?\"type(?:Name)?\\?\"[ \t]*:[ \t]*\\?\"(?i:user)\\?\""
        r"|\\?\"type(?:Name)?\\?\"[ \t]*:[ \t]*\\?\"(?i:user)\\?\"[ \t]*,[ \t]*"
        r"\\?\"name\\?\"[ \t]*:[ \t]*\\?\"(?P<user2>[^\s\"\\][^\"\\\r\n]*)\\?\""
        r"|[A-Za-z]*User[A-Za-z]*\{(?:[^{}\r\n]*?,[ \t]*)?(?:name|userName|username|lowerName)="
        r"'?(?P<user3>[^\s'\",{}]+)'?[,}]"
        r"|(?i:user|profile)[\w!]*\.jspa\?(?:[^\s\"'&#]*&)*?name=(?P<user4>[^\s&#\"'<>]+)"
        r"|(?:/|[?&](?:spaceKey|key)=)~(?P<user5>[A-Za-z0-9_][\w.@+-]*)"
        r"|[\"']name[\"'][ \t]*:[ \t]*[\"'](?P<user6>[^\"'\s]+)[\"'],[ \t]*"
        r"(?:[\"']uid[\"'][ \t]*:[ \t]*\d+[ \t]*[,}]|[\"'](?:shell|home|create_home)[\"'][ \t]*:)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"\"type(?:Name)?\\?\"[ \t]*:[ \t]*\\?\"(?i:user)\\?\"|User[A-Za-z]*\{"
        r"|(?i:user|profile)[\w!]*\.jspa\?|(?:/|Key=)~[A-Za-z0-9_]"
        r"|[\"'](?:uid[\"'][ \t]*:[ \t]*\d|(?:shell|home|create_home)[\"'][ \t]*:)",
    ),
    Rule(
        # Positional and qualified user names of more products: a Windows down-level logon
        # name after a user key ("Username: ACME\jdoe", Samba's "user [ACME]\[jdoe]"),
        # Dovecot's auth backends ("pam(jdoe,10.0.0.5,<sess>)"), the user field of Nexus
        # ("[qtp1-2] jdoe org.sonatype...") and Artifactory request logs ("|ip|jdoe|GET|"),
        # Terraform addresses of user resources (aws_iam_user.this["jdoe"]) and the value
        # after "username" in redis-cli replies.
        "identity.login",
        # Also JSON ("Account":"ACME\\jdoe") and Windows services' StartName.
        r"(?i:\b(?:user(?:[ _]?name)?|became|account(?:[ _]?name)?)|(?:\b|_)start[ _]?name)[\"']?"
        r"(?:[ \t]*[:=][ \t]*[\"']?|[ \t]+)"
        r"\[?(?P<host>[A-Za-z][\w.-]{1,14})\]?\\{1,2}\[?(?P<user>[^\s\\\[\]\"'<>,;|]+)"
        r"|\b(?:pam|passwd-file|passwd|shadow|ldap|sql|checkpassword|bsdauth)\("
        r"(?P<user2>[^\s,()]+),(?:\d{1,3}\.){3}\d{1,3}[,)]|\b(?:pam|passwd-file|passwd|shadow|ldap|sql"
        r"|checkpassword|bsdauth)\((?P<user7>[^\s,()]+),[0-9a-fA-F]*:[0-9a-fA-F:.]+[,)]"
        r"|\][ \t]+(?P<user3>[^\s*\[\]]+)[ \t]+(?:org|com)\.sonatype\."
        r"|\|(?P<user4>[^\s|]+)\|(?:GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS)\|"
        r"|_user\.[\w-]+\[\\?\"(?P<user5>[^\"\\\s]+)\\?\"\]"
        r"|\"(?i:user(?:name)?)\"[ \t]*\r?\n[ \t]*\d+\)[ \t]+\"(?P<user6>[^\"\s]+)\"",
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"(?i:user|became|account|start[ _]?name)"
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
        # Shell prompts: Debian's "jdoe@app01:~$", Red Hat's "[jdoe@app01 ~]$", macOS zsh's
        # "jdoe@MBP-0217 ~ %". root's prompt names the host too.
        r"\b(?P<user>[a-z_][a-z0-9_.-]*)@(?P<host>[A-Za-z0-9][A-Za-z0-9.-]*)"
        # MikroTik's "[admin@MT-Biuro] > ".
        r"(?::[~/]|[ \t][^\]\s]*\][$#]|[ \t][~/][^\s]*[ \t]%[ \t]|\][ \t]?>[ \t])",
        profile="standard",
        check=check_prompt,
        learn=True,
        trigger=r"@",
    ),
    Rule(
        # Rarer positional forms: Shibboleth's audit record (...|_assertionid|jdoe|urn:...),
        # "[remote 10.1.2.3, user jdoe]", "started by admin=jdoe", a down-level name as an
        # XML element's whole text (ADFS <AttributeValue>ACME\jdoe</AttributeValue>) and
        # whoami's table row (acme\jdoe  S-1-5-21-...).
        "identity.login",
        r"\|_[0-9A-Fa-f]{8,}\|(?P<user>[^|\s]+)\|urn:oasis:names:tc:SAML:"
        r"|\d\.\d{1,3}\]?[,;][ \t]+(?i:user)[ \t]+(?P<user2>[^\s\"',;&<>()\[\]{}=|`\\/]+)[\])},;]"
        r"|\bby[ \t]+(?i:admin|operator|agent|staff)[:=][\"']?"
        r"(?P<user3>[^\s\"',;&<>()\[\]{}=|`\\/]+)"
        r"|>(?P<host>[A-Z][A-Z0-9-]*)\\{1,2}(?P<user4>[A-Za-z][\w.-]*)</"
        r"|(?m:^(?P<host2>[A-Za-z][\w-]*)\\(?P<user5>[^\s\\]+)[ \t]+S-1-5-21-)",
        profile="standard",
        check=check_account,
        learn=True,
        trigger=r"\|urn:oasis:names:tc:SAML:|\d\]?[,;][ \t]+(?i:user)[ \t]"
        r"|\bby[ \t]+(?i:admin|operator|agent|staff)[:=]|>[A-Z][A-Z0-9-]*\\|[ \t]S-1-5-21-",
    ),
    Rule(
        # Labelled names in support bundles, whole: "Full Name" and "User name" of `net
        # user`, systeminfo's "Registered Owner:", GIT_AUTHOR_NAME=, git's user.name, LDIF's
        # cn:/displayName:/gecos:, and ssh_config's "User jdoe" alone on its line.
        "identity.login",
        r"(?m:^[ \t]*(?:Full Name|Registered Owner:)[ \t]+(?P<user>" + LINE_NAME + r"))"
        r"|\bGIT_(?:AUTHOR|COMMITTER)_NAME=[\"']?(?P<user2>" + LINE_NAME + r")"
        r"|(?m:^(?:cn|displayName|gecos):[ \t]+(?P<user3>" + LINE_NAME + r"))"
        # git config user.name "Jane Doe" needs its quote: "the user.name property" is prose.
        r"|\buser\.name(?:[ \t]*=[ \t]*[\"']?|[ \t]+[\"'])(?P<user4>" + LINE_NAME + r")"
        r"|(?m:^(?:User name[ \t]{2,}|[ \t]*User[ \t]+)(?P<user5>[^\s\"'#]+)[ \t]*\r?$)",
        profile="standard",
        check=check_dn_user,
        learn=True,
        trigger=r"(?m:^[ \t]*(?:Full Name|Registered Owner:)[ \t])|GIT_(?:AUTHOR|COMMITTER)_NAME="
        r"|(?m:^(?:cn|displayName|gecos):[ \t])|user\.name[ \t=]"
        r"|(?m:^(?:User name[ \t]{2,}|[ \t]*User[ \t]+)[^\s\"'#]+[ \t]*\r?$)",
    ),
    Rule(
        # A sender's or author's name before the address: "Jane Doe <jane@acme.de>".
        "identity.login",
        r"(?:^|[\s(\"':,])(?P<user>[A-Z\x80-\xff][\w\x80-\xff'.-]*"
        r"(?: [A-Z\x80-\xff][\w\x80-\xff'.-]*){1,3}) <[A-Za-z0-9._%+-]+@"
        # Quoted, maybe with the family name first: "Brandt, Melanie" <m.brandt@acme.de>.
        r"|\"(?P<user2>[A-Z\x80-\xff][\w\x80-\xff'.-]*,? [A-Z\x80-\xff][\w\x80-\xff' .-]{0,40})\""
        r"[ \t]*(?:<|\[SMTP:)[A-Za-z0-9._%+-]+@"
        # "Priya Raman (priya.raman@acme.com)", as Okta and mail clients write it.
        r"|(?:^|[\s\"',])(?P<user3>[A-Z\x80-\xff][\w\x80-\xff'.-]*"
        r"(?: [A-Z\x80-\xff][\w\x80-\xff'.-]*){1,3}) \([A-Za-z0-9._%+-]+@",
        profile="standard",
        check=check_sender_name,
        learn=True,
        trigger=r" <[A-Za-z0-9._%+-]+@|\"[ \t]*\[SMTP:|[A-Za-z] \([A-Za-z0-9._%+-]+@",
    ),
    Rule(
        # "name = Jane Doe" in a git config's [user] section (the check reads the header).
        "identity.login",
        r"(?m:^[ \t]*name[ \t]*=[ \t]*(?P<user>" + LINE_NAME + r"))",
        profile="standard",
        check=check_git_name,
        learn=True,
        trigger=r"(?m:^[ \t]*name[ \t]*=)",
    ),
    Rule(
        # A person's line of /etc/passwd (uid 1000 and up): the name and the GECOS name.
        "identity.login",
        r"(?m:^(?P<user>[a-z_][\w.-]*):[^:\r\n]*:(?P<uid>\d+):\d+:(?P<user2>[^:,\r\n]*)"
        r"[^:\r\n]*:/[^:\r\n]*:[^:\r\n]*$)",
        profile="standard",
        check=check_passwd,
        learn=True,
        trigger=r"(?m:^[a-z_][\w.-]*:[^:\r\n]*:\d{4,}:\d+:)",
    ),
    Rule(
        # Lists of user names: /etc/group's members, sssd's simple_allow_users and sshd's
        # AllowUsers/DenyUsers (up to six names each: every capture group costs every match
        # of this automaton on dense logs).
        "identity.login",
        r"(?m:^[a-z_][\w.-]*:[^:\r\n]*:\d+:" + name_list(",", 1, 6) + r")"
        r"|(?m:^[ \t]*simple_(?:allow|deny)_users[ \t]*=[ \t]*"
        + name_list("[ \t]*,[ \t]*", 7, 6)
        + r")|(?m:^[ \t]*(?:AllowUsers|DenyUsers)[ \t]+"
        + name_list("[ \t]+", 13, 6)
        # Samba's "valid users = @scanusers, k.vogt" (groups first are skipped).
        + r")|(?m:^[ \t]*(?:valid|invalid|admin) users[ \t]*=[ \t]*(?:@[\w.-]+[ \t]*,?[ \t]*)*"
        + name_list("[ \t]*,[ \t]*", 19, 4)
        + r")",
        profile="standard",
        learn=True,
        trigger=r"(?m:^[a-z_][\w.-]*:[^:\r\n]*:\d+:[A-Za-z_])|simple_(?:allow|deny)_users"
        r"|(?m:^[ \t]*(?:AllowUsers|DenyUsers)[ \t])|(?:valid|invalid|admin) users[ \t]*=",
    ),
    Rule(
        # `net user` without a name lists the accounts under a line of dashes; the trigger
        # on the last line keeps the rows in the candidate segment. Built-in accounts
        # (Administrator, Guest, DefaultAccount) are kept by the pseudonym.
        "identity.login",
        r"User accounts for \\\\\S+[ \t]*\r?\n(?:[ \t]*\r?\n)?-{20,}[ \t]*\r?\n" + NET_USER_ROWS,
        profile="standard",
        learn=True,
        trigger=r"User accounts for \\\\|The command completed successfully",
    ),
    Rule(
        # An IAM user or MFA device, or an assumed role's session, in an ARN:
        # arn:aws:iam::123456789012:mfa/jdoe, arn:aws:sts::...:assumed-role/Admin/jdoe.
        "identity.login",
        r"\barn:aws[\w-]*:(?:iam|sts)::\d{12}:(?:user|mfa|assumed-role/[\w+=,.@-]+)/"
        r"(?:[\w+=,.@-]+/)*(?P<user>[\w+=,.@-]+)",
        profile="standard",
        check=check_aws_user,
        learn=True,
        trigger=r":(?:iam|sts)::\d",
    ),
    Rule(
        "identity.home-directory",
        r"(?:/home/|/Users/|/export/home/|/var/mail/|/var/spool/mail/|/crontabs/|"
        r"(?i:[a-z]:\\{1,2}(?:users|documents and settings)\\{1,2})"
        # Home shares of `net user` and roaming profiles: \\fs01\home$\jdoe.
        r"|(?i:[\w.-]\\{1,2}(?:home|homes|profiles?|users)\$?\\{1,2}))"
        r"(?P<user>[^/\\\s\"':;,<>|*?]+)",
        profile="standard",
        check=check_user,
        learn=True,
        trigger=r"(?i:/home/|/users/|/export/home/|/var/mail/|/var/spool/mail/|/crontabs/)"
        r"|(?i:\\users\\|documents and settings|\\(?:home|homes|profiles?|users)\$?\\)",
    ),
    Rule(
        "identity.ldap-dn",
        # An escaped comma belongs to the name: CN=Eriksson\, Lars,OU=...
        r"(?i:\b(?:cn|uid)=)(?P<user>(?:[^,+\"=\\\r\n<>;]|\\{1,2},)+?)\s*,\s*(?i:ou|dc|o|cn|uid|l|c)=",
        profile="standard",
        check=check_dn_user,
        learn=True,
        trigger=r"(?i:cn=|uid=)",
    ),
    Rule(
        "identity.ldap-dn",
        r"\b(?P<dc>(?i:dc)=[A-Za-z0-9-]+(?:\s*,\s*(?i:dc)=[A-Za-z0-9-]+)+)",
        profile="standard",
        trigger=r"(?i:dc=)",
    ),
    *ACCOUNT_RULES,
    *LOGON_RULES,
]
