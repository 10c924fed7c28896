"""Addresses and host names are pseudonymised so that support can still read the network."""

from __future__ import annotations

import ipaddress

import pytest
from tests.redact.conftest import redact


def test_ipv4_pseudonyms_keep_the_subnet_structure() -> None:
    out = redact("a=10.1.2.3 b=10.1.2.4 c=10.1.9.3 d=81.2.69.160").split()
    a, b, c, d = (part.split("=")[1] for part in out)
    assert a.rsplit(".", 1)[0] == b.rsplit(".", 1)[0]  # same /24 stays one /24
    assert a.rsplit(".", 2)[0] == c.rsplit(".", 2)[0]  # same /16 stays one /16
    assert a.startswith("10.") and a != "10.1.2.3" and d != "81.2.69.160"
    assert len({a, b, c, d}) == 4


@pytest.mark.parametrize(
    "line",
    [
        "listen 127.0.0.1:8080",
        "netmask 255.255.255.0",
        "bind 0.0.0.0",
        "version 1.2.3.4",
        "tomcat-9.0.83.1",
        "OID 1.3.6.1.4.1.311",
        "release 1.2.3.4-SNAPSHOT",
        "Build: 10.4.18.0",
    ],
)
def test_it_keeps_special_addresses_versions_and_oids(line: str) -> None:
    assert redact(line) == line


def test_ipv6_is_pseudonymised_to_a_valid_address_and_loopback_stays() -> None:
    out = redact("client [2001:db8:85a3::8a2e:370:7334]:443 via [::1]:80")
    pseudo = out.split("[")[1].split("]")[0]
    ipaddress.IPv6Address(pseudo)
    assert pseudo != "2001:db8:85a3::8a2e:370:7334" and "[::1]:80" in out


def test_ipv4_inside_an_ipv4_mapped_ipv6_address_is_found() -> None:
    assert "172.16.4.20" not in redact("Connection from [::ffff:172.16.4.20]:53022")


def test_mac_pseudonyms_keep_the_vendor_prefix_and_case() -> None:
    out = redact("link/ether 52:54:00:AB:CD:EF brd ff:ff:ff:ff:ff:ff")
    mac = out.split()[1]
    assert mac.startswith("52:54:00:") and mac != "52:54:00:AB:CD:EF" and mac.isupper()
    assert out.endswith("brd ff:ff:ff:ff:ff:ff")


def test_fingerprints_are_not_taken_for_macs_or_ipv6() -> None:
    line = "SHA-256 Fingerprint: 5E:FF:56:A2:AF:15:88:25:35:D1:76:6B:3F:99:21:40:CF:3B:3E:8C"
    assert redact(line) == line


def test_customer_host_names_keep_their_tld_and_public_ones_stay() -> None:
    out = redact("Connecting to https://jira.acme-corp.de/rest and https://repo.maven.apache.org/x")
    assert "acme-corp" not in out and "jira." not in out
    assert ".de/rest" in out and "https://repo.maven.apache.org/x" in out


def test_host_names_under_host_keys_are_learned_and_replaced_everywhere() -> None:
    out = redact("hostname=jira-prod-01\nping jira-prod-01 failed\n")
    assert "jira-prod-01" not in out
    first, second = out.splitlines()
    assert first.split("=")[1] in second


def test_hostnames_that_embed_an_address_are_pseudonymised() -> None:
    for host in ("ip-10-0-1-23.eu-west-1.compute.internal", "dhcp-192-168-0-66"):
        assert host.split(".")[0] not in redact(f"Nov 29 {host} kernel: up")


def test_code_and_file_names_are_not_taken_for_hosts() -> None:
    line = "at java.io.File.open(File.java:12) see catalina.sh and com.acme.reports.Export"
    assert redact(line, profile="paranoid") == line


def test_paranoid_also_pseudonymises_public_hosts_and_masks_url_paths() -> None:
    out = redact(
        "GET https://api.github.com/repos/acme/secret-project?ref=main", profile="paranoid"
    )
    assert "github" not in out and "secret-project" not in out
    assert out.startswith("GET https://") and ".com" in out


def test_a_url_host_is_pseudonymised_whatever_its_top_level_domain() -> None:
    out = redact("Base URL: https://jira.kraemer.group/secure/Dashboard.jspa")
    assert "kraemer" not in out and "jira." not in out
    assert out.startswith("Base URL: https://") and ".group/secure/Dashboard.jspa" in out


