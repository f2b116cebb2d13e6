"""Told outside the portal (issues 18 and 21): an officer records a call, a visit or a letter."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from tests.factories import SHIPPED_RULES
from tests.webclient import check_page, text_of
from trackmycrime.models import AuditEvent, CaseUpdate, ContactAgreement, Entitlement, OutsideContact
from trackmycrime.victims_code import end_of_london_day, london_date, refresh_entitlements

from .officer_world import days_ago, sign_in_as

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("court_date_told_on_the_portal")]


@pytest.fixture
async def court_date_told_on_the_portal(db, world) -> None:
    """A court date told on the portal, so it is owed to the witness who cannot read it there."""
    async with db.transaction() as session:
        # Told to everyone on the portal; the witness has not registered, so it tells only the victim.
        session.add(
            CaseUpdate(
                crime_id=world.crime.id,
                status="court_date_set",
                text="The trial will be at Bristol Crown Court.",
                occurred_at=days_ago(14),  # due (5 working days) and past whatever today is
                created_at=days_ago(14),
            )
        )
        await session.flush()
        await refresh_entitlements(session, world.crime.id, SHIPPED_RULES)


def told_url(world, party) -> str:
    return f"/officer/crimes/{world.crime.id}/parties/{party.id}/told"


async def court_date_owed(db, party) -> Entitlement:
    async with db.session() as session:
        query = select(Entitlement).where(
            Entitlement.party_id == party.id, Entitlement.event == "court_date_set"
        )
        return (await session.exec(query)).one()


async def test_a_phone_call_to_someone_not_registered_meets_what_they_are_owed(oic_client, db, world):
    owed = await court_date_owed(db, world.witness)
    assert owed.met_at is None, "the update on the portal does not tell someone who cannot read it"
    page = await oic_client.page(f"/officer/crimes/{world.crime.id}")
    witness = text_of(page.select_one(f"#party-{world.witness.id}-heading").find_parent("section"))
    assert "Not signed up, so they cannot see updates here. Tell them another way and record it." in witness
    owed_table = text_of(page.select_one("#owed-heading").find_next("table"))
    assert "Sam Taylor" in owed_table and "Court date set" in owed_table

    page = await oic_client.submit(
        told_url(world, world.witness),
        {
            f"told_how_{world.witness.id}": "phone",
            f"told_note_{world.witness.id}": "Rang to give the trial date and court.",
        },
    )
    record = text_of(page.select_one(f"#told-{world.witness.id}"))
    assert "By phone" in record and "Rang to give the trial date and court." in record
    assert "(PC Sam Jones)" in record
    owed = await court_date_owed(db, world.witness)
    assert (owed.met_by, owed.met_at > owed.due_at) == ("phone", True)  # late, but told
    assert "Sam Taylor" not in text_of(page.select_one("#owed-heading").find_next_sibling())
    async with db.session() as session:
        [audited] = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "party.told_outside_portal"))
        ).all()
    assert (audited.party_id, audited.detail) == (world.witness.id, "method=phone")


async def test_the_compliance_export_says_how_they_were_told(client, db, world):
    await sign_in_as(client, db, world.oic)
    await client.page(f"/officer/crimes/{world.crime.id}")
    await client.submit(
        told_url(world, world.witness),
        {f"told_how_{world.witness.id}": "letter", f"told_note_{world.witness.id}": "Wrote with the date."},
    )
    client.http.cookies.clear()
    await sign_in_as(client, db, world.supervisor)
    ends = london_date(days_ago(-10))  # the current period, to date
    query = (
        "period=custom&from-day=1&from-month=1&from-year=2026"
        f"&to-day={ends.day}&to-month={ends.month}&to-year={ends.year}"
    )
    rows = list(
        csv.DictReader(io.StringIO((await client.get(f"/officer/compliance/export.csv?{query}")).text))
    )
    told = {(row["party_role"], row["event"]): row["met_by"] for row in rows}
    assert told[("witness", "court_date_set")] == "letter"
    assert told[("victim", "court_date_set")] == "update"


async def test_an_earlier_day_counts_as_told_by_the_end_of_that_day(oic_client, db, world):
    await oic_client.page(f"/officer/crimes/{world.crime.id}")
    day = london_date(days_ago(2))
    pid = world.witness.id
    await oic_client.submit(
        told_url(world, world.witness),
        {
            f"told_how_{pid}": "in_person",
            f"told_note_{pid}": "Visited.",
            f"told_on_{pid}-day": str(day.day),
            f"told_on_{pid}-month": str(day.month),
            f"told_on_{pid}-year": str(day.year),
        },
    )
    async with db.session() as session:
        contact = (await session.exec(select(OutsideContact))).one()
    assert (contact.method, contact.told_at) == ("in_person", end_of_london_day(day))
    assert (await court_date_owed(db, world.witness)).met_at == end_of_london_day(day)


async def test_mistakes_are_shown_next_to_their_fields_with_a_summary(oic_client, db, world):
    await oic_client.page(f"/officer/crimes/{world.crime.id}")
    pid = world.witness.id
    tomorrow = london_date(days_ago(-1))
    page = await oic_client.submit(
        told_url(world, world.witness),
        {
            f"told_note_{pid}": "",
            f"told_on_{pid}-day": str(tomorrow.day),
            f"told_on_{pid}-month": str(tomorrow.month),
            f"told_on_{pid}-year": str(tomorrow.year),
        },
    )
    assert text_of(page.title).startswith("Error: Crime AS-2026-000123")
    links = {text_of(a): a["href"] for a in page.select(".error-summary a")}
    assert links == {
        "Select how you told them": f"#field-told_how_{pid}",
        "Enter what you told them": f"#field-told_note_{pid}",
        "The date must be today or in the past": f"#field-told_on_{pid}-day",
    }
    section = page.select_one(f"#told-{pid}")
    assert "The date must be today or in the past" in text_of(
        section.select_one(f"#field-told_on_{pid}-error")
    )
    assert section.select_one(f"#field-told_on_{pid}-day")["value"] == str(tomorrow.day)
    async with db.session() as session:
        assert (await session.exec(select(OutsideContact))).all() == []


async def test_with_htmx_the_record_is_swapped_and_announced(oic_client, db, world):
    await oic_client.page(f"/officer/crimes/{world.crime.id}")
    pid = world.witness.id
    response = await oic_client.post(
        told_url(world, world.witness), {f"told_how_{pid}": "phone", f"told_note_{pid}": "Rang."}, htmx=True
    )
    fragment = check_page(response.text, fragment=True)
    assert "Rang." in text_of(fragment.select_one(f"#told-{pid} ul"))
    assert text_of(fragment.select_one("#announcer[hx-swap-oob]")) == "Recorded how you told Sam Taylor."
    assert fragment.select_one(f"#record-told-{pid}"), "the button keeps its id, so focus stays"

    response = await oic_client.post(told_url(world, world.witness), {f"told_how_{pid}": "fax"}, htmx=True)
    assert response.status_code == 200
    fragment = check_page(response.text, fragment=True)
    assert [text_of(a) for a in fragment.select(".error-summary a")] == [
        "Select how you told them",
        "Enter what you told them",
    ]


async def test_another_crimes_officer_and_party_are_refused(client, db, world):
    await sign_in_as(client, db, world.outsider)
    await client.page("/officer")
    pid = world.witness.id
    response = await client.post(
        told_url(world, world.witness), {f"told_how_{pid}": "phone", f"told_note_{pid}": "x"}
    )
    assert response.status_code == 404
    client.http.cookies.clear()
    await sign_in_as(client, db, world.oic)
    await client.page("/officer")
    wrong = f"/officer/crimes/{world.crime.id}/parties/{world.other_party.id}/told"
    assert (await client.post(wrong, {"told_how_1": "phone"})).status_code == 404
    async with db.session() as session:
        assert (await session.exec(select(OutsideContact))).all() == []


async def test_the_agreed_way_to_keep_them_informed_may_be_phone_or_letter(oic_client, db, world):
    await oic_client.page(f"/officer/crimes/{world.crime.id}")
    pid = world.witness.id
    page = await oic_client.submit(
        told_url(world, world.witness),
        {f"told_how_{pid}": "in_person", f"told_note_{pid}": "Visited.", f"told_agreed_{pid}": "yes"},
    )
    link = page.select_one(".error-summary a")
    assert text_of(link) == "To agree a way to tell them from now on, choose by phone or by letter"
    assert link["href"] == f"#field-told_agreed_{pid}"
    page = await oic_client.submit(
        told_url(world, world.witness),
        {f"told_how_{pid}": "letter", f"told_note_{pid}": "Wrote.", f"told_agreed_{pid}": "yes"},
    )
    assert "Agreed way to keep them informed: By letter" in text_of(page.select_one(f"#told-{pid}-agreed"))
    async with db.session() as session:
        [agreement] = (await session.exec(select(ContactAgreement))).all()
    assert (agreement.party_id, agreement.channel, agreement.agreed_by) == (pid, "letter", "officer")
