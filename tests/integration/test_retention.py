"""`tmc retention run` removes personal data of crimes closed longer than the force's period."""

import datetime as dt

import pytest
from sqlmodel import select

from tests.factories import make_crime, make_force, make_party
from trackmycrime.models import (
    AuditEvent,
    CaseUpdate,
    Crime,
    Feedback,
    Message,
    OutboxMessage,
    Party,
    WebSession,
    utcnow,
)
from trackmycrime.retention import run_retention

pytestmark = pytest.mark.anyio
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


async def _crime_with_a_party(db, force, reference, closed_days_ago):
    crime = await make_crime(
        db,
        force,
        reference=reference,
        offence="Burglary",
        status="closed" if closed_days_ago is not None else "under_investigation",
        reported_at=NOW - dt.timedelta(days=900),
        closed_at=None if closed_days_ago is None else NOW - dt.timedelta(days=closed_days_ago),
    )
    party = await make_party(
        db,
        crime,
        rms_party_id="P1",
        surname="Distinctive",
        surname_key="distinctive",
        forenames="Alex",
        date_of_birth=dt.date(1980, 2, 29),
        email="alex@example.org",
        mobile="+447700900123",
        password_hash="$argon2id$stored",
        portal_override_reason="Moved out of Dave Distinctive's flat on 3 December",
    )
    db.add(Message(crime_id=crime.id, party_id=party.id, direction="from_party", body="my secret words"))
    db.add(CaseUpdate(crime_id=crime.id, text="An update naming someone", status="closed", occurred_at=NOW))
    db.add(Feedback(crime_id=crime.id, party_id=party.id, rating=5, comment="named comment"))
    db.add(
        WebSession(
            token_hash=reference.ljust(64, "0"),
            party_id=party.id,
            csrf_token="x",
            expires_at=NOW + dt.timedelta(hours=1),
        )
    )
    db.add(
        OutboxMessage(
            force_id=force.id,
            kind="update_waiting",
            channel="email",
            party_id=party.id,
            recipient="alex@example.org",
        )
    )
    return crime, party


async def test_only_crimes_closed_longer_than_the_period_lose_personal_data(db):
    async with db.transaction() as session:
        force = await make_force(session, code="AS", name="Avon", retention_days=365)
        old, old_party = await _crime_with_a_party(session, force, "OLD1", closed_days_ago=400)
        recent, recent_party = await _crime_with_a_party(session, force, "NEW1", closed_days_ago=100)
        open_crime, open_party = await _crime_with_a_party(session, force, "OPEN1", closed_days_ago=None)

    async with db.transaction() as session:
        result = await run_retention(session, NOW)
    assert (result.crimes, result.parties) == (1, 1)

    async with db.session() as session:
        removed = await session.get(Party, old_party.id)
        assert (removed.surname, removed.email, removed.mobile, removed.date_of_birth) == ("", "", "", None)
        assert removed.password_hash is None and removed.account_deleted_at is not None
        assert removed.portal_override_reason == ""
        messages = (await session.exec(select(Message).where(Message.crime_id == old.id))).all()
        assert [m.body for m in messages] == [""] and messages[0].direction == "from_party"
        feedback = (await session.exec(select(Feedback).where(Feedback.crime_id == old.id))).one()
        assert (feedback.rating, feedback.comment) == (5, "")
        update = (await session.exec(select(CaseUpdate).where(CaseUpdate.crime_id == old.id))).one()
        assert (update.status, update.text) == ("closed", "")
        assert not (await session.exec(select(WebSession).where(WebSession.party_id == old_party.id))).all()
        assert not (
            await session.exec(select(OutboxMessage).where(OutboxMessage.party_id == old_party.id))
        ).all()
        assert (await session.get(Crime, old.id)).personal_data_removed_at is not None
        audit = (await session.exec(select(AuditEvent).where(AuditEvent.action == "retention.remove"))).all()
        assert [a.crime_id for a in audit] == [old.id]
        for kept in (recent_party.id, open_party.id):
            assert (await session.get(Party, kept)).surname == "Distinctive"


