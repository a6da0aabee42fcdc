"""Precision and recall of the personal-data check on a labelled corpus.

The corpus (data/personal_data_corpus.jsonl) holds short report-like Swedish texts,
each with the findings a careful reader expects (kind and exact text): positives of
every kind and tricky negatives (dates, times, counts, addresses with house numbers,
postal codes, bus lines, streets named after people).

Print the table that docs/privacy.md shows:

    .venv/bin/python -m samsyn.lib.tests.test_personal_data_corpus
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from samsyn.lib.personal_data import KINDS, find_personal_data

CORPUS = Path(__file__).parent / "data" / "personal_data_corpus.jsonl"

# The floors the check must keep (measured values are in docs/privacy.md).
PRECISION_FLOOR = 0.95
RECALL_FLOOR = dict.fromkeys(KINDS, 0.9) | {"name": 0.8}


def load_corpus() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def measure(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per kind: true positives, false positives, false negatives, precision, recall."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for row in rows:
        expected = Counter((f["kind"], f["text"]) for f in row["findings"])
        got = Counter((f.kind, f.text) for f in find_personal_data(row["text"]))
        for key, n in got.items():
            hit = min(n, expected[key])
            tp[key[0]] += hit
            fp[key[0]] += n - hit
        for key, n in expected.items():
            fn[key[0]] += max(0, n - got[key])
    table = {}
    for kind in KINDS:
        found = tp[kind] + fp[kind]
        real = tp[kind] + fn[kind]
        table[kind] = {
            "tp": tp[kind],
            "fp": fp[kind],
            "fn": fn[kind],
            "precision": tp[kind] / found if found else 1.0,
            "recall": tp[kind] / real if real else 1.0,
        }
    return table


def misses(rows: list[dict[str, Any]]) -> list[str]:
    """Every text where the check and the labels disagree (for reading, not asserting)."""
    out = []
    for row in rows:
        expected = sorted((f["kind"], f["text"]) for f in row["findings"])
        got = sorted((f.kind, f.text) for f in find_personal_data(row["text"]))
        if expected != got:
            out.append(f"{row['text']!r}: expected {expected}, got {got}")
    return out


def markdown(rows: list[dict[str, Any]]) -> str:
    table = measure(rows)
    negatives = sum(1 for r in rows if not r["findings"])
    lines = [
        f"Corpus: {len(rows)} texts ({negatives} without personal data).",
        "",
        "| kind | expected | found correctly | false alarms | missed "
        "| precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, m in table.items():
        lines.append(
            f"| {kind} | {m['tp'] + m['fn']} | {m['tp']} | {m['fp']} | {m['fn']} "
            f"| {m['precision']:.3f} | {m['recall']:.3f} |"
        )
    return "\n".join(lines)


def test_it_has_a_corpus_big_and_balanced_enough():
    rows = load_corpus()
    assert len(rows) >= 300
    kinds = Counter(f["kind"] for r in rows for f in r["findings"])
    assert all(kinds[k] >= 20 for k in KINDS), kinds
    assert sum(1 for r in rows if not r["findings"]) >= 100
    for row in rows:
        for f in row["findings"]:
            assert f["kind"] in KINDS
            assert f["text"] in row["text"]


@pytest.mark.parametrize("kind", KINDS)
def test_it_keeps_precision_and_recall_above_the_floor(kind):
    m = measure(load_corpus())[kind]
    assert m["precision"] >= PRECISION_FLOOR, misses(load_corpus())
    assert m["recall"] >= RECALL_FLOOR[kind], misses(load_corpus())


if __name__ == "__main__":
    rows = load_corpus()
    sys.stdout.write(markdown(rows) + "\n")
    for line in misses(rows):
        sys.stdout.write(f"  - {line}\n")
