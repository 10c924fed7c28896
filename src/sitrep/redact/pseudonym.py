"""Keyed, consistent, format-preserving pseudonyms and the customer-held reverse map.

Every pseudonym is derived from the original value with a keyed hash (BLAKE2b keyed with a
subkey of the customer's key). Workers therefore share no state, and the same value gets the
same pseudonym in every file, run and bundle made with the same key.

Formats keep what support needs:

* IPv4 and IPv6 are prefix-preserving (two addresses in one subnet stay in one subnet); private
  ranges keep their well-known prefix and loopback, unspecified, broadcast and netmasks stay.
* MAC addresses keep the vendor prefix (OUI); the NIC-specific half is permuted.
* Host names keep their top-level domain; each other label becomes ``host-xxxxxxxxxxxx`` (or
  ``domain-xxxxxxxxxxxx`` for the registrable label).  Well-known public domains are kept.
* E-mail addresses become ``user-xxxxxxxxxxxx@<domain pseudonym>``; user names
  ``user-xxxxxxxxxxxx``.

The reverse map (pseudonym -> original) never leaves the customer's machine: ``save_map``
encrypts it with AES-256-GCM under a key derived (HKDF-SHA256) from the customer's key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import json
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from sitrep.errors import RedactionError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAP_MAGIC = b"SITREP-MAP-1\n"
KEY_BYTES = 32

#: Registrable domains that are public knowledge, not the customer's: kept as they are.
PUBLIC_DOMAINS = frozenset(
    """apache.org maven.org github.com githubusercontent.com gitlab.com atlassian.com
    atlassian.net jira.com bitbucket.org google.com googleapis.com gstatic.com microsoft.com
    windows.net azure.com amazonaws.com amazon.com cloudfront.net oracle.com java.com sun.com
    w3.org xml.org springframework.org spring.io python.org pypi.org npmjs.org npmjs.com
    docker.com docker.io ubuntu.com debian.org redhat.com centos.org fedoraproject.org
    mozilla.org eclipse.org jetbrains.com slack.com stripe.com okta.com openssl.org
    letsencrypt.org digicert.com sentry.io cloudflare.com jquery.com wikipedia.org
    hibernate.org postgresql.org mysql.com mongodb.org elastic.co grafana.com kubernetes.io
    k8s.io golang.org nodejs.org json-schema.org gnu.org apple.com sourceforge.net
    readthedocs.io stackoverflow.com xmlsoap.org opensource.org gmail.com googlemail.com
    outlook.com hotmail.com yahoo.com icloud.com gradle.org microsoftonline.com office.com
    live.com jfrog.io sonatype.org apache.net oracle.net adoptium.net eclipse.dev
    example.com example.org example.net localhost.localdomain ietf.org iana.org
    terraform.io hashicorp.com office365.com pagerduty.com opsgenie.com grafana.net
    sendgrid.net sendgrid.com mailgun.org mailgun.net mailjet.com mandrillapp.com
    postmarkapp.com sparkpostmail.com amazonses.com datadoghq.com datadoghq.eu newrelic.com
    splunkcloud.com sentry-cdn.com statuspage.io twilio.com zoom.us
    v8.dev go.dev rubygems.org ruby-lang.org rubyonrails.org jenkins.io jenkins-ci.org
    bitnami.com replicated.com nginx.org nginx.com php.net getcomposer.org packagist.org
    symfony.com laravel.com djangoproject.com palletsprojects.com nuget.org visualstudio.com
    helm.sh quay.io gcr.io ghcr.io cncf.io prometheus.io opentelemetry.io envoyproxy.io
    istio.io traefik.io keycloak.org openid.net oasis-open.org shibboleth.net chromium.org
    kernel.org freedesktop.org systemd.io launchpad.net snapcraft.io canonical.com
    rockylinux.org almalinux.org opensuse.org suse.com alpinelinux.org archlinux.org
    rust-lang.org crates.io pythonhosted.org anaconda.org conda.io yarnpkg.com nodesource.com
    deno.land vaultproject.io consul.io mvnrepository.com sonarsource.com snyk.io
    mariadb.org mariadb.com redis.io rabbitmq.com apache-kafka.org confluent.io
    mongodb.com elastic.com minio.io min.io jetty.org
    jsdelivr.net unpkg.com cdnjs.com bootstrapcdn.com google-analytics.com
    googletagmanager.com doubleclick.net fontawesome.com
    ntp.org nmap.org wireshark.org fortinet.com fortiguard.com cisco.com
    asp.net aka.ms salesforce.com force.com getpostman.com postman.com owncloud.org
    nextcloud.com uber.org fluxcd.io nr-data.net sqlalchemy.org sqlalche.me chocolatey.org
    youtube.com github.io googleusercontent.com
    paloaltonetworks.com juniper.net mikrotik.com ui.com netgate.com pfsense.org
    opnsense.org strongswan.org openvpn.net wireguard.com isc.org freeradius.org
    emergingthreats.net proofpoint.com suricata.io zeek.org snort.org openssh.com
    libssh.org nist.gov windows.com
    aws.com pytorch.org googlesource.com goharbor.io
    ansible.com puppet.com puppetlabs.com chef.io saltproject.io github.blog postman-echo.com
    azure-api.net discordapp.com discord.com zulip.org zulipchat.com zscaler.net
    zscalertwo.net zscalerthree.net zscloud.net step.sm smallstep.com zephyr4jiracloud.com
    smartbear.com mattermost.com rocket.chat matrix.org element.io vmware.com broadcom.com
    proxmox.com veeam.com commvault.com netapp.com truenas.com synology.com citrix.com
    nutanix.com zabbix.com icinga.com nagios.org splunk.com modsecurity.org owasp.org
    coreruleset.org caddyserver.com traefik.io haproxy.org haproxy.com f5.com
    confluent.cloud confluent.io""".split()
)
#: Sub-labels that say what a public host is for and identify nobody.
GENERIC_LABELS = frozenset(
    """www api repo repo1 maven docs mail smtp imap cdn static downloads download packages
    registry hub auth login id accounts marketplace status support developer developers raw
    objects s3 storage blob core files plugins update updates security archive dl ftp mirror
    mirrors central oss services events in-v3 outlook charts proxy pkg gems index get
    releases release dist apt yum deb rpm cache assets pool rules""".split()
)
_SECOND_LEVEL = frozenset({b"co", b"com", b"net", b"org", b"ac", b"gov", b"edu", b"ne", b"or"})


def generate_key() -> bytes:
    """Return a fresh random customer key."""
    return secrets.token_bytes(KEY_BYTES)


def load_key(path: Path, *, create: bool = False) -> tuple[bytes, bool]:
    """Read the base64 key in ``path``; create it (mode 0600) when missing and ``create``.

    Return the key and whether it was created now.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise RedactionError(
                f"Key file {path} does not exist.",
                fix="Pass the key file used by `sitrep redact --key`.",
            )
        key = generate_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.b64encode(key).decode() + "\n")
        return key, True
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != KEY_BYTES:
        raise RedactionError(
            f"Key file {path} is not a Sitrep key (32 bytes, base64).",
            fix="Use the file created by `sitrep redact --key FILE`, or a new path to create one.",
        )
    return key, False