def test_a_user_agent_version_is_not_an_address_but_a_java_host_address_is() -> None:
    ua = "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 Safari/537.36"
    assert redact(ua) == ua
    assert "10.20.30.40" not in redact("connect to db01.acme.local/10.20.30.40:5432 failed")


@pytest.mark.parametrize(
    "line",
    [
        "org.apache.catalina.startup.VersionLoggerListener.log Server number:  9.0.83.0",
        'pattern="%a %{jira.request.id}r %t"',
        "jira.home=${jira.shared.home}",
    ],
)
def test_server_numbers_and_template_variables_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "ff02::1     ip6-allnodes",
        "Server: nginx",
        "Server: Apache/2.4.57 (Debian)",
        "Current node: null.",
    ],
)
def test_multicast_server_products_and_placeholders_are_not_hosts(line: str) -> None:
    assert redact(line) == line


def test_a_host_under_a_server_key_is_still_pseudonymised() -> None:
    assert "sql-prod01" not in redact("Server=sql-prod01;Database=jira")


def test_the_terraform_registry_is_a_public_host() -> None:
    line = "+ provider registry.terraform.io/hashicorp/aws v5.14.0"
    assert redact(line) == line


@pytest.mark.parametrize(
    "line",
    [
        # Property keys under the ".id" TLD, XML elements under ".home", .NET names (".App").
        '<property name="confluence.setup.server.id">BP2W-3YHG-K8NM-7QXR</property>',
        '{"group.id": "billing", "client.id": "billing-1"} crowd.server.id',
        "<user.home>/home/jira</user.home>\n<jira.home>/var/atlassian/jira</jira.home>",
        "Microsoft.AspNetCore.App 8.0.6 [/usr/share/dotnet/shared/Microsoft.AspNetCore.App]",
        # Public vendor services.
        "using SMTP server 'Default SMTP Server' (smtp.office365.com:587)",
        "url: https://events.pagerduty.com/v2/enqueue relay smtp.sendgrid.net smtp.mailgun.org",
        "site: datadoghq.eu, in-v3.mailjet.com, prometheus-prod-24.grafana.net",
        # Loopback in its long spelling, versions where an address could be.
        "0:0:0:0:0:0:0:1 2x1x1 - [03/Jan/2024:09:16:03 +0100] and 0:0:0:0:0:0:0:0",
        "sm-mta[901]: starting daemon (8.17.1.9): SMTP+queueing@00:30:00",
        "by mail (8.17.1.9/8.17.1.9) with ESMTP id 3A1B",
        # A scheme and field names under host keys.
        "    server: https://127.0.0.1:6443",
        "format `hostname:port:database:username`",
    ],
)
def test_keys_tags_code_names_public_services_and_versions_are_not_hosts_or_addresses(
    line: str,
) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "gone", "kept"),
    [
        ('allow="172\\.18\\.0\\.\\d+|192\\.168\\.77\\.14"', "77\\.14", "192\\.168\\."),
        ("krb5kdc: AS_REQ 2001:16b8:5c3a:e600::12: PREAUTH_FAILED", "2001:16b8", ": PREAUTH"),
        (
            "Additional Information:\tMSSQLSvc/sql02.corp.hafenwerk.de:1433",
            "hafenwerk",
            "MSSQLSvc/",
        ),
        ("realmd: * Resolving: _ldap._tcp.dc._msdcs.kestrel.corp", "kestrel", "_ldap._tcp.dc."),
        ("Workstation Name:\tLT-MROSSI-07\nSource Workstation: WS-0042", "MROSSI", "Name:\t"),
        ("    server: https://k8s.acme.corp:6443", "acme", "server: https://"),
        ("Received: from mail.acme.de (8.17.1.9) and helo=<mx1.acme.de>", "acme", "helo=<"),
    ],
)
def test_escaped_addresses_spns_srv_names_and_workstations_are_pseudonymised(
    line: str, gone: str, kept: str
) -> None:
    out = redact(line)
    assert gone not in out and kept in out


def test_a_host_key_without_a_value_on_its_line_takes_nothing_from_the_next() -> None:
    out = redact("Target Server:\n\tTarget Server Name:\tsql02.corp.hafenwerk.de")
    assert out.startswith("Target Server:\n\tTarget Server Name:\thost-")


