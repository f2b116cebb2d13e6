"""`tmc victims-code`: check a rules file, list bank holidays, recompute every crime's entitlements."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select

from ..database import Database
from ..models import Crime, Force, utcnow
from ..settings import Settings
from .entitlements import refresh_entitlements
from .rules import Rules, load_rules

REFRESH_BATCH = 200


def describe_rules(rules: Rules) -> list[str]:
    lines = [
        f"Rules: {rules.source}",
        f"Deadline: {rules.working_days} working days, "
        f"{rules.enhanced_rights_working_days} with enhanced rights",
        f"Regular contact owed to: {', '.join(sorted(rules.regular_contact_owed_to)) or 'nobody'}",
    ]
    for rule in rules.events.values():
        lines.append(
            f"  {rule.status}: {', '.join(sorted(rule.owed_to))} within {rule.working_days} "
            f"working days ({rule.enhanced_rights_working_days} with enhanced rights)"
        )
    extra = sorted(rules.calendar.extra_bank_holidays)
    if extra:
        lines.append("Extra bank holidays: " + ", ".join(day.isoformat() for day in extra))
    return lines


def run_check(settings: Settings, path: str | None) -> list[str]:
    """Load and check the rules (the file given, else the one in use); raises RulesError."""
    return describe_rules(load_rules(path or settings.victims_code_rules or None))


def run_bank_holidays(settings: Settings, year: int | None) -> list[str]:
    rules = load_rules(settings.victims_code_rules or None)
    chosen = year or utcnow().year
    found = rules.calendar.bank_holidays(chosen)
    return [f"{day.isoformat()} {day:%A}: {name}" for day, name in found.items()]


async def refresh_all(db: Database, rules: Rules, force_code: str | None = None) -> int:
    """Recompute the entitlements of every crime (of one force), a crime per transaction; returns how many."""
    async with db.session() as session:
        query = select(Crime.id).order_by(col(Crime.id))
        if force_code:
            query = query.join(Force, col(Force.id) == Crime.force_id).where(Force.code == force_code)
        crime_ids = [crime_id for crime_id in (await session.exec(query)).all() if crime_id is not None]
    for crime_id in crime_ids:
        async with db.transaction() as session:
            await refresh_entitlements(session, crime_id, rules)
    return len(crime_ids)


def run_refresh(settings: Settings, force_code: str | None) -> str:
    rules = load_rules(settings.victims_code_rules or None)

    async def go() -> int:
        db = Database(settings.database_url)
        try:
            return await refresh_all(db, rules, force_code)
        finally:
            await db.dispose()

    count = asyncio.run(go())
    crimes = "crime" if count == 1 else "crimes"
    return f"Entitlements recomputed for {count} {crimes} at {utcnow():%Y-%m-%d %H:%M} UTC."
