"""The committed browser bundle (static/dist/) is exactly what the lockfile's packages and
assets/ build, so what the site serves can be traced to reviewed sources."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "static" / "dist"


def _installed_matches_lockfile():
    """Whether ./node_modules holds exactly the versions the lockfile pins (then it is
    reused; otherwise the test installs its own copy with npm ci)."""
    if not (ROOT / "node_modules").is_dir():
        return False
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for path, entry in lock["packages"].items():
        manifest = ROOT / path / "package.json"
        if not path or (entry.get("optional") and not manifest.exists()):
            continue  # the project itself, or another platform's esbuild binary
        if not manifest.exists() or json.loads(manifest.read_text())["version"] != entry["version"]:
            return False
    return True


def test_committed_bundle_is_what_the_sources_build(tmp_path):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node is not installed, so the bundle cannot be rebuilt here")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "assets", source / "assets")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / name, source / name)
    if _installed_matches_lockfile():
        (source / "node_modules").symlink_to(ROOT / "node_modules")
    else:
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                       cwd=source, check=True, timeout=300, capture_output=True)
    out = tmp_path / "dist"
    subprocess.run(["node", str(source / "assets" / "build.mjs"), str(out)], check=True,
                   cwd=source, timeout=120)
    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(p.name for p in DIST.iterdir())
    for name in built:
        assert (out / name).read_bytes() == (DIST / name).read_bytes(), (
            f"static/dist/{name} is not what the sources build: run `make assets` and commit")


def test_every_icon_in_the_list_is_in_the_sprite():
    names = json.loads((ROOT / "assets" / "icons.json").read_text())["icons"]
    sprite = (DIST / "icons.svg").read_text()
    for name in names:
        assert f'<symbol id="{name}" viewBox="0 0 24 24">' in sprite


def test_every_icon_a_template_names_is_in_the_sprite():
    """A misspelt icon name would draw nothing; every {% icon "name" %} must exist."""
    names = json.loads((ROOT / "assets" / "icons.json").read_text())["icons"]
    used = set()
    for template in (ROOT / "templates").rglob("*.html"):
        used.update(re.findall(r'{%\s*icon\s+"([^"]+)"', template.read_text()))
    assert used, "no template uses an icon"
    assert used <= set(names), f"icons not in assets/icons.json: {sorted(used - set(names))}"


def test_the_icon_tag_points_into_the_sprite_and_hides_decoration():
    from django.template import engines

    html = engines["django"].from_string('{% load assets %}{% icon "calendar" %}').render({})
    assert 'aria-hidden="true"' in html and 'href="/static/dist/icons.svg#calendar"' in html
    named = engines["django"].from_string('{% load assets %}{% icon "menu" "Menu" %}').render({})
    assert 'role="img" aria-label="Menu"' in named and "aria-hidden" not in named
