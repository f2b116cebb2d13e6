"""Demo data: one force, its officers and a handful of crimes at different stages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession

from ..auth.passwords import hash_password
from ..case_events.decisions import record_decision
from ..case_events.hearings import UK, HearingDetails, record_hearing
from ..case_events.property import mark_parties_with_property
from ..forces import add_force
from ..identity import reference_key, surname_key
from ..models import (
    Agency,
    AlertChannel,
    CaseUpdate,
    Crime,
    DecisionKind,
    Force,
    HearingStatus,
    Message,
    MessageDirection,
    Officer,
    OfficerRole,
    Party,
    PropertyItem,
    PropertyState,
    ReceivedText,
    saved_id,
    utcnow,
)
from ..officer.accounts import add_officer
from ..victims_code.entitlements import refresh_entitlements
from ..victims_code.rules import Rules

OFFICER_PASSWORD = "demo officer password"
VICTIM_PASSWORD = "demo victim password"


@dataclass(frozen=True)
class DemoLogins:
    force_code: str
    officer_email: str
    supervisor_email: str
    admin_email: str
    officer_password: str
    victim_surname: str
    victim_reference: str
    victim_date_of_birth: dt.date
    victim_password: str


async def seed_demo(db: AsyncSession, hasher: PasswordHasher, rules: Rules) -> DemoLogins:
    now = utcnow()
    force = await add_force(db, code="DEMO", name="Demoshire Police", crime_ref_pattern=r"DP-\d{4}-\d{6}")
    force.contact_email = "contact@demoshire-police.example"
    force.website = "https://demoshire-police.example"
    force.support_services_json = json.dumps(
        [
            {
                "name": "Demoshire Victim Care",
                "offers": "Practical and emotional support after any crime",
                "phone": "0300 123 4567",
                "website": "https://victimcare.demoshire.example",
                "hours": "Monday to Friday, 8am to 8pm; Saturday, 9am to 5pm",
            },
        ]
    )
    assert force.id is not None

    oic = await add_officer(
        db,
        hasher=hasher,
        force_id=force.id,
        email="sam.jones@demoshire-police.example",
        name="PC Sam Jones",
        shoulder_number="1234",
        password=OFFICER_PASSWORD,
        team="Demoshire North CID",
    )
    colleague = await add_officer(
        db,
        hasher=hasher,
        force_id=force.id,
        email="lee.evans@demoshire-police.example",
        name="DC Lee Evans",
        shoulder_number="2345",
        password=OFFICER_PASSWORD,
        team="Demoshire North CID",
    )
    supervisor = await add_officer(
        db,
        hasher=hasher,
        force_id=force.id,
        email="priya.shah@demoshire-police.example",
        name="DS Priya Shah",
        shoulder_number="3456",
        password=OFFICER_PASSWORD,
        role=OfficerRole.SUPERVISOR,
        team="Demoshire North CID",
    )
    admin = await add_officer(
        db,
        hasher=hasher,
        force_id=force.id,
        email="admin@demoshire-police.example",
        name="Jo Admin",
        password=OFFICER_PASSWORD,
        role=OfficerRole.ADMIN,
    )
    victim_password_hash = await hash_password(hasher, VICTIM_PASSWORD)

    def days_ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    async def crime(
        reference: str, offence: str, status: str, reported_days_ago: float, officer: Officer
    ) -> Crime:
        row = Crime(
            force_id=saved_id(force),
            reference=reference,
            reference_key=reference_key(reference),
            offence=offence,
            status=status,
            reported_at=days_ago(reported_days_ago),
            officer_in_charge_id=officer.id,
            created_at=days_ago(reported_days_ago),
        )
        if status in ("closed", "no_further_action"):
            row.closed_at = days_ago(1)
        db.add(row)
        await db.flush()
        return row

    async def party(
        crime_row: Crime,
        rms_id: str,
        forenames: str,
        surname: str,
        born: dt.date,
        *,
        registered: bool,
        email: str,
        role: str = "victim",
        enhanced: bool = False,
    ) -> Party:
        row = Party(
            crime_id=saved_id(crime_row),
            rms_party_id=rms_id,
            role=role,
            forenames=forenames,
            surname=surname,
            surname_key=surname_key(surname),
            date_of_birth=born,
            email=email,
            mobile="+447700900123",
            enhanced_rights=enhanced,
            alert_channel=AlertChannel.EMAIL,
            invited_at=crime_row.created_at,
        )
        if registered:
            row.password_hash = victim_password_hash
            row.registered_at = crime_row.created_at + dt.timedelta(hours=3)
            row.last_sign_in_at = days_ago(2)
        db.add(row)
        await db.flush()
        return row

    def update(
        crime_row: Crime,
        text: str,
        status: str | None,
        days: float,
        author: Officer | None = None,
        rms_id: str | None = None,
    ) -> None:
        db.add(
            CaseUpdate(
                crime_id=saved_id(crime_row),
                text=text,
                status=status,
                occurred_at=days_ago(days),
                created_at=days_ago(days),
                author_officer_id=author.id if author else None,
                rms_update_id=rms_id,
            )
        )

    def message(
        crime_row: Crime,
        party_row: Party,
        body: str,
        days: float,
        officer: Officer | None = None,
        read: bool = True,
    ) -> None:
        db.add(
            Message(
                crime_id=saved_id(crime_row),
                party_id=saved_id(party_row),
                body=body,
                direction=MessageDirection.TO_PARTY if officer else MessageDirection.FROM_PARTY,
                officer_id=officer.id if officer else None,
                created_at=days_ago(days),
                read_at=days_ago(days - 0.1) if read else None,
            )
        )

    burglary = await crime("DP-2026-000123", "Burglary of a home", "suspect_arrested", 12, oic)
    alex = await party(
        burglary,
        "P1",
        "Alex",
        "O'Brien",
        dt.date(1980, 2, 29),
        registered=True,
        email="alex.obrien@example.org",
    )
    update(burglary, "Your crime has been recorded and given to an officer.", "recorded", 12, rms_id="U-1")
    update(burglary, "PC Sam Jones is now in charge of your case.", "officer_assigned", 11.5, rms_id="U-2")
    update(
        burglary,
        "We have collected CCTV from two houses on your street and are reviewing it.",
        "under_investigation",
        8,
        author=oic,
    )
    update(
        burglary,
        "A man has been arrested in connection with the burglary. We will tell you "
        "what happens next within 5 working days.",
        "suspect_arrested",
        1,
        rms_id="U-77",
    )
    message(
        burglary,
        alex,
        "Hello, I have found a receipt for the laptop with its serial number. Would that help?",
        7,
    )
    message(
        burglary,
        alex,
        "Yes, thank you. Please send me the serial number here, or bring the "
        "receipt to Demoshire Central police station.",
        6.8,
        officer=oic,
    )
    message(burglary, alex, "The serial number is C02XK1ABJGH5.", 6)
    message(burglary, alex, "Is there any news about the arrest?", 0.2, read=False)
    burglary_property = [
        PropertyItem(
            crime_id=saved_id(burglary),
            rms_item_id="I-1",
            description="Silver MacBook Air laptop",
            category="Computers",
            state=PropertyState.MISSING,
            value_pence=89900,
            state_changed_at=days_ago(12),
        ),
        PropertyItem(
            crime_id=saved_id(burglary),
            rms_item_id="I-2",
            description="Wooden jewellery box with a gold chain and two rings",
            category="Jewellery",
            state=PropertyState.RECOVERED,
            value_pence=120000,
            state_changed_at=days_ago(1),
        ),
        PropertyItem(
            crime_id=saved_id(burglary),
            rms_item_id="I-3",
            description="Back door lock",
            category="Fixtures",
            state=PropertyState.DAMAGED,
            state_changed_at=days_ago(12),
        ),
    ]
    db.add_all(burglary_property)
    mark_parties_with_property([alex], burglary_property)

    theft = await crime("DP-2026-000456", "Theft of a bicycle", "charged", 40, colleague)
    morgan = await party(
        theft,
        "P1",
        "Morgan",
        "Zoë Price",
        dt.date(1995, 7, 14),
        registered=True,
        email="morgan.price@example.org",
        enhanced=True,
    )
    update(theft, "Your crime has been recorded.", "recorded", 40, rms_id="T-1")
    update(
        theft,
        "A woman has been charged with theft. The first court hearing is being arranged.",
        "charged",
        3,
        author=colleague,
    )
    message(theft, morgan, "Thank you for letting me know.", 2.5)
    await _hearings_of_the_theft(db, force, theft, now)

    damage = await crime("DP-2026-000789", "Criminal damage to a vehicle", "closed", 90, oic)
    await party(
        damage,
        "P1",
        "Chris",
        "Walker",
        dt.date(1971, 11, 3),
        registered=True,
        email="chris.walker@example.org",
    )
    update(
        damage,
        "We have reviewed the CCTV but could not identify who damaged your car. "
        "The case is closed, but it will be reopened if new information comes to light.",
        "closed",
        1,
        author=oic,
    )

    await record_decision(
        db,
        force=force,
        crime=damage,
        rms_decision_id="D-1",
        kind=DecisionKind.NO_FURTHER_ACTION,
        reason="The CCTV does not show the face of the person who damaged your car, and no one else saw it.",
        decided_at=days_ago(1.5),
        agency=Agency.POLICE,
    )

    fraud = await crime("DP-2026-001012", "Fraud by false representation", "recorded", 0.5, supervisor)
    await party(
        fraud,
        "P1",
        "Jordan",
        "Smith",
        dt.date(1958, 5, 20),
        registered=False,
        email="jordan.smith@example.org",
    )
    await party(fraud, "W1", "Sam", "Taylor", dt.date(1990, 1, 9), registered=False, email="", role="witness")

    # A text to the force's number from a mobile on no crime: waits under "Texts to route" (issue 21).
    db.add(
        ReceivedText(
            provider_id="demo-received-text-1",
            from_number="447700900777",
            content="Hello, this is Jordan's daughter. Mum asked me to say she is in hospital this week.",
            received_at=days_ago(0.2),
            force_id=force.id,
        )
    )

    for crime_row in (burglary, theft, damage, fraud):
        assert crime_row.id is not None
        await refresh_entitlements(db, crime_row.id, rules)

    return DemoLogins(
        force_code=force.code,
        officer_email=oic.email,
        supervisor_email=supervisor.email,
        admin_email=admin.email,
        officer_password=OFFICER_PASSWORD,
        victim_surname=alex.surname,
        victim_reference=burglary.reference,
        victim_date_of_birth=dt.date(1980, 2, 29),
        victim_password=VICTIM_PASSWORD,
    )


async def _hearings_of_the_theft(db: AsyncSession, force: Force, theft: Crime, now: dt.datetime) -> None:
    """A trial listed by the Witness Care Unit, and a plea hearing it moved to a later day."""

    def at_ten(days: int) -> dt.datetime:
        day = (now + dt.timedelta(days=days)).astimezone(UK).date()
        return dt.datetime.combine(day, dt.time(10), tzinfo=UK).astimezone(dt.UTC)

    court = "Demoshire Magistrates' Court"
    address = "1 Court Street\nDemoton DM1 2CC"
    plea = HearingDetails(court, address, at_ten(14), "plea", HearingStatus.LISTED)
    trial = HearingDetails(
        court, address, at_ten(42), "trial", HearingStatus.LISTED, parties_required=("P1",)
    )
    for rms_id, details in (("H-1", plea), ("H-2", trial)):
        await record_hearing(
            db,
            force=force,
            crime=theft,
            rms_hearing_id=rms_id,
            details=details,
            agency=Agency.WITNESS_CARE_UNIT,
        )
    moved = dataclasses.replace(plea, starts_at=at_ten(21), status=HearingStatus.MOVED)
    await record_hearing(
        db, force=force, crime=theft, rms_hearing_id="H-1", details=moved, agency=Agency.WITNESS_CARE_UNIT
    )
