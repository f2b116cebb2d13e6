"""Every template parses, and none has inline script or style."""

from pathlib import Path

import jinja2
import pytest

from trackmycrime.pages import create_templates
from trackmycrime.paths import TEMPLATES_DIR
from trackmycrime.static_assets import StaticAssets

TEMPLATES = sorted(p.relative_to(TEMPLATES_DIR).as_posix() for p in TEMPLATES_DIR.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_parses(name):
    environment = create_templates(StaticAssets())
    environment.get_template(name)


@pytest.mark.parametrize("name", [n for n in TEMPLATES if n.endswith(".html")])
def test_template_has_no_inline_script_or_style(name):
    source = (TEMPLATES_DIR / name).read_text()
    assert "<style" not in source
    assert " style=" not in source
    assert "<script>" not in source and "javascript:" not in source


def test_the_template_folder_is_found():
    assert isinstance(TEMPLATES_DIR, Path) and (TEMPLATES_DIR / "layouts" / "base.html").is_file()
    assert jinja2.__version__
