"""Alert wording: templates/email/ and templates/sms/, rendered in the reader's language.

The templates see only `MessageFields`: the force's name and phone number, the service name, where
to sign in (or a single-use link made now, at send time, from the party row) and whether the reader
is an officer. Nothing about the case (offence, updates, messages, reference, date of birth) can
reach them, because nothing about the case is ever loaded here.
"""

from __future__ import annotations

import gettext as _gettext
import json
import unicodedata
from dataclasses import asdict, dataclass, replace
from functools import cache, lru_cache
from html import escape
from urllib.parse import urlsplit

import jinja2

from .. import i18n
from ..auth.links import REGISTRATION_CODE_DAYS, RESET_LINK_HOURS, invitation_url, password_reset_url
from ..models import Crime, Force, Officer, Party
from ..paths import TEMPLATES_DIR
from ..settings import Settings
from .outbox import AlertKind

SERVICE_NAME = "TrackMyCrime"
BILINGUAL = ("cy", "en")  # in the order a Welsh-first email gives them
EMERGENCY_PHONE = "999"


@dataclass(frozen=True)
class MessageFields:
    """Everything an alert template may say."""

    kind: str
    force_name: str
    help_phone: str
    action_url: str
    sign_in_url: str
    for_officer: bool
    lang: str
    link_days: int = 0
    link_hours: int = 0
    # The force sends emails in Welsh and English, Welsh first (Welsh forces; issue 20).
    welsh_first: bool = False
    # A text invitation (issue 21) carries a code made at send time, never a link unless the force
    # allows one: the site's name to type in, and the page where the code is entered.
    registration_code: str = ""
    # An invitation names the crime reference: the person needs it to sign in (issue 16, item 14).
    # It identifies the case but tells nothing about it; no other alert carries it.
    crime_reference: str = ""
    site_name: str = ""
    code_url: str = ""
    links_in_texts: bool = False
    # Whether the worker reads texts sent back (issue 21): then a reply reaches the officer.
    replies_read: bool = False
    # The reader is a trusted helper (issue 21): it is someone else's crime report they follow.
    for_helper: bool = False
    # An officer's digest (issue 21): per crime reference, how many messages, requests, updates due.
    digest: tuple[tuple[str, int, int, int], ...] = ()
    service_name: str = SERVICE_NAME
    emergency_phone: str = EMERGENCY_PHONE

    def personalisation(self, text: str) -> dict[str, str]:
        """What a GOV.UK Notify template may use: our whole text, or its parts."""
        return {
            "message": text,
            "force_name": self.force_name,
            "url": self.action_url,
            "service_name": self.service_name,
        }


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def reader_language(requested: str | None) -> str:
    """The reader's language if we have its catalogue, else English (so `lang` tells the truth)."""
    language = i18n.choose_language(requested)
    if language != i18n.DEFAULT_LANGUAGE and not isinstance(
        i18n.translations(language), _gettext.GNUTranslations
    ):
        return i18n.DEFAULT_LANGUAGE
    return language


def message_fields(
    settings: Settings,
    kind: str,
    force: Force,
    *,
    party: Party | None = None,
    officer: Officer | None = None,
    crime: Crime | None = None,
    context: dict[str, str] | None = None,
) -> MessageFields:
    """The fields for one alert; invitation and reset links are signed now, never stored."""
    if kind not in AlertKind.ALL:
        raise ValueError(f"unknown alert kind {kind!r}")
    for_officer = party is None
    sign_in_url = f"{settings.base_url}/officer/sign-in" if for_officer else f"{settings.base_url}/sign-in"
    action_url, link_days, link_hours, crime_reference = sign_in_url, 0, 0, ""
    if party is not None and kind == AlertKind.INVITATION:
        action_url, link_days = invitation_url(settings, party), settings.invitation_days
        crime_reference = crime.reference if crime is not None else ""
    elif party is not None and kind == AlertKind.PASSWORD_RESET:
        action_url, link_hours = password_reset_url(settings, party), RESET_LINK_HOURS
    language = party.preferred_language if party is not None else settings.default_language
    return MessageFields(
        kind=kind,
        force_name=force.name,
        help_phone=force.non_emergency_phone or "101",
        action_url=action_url,
        sign_in_url=sign_in_url,
        for_officer=for_officer,
        lang=reader_language(language),
        link_days=link_days,
        link_hours=link_hours,
        welsh_first=force.welsh_first and not for_officer,
        site_name=urlsplit(settings.base_url).netloc,
        code_url=f"{settings.base_url}/register",
        links_in_texts=force.links_in_texts,
        replies_read=settings.sms_replies_poll_seconds > 0,
        for_helper=party is not None and party.helps_party_id is not None,
        digest=_digest(kind, context),
        crime_reference=crime_reference,
    )


