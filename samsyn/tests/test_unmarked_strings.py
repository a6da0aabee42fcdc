"""No user-facing string in the Python code escapes translation.

``test_translations.py`` checks that every *marked* string has a Swedish
translation; this module checks that the strings people read are marked at all.
It parses every non-test, non-migration module under ``samsyn/`` with ``ast`` and
reports string literals (plain, concatenated, ``%``-/``.format``-formatted or
f-strings) that reach a person without a gettext call around them:

- the message of ``ValidationError`` (models and forms), of Django's
  ``messages.success/info/warning/error/add_message``, of the project's
  exceptions whose text is shown on a page, in the API or in a job's status
  (``USER_FACING_EXCEPTIONS``), and of ``HttpError``/``FieldError`` in the API;
- an ``HttpResponse`` body that is prose;
- ``verbose_name``, ``verbose_name_plural``, ``label``, ``help_text`` and
  ``empty_label`` of models and forms (keyword arguments and ``Meta`` attributes),
  the labels of ``choices`` (literal pairs and ``TextChoices`` members), a form's
  ``add_error`` message, and widget attributes a person reads or hears
  (``placeholder``, ``title``, ``aria-label``).

It also rejects a gettext call whose message is not a plain literal (an f-string
or a variable), since ``makemessages`` cannot extract it.

Templates are checked the same way: text outside ``{% translate %}`` and
``{% blocktranslate %}`` (and outside scripts, styles, comments and ``*_class``
blocks) and the ``title``, ``placeholder``, ``aria-label`` and ``alt`` attributes
must hold no words, apart from ``TEMPLATE_WORDS``.

To fix a finding, wrap the text in ``_()``/``gettext_lazy()`` with named
``%(placeholders)s`` (``ngettext`` for counts) — never an f-string inside ``_()``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
PACKAGE = ROOT / "samsyn"

GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "_lazy",
    "gettext_noop",  # marked for extraction, translated where it is shown
}
# The message argument of a gettext call (ngettext has two, pgettext a context first).
MESSAGE_ARGS = {"pgettext": (1,), "pgettext_lazy": (1,)}
MESSAGE_ARGS |= {"ngettext": (0, 1), "ngettext_lazy": (0, 1)}
MESSAGE_ARGS |= {"npgettext": (1, 2), "npgettext_lazy": (1, 2)}

# Exceptions whose message a person reads: on a page (views catch them and show
# ``str(exc)``), in an API error body, or in an import job's status line. Not here,
# because their text is never shown: OidcError (only written to the audit log; the
# login page shows its own message), TransitionNotAllowed and CannotConvert (the
# views catch them and show their own text). Not here either:
# CommandError and BackupError, which only reach the operator's
# terminal through management commands (like Django's own command output).
USER_FACING_EXCEPTIONS = {
    "ValidationError",
    "HttpError",  # django-ninja: the API's error body
    "FieldError",  # samsyn/api.py: a 422 naming the field
    "AnalysisInputError",  # analysis API 422 and the follow-up page
    "FileProblem",  # police and survey imports: shown on the upload page
    "Skip",  # police imports: why a row was skipped, listed on the batch page
    "PoliceImportError",  # police import job status
    "AreaImportError",  # area import errors
    "BoundaryFileError",  # boundary files: the upload and preview pages
    "AnnualError",  # annual report page
    "ReadOnly",
    "PersonalDataFound",
    "PictureError",  # weekly picture page
    "PictureReadOnly",
    "NotAllowed",  # meetings
    "AlreadyPublished",  # patrol plan page
    "CheckInRefused",  # guard check-in page
    "Refused",  # residents' form
    "NotPending",
    "EvaluationError",  # intervention follow-up page
    "ImportRefused",  # survey import page
    "Open311Error",  # Open311 error bodies
}
SECOND_ARGUMENT = {"HttpError", "Open311Error", "FieldError", "AnalysisInputError"}
# A message made of one identifier (``Refused("rate_limited")``) is a code that the
# catching view maps to a translated text, not prose.
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
MESSAGE_FUNCTIONS = {"success": 1, "info": 1, "warning": 1, "error": 1, "debug": 1}
MESSAGE_FUNCTIONS["add_message"] = 2
RESPONSES = {
    "HttpResponse",
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
    "HttpResponseNotAllowed",
    "HttpResponseGone",
    "HttpResponseServerError",
}
FIELD_TEXTS = {"verbose_name", "verbose_name_plural", "label", "help_text"}
FIELD_TEXTS |= {"empty_label"}
# Widget attributes a person reads or hears (a screen reader reads aria-label).
WIDGET_TEXTS = {"placeholder", "title", "aria-label", "aria-description"}
# A ModelForm's Meta: {field: text}.
META_DICTS = {"labels", "help_texts", "error_messages"}
FIELD_CALLS = {"ForeignKey", "ManyToManyField", "OneToOneField", "GenericForeignKey"}

# (path relative to samsyn/, text) pairs that are deliberately not translated.
ALLOWLIST: set[tuple[str, str]] = {
    # Machine-read: a Prometheus/health client reads these bodies, not a person.
    ("integrations/views.py", "unauthorised\n"),
    # Job stages are stored as English msgids (marked with gettext_noop where they
    # are set) and translated when shown.
    ("jobs/models.py", "self.stage"),
    # Import skip reasons likewise (gettext_noop where they are raised).
    ("police/skips.py", "message"),
    # An example web address in a field, the same in every language.
    ("feedback/forms.py", "https://www.kommun.se"),
}


# Demo data (samsyn/demo/ and the apps' demo.py): fictional content in Swedish,
# like data a municipality types in, not interface text.
def _is_demo(relpath: str) -> bool:
    return relpath.startswith("demo/") or relpath.endswith("/demo.py")


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _is_prose(text: str) -> bool:
    """Two or more words: a sentence rather than a token like 'ok' or a MIME type."""
    words = [w for w in text.split() if _has_letters(w)]
    return len(words) >= 2


def unmarked_text(node: ast.expr | None) -> str | None:
    """The literal text a person would read if ``node`` is an unmarked literal."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _has_letters(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(
            v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
        )
        return text if _has_letters(text) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        # "a" + "b", "x %s" % y; a marked left side (_("x %(n)s") % {...}) is fine.
        left = unmarked_text(node.left)
        if left is not None:
            return left
        if isinstance(node.op, ast.Add):
            return unmarked_text(node.right)
        return None
    if isinstance(node, ast.Call):
        func = node.func
        # "…".format(...) and "…".join(...) on a literal
        if isinstance(func, ast.Attribute) and func.attr in {"format", "strip"}:
            return unmarked_text(func.value)
        return None
    if isinstance(node, ast.IfExp):
        return unmarked_text(node.body) or unmarked_text(node.orelse)
    return None


