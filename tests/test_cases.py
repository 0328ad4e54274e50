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
PATH = "path: ../data.csv"


def test_bundled_cases_are_valid():
    assert {"cdnow", "mobi"} <= set(list_cases())
    for name in list_cases():
        case = load_case(name)
        assert case.as_of() == case.period().end_time.normalize()


def test_user_case_loads_up_to_the_period_end(tmp_path):
    case = load_case(write_case(tmp_path, VALID))
    loaded = case.load(today="2026-06-30")
    assert loaded.as_of == pd.Timestamp("2024-02-29")
    assert loaded.transactions["customer_id"].tolist() == ["C1", "C1"]
    assert loaded.rows_after_period == 1  # the March purchase waits for a later period
    log = loaded.cleaning_log.set_index("reason")["rows"]
    assert log["kept"] == 3 and log["date_in_future"] == 1  # 2030: after the day of the run



def test_a_source_named_otherwise_is_the_canonical_table_it_declares(tmp_path):
    body = VALID.replace("      transactions:\n", "      orders:\n        table: transactions\n")
    loaded = load_case(write_case(tmp_path, body)).load()
    assert loaded.transactions["customer_id"].tolist() == ["C1", "C1"]
    sources = loaded.sources_table().set_index("table")
    assert sources.loc["orders", "after_period"] == 1 and sources.loc["orders", "analysed"] == 2
    two = body + "      more_orders: {path: ../data.csv, table: transactions}\n"
    two = two.replace("    notebooks: [00_data_overview]\n", "") + "    notebooks: [00_data_overview]\n"
    with pytest.raises(CaseError, match=r"\['orders', 'more_orders'\] all give the canonical table"):
        load_case(write_case(tmp_path, two))


def test_auxiliary_tables_may_have_names_close_to_a_table_name(tmp_path):
    """Only typos (two edits) and synonyms are refused; other names, or table: auxiliary, pass."""
    for name in ("customer_tiers", "transactions_2023", "salesrep"):
        body = VALID.replace("    notebooks:", f"      {name}: {{path: ../data.csv}}\n    notebooks:")
        assert name in load_case(write_case(tmp_path, body)).sources
    body = VALID.replace("    notebooks:", "      orders: {path: ../data.csv, table: auxiliary}\n    notebooks:")
    loaded = load_case(write_case(tmp_path, body)).load()
    assert "orders" in loaded.tables and len(loaded.tables["orders"]) == 4  # read as it is


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
        # YAML's own date constructor would say only "month must be in 1..12"
        (("start: 2024-01-01", "start: 2024-13-01"),
         r"key 'start': '2024-13-01' is not a date; write YYYY-MM-DD"),
        (("end: 2024-12-31", "end: 2023-12-31"),
         r"key 'end' \(2023-12-31\) is before key 'start' \(2024-01-01\); end must be on or after"),
        (("default_period: 2024-02", "default_period: 2023-06"),
         r"key 'default_period': period '2023-06' ends on 2023-06-30, before the case's start; "
         r"a period must end within the data window 2024-01-01..2024-12-31"),
        (("default_period: 2024-02", "default_period: 2025-01"),
         r"key 'default_period': period '2025-01' ends on 2025-01-31, after the case's end"),
        (("language: zh", "language: zh\n    currency: rmb"),
         r"key 'currency' is 'rmb'; allowed: a 3-letter upper-case ISO 4217 code"),
        ((PATH, PATH + "\n        sep: 5"),
         r"'sources.transactions.sep' is 5; write the delimiter as a quoted string .*'whitespace'"),
        ((PATH, PATH + "\n        header: abc"),
         r"'sources.transactions.header' is 'abc'; allowed: .* integer >= 0.* or null"),
        ((PATH, PATH + "\n        header: -1"), r"'sources.transactions.header' is -1; allowed"),
        ((PATH, PATH + "\n        date_format: '%Q'"),
         r"'sources.transactions.date_format' is '%Q'; allowed: a strptime format with year "
         r"\(%Y\), month \(%m\) and day \(%d\)"),
        ((PATH, PATH + "\n        date_format: DD/MM/YYYY"),
         r"'sources.transactions.date_format' is 'DD/MM/YYYY'; allowed: a strptime format"),
        ((PATH, PATH + "\n        duplicates: drop"),
         r"'sources.transactions.duplicates' is 'drop'; allowed: \['quarantine', 'keep'\]"),
        ((PATH, PATH + "\n        encoding: klingon"),
         r"'sources.transactions.encoding' is 'klingon', which Python does not know; allowed: "
         r"a codec name such as utf-8"),
        (("      transactions:", "      orders:"),
         r"source name 'orders' is not one of the tables \['transactions', 'customers', "
         r"'survey', 'opportunities'\].*did you mean 'transactions'\?"),
        (("      transactions:", "      custmers:"), r"source name 'custmers' .*did you mean 'customers'"),
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


