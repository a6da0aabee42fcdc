"""Numbers and baselines in the picture's sentences follow the reader's language."""

from __future__ import annotations

from django.utils import translation

from samsyn.pictures.figures import _baseline, _num, _p


def test_numbers_in_sentences_use_a_decimal_comma_in_swedish() -> None:
    with translation.override("sv"):
        assert _num(38.88) == "38,88"
        assert _num(0.004614) == "0,004614"
        assert _num(None) == "–"
    with translation.override("en"):
        assert _num(38.88) == "38.88"


def test_the_baseline_kind_is_translated() -> None:
    with translation.override("sv"):
        assert _baseline("seasonal") != "seasonal"
    with translation.override("en"):
        assert _baseline("seasonal") == "seasonal"
        assert _baseline("something-new") == "something-new"


def test_a_tiny_p_value_is_never_shown_as_zero() -> None:
    with translation.override("sv"):
        assert _p(0.0) == "< 0,0001"
        assert _p(2e-06) == "< 0,0001"
        assert _p(0.0016) == "= 0,0016"


def test_stored_codes_are_named_in_the_readers_language() -> None:
    from samsyn.pictures.templatetags.picture_labels import colour_label, report_status

    with translation.override("sv"):
        assert report_status("assigned") not in ("assigned", "")
        assert colour_label("red") not in ("red", "")
    assert report_status("something-old") == "something-old"
    assert colour_label("purple") == "purple"