@pytest.mark.parametrize(
    ("line", "gone", "kept"),
    [
        (
            "charon: IKE_SA vpn[12] established between 2a01:4f8::2[gw01]..."
            "2a02:0810:0b00:1a2c:7d4e:91ff:fe3a:6b10[remote]",
            "2a02:0810",
            "[gw01]...",
        ),
        ("Invalid HTTP_HOST header: 'intranet.weber-bau.gmbh'.", "weber-bau", ".gmbh'"),
        ("Node k8s-m1.kube.lan.okonkwo-ventures.ng has less than 8Gi", "okonkwo", ".ng has"),
        ("Base URL for jira.lindner-gruppe.group is down", "lindner", ".group is"),
        ("CIFS: VFS: \\\\fs02.kanzlei-brandt.de Send error", "kanzlei", "\\\\host-"),
        ("NO_PROXY=localhost,127.0.0.1,.halvorsen.no", "halvorsen", "127.0.0.1,."),
        ("http.nonProxyHosts = localhost|*.halvorsen.no", "halvorsen", "localhost|*."),
        ("[domain_realm]\n .ad.vandenberg.nl = AD.VANDENBERG.NL", "vandenberg", "[domain_realm]"),
        ("[realms]\n AD.VANDENBERG.NL = {\n  kdc = dc01.ad.x.nl\n }", "VANDENBERG", " = {"),
        ("[domain/ad.vandenberg.nl]\nid_provider = ad", "vandenberg", "[domain/"),
        ("Using jdbc:oracle:thin:@//ora-rac.dc1.vandenberg.nl:1521/JIRAPDB", "ora-rac", "@//"),
    ],
)
def test_newer_tlds_unc_paths_domain_suffixes_and_realms_are_pseudonymised(
    line: str, gone: str, kept: str
) -> None:
    out = redact(line)
    assert gone not in out and gone.lower() not in out and kept in out


@pytest.mark.parametrize(
    "line",
    [
        # Four-part versions after a product or package name.
        "Fetching gem metadata from https://rubygems.org/\nUsing rails 7.1.3.2",
        "Installing nokogiri 1.16.2.1 with native extensions",
        "SQL Server 15.0.4345.5 (X64), Npgsql 8.0.2.0, build 2024.03.11.1742",
        # Public vendor and documentation sites.
        "See https://v8.dev/blog/math-random for details.",
        "Update site: https://updates.jenkins.io/update-center.json",
        "Helm repo: https://charts.bitnami.com/bitnami and https://quay.io/repository/x",
        'msg="pulling image" image=registry.replicated.com/library/kotsadm:v1.107.3',
        # Package, logger and property names under the newer generic TLDs.
        "[org.keycloak.services] KC-SERVICES0050: Initializing master realm",
        "[kafka.coordinator.group] Member consumer-1 in group billing has failed",
        "ldap.user.email and software.amazon.awssdk.services",
        # Template variables.
        "%{jira.request.id}r and ${ad.acme.de}",
    ],
)
def test_versions_vendor_sites_and_code_names_under_new_tlds_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "nameserver 8.8.8.8",
        "ping 1.1.1.1 failed",
        "Using proxy 10.1.2.3 for all requests",
        "DNS=9.9.9.9",
    ],
)
def test_addresses_after_network_words_are_still_addresses(line: str) -> None:
    assert redact(line) != line


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        # Cisco's dotted MAC in show ip arp / mac address-table and 802.1X logs.
        ("Internet  10.1.7.20   4   a4bb.6d12.90ef  ARPA   Vlan30", "a4bb.6d12.90ef"),
        ("  30    0050.56b2.7c01    DYNAMIC     Gi1/0/7", "0050.56b2.7c01"),
        ("Authentication successful for client (f8e4.3b10.77aa) on Gi1/0/3", "f8e4.3b10.77aa"),
        ("Hardware Addr 0050.5612.3456 learned", "0050.5612.3456"),
        # iptables writes destination, source and EtherType as one MAC= field.
        ("IN=ens3 OUT= MAC=52:54:00:1a:2b:3c:00:1c:7f:aa:bb:cc:08:00 SRC=", "52:54:00:1a:2b:3c"),
        ("IN=ens3 OUT= MAC=52:54:00:1a:2b:3c:00:1c:7f:aa:bb:cc:08:00 SRC=", "00:1c:7f:aa:bb:cc"),
        # Windows DHCP audit log: the MAC column is bare hex.
        (
            "11,04/02/24,08:01:12,Renew,10.8.1.9,LT-042.acme.local,3C52820A1B2C,,7,0,,,,",
            "3C52820A1B2C",
        ),
        # strongSwan's "a[id]...b[id]": an ellipsis, not an OID.
        ("established between 81.3.4.5[gw.acme.de]...93.184.12.7[jdoe@acme.de]", "93.184.12.7"),
        # An Erlang node name: the host after the "@".
        ("node           : rabbit@mq02.acme-logistik.de", "mq02"),
        # SQL Server names the protocol before the host.
        ("Server=tcp:sqlbi-02,1433;Database=dwh;", "sqlbi-02"),
    ],
)
def test_macs_and_addresses_in_device_formats_are_pseudonymised(line: str, gone: str) -> None:
    out = redact(line)
    assert gone not in out