def _digest(kind: str, context: dict[str, str] | None) -> tuple[tuple[str, int, int, int], ...]:
    if kind != AlertKind.OFFICER_DIGEST or not context:
        return ()
    try:
        rows = json.loads(context.get("digest", "[]"))
        return tuple((str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows)
    except (ValueError, TypeError, IndexError):
        return ()


def with_registration_code(fields: MessageFields, code: str) -> MessageFields:
    """A text or letter invitation: the code (valid for its own days) instead of a link."""
    return replace(fields, registration_code=code, link_days=REGISTRATION_CODE_DAYS)


@cache
def _templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(("html",), default_for_string=False, default=False),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    return environment


def _tidy(text: str) -> str:
    """No runs of blank lines or trailing spaces, whatever the template's whitespace."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"


def render_email(fields: MessageFields) -> EmailContent:
    if fields.welsh_first and fields.lang in BILINGUAL:
        welsh, english = (render_email(replace(fields, welsh_first=False, lang=lang)) for lang in BILINGUAL)
        return _bilingual(welsh, english)
    if fields.link_days or fields.link_hours:
        return _render_email(fields)  # a personal link: nothing to share with other readers
    return _shared_email(fields)


def render_sms(fields: MessageFields) -> str:
    """In the reader's one language, in the GSM alphabet so that it costs what the English does."""
    if fields.link_days or fields.link_hours:
        return gsm_text(_render_sms(fields))
    return gsm_text(_shared_sms(fields))


def _bilingual(welsh: EmailContent, english: EmailContent) -> EmailContent:
    """One email, the Welsh first and then the English, each part marked with its language."""

    def body(html: str) -> str:
        return html.split("<body>", 1)[1].rsplit("</body>", 1)[0].strip()

    subject = f"{welsh.subject} / {english.subject}"
    head, _body = welsh.html.split("<body>", 1)
    head = head.replace(f"<title>{escape(welsh.subject)}</title>", f"<title>{escape(subject)}</title>")
    html = (
        f'{head}<body>\n<div lang="cy">\n{body(welsh.html)}\n</div>\n<hr>\n'
        f'<div lang="en">\n{body(english.html)}\n</div>\n</body>\n</html>\n'
    )
    return EmailContent(subject=subject, text=f"{welsh.text}\n---\n\n{english.text}", html=html)


# What a phone sends as one 160-character fragment (GSM 03.38); anything else makes the whole text
# UCS-2, 70 characters a fragment. Welsh and Polish letters outside it are sent as their base
# letter ('ŵ' as 'w', 'ł' as 'l'), as Notify and Polish services do.
GSM_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
_GSM_STAND_INS = {"ł": "l", "Ł": "L", "‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-"}


def gsm_text(text: str) -> str:
    return "".join(_gsm_character(character) for character in text)


def _gsm_character(character: str) -> str:
    if character in GSM_CHARACTERS:
        return character
    if character in _GSM_STAND_INS:
        return _GSM_STAND_INS[character]
    base = unicodedata.normalize("NFD", character)[0]
    return base if base in GSM_CHARACTERS else "?"


def _render_email(fields: MessageFields) -> EmailContent:
    variables = asdict(fields)
    with i18n.in_language(fields.lang):
        text_template = _templates().get_template(f"email/{fields.kind}.txt")
        subject_block = text_template.blocks["subject"](text_template.new_context(variables))
        subject = " ".join("".join(subject_block).split())
        text = text_template.render(variables)
        html = (
            _templates().get_template(f"email/{fields.kind}.html").render({**variables, "subject": subject})
        )
    return EmailContent(subject=subject, text=_tidy(text), html=html)


def _render_sms(fields: MessageFields) -> str:
    with i18n.in_language(fields.lang):
        text = _templates().get_template(f"sms/{fields.kind}.txt").render(asdict(fields))
    return " ".join(text.split())


def render_letter(fields: MessageFields) -> str:
    """A letter's body (Notify adds the address): paragraphs, never a link, for people offline."""
    with i18n.in_language(fields.lang):
        return _tidy(_templates().get_template(f"letter/{fields.kind}.txt").render(asdict(fields)))


# Most alerts of a kind read the same for everyone of a force and language: render them once.
_shared_email = lru_cache(maxsize=256)(_render_email)
_shared_sms = lru_cache(maxsize=256)(_render_sms)
