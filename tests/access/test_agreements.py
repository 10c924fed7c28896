"""A subcontractor firm's agreement is valid from valid_from until valid_until, unless revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitrep.desk.auth import OPERATOR
from sitrep.desk.models.access import Agreement
from sitrep.desk.models.audit import AuditEntry
from sitrep.desk.services.agreements import (
    AgreementIn,
    add_agreement,
    agreement_is_valid,
    agreement_valid,
    revoke_agreements,
)
from sitrep.errors import NotFound, ValidationError

START = datetime(2026, 12, 1, tzinfo=UTC)
END = datetime(2027, 6, 1, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.fixture
def acme(sessions):
    with sessions.begin() as session:
        add_agreement(
            session=session,
            actor=OPERATOR,
            data=AgreementIn(
                firm="Acme", valid_from=START, valid_until=END, signed_at=START - timedelta(days=3)
            ),
        )


def valid_now(sessions, firm="Acme") -> bool:
    """Ask at the (travelled) wall-clock time, as the policy does on every request."""
    with sessions() as session:
        now = datetime.now(UTC)
        row = session.scalar(select(Agreement).where(Agreement.firm == firm))
        sql_answer = agreement_valid(session=session, firm=firm, now=now)
        assert row is None or sql_answer == agreement_is_valid(row, now)  # SQL and Python agree
        return sql_answer


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (START - TICK, False),
        (START, True),
        (END - timedelta(seconds=1), True),
        (END - TICK, True),
        (END, False),
        (END + timedelta(seconds=1), False),
    ],
)
def test_validity_holds_to_the_exact_second(sessions, acme, moment, expected):
    with time_machine.travel(moment, tick=False):
        assert valid_now(sessions) is expected


def test_a_revoked_agreement_ends_access_at_that_second(sessions, acme):
    revoke_at = START + timedelta(days=10)
    with time_machine.travel(revoke_at, tick=False):
        with sessions.begin() as session:
            revoke_agreements(session=session, firm="Acme", actor=OPERATOR)
        assert valid_now(sessions) is False
    with time_machine.travel(revoke_at - TICK, tick=False):
        assert valid_now(sessions) is True  # history stays answerable


def test_an_unsigned_or_later_signed_agreement_is_not_valid(sessions):
    with sessions.begin() as session:
        session.add(
            Agreement(
                firm="Unsigned", scope="support", signed_at=None, valid_from=START, valid_until=END
            )
        )
        add_agreement(
            session=session,
            actor=OPERATOR,
            data=AgreementIn(
                firm="Late", valid_from=START, valid_until=END, signed_at=START + timedelta(days=1)
            ),
        )
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        assert valid_now(sessions, "Unsigned") is False
        assert valid_now(sessions, "Late") is False
    with time_machine.travel(START + timedelta(days=2), tick=False):
        assert valid_now(sessions, "Late") is True


def test_other_firms_and_no_firm_are_never_valid(sessions, acme):
    with time_machine.travel(START + timedelta(days=1), tick=False):
        assert valid_now(sessions, "Acme Ltd") is False
        with sessions() as session:
            assert agreement_valid(session=session, firm=None, now=datetime.now(UTC)) is False


def test_changes_are_written_to_the_audit_log(sessions, acme):
    with sessions.begin() as session:
        revoke_agreements(session=session, firm="Acme", actor=OPERATOR)
    with sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
        targets = session.scalars(select(AuditEntry.target).order_by(AuditEntry.seq)).all()
    assert actions == ["agreement.add", "agreement.revoke"]
    assert targets == ["agreement:1", "agreement:1"]


def test_bad_agreements_are_refused_and_nothing_is_stored(sessions):
    with pytest.raises(ValidationError, match="after valid_from"):
        with sessions.begin() as session:
            add_agreement(
                session=session,
                actor=OPERATOR,
                data=AgreementIn(firm="Acme", valid_from=END, valid_until=START),
            )
    with pytest.raises(NotFound, match="No unrevoked agreement"):
        with sessions.begin() as session:
            revoke_agreements(session=session, firm="Nobody", actor=OPERATOR)
    with sessions() as session:
        assert session.scalar(select(Agreement)) is None
        assert session.scalar(select(AuditEntry)) is None