def test_reading_options_given_as_null_take_their_defaults(tmp_path):
    body = VALID.replace(PATH, PATH + "\n        sep: null\n        encoding: null\n"
                                      "        header: 0\n        duplicates: keep")
    assert load_case(write_case(tmp_path, body)).load().transactions.shape[0] == 2


def test_a_case_needs_transactions_or_a_survey(tmp_path):
    body = VALID.replace("      transactions:", "      customers:").replace(
        "columns: {customer_id: 客户, date: 日期, amount: 金额}", "columns: {customer_id: 客户}")
    path = write_case(tmp_path, body)
    with pytest.raises(CaseError, match=r"key 'sources' has \['customers'\] but neither "
                                        r"'transactions' nor 'survey'") as err:
        load_case(path)
    assert str(path) in str(err.value)


def test_auxiliary_tables_with_their_own_names_are_allowed(tmp_path):
    body = VALID.replace("    notebooks:", "      sales_expense: {path: ../data.csv}\n    notebooks:")
    loaded = load_case(write_case(tmp_path, body)).load()
    assert loaded.tables["sales_expense"].shape == (4, 3)  # read as it is, not cleaned


def test_an_explicit_period_outside_the_window_is_an_error(tmp_path):
    case = load_case(write_case(tmp_path, VALID))
    with pytest.raises(CaseError, match=r"period '2025-03' ends on 2025-03-31, after the case's end"):
        case.load("2025-03")


def test_sources_table_shows_kept_rows_after_the_period(tmp_path):
    loaded = load_case(write_case(tmp_path, VALID)).load()
    row = loaded.sources_table().set_index("table").loc["transactions"]
    # C1 x2 and C2 kept; C2's March purchase is after 2024-02; C3's 2030 one is outside
    assert row[["rows_in", "kept", "quarantined", "after_period", "analysed"]].tolist() == [4, 3, 1, 1, 2]


