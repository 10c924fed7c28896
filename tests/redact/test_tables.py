"""Tables pasted into logs and tickets: a header names the secret and user columns."""

from __future__ import annotations

import pytest
from tests.redact.conftest import redact


@pytest.mark.parametrize(
    ("table", "gone", "kept"),
    [
        (
            "| Service  | User    | Password       |\n|----------|---------|----------------|\n"
            "| Grafana  | jdoe    | Gr@fana!Adm1n  |\n| RabbitMQ | admin   | R4bb!tHole#7   |",
            ["Gr@fana!Adm1n", "R4bb!tHole#7", "jdoe"],
            ["| Grafana  |", "| admin   |", "| Service  | User    | Password       |"],
        ),
        (
            'service;user;password;note\n"grafana";"admin";"Gr@f;ana!9";"rotated 2024-01"',
            ["Gr@f;ana!9"],
            ['"rotated 2024-01"', '"admin"'],
        ),
        (
            "id,login,api_token,created\n17,kweber,tok_3Jd8fK2LqP9xZ7mN4vB1x,2023-11-02\n",
            ["tok_3Jd8fK2LqP9xZ7mN4vB1x", "kweber"],
            ["17,", ",2023-11-02\n"],
        ),
        (
            # psql's and MySQL's boxes: the rule lines are skipped, not the end of the table.
            "  pid  | usename  | state\n-------+----------+-------\n 51102 | ochen    | active",
            ["ochen"],
            ["| active"],
        ),
        (
            "+-----+-----------+\n| Id  | User      |\n+-----+-----------+\n| 412 | bwilliams |",
            ["bwilliams"],
            ["| 412 |"],
        ),
        (
            "Username,Full name,Active\nmgarcia,Marta Garcia,true\njvidal,Jordi Vidal,false",
            ["mgarcia", "Marta Garcia", "Jordi Vidal"],
            [",true\n", ",false"],
        ),
        (
            "name\tpassword\nbackup\tB4ck!up-2025\n\nafter the table: plain text, 1,2,3",
            ["B4ck!up-2025"],
            ["after the table: plain text, 1,2,3"],
        ),
    ],
)
def test_cells_under_a_secret_or_user_header_are_redacted(
    table: str, gone: list[str], kept: list[str]
) -> None:
    out = redact(table)
    assert not any(value in out for value in gone), out
    assert all(text in out for text in kept), out


@pytest.mark.parametrize(
    "text",
    [
        # Documentation: the header names no secret; rows that mention one are not headers.
        "| Option   | Type   | Description                       |\n"
        "|----------|--------|-----------------------------------|\n"
        "| password | string | The database password. Required.  |\n"
        "| token    | string | API token, see Settings > Tokens. |",
        "user,count\nroot,12\nnobody,3",
        "password,length\n********,12",
        "2024-01-01 10:00:00 INFO user, password and token fields were validated, 3 errors",
    ],
)
def test_tables_without_secret_values_stay_unchanged(text: str) -> None:
    assert redact(text) == text


def test_columns_named_in_other_languages_and_by_itsm_exports() -> None:
    text = (
        "Name;Abteilung;Benutzername;Kostenstelle\n"
        '"Brandt, Thomas";Lager;tbrandt;4410\n'
        "\n"
        "Systeem;Gebruiker;Wachtwoord;Opmerking\n"
        "Synology NAS;beheer;Syn0l0gy#Bouw-22;na update\n"
        "\n"
        '"number","caller_id","assigned_to"\n'
        '"INC0084412","Amelia Hart","Rohan Mehta"\n'
    )
    out = redact(text)
    for gone in ("tbrandt", "beheer", "Syn0l0gy", "Amelia Hart", "Rohan Mehta"):
        assert gone not in out, gone


def test_a_name_column_beside_an_email_or_host_column_and_confluence_tables() -> None:
    out = redact(
        '"Name","Email","Created"\n"Tamsin Oduya","t.oduya@vistamar.com","2023-11-02"\n\n'
        "name,fqdn,os\nLT-GLIMA-0231,lt-glima-0231.corp.kestrelbay.com,Windows 11\n\n"
        "||Dienst||URL||Benutzer||Passwort||\n|Grafana|https://grafana.example.net|admin|Gr4f!xy|\n"
    )
    for gone in ("Tamsin Oduya", "LT-GLIMA-0231", "kestrelbay", "Gr4f!xy"):
        assert gone not in out, gone


def test_tables_aligned_with_spaces() -> None:
    out = redact(
        "Member              Role        Commitment\n"
        "Ingrid Solheim      Lead        100%\n"
        "Marius Dahl-Jensen  Member      80%\n\n"
        "ResourceId                ServiceAccountName    ServiceAccountPassword\n"
        "----------                ------------------    ----------------------\n"
        "[xService]Reporting       svc_rptagent          R3port!Agent-Tide\n\n"
        "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n"
        "jdoe        1234  0.0  0.1  12345  6789 pts/0    Ss   10:00   0:00 -bash\n"
    )
    for gone in ("Ingrid Solheim", "Marius Dahl-Jensen", "svc_rptagent", "R3port!", "jdoe"):
        assert gone not in out, gone


@pytest.mark.parametrize(
    "text",
    [
        "Systeem;Gebruiker;Wachtwoord;Opmerking\nUniFi Controller;(SSO);zie kluis;",
        "||Dienst||URL||Benutzer||Passwort||\n|Grafana|https://grafana.com/|(SSO)|_siehe Vault_|",
        "| # | Action | Owner | Due |\n|---|---|---|---|\n| 1 | Scrub headers | Platform | 3-22 |",
        "local   all             postgres                                peer\n"
        "host    all             all             127.0.0.1/32            scram-sha-256\n"
        "host    all             all             ::1/128                 scram-sha-256",
        "Status  Name  DisplayName\n------  ----  -----------\n"
        "Running WinRM Windows Remote Management (WS-Management)",
        "Volume Name  VMFS UUID         Device Name                           Partition\n"
        "-----------  ----------------  ------------------------------------  ---------\n"
        "datastore1   5f3b2a1c-8e7d6c5b naa.600508b1001c4d9f3a7e6b21c0d5e8f4          3",
    ],
)
def test_notes_teams_pg_hba_services_and_disks_in_tables_stay(text: str) -> None:
    assert redact(text) == text


def test_a_french_password_column_is_one_name_and_its_words_are_not_columns() -> None:
    out = redact("Service;Mot de passe;De\nNAS;Nas#2024x;Lyon\n")
    assert "Nas#2024x" not in out and "Lyon" in out
