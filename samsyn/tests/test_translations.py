"""The Swedish translation is complete, compiled, and used by default.

The completeness check re-extracts the messages the way a developer does
(``manage.py makemessages -l sv``), but in a temporary copy of the sources, so the
working tree is never touched: a new ``{% translate "X" %}`` in a template or
``_("X")`` in Python without a Swedish msgstr makes it fail.

To fix a failure::

    .venv/bin/python manage.py makemessages -l sv --ignore=node_modules \\
        --ignore=.venv --ignore=var --ignore=static/vendor
    # translate the new entries in locale/sv/LC_MESSAGES/django.po, then
    .venv/bin/python manage.py compilemessages -l sv --ignore=.venv --ignore=node_modules

The whole module runs in a few seconds (one makemessages subprocess).
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
IGNORED = ["node_modules", ".venv", "var", "static/vendor"]
# What makemessages reads for the "django" domain, plus the catalogues themselves.
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".po", ".mo"}
# Not scanned, to keep the run short: generated migrations and tests hold no
# user-facing strings (the committed .po is still checked entry by entry below).
SKIP_DIRS = {"node_modules", "var", "__pycache__", "vendor", "htmlcov", "migrations"}
SKIP_DIRS |= {"tests", "docs", "bench", "loadtest"}
TIMEOUT = 25  # seconds; makemessages takes about 2 s

needs_gettext = pytest.mark.skipif(
    not (
        shutil.which("xgettext") and shutil.which("msgmerge") and shutil.which("msgfmt")
    ),
    reason="GNU gettext tools (xgettext, msgmerge, msgfmt) are not installed",
)


# A tiny .po reader: enough for what makemessages writes.
_FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")\s*$')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    return re.sub(
        r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text.strip()[1:-1]
    )


def read_po(path: Path) -> list[dict]:
    """Return the entries (obsolete ones dropped) as dicts of field -> text, plus
    ``flags`` (set) and ``line`` (where the entry starts)."""
    entries: list[dict] = []
    entry: dict | None = None
    field = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            entry = None
            continue
        if entry is None:
            entry = {"flags": set(), "line": number}
            entries.append(entry)
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := _FIELD.match(line):
            field = match.group(1)
            entry[field] = _unquote(match.group(2))
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot parse {line!r}")
    return [e for e in entries if "msgid" in e and not e.get("obsolete")]


def problems(entries: list[dict]) -> list[str]:
    found = []
    for e in entries:
        if e["msgid"] == "":
            if "fuzzy" in e["flags"]:
                found.append("the header is marked fuzzy")
            continue
        label = repr(e["msgid"]) + (
            f" (context {e['msgctxt']!r})" if "msgctxt" in e else ""
        )
        msgstrs = [
            v for k, v in e.items() if isinstance(k, str) and k.startswith("msgstr")
        ]
        if "msgid_plural" in e and not all(f"msgstr[{i}]" in e for i in range(2)):
            found.append(f"{label}: needs msgstr[0] and msgstr[1]")
        elif not msgstrs or not all(s.strip() for s in msgstrs):
            found.append(f"{label}: untranslated")
        if "fuzzy" in e["flags"]:
            found.append(f"{label}: fuzzy")
    return found


def _copy_sources(dst: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory, name)
            if path.is_dir():
                if name.startswith(".") or name in SKIP_DIRS:
                    skipped.add(name)
            elif path.suffix not in SOURCE_SUFFIXES:
                skipped.add(name)
        return skipped

    shutil.copytree(ROOT, dst, ignore=ignore, symlinks=True)


@pytest.fixture(scope="module")
def regenerated_po(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Run makemessages -l sv in a temporary copy; return the regenerated .po."""
    if not PO.exists():
        pytest.fail(f"{PO} is missing: run makemessages -l sv and translate it")
    copy = tmp_path_factory.mktemp("i18n") / "src"
    _copy_sources(copy)
    # Point LOCALE_PATHS at the copy: makemessages writes into LOCALE_PATHS[0].
    (copy / "_i18n_check_settings.py").write_text(
        "from samsyn.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_i18n_check_settings",
        "PYTHONPATH": os.pathsep.join([str(copy), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "django", "makemessages", "-l", "sv"]
    command += [f"--ignore={pattern}" for pattern in IGNORED]
    result = subprocess.run(  # noqa: S603
        command, cwd=copy, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr
    assert "processing locale sv" in result.stdout, result.stdout
    return copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"


@needs_gettext
def test_every_message_has_a_swedish_translation(regenerated_po: Path) -> None:
    entries = read_po(regenerated_po)
    assert len(entries) > 100, "makemessages found suspiciously few messages"
    found = problems(entries)
    assert not found, (
        f"{len(found)} message(s) lack a Swedish translation; run makemessages -l sv "
        "and translate locale/sv/LC_MESSAGES/django.po:\n  " + "\n  ".join(found)
    )


@needs_gettext
def test_the_committed_po_is_complete_and_valid(tmp_path: Path) -> None:
    assert not problems(read_po(PO))
    header = next(e for e in read_po(PO) if e["msgid"] == "")["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "Language: sv" in header
    # --check verifies the header and that python-format placeholders match.
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr


@needs_gettext
def test_the_compiled_mo_matches_the_po(tmp_path: Path) -> None:
    assert MO.exists(), f"{MO} is missing: run compilemessages"
    fresh = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603
        ["msgfmt", "-o", str(fresh), str(PO)],  # noqa: S607
        check=True,
        timeout=TIMEOUT,
    )
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        stale = gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
        wanted = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    assert stale == wanted, (
        f"{MO} is out of date with {PO.name}: run compilemessages -l sv"
    )


def test_the_po_reader_sees_untranslated_and_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: sv\\n"\n\n'
        'msgid "Done"\nmsgstr "Klar"\n\n'
        'msgid "New"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Old"\nmsgstr "Gammal"\n\n'
        'msgid "%(n)s report"\nmsgid_plural "%(n)s reports"\n'
        'msgstr[0] "%(n)s rapport"\nmsgstr[1] ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    assert problems(read_po(po)) == [
        "'New': untranslated",
        "'Old': fuzzy",
        "'%(n)s report': untranslated",
    ]


@pytest.fixture
def swedish_default(settings):  # type: ignore[no-untyped-def]
    # conftest.py switches the suite to English; this module checks the real default.
    settings.LANGUAGE_CODE = "sv"


@pytest.mark.django_db
def test_the_login_page_is_swedish_by_default(client, swedish_default) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Logga in" in content
    assert "Användarnamn" in content
    assert "Sign in" not in content


@pytest.mark.django_db
def test_the_login_page_is_english_on_request(client, swedish_default) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sign in" in content
    assert "Logga in" not in content