def test_excel_sources_with_numeric_ids_and_a_survey_load_through_the_case(tmp_path):
    """Ids typed as numbers in Excel join as text ("1001", never "1001.0"); survey ids are
    checked, and every survey row is kept or quarantined in the cleaning log."""
    from test_io import _with_float_ids

    (tmp_path / "data").mkdir()
    pd.DataFrame({"客户": [1001, 1002, 1001], "日期": ["2024-01-05", None, "2024-02-01"],
                  "金额": [10, 20, 30]}).to_excel(tmp_path / "data" / "orders.xlsx", index=False)
    pd.DataFrame({"客户": [1001, 1002], "行业": ["power", "oem"]}).to_excel(
        tmp_path / "data" / "customers.xlsx", index=False)
    for name in ("orders", "customers"):
        _with_float_ids(tmp_path / "data" / f"{name}.xlsx", (1001, 1002))
    (tmp_path / "data" / "survey.csv").write_text("编号,CUSA1\nR1,5\nR2,4\nR1,3\n,2\n",
                                                  encoding="utf-8")
    body = VALID.replace(PATH, "path: ../data/orders.xlsx").replace("    notebooks:", """\
      customers:
        path: ../data/customers.xlsx
        columns: {customer_id: 客户, industry: 行业}
      survey:
        path: ../data/survey.csv
        columns: {respondent_id: 编号, CUSA1: CUSA1}   # only mapped items are answers
    notebooks:""")
    loaded = load_case(write_case(tmp_path, body)).load()
    assert loaded.transactions["customer_id"].tolist() == ["1001", "1001"]
    assert loaded.customers["customer_id"].tolist() == ["1001", "1002"]
    assert set(loaded.transactions["customer_id"]) <= set(loaded.customers["customer_id"])
    assert loaded.survey["respondent_id"].tolist() == ["R1", "R2"]
    log = loaded.cleaning_log.set_index(["table", "reason"])["rows"]
    assert log[("transactions", "date_missing")] == 1
    assert log[("survey", "kept")] == 2 and log[("survey", "respondent_id_duplicate")] == 1
    assert log[("survey", "respondent_id_missing")] == 1
    sources = loaded.sources_table().set_index("table")
    assert (sources["rows_in"] == sources["kept"] + sources["quarantined"]).all()
    assert sources.loc["survey", "rows_in"] == 4


def test_generated_sources_are_rebuilt_when_the_generator_changes(tmp_path):
    body = VALID.replace("""        path: ../data.csv
        columns: {customer_id: 客户, date: 日期, amount: 金额}
""", """        generator: ncompany
        options: {n_customers: 20, n_respondents: 5}
""").replace("start: 2024-01-01", "start: 2021-01-01").replace("default_period: 2024-02",
                                                                 "default_period: 2024-12")
    case = load_case(write_case(tmp_path, body))
    folder = tmp_path / "data" / "processed" / "mine"
    first = case.load().transactions
    stamp = folder / "options.yaml"
    assert "generator_code:" in stamp.read_text(encoding="utf-8")
    # a stamp from another version of the generator: the files are regenerated, not reused
    stamp.write_text(stamp.read_text(encoding="utf-8").replace("generator_code:", "generator_code: old"),
                     encoding="utf-8")
    (folder / "transactions.csv").write_text("customer_id,date,amount\n", encoding="utf-8")
    pd.testing.assert_frame_equal(case.load().transactions, first)
    # a generated source under another name reads the generator's table it declares
    renamed = body.replace("      transactions:\n", "      sales:\n        table: transactions\n")
    pd.testing.assert_frame_equal(load_case(write_case(tmp_path, renamed)).load().transactions, first)
    unknown = body.replace("    notebooks:", "      budget: {generator: ncompany, options: {n_customers: 20, "
                                             "n_respondents: 5}}\n    notebooks:")
    with pytest.raises(CaseError, match=r"source 'budget': generator 'ncompany' writes no table 'budget'; "
                                        r"it writes \[.*'stock'"):
        load_case(write_case(tmp_path, unknown)).load()


# --- parameters: validated when the case loads (workbench.parameters) -----------------

