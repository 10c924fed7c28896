"""Discover, then rewrite: a labelled secret goes everywhere; the residual check fails closed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitrep.errors import RedactionError
from sitrep.redact import Redactor


def _files(tmp_path: Path) -> list[tuple[Path, Path, str]]:
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    # The log comes first, so only a discovery pass over both files can catch the paste.
    (tmp_path / "in" / "app.log").write_text("connecting with Zx9-pasted-Secret to db\n")
    (tmp_path / "in" / "dbconfig.xml").write_text("<password>Zx9-pasted-Secret</password>\n")
    return [(tmp_path / "in" / n, tmp_path / "out" / n, n) for n in ("app.log", "dbconfig.xml")]


def test_a_secret_found_in_a_config_file_is_removed_from_an_earlier_log(tmp_path) -> None:
    redactor = Redactor(key=b"d" * 32)
    jobs = _files(tmp_path)
    for src, _dst, name in jobs:
        redactor.discover(src, name)
    for src, dst, name in jobs:
        redactor.redact_file(src, dst, name)
        redactor.check_residual(dst, name)
    assert "Zx9-pasted-Secret" not in (tmp_path / "out" / "app.log").read_text()
    report = redactor.report()
    assert report["files"]["app.log"] == {
        "credentials.discovered-value": {"count": 1, "lines": [1]}
    }


def test_the_residual_check_fails_closed_when_a_discovered_secret_remains(tmp_path) -> None:
    redactor = Redactor(key=b"d" * 32)
    jobs = _files(tmp_path)
    for src, _dst, name in jobs:
        redactor.discover(src, name)
    leaked = tmp_path / "out" / "leaked.log"
    leaked.write_text("still here: Zx9-pasted-Secret\n")
    with pytest.raises(RedactionError, match="survived redaction in leaked.log"):
        redactor.check_residual(leaked, "leaked.log")


def test_the_report_never_contains_values(tmp_path) -> None:
    import json

    redactor = Redactor(key=b"d" * 32)
    jobs = _files(tmp_path)
    redactor.redact_files(jobs)
    text = json.dumps(redactor.report())
    assert "Zx9-pasted-Secret" not in text
    assert redactor.report()["files"]["dbconfig.xml"]["credentials.key-value"]["lines"] == [1]


def test_literal_sets_agree_between_the_prefix_alternation_and_the_automaton(
    monkeypatch,
) -> None:
    from sitrep.redact import literals

    items = [("secret", b"sharedprefix-%04d-secret" % i) for i in range(40)]
    items += [("user", b"Person%03d" % i) for i in range(40)] + [("secret", b"ab")]
    items += [("secret", b"Prefix-of-a-longer-one"), ("secret", b"Prefix-of-a-longer-one-2")]
    buf = (
        b"x=sharedprefix-0007-secret y=sharedprefix-0007-secre z=PERSON012 "
        b"wPerson013 Person014x person015 ab SHAREDPREFIX-0008-SECRET "
        b"Prefix-of-a-longer-one-2\n"
    )

    def found() -> list[tuple[int, int, str, bytes]]:
        return sorted(literals.LiteralSet(items).hits(buf))

    alternation = found()  # re2 alternation of prefixes
    monkeypatch.setattr(literals, "REGEX_LIMIT", 0)
    assert found() == alternation  # Aho-Corasick automaton of prefixes
    assert [value for _s, _e, _k, value in alternation] == [
        b"sharedprefix-0007-secret",
        b"PERSON012",
        b"person015",
        b"ab",
        b"Prefix-of-a-longer-one",  # both overlapping secrets at one start are found
        b"Prefix-of-a-longer-one-2",
    ]
    assert all(buf[start:end] == value for start, end, _k, value in alternation)
    for limit in (0, 10_000):
        monkeypatch.setattr(literals, "REGEX_LIMIT", limit)
        assert literals.LiteralSet(items).first_secret(b"..ab..")
        assert not literals.LiteralSet(items[40:80]).first_secret(b"..ab.. Person001")
        assert not list(literals.LiteralSet([]).hits(buf))


def test_the_report_keeps_an_exact_count_and_at_most_1000_line_numbers() -> None:
    from sitrep.redact.engine import REPORT_LINES, FileReport

    report, tail = FileReport(path="a.log"), FileReport(path="a.log")
    for line in range(1, 1_501):
        report.add("identity.email", line)
        report.add("identity.email", line)  # a second hit on one line keeps one line number
    tail.add("identity.email", 3)
    report.merge(tail, line_offset=2_000)
    entry = report.rules["identity.email"]
    assert entry["count"] == 3_001
    assert entry["lines"] == list(range(1, REPORT_LINES + 1))
    assert entry["lines_truncated"] is True
    small = FileReport(path="b.log")
    small.add("identity.email", 7)
    assert small.rules == {"identity.email": {"count": 1, "lines": [7]}}


def test_a_learned_secret_where_a_rule_saw_a_user_name_is_still_masked() -> None:
    from tests.redact.conftest import redact

    out = redact("db.password=Qx7-shared-Value\nlogin user=Qx7-shared-Value ok\n")
    assert "Qx7-shared-Value" not in out
    assert out.splitlines()[1] == "login user=***HIDDEN*** ok"
