"""Case files: bundled cases load; invalid files say which key is wrong and what is allowed."""

import textwrap

import pandas as pd
import pytest

from workbench.cases import CaseError, list_cases, load_case


def write_case(tmp_path, body: str, name: str = "mine"):
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    (tmp_path / "notebooks" / "00_data_overview.ipynb").write_text("{}")
    (tmp_path / "cases").mkdir(exist_ok=True)
    (tmp_path / "data.csv").write_text(
        "客户,日期,金额\nC1,2024-01-05,10\nC1,2024-02-05,20\nC2,2024-03-01,5\nC3,2030-01-01,1\n",
        encoding="utf-8")
    path = tmp_path / "cases" / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


VALID = """\
    name: mine
    language: zh
    granularity: M
    start: 2024-01-01
    end: 2024-12-31
    default_period: 2024-02
    sources:
      transactions:
        path: ../data.csv
        columns: {customer_id: 客户, date: 日期, amount: 金额}
    notebooks: [00_data_overview]
"""


def test_bundled_cases_are_valid():
    assert {"cdnow", "mobi"} <= set(list_cases())
    for name in list_cases():
        case = load_case(name)
        assert case.analysis_date() == case.period().end_time.normalize()


def test_user_case_loads_up_to_the_period_end(tmp_path):
    case = load_case(write_case(tmp_path, VALID))
    loaded = case.load()
    assert loaded.analysis_date == pd.Timestamp("2024-02-29")
    assert loaded.transactions["customer_id"].tolist() == ["C1", "C1"]
    assert loaded.rows_after_period == 1  # the March purchase waits for a later period
    log = loaded.cleaning_log.set_index("reason")["rows"]
    assert log["kept"] == 3 and log["date_out_of_window"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("language: zh", "language: fr"), r"'language' is 'fr'; allowed: \['zh', 'en'\]"),
        (("granularity: M", "granularity: month"), r"'granularity' is 'month'; allowed"),
        (("name: mine", "name: other"), r"'name' is 'other' but the file is mine.yaml"),
        (("default_period: 2024-02", "default_period: 2024Q1"), r"not a M period; write it like"),
        (("start: 2024-01-01", "start: someday"), r"key 'start': 'someday' is not a date"),
        (("path: ../data.csv", "path: ../nope.csv"), r"sources.transactions.path': file .* does not exist"),
        (("columns: {", "colums: {"), r"sources.transactions' has unknown key\(s\) \['colums'\]"),
        (("amount: 金额}", "revenue: 金额}"), r"maps unknown canonical column\(s\) \['revenue'\]"),
        (("notebooks: [00_data_overview]", "notebooks: [99_nothing]"), r"names \['99_nothing'\].*available"),
        (("language: zh", "language: zh\n    colour: blue"), r"unknown key\(s\) \['colour'\]"),
    ],
)
def test_invalid_case_files_name_the_key_and_the_allowed_values(tmp_path, change, message):
    path = write_case(tmp_path, VALID.replace(*change))
    with pytest.raises(CaseError, match=message) as err:
        load_case(path)
    assert str(path) in str(err.value)


def test_missing_required_key_and_unknown_case_name(tmp_path):
    with pytest.raises(CaseError, match=r"missing required key\(s\) \['sources'\]"):
        load_case(write_case(tmp_path, VALID.split("    sources:")[0] + "    notebooks: []\n"))
    with pytest.raises(CaseError, match="no case named 'nope'; bundled cases"):
        load_case("nope")


def test_mapping_error_surfaces_on_load(tmp_path):
    case = load_case(write_case(tmp_path, VALID.replace("amount: 金额", "amount: 销售额")))
    with pytest.raises(KeyError, match="'销售额'.*the file has columns"):
        case.load()
