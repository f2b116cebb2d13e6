"""Who is offered the portal: the force's offence codes and exclusions, and officers' overrides."""

from __future__ import annotations

import re

from .i18n import gettext as _
from .models import Crime, Force, Party

_SEPARATORS = re.compile(r"[\s,;]+")
MAX_CODES_TEXT = 4000


def parse_codes(text: str) -> list[str]:
    """Codes as a force types them, one per line or separated by commas: upper case, no repeats."""
    seen: dict[str, None] = {}
    for code in _SEPARATORS.split(text.upper()):
        if code:
            seen.setdefault(code, None)
    return list(seen)


def codes_text(text: str) -> str:
    """The stored form: one code per line."""
    return "\n".join(parse_codes(text))


def exclusion_reason(force: Force, crime: Crime, party: Party) -> str | None:
    """Why the portal is not offered to this party, in words for officers; None when it is offered.

    An officer's recorded override offers it whatever the rules say.
    """
    if party.portal_override_reason:
        return None
    if party.shares_address_with_suspect:
        return _("The records system says they share an address with a suspect.")
    code = crime.offence_code.strip().upper()
    if code and code in parse_codes(force.portal_excluded_offence_codes):
        return _("The force does not offer the portal for offence code {code}.").format(code=code)
    offered = parse_codes(force.portal_offence_codes)
    if offered and code not in offered:
        if not code:
            return _(
                "The crime has no code for its type. This force only uses the site for some types of crime."
            )
        return _("The force does not offer the portal for offence code {code}.").format(code=code)
    return None


def portal_offered(force: Force, crime: Crime, party: Party) -> bool:
    return exclusion_reason(force, crime, party) is None
