"""Personal data: detection, pseudonyms, and no raw value in any output of a rendered case."""

import json
import re
import textwrap
import zipfile

import pandas as pd
import pytest
from PIL import Image

from workbench.cases import load_case
from workbench.datasets import make_ncompany
from workbench.privacy import KEY_VARIABLE, detect_personal_columns, pseudonymise
from workbench.reports import render_report


def test_pseudonyms_are_stable_keyed_and_normalised(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    phones = pd.Series(["138 0013 8000", "+86 13800138000", "13912345678"])
    first = pseudonymise(phones, "phone", context="mine")
    assert first[0] == first[1] != first[2]
    assert first.tolist() == pseudonymise(phones, "phone", context="mine").tolist()
    assert first[0] != pseudonymise(phones, "phone", context="other")[0]
    monkeypatch.setenv(KEY_VARIABLE, "a secret")
    assert pseudonymise(phones, "phone", context="mine")[0] != first[0]
    with pytest.raises(ValueError, match="'name', 'phone', 'email' or 'id'"):
        pseudonymise(phones, "address")


def test_personal_columns_are_found_by_header_or_by_values():
    frame = pd.DataFrame({"respondent_id": ["R1", "R2"], "Q1": [4, 5], "手机号码": ["x", "y"],
                          "备注": ["a@b.cn", "c@d.com"], "hotel": ["x", "y"],
                          "contact_name": ["Li", "Wang"], "visits": [3, 2],
                          "号码": [13800138000, 13912345678]})  # numbers, as Excel stores them
    assert detect_personal_columns(frame, skip=["respondent_id"]) == {
        "手机号码": "phone", "备注": "email", "contact_name": "name", "号码": "phone"}


NAMES = ["王小明", "李丽", "Zhang Wei"]
PHONES = ["13800138000", "13912345678", "15011112222"]
EMAILS = ["wang.xm@example.cn", "lili@example.cn", "zw@example.com"]
MANAGERS = ["张建国", "Liu Fang"]  # the sales reps: account_manager, a name
IDS = re.compile(r"(?<![\d.])159\d{8}(?!\d)")  # a customer id (a mobile number) as written in the files


def phone_id(customer_id: str) -> str:
    """The customer's id as the shop keeps it: its mobile number (C0007 -> 15900000007)."""
    return f"159{int(customer_id[1:]):08d}"


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    """A small N-company-like case whose customers have real-looking names, phones and
    e-mails and are known by their mobile numbers (the customer ids of every table), whose
    account managers are named, and whose survey carries a phone column."""
    root = tmp_path_factory.mktemp("pii")
    data = make_ncompany(120, n_respondents=150, seed=7).tables()
    customers = data["customers"].copy()
    n = len(customers)
    customers["name"] = [NAMES[i % 3] + (str(i) if i >= 3 else "") for i in range(n)]
    customers["电话"] = [PHONES[i % 3] if i < 3 else f"1370000{i:04d}" for i in range(n)]
    customers["邮箱"] = [EMAILS[i % 3] if i < 3 else f"user{i}@example.org" for i in range(n)]
    customers["account_manager"] = [MANAGERS[i % 2] for i in range(n)]
    survey = data["survey"].copy()
    survey["联系电话"] = [PHONES[i % 3] for i in range(len(survey))]
    transactions = data["transactions"].copy()
    for table in (transactions, customers, survey):
        table["customer_id"] = table["customer_id"].map(phone_id)
    (root / "data").mkdir()
    transactions.to_csv(root / "data" / "orders.csv", index=False)
    customers.to_csv(root / "data" / "customers.csv", index=False)
    survey.to_csv(root / "data" / "survey.csv", index=False)
    (root / "cases").mkdir()
    (root / "cases" / "people.yaml").write_text(textwrap.dedent("""\
        name: people
        language: zh
        currency: CNY
        granularity: Y
        start: 2021-01-01
        end: 2024-12-31
        default_period: "2024"
        sources:
          transactions: {path: ../data/orders.csv}
          customers:
            path: ../data/customers.csv
            columns: {phone: 电话, email: 邮箱}
          survey: {path: ../data/survey.csv}
        notebooks: [00_data_overview, 01_customer_value]
        parameters:
          satisfaction: {spec: ncompany_ecsi}
        """), encoding="utf-8")
    return load_case(root / "cases" / "people.yaml"), {phone_id(c) for c in data["transactions"]["customer_id"]}


@pytest.fixture(scope="module")
def rendered(people):
    """The case of :func:`people`, rendered (00 and 01)."""
    case, _ = people
    root = case.path.parent.parent
    folder = render_report(case, reports_dir=root / "reports", progress=False, log=lambda _: None)
    return folder


def test_phone_number_ids_are_one_pseudonym_in_every_table_and_joins_hold(people):
    from workbench.quality import join_match_rates, validation_report

    case, ids = people
    loaded = case.load()
    for name in ("transactions", "customers", "survey"):
        column = loaded.tables[name]["customer_id"]
        assert column.str.startswith("id-").all() and not set(column) & ids, name
        assert not loaded.tables[name].astype(str).isin(ids).any().any(), name
    # the same id, the same pseudonym: every buyer is in the master, every respondent a buyer
    joins = join_match_rates(loaded).set_index("join")["match_rate"]
    assert joins.to_dict() == {"transactions -> customers": 1.0, "survey -> customers": 1.0}
    sources = loaded.sources_table()
    assert (sources["rows_in"] == sources["kept"] + sources["quarantined"]).all()
    assert loaded.customers["account_manager"].str.startswith("name-").all()
    assert loaded.customers["account_manager"].nunique() == len(MANAGERS)
    again = case.load()  # stable: the same pseudonyms in another load (and run)
    assert again.transactions["customer_id"].tolist() == loaded.transactions["customer_id"].tolist()
    text = validation_report(loaded).to_text()
    assert "customer_id looks like personal data (phone)" in text
    assert not any(phone in text for phone in ids) and not any(m in text for m in MANAGERS)


def _texts(folder):
    """Every text a reader can see: CSV, workbook cells, HTML, notebooks, figure text."""
    for path in sorted(folder.rglob("*")):
        if path.suffix in {".csv", ".html", ".ipynb", ".json"}:
            yield path, path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                yield path, "".join(book.read(n).decode("utf-8") for n in book.namelist()
                                    if n.endswith(".xml"))
        elif path.suffix == ".png":
            yield path, json.dumps(Image.open(path).text, ensure_ascii=False)


@pytest.mark.notebook
def test_no_name_phone_or_email_reaches_any_output(rendered):
    texts = list(_texts(rendered))
    assert any(p.suffix == ".png" for p, _ in texts) and any(p.suffix == ".xlsx" for p, _ in texts)
    for path, text in texts:
        for raw in (*NAMES, *PHONES, *EMAILS, *MANAGERS):
            assert raw not in text, f"{raw!r} in {path.relative_to(rendered)}"
        ids = IDS.findall(text)
        assert not ids, f"customer ids {ids[:3]} in {path.relative_to(rendered)}"
    items = pd.read_csv(rendered / "tables" / "survey_items.csv", encoding="utf-8-sig")
    assert "联系电话" not in set(items.iloc[:, 0])  # the phone column is not an item
    indicators = (rendered / "tables" / "customer_indicators.csv").read_text(encoding="utf-8-sig")
    assert "name-" in indicators and "id-" in indicators


@pytest.mark.notebook
def test_figures_carry_their_text_so_the_scan_sees_it(rendered):
    described = [Image.open(p).text.get("Description", "") for p in (rendered / "figures").glob("*.png")]
    assert described and all(described)
