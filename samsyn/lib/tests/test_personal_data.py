"""The personal-data check on free text: what must be found, and what must not."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samsyn.lib.personal_data import find_personal_data, luhn_ok


def check_digit(nine: str) -> str:
    """The Luhn check digit over YYMMDDNNN (weights 2,1,2,1,…)."""
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def pnr(born: date, serial: str = "123", *, coordination: bool = False) -> str:
    """A valid 10-digit personnummer (or samordningsnummer) without separator."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial}"
    return nine + check_digit(nine)


def invalid(number: str) -> str:
    """The same number with a wrong check digit."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_personal_data(text)]


BORN = date(1985, 7, 9)
VALID = pnr(BORN)  # 850709123C


def test_it_computes_check_digits_the_skatteverket_way():
    # Skatteverket's published example: 811218-9876.
    assert check_digit("811218987") == "6"
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


@pytest.mark.parametrize(
    "form",
    [
        f"{VALID[:6]}-{VALID[6:]}",  # YYMMDD-NNNN
        VALID,  # YYMMDDNNNN
        f"19{VALID[:6]}-{VALID[6:]}",  # YYYYMMDD-NNNN
        f"19{VALID}",  # YYYYMMDDNNNN
        f"{VALID[:6]} {VALID[6:]}",  # with a space
    ],
)
def test_it_finds_a_personal_number_in_every_written_form(form):
    found = find_personal_data(f"Mannen hade nr {form} på lappen.")
    assert [f.kind for f in found] == ["personal_number"]
    assert found[0].text == form


def test_it_finds_a_personal_number_of_someone_over_a_hundred():
    old = pnr(date(1919, 3, 4), "456")
    assert kinds(f"Äldre man {old[:6]}+{old[6:]} hittad") == ["personal_number"]


@pytest.mark.parametrize(
    "form",
    [
        lambda n: f"{n[:6]}-{n[6:]}",
        lambda n: n,
        lambda n: f"19{n[:6]}-{n[6:]}",
        lambda n: f"19{n}",
    ],
)
def test_it_ignores_numbers_with_a_wrong_check_digit(form):
    assert kinds(f"Ärende {form(invalid(VALID))} noterat") == []


def test_it_ignores_a_valid_check_digit_on_an_impossible_date():
    nine = "851332123"  # month 13
    assert kinds(f"nr {nine + check_digit(nine)}") == []


def test_it_finds_a_coordination_number():
    samordning = pnr(date(1990, 2, 14), "234", coordination=True)
    assert samordning[4:6] == "74"
    found = find_personal_data(f"Samordningsnummer {samordning[:6]}-{samordning[6:]}")
    assert [f.kind for f in found] == ["coordination_number"]


def test_it_ignores_a_coordination_number_with_a_wrong_check_digit():
    samordning = invalid(pnr(date(1990, 2, 14), "234", coordination=True))
    assert kinds(f"Samordningsnummer {samordning[:6]}-{samordning[6:]}") == []


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "0701234567",
        "+46 70 123 45 67",
        "08-123 456 78",
        "019-12 34 56",
    ],
)
def test_it_finds_phone_numbers(phone):
    found = find_personal_data(f"Ring {phone} om det händer igen.")
    assert len(found) == 1
    assert found[0].kind in ("phone", "personal_number")
    assert found[0].text == phone


@pytest.mark.parametrize(
    "phone", ["070-123 45 67", "+46 70 123 45 67", "08-123 456 78"]
)
def test_it_names_phone_numbers_as_phone_numbers(phone):
    assert kinds(f"Ring {phone}.") == ["phone"]


@pytest.mark.parametrize("email", ["kalle.anka@example.se", "a+b@post.orebro.se"])
def test_it_finds_email_addresses(email):
    found = find_personal_data(f"Skriv till {email}, tack")
    assert [(f.kind, f.text) for f in found] == [("email", email)]


@pytest.mark.parametrize(
    "text",
    [
        "Händelsen 2026-11-22 vid torget",
        "Kl. 22:30 och igen 23.45",
        "ca 15 personer samlades, sedan 3 till",
        "Problem sedan 2019-2024 och 2019–2024",
        "Postnummer 702 10 Örebro, 70210",
        "Ärendenummer 123456",
        "Bil med reg.nr abc 123 körde runt, SOS 112 larmades",
        "Lampa nr 4711 på stolpe 12 är trasig",
        "Mellan kl 20-23 var det 12 ungdomar, 2 vuxna",
        "",
    ],
)
def test_it_does_not_flag_ordinary_numbers(text):
    assert find_personal_data(text) == []


def test_it_reports_findings_in_order_with_positions():
    text = f"Ring 070-123 45 67 eller mejla x@y.se, nr {VALID}"
    found = find_personal_data(text)
    assert [f.kind for f in found] == ["phone", "email", "personal_number"]
    for f in found:
        assert text[f.start : f.end].strip() == f.text


WORDS = st.lists(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzåäöABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ",
        min_size=1,
        max_size=10,
    ),
    max_size=8,
)
PUNCT = st.sampled_from([" ", ", ", ": ", " (", " – "])


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
    form=st.sampled_from(["dash", "plain", "long_dash", "long", "space"]),
    before=WORDS,
    after=WORDS,
    sep=PUNCT,
)
def test_it_finds_any_valid_number_embedded_in_text(
    born, serial, coordination, form, before, after, sep
):
    number = pnr(born, f"{serial:03d}", coordination=coordination)
    century = str(born.year)[:2]
    written = {
        "dash": f"{number[:6]}-{number[6:]}",
        "plain": number,
        "long_dash": f"{century}{number[:6]}-{number[6:]}",
        "long": f"{century}{number}",
        "space": f"{number[:6]} {number[6:]}",
    }[form]
    text = " ".join(before) + sep + written + " " + " ".join(after)
    found = find_personal_data(text)
    expected = "coordination_number" if coordination else "personal_number"
    assert [(f.kind, f.text) for f in found] == [(expected, written)]


@pytest.mark.parametrize("plate", ["ABC 123", "ABC123", "ABC 12D", "ABC12D", "KLM-45A"])
def test_it_finds_vehicle_registration_plates(plate):
    found = find_personal_data(f"Bil med reg.nr {plate} körde runt")
    assert [(f.kind, f.text) for f in found] == [("plate", plate)]


@pytest.mark.parametrize(
    "text",
    ["Linje 101 och buss 11", "E18 vid avfart 102", "SOS 112 larmades", "EST 2025"],
)
def test_it_does_not_take_abbreviations_and_roads_for_plates(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Anna Berg slog sönder rutan", "Anna Berg"),
        ("Det var Kalle Anderssons moped", "Kalle Anderssons"),
        ("Killen heter Micke och bor här", "Micke"),
        ("Grannen heter Dino och klagar", "Dino"),
        ("Mannen, känd som Lasse, sover där", "Lasse"),
    ],
)
def test_it_finds_names_in_context(text, name):
    assert [(f.kind, f.text) for f in find_personal_data(text)] == [("name", name)]


@pytest.mark.parametrize(
    "text",
    [
        "Bänken vid Olof Palmes gata är trasig",
        "Glas på Anna Lindhs plats",
        "Stökigt vid Gustavsvik och Eriksberg",
        "Klotter på Kungsgatan 12",
        "Gatan heter Storgatan",
        "Platsen kallas Tunneln",
        "Per timme passerade 30 bilar",
        "Lund och Malmö har samma problem",
    ],
)
def test_it_does_not_take_streets_and_places_for_names(text):
    assert kinds(text) == []