async def test_running_twice_removes_nothing_more(db):
    async with db.transaction() as session:
        force = await make_force(session, code="AS", name="Avon", retention_days=30)
        await _crime_with_a_party(session, force, "OLD1", closed_days_ago=31)
    async with db.transaction() as session:
        assert (await run_retention(session, NOW)).crimes == 1
    async with db.transaction() as session:
        assert (await run_retention(session, NOW)).crimes == 0


def test_the_command_reports_what_it_removed(tmp_path):
    from tests.integration.test_cli import tmc

    env = {"TMC_DATABASE_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}", "TMC_SECRET_KEY": "x" * 40}
    assert tmc("db", "upgrade", env_extra=env).returncode == 0
    result = tmc("retention", "run", env_extra=env)
    assert result.returncode == 0, result.stderr
    assert "Removed personal data from 0 closed crimes (0 parties) and 0 unmatched texts." in result.stdout
    assert utcnow()


async def test_handover_notes_review_requests_statements_and_court_results_are_removed_too(db):
    from trackmycrime.models import Decision, Handover, Hearing, PersonalStatement, ReviewRequest

    async with db.transaction() as session:
        force = await make_force(session, code="AS", name="Avon", retention_days=365)
        crime, party = await _crime_with_a_party(session, force, "OLD2", closed_days_ago=400)
        decision = Decision(
            crime_id=crime.id,
            rms_decision_id="D-1",
            decision="no_further_action",
            reason="named",
            decided_at=NOW,
        )
        session.add(decision)
        await session.flush()
        session.add(
            ReviewRequest(crime_id=crime.id, decision_id=decision.id, party_id=party.id, reason="named")
        )
        session.add(Handover(crime_id=crime.id, note="Alex works nights"))
        session.add(
            PersonalStatement(crime_id=crime.id, party_id=party.id, draft="I cannot sleep", sent_text="named")
        )
        session.add(
            Hearing(
                crime_id=crime.id,
                rms_hearing_id="H-1",
                court_name="Court",
                starts_at=NOW,
                hearing_type="trial",
                outcome="named",
            )
        )

    async with db.transaction() as session:
        await run_retention(session, NOW)

    async with db.session() as session:
        for model, column in (
            (Decision, "reason"),
            (ReviewRequest, "reason"),
            (Handover, "note"),
            (Hearing, "outcome"),
            (PersonalStatement, "draft"),
            (PersonalStatement, "sent_text"),
        ):
            rows = (await session.exec(select(model).where(model.crime_id == crime.id))).all()
            assert [getattr(row, column) for row in rows] == [""], model.__name__


async def test_unmatched_texts_go_after_their_period_and_matched_or_routed_ones_stay(db):
    from trackmycrime.models import ReceivedText, ReceivedTextStatus

    async with db.transaction() as session:
        force = await make_force(session, code="AS", name="Avon", retention_days=3650)
        texts = {
            "old unmatched": (ReceivedTextStatus.UNMATCHED, 91),
            "recent unmatched": (ReceivedTextStatus.UNMATCHED, 89),
            "old routed": (ReceivedTextStatus.ROUTED, 200),
            "old matched": (ReceivedTextStatus.MATCHED, 200),
        }
        for n, (content, (status, days_ago)) in enumerate(texts.items()):
            session.add(
                ReceivedText(
                    provider_id=f"text-{n}",
                    from_number="+447700900999",
                    content=content,
                    status=status,
                    force_id=force.id,
                    received_at=NOW - dt.timedelta(days=days_ago),
                )
            )
    async with db.transaction() as session:
        result = await run_retention(session, NOW, unmatched_text_days=90)
    assert result.unmatched_texts == 1
    async with db.session() as session:
        kept = {text.content for text in (await session.exec(select(ReceivedText))).all()}
        [event] = (
            await session.exec(
                select(AuditEvent).where(AuditEvent.action == "retention.remove_unmatched_texts")
            )
        ).all()
    assert kept == {"recent unmatched", "old routed", "old matched"}
    assert (event.force_id, event.detail) == (
        force.id,
        "1 unmatched texts removed 90 days after they arrived",
    )
