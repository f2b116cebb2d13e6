"""The officer's view of a crime's court hearings: upcoming first, who must attend, and who sent them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.webclient import text_of
from trackmycrime.case_events.hearings import HearingDetails, record_hearing
from trackmycrime.models import Crime, Force, utcnow

from .test_officer_case import crime_url

pytestmark = pytest.mark.anyio


async def add_hearing(
    db, world, rms_id: str, days: int, hearing_type: str, status: str = "listed", required=()
):
    details = HearingDetails(
        court_name="Bristol Magistrates' Court",
        court_address="Marlborough Street, Bristol BS1 3NU",
        starts_at=utcnow() + dt.timedelta(days=days),
        hearing_type=hearing_type,
        status=status,
        outcome="Adjourned." if status == "concluded" else "",
        parties_required=tuple(required),
    )
    async with db.transaction() as session:
        force = await session.get(Force, world.force.id)
        crime = await session.get(Crime, world.crime.id)
        await record_hearing(
            session,
            force=force,
            crime=crime,
            rms_hearing_id=rms_id,
            details=details,
            agency="witness_care_unit",
        )


async def test_the_crime_page_lists_hearings_upcoming_first_with_who_must_attend(db, oic_client, world):
    await add_hearing(db, world, "H0", -10, "first_appearance", status="concluded")
    await add_hearing(db, world, "H2", 40, "sentencing")
    await add_hearing(db, world, "H1", 20, "trial", required=[world.witness.rms_party_id])

    page = await oic_client.page(crime_url(world))

    hearings = page.select("#hearings-heading ~ .hearing")
    assert [text_of(h.select_one("h3")).split(",")[0] for h in hearings] == [
        "Trial",
        "Sentencing hearing",
        "First hearing",
    ]
    facts = [
        {
            text_of(row.select_one("dt")): text_of(row.select_one("dd"))
            for row in h.select(".summary-list__row")
        }
        for h in hearings
    ]
    assert world.witness.surname in facts[0]["Must attend"]
    assert facts[1]["Must attend"] == "No one"
    assert facts[2]["Result"] == "Adjourned."
    assert facts[0]["From"] == "Witness Care Unit"
    timeline = text_of(page.select_one("#updates-heading").parent)
    assert "Court hearing arranged" in timeline and "From: Witness Care Unit." in timeline
