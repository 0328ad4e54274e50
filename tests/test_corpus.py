"""Every entry of the corpus of awkward inputs (tests/corpus.py) gets its written outcome."""

import pytest
from corpus import ENTRIES, TODAY, Fails, build

from workbench.cases import load_case
from workbench.quality import validation_report


def test_the_corpus_is_large_enough_and_ids_are_unique():
    assert len(ENTRIES) >= 60
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("item", ENTRIES, ids=[e.id for e in ENTRIES])
def test_corpus_entry(item, tmp_path):
    path = build(item, tmp_path)
    expect = item.expect
    if isinstance(expect, Fails):
        with pytest.raises((ValueError, KeyError, FileNotFoundError)) as caught:
            case = load_case(path)
            if expect.stage == "load":
                case.load(today=TODAY)
        message = str(caught.value)
        for part in expect.parts:
            assert part in message, f"{part!r} not in: {message}"
        if expect.stage == "load":  # the case file itself is fine
            load_case(path)
        return
    loaded = load_case(path).load(today=TODAY)
    report = validation_report(loaded)
    sources = loaded.sources_table().set_index("table")
    assert (sources["rows_in"] == sources["kept"] + sources["quarantined"]).all()
    for name, kept in expect.kept.items():
        assert sources.loc[name, "kept"] == kept, sources
    got = {(row.table, row.reason): row.rows for row in report.problems.itertuples()}
    assert got == expect.reasons, report.to_text()
    text = "\n".join(report.warnings)
    for part in expect.warnings:
        assert part in text, f"{part!r} not in warnings: {text}"
    assert report.ok == expect.ok, report.to_text()
    if expect.check is not None:
        expect.check(loaded)