def _argument(
    call: ast.Call, index: int, keyword: str | None = None
) -> ast.expr | None:
    if keyword:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return None


class Checker(ast.NodeVisitor):
    def __init__(self, relpath: str) -> None:
        self.relpath = relpath
        self.found: list[tuple[int, str, str]] = []

    def report(self, node: ast.AST, why: str, text: str | None) -> None:
        if text is None or (self.relpath, text) in ALLOWLIST:
            return
        self.found.append((getattr(node, "lineno", 0), why, text))

    # ------------------------------------------------------------ calls
    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in GETTEXT:
            for index in MESSAGE_ARGS.get(name, (0,)):
                arg = _argument(node, index)
                if arg is not None and not (
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ):
                    self.report(
                        node, f"{name}() needs a literal message", ast.unparse(arg)
                    )
        elif name in USER_FACING_EXCEPTIONS:
            # HttpError/Open311Error(status, message), FieldError/
            # AnalysisInputError(field, message): the message comes second.
            if name in SECOND_ARGUMENT:
                message = _argument(node, 1, "message")
            else:
                message = _argument(node, 0, "message")
            if isinstance(message, ast.List | ast.Tuple):  # AreaImportError([...])
                for item in message.elts:
                    self.report(node, f"{name}() message", unmarked_text(item))
            elif not (
                isinstance(message, ast.Constant) and CODE.match(str(message.value))
            ):
                self.report(node, f"{name}() message", unmarked_text(message))
        elif (
            name in MESSAGE_FUNCTIONS
            and isinstance(node.func, ast.Attribute)
            and _name(node.func.value) == "messages"
        ):
            message = _argument(node, MESSAGE_FUNCTIONS[name], "message")
            self.report(node, f"messages.{name}()", unmarked_text(message))
        elif name == "add_error" and isinstance(node.func, ast.Attribute):
            message = _argument(node, 1, "error")
            self.report(node, "add_error()", unmarked_text(message))
        elif name in RESPONSES:
            body = _argument(node, 0, "content")
            text = unmarked_text(body)
            if text is not None and _is_prose(text) and "<" not in text:
                self.report(node, f"{name}() body", text)
        # Model and form fields (CharField, ForeignKey, ModelChoiceField, ...); a
        # ``label=`` elsewhere (a job's or a progress bar's) is not a field label.
        is_field = bool(name) and (name.endswith("Field") or name in FIELD_CALLS)
        if (
            is_field
            and isinstance(node.func, ast.Attribute)
            and _name(node.func.value) == "models"
            and name not in FIELD_CALLS
            and node.args
        ):  # models.CharField("verbose name", ...)
            self.report(node, "verbose_name", unmarked_text(node.args[0]))
        for kw in node.keywords if is_field else ():
            if kw.arg in FIELD_TEXTS:
                self.report(kw.value, f"{kw.arg}=", unmarked_text(kw.value))
            elif kw.arg == "error_messages" and isinstance(kw.value, ast.Dict):
                for value in kw.value.values:
                    self.report(value, "error_messages", unmarked_text(value))
            elif kw.arg == "choices":
                self._check_choices(kw.value)
        self.generic_visit(node)

    def _check_choices(self, node: ast.expr) -> None:
        if isinstance(node, ast.List | ast.Tuple):
            for item in node.elts:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2:
                    label = item.elts[1]
                    if isinstance(label, ast.List | ast.Tuple):  # option groups
                        self._check_choices(label)
                    else:
                        self.report(label, "choices label", unmarked_text(label))

    # ------------------------------------------------------------ classes
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {_name(b) for b in node.bases}
        if bases & {"TextChoices", "IntegerChoices", "Choices"}:
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Tuple):
                    elts = stmt.value.elts
                    if len(elts) >= 2:
                        self.report(stmt, "choices label", unmarked_text(elts[-1]))
        if node.name == "Meta":
            for stmt in node.body:
                if isinstance(stmt, ast.Assign):
                    targets = {_name(t) for t in stmt.targets}
                    if targets & {"verbose_name", "verbose_name_plural"}:
                        self.report(
                            stmt, "Meta verbose_name", unmarked_text(stmt.value)
                        )
                    elif targets & META_DICTS and isinstance(stmt.value, ast.Dict):
                        for value in stmt.value.values:
                            self.report(value, "Meta labels", unmarked_text(value))
        self.generic_visit(node)

    # ------------------------------------------------------------ widget attributes
    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in WIDGET_TEXTS:
                self.report(value, f"{key.value!r} attribute", unmarked_text(value))
        self.generic_visit(node)


