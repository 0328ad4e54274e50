"""A page keeps the case's language: bilingual markdown cells shown in one language."""

import re

import nbformat
import pytest

from workbench.navigation import ZH_SHARE, cjk_share, markdown_in_language, notebook_page, text_language


@pytest.mark.parametrize("text, expected", [
    ("Revenue nets returns; customers are distinct buyers in the period.", "en"),
    ("销售额为扣除退货后的净额；客户数为本期有购买的不同客户数。", "zh"),
    # 4 CJK characters against 2 Latin words (Kaplan, Meier): 4 / 6 >= 0.5
    ("Kaplan-Meier 生存曲线", "zh"),
    # 3 CJK characters against 4 Latin words (BG, NBD, Gamma, Gamma): 3 / 7 < 0.5
    ("BG/NBD 与 Gamma-Gamma", "en"),
    # Chinese terms quoted in English prose: 6 CJK against 12 words
    ("the lifecycle stages (考察期 exploration, 形成期 formation) with their rules, one by one", "en"),
    # code spans, formulas and tags do not count: one CJK character against no word
    ("`customer_id` 时 $\\alpha_c + \\tau_y$ <b>x</b>", "zh"),
    ("$$CLV = \\sum_t m r^{t-1} / (1+d)^t$$", None),
    ("| 1 | 2 |", None),
    ("", None),
])
def test_text_language_counts_cjk_characters_against_latin_words(text, expected):
    assert text_language(text) == expected


def test_the_threshold_separates_every_paragraph_of_the_bundled_notebooks(root):
    """English paragraphs stay far below ZH_SHARE, Chinese ones far above: the split is not marginal."""
    shares = {"en": [], "zh": []}
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for paragraph in re.split(r"\n\s*\n", cell.source):
                share = cjk_share(paragraph)
                if share is not None and not paragraph.startswith("#"):
                    shares["zh" if share >= ZH_SHARE else "en"].append(share)
    assert len(shares["en"]) > 60 and len(shares["zh"]) > 60
    assert max(shares["en"]) < 0.3 and min(shares["zh"]) > 0.8


CELL = """## Churn rate per period · 各期流失率

Churn rate = customers who bought in the previous period but not in this one, over the
previous period's buyers (`reactivated` come back).

$$r = \\frac{lost}{buyers}$$

| stage | rule |
|---|---|
| churned | no purchase |

```python
print("kept")
```

流失率 = 上期有购买而本期没有购买的客户数 ÷ 上期购买客户数（`reactivated` 为回流客户）。"""


def test_a_chinese_page_keeps_the_chinese_paragraph_heading_half_formula_table_and_code():
    shown = markdown_in_language(CELL, "zh")
    assert shown == (
        "## 各期流失率\n\n"
        "$$r = \\frac{lost}{buyers}$$\n\n"
        "| stage | rule |\n|---|---|\n| churned | no purchase |\n\n"
        '```python\nprint("kept")\n```\n\n'
        "流失率 = 上期有购买而本期没有购买的客户数 ÷ 上期购买客户数（`reactivated` 为回流客户）。")


def test_an_english_page_keeps_the_english_paragraph_and_heading_half():
    shown = markdown_in_language(CELL, "en")
    assert shown.startswith("## Churn rate per period\n\nChurn rate = customers who bought")
    assert "(`reactivated` come back)." in shown
    assert "流失" not in shown and "$$r = \\frac{lost}{buyers}$$" in shown and 'print("kept")' in shown


def test_a_cell_in_one_language_keeps_it_and_plain_headings_stay():
    english = "# Mine\n\nOnly English here.\n\n- a list\n- of two"
    assert markdown_in_language(english, "zh") == english
    chinese = "## 说明\n\n只有中文。"
    assert markdown_in_language(chinese, "en") == chinese
    # a heading without one English and one Chinese half is kept whole
    assert markdown_in_language("## RFM · BG/NBD", "zh") == "## RFM · BG/NBD"
    assert markdown_in_language("## A · B · 丙", "zh") == "## A · B · 丙"
    # a heading-only cell
    assert markdown_in_language("## Customers · 客户档案", "zh") == "## 客户档案"
    assert markdown_in_language("## Customers · 客户档案", "en") == "## Customers"


def test_a_list_and_several_paragraphs_of_the_other_language_all_go():
    cell = ("## Reading the results · 结果解读\n\n- Concentration: the Gini coefficient.\n"
            "- The value matrix says where resources go.\n\nSecond English paragraph.\n\n"
            "集中度：基尼系数说明业务依赖少数客户的程度。")
    assert markdown_in_language(cell, "zh") == "## 结果解读\n\n集中度：基尼系数说明业务依赖少数客户的程度。"
    assert markdown_in_language(cell, "en") == (
        "## Reading the results\n\n- Concentration: the Gini coefficient.\n"
        "- The value matrix says where resources go.\n\nSecond English paragraph.")


def test_a_fence_with_blank_lines_is_one_block():
    cell = "Intro in English.\n\n```\nfirst\n\nsecond 中文 中文 中文\n```\n\n中文说明。"
    assert markdown_in_language(cell, "zh") == "```\nfirst\n\nsecond 中文 中文 中文\n```\n\n中文说明。"


def test_an_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="'fr' is not a report language"):
        markdown_in_language("text", "fr")


def test_the_page_is_in_one_language_and_the_executed_notebook_keeps_both(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title · 标题\n\nEnglish text here.\n\n中文说明。"),
                nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output("stream", text="printed\n")])]
    executed = tmp_path / "x.ipynb"
    nbformat.write(nb, executed)
    before = executed.read_bytes()
    for lang, kept, gone in (("zh", ["标题", "中文说明。"], ["Title", "English text here."]),
                             ("en", ["Title", "English text here."], ["标题", "中文说明。"])):
        page = tmp_path / f"x-{lang}.html"
        notebook_page(executed, page, lang=lang, title="t", nav="<nav></nav>")
        body = page.read_text(encoding="utf-8").split("<body")[1]
        assert all(k in body for k in kept) and not any(g in body for g in gone), lang
        assert "printed" in body
    assert executed.read_bytes() == before  # the executed notebook keeps both languages
