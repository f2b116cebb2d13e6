"""The officer side of issue 20: the force's languages and Welsh-first setting, standard updates in
each language the force writes in, and each party's language beside the update form."""

from __future__ import annotations

import pytest

from tests.webclient import check_page, text_of
from trackmycrime.models import Force, Party

from .officer_world import sign_in_as

pytestmark = pytest.mark.anyio


async def set_force(db, world, **values):
    async with db.transaction() as session:
        force = await session.get(Force, world.force.id)
        for name, value in values.items():
            setattr(force, name, value)


async def test_an_admin_turns_on_welsh_standard_updates_and_welsh_first_emails(admin, db, world):
    page = await admin.page("/officer/admin/force")
    assert not page.select_one("#field-language_cy").has_attr("checked")
    values = {
        field["name"]: field.get("value", "") for field in page.select("main form input, main form textarea")
    }
    values = {name: value for name, value in values.items() if not name.startswith(("language_", "welsh"))}
    values.update({name: page.select_one(f"#field-{name}").get_text() for name in ("portal_offence_codes",)})
    values.update({"language_cy": "yes", "welsh_first": "yes"})
    page = await admin.submit("/officer/admin/force", values)
    assert "Force settings saved" in text_of(page.select_one(".notification"))
    async with db.session() as session:
        force = await session.get(Force, world.force.id)
    assert (force.languages, force.welsh_first) == ("en cy", True)
    page = await admin.page("/officer/admin/force")
    assert page.select_one("#field-language_cy").has_attr("checked")
    assert not page.select_one("#field-language_pl").has_attr("checked")
    assert page.select_one("#field-welsh_first").has_attr("checked")


async def test_standard_updates_are_offered_in_each_language_the_force_writes_in(client, db, world):
    await set_force(db, world, languages="en cy")
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    options = [text_of(option) for option in page.select("#field-template option")]
    assert "Suspect arrested" in options and "Rhywun a amheuir wedi'i arestio (Cymraeg)" in options
    assert not any("(Polski)" in option for option in options)
    assert options.index("Suspect arrested") < options.index("Rhywun a amheuir wedi'i arestio (Cymraeg)")
    response = await client.get(
        f"/officer/crimes/{world.crime.id}/update-form?template=arrested:cy", htmx=True
    )
    text = check_page(response.text, fragment=True).select_one("#field-text").get_text()
    assert text.startswith("Mae rhywun a amheuir wedi cael ei arestio.")


async def test_the_officer_sees_each_partys_language_beside_the_update_form(client, db, world):
    async with db.transaction() as session:
        victim = await session.get(Party, world.victim.id)
        victim.preferred_language = "cy"
    await sign_in_as(client, db, world.oic)
    page = await client.page(f"/officer/crimes/{world.crime.id}")
    languages = page.select_one("#party-languages")
    assert languages.find_parent("section").select_one("form#update-form"), "beside the update form"
    welsh = languages.select_one('span[lang="cy"]')
    assert text_of(welsh) == "Cymraeg"
    assert world.victim.surname in text_of(languages)


async def test_an_update_written_in_english_for_a_welsh_reader_is_kept_as_written(client, db, world):
    async with db.transaction() as session:
        victim = await session.get(Party, world.victim.id)
        victim.preferred_language = "cy"
    await sign_in_as(client, db, world.oic)
    await client.page(f"/officer/crimes/{world.crime.id}")
    written = "We have found your bike and will bring it round on Tuesday."
    await client.submit(
        f"/officer/crimes/{world.crime.id}/updates", {"text": written, "audience": "all", "status": ""}
    )
    async with db.session() as session:
        from sqlmodel import select

        from trackmycrime.models import CaseUpdate

        texts = (
            await session.exec(select(CaseUpdate.text).where(CaseUpdate.crime_id == world.crime.id))
        ).all()
    assert written in texts, "stored as the officer wrote it, not translated"
