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