@pytest.mark.parametrize(
    "line",
    [
        "tcp6       0      0 ::1:8080                :::*                    LISTEN",
        "Starting ClickHouse 23.8.9.54 (revision: 54477, git hash: 0a1b2c3d)",
        "version 2024.0312.1015 built",
        "MAC=ff:ff:ff:ff:ff:ff:00:00:00:00:00:00:08:06",
        # Public CDN, analytics, NTP and network vendor hosts.
        "GET https://cdn.jsdelivr.net/npm/vue@3.4.21/dist/vue.global.js 404",
        "Loading https://unpkg.com/htmx.org@1.9.10 failed",
        "blocked https://www.googletagmanager.com/gtag/js?id=G-ABC and www.google-analytics.com",
        "server 0.de.pool.ntp.org iburst\nSelected source 3.ubuntu.pool.ntp.org",
        "Starting Nmap 7.95 ( https://nmap.org ) and https://docs.fortinet.com/document/x",
        "See https://www.cisco.com/c/en/us/td/docs/x.html and https://rules.emergingthreats.net/open/",
        # BIND key files name a zone, an algorithm and a key id.
        "Kacme-example.com.+008+24715.key",
        "node : rabbit@localhost",
    ],
)
def test_loopback_ports_versions_vendor_hosts_and_key_files_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "gone"),
    [
        # tcpdump writes the port as a fifth part of the address.
        ("10:14:22.331092 IP 10.1.1.20.54322 > 100.24.190.33.443: Flags [S]", "10.1.1.20"),
        ("10:14:22.331092 IP 10.1.1.20.54322 > 100.24.190.33.443: Flags [S]", "100.24.190.33"),
        # NPS writes the SSID after the MAC, with another separator.
        ("Called Station Identifier: 3C-52-82-19-AA-04:CorpWiFi", "19-AA-04"),
        # A file named after a host, HAProxy's backend/server.
        ('ssl_certificate = "/etc/gitlab/ssl/git.kellner-bau.de.crt"', "kellner-bau"),
        ("include /etc/nginx/conf.d/jira.lindner-ag.de.conf;", "lindner-ag"),
        ("https-in~ jira_backend/jira01.acme.internal 0/0/1/42/43 200", "jira01"),
        # A customer's key vault under Azure's public domain.
        ("https://acme-prod-kv.vault.azure.net/secrets/db", "acme-prod-kv"),
    ],
)
def test_addresses_and_hosts_in_tool_output_are_pseudonymised(line: str, gone: str) -> None:
    assert gone not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "  'version' => '28.0.4.1',",
        '{"level":0,"version":"28.0.4.1"}',
        '<bindingRedirect oldVersion="0.0.0.0-13.0.0.0" newVersion="13.0.0.0" />',
        'AssemblyFileVersion("4.2.1.0")',
        "[WARNING] The POM for org.glassfish.jersey.core:jersey-server:jar:2.41 is invalid",
        "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {",
        "Labels:       app.kubernetes.io/instance=db",
        'session_active_count{app="jira",node="node-1"} 241',
        "conn = psycopg2.connect(host=host, user=user, password=password, dbname=db)",
        "[2024-07-10 02:00:00] matomo.INFO: ---------------------------",
        "200 OK in 34.2ms @ repo/view.go:720(repo.Home)",
        'msg="Comparing app state (cluster: https://kubernetes.default.svc, namespace: x)"',
        '"KeyVault": { "Resource": "https://vault.azure.net" }',
        "  Normal  ProvisioningSucceeded  4m  ebs.csi.aws.com  Successfully provisioned",
        "Looking in links: https://download.pytorch.org/whl/cpu",
        "Reviewed-on: https://gerrit-review.googlesource.com/c/gerrit/+/412345",
        "# see https://goharbor.io/docs/2.10.0/install-config/",
    ],
)
def test_versions_code_positions_labels_and_public_service_hosts_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("Mar 11 09:14:22 bastion01 sshd[23981]: Connection closed by 10.0.0.1", "bastion01"),
        ("Mar  1 03:02:41 sftp-gw CRON[8812]: (root) CMD (run-parts)", "sftp-gw"),
        ("<34>Mar 11 10:41:09 relay01 postfix/smtp[20011]: 4F2A51C0E3A: status=sent", "relay01"),
        ("2024-03-11T10:00:01.123+01:00 app-prod-05 rsyslogd[812]: omfwd: closed", "app-prod-05"),
        ('{"_HOSTNAME":"erp-db02","_UID":"0"}', "erp-db02"),
        (r"le partage \\SRV-FIC-02\Compta est inaccessible", "SRV-FIC-02"),
        ("DHCPACK on 10.80.3.112 to 3c:52:82:1e:9a:07 (lap-jwalker) via eth1", "lap-jwalker"),
        ("Rechner: NB-VERTRIEB-088", "NB-VERTRIEB-088"),
        ("DESKTOP-7QK2M1L     192.168.0.23", "DESKTOP-7QK2M1L"),
    ],
)
def test_hosts_where_the_format_says_so_are_pseudonymised(line: str, host: str) -> None:
    out = redact(line)
    assert host not in out and "host-" in out