def derive(key: bytes, purpose: bytes) -> bytes:
    """Derive an independent 32-byte subkey for ``purpose`` with HKDF-SHA256 (RFC 5869).

    Written with ``hmac`` rather than imported from ``cryptography``: every redaction worker
    needs it, and importing ``cryptography`` costs each process about 7 MB. For 32 bytes
    HKDF is one extract and one expand step; the output is identical (tested).
    """
    prk = hmac.digest(bytes(32), key, "sha256")  # salt=None means a zero salt of hash length
    return hmac.digest(prk, purpose + b"\x01", "sha256")


def _feistel(key: bytes, value: int, bits: int) -> int:
    """Permute ``value`` within ``bits`` bits (even) with a keyed four-round Feistel network."""
    half = bits // 2
    mask = (1 << half) - 1
    left, right = value >> half, value & mask
    for rnd in range(4):
        digest = hashlib.blake2b(bytes((rnd,)) + right.to_bytes(4, "big"), key=key, digest_size=4)
        left, right = right, left ^ (int.from_bytes(digest.digest(), "big") & mask)
    return (left << half) | right


def _perm8(table: bytes, value: int) -> int:
    """Permute one octet with a four-round Feistel network whose round functions are keyed
    nibble tables (64 nibbles in ``table``). One hash per prefix, then table lookups: cheap
    enough for logs where every line has a new address."""
    left, right = value >> 4, value & 15
    for rnd in range(4):
        byte = table[rnd * 8 + (right >> 1)]
        left, right = right, left ^ ((byte >> 4) if right & 1 else (byte & 15))
    return (left << 4) | right