def check_source(source: str, relpath: str = "<sample>") -> list[tuple[int, str, str]]:
    checker = Checker(relpath)
    checker.visit(ast.parse(source))
    return checker.found


def modules() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or path.name.startswith("test"):
            continue
        if path.name == "testing.py" or path.name == "conftest.py":
            continue
        yield path


def all_findings() -> list[str]:
    found = []
    for path in modules():
        relpath = path.relative_to(PACKAGE).as_posix()
        if _is_demo(relpath):
            continue
        for line, why, text in check_source(path.read_text(encoding="utf-8"), relpath):
            found.append(f"samsyn/{relpath}:{line}: {why}: {text!r}")
    return found


def test_no_user_facing_string_is_left_unmarked() -> None:
    found = all_findings()
    assert not found, (
        f"{len(found)} user-facing string(s) are not wrapped in gettext "
        "(use _()/gettext_lazy() with %(named)s placeholders, ngettext for counts):\n  "
        + "\n  ".join(found)
    )


def test_the_checker_scans_the_whole_package() -> None:
    scanned = {p.relative_to(PACKAGE).as_posix() for p in modules()}
    assert "analysis/engine.py" in scanned
    assert "police/tabular.py" in scanned
    assert "interventions/followup.py" in scanned
    assert not any("/tests/" in p or "/migrations/" in p for p in scanned)
    assert len(scanned) > 100


SAMPLE = """
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse
from django.utils.translation import gettext as _, gettext_lazy, ngettext


class Kind(models.TextChoices):
    GOOD = "good", gettext_lazy("Good")
    BAD = "bad", "Bad label"


class Thing(models.Model):
    name = models.CharField(max_length=9, verbose_name="plain name", help_text=_("ok"))
    size = models.CharField(max_length=9, choices=[("s", "Small"), ("l", _("Large"))])
    kind = models.CharField("kind of thing", max_length=9)
    owner = models.ForeignKey("Owner", on_delete=models.CASCADE, verbose_name=_("x"))

    class Meta:
        verbose_name = "thing"
        help_texts = {"name": "What people call it", "size": _("ok")}


class ThingForm(forms.Form):
    when = forms.DateField(label=f"When {1}", error_messages={"required": "Say when"})

    def clean(self):
        raise forms.ValidationError("Dates are " + "wrong")


def view(request, n, exc):
    messages.success(request, "Saved the thing.")
    messages.info(request, _("Saved %(n)s.") % {"n": n})
    messages.warning(request, str(exc))
    form.add_error("when", "Pick a date.")
    widget = forms.TextInput(attrs={"placeholder": "e.g. the station", "rows": "3"})
    raise ValidationError(_(f"No {n}"))
    raise FileProblem("The file has %d rows" % n)
    raise Refused("too_fast")
    raise AreaImportError([f"{n}: not UTF-8 text.", _("Fine")])
    raise AnalysisInputError("weeks", f"Too many weeks: {n}")
    raise Open311Error(400, "Bad status.")
    raise AnalysisInputError("weeks", ngettext("%(n)s week", "%(n)s weeks", n) % {"n": n})
    return HttpResponse("Unknown status, try again.", status=422)
"""


