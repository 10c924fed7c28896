"""Network identifiers: IPv4, IPv6, MAC addresses, host names and domains, URL paths.

Addresses are pseudonymised prefix-preservingly, so support can still see which hosts share
a subnet. Host names are pseudonymised when they belong to the customer: learned during
discovery, under a host-like key, in a URL, or under an internal top-level domain. The
paranoid profile takes every host name and also masks URL paths and queries.
"""

from __future__ import annotations

import ipaddress
import re

from sitrep.redact.pseudonym import PUBLIC_DOMAINS, registrable_index
from sitrep.redact.rules import CheckContext, Groups, Rule
from sitrep.redact.rules.text import after, before, is_placeholder

#: Top-level domains a candidate host name may end in (the candidate pattern needs a list to
#: tell ``jira.acme.com`` from ``org.apache.Foo``); internal ones are always the customer's.
INTERNAL_TLDS = "local localdomain lan corp internal intranet intra home private test invalid"
TLDS = (
    "com net org io dev app info biz edu gov mil int co me tv cloud tech online site xyz ai "
    "eu asia de uk fr nl ch at be it es se no dk fi pl cz ru cn jp kr in au nz ca us br mx ar "
    "za ie pt gr hu ro sk si hr bg lt lv ee is lu li tr il ae sg hk tw my th id ph vn ua rs "
    "ng ke gh eg pk bd lk qa np pe uy ec kz cy mt ug gmbh ltd " + INTERNAL_TLDS
)
#: Newer generic TLDs that are also words of package names, logger names and property keys
#: (org.keycloak.services, kafka.coordinator.group, ldap.user.email): a name under one is a
#: host only when one of its labels has a hyphen or a digit (jira.lindner-gruppe.group).
WEAK_TLDS = (
    "group systems solutions services company digital global network agency consulting software ag"
)
_WEAK = frozenset(WEAK_TLDS.encode().split())
_INTERNAL = frozenset(INTERNAL_TLDS.encode().split())
#: TLDs that are also common file extensions: a two-label name ending in one is a file.
_FILE_LIKE = frozenset(
    b"pl sh py md rs cs so js rb in it at io me co id tv ai ps cc gz pk cl ec mt".split()
)
# "version" may carry a prefix (.NET's newVersion="13.0.0.0") and its value may be quoted
# (PHP's 'version' => '28.0.4.1', JSON's "version":"28.0.4.1").
_VERSION_CONTEXT = re.compile(
    rb"(?i)(?:(?:^|[^a-z])(?:ver|v|release|build|rev|jdk|java|tomcat|firmware|bios|number)"
    rb"|version|software)(?:[\s:=_\"'>(-]*|[\s:=_\"'>(-]+(?-i:[A-Z][A-Za-z+-]*)[ \t]+)$"
)
#: A package release after a version: "-SNAPSHOT", "-1vmw", "-2ubuntu".
_RELEASE = re.compile(rb"-\d*[A-Za-z]")
#: The upper end of a version range: bindingRedirect oldVersion="0.0.0.0-13.0.0.0".
_VERSION_RANGE = re.compile(rb"(?i)version[\s:=_\"'>-]*\d+(?:\.\d+){3}-$")
#: tcpdump writes the port as a fifth part: "IP 10.1.1.20.54322 > 100.24.190.33.443:".
_TCPDUMP_PORT = re.compile(rb"\.\d{1,5}(?: > |: )")


#: "Chrome/" before a dotted number (a capitalised word, so "db01/10.0.0.5" is still an address).
_PRODUCT = re.compile(rb"(?:^|[^A-Za-z0-9.-])[A-Z][a-z]+[A-Za-z]*/$")
#: Sendmail names its version where others put an address: "starting daemon (8.17.1.9):" and
#: "(8.17.1.9/8.17.1.9)" in Received headers.
_DAEMON_VERSION = re.compile(rb"(?i)(?:starting|started|restarting) daemon \($")
_VERSION_PAIR = re.compile(rb"^/\d+\.\d+")
_VERSION_PAIR_END = re.compile(rb"\(\d+(?:\.\d+)+/$")
#: The label before a dot is an SRV or DKIM label: _ldap._tcp.dc._msdcs.acme.corp.
_SERVICE_LABEL = re.compile(rb"_[A-Za-z0-9-]+\.$")