def _permute(key: bytes, value: int, bits: int, domain: int) -> int:
    """Permute ``value`` in ``range(domain)`` (cycle-walking a Feistel permutation)."""
    out = _feistel(key, value, bits)
    while out >= domain:
        out = _feistel(key, out, bits)
    return out


class Pseudonymizer:
    """Derive pseudonyms under one key and remember pseudonym -> original."""

    #: The cache is a speed-up only; it is cleared at this size so memory stays bounded
    #: (50 000 entries and their octet tables cost about 30 MB per worker on dense logs).
    CACHE_LIMIT = 10_000

    def __init__(self, key: bytes, *, remember: bool = True) -> None:
        self._key = derive(key, b"sitrep pseudonyms v1")[:32]
        self.remember = remember
        self.mapping: dict[str, str] = {}
        self._cache: dict[tuple[str, bytes], bytes] = {}
        self._tables: dict[bytes, bytes] = {}

    def _tag(self, kind: bytes, value: bytes) -> str:
        """Twelve hex digits (48 bits): with eight, two of 50 000 distinct user or host
        names in one bundle shared a pseudonym about one time in four (the birthday bound),
        and the reverse map could keep only one of them."""
        digest = hashlib.blake2b(kind + b"\0" + value, key=self._key, digest_size=6)
        return digest.hexdigest()

    def _remember(self, kind: str, original: bytes, pseudonym: bytes) -> bytes:
        if len(self._cache) >= self.CACHE_LIMIT or len(self._tables) >= self.CACHE_LIMIT:
            self._cache.clear()
            self._tables.clear()
        self._cache[(kind, original)] = pseudonym
        if self.remember and pseudonym != original:
            self.mapping[pseudonym.decode("ascii")] = original.decode("utf-8", "surrogateescape")
        return pseudonym

    def user(self, value: bytes) -> bytes:
        """Return ``user-xxxxxxxxxxxx`` for a user name (case-insensitive: one person, one user).

        System accounts (``root``, ``daemon``) stay: rules that take a whole list of names
        (an /etc/group line, ``AllowUsers``) leave them to this, one name at a time.
        """
        hit = self._cache.get(("user", value))
        if hit is not None:
            return hit
        if value.lower() in _system_users():
            return self._remember("user", value, value)
        return self._remember("user", value, self._user_tag(value))

    def _user_tag(self, value: bytes) -> bytes:
        return b"user-" + self._tag(b"user", value.lower()).encode()

    def word(self, value: bytes) -> bytes:
        """Return ``word-xxxxxxxxxxxx`` for a custom keyword."""
        hit = self._cache.get(("word", value))
        if hit is not None:
            return hit
        return self._remember("word", value, b"word-" + self._tag(b"word", value.lower()).encode())

    def label(self, value: bytes, registrable: bool) -> bytes:
        """Return the pseudonym of one DNS label."""
        prefix = b"domain-" if registrable else b"host-"
        pseudo = prefix + self._tag(b"label", value.lower()).encode()
        return self._remember("label", value, pseudo)

    def host(self, value: bytes, *, keep_public: bool = True) -> bytes:
        """Return a host name with every label but the TLD pseudonymised.

        A well-known public registrable domain is kept (with its generic sub-labels), so
        ``repo.maven.apache.org`` stays readable while ``acme.atlassian.net`` does not.
        """
        key = ("host", value)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        labels = value.split(b".")
        reg = registrable_index(labels)
        public = (
            keep_public
            and b".".join(labels[reg:]).lower().decode("ascii", "replace") in PUBLIC_DOMAINS
        )
        out = []
        for i, lab in enumerate(labels):
            if (len(labels) > 1 and i == len(labels) - 1) or (public and i >= reg):
                out.append(lab)
            elif public and lab.lower().decode("ascii", "replace") in GENERIC_LABELS:
                out.append(lab)
            elif lab.lower() in _SECOND_LEVEL and i == len(labels) - 2 and reg == i - 1:
                out.append(lab)
            else:
                out.append(self.label(lab, registrable=(i == reg and len(labels) > 1)))
        return self._remember("host", value, b".".join(out))

    def email(self, value: bytes) -> bytes:
        """Return ``user-xxxxxxxxxxxx@<domain pseudonym>``."""
        hit = self._cache.get(("email", value))
        if hit is not None:
            return hit
        local, _, domain = value.rpartition(b"@")
        # Every local part, root@ and admin@ too: an address says whose server it is.
        pseudo = self._user_tag(local) + b"@" + self.host(domain)
        return self._remember("email", value, pseudo)

    def ipv4(self, value: bytes) -> bytes:
        """Return a prefix-preserving pseudonym; special and private prefixes are kept."""
        hit = self._cache.get(("ip4", value))
        if hit is not None:
            return hit
        if b"\\" in value:  # Escaped for a regex: 192\.168\.77\.14 keeps its escapes.
            plain = self.ipv4(value.replace(b"\\.", b"."))
            return self._remember("ip4", value, plain.replace(b".", b"\\."))
        octets = [int(p) for p in value.split(b".")]
        keep = _ipv4_kept_octets(octets)
        out = octets[:keep]
        for i in range(keep, 4):
            out.append(_perm8(self._octet_table(bytes(octets[:i])), octets[i]))
        return self._remember("ip4", value, ".".join(map(str, out)).encode())

    def _octet_table(self, prefix: bytes) -> bytes:
        """Return the 32-byte round table of the octet permutation under ``prefix``."""
        table = self._tables.get(prefix)
        if table is None:
            table = hashlib.blake2b(b"4" + prefix, key=self._key, digest_size=32).digest()
            self._tables[prefix] = table
        return table

    def ipv6(self, value: bytes) -> bytes:
        """Return a prefix-preserving pseudonym (per 16-bit group); ``::1`` and ``::`` stay."""
        hit = self._cache.get(("ip6", value))
        if hit is not None:
            return hit
        addr = ipaddress.IPv6Address(value.decode("ascii"))
        if addr.is_loopback or addr.is_unspecified:
            return value  # Byte-identical: 0:0:0:0:0:0:0:1 must not become ::1.
        groups = [int.from_bytes(addr.packed[i : i + 2], "big") for i in range(0, 16, 2)]
        keep = 1 if groups[0] >= 0xFC00 else 0
        out = groups[:keep]
        for i in range(keep, 8):
            prefix = b"".join(g.to_bytes(2, "big") for g in groups[:i])
            prefix_key = hashlib.blake2b(b"6" + prefix, key=self._key, digest_size=16).digest()
            out.append(_feistel(prefix_key, groups[i], 16))
        packed = b"".join(g.to_bytes(2, "big") for g in out)
        text = ipaddress.IPv6Address(packed).compressed
        if value.isupper():
            text = text.upper()
        return self._remember("ip6", value, text.encode())

    def mac(self, value: bytes) -> bytes:
        """Return the MAC with its vendor prefix kept and the device half permuted."""
        hit = self._cache.get(("mac", value))
        if hit is not None:
            return hit
        # 52:54:00:ab:cd:ef, 52-54-00-AB-CD-EF, Cisco's 5254.00ab.cdef or bare 525400ABCDEF.
        sep, width = (value[4:5], 4) if value[4:5] == b"." else (value[2:3], 2)
        if len(value) == 12:
            sep = b""
        digits = value.replace(sep, b"") if sep else value
        if digits.lower() in (b"000000000000", b"ffffffffffff"):
            return self._remember("mac", value, value)  # Unset and broadcast stay.
        oui, nic = digits[:6], int(digits[6:], 16)
        prefix_key = hashlib.blake2b(b"mac" + oui.lower(), key=self._key, digest_size=16).digest()
        new = b"%06x" % _feistel(prefix_key, nic, 24)
        if digits.isupper() or digits[6:].isupper():
            new = new.upper()
        full = oui + new
        pseudo = sep.join(full[i : i + width] for i in range(0, 12, width))
        return self._remember("mac", value, pseudo)


