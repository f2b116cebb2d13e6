"""A change of officer in charge: the handover note read first, the victim told who, RMS conflicts held."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import col, select

from tests.factories import make_api_key
from tests.webclient import WebClient, text_of
from trackmycrime.app import create_app
from trackmycrime.case_events.handover import change_officer_in_charge
from trackmycrime.models import CaseUpdate, Crime, Force, Handover, Officer, OutboxMessage, utcnow
from trackmycrime.notify.outbox import AlertKind
from trackmycrime.settings import Settings, SettingsError, load_settings

from .officer_world import sign_in_as
from .test_officer_case import crime_url

pytestmark = pytest.mark.anyio

HOLD_HOURS = Settings().handover_hold_hours
NOTE = "Alex works nights: call after 2pm. The CCTV request to number 14 is still open."


async def reassign(client, db, world, officer, note: str = NOTE):
    await sign_in_as(client, db, world.supervisor)
    await client.page(crime_url(world))
    return await client.submit(
        f"{crime_url(world)}/officer-in-charge", {"officer_id": str(officer.id), "note": note}
    )


async def rms_names(db, world, officer: Officer, hold_hours: int = HOLD_HOURS) -> Handover | None:
    """The records system sends the crime with this officer in charge (as ingest does)."""
    async with db.transaction() as session:
        force = await session.get(Force, world.force.id)
        crime = await session.get(Crime, world.crime.id)
        named = await session.get(Officer, officer.id)
        return await change_officer_in_charge(session, force, crime, named, by=None, hold_hours=hold_hours)


async def portal_change_made_hours_ago(db, hours: float) -> None:
    async with db.transaction() as session:
        for handover in (await session.exec(select(Handover))).all():
            handover.created_at = utcnow() - dt.timedelta(hours=hours)
            session.add(handover)


async def officer_in_charge(db, world) -> int | None:
    async with db.session() as session:
        return (await session.get(Crime, world.crime.id)).officer_in_charge_id


async def test_the_new_officer_reads_the_handover_note_first(client, db, world):
    await reassign(client, db, world, world.colleague)

    await sign_in_as(client, db, world.colleague)
    page = await client.page(crime_url(world))

    note = page.select_one("#handover")
    assert note is not None
    assert NOTE in text_of(note)
    assert "Priya Shah" in text_of(note)  # who handed it over
    # Read first: straight after the heading, before the Victims' Code and the messages.
    main_children = [tag for tag in page.select_one("main").find_all(recursive=False) if tag.name]
    h1_index = next(i for i, tag in enumerate(main_children) if tag.name == "h1")
    assert main_children.index(note) < next(
        i
        for i, tag in enumerate(main_children)
        if tag.select_one("#owed-heading") or tag.get("id") == "owed-heading"
    )
    assert main_children.index(note) > h1_index


async def test_the_victim_is_told_the_new_officers_name_and_shoulder_number(client, db, world):
    async with db.transaction() as session:
        colleague = await session.get(Officer, world.colleague.id)
        colleague.shoulder_number = "2345"
        session.add(colleague)

    await reassign(client, db, world, world.colleague)

    async with db.session() as session:
        [update] = (await session.exec(select(CaseUpdate).where(CaseUpdate.event == "officer_changed"))).all()
        alerts = (
            await session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.kind == AlertKind.UPDATE_WAITING,
                    col(OutboxMessage.dedupe_key).contains(f"update:{update.id}:"),
                )
            )
        ).all()
    assert (
        update.text == "Your case has a new officer in charge: DC Lee Evans, shoulder number 2345, North CID."
    )
    assert NOTE not in update.text  # the note is for officers only
    assert {alert.party_id for alert in alerts} >= {world.victim.id}
    assert all("Lee" not in alert.context_json for alert in alerts)


async def test_a_records_system_change_soon_after_a_portal_change_is_held_for_a_supervisor(client, db, world):
    await reassign(client, db, world, world.colleague)

    held = await rms_names(db, world, world.oic)  # the RMS still holds the old officer

    assert held is not None and held.state == "held"
    assert await officer_in_charge(db, world) == world.colleague.id
    await rms_names(db, world, world.oic)  # sent again: still one conflict
    async with db.session() as session:
        assert len((await session.exec(select(Handover).where(Handover.state == "held"))).all()) == 1

    await sign_in_as(client, db, world.supervisor)
    page = await client.page(crime_url(world))
    conflict = page.select_one("#officer-conflicts")
    assert "The records system names PC Sam Jones" in text_of(conflict)

    page = await client.submit(f"{crime_url(world)}/officer-conflicts/{held.id}", {"decision": "apply"})
    assert await officer_in_charge(db, world) == world.oic.id
    assert page.select_one("#officer-conflicts") is None


async def test_a_supervisor_may_keep_the_officer_they_chose(client, db, world):
    await reassign(client, db, world, world.colleague)
    held = await rms_names(db, world, world.oic)

    await client.page(crime_url(world))
    page = await client.submit(f"{crime_url(world)}/officer-conflicts/{held.id}", {"decision": "keep"})

    assert await officer_in_charge(db, world) == world.colleague.id
    assert page.select_one("#officer-conflicts") is None


async def test_a_records_system_change_long_after_a_portal_change_is_applied(client, db, world):
    await reassign(client, db, world, world.colleague)
    await portal_change_made_hours_ago(db, HOLD_HOURS + 1)

    applied = await rms_names(db, world, world.outsider)

    assert applied is not None and applied.state == "applied" and applied.source == "rms"
    assert await officer_in_charge(db, world) == world.outsider.id


async def test_an_officer_cannot_settle_a_conflict(oic_client, client, db, world):
    await reassign(client, db, world, world.colleague)
    held = await rms_names(db, world, world.oic)
    await sign_in_as(client, db, world.colleague)
    await client.page(crime_url(world))
    response = await client.post(f"{crime_url(world)}/officer-conflicts/{held.id}", {"decision": "apply"})
    assert response.status_code in (403, 404)
    assert await officer_in_charge(db, world) == world.colleague.id


@pytest.mark.parametrize(("hold_hours", "held"), [(3, True), (1, False), (0, False)])
async def test_the_hold_lasts_as_long_as_the_setting_says(client, db, world, hold_hours, held):
    await reassign(client, db, world, world.colleague)
    await portal_change_made_hours_ago(db, 2)

    handover = await rms_names(db, world, world.outsider, hold_hours=hold_hours)

    assert handover is not None and (handover.state == "held") is held
    assert await officer_in_charge(db, world) == (world.colleague.id if held else world.outsider.id)


def test_the_hold_hours_setting_is_read_and_checked():
    assert load_settings({}).handover_hold_hours == 48
    assert load_settings({"TMC_HANDOVER_HOLD_HOURS": "6"}).handover_hold_hours == 6
    for wrong in ("two days", "-1", "100000"):
        with pytest.raises(SettingsError, match="TMC_HANDOVER_HOLD_HOURS"):
            load_settings({"TMC_HANDOVER_HOLD_HOURS": wrong})


@pytest.mark.parametrize(("hold_hours", "held"), [("0", False), ("48", True)])
async def test_the_ingest_api_holds_for_the_hours_the_setting_gives(
    client, db, settings, world, hold_hours, held
):
    """Through the ingest API of an app configured with TMC_HANDOVER_HOLD_HOURS (0: never held)."""
    await reassign(client, db, world, world.colleague)
    async with db.transaction() as session:
        _key, key = await make_api_key(session, await session.get(Force, world.force.id))
    configured = load_settings({"TMC_HANDOVER_HOLD_HOURS": hold_hours}, mode="test").handover_hold_hours
    app = create_app(settings.with_changes(handover_hold_hours=configured), db)
    body = {
        "offence": "Burglary of a home",
        "status": "under_investigation",
        "reported_at": "2026-11-20T14:05:00Z",
        "officer_in_charge": {"email": world.outsider.email, "name": world.outsider.name},
        "parties": [],
    }
    async with WebClient(app) as rms:
        response = await rms.http.put(
            f"/api/v1/crimes/{world.crime.reference}",
            content=json.dumps(body),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert await officer_in_charge(db, world) == (world.colleague.id if held else world.outsider.id)
