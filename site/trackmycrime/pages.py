"""One way to render: the whole page, or only its fragment when htmx asks for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import jinja2
from markupsafe import escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from . import i18n
from .auth.csrf import masked_token
from .counted_words import character_count_words, idle_countdown_words
from .language import switch_links
from .paths import TEMPLATES_DIR
from .public.glossary import STATUS_TERMS
from .static_assets import StaticAssets
from .victim.quick_exit import EXIT_URL


def create_templates(assets: StaticAssets) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True
    )
    env.globals["static_url"] = assets.url
    env.globals["url_for"] = url_for
    env.globals["quick_exit_url"] = EXIT_URL
    env.filters["date_in_words"] = i18n.date_in_words
    env.filters["datetime_in_words"] = i18n.datetime_in_words
    env.filters["iso_datetime"] = i18n.iso_datetime
    env.filters["number"] = i18n.number
    env.globals["language_switch_links"] = _language_switch_links
    env.globals["status_terms"] = STATUS_TERMS
    env.globals["language_names"] = i18n.LANGUAGE_NAMES
    env.globals["idle_countdown_words"] = idle_countdown_words
    env.globals["character_count_words"] = character_count_words
    return env


@jinja2.pass_context
def url_for(context: Any, name: str, /, **path_params: Any) -> str:
    """The path of a named route, as starlette/templating.py's url_for but without scheme and host:
    pages link with paths, and redirects are made absolute with TMC_BASE_URL (base_url.py)."""
    request: Request = context["request"]
    return str(request.app.url_path_for(name, **path_params))


def redirect_to(
    request: Request,
    name: str,
    /,
    *,
    query: Mapping[str, Any] | str = "",
    fragment: str = "",
    **path_params: Any,
) -> RedirectResponse:
    """POST-redirect-GET to a named route, with a query string and a fragment if given."""
    url = str(request.app.url_path_for(name, **path_params))
    query_string = query if isinstance(query, str) else urlencode(query)
    if query_string:
        url += "?" + query_string
    if fragment:
        url += "#" + fragment
    return RedirectResponse(url, status_code=303)


def _language_switch_links(request: Request, party: object) -> list[tuple[str, str, str]]:
    url = request.url
    return switch_links(url.path, url.query, request.method, party is not None)


def is_htmx(request: Request) -> bool:
    # From the scope: request.headers.get raises and catches a KeyError for a header not sent, and
    # a full page, memoised or not, asks for this one more than once.
    for name, value in request.scope["headers"]:
        if name == b"hx-request":
            return value == b"true" and request.headers.get("hx-boosted") != "true"
    return False


def render_html(
    request: Request, template_name: str, context: dict[str, Any] | None = None, *, block: str | None = None
) -> str:
    templates: jinja2.Environment = request.app.state.templates
    template = templates.get_template(template_name)
    full_context = {**page_context(request), **(context or {})}
    if block is None:
        return template.render(full_context)
    render_block = template.blocks[block]
    block_context = template.new_context(full_context)
    # A template's top-level `{% from ... import %}` lines run before its first output, not in
    # its blocks: start the whole render just long enough for them, so a block can use them.
    for _first_output in template.root_render_func(block_context):
        break
    return _fragment_title(template, block_context, block) + "".join(render_block(block_context))


def _fragment_title(template: jinja2.Template, context: Any, block: str) -> str:
    """The page's <title>, for htmx to set after a swap ("Error: ..." comes and goes with the errors)."""
    if "title" not in template.blocks or block == "title":
        return ""
    title = "".join(template.blocks["title"](context)).strip()  # already escaped by autoescape
    if not title:
        return ""
    return title_element(title, context.get("force"))


def title_element(title: str, force: Any) -> str:
    """<title> as layouts/base.html writes it, from an already escaped title."""
    suffix = f" – {escape(force.name)}" if force else ""
    return f"<title>{title} – TrackMyCrime{suffix}</title>"


def render(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    fragment: str = "main",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render the page; an htmx request gets only the named block (by default `main`)."""
    block = fragment if is_htmx(request) else None
    html = render_html(request, template_name, context, block=block)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def page_context(request: Request) -> dict[str, Any]:
    """What every template may use: the request, the service's force, the reader, the CSRF token."""
    state = request.state
    return {
        "request": request,
        "lang": i18n.current_language.get(),
        "settings": request.app.state.settings,
        "force": getattr(state, "force", None),
        "party": getattr(state, "party", None),
        # A trusted helper signed in to follow the party's case (issue 21).
        "helper": getattr(state, "helper", None),
        "signed_in_crime": getattr(state, "crime", None),
        "officer": getattr(state, "officer", None),
        "csrf_token": masked_token(request),
        "is_demo": request.app.state.settings.mode == "demo",
    }
