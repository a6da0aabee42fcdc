"""bench/run.py discovers modules, survives a failing one and prints one table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import run as bench_run


def fake_modules() -> dict[str, object]:
    def fast(quick: bool) -> list[dict[str, object]]:
        return [
            {
                "benchmark": f"fake sum, {'small' if quick else 'large'}",
                "ours_s": 0.0021,
                "reference": "numpy.sum",
                "reference_s": 0.001,
                "ratio": 2.1,
                "target": "ratio <= 3",
                "ok": True,
                "note": "same result",
            }
        ]

    def broken(quick: bool) -> list[dict[str, object]]:
        raise RuntimeError("no database")

    def skipped(quick: bool) -> list[dict[str, object]]:
        return [{"benchmark": "fake api", "ok": None, "note": "skipped: no server"}]

    return {"broken": broken, "fast": fast, "skipped": skipped}


def test_it_discovers_bench_modules_by_file_name(tmp_path: Path) -> None:
    for name in ("bench_b.py", "bench_a.py", "helpers.py", "run.py"):
        (tmp_path / name).write_text("")
    assert bench_run.discover(tmp_path) == ["a", "b"]


def test_it_finds_the_api_benchmark_in_the_repository() -> None:
    assert "api" in bench_run.discover()


def test_it_keeps_running_after_a_module_fails_and_prints_every_row() -> None:
    modules = fake_modules()
    printed: list[str] = []
    results = bench_run.run_modules(
        ["broken", "fast", "skipped"],
        True,
        load=modules.__getitem__,
        echo=printed.append,
    )
    assert [r.name for r in results] == ["broken", "fast", "skipped"]
    assert results[0].error == "RuntimeError: no database"
    assert results[1].rows[0]["benchmark"] == "fake sum, small"

    table = bench_run.format_table(results)
    lines = table.splitlines()
    assert lines[0].split() == list(bench_run.COLUMNS)
    assert "broken: ERROR" in table and "no database" in table
    assert "2.1 ms" in table and "2.1×" in table and "yes" in table
    assert "skipped: no server" in table
    markdown = bench_run.format_markdown(results)
    assert markdown.count("\n") == 1 + 3  # header, rule, three rows


def test_it_rewrites_only_the_generated_part_of_the_document(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    results = bench_run.run_modules(
        ["fast"], False, load=fake_modules().__getitem__, echo=lambda _: None
    )
    info = bench_run.machine()
    section = bench_run.generated_section(results, info)
    bench_run.update_document(section, doc)
    assert doc.read_text().startswith("# Benchmarks")
    doc.write_text(doc.read_text() + "\nHand-written remarks stay.\n")

    bench_run.update_document(section.replace("fake sum", "other sum"), doc)
    text = doc.read_text()
    assert "Hand-written remarks stay." in text
    assert "other sum" in text and "fake sum" not in text
    assert text.count(bench_run.START) == 1 and text.count(bench_run.END) == 1


def test_it_exits_with_1_when_a_module_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    modules = fake_modules()
    monkeypatch.setattr(bench_run, "discover", lambda *a: ["broken", "fast"])
    monkeypatch.setattr(bench_run, "_import_runner", modules.__getitem__)
    assert bench_run.main(["--quick", "--no-write"]) == 1
    out = capsys.readouterr().out
    assert "broken: ERROR" in out and "fake sum, small" in out