@functools.cache
def _system_users() -> frozenset[bytes]:
    from sitrep.redact.rules.people import SYSTEM_USERS  # the rules import this module

    return SYSTEM_USERS


def registrable_index(labels: list[bytes]) -> int:
    """Return the index of the registrable label (``acme`` in ``a.acme.co.uk``)."""
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2].lower() in _SECOND_LEVEL:
        return len(labels) - 3
    return max(len(labels) - 2, 0)


def _ipv4_kept_octets(octets: list[int]) -> int:
    """How many leading octets stay as they are: all for special addresses and netmasks."""
    first, second = octets[0], octets[1]
    as_int = int.from_bytes(bytes(octets), "big")
    inverted = (~as_int) & 0xFFFFFFFF
    if first in (0, 127, 255) or first >= 224 or (inverted & (inverted + 1)) == 0:
        return 4
    if first == 169 and second == 254:
        return 2
    if first == 10:
        return 1
    if (first == 172 and 16 <= second <= 31) or (first == 192 and second == 168):
        return 2
    return 0


def _map_cipher(key: bytes) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only for the map

    return AESGCM(derive(key, b"sitrep redaction map v1"))


def save_map(path: Path, key: bytes, mapping: dict[str, str]) -> None:
    """Merge ``mapping`` into the encrypted map at ``path`` (created with mode 0600)."""
    path = Path(path)
    merged = load_map(path, key) if path.exists() else {}
    merged.update(mapping)
    nonce = secrets.token_bytes(12)
    plain = json.dumps(merged, sort_keys=True).encode()
    blob = MAP_MAGIC + nonce + _map_cipher(key).encrypt(nonce, plain, MAP_MAGIC)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(blob)
    os.replace(tmp, path)