def check_ipv4(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Refuse dotted numbers that are part of versions, OIDs or longer dotted sequences."""
    start, end = groups["ip4"]
    left, right = before(buf, start, 16), after(buf, end, 2)
    if left.endswith(b"...") and not left[-4:-3].isdigit():
        left = b" "  # strongSwan's "a[gw01]...109.43.50.211[remote]": an ellipsis.
    if right[:1] == b"." and (left.endswith((b"IP ", b" > "))) and _tcpdump(buf, end):
        return True  # tcpdump's address.port
    if left.endswith(b".") or (right[:1] == b"." and right[1:2].isalnum()):
        return False  # An OID or a five-part version.
    if left[-1:] == b"-" and _VERSION_RANGE.search(before(buf, start, 40)):
        return False
    if left.endswith((b"nio-", b"nio2-", b"bio-", b"apr-")):
        return True  # Tomcat's connector threads: "ajp-nio-10.40.2.8-8009-exec-4"
    if left[-1:].isalpha() or left[-1:] == b"_" or (left.endswith(b"-") and left[-2:-1].isalpha()):
        return False  # tomcat-9.0.83.1, v1.2.3.4
    if right[:1] == b"-" and _RELEASE.match(buf, end):
        return False  # 1.2.3.4-SNAPSHOT, a VIB's 1.2.4.11-1vmw.802
    if right[:1] == b"@" and buf.startswith(b"@sha256:", end):
        return False  # an image tag: kong-gateway:3.6.1.1@sha256:...
    if left[-1:] == b"/" and _PRODUCT.search(left):
        return False  # A user agent's product version: Chrome/120.0.0.0
    if (right[:1] == b"/" and _VERSION_PAIR.match(after(buf, end, 4))) or (
        left[-1:] == b"/" and _VERSION_PAIR_END.search(left)
    ):
        return False  # Sendmail's "(8.17.1.9/8.17.1.9)"; a CIDR suffix has no dot.
    if left[-1:] == b"(" and _DAEMON_VERSION.search(before(buf, start, 24)):
        return False
    if left[-1:] == b" " and left[-2:-1] == b"+":
        return False  # "Snort++ 3.1.78.0"
    if left[-1:] == b" " and left[-2:-1].isalpha() and _after_package(buf, start, end):
        return False  # Npgsql 8.0.2.0, "Using rails 7.1.3.2".
    return _VERSION_CONTEXT.search(before(buf, start, 48)) is None  # "Version      : 6.5.5.1"


def _tcpdump(buf: bytes, end: int) -> bool:
    return _TCPDUMP_PORT.match(buf, end, end + 9) is not None


#: Words after which a dotted number is an address, whatever it looks like.
_NETWORK_WORDS = frozenset(
    b"""nameserver nameservers dns resolver resolvers server servers host hosts ip ipv4 addr
    address from to via gateway gw peer client remote upstream forwarder forwarders route
    src dst source destination target ping pinging connect connecting connected at by and
    or proxy bind listen listening endpoint node master router interface inet on for with
    into against""".split()
)
#: Package managers name a package before its version: "Using rails 7.1.3.2" (Bundler),
#: "Installing x 1.16.2.1", "Collecting x", "Unpacking x".
_PACKAGE_VERBS = frozenset(
    b"""Using Installing Fetching Downloading Upgrading Updating Removing
    Uninstalling Collecting Building Compiling Unpacking Bundling Resolving
    Starting""".split()
)


def _after_package(buf: bytes, start: int, end: int) -> bool:
    """True for a four-part version after a product or package name (Npgsql 8.0.2.0).

    Single-digit parts (8.0.2.0, 7.1.3.2) after a word that is not about networks, or any
    version after "Using rails" and other package-manager verbs.
    """
    single = end - start == 7  # Every part one digit: such addresses are public resolvers.
    if not single and buf.find(b"ing ", max(0, start - 48), start) < 0:
        return False  # Most addresses after a word ("from 10.1.2.3"): no verb, no split.
    words = [w.lstrip(b"\"'([{") for w in before(buf, start, 48).split()]
    if not words or not words[-1][:1].isalpha():
        return False
    if words[-1].lower() in _NETWORK_WORDS and not (single and words[-1][:1].isupper()):
        return False  # "gateway 10.0.0.1", but "Kong Gateway 3.6.1.1" names a product
    return single or (len(words) >= 2 and words[-2] in _PACKAGE_VERBS)


def check_ipv6(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Accept only real IPv6 addresses (not ``Foo::bar`` or times) with sane boundaries."""
    start, end = groups["ip6"]
    value = buf[start:end]
    left, right = before(buf, start, 1), after(buf, end, 2)
    if left == b"." and buf[start - 3 : start] == b"...":
        left = b" "  # strongSwan's "between a[gw01]...b[remote]": an ellipsis.
    if left.isalnum() or left in (b":", b".") or right[:1].isalnum() or right[:1] == b".":
        return False
    if right[:1] == b":" and not (right[1:2].isspace() or len(right) == 1):
        return False  # Part of something longer; "2001:db8::12: PREAUTH_FAILED" is a field.
    if value in (b"::", b"::1") or value.count(b":") < 2:
        return False
    if value[:4] == b"::1:" and value[4:].isdigit():
        return False  # netstat's "::1:8005": loopback and a port.
    try:
        address = ipaddress.IPv6Address(value.decode("ascii"))
    except ValueError:
        return False
    # Loopback and unspecified stay byte-identical in any spelling (0:0:0:0:0:0:0:1), and
    # ff02::1 (all nodes) is IPv6's broadcast.
    return not (address.is_multicast or address.is_loopback or address.is_unspecified)


#: Words before an all-digit dotted MAC (Cisco's "Hardware Addr", "client (0050.5612.3456)").
_MAC_WORD = re.compile(rb"(?i)(?:mac|hardware|address|client|station|host)")


def check_mac(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """Refuse all-zero and broadcast MACs, and runs longer than six groups.

    Cisco's dotted form (0050.56a3.1f2b) must not be part of a longer dotted run, and
    needs a hex letter or a MAC word before it when it is all digits (1234.5678.9012).
    """
    if "mac" not in groups:
        return True  # A bare MAC in a Windows DHCP audit line: the format says so.
    start, end = groups["mac"]
    value = buf[start:end].lower()
    left, right = before(buf, start, 1), after(buf, end, 2)
    if value[4:5] == b".":
        if left == b"." or (right[:1] == b"." and right[1:2].isalnum()):
            return False
        digits = value.replace(b".", b"")
        return not digits.isdigit() or _MAC_WORD.search(before(buf, start, 48)) is not None
    if value.replace(value[2:3], b"") in (b"000000000000", b"ffffffffffff"):
        return False
    # A longer run of the same separator is something else; NPS writes the SSID after a
    # colon ("3C-52-82-19-AA-04:CorpWiFi").
    return left not in (b":", b"-") and not (right[:1] == value[2:3] and right[1:2].isalnum())


def is_customer_host(host: bytes, ctx: CheckContext) -> bool:
    """True for internal TLDs and for hosts under a domain learned during discovery."""
    labels = host.lower().split(b".")
    if labels[-1] in _INTERNAL:
        return True
    domain = b".".join(labels[registrable_index(labels) :])
    return domain in ctx.customer_domains


#: A file named after a host: /etc/gitlab/ssl/git.acme.de.crt, conf.d/jira.acme.de.conf.
_HOST_FILE = re.compile(rb"\.(?:crt|cer|pem|key|csr|p12|pfx|jks|conf)\b")
#: Public service hosts under domains that also hold customers' names (acme.vault.azure.net
#: is a customer's key vault, vault.azure.net is Azure's), and well-known in-cluster names.
PUBLIC_HOSTS = frozenset(
    b"""vault.azure.net management.azure.com login.microsoftonline.com graph.microsoft.com
    kubernetes.default.svc kubernetes.default""".split()
)


#: Kerberos service classes: the host of "MSSQLSvc/sql02.acme.de:1433" is a host, unlike
#: the rest of a path ("/srv/www/acme.de").
_SPN = re.compile(
    rb"(?:^|[\s\"'=:,(\[])(?i:mssqlsvc|http|https|host|ldap|cifs|krbtgt|nfs|postgres|wsman|termsrv"
    rb"|restrictedkrbhost|gc|dns|smtp|imap|pop|exchangemdb|exchangerfr|exchangeab|kafka|hdfs"
    rb"|hive|hbase|yarn|zookeeper|mongodb|oracle|rpcss|ftp|sip|vnc|iisadmin)/$"
)
#: Bytes before a leading dot that make the name a domain suffix (",.acme.de", "*.acme.de").
_SUFFIX_BEFORE = frozenset((b"", b" ", b"\t", b",", b";", b"=", b"|", b"*", b'"', b"'", b"\n"))
#: Second-level labels under which ".id" is Indonesia's TLD; "server.id" and "group.id"
#: alone are property keys.
_ID_SECOND_LEVEL = frozenset(b"co ac go or net web sch my biz mil desa ponpes".split())


def check_fqdn(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """Decide whether a host name found in free text is pseudonymised.

    Standard: every host name except well-known public domains (``maven.apache.org``).
    Paranoid: public ones too, except two-label names that look like file names.
    """
    url = "fqdn" in groups
    start, end = groups["fqdn"] if url else groups["fqdn2"]
    host = buf[start:end]
    right = after(buf, end, 2)
    named_file = (
        right[:1] == b"."
        and _HOST_FILE.match(buf, end, end + 8) is not None
        and not host.lower().endswith((b".private", b".public"))  # jwt.private.key: a key
    )
    if right[:1] == b"(" or (right[:1] == b"." and right[1:2].isalnum() and not named_file):
        return False  # java.io.File, com.acme.Foo(...): code, not a host.
    if right[:2] == b".+":
        return False  # BIND's key files: Kexample.com.+013+37012.
    if right[:1] in (b"'", b'"') and buf[end + 1 : end + 5].lstrip().startswith(b"=>"):
        return False  # PHP's 'memcache.local' => ...: an array key
    if not url and not (named_file or _free_text_host(buf, start, end)):
        return False
    labels = host.lower().split(b".")
    if host.lower() in PUBLIC_HOSTS:
        return ctx.profile == "paranoid"
    left = before(buf, start, 3)
    if labels[-1] in _FILE_LIKE and len(labels) < 3 and not left.endswith((b"://", b"@")):
        return False  # script.sh, notes.md, main.py
    if is_customer_host(host, ctx):
        return True
    public = b".".join(labels[registrable_index(labels) :]).decode("ascii", "replace")
    return ctx.profile == "paranoid" or public not in PUBLIC_DOMAINS


def _free_text_host(buf: bytes, start: int, end: int) -> bool:
    """Tell a host name in free text from code, paths, keys and tags that look like one."""
    left, right = before(buf, start, 24), after(buf, end, 3)
    host = buf[start:end]
    # A leading dot: a domain suffix in no_proxy lists, nonProxyHosts (*.acme.de) and
    # Kerberos' [domain_realm] (".ad.acme.de = AD.ACME.DE"), not the tail of a name.
    suffix = left[-1:] == b"." and left[-2:-1] in _SUFFIX_BEFORE
    if left[-1:] == b"." and not suffix and not _SERVICE_LABEL.search(left):
        return False  # The tail of a longer dotted name, unless after _ldap._tcp. (SRV).
    if left[-1:] == b"-" and _public_head(buf, start, end):
        return False  # analytics.com of www.google-analytics.com, whose head was kept.
    if (left[-1:] == b"$" or (left[-1:] == b"\\" and left[-2:] != b"\\\\")) or (
        left[-1:] == b"/"
        and not left.endswith(b"//")
        and not _SPN.search(left)
        and not (_BACKEND.search(left) and host.count(b".") >= 2)
    ):
        # $x.y, C:\dir\acme.de, /srv/www/acme.de; not MSSQLSvc/sql02.acme.de, Oracle's
        # @//db.acme.de, a UNC path's \\fs02.acme.de or sssd's [domain/ad.acme.de].
        return left.endswith(b"[domain/")
    if left[-1:] == b"{" or right[:1] == b"}":
        return False  # ${jira.home}, %{jira.request.id}r: a template variable.
    if right.lstrip(b" \t")[:1] == b"=" and not (suffix or host.isupper()):
        return False  # jira.home=/var/atlassian: a property key; not a realm "AD.ACME.DE = {".
    if left[-1:] == b"<" and right[:1] == b">" and b"</" + host + b">" in buf[end : end + 4096]:
        return False  # <user.home>/home/jira</user.home>: an XML element, not a host.
    labels = host.split(b".")
    tld = labels[-1]
    if tld.lower() == b"id" and labels[-2].lower() not in _ID_SECOND_LEVEL:
        return False  # confluence.setup.server.id, group.id: a property key.
    if tld.lower() in _WEAK and not any(c in b"-0123456789" for c in host[: -len(tld)]):
        return False  # org.keycloak.services: a package; jira.lindner-gruppe.group: a host.
    if tld.isupper() and not host.isupper():
        return False  # A logger and its level: "matomo.INFO:".
    # Microsoft.AspNetCore.App, Contoso.Web.Net: a .NET name; repo.Home: a method. Hosts
    # are lower or upper case.
    return not (tld[:1].isupper() and tld[1:].islower() and labels[0][:1].isalpha())


#: HAProxy's "backend/server" (jira_backend/jira01.acme.internal): one word before the slash.
_BACKEND = re.compile(rb"(?:^|\s)[A-Za-z_][\w-]*/$")
_HOST_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


def _public_head(buf: bytes, start: int, end: int) -> bool:
    """True when the name that ends in ``buf[start:end]`` after a hyphen is a public one."""
    head = start
    while head > max(0, start - 253) and buf[head - 1] in _HOST_BYTES:
        head -= 1
    labels = buf[head:end].lower().split(b".")
    public = b".".join(labels[registrable_index(labels) :]).decode("ascii", "replace")
    return public in PUBLIC_DOMAINS


#: Web servers and proxies that name themselves in the HTTP "Server:" header.
_SERVER_PRODUCTS = frozenset(
    b"""nginx apache apache-coyote openresty cloudflare envoy istio-envoy jetty tomcat
    microsoft-iis iis gunicorn uvicorn caddy kestrel lighttpd haproxy squid varnish awselb
    amazons3 gws gse esf litespeed cowboy werkzeug tengine akamaighost""".split()
)


#: Words that name a field rather than fill it ("host:port", "hostname:port:database").
_FIELD_NAMES = frozenset(
    b"""port database dbname user username password address path host hostname server node
    instance""".split()
)
_POSITION = re.compile(rb":\d+:\d+")
#: Maven's packaging types: org.glassfish.jersey.core:jersey-server:jar:2.41.
_PACKAGING = frozenset(b"jar war ear pom aar bundle maven-plugin test-jar".split())
#: Generic numbered names identify no one: node="node-1", instance: worker-2.
_GENERIC_HOST = re.compile(rb"(?:node|worker|master|server|host|replica|instance)[-_]?\d{1,3}")
#: A prefixed label key: app.kubernetes.io/instance=db.
_LABEL_KEY = re.compile(rb"\.[a-z]{2,}/[\w.-]*[\"']?[ \t]*[:=][ \t]*[\"']?$")


_LOG_LEVELS = frozenset(
    b"info warn warning error err debug trace fatal notice crit critical alert emerg"
    b" inf dbg wrn trc ftl".split()  # zerolog's and cloudflared's three letters
)
_HOST_GROUPS = ("host", *(f"host{i}" for i in range(2, 19)))


_NOT_HOST_VALUES = frozenset(b"dedicated shared pooled tcp udp np lpc".split())
_DIGESTS = frozenset(b"sha1 sha256 sha384 sha512 md5 blake2b".split())


#: Platforms, encodings and algorithms written like host names (x86-64, utf-8, rhel-9).
_NOT_MACHINES = re.compile(
    rb"(?i)(?:x86|amd64|arm64|aarch64|i386|utf|iso|tls|ssl|sha|md5|rsa|ecdsa|ed25519|win|windows"
    rb"|linux|ubuntu|debian|rhel|centos|el|java|jdk|node|python|v\d+)(?:-|$)"
)


def check_prose_host(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:
    """A name after "server" or "host" in prose: with a digit, and no platform or version."""
    start, end = groups["host16"]
    value = buf[start:end]
    if not any(48 <= c <= 57 for c in value) or _NOT_MACHINES.match(value):
        return False
    if any(label.isdigit() for label in value.split(b".")[1:]):
        return False  # "client tls-1.2": a version
    return check_host_key(buf, groups, ctx)


def check_host_key(buf: bytes, groups: Groups, ctx: CheckContext) -> bool:  # noqa: ARG001
    """A value under a host-like key is the customer's, unless it is an address or localhost."""
    start, end = next(groups[name] for name in _HOST_GROUPS if name in groups)
    value = buf[start:end].lower()
    if value in (b"localhost", b"localhost.localdomain", b"0.0.0.0", b"127.0.0.1", b"true"):
        return False
    if value in _NOT_HOST_VALUES:
        return False  # tnsnames' (SERVER = DEDICATED), "SQL Server : TCP Provider"
    if buf[end : end + 1] == b"_":
        return False  # @server=N'PAYROLL_LNK': a linked server's name, not a host
    if value in _DIGESTS:
        return False  # "node:20-slim@sha256:7ce8...": an image digest, not an Erlang node
    word = buf[start:end]
    if word.isalpha() and word[:1].isupper() and word[1:].islower():
        return False  # "remote host: Connection refused", <mxfile host="Confluence">: words
    if value in _LOG_LEVELS:
        return False  # "2024-05-12T06:00:03.118204Z  INFO vector: ...": a level, not a host
    if is_placeholder(value) or value in _SERVER_PRODUCTS or buf[end : end + 1] == b"/":
        return False  # "node: null", the HTTP header "Server: nginx" or "Server: Apache/2.4"
    if value.replace(b".", b"").isdigit() or b":" in value:
        return False  # Addresses are the IP rules' job.
    if buf[end : end + 3] == b"://" or value in _FIELD_NAMES:
        return False  # "server: https://...": a scheme; "hostname:port:database": a format.
    if buf[end : end + 1] == b":" and (
        value in _PACKAGING
        or (buf[start - 5 : start].lower() == b"node:" and _POSITION.match(buf, end))
    ):
        return False  # Maven coordinates (jersey-server:jar:2.41), Node's (node:net:1555:16).
    if _GENERIC_HOST.fullmatch(value) or _LABEL_KEY.search(before(buf, start, 64)):
        return False
    return value[:1].isalpha()


# Unbounded on purpose: counted repeats multiply re2 DFA states (see matcher.py).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_H = r"[0-9A-Fa-f]{1,4}"
_FREE_TLDS = "|".join(TLDS.split() + WEAK_TLDS.split())
#: A syslog line's time (RFC 3164 "Mar 11 09:14:22", RFC 5424 ISO 8601, after an optional
#: <PRI>; at most microseconds, as GitHub Actions' seven digits start lines that have no
#: host) and the tag after the host ("sshd[23981]: ", "postfix/smtpd[19921]: ", "sudo: ").
_SYSLOG_TIME = (
    r"(?:<\d{1,3}>\d?[ \t]?)?(?:(?:[A-Z][a-z]{2}[ \t]+)?[A-Z][a-z]{2}[ \t]+\d{1,2}(?:[ \t]+\d{4})?"
    r"[ \t]+\d\d:\d\d:\d\d"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:?\d\d))"
)
#: Cisco ASA's tag follows a colon: "asa-edge-01 : %ASA-6-113004:".
#: The first word of a command at a network device's prompt.
_DEVICE_COMMANDS = (
    r"(?:show|diagnose|diag|execute|exec|get|config|configure|display|ping|traceroute|enable"
    r"|terminal|copy|write|request|monitor)"
)
_SYSLOG_TAG = r"(?:[A-Za-z_][\w./@-]*(?:\[\d+\])?|:[ \t]%[A-Z][\w-]*):[ \t]"

RULES = [
    Rule(
        "network.hostname",
        # The value is on the key's line: "Target Server:\n\tTarget Server Name:" has none.
        # journald's "_HOSTNAME", German "Rechner:", Intune's "DeviceName", ipconfig's
        # "Host Name . . . . : " (dot leaders before the colon).
        r"(?i:\b_?(?:host(?:[ _.-]?name)?|server(?:[_.-]?name)?|data source|node(?:[_.-]?name)?|"
        r"rechner|dev(?:ice)?[ _.-]?name|"
        # One group for machine/computer/workstation: three alternatives cost 40 % more per
        # match on dense logs.
        r"fqdn|(?:machine|computer|workstation)(?:[ _.-]?name)?|instance(?:[_.-]?name)?))"
        # An Erlang node (rabbit@mq01) names its host after the "@", SQL Server's
        # "Server=tcp:sql01,1433" after its protocol.
        r"\\?[\"']?(?:[ \t]+\.)*[ \t]*[:=]>?[ \t]*\\?(?:N?[\"'])?"  # T-SQL: @server=N'x'
        r"(?:[\w-]+@|(?i:tcp|np|lpc|admin):)?(?P<host>" + _LABEL + r"(?:\." + _LABEL + r")*)",
        profile="standard",
        check=check_host_key,
        learn=True,
        trigger=r"(?i:host|server|data source|node|fqdn|machine|computer|instance|workstation"
        r"|rechner|dev(?:ice)?[ _.-]?name)",
    ),
    Rule(
        # Where the format says it is a host: the syslog header ("Mar 11 09:14:22 bastion01
        # sshd[23981]: ", or RFC 5424's ISO time), a UNC path's server (\\SRV-FIC-02\share),
        # ISC dhcpd's client name ("DHCPACK on 10.0.0.5 to 3c:52:... (lap-jwalker) via eth1")
        # and Windows' default computer names (DESKTOP-7QK2M1L, LAPTOP-4F1AB2C9).
        "network.hostname",
        r"(?m:^" + _SYSLOG_TIME + r"[ \t]+(?P<host>" + _LABEL + r"(?:\." + _LABEL + r")*)"
        r"[ \t]+" + _SYSLOG_TAG + r")"
        r"|(?:^|[\s\"'=(])\\\\(?P<host2>[A-Za-z][A-Za-z0-9-]*(?:\." + _LABEL + r")*)\\[^\\\s]"
        r"|\bDHCP[A-Z]+ (?:on|for) [\d.]+ (?:to|from) [0-9a-fA-F:]{17} \((?P<host3>"
        + _LABEL
        + r")\) via\b"
        r"|\b(?P<host4>DESKTOP-[A-Z0-9]{7}|LAPTOP-[A-Z0-9]{8})\b"
        # A network device's CLI prompt: "core-sw01#show ip arp", "FGT60F-BRANCH-HH #
        # diagnose ...", Junos' "akaur@edge-fw1> show lldp" (a digit or dash in the name, so
        # "mysql> show databases" stays).
        r"|(?m:^(?:(?P<user>[a-z][\w.-]*)@)?(?P<host7>[A-Za-z][\w.-]*[\d-][\w.-]*)(?:\([\w-]+\))?"
        r"[ \t]?[#>][ \t]*" + _DEVICE_COMMANDS + r"\b)"
        # Windows event XML: <Computer>, and <Data Name="WorkstationName">.
        r"|<Computer>(?P<host5>" + _LABEL + r"(?:\." + _LABEL + r")*)</Computer>"
        r"|<Data Name=\"(?:Workstation(?:Name)?|Computer(?:Name)?)\">(?P<host6>"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*)</Data>"
        # <hostname> elements (Jira's application.xml), SMTP's greeting (EHLO app01),
        # Ansible's task results ("fatal: [web-03]: UNREACHABLE!") and its recap.
        r"|<(?i:host(?:[_-]?name)?|server(?:[_-]?name)?|computer(?:[_-]?name)?|fqdn|machine)>"
        r"(?P<host8>" + _LABEL + r"(?:\." + _LABEL + r")*)</"
        r"|(?m:^(?:EHLO|HELO|ehlo|helo)[ \t]+(?P<host9>" + _LABEL + r"(?:\." + _LABEL + r")*)"
        r"[ \t]*\r?$)"
        r"|(?m:^(?:ok|changed|fatal|failed|skipping|unreachable|ignored): \[(?P<host10>"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*)(?:[ \t]+->[ \t]+[^\]\r\n]+)?\])"
        # After a <PRI>, the header is syslog's whatever follows the host: Palo Alto's CSV,
        # LEEF, and RFC 5424's "<134>1 2024-03-14T10:41:07Z cp-gw-01 CheckPoint 19302 -".
        r"|(?m:^<\d{1,3}>(?:1[ \t]+\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)"
        r"|[A-Z][a-z]{2}[ \t]+\d{1,2}[ \t]+\d\d:\d\d:\d\d)[ \t]+(?P<host12>"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*)[ \t])"
        # PowerShell's parameters that name a machine: -ComputerName "SDK-LT-2231".
        r"|\s-(?:ComputerName|CimSession|VMName|DnsHostName|ServerName|ReplicaServerName)[ \t]+"
        r"[\"']?(?P<host17>" + _LABEL + r"(?:\." + _LABEL + r")*)"
        # A device's own name: Cisco's "hostname core-sw01", NetScaler's "set ns hostName x".
        r"|(?m:^[ \t]*(?:set[ \t]+ns[ \t]+)?host[Nn]ame[ \t]+(?P<host18>"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*)[ \t]*\r?$)"
        # Nagios object definitions: "    host_name   edge-rtr-01", "    parents   fw-core-a".
        r"|(?m:^[ \t]+(?:host_name|parents|address6?)[ \t]+(?P<host15>"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*)[ \t]*\r?$)"
        # DHCP: ISC's lease file (client-hostname "x";), dnsmasq's "DHCPACK(eth0) ip mac x".
        r"|\bclient-hostname[ \t]+\"(?P<host13>" + _LABEL + r")\""
        r"|\bDHCPACK\([\w.-]+\)[ \t]+[\d.]+[ \t]+[0-9a-fA-F:]{17}[ \t]+(?P<host14>" + _LABEL + r")"
        # A host key fingerprint's comment (user@host), cron's subject. (A public key's
        # comment is identity.login's.)
        r"|(?:\bSHA256:[A-Za-z0-9+/]{43}|\bCron <)[ \t]*(?P<user2>[a-z_][\w.-]*)@(?P<host11>"
        + _LABEL
        + r"(?:\."
        + _LABEL
        + r")*)",
        profile="standard",
        check=check_host_key,
        learn=True,
        trigger=r"(?m:^" + _SYSLOG_TIME + r"[ \t]+[\w.-]+[ \t]+" + _SYSLOG_TAG + r")"
        r"|\\\\[A-Za-z]|\bDHCP[A-Z]+ |DESKTOP-|LAPTOP-|<Computer>"
        r"|<Data Name=\"(?:Workstation|Computer)"
        r"|<(?i:host|server|computer|fqdn|machine)|(?m:^(?i:ehlo|helo)[ \t])"
        r"|(?m:^(?:ok|changed|fatal|failed|skipping|unreachable|ignored): \[)"
        r"|SHA256:|Cron <"
        r"|(?m:^<\d{1,3}>(?:1[ \t]+\d{4}-|[A-Z][a-z]{2}[ \t]))|client-hostname|DHCPACK\("
        r"|(?m:^[ \t]+(?:host_name|parents|address6?)[ \t])"
        r"|\s-(?:ComputerName|CimSession|VMName|DnsHostName|ServerName|ReplicaServerName)[ \t]"
        r"|(?m:^[ \t]*(?:set[ \t]+ns[ \t]+)?host[Nn]ame[ \t])"
        r"|(?m:^[\w.@-]+(?:\([\w-]+\))?[ \t]?[#>][ \t]*" + _DEVICE_COMMANDS + r")",
    ),
    Rule(
        # A machine named in prose: "auf dem Webserver KL-WEB02", "il server è RM-ERP01",
        # "virtual machine 'FS-BR-01'": a name with a dash and a digit after the noun.
        "network.hostname",
        r"\b(?i:server|webserver|host|machine|vm|pc|laptop|notebook|workstation|rechner"
        r"|serveur|servidor|serwer|computer|node|client)[ \t]+(?:(?i:is|ist|è|est|es|named"
        r"|called|genaamd)[ \t]+)?[\"'`]?(?P<host16>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+"
        r"(?:\." + _LABEL + r")*)\b",
        profile="standard",
        check=check_prose_host,
        learn=True,
        trigger=r"(?i:server|host|machine|vm|pc|laptop|notebook|workstation|rechner|serveur"
        r"|servidor|serwer|computer|node|client)[ \t]+(?:[a-zè]{1,7}[ \t]+)?[\"'`]?"
        r"[A-Za-z][A-Za-z0-9]*-",
    ),
    Rule(
        "network.hostname",
        r"(?i:\b(?P<host>(?:ip|dhcp|host|node|ec2|vm|client|static|ppp|dsl|pool)-"
        r"\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}(?:\." + _LABEL + r")*))\b",
        profile="standard",
        trigger=r"\d-\d+-\d+-\d",
    ),
    Rule(
        "network.url-path",
        r"(?i:\bhttps?://)(?P<fqdn>" + _LABEL + r"(?:\." + _LABEL + r")*)(?::\d{1,5})?"
        r"(?P<path>[/?][^\s\"'<>`)\]]+)",
        profile="paranoid",
        trigger=r"(?i:http)",
    ),
    Rule(
        # A DNS name in wire format, as the Windows DNS debug log writes it:
        # (6)wsus01(4)corp(5)local(0).
        "network.hostname",
        r"(?P<host>\(\d{1,2}\)[A-Za-z0-9_-]+(?:\(\d{1,2}\)[A-Za-z0-9_-]+)+)\(0\)",
        profile="standard",
        learn=True,
        trigger=r"\(\d{1,2}\)[A-Za-z0-9_-]+\(\d",
    ),
    Rule(
        "network.ipv4",
        r"\b(?P<ip4>" + _OCTET + r"(?:\." + _OCTET + r"){3})\b",
        profile="standard",
        check=check_ipv4,
        trigger=r"\d\.\d+\.\d+\.\d",
        skip=b"0123456789.",
    ),
    Rule(
        # Escaped for a regex (Tomcat's RemoteAddrValve allow="192\.168\.77\.14").
        "network.ipv4",
        r"\b(?P<ip4>" + _OCTET + r"(?:\\\." + _OCTET + r"){3})\b",
        profile="standard",
        check=check_ipv4,
        trigger=r"\d\\\.\d+\\\.\d+\\\.\d",
    ),
    Rule(
        "network.ipv6",
        r"(?P<ip6>(?:"
        + _H
        + r":){7}"
        + _H
        + r"|(?:"
        + _H
        + r":){1,7}:(?:"
        + _H
        + r"(?::"
        + _H
        + r"){0,6})?|::"
        + _H
        + r"(?::"
        + _H
        + r"){0,6})",
        profile="standard",
        check=check_ipv6,
        trigger=r"::|(?:[0-9A-Fa-f]{1,4}:){4}",
        skip=b"0123456789abcdefABCDEF:",
    ),
    Rule(
        "network.mac",
        # Also Cisco's dotted form (0050.56a3.1f2b).
        r"\b(?P<mac>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})\b",
        profile="standard",
        check=check_mac,
        trigger=r"[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-]"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}",
        skip=b"0123456789abcdefABCDEF:-.",
    ),
    Rule(
        # Where the format says it is a MAC: iptables' MAC= holds the destination, the
        # source and the EtherType (14 bytes); Windows DHCP audit logs write it bare
        # (ID,Date,Time,Description,IP,Host Name,MAC,...).
        "network.mac",
        r"\bMAC=(?P<mac2>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}):"
        r"(?P<mac3>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}):[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\b"
        r"|(?m:^\d{2},\d\d/\d\d/\d\d,\d\d:\d\d:\d\d,[^,\r\n]*,[\d.]*,[^,\r\n]*,"
        r"(?P<mac4>[0-9A-Fa-f]{12}),)",
        profile="standard",
        check=check_mac,
        trigger=r"MAC=[0-9A-Fa-f]{2}:|(?m:^\d{2},\d\d/\d\d/\d\d,\d\d:\d\d:\d\d,)",
    ),
    Rule(
        # A host name with a known TLD anywhere, or with any TLD as the host of a URL
        # (https://jira.acme.group/): one rule, so a URL host is one match, not two.
        "network.hostname",
        r"(?:://(?P<fqdn>(?:" + _LABEL + r"\.)+"
        r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])"
        r"|(?i:\b(?P<fqdn2>(?:" + _LABEL + r"\.)+(?:" + _FREE_TLDS + r"))))\b",
        profile="standard",
        check=check_fqdn,
        trigger=r"://|(?i:\.(?:" + _FREE_TLDS + r"))\b",
    ),
]