SET = "notebooks: [00_data_overview]"


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        # the typo: an unknown key is an error, not the default used in silence
        ("value: {abc_cut: [0.8, 0.95]}",
         r"key 'parameters.value' has unknown key\(s\) \['abc_cut'\]; did you mean 'abc_cuts'\? "
         r"Allowed keys: recent_months \(.*\); abc_cuts \(cumulative value shares"),
        # a string is not two cuts read out of its characters
        ("value: {abc_cuts: '0.8,0.95'}",
         r"key 'parameters.value.abc_cuts' is '0.8,0.95': a string, not a list; allowed: a list of 2 "
         r"increasing numbers in \(0, 1\], e.g. \[0.8, 0.95\] \(default \[0.8, 0.95\]: cumulative"),
        ("value: {abc_cuts: [0.95, 0.8]}",
         r"'parameters.value.abc_cuts' is \[0.95, 0.8\]: the entries do not increase"),
        ("value: {abc_cuts: [0.8, 1.5]}", r"'parameters.value.abc_cuts' is \[0.8, 1.5\]; allowed: a list of 2"),
        ("value: {abc_cuts: [0.8]}", r"'parameters.value.abc_cuts' is \[0.8\]: it has 1 entries"),
        ("value: {key_accounts: 0}", r"'parameters.value.key_accounts' is 0; allowed: an integer >= 1 \(default 20"),
        ("value: {key_accounts: '20'}", r"'parameters.value.key_accounts' is '20'; allowed: an integer >= 1"),
        ("value: {key_accounts: yes}", r"'parameters.value.key_accounts' is True; allowed: an integer"),
        ("value: {rfm_cut: avg}", r"'parameters.value.rfm_cut' is 'avg'; allowed: one of \['mean', 'median'\]"),
        ("value: {ahp: {labels: [a, b], matrix: [[1, 2]]}}",
         r"'parameters.value.ahp' is .*: the matrix must be 2 x 2, one row and column per label"),
        ("value: {ahp: {labels: [a, b], matrix: [[1, 2], [0, 1]]}}", r"every entry must be a positive number"),
        ("segmentation: {k: 1}", r"'parameters.segmentation.k' is 1; allowed: one of \['auto'\] or an integer >= 2"),
        ("segmentation: {k_range: [6, 3]}", r"'parameters.segmentation.k_range' is \[6, 3\]: the entries decrease"),
        ("segmentation: {columns: frequency}",
         r"'parameters.segmentation.columns' is 'frequency': a string, not a list"),
        ("segmentation: {transforms: {frequency: sqrt}}",
         r"'parameters.segmentation.transforms' is .*allowed: one of \['auto'\] or a mapping \{column: one of"),
        ("segmentation: {pca: 1.5}",
         r"'parameters.segmentation.pca' is 1.5; allowed: an integer >= 1 or a number in \(0, 1\)"),
        ("lifecycle: {churn_horizon: -30}",
         r"'parameters.lifecycle.churn_horizon' is -30; allowed: a number > 0, or null \(default None: days"),
        ("lifecycle: {cohort_period: month}", r"'parameters.lifecycle.cohort_period' is 'month'; allowed: one of"),
        ("satisfaction: {spec: ecsi_mobil}",
         r"'parameters.satisfaction.spec' is 'ecsi_mobil'; allowed: a bundled spec name, one of \[.*'ecsi_mobi'"),
        ("satisfaction: {spec: specs/ours.yml}",
         r"'parameters.satisfaction.spec' is 'specs/ours.yml': file .*cases/specs/ours.yml does not exist"),
        ("valeu: {abc_cuts: [0.8, 0.95]}",
         r"key 'parameters' has unknown topic\(s\) \['valeu'\]; did you mean 'value'\? Allowed topics: value \("),
        ("value: [0.8, 0.95]", r"key 'parameters.value' is \[0.8, 0.95\]; it must be a mapping of settings"),
    ],
)
def test_invalid_parameters_name_the_file_the_key_and_what_is_allowed(tmp_path, parameters, message):
    path = write_case(tmp_path, VALID.replace(SET, f"{SET}\n    parameters:\n      {parameters}"))
    with pytest.raises(CaseError, match=message) as err:
        load_case(path)
    assert str(path) in str(err.value)


