"""The Victims' Code from the rules' point of view: what each party is owed, by when, and when it was met."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.factories import SHIPPED_RULES, make_crime, make_force, make_officer, make_party, unique_number
from trackmycrime.database import Database
from trackmycrime.models import (
    Audience,
    CaseUpdate,
    ContactMethod,
    Crime,
    Entitlement,
    Force,
    Message,
    MessageDirection,
    Officer,
    OutsideContact,
    Party,
    PartyRole,
)
from trackmycrime.retention import remove_personal_data
from trackmycrime.victims_code import (
    REGULAR_CONTACT,
    UPDATE_REQUESTED,
    describe_due,
    monthly_on_time_rates,
    next_due_by_crime,
    next_update_due,
    on_time_rate,
    on_time_rates_by_event,
    on_time_rates_by_officer,
    on_time_rates_by_team,
    owed_items,
    owed_to_party,
    portal_note,
    record_update_request,
    refresh_entitlements,
)
from trackmycrime.victims_code.commands import refresh_all
from trackmycrime.victims_code.entitlements import PERSONAL_STATEMENT_OFFER
from trackmycrime.victims_code.rules import PersonalStatementRule, Rules
from trackmycrime.victims_code.working_days import LONDON, end_of_london_day, london_date

pytestmark = pytest.mark.anyio

REPORTED = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
TRACKED_SINCE = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)  # 9am in London


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def due_on(*parts: int) -> dt.datetime:
    return end_of_london_day(dt.date(*parts))


@dataclass
class Case:
    db: Database
    force_id: int
    crime_id: int
    rules: Rules = SHIPPED_RULES

    async def party(
        self,
        surname: str,
        *,
        role: str = PartyRole.VICTIM,
        enhanced: bool = False,
        since: dt.datetime = TRACKED_SINCE,
        interval: int = 28,
        registered: bool = True,
    ) -> Party:
        """A party tracked `since`; registered on the portal then too, unless not `registered`."""
        async with self.db.transaction() as session:
            crime = await session.get(Crime, self.crime_id)
            assert crime is not None
            return await make_party(
                session,
                crime,
                role=role,
                forenames="",
                surname=surname,
                surname_key=surname.lower(),
                date_of_birth=None,
                email="",
                enhanced_rights=enhanced,
                update_interval_days=interval,
                created_at=since,
                registered_at=since if registered else None,
            )

    async def update(
        self,
        at: dt.datetime,
        *,
        status: str | None = None,
        text: str = "",
        audience: str = Audience.ALL,
        party: Party | None = None,
        published: dt.datetime | None = None,
    ) -> CaseUpdate:
        async with self.db.transaction() as session:
            update = CaseUpdate(
                crime_id=self.crime_id,
                status=status,
                text=text,
                audience=audience if party is None else Audience.PARTY,
                party_id=party.id if party else None,
                occurred_at=at,
                created_at=published or at,
            )
            session.add(update)
            if status:
                crime = await session.get(Crime, self.crime_id)
                assert crime is not None
                crime.status = status
            await refresh_entitlements(session, self.crime_id, self.rules)
        return update

    async def message(self, party: Party, at: dt.datetime) -> None:
        async with self.db.transaction() as session:
            session.add(
                Message(
                    crime_id=self.crime_id,
                    party_id=party.id,
                    direction=MessageDirection.TO_PARTY,
                    body="Hello",
                    created_at=at,
                )
            )
            await refresh_entitlements(session, self.crime_id, self.rules)

    async def contact(self, party: Party, at: dt.datetime, method: str = ContactMethod.PHONE) -> None:
        async with self.db.transaction() as session:
            session.add(
                OutsideContact(
                    crime_id=self.crime_id, party_id=party.id, method=method, note="Rang them.", told_at=at
                )
            )
            await refresh_entitlements(session, self.crime_id, self.rules)

    async def close(self, at: dt.datetime, *, status: str = "closed", text: str = "") -> None:
        async with self.db.transaction() as session:
            crime = await session.get(Crime, self.crime_id)
            assert crime is not None
            crime.closed_at = at
            crime.status = status
            session.add(
                CaseUpdate(crime_id=self.crime_id, status=status, text=text, occurred_at=at, created_at=at)
            )
            await refresh_entitlements(session, self.crime_id, self.rules)

    async def change_party(self, party: Party, **changes: object) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Party, party.id)
            assert row is not None
            for name, value in changes.items():
                setattr(row, name, value)
            await refresh_entitlements(session, self.crime_id, self.rules)

    async def refresh(self) -> None:
        async with self.db.transaction() as session:
            await refresh_entitlements(session, self.crime_id, self.rules)

    async def rows(self, party: Party | None = None, event: str | None = None) -> list[Entitlement]:
        async with self.db.session() as session:
            query = select(Entitlement).where(Entitlement.crime_id == self.crime_id)
            if party is not None:
                query = query.where(Entitlement.party_id == party.id)
            if event is not None:
                query = query.where(Entitlement.event == event)
            return list(
                (await session.exec(query.order_by(col(Entitlement.event_at), col(Entitlement.id)))).all()
            )

    async def events(self, party: Party) -> list[Entitlement]:
        """What the party must be told of: not regular contact, nor the statement offer officers record."""
        not_told = (REGULAR_CONTACT, PERSONAL_STATEMENT_OFFER)
        return [row for row in await self.rows(party) if row.event not in not_told]

    async def regular(self, party: Party) -> list[Entitlement]:
        return await self.rows(party, REGULAR_CONTACT)


async def force_with_code(session: AsyncSession, code: str) -> Force:
    force = (await session.exec(select(Force).where(Force.code == code))).first()
    return force or await make_force(session, code=code, name=f"{code} Police")


async def new_case(
    db: Database, *, force_code: str = "WMP", officer: Officer | None = None, rules: Rules = SHIPPED_RULES
) -> Case:
    async with db.transaction() as session:
        force = await force_with_code(session, force_code)
        crime = await make_crime(
            session,
            force,
            reference=f"CR/{unique_number()}/26",
            offence="Burglary",
            status="recorded",
            reported_at=REPORTED,
            officer_in_charge_id=officer.id if officer else None,
            created_at=REPORTED,
        )
        assert force.id is not None and crime.id is not None
        return Case(db, force.id, crime.id, rules)


async def new_officer(db: Database, name: str, team: str, force_code: str = "WMP") -> Officer:
    async with db.transaction() as session:
        force = await force_with_code(session, force_code)
        return await make_officer(
            session, force, email=f"{name.lower()}@police.example", name=name, team=team, shoulder_number=None
        )


# ---------------------------------------------------------------- deadlines


async def test_an_arrest_before_a_bank_holiday_weekend_is_due_on_tuesday_with_enhanced_rights(
    db: Database,
) -> None:
    case = await new_case(db)
    enhanced = await case.party("Adams", enhanced=True)
    standard = await case.party("Brown")
    # Friday 22 May 2026; Monday 25 May is the Spring bank holiday.
    await case.update(london(2026, 5, 22, 17, 45), status="suspect_arrested")

    [owed_enhanced] = await case.events(enhanced)
    assert owed_enhanced.event == "suspect_arrested"
    assert owed_enhanced.due_at == due_on(2026, 5, 26)  # Tuesday
    assert owed_enhanced.enhanced_rights
    assert owed_enhanced.met_at is None
    [owed_standard] = await case.events(standard)
    assert owed_standard.due_at == due_on(2026, 6, 1)  # 5 working days: 26, 27, 28, 29 May, 1 June


async def test_the_clock_change_does_not_move_the_deadline(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.update(london(2026, 10, 23, 23, 30), status="charged")  # BST; clocks go back on the 25th
    [owed] = await case.events(victim)
    assert owed.due_at.astimezone(LONDON) == london(2026, 10, 30, 23, 59, 59, 999999)
    assert owed.due_at == dt.datetime(2026, 10, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)


async def test_statuses_that_owe_nothing_create_nothing(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.update(london(2026, 5, 4, 10, 0), status="officer_assigned")
    await case.update(london(2026, 5, 5, 10, 0), text="We have visited the scene.")
    assert await case.events(victim) == []


# ---------------------------------------------------------------- who is owed, and what tells them


async def test_an_update_seen_only_by_another_party_does_not_discharge_it(db: Database) -> None:
    case = await new_case(db)
    adams = await case.party("Adams")
    brown = await case.party("Brown")
    await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")
    await case.update(london(2026, 6, 2, 9, 0), text="A man was arrested yesterday.", party=brown)

    [owed_adams] = await case.events(adams)
    [owed_brown] = await case.events(brown)
    assert owed_adams.met_at is None
    assert owed_brown.met_at == london(2026, 6, 2, 9, 0)
    assert owed_brown.met_by == "update"

    await case.message(adams, london(2026, 6, 3, 14, 0))
    [owed_adams] = await case.events(adams)
    assert owed_adams.met_at == london(2026, 6, 3, 14, 0)
    assert owed_adams.met_by == "message"


async def test_a_status_with_text_for_the_party_tells_them_but_a_bare_status_does_not(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")
    await case.update(
        london(2026, 6, 4, 9, 0), status="suspect_interviewed", text="The suspect was interviewed today."
    )
    arrested, interviewed = await case.events(victim)
    # The interview update explains itself, and tells the victim about the arrest too.
    assert interviewed.met_at == london(2026, 6, 4, 9, 0)
    assert arrested.met_at == london(2026, 6, 4, 9, 0)
    assert arrested.met_at <= arrested.due_at


async def test_a_party_is_told_when_the_update_reaches_the_portal_not_before(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", enhanced=True)
    # The records system sent the charge with text a week after it happened: told late.
    await case.update(
        london(2026, 6, 1, 9, 0), status="charged", text="He was charged.", published=london(2026, 6, 8, 9, 0)
    )
    [owed] = await case.events(victim)
    assert owed.met_at == london(2026, 6, 8, 9, 0)
    assert owed.met_at > owed.due_at


async def test_an_update_about_something_earlier_does_not_tell_of_a_later_event(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.update(london(2026, 6, 3, 9, 0), status="suspect_arrested")
    await case.update(
        london(2026, 6, 2, 9, 0), text="We took a statement.", published=london(2026, 6, 4, 9, 0)
    )
    [owed] = await case.events(victim)
    assert owed.met_at is None


async def test_witnesses_are_owed_only_what_the_rules_give_them(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    witness = await case.party("Clark", role=PartyRole.WITNESS)
    await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")
    await case.update(london(2026, 7, 1, 9, 0), status="court_date_set")
    await case.update(london(2026, 7, 2, 9, 0), status="court_date_set", audience=Audience.VICTIMS)
    assert [row.event for row in await case.events(victim)] == ["suspect_arrested", "court_date_set"]
    # The witness is owed the court date (the second update repeats it: one event), not the arrest.
    assert [row.event for row in await case.events(witness)] == ["court_date_set"]
    assert await case.regular(witness) == []


async def test_an_event_is_owed_to_the_victim_whoever_the_update_was_addressed_to(db: Database) -> None:
    """Issue 18's example: reported Wednesday 20 May 2026; arrest told only to the witness."""
    case = await new_case(db)
    victim = await case.party("Adams", enhanced=True, since=london(2026, 5, 20, 9, 0))
    witness = await case.party("Clark", role=PartyRole.WITNESS, since=london(2026, 5, 20, 9, 0))
    await case.update(
        london(2026, 5, 22, 10, 0), status="suspect_arrested", text="A man was arrested.", party=witness
    )
    [owed] = await case.events(victim)
    assert (owed.event, owed.event_at) == ("suspect_arrested", london(2026, 5, 22, 10, 0))
    assert owed.due_at == due_on(2026, 5, 26)  # Monday 25 May is the Spring bank holiday
    assert owed.met_at is None  # the update told the witness, not the victim
    assert await case.events(witness) == []  # the rules owe witnesses no arrest
    async with db.session() as session:
        overdue = await owed_items(session, case.force_id, overdue_only=True, now=london(2026, 5, 27, 9, 0))
        assert [(item.party.surname, item.entitlement.event) for item in overdue] == [
            ("Adams", "suspect_arrested")
        ]


