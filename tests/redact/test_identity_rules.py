"""Identifiers about people are pseudonymised (standard, paranoid) and kept in minimal."""

from __future__ import annotations

import re

import pytest
from tests.redact.conftest import redact


def test_it_pseudonymises_emails_keeping_a_domain_pseudonym() -> None:
    out = redact("Sent notification to jane.doe@acme-corp.com")
    assert "jane.doe" not in out and "acme-corp" not in out
    assert re.search(r"user-[0-9a-f]{8}@domain-[0-9a-f]{8}\.com", out)


def test_minimal_profile_keeps_identifiers() -> None:
    line = "user=jsmith from 10.1.2.3 mail jane@acme.com"
    assert redact(line, profile="minimal") == line


@pytest.mark.parametrize(
    "line",
    [
        "user=jsmith",
        '"username": "jsmith"',
        "Accepted password for jsmith from 10.0.0.9 port 50022 ssh2",
        "Failed password for invalid user jsmith from 10.2.3.4 port 22 ssh2",
        "pam_unix(sshd:session): session opened for user jsmith by (uid=0)",
        "User 'jsmith' logged in",
        "logged in as jsmith",
        "Login failed for user 'jsmith'.",
        "/home/jsmith/.ssh/authorized_keys",
        "C:\\Users\\jsmith\\AppData\\Local",
        "uid=jsmith,ou=People,dc=acme,dc=com",
        "sudo:   jsmith : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/bin/ls",
        "jsmith   pts/0        10.0.0.5         Mon Nov 28 10:00   still logged in",
        "jsmith@acme-ws01:~$ ls",
        "assignee=jsmith status=Open",
        "\tAccount Name:\t\tjsmith",
    ],
)
def test_it_pseudonymises_user_names_in_known_places(line: str) -> None:
    out = redact(line)
    assert "jsmith" not in out
    assert "user-" in out


def test_it_keeps_system_accounts_and_numeric_ids() -> None:
    for line in ("user=root", "user=jira", "uid=1000", "login as admin"):
        assert redact(line) == line


def test_a_user_name_learned_in_one_place_is_replaced_everywhere_with_the_same_pseudonym() -> None:
    out = redact("user=mdubois\nexport finished for mdubois in 20 ms\n")
    first, second = out.splitlines()
    pseudonym = first.split("=")[1]
    assert pseudonym in second and "mdubois" not in out


def test_it_pseudonymises_ldap_names_and_domain_components() -> None:
    out = redact("CN=Dave Miller,OU=Staff,DC=umbrella,DC=local")
    assert "Dave Miller" not in out and "umbrella" not in out
    assert out.endswith(",DC=local") and "OU=Staff" in out