def test_parameters_are_typed_with_defaults_and_spec_files_resolve_against_the_case(tmp_path):
    (tmp_path / "cases" / "specs").mkdir(parents=True)
    (tmp_path / "cases" / "specs" / "mine.yaml").write_text("name: mine\n", encoding="utf-8")
    body = VALID.replace(SET, f"""{SET}
    parameters:
      value: {{abc_cuts: [0.7, 0.9], key_accounts: 5}}
      satisfaction: {{spec: specs/mine.yaml}}
      lifecycle: {{churn_horizon: 365}}""")
    params = load_case(write_case(tmp_path, body)).load().params
    assert params.value.abc_cuts == (0.7, 0.9) and params.value.key_accounts == 5
    assert params.value.rfm_cut == "mean" and params.segmentation.k == "auto"  # defaults
    assert params.satisfaction.spec == (tmp_path / "cases" / "specs" / "mine.yaml").resolve()
    assert params.lifecycle.churn_horizon == 365.0 and isinstance(params.lifecycle.churn_horizon, float)
    assert params.lifecycle.changed() == {"churn_horizon": 365.0}


def test_bundled_cases_parameters():
    ncompany = load_case("ncompany").params
    assert ncompany.segmentation.by == "industry"
    assert ncompany.satisfaction.spec == "ncompany_ecsi"
    assert ncompany.lifecycle.churn_horizon == 365
    assert all(not topic.changed() for topic in load_case("cdnow").params.values())


def test_a_week_case_refuses_a_month_period_and_reads_iso_weeks(tmp_path):
    weekly = VALID.replace("granularity: M", "granularity: W").replace("default_period: 2024-02",
                                                                       "default_period: 2024-W06")
    case = load_case(write_case(tmp_path, weekly))
    assert str(case.period()) == "2024-02-05/2024-02-11" and str(case.as_of().date()) == "2024-02-11"
    assert str(case.period("2024-02-07")) == "2024-02-05/2024-02-11"  # a day: the week holding it
    for text in ("2024-03", "2024", "2024Q1", "2024-W54"):
        with pytest.raises(CaseError) as err:
            case.period(text)
        message = str(err.value)
        for part in (str(case.path), repr(text), "granularity", "W", "2024-W10", "default_period", "--period"):
            assert part in message, (part, message)
    assert "不是一周" in message  # the case speaks Chinese
    with pytest.raises(CaseError, match=r"mine\.yaml: key 'default_period': .*'2024-03'.*2024-W10"):
        load_case(write_case(tmp_path, weekly.replace("2024-W06", "2024-03")))


def test_a_folder_given_as_the_case_names_the_folder_and_asks_for_a_case_file(tmp_path):
    write_case(tmp_path, VALID)
    with pytest.raises(CaseError) as err:
        load_case(tmp_path / "cases")
    message = str(err.value)
    assert str(tmp_path / "cases") in message and "is a folder" in message and "(.yaml)" in message
    assert "mine.yaml" in message  # the case files it holds
    with pytest.raises(CaseError, match="is a folder, not a case file"):
        load_case(tmp_path / "notebooks")  # no case file in it


def test_a_survey_header_repeating_an_unmapped_spec_item_is_an_error(tmp_path):
    import yaml

    spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
            "constructs": {"SAT": {"items": ["S1", "S2"], "mode": "A"}, "LOY": {"items": ["L1", "L2"], "mode": "A"}},
            "paths": [["SAT", "LOY"]]}
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "tiny.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    (tmp_path / "survey.csv").write_text("id,S1,S2,L1,L2,S1\nR1,4,5,4,3,2\n", encoding="utf-8")
    body = """\
        name: mine
        language: zh
        granularity: Y
        start: 2024-01-01
        default_period: "2024"
        sources:
          survey: {path: ../survey.csv, columns: {respondent_id: id}}
        notebooks: [00_data_overview]
        parameters:
          satisfaction: {spec: tiny.yaml}
    """
    case = load_case(write_case(tmp_path, body))
    with pytest.raises(ValueError) as err:
        case.load()
    message = str(err.value)
    for part in ("survey.csv", "'S1'", "2 次", "2（B）、6（F）", "parameters.satisfaction.spec", "columns"):
        assert part in message, (part, message)