async def test_a_repeated_status_is_one_event_and_a_status_between_makes_a_new_one(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    witness = await case.party("Clark", role=PartyRole.WITNESS)
    # The records system sends the same arrest to each party, then a second arrest after bail.
    first = await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested", party=witness)
    await case.update(london(2026, 6, 1, 9, 5), status="suspect_arrested", text="Arrested.", party=victim)
    await case.update(london(2026, 6, 2, 9, 0), text="He is being interviewed.")
    await case.update(london(2026, 6, 3, 9, 0), status="released_on_bail")
    second = await case.update(london(2026, 6, 8, 9, 0), status="suspect_arrested")
    rows = await case.events(victim)
    assert [(row.event, row.event_key) for row in rows] == [
        ("suspect_arrested", str(first.id)),
        ("released_on_bail", str(rows[1].event_key)),
        ("suspect_arrested", str(second.id)),
    ]
    assert rows[0].met_at == london(2026, 6, 1, 9, 5)


async def test_the_portal_tells_a_party_only_once_they_have_registered(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", registered=False)
    await case.update(london(2026, 6, 1, 9, 0), status="charged", text="He was charged today.")
    await case.message(victim, london(2026, 6, 2, 9, 0))
    [charged] = await case.events(victim)
    assert charged.met_at is None  # nobody can read the portal before registering
    await case.change_party(victim, registered_at=london(2026, 6, 10, 12, 0))
    [charged] = await case.events(victim)
    assert (charged.met_at, charged.met_by) == (london(2026, 6, 10, 12, 0), "update")
    assert charged.met_at > charged.due_at


async def test_after_opting_out_the_portal_tells_nothing_but_a_phone_call_does(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.change_party(victim, opted_out_at=london(2026, 5, 20, 9, 0))
    await case.update(london(2026, 6, 1, 9, 0), status="charged", text="He was charged today.")
    await case.message(victim, london(2026, 6, 2, 9, 0))
    [charged] = await case.events(victim)
    assert charged.met_at is None
    await case.contact(victim, london(2026, 6, 3, 16, 0), ContactMethod.PHONE)
    [charged] = await case.events(victim)
    assert (charged.met_at, charged.met_by) == (london(2026, 6, 3, 16, 0), "phone")


async def test_a_contact_outside_the_portal_counts_for_a_party_who_never_registered(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", registered=False, since=london(2026, 5, 1, 9, 0))
    await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")
    await case.contact(victim, london(2026, 5, 31, 9, 0), ContactMethod.LETTER)  # before the arrest
    await case.contact(victim, london(2026, 6, 2, 11, 0), ContactMethod.IN_PERSON)
    [arrest] = await case.events(victim)
    assert (arrest.met_at, arrest.met_by) == (london(2026, 6, 2, 11, 0), "in_person")
    lapsed, current = await case.regular(victim)  # 1 May to 29 May lapsed; the letter met it late
    assert (lapsed.met_at, lapsed.met_by) == (london(2026, 5, 31, 9, 0), "letter")
    assert (current.event_key, current.met_at) == ("2026-06-02", None)  # the visit began a new period


async def test_parties_who_left_the_portal_are_still_owed_and_flagged(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.change_party(victim, opted_out_at=london(2026, 5, 20, 9, 0))
    await case.update(london(2026, 6, 1, 9, 0), status="charged")
    [owed] = await case.events(victim)
    assert owed.met_at is None
    async with db.session() as session:
        party = await session.get(Party, victim.id)
        assert party is not None
        assert portal_note(party) == "Opted out of the portal: tell them another way."
    unregistered = Party(crime_id=1, rms_party_id="x", surname="x", surname_key="x")
    assert portal_note(unregistered) == (
        "Not signed up, so they cannot see updates here. Tell them another way and record it."
    )
    unregistered.registered_at = london(2026, 5, 1, 9, 0)
    assert portal_note(unregistered) is None


async def test_enhanced_rights_given_later_re_date_what_is_owed(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")  # Monday
    await case.change_party(victim, enhanced_rights=True)
    [owed] = await case.events(victim)
    assert owed.enhanced_rights
    assert owed.due_at == due_on(2026, 6, 2)


async def test_refreshing_again_changes_nothing(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.party("Brown", role=PartyRole.WITNESS)
    await case.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")
    await case.update(london(2026, 6, 5, 9, 0), status="court_date_set", text="Trial on 1 September.")
    await case.message(victim, london(2026, 8, 20, 9, 0))
    before = [
        (r.id, r.party_id, r.event, r.event_key, r.due_at, r.met_at, r.met_by) for r in await case.rows()
    ]
    await case.refresh()
    await case.refresh()
    after = [
        (r.id, r.party_id, r.event, r.event_key, r.due_at, r.met_at, r.met_by) for r in await case.rows()
    ]
    assert after == before
    assert len(before) == len({(r[1], r[2], r[3]) for r in before})


async def test_every_crime_can_be_recomputed_after_a_rules_change(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    async with db.transaction() as session:
        session.add(
            CaseUpdate(crime_id=case.crime_id, status="charged", occurred_at=london(2026, 6, 1, 9, 0))
        )  # added without a refresh, as rows written before the rules changed
    assert await case.events(victim) == []
    assert await refresh_all(db, SHIPPED_RULES) == 1
    assert [row.event for row in await case.events(victim)] == ["charged"]
    assert await refresh_all(db, SHIPPED_RULES, "NONE") == 0


async def test_the_record_stands_once_retention_removed_personal_data(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.update(london(2026, 6, 1, 9, 0), status="charged", text="He was charged today.")
    await case.close(london(2026, 6, 5, 9, 0), text="The case is closed.")
    before = [(row.event, row.due_at, row.met_at, row.met_by) for row in await case.rows(victim)]
    async with db.transaction() as session:
        crime = await session.get(Crime, case.crime_id)
        assert crime is not None
        await remove_personal_data(session, crime, london(2028, 6, 5, 9, 0))
        await refresh_entitlements(session, case.crime_id, SHIPPED_RULES)
    after = [(row.event, row.due_at, row.met_at, row.met_by) for row in await case.rows(victim)]
    assert after == before
    assert [(event, met_by) for event, _, _, met_by in after] == [
        (REGULAR_CONTACT, "update"),  # 1 May to 29 May lapsed; the charge on 1 June was late for it
        ("charged", "update"),
        (PERSONAL_STATEMENT_OFFER, ""),  # owed from the charge, never recorded as offered
        ("closed", "update"),
    ]


async def test_a_crime_that_does_not_exist_is_ignored(db: Database) -> None:
    case = await new_case(db)
    await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.refresh()
    async with db.session() as session:
        before = len((await session.exec(select(Entitlement))).all())
    async with db.transaction() as session:
        await refresh_entitlements(
            session, 987654, SHIPPED_RULES
        )  # no error, and nobody else's record changes
    async with db.session() as session:
        assert len((await session.exec(select(Entitlement))).all()) == before > 0


# ---------------------------------------------------------------- regular contact


async def test_regular_contact_is_owed_every_agreed_interval_even_if_nothing_happens(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.refresh()
    [owed] = await case.regular(victim)
    # 28 days after Friday 1 May is Friday 29 May.
    assert owed.event_key == "2026-05-01"
    assert owed.due_at == due_on(2026, 5, 29)
    async with db.session() as session:
        assert await next_update_due(session, victim.id) == due_on(2026, 5, 29)


async def test_regular_contact_falling_on_a_bank_holiday_moves_to_the_next_working_day(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 4, 27, 9, 0), interval=28)
    await case.refresh()
    [owed] = await case.regular(victim)
    assert owed.due_at == due_on(2026, 5, 26)  # 25 May is the Spring bank holiday


async def test_telling_the_party_in_time_starts_a_new_period(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.update(london(2026, 5, 11, 15, 0), text="We have reviewed the CCTV.")
    [owed] = await case.regular(victim)
    assert owed.event_key == "2026-05-11"
    assert owed.met_at is None
    assert owed.due_at == due_on(2026, 6, 8)


async def test_a_lapsed_period_is_kept_and_met_late(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.message(victim, london(2026, 6, 10, 9, 0))
    lapsed, current = await case.regular(victim)
    assert lapsed.event_key == "2026-05-01"
    assert lapsed.met_at == london(2026, 6, 10, 9, 0)
    assert lapsed.met_by == "message"
    assert lapsed.met_at > lapsed.due_at
    assert current.event_key == "2026-06-10"
    assert current.met_at is None


async def test_the_agreed_interval_is_the_partys(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0), interval=7)
    await case.refresh()
    [owed] = await case.regular(victim)
    assert owed.due_at == due_on(2026, 5, 8)
    await case.change_party(victim, update_interval_days=14)
    [owed] = await case.regular(victim)
    assert owed.due_at == due_on(2026, 5, 15)
    await case.change_party(victim, update_interval_days=0)
    assert await case.regular(victim) == []


# ---------------------------------------------------------------- closure


async def test_a_closed_crime_owes_nothing_further_once_closure_was_told(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.update(london(2026, 5, 4, 9, 0), status="suspect_arrested")
    await case.close(london(2026, 5, 6, 9, 0))
    # Until told of the closure, the arrest and the closure are owed; regular contact is not.
    assert [(row.event, row.met_at) for row in await case.events(victim)] == [
        ("suspect_arrested", None),
        ("closed", None),
    ]
    assert await case.regular(victim) == []

    await case.message(victim, london(2026, 5, 7, 10, 0))
    assert all(row.met_at == london(2026, 5, 7, 10, 0) for row in await case.events(victim))
    # Afterwards: a late status from the records system owes nothing, and nothing is due.
    await case.update(london(2026, 6, 1, 9, 0), status="court_date_set")
    assert [row.event for row in await case.events(victim)] == ["suspect_arrested", "closed"]
    assert await case.regular(victim) == []
    async with db.session() as session:
        assert await next_update_due(session, victim.id) is None


async def test_a_closing_status_with_text_tells_the_party_itself(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.close(
        london(2026, 5, 6, 9, 0), status="no_further_action", text="We cannot take this further."
    )
    [closure] = await case.events(victim)
    assert closure.event == "no_further_action"
    assert closure.met_at == london(2026, 5, 6, 9, 0)
    async with db.session() as session:
        assert await next_update_due(session, victim.id) is None


async def test_a_later_closing_status_is_nothing_further_once_the_first_was_told(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams")
    await case.close(london(2026, 5, 6, 9, 0), status="no_further_action", text="No further action for now.")
    async with db.transaction() as session:
        crime = await session.get(Crime, case.crime_id)
        assert crime is not None
        crime.status = "closed"  # closed_at stays at the first closing status, as ingest keeps it
        session.add(
            CaseUpdate(crime_id=case.crime_id, status="closed", occurred_at=london(2026, 5, 20, 9, 0))
        )
        await refresh_entitlements(session, case.crime_id, SHIPPED_RULES)
    assert [row.event for row in await case.events(victim)] == ["no_further_action"]


async def test_regular_contact_that_lapsed_before_closure_stays_owed(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.close(london(2026, 6, 15, 9, 0))
    [lapsed] = await case.regular(victim)
    assert lapsed.due_at == due_on(2026, 5, 29)
    assert lapsed.met_at is None
    await case.message(victim, london(2026, 6, 16, 9, 0))
    [lapsed] = await case.regular(victim)
    assert lapsed.met_at == london(2026, 6, 16, 9, 0)


async def test_reopening_restores_regular_contact(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.close(london(2026, 5, 6, 9, 0), text="Closed for now.")
    assert await case.regular(victim) == []
    async with db.transaction() as session:
        crime = await session.get(Crime, case.crime_id)
        assert crime is not None
        crime.closed_at = None
        await refresh_entitlements(session, case.crime_id, SHIPPED_RULES)
    [owed] = await case.regular(victim)
    assert owed.event_key == "2026-05-06"


# ---------------------------------------------------------------- requests and reading


async def test_an_update_request_is_owed_within_the_general_deadline(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", enhanced=True)
    async with db.transaction() as session:
        party = await session.get(Party, victim.id)
        assert party is not None
        first = await record_update_request(session, party, SHIPPED_RULES, london(2026, 6, 5, 16, 0))
        again = await record_update_request(session, party, SHIPPED_RULES, london(2026, 6, 5, 18, 0))
        assert again.id == first.id
    [requested] = await case.rows(victim, UPDATE_REQUESTED)
    assert requested.due_at == due_on(2026, 6, 8)
    await case.update(london(2026, 6, 8, 11, 0), text="Here is where things stand.")
    await case.refresh()
    [requested] = await case.rows(victim, UPDATE_REQUESTED)
    assert requested.met_at == london(2026, 6, 8, 11, 0)


async def test_what_a_party_is_owed_soonest_first(db: Database) -> None:
    case = await new_case(db)
    victim = await case.party("Adams", since=london(2026, 5, 1, 9, 0))
    await case.update(london(2026, 5, 20, 9, 0), status="suspect_arrested")
    async with db.session() as session:
        owed = await owed_to_party(session, victim.id)
        assert [row.event for row in owed] == ["suspect_arrested", REGULAR_CONTACT]
        due = await next_update_due(session, victim.id)
        assert due == due_on(2026, 5, 28)  # 5 working days, skipping the bank holiday on the 25th
        assert describe_due(SHIPPED_RULES.calendar, due, london(2026, 5, 27, 9, 0)) == "due tomorrow"
        assert (
            describe_due(SHIPPED_RULES.calendar, due, london(2026, 6, 1, 9, 0)) == "overdue by 2 working days"
        )


# Rules owing no Victim Personal Statement offer, for figures about telling alone.
NO_STATEMENT_OFFERS = replace(SHIPPED_RULES, personal_statement=PersonalStatementRule(owed_to=frozenset()))


async def test_the_inbox_and_the_supervisor_see_a_forces_owed_updates(db: Database) -> None:
    smith = await new_officer(db, "Smith", "Response A")
    jones = await new_officer(db, "Jones", "CID")
    mine = await new_case(db, officer=smith, rules=NO_STATEMENT_OFFERS)
    theirs = await new_case(db, officer=jones, rules=NO_STATEMENT_OFFERS)
    other_force = await new_case(db, force_code="GMP", rules=NO_STATEMENT_OFFERS)
    adams = await mine.party("Adams")
    brown = await theirs.party("Brown")
    await other_force.party("Clark")
    await mine.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")  # due 8 June, told late
    await mine.update(london(2026, 6, 10, 9, 0), text="Interview tomorrow.")
    await mine.update(london(2026, 6, 15, 9, 0), status="charged")  # due 22 June, still owed
    await theirs.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")  # due 8 June, told on time
    await theirs.message(brown, london(2026, 6, 2, 9, 0))
    await other_force.update(london(2026, 6, 1, 9, 0), status="suspect_arrested")

    now = london(2026, 6, 24, 9, 0)
    june = (london(2026, 6, 1, 0, 0), london(2026, 7, 1, 0, 0))
    async with db.session() as session:
        overdue = await owed_items(session, mine.force_id, overdue_only=True, now=now)
        assert [(item.party.surname, item.entitlement.event) for item in overdue] == [("Adams", "charged")]
        assert overdue[0].officer is not None and overdue[0].officer.name == "Smith"
        assert (
            describe_due(SHIPPED_RULES.calendar, overdue[0].entitlement.due_at, now)
            == "overdue by 2 working days"
        )
        assert await owed_items(session, mine.force_id, officer_id=jones.id, overdue_only=True, now=now) == []

        everything = await on_time_rate(session, mine.force_id, *june, now=now)
        assert (everything.on_time, everything.late, everything.missed) == (1, 1, 1)
        assert everything.percent == "33%"
        assert (await on_time_rate(session, mine.force_id, *june, officer_id=jones.id, now=now)).rate == 1.0
        assert (await on_time_rate(session, mine.force_id, *june, team="Response A", now=now)).due == 2
        nothing = await on_time_rate(
            session, mine.force_id, london(2025, 1, 1, 0, 0), london(2025, 2, 1, 0, 0)
        )
        assert nothing.rate is None and nothing.percent == "–"

        by_officer = await on_time_rates_by_officer(session, mine.force_id, *june, now=now)
        assert [(officer.name if officer else None, rate.percent) for officer, rate in by_officer] == [
            ("Smith", "0%"),
            ("Jones", "100%"),
        ]
        by_team = await on_time_rates_by_team(session, mine.force_id, *june, now=now)
        assert [(team, rate.due) for team, rate in by_team] == [("Response A", 2), ("CID", 1)]

        by_event = await on_time_rates_by_event(session, mine.force_id, *june, now=now)
        assert [(event, rate.due) for event, rate in by_event] == [("charged", 1), ("suspect_arrested", 2)]
        monthly = await monthly_on_time_rates(session, mine.force_id, months=3, now=now)
        assert [(month, rate.due) for month, rate in monthly] == [
            (dt.date(2026, 4, 1), 0),
            (dt.date(2026, 5, 1), 2),  # regular contact since 1 May lapsed on the 29th for both
            (dt.date(2026, 6, 1), 3),
        ]
        mine_monthly = await monthly_on_time_rates(
            session, mine.force_id, months=1, officer_id=smith.id, now=now
        )
        assert [rate.percent for _, rate in mine_monthly] == ["0%"]

        due = await next_due_by_crime(
            session, mine.force_id, [mine.crime_id, theirs.crime_id, other_force.crime_id]
        )
        assert due[mine.crime_id] == due_on(2026, 6, 22)
        assert other_force.crime_id not in due
    assert london_date(due[mine.crime_id]) == dt.date(2026, 6, 22)
    assert adams.id is not None