def test_the_checker_finds_unmarked_strings_in_a_sample() -> None:
    found = {(why, text) for _line, why, text in check_source(SAMPLE)}
    assert found == {
        ("choices label", "Bad label"),
        ("verbose_name=", "plain name"),
        ("verbose_name", "kind of thing"),
        ("choices label", "Small"),
        ("Meta verbose_name", "thing"),
        ("Meta labels", "What people call it"),
        ("error_messages", "Say when"),
        ("label=", "When {}"),
        ("ValidationError() message", "Dates are "),
        ("messages.success()", "Saved the thing."),
        ("add_error()", "Pick a date."),
        ("'placeholder' attribute", "e.g. the station"),
        ("_() needs a literal message", "f'No {n}'"),
        ("FileProblem() message", "The file has %d rows"),
        ("AreaImportError() message", "{}: not UTF-8 text."),
        ("AnalysisInputError() message", "Too many weeks: {}"),
        ("Open311Error() message", "Bad status."),
        ("HttpResponse() body", "Unknown status, try again."),
    }


# ------------------------------------------------------------------ templates
TEMPLATE_DIRS = [ROOT / "templates", *sorted(PACKAGE.glob("*/templates"))]
# Words that are the same in every language: the product's name, the language
# switcher's names (each in its own language), units and statistical symbols
# (h, min, m, SEK, SE, z, p) and the coordinate system's labels (SWEREF 99 TM, N, E).
TEMPLATE_WORDS = {"Samsyn", "Svenska", "English", "OK", "SEK", "SWEREF", "TM"}
TEMPLATE_WORDS |= {"h", "min", "m", "p", "z", "SE", "N", "E"}
PROSE_ATTRIBUTE = re.compile(
    r'\b(title|placeholder|aria-label|aria-description|alt)\s*=\s*"([^"]*)"'
)
_SKIPPED_REGIONS = re.compile(
    r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S | re.I
)
_OPENING = {"blocktranslate", "blocktrans", "comment", "verbatim"}
_CLOSING = {"end" + name for name in _OPENING}


def _template_text(source: str) -> str:
    """The template's literal text; every tag, variable and translated part is a
    \\x01 (no letters)."""
    out: list[str] = []
    blocks: list[str] = []
    inside = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            skipped = inside or (blocks and blocks[-1].endswith("class"))
            out.append("\x01" if skipped else token.contents)
            continue
        bits = token.contents.split() if token.token_type == TokenType.BLOCK else []
        name = bits[0] if bits else ""
        if name in _OPENING:
            inside += 1
        elif name in _CLOSING:
            inside -= 1
        elif name == "block":
            blocks.append(bits[1] if len(bits) > 1 else "")
        elif name == "endblock" and blocks:
            blocks.pop()
        out.append("\x01")
    return "".join(out)


def check_template(source: str) -> list[str]:
    text = _SKIPPED_REGIONS.sub(" ", _template_text(source))
    found = []
    for match in PROSE_ATTRIBUTE.finditer(text):
        words = re.findall(r"[^\W\d_][\w'’-]*", match.group(2))
        if set(words) - TEMPLATE_WORDS:
            found.append(f"{match.group(1)}={match.group(2)!r}")
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    found += [repr(w) for w in words if w not in TEMPLATE_WORDS]
    return found


def test_no_template_text_is_left_unmarked() -> None:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.suffix in {".html", ".txt"}:
                for problem in check_template(path.read_text(encoding="utf-8")):
                    found.append(f"{path.relative_to(ROOT)}: {problem}")
    assert not found, (
        f"{len(found)} piece(s) of template text are not translated (use "
        "{% translate %} or {% blocktranslate %}):\n  " + "\n  ".join(found)
    )


def test_the_template_checker_finds_unmarked_text() -> None:
    sample = (
        '{% extends "base.html" %}{% load i18n %}'
        "{% block body_class %}narrow{% endblock %}"
        "{% block title %}Reports{% endblock %}"
        "<h1>{% translate 'Map' %}</h1><p>{{ n }} SEK, {{ h }} h</p>"
        '<a title="Next week" aria-label="{% translate \'Close\' %}">›</a>'
        "{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}"
        "{# a comment #}{% comment %}Not shown{% endcomment %}"
        "<script>const label = 'Loading';</script><p>Vecka {{ w }}</p>"
    )
    assert check_template(sample) == ["title='Next week'", "'Reports'", "'Vecka'"]
