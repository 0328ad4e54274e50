"""Personal data: detection, pseudonyms, and no raw value in any output of a rendered case."""

import json
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
    with pytest.raises(ValueError, match="'name', 'phone' or 'email'"):
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


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A small N-company-like case whose customers have real-looking names, phones and
    e-mails, and whose survey carries a phone column, rendered (00 and 01)."""
    root = tmp_path_factory.mktemp("pii")
    data = make_ncompany(120, n_respondents=150, seed=7).tables()
    customers = data["customers"].copy()
    n = len(customers)
    customers["name"] = [NAMES[i % 3] + (str(i) if i >= 3 else "") for i in range(n)]
    customers["电话"] = [PHONES[i % 3] if i < 3 else f"1370000{i:04d}" for i in range(n)]
    customers["邮箱"] = [EMAILS[i % 3] if i < 3 else f"user{i}@example.org" for i in range(n)]
    survey = data["survey"].copy()
    survey["联系电话"] = [PHONES[i % 3] for i in range(len(survey))]
    (root / "data").mkdir()
    data["transactions"].to_csv(root / "data" / "orders.csv", index=False)
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
    case = load_case(root / "cases" / "people.yaml")
    folder = render_report(case, reports_dir=root / "reports", progress=False, log=lambda _: None)
    return folder


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
        for raw in (*NAMES, *PHONES, *EMAILS):
            assert raw not in text, f"{raw!r} in {path.relative_to(rendered)}"
    items = pd.read_csv(rendered / "tables" / "survey_items.csv", encoding="utf-8-sig")
    assert "联系电话" not in set(items.iloc[:, 0])  # the phone column is not an item
    assert "name-" in (rendered / "tables" / "customer_indicators.csv").read_text(encoding="utf-8-sig")


@pytest.mark.notebook
def test_figures_carry_their_text_so_the_scan_sees_it(rendered):
    described = [Image.open(p).text.get("Description", "") for p in (rendered / "figures").glob("*.png")]
    assert described and all(described)