@pytest.mark.parametrize(
    "line",
    [
        "Mar 11 10:41:09 localhost kernel: eth0: link up",
        # GitHub Actions' times have seven digits and no host after them.
        "2024-03-12T09:14:00.8772291Z Included Software: see the readme",
    ],
)
def test_localhost_and_ci_times_are_not_syslog_hosts(line: str) -> None:
    assert redact(line) == line


def test_a_syslog_host_is_learned_and_replaced_in_the_cron_subject() -> None:
    text = "Mar 11 03:15:01 batch02 CRON[44120]: (root) CMD (run)\nSubject: Cron <svc@batch02> run"
    assert "batch02" not in redact(text)


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("   Host Name . . . . . . . . . . . . : LT-FIN-0088", "LT-FIN-0088"),
        ("DeviceName        : BW-LT-22041", "BW-LT-22041"),
        ('<Data Name="Workstation">MFP-3F-EAST</Data>', "MFP-3F-EAST"),
        ("<EventID>4624</EventID><Computer>NWL-LT-0457.ad.nordwind.de</Computer>", "NWL-LT-0457"),
    ],
)
def test_windows_names_its_hosts_under_these_labels(line: str, host: str) -> None:
    assert host not in redact(line)


def test_a_log_level_after_an_iso_time_is_no_syslog_host() -> None:
    line = "2024-05-12T06:00:03.118204Z  INFO vector: Vector has started."
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("core-sw01#show ip arp vlan 10", "core-sw01"),
        ("FGT60F-BRANCH-HH # diagnose firewall auth list", "FGT60F-BRANCH-HH"),
        ("akaur@edge-fw1> show lldp neighbors", "edge-fw1"),
        ('date=2024-03-12 time=10:22:01 devname="FGT60F-BRANCH-HH" devid="X"', "BRANCH-HH"),
        ("Mar 12 2024 10:22:01 asa-edge-01 : %ASA-6-113004: AAA user authentication", "asa-edge"),
    ],
)
def test_network_devices_name_their_hosts_in_prompts_and_logs(line: str, host: str) -> None:
    assert host not in redact(line)


def test_a_database_client_prompt_is_no_device() -> None:
    assert redact("mysql> show databases;") == "mysql> show databases;"


@pytest.mark.parametrize(
    "line",
    [
        "Kong Gateway 3.6.1.1 (enterprise) build 2b4e1c3",
        "image: ghcr.io/kong/kong-gateway:3.6.1.1@sha256:994afafd222dd1acd83ce9c37a72a1d1",
        "X-Powered-By: ASP.NET",
    ],
)
def test_product_versions_image_tags_and_asp_net_stay(line: str) -> None:
    assert redact(line) == line


