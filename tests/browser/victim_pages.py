"""Helpers for the victim portal's browser tests: parties of their own in the live demo, sign-in, checks."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.axe import JS_OFF_PAGES, assert_accessible
from tests.browser_fixtures import run_outside_event_loop
from tests.factories import make_party
from tests.web.victim_data import (
    PASSWORD,
    VictimCase,
    add_crime,
    add_message,
    add_party,
    add_update,
    give_registration_code,
)
from trackmycrime.database import Database
from trackmycrime.models import Force, Officer

T = TypeVar("T")
WIDTHS = (320, 1280)
_numbers = itertools.count(1)


def in_live_database(live_server: Any, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction on the live server's database (SQLite, shared by all browser tests)."""

    async def run() -> T:
        database = Database(live_server.settings.database_url)
        try:
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    return run_outside_event_loop(run)


def new_victim(live_server: Any, *, registered: bool = True, **party_options: Any) -> VictimCase:
    """A crime and party of this test's own in the demo force, so that changes touch no other test."""
    reference = f"DP-2026-{os.getpid() % 1000:03d}{next(_numbers):03d}"

    async def create(session: AsyncSession) -> VictimCase:
        force = (await session.exec(select(Force).where(Force.code == "DEMO"))).one()
        officer = (await session.exec(select(Officer).where(Officer.name == "PC Sam Jones"))).one()
        crime = await add_crime(session, force, officer, reference=reference)
        party_options.setdefault("surname", "Hughes")
        party_options.setdefault("email", f"{reference.lower()}@example.org")
        party = await add_party(session, crime, password=PASSWORD if registered else None, **party_options)
        add_update(session, crime, "Your crime has been recorded.", status="recorded", days_ago=3)
        return VictimCase(force, officer, crime, party)

    return in_live_database(live_server, create)


def add_hearings(live_server: Any, case: VictimCase) -> None:
    """A trial to come (the party needed at it) and a finished plea hearing, sent by a Witness Care Unit."""

    async def add(session: AsyncSession) -> None:
        from trackmycrime.case_events.hearings import HearingDetails, record_hearing
        from trackmycrime.models import Crime, utcnow

        force = await session.get(Force, case.force.id)
        crime = await session.get(Crime, case.crime.id)
        assert force is not None and crime is not None
        now = utcnow().replace(microsecond=0)
        hearings = {
            "H-1": HearingDetails(
                "Demoshire Magistrates' Court",
                "1 Court Street\nDemoton DM1 2CC",
                now - dt.timedelta(days=9),
                "plea",
                "concluded",
                outcome="The defendant pleaded not guilty. A trial date has been set.",
            ),
            "H-2": HearingDetails(
                "Demoshire Crown Court",
                "2 Castle Street\nDemoton DM1 3CC",
                now + dt.timedelta(days=30),
                "trial",
                "listed",
                parties_required=(case.party.rms_party_id,),
            ),
        }
        for rms_id, details in hearings.items():
            await record_hearing(
                session,
                force=force,
                crime=crime,
                rms_hearing_id=rms_id,
                details=details,
                agency="witness_care_unit",
            )

    in_live_database(live_server, add)


def add_decision(live_server: Any, case: VictimCase) -> int:
    """A decision to take no further action, which the victim may ask to have reviewed; returns its id."""

    async def add(session: AsyncSession) -> int:
        from trackmycrime.case_events.decisions import record_decision
        from trackmycrime.models import Crime, utcnow

        force = await session.get(Force, case.force.id)
        crime = await session.get(Crime, case.crime.id)
        assert force is not None and crime is not None
        decision, _created = await record_decision(
            session,
            force=force,
            crime=crime,
            rms_decision_id="D-1",
            kind="no_further_action",
            reason="There is not enough evidence to charge anyone at the moment.",
            decided_at=utcnow() - dt.timedelta(days=2),
            agency="police",
        )
        assert decision.id is not None
        return decision.id

    return in_live_database(live_server, add)


def add_handover_and_conflict(live_server: Any) -> int:
    """A crime handed to PC Sam Jones by DS Priya Shah with a note, and a records-system change to DC Lee
    Evans held for a supervisor; returns the crime's id."""
    reference = f"DP-2026-{os.getpid() % 1000:03d}{next(_numbers):03d}"

    async def add(session: AsyncSession) -> int:
        from trackmycrime.models import Handover, HandoverState, utcnow

        force = (await session.exec(select(Force).where(Force.code == "DEMO"))).one()
        officers = {o.name: o for o in (await session.exec(select(Officer))).all()}
        sam, lee, priya = officers["PC Sam Jones"], officers["DC Lee Evans"], officers["DS Priya Shah"]
        crime = await add_crime(session, force, sam, reference=reference)
        await add_party(session, crime, surname="Price", email=f"{reference.lower()}@example.org")
        now = utcnow()
        session.add(
            Handover(
                crime_id=crime.id,  # type: ignore[arg-type]
                from_officer_id=lee.id,
                to_officer_id=sam.id,
                by_officer_id=priya.id,
                note="The victim works nights: call after 2pm. The CCTV request to number 14 is still open.",
                source="portal",
                created_at=now - dt.timedelta(hours=3),
            )
        )
        session.add(
            Handover(
                crime_id=crime.id,  # type: ignore[arg-type]
                from_officer_id=sam.id,
                to_officer_id=lee.id,
                source="rms",
                state=HandoverState.HELD,
                created_at=now - dt.timedelta(hours=1),
            )
        )
        assert crime.id is not None
        return crime.id

    return in_live_database(live_server, add)


