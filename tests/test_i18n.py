"""English and Spanish ship complete: every marked string is translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/es/LC_MESSAGES/django.po"
MO = ROOT / "locale/es/LC_MESSAGES/django.mo"


def test_the_spanish_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_the_source():
    po, mo = polib.pofile(str(PO)), polib.mofile(str(MO))
    source = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in po.translated_entries()}
    compiled = {(e.msgid, e.msgstr or str(e.msgstr_plural)) for e in mo if e.msgid}
    assert source == compiled, "run `make messages` to recompile locale/es"


@pytest.mark.skipif(shutil.which("xgettext") is None,
                    reason="GNU gettext (xgettext) is not installed, so strings cannot be "
                           "extracted here; CI installs it")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    work = tmp_path / "src"
    for name in ("circlekeep", "config", "templates", "locale", "manage.py"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, work / name)
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "CIRCLEKEEP_VAR_DIR": str(tmp_path / "var"),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete",
                    "--ignore", "*/tests/*"], cwd=work, env=env, check=True,
                   capture_output=True, timeout=120)
    extracted = {e.msgid for e in polib.pofile(str(work / "locale/es/LC_MESSAGES/django.po"))}
    shipped = {e.msgid for e in polib.pofile(str(PO))}
    assert sorted(extracted - shipped) == []