def test_a_gateway_address_is_still_an_address() -> None:
    assert "10.0.0.1" not in redact("default gateway 10.0.0.1")


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("<hostname>atl-jira-app02</hostname>", "atl-jira-app02"),
        ("EHLO atl-confluence-01", "atl-confluence-01"),
        ('fatal: [web-03-fra]: UNREACHABLE! => {"changed": false}', "web-03-fra"),
        ("changed: [db01 -> localhost]", "db01"),
        ("- ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFq0rGx7kqTn9Wb3mZsV1Lh jb@mbp-jlb", "mbp-jlb"),
        (
            "cloud-init: 256 SHA256:Vd2q0m4w7bG7yC4cE1zH9oQkX3uN8pR5tL6sA2fJ1gM"
            " root@ingest-02 (ECDSA)",
            "ingest-02",
        ),
        ("Subject: Cron <root@backup01> /usr/local/bin/pg_backup.sh", "backup01"),
    ],
)
def test_formats_that_name_a_host_element_greeting_ansible_keys_and_cron(
    line: str, host: str
) -> None:
    assert host not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "ok: [localhost] => {",
        '<mxfile host="Confluence" modified="2024-03-06T15:12:40.207Z">',
        "UNKNOWN: ipv4:127.0.0.1:50051: Failed to connect to remote host: Connection refused",
        "FROM docker.io/library/node:20-bookworm-slim@sha256:7ce8b205d15e30fd395e5fa4000bcdf5",
        "nvme-pcie                      1.2.4.11-1vmw.802.0.0.22380479   VMW",
        "    Cluster Version           : 6.5.5.1",
    ],
)
def test_words_digests_and_versions_are_no_hosts_or_addresses(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("Der Fehler tritt nur auf dem Webserver KL-WEB02 auf:", "KL-WEB02"),
        ("il server è RM-ERP01, l'utente di dominio", "RM-ERP01"),
        ("live migration of virtual machine 'FS-BR-01' to host 'HV-NODE-04'", "HV-NODE-04"),
        ("Laptop NB-TOL-0412 has a broken screen", "NB-TOL-0412"),
    ],
)
def test_machines_named_in_prose(line: str, host: str) -> None:
    assert host not in redact(line)


@pytest.mark.parametrize(
    "line",
    [
        "build server x86-64 image",
        "node v18-alpine",
        "client tls-1.2 handshake",
        "machine type e2-standard-4",
        "Windows Server 2019 host",
    ],
)
def test_platforms_and_versions_after_machine_words_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("<14>Mar 14 10:33:21 PA-3220-HQ 1,2024/03/14 10:33:21,0132010,TRAFFIC", "PA-3220"),
        ('<134>1 2024-03-14T10:41:07Z cp-gw-01 CheckPoint 19302 - [action:"Accept"]', "cp-gw"),
        ('  client-hostname "Annas-MacBook-Pro";', "Annas-MacBook"),
        ("dnsmasq-dhcp[14]: DHCPACK(br-lan) 192.168.38.63 b8:27:eb:7e:95:d6 homeassist", "homeass"),
        ("A      (6)wsus01(4)corp(9)hallstatt(5)local(0)", "wsus01"),
    ],
)
def test_syslog_with_a_priority_dhcp_leases_and_dns_wire_names(line: str, host: str) -> None:
    assert host not in redact(line)


def test_a_product_version_after_plus_signs_stays() -> None:
    assert redact('o")~   Snort++ 3.1.78.0') == 'o")~   Snort++ 3.1.78.0'


def test_nagios_hosts_and_parents_are_hosts() -> None:
    out = redact(
        "define host {\n    host_name               edge-rtr-01\n    parents   fw-core-a\n}"
    )
    assert "edge-rtr-01" not in out and "fw-core-a" not in out


@pytest.mark.parametrize(
    "line",
    [
        '{"jruby.version"=>"jruby 9.4.5.0 (3.1.4) 2023-11-02"}',
        "#Software: SGOS 7.3.14.2",
        "Version: SGOS 7.3.14.2 Proxy Edition",
        '<property name="jwt.private.key">Sanitized by Support Utility</property>',
        "Downloading https://galaxy.ansible.com/api/v3/x.tar.gz",
        "https://cdn.discordapp.com/attachments/1217104339471081522/latest.log",
    ],
)
def test_quoted_products_software_versions_key_names_and_vendor_hosts_stay(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize(
    ("line", "address"),
    [("downloaded firmware from 10.0.0.5", "10.0.0.5"), ("F5 VIP 10.20.0.40", "10.20.0.40")],
)
def test_an_address_after_a_version_word_and_another_word_is_an_address(
    line: str, address: str
) -> None:
    assert address not in redact(line)


def test_an_address_in_a_tomcat_connector_thread_name_is_an_address() -> None:
    assert "10.40.2.8" not in redact('"ajp-nio-10.40.2.8-8009-exec-4" #88 daemon prio=5')


def test_a_weblogic_machine_element_is_a_host() -> None:
    assert "wls-host-03" not in redact("    <machine>wls-host-03</machine>")
