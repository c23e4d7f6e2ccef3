"""The pages' assets are the pinned registry files, and every label exists in both languages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from llm4retail.api.web.i18n import LABELS, PageLanguage
from llm4retail.api.web.render import STATIC_DIR, WEB_DIR

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]


def test_vendored_assets_match_their_manifest() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_web_assets.py"), "--check"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_every_vendored_package_ships_its_licence() -> None:
    manifest = json.loads((STATIC_DIR / "vendor" / "manifest.json").read_text(encoding="utf-8"))
    for package, entry in manifest.items():
        assert any(name.startswith("LICENSE") for name in entry["files"]), package
        assert entry["integrity"].startswith("sha512-")


def test_no_page_loads_anything_from_another_host() -> None:
    for template in (WEB_DIR / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), template.name


def test_every_label_a_template_uses_exists_in_both_languages() -> None:
    used = set()
    for template in (WEB_DIR / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(["']([a-z_]+)["']""", template.read_text(encoding="utf-8")))
    assert used and used <= set(LABELS), sorted(used - set(LABELS))
    for key, texts in LABELS.items():
        assert set(texts) == set(PageLanguage), key
        assert all(text.strip() for text in texts.values()), key
