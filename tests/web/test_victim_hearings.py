"""Court hearings on the victim's case page: upcoming first, the court's address, a calendar file."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from tests.webclient import text_of
from trackmycrime.case_events.hearings import HearingDetails, record_hearing
from trackmycrime.database import Database
from trackmycrime.models import Crime, Force, Hearing, utcnow

from .victim_data import VictimCase, add_crime, add_officer, add_party, make_victim_case, sign_in

pytestmark = pytest.mark.anyio

NOW = utcnow().replace(second=0, microsecond=0)


async def add_hearing(
    db: Database,
    case: VictimCase,
    rms_id: str,
    *,
    days: int,
    hearing_type: str = "trial",
    status: str = "listed",
    outcome: str = "",
    court: str = "Bristol Crown Court",
    required: tuple[str, ...] = (),
    agency: str = "witness_care_unit",
    crime: Crime | None = None,
) -> Hearing:
    details = HearingDetails(
        court_name=court,
        court_address="Small Street\nBristol BS1 1DA",
        starts_at=NOW + dt.timedelta(days=days),
        hearing_type=hearing_type,
        status=status,
        outcome=outcome,
        parties_required=required,
    )
    async with db.transaction() as session:
        force = await session.get(Force, case.force.id)
        the_crime = await session.get(Crime, (crime or case.crime).id)
        hearing, _created, _event = await record_hearing(
            session, force=force, crime=the_crime, rms_hearing_id=rms_id, details=details, agency=agency
        )
    return hearing


async def test_upcoming_hearings_come_first_soonest_first_then_past_ones(client, db, victim) -> None:
    await add_hearing(
        db, victim, "PAST", days=-20, hearing_type="plea", status="concluded", outcome="Pleaded not guilty."
    )
    await add_hearing(db, victim, "LATER", days=60, hearing_type="sentencing")
    await add_hearing(db, victim, "SOON", days=10, hearing_type="trial")

    page = await sign_in(client, victim)

    titles = [text_of(h) for h in page.select(".hearing h3")]
    assert titles == [
        "Trial: Bristol Crown Court",
        "Sentencing hearing: Bristol Crown Court",
        "Plea hearing: Bristol Crown Court",
    ]
    first = page.select(".hearing")[0]
    assert "Small Street Bristol BS1 1DA" in text_of(first)
    assert "From Witness Care Unit" in text_of(first)
    past = page.select(".hearing")[2]
    assert "Pleaded not guilty." in text_of(past)
    assert past.select_one('a[href$=".ics"]') is None  # no calendar entry for what has happened
    assert [a["href"].endswith(".ics") for a in page.select(".hearing a[download]")] == [True, True]


async def test_the_timeline_names_the_event_and_the_agency(client, db, victim) -> None:
    await add_hearing(db, victim, "H1", days=10)

    page = await sign_in(client, victim)

    [entry] = page.select("#case-timeline .timeline__item")
    assert text_of(entry.select_one("h3")).startswith("Court hearing arranged")
    assert "Trial, Bristol Crown Court" in text_of(entry)
    assert "From Witness Care Unit" in text_of(entry)


async def test_a_witness_needed_at_a_hearing_is_told_so(client, db) -> None:
    witness = await make_victim_case(db, role="witness")
    await add_hearing(db, witness, "H1", days=10, required=(witness.party.rms_party_id,))

    page = await sign_in(client, witness)

    assert "You are needed at this hearing as a witness" in text_of(page.select_one(".hearing"))


async def test_no_hearings_no_section(client, db, victim) -> None:
    page = await sign_in(client, victim)
    assert page.select_one("#hearings-heading") is None


async def test_a_hearing_downloads_as_a_calendar_file(client, db, victim) -> None:
    hearing = await add_hearing(db, victim, "H1", days=10)
    await sign_in(client, victim)

    response = await client.get(f"/case/hearings/{hearing.id}.ics")

    assert response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == hearing.starts_at
    assert "Bristol BS1 1DA" in str(event["location"])
    assert "Trial" in str(event["summary"])


async def test_another_crimes_hearing_cannot_be_downloaded(client, db, victim) -> None:
    async with db.transaction() as session:
        officer = await add_officer(session, victim.force, name="PC Other")
        other_crime = await add_crime(session, victim.force, officer, reference="AS-2026-999999")
        await add_party(session, other_crime, surname="Else")
    theirs = await add_hearing(db, victim, "H9", days=10, crime=other_crime)
    await sign_in(client, victim)

    await client.get(f"/case/hearings/{theirs.id}.ics", expect=404)
    await client.get("/case/hearings/not-a-number.ics", expect=404)


async def test_signed_out_the_calendar_file_asks_to_sign_in(client, db, victim) -> None:
    hearing = await add_hearing(db, victim, "H1", days=10)
    response = await client.get(f"/case/hearings/{hearing.id}.ics", expect=303)
    assert response.headers["location"].startswith("/sign-in")