def load_map(path: Path, key: bytes) -> dict[str, str]:
    """Decrypt the map at ``path``; a wrong key or a damaged file is a clear error."""
    blob = Path(path).read_bytes()
    if not blob.startswith(MAP_MAGIC):
        raise RedactionError(f"{path} is not a Sitrep redaction map.")
    nonce = blob[len(MAP_MAGIC) : len(MAP_MAGIC) + 12]
    from cryptography.exceptions import InvalidTag

    try:
        plain = _map_cipher(key).decrypt(nonce, blob[len(MAP_MAGIC) + 12 :], MAP_MAGIC)
    except InvalidTag:
        raise RedactionError(
            f"The redaction map {path} cannot be opened with this key.",
            fix="Use the same --key file that was used for `sitrep redact`.",
        ) from None
    return dict(json.loads(plain))


def unmask_text(text: str, mapping: dict[str, str]) -> str:
    """Replace every pseudonym in ``text`` by its original, longest pseudonyms first."""
    if not mapping:
        return text
    names = sorted(mapping, key=len, reverse=True)
    # Boundaries keep 10.1.2.3 from matching inside 10.1.2.34.
    body = "|".join(re.escape(n) for n in names)
    pattern = re.compile(f"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])")
    return pattern.sub(lambda m: mapping[m.group(0)], text)