def add_property(live_server: Any, case: VictimCase) -> list[int]:
    """Two items on the victim's crime, as the records system would send them; returns their ids."""

    async def add(session: AsyncSession) -> list[int]:
        from trackmycrime.case_events.property import mark_parties_with_property
        from trackmycrime.models import Party, PropertyItem

        items = [
            PropertyItem(
                crime_id=case.crime.id,
                rms_item_id="I-1",
                description="Silver laptop",
                category="Computers",
                state="missing",
                value_pence=89900,
            ),
            PropertyItem(
                crime_id=case.crime.id, rms_item_id="I-2", description="Back door lock", state="damaged"
            ),
        ]
        session.add_all(items)
        await session.flush()
        party = await session.get(Party, case.party.id)
        assert party is not None
        mark_parties_with_property([party], items)
        session.add(party)
        return [item.id for item in items if item.id is not None]

    return in_live_database(live_server, add)


def add_helper(live_server: Any, case: VictimCase, *, registered: bool = False) -> int:
    """A carer helping the victim (issue 21), as adding them on the crime page would; returns their id."""

    async def add(session: AsyncSession) -> int:
        from trackmycrime.auth.passwords import FAST_HASHER, hash_password_now
        from trackmycrime.models import utcnow

        helper = await make_party(
            session,
            case.crime,
            rms_party_id="helper-1",
            role="helper",
            forenames="Jo",
            surname=HELPER_SURNAME,
            date_of_birth=HELPER_BORN,
            email="jo.carer@example.org",
            helps_party_id=case.party.id,
            helper_relationship="carer",
            helper_added_by="officer",
            password_hash=hash_password_now(FAST_HASHER, HELPER_PASSWORD) if registered else None,
            registered_at=utcnow() if registered else None,
        )
        assert helper.id is not None
        return helper.id

    return in_live_database(live_server, add)


def issue_code(live_server: Any, case: VictimCase) -> str:
    async def issue(session: AsyncSession) -> str:
        from trackmycrime.models import Party

        party = await session.get(Party, case.party.id)
        assert party is not None
        # The code's look-up fingerprint is keyed with the live server's own secret key.
        return await give_registration_code(session, party, secret_key=live_server.settings.secret_key)

    return in_live_database(live_server, issue)


def officer_replies(live_server: Any, case: VictimCase, body: str) -> None:
    async def reply(session: AsyncSession) -> None:
        add_message(session, case.party, body, officer=case.officer, days_ago=0)

    in_live_database(live_server, reply)


def officer_posts_update(live_server: Any, case: VictimCase, text: str, status: str | None = None) -> None:
    async def post(session: AsyncSession) -> None:
        add_update(session, case.crime, text, status=status, days_ago=0)

    in_live_database(live_server, post)


def add_history(live_server: Any, case: VictimCase, count: int = 30) -> None:
    """Older updates and messages (already read), a day apart: enough for an earlier page of the timeline."""

    async def history(session: AsyncSession) -> None:
        for number in range(count):
            if number % 2:
                body = f"Earlier reply {number}."
                add_message(session, case.party, body, officer=case.officer, days_ago=30 + number, read=True)
            else:
                add_update(session, case.crime, f"Earlier update {number}.", days_ago=30 + number)

    in_live_database(live_server, history)


HELPER_PASSWORD = "the helper's own passphrase"  # noqa: S105
HELPER_SURNAME = "Carer"
HELPER_BORN = dt.date(1975, 6, 1)


def fill_date(page: Any, name: str, born: dt.date) -> None:
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))


def sign_in(page: Any, live_server: Any, case: VictimCase | None = None) -> None:
    """Sign in through the form, as the demo victim unless a case of the test's own is given."""
    page.goto(live_server.url + "/sign-in")
    if case is None:
        logins = live_server.logins
        surname, reference, born, password = (
            logins.victim_surname,
            logins.victim_reference,
            logins.victim_date_of_birth,
            logins.victim_password,
        )
    else:
        assert case.party.date_of_birth is not None
        surname, reference, born, password = (
            case.party.surname,
            case.crime.reference,
            case.party.date_of_birth,
            case.password,
        )
    page.get_by_label("Surname").fill(surname)
    page.get_by_label("Crime reference number").fill(reference)
    fill_date(page, "date_of_birth", born)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/case*")


def sign_in_as_helper(page: Any, live_server: Any, case: VictimCase) -> None:
    """Sign in through the form as the helper add_helper made, with their own details."""
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Surname").fill(HELPER_SURNAME)
    page.get_by_label("Crime reference number").fill(case.crime.reference)
    fill_date(page, "date_of_birth", HELPER_BORN)
    page.get_by_label("Password", exact=True).fill(HELPER_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/case*")


def check_page(page: Any, state: str) -> None:
    """axe-clean and no sideways scrolling, at 320 and 1280 CSS pixels wide."""
    original = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{state} at {width}px")
        if page not in JS_OFF_PAGES:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px ({state})"
    if original:
        page.set_viewport_size(original)


def focused(page: Any) -> str:
    """What has keyboard focus: its id, else its text."""
    return page.evaluate(
        "(() => { const e = document.activeElement; return e.id || (e.textContent || '').trim(); })()"
    )


def tab_to(page: Any, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element with this id has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")
