"""Support and advice: local services from the force's settings, national services, the party's rights."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from ..auth.sessions import party_required
from ..i18n import gettext as _
from ..models import Force
from ..pages import render

SAFE_WEBSITE = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
FIELD_LIMIT = 500


@dataclass(frozen=True)
class SupportService:
    name: str
    offers: str = ""
    phone: str = ""
    website: str = ""
    hours: str = ""

    @property
    def phone_link(self) -> str:
        """The number for a tel: link: digits and a leading plus only."""
        return re.sub(r"[^\d+]", "", self.phone)


def _field(entry: dict[str, object], name: str) -> str:
    value = entry.get(name)
    return value.strip()[:FIELD_LIMIT] if isinstance(value, str) else ""


def local_services(force: Force) -> list[SupportService]:
    """The force's own list; anything malformed is left out rather than shown broken."""
    try:
        entries = json.loads(force.support_services_json or "[]")
    except ValueError:
        return []
    if not isinstance(entries, list):
        return []
    services = []
    for entry in entries:
        if not isinstance(entry, dict) or not _field(entry, "name"):
            continue
        website = _field(entry, "website")
        services.append(
            SupportService(
                name=_field(entry, "name"),
                offers=_field(entry, "offers"),
                phone=_field(entry, "phone"),
                website=website if SAFE_WEBSITE.fullmatch(website) else "",
                hours=_field(entry, "hours"),
            )
        )
    return services


def national_services() -> list[SupportService]:
    return [
        SupportService(
            name=_("Victim Support"),
            offers=_("Free, private help for anyone hurt by crime. You do not need to have told the police."),
            phone="08 08 16 89 111",
            website="https://www.victimsupport.org.uk",
            hours=_("24 hours a day, every day"),
        ),
        SupportService(
            name=_("Citizens Advice Witness Service"),
            offers=_(
                "Help for victims and witnesses who have to go to court. You can visit the court first."
            ),
            website="https://www.citizensadvice.org.uk/about-us/our-work/witness-service/",
        ),
        SupportService(
            name=_("Samaritans"),
            offers=_("Someone to talk to if you are struggling to cope."),
            phone="116 123",
            website="https://www.samaritans.org",
            hours=_("24 hours a day, every day"),
        ),
        SupportService(
            name=_("National Domestic Abuse Helpline"),
            offers=_(
                "Free help for anyone hurt or scared by someone at home. "
                "They will not tell anyone what you say."
            ),
            phone="0808 2000 247",
            website="https://www.nationaldahelpline.org.uk",
            hours=_("24 hours a day, every day"),
        ),
        SupportService(
            name=_("Action Fraud"),
            offers=_("Report fraud and crime done online here, for all of the UK."),
            phone="0300 123 2040",
            website="https://www.actionfraud.police.uk",
        ),
    ]


RIGHTS_PAGE_PATHS = ("/rights", "/your-rights")


def rights_page_url(request: Request) -> str:
    """The "Your rights" page's address when the app has one, so this page links to it, not repeats it."""
    paths = {getattr(route, "path", "") for route in request.app.routes}
    return next((path for path in RIGHTS_PAGE_PATHS if path in paths), "")


@party_required
async def support_page(request: Request) -> Response:
    force: Force = request.state.force
    return render(
        request,
        "victim/support.html",
        {
            "local_services": local_services(force),
            "national_services": national_services(),
            "rights_url": rights_page_url(request),
        },
    )
