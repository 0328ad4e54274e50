"""The pages of a report and the way between them: HTML export, navigation, indexes.

Every page of a period carries the same bar: the case's index of periods, the period's
index, its summary, each notebook and the workbook. Titles name the case, the period and
the page; ``<html lang>`` is the case's language; no page loads anything from the
network (nbconvert's require.js, MathJax and Mermaid script tags are left out), so a
report folder can be opened offline, mailed or archived as it is. Warnings and other
``stderr`` output stay in the executed ``.ipynb`` (they are evidence) but not on the
management pages.

The notebooks' markdown is bilingual, an English and a Chinese paragraph per cell and
``English · 中文`` headings; a page keeps the case's language only
(:func:`markdown_in_language`), while the executed ``.ipynb`` keeps both, as the record
of the notebook that ran.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

from workbench.labels import label

__all__ = ["case_index", "cjk_share", "markdown_in_language", "notebook_page", "page_title", "period_index", "NAV_CSS",
           "nav_bar", "text_language"]

#: one style for the bar, the indexes and the summary page
NAV_CSS = """
nav.wb-nav{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;background:#f4f5f7;
  border-bottom:1px solid #d0d4da;padding:.5em 1em;margin:0 0 1em 0;font-size:14px;line-height:1.8}
nav.wb-nav a{margin-right:1.1em;color:#1f4e8c;text-decoration:none;white-space:nowrap}
nav.wb-nav a.wb-current{font-weight:600;color:#111;border-bottom:2px solid #c44e52}
nav.wb-nav .wb-where{color:#555;margin-right:1.5em;white-space:nowrap}
.wb-table table{border-collapse:collapse;font-size:13px;margin:.3em 0}
.wb-table th{background:#f4f5f7;border-bottom:1px solid #999;padding:3px 8px;vertical-align:bottom}
.wb-table td{border-bottom:1px solid #e3e5e8;padding:2px 8px;font-variant-numeric:tabular-nums}
.wb-table .wb-nw{white-space:nowrap}
.wb-table-note{color:#555;font-size:12px;margin:.2em 0 1em 0}
body.wb-page{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
.wb-main{max-width:1100px;margin:0 auto;padding:0 1.2em 3em 1.2em}
.wb-main h1{font-size:1.6em}.wb-main h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
.wb-cards{display:flex;flex-wrap:wrap;gap:.8em}
.wb-card{border:1px solid #d0d4da;border-radius:6px;padding:.6em .9em;min-width:11em;background:#fff}
.wb-card .wb-k{color:#555;font-size:13px}.wb-card .wb-v{font-size:1.35em;font-weight:600}
.wb-card .wb-d{font-size:12px;color:#555}
.wb-missing{color:#666;font-style:italic}
.wb-figs img{max-width:100%;border:1px solid #eee;margin:.4em 0}
.wb-figs figure{margin:1.2em 0}.wb-figs figcaption{font-weight:600;margin:.2em 0}
.wb-failed{color:#a00;font-weight:600}
/* printed sentences of the notebooks read as prose, not as program output */
.jp-RenderedText[data-mime-type="text/plain"],.jp-RenderedText[data-mime-type="text/plain"] pre{
font-family:var(--jp-content-font-family);font-size:var(--jp-content-font-size1);
line-height:var(--jp-content-line-height);white-space:pre-wrap}
"""

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">{{ resources.workbench_css }}</style>{% endblock extra_css %}
{%- block body_header -%}{{ super() }}{{ resources.workbench_nav }}{%- endblock body_header -%}
"""


def page_title(case_title: str, period: str, page: str) -> str:
    """``<page> · <case> · <period>``, the title of every report page.

    Parameters
    ----------
    case_title : str
    period : str
    page : str
        The page's name in the report language.

    Returns
    -------
    str
    """
    return f"{page} · {case_title} · {period}"


def nav_bar(*, notebooks: Sequence[str], current: str | None, lang: str, case_title: str,
            period: str, failed: Sequence[str] = ()) -> str:
    """The navigation bar of a period's pages.

    Parameters
    ----------
    notebooks : sequence of str
        The period's notebooks in report order.
    current : str or None
        The page being written: a notebook name, ``"summary"``, ``"index"``.
    lang : {"zh", "en"}
    case_title, period : str
        Shown at the bar's start.
    failed : sequence of str
        Notebooks that failed; marked in the bar.

    Returns
    -------
    str
        A ``<nav class="wb-nav">`` element; links are relative to the period folder.
    """
    def link(href: str, text: str, key: str) -> str:
        cls = ' class="wb-current"' if key == current else ""
        return f'<a href="{href}"{cls}>{html.escape(text)}</a>'

    items = [f'<span class="wb-where">{html.escape(case_title)} · {html.escape(period)}</span>',
             link("../index.html", label("nav_periods", lang), "periods"),
             link("index.html", label("nav_index", lang), "index"),
             link("summary.html", label("nav_summary", lang), "summary")]
    for name in notebooks:
        text = label(f"nb_{name}", lang)
        if name in failed:
            text += " ⚠"
        items.append(link(f"{name}.html", text, name))
    items.append(link("tables/tables.xlsx", label("nav_workbook", lang), "workbook"))
    return '<nav class="wb-nav">' + "".join(items) + "</nav>"


#: CJK unified ideographs (with extension A and the compatibility block)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
#: what is neither language: code spans, inline and display formulas, HTML tags, link targets
_NOT_PROSE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$\n]+\$|<[^>]*>|\]\([^)]*\)", re.S)
#: a paragraph is Chinese when CJK characters make at least this share of its "words"
ZH_SHARE = 0.5


def cjk_share(text: str) -> float | None:
    """The share of CJK characters among the "words" of a paragraph, or None without words.

    Each CJK character counts as one word, each run of Latin letters as one; code spans,
    formulas (``$...$``), HTML tags and link targets are not counted.

    Parameters
    ----------
    text : str

    Returns
    -------
    float or None
        In [0, 1].

    Examples
    --------
    >>> cjk_share("Kaplan-Meier 生存曲线")  # 4 characters against Kaplan, Meier
    0.6666666666666666
    >>> cjk_share("`customer_id` = 1") is None
    True
    """
    prose = _NOT_PROSE.sub(" ", text)
    cjk = len(_CJK.findall(prose))
    latin = len(_LATIN_WORD.findall(prose))
    return cjk / (cjk + latin) if cjk + latin else None


def text_language(text: str) -> str | None:
    r"""The language of a paragraph: ``"zh"``, ``"en"`` or None (no words: a formula, numbers).

    The paragraph is Chinese when its :func:`cjk_share` is at least :data:`ZH_SHARE`. A
    Chinese sentence that names ``BG/NBD`` or ``Kaplan-Meier`` stays Chinese, an English
    one that quotes ``考察期`` stays English: in the bundled notebooks English paragraphs
    reach a share of 0.24 at most, Chinese ones 0.85 at least.

    Parameters
    ----------
    text : str
        One markdown paragraph (or heading, or list).

    Returns
    -------
    str or None

    Notes
    -----
    No external reference; the threshold is checked on every markdown paragraph of
    ``notebooks/`` in ``tests/test_navigation.py``.

    Examples
    --------
    >>> text_language("Kaplan-Meier 生存曲线（statsmodels）：已流失客户的关系")
    'zh'
    >>> text_language("where each customer stands in the lifecycle (考察期 exploration, 形成期 formation)")
    'en'
    >>> text_language("$$CLV = m r^{t-1} / (1+d)^t$$") is None
    True
    """
    share = cjk_share(text)
    if share is None:
        return None
    return "zh" if share >= ZH_SHARE else "en"


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
#: the separator of a bilingual heading, ``Customer value · 客户价值分析``
_HEADING_SEPARATOR = " · "


def _blocks(source: str) -> list[tuple[str, str]]:
    """(kind, text) of a markdown cell's blocks: ``fence``, ``math``, ``table``, ``heading``, ``prose``.

    Blocks are separated by blank lines; a fenced code block or a ``$$`` formula runs to
    its closing line whatever it holds; a heading line is a block of its own.
    """
    blocks: list[tuple[str, str]] = []
    current: list[str] = []

    def close():
        if current:
            text = "\n".join(current)
            is_table = all(line.lstrip().startswith("|") for line in current)
            blocks.append(("table" if is_table else "prose", text))
            current.clear()

    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence or line.strip().startswith("$$"):
            close()
            end_mark = fence.group(1) if fence else "$$"
            single = not fence and line.strip() != "$$" and line.strip().endswith("$$") and len(line.strip()) > 2
            j = i if single else i + 1
            while not single and j < len(lines) and end_mark not in lines[j]:
                j += 1
            blocks.append(("fence" if fence else "math", "\n".join(lines[i:j + 1])))
            i = j + 1
            continue
        if _HEADING.match(line):
            close()
            blocks.append(("heading", line))
        elif not line.strip():
            close()
        else:
            current.append(line)
        i += 1
    close()
    return blocks


def _heading_in_language(line: str, lang: str) -> str:
    """``## English · 中文`` as ``## 中文`` (zh) or ``## English`` (en); any other heading as it is."""
    level, text = _HEADING.match(line).groups()
    parts = text.split(_HEADING_SEPARATOR)
    if len(parts) != 2:
        return line
    has_cjk = [bool(_CJK.search(_NOT_PROSE.sub(" ", p))) for p in parts]
    if has_cjk[0] == has_cjk[1] or not all(p.strip() for p in parts):
        return line  # not one English and one Chinese half
    keep = parts[has_cjk.index(lang == "zh")]
    return f"{level} {keep.strip()}"


def markdown_in_language(source: str, lang: str) -> str:
    r"""A bilingual markdown cell in one language: the paragraphs and heading halves of ``lang``.

    Prose blocks (paragraphs, lists, quotes) are classified by :func:`text_language`;
    when the cell has at least one in ``lang``, those in the other language are left
    out, otherwise the cell keeps its prose as it is (a cell written in one language
    only loses nothing). A heading ``English · 中文`` keeps the half in ``lang``. Code
    blocks, ``$$`` formulas, tables and blocks without words are always kept; inline code
    and formulas stay inside their paragraph.

    Parameters
    ----------
    source : str
        A markdown cell's source.
    lang : {"zh", "en"}
        The case's language.

    Returns
    -------
    str
        The kept blocks, separated by blank lines.

    Raises
    ------
    ValueError
        When ``lang`` is neither ``"zh"`` nor ``"en"``.

    Notes
    -----
    No external reference; hand-worked cases in ``tests/test_navigation.py``.

    Examples
    --------
    >>> cell = "## Churn rate · 流失率\n\nChurn rate = lost / buyers.\n\n流失率 = 流失客户数 ÷ 上期购买客户数。"
    >>> print(markdown_in_language(cell, "zh"))
    ## 流失率
    <BLANKLINE>
    流失率 = 流失客户数 ÷ 上期购买客户数。
    >>> print(markdown_in_language("# Mine\n\nOnly English here.", "zh"))
    # Mine
    <BLANKLINE>
    Only English here.
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"markdown_in_language: lang {lang!r} is not a report language; use 'zh' or 'en'")
    blocks = _blocks(source)
    languages = [text_language(text) if kind == "prose" else None for kind, text in blocks]
    drop = lang in languages
    kept = []
    for (kind, text), language in zip(blocks, languages, strict=True):
        if kind == "heading":
            kept.append(_heading_in_language(text, lang))
        elif not (drop and language is not None and language != lang):
            kept.append(text)
    return "\n\n".join(kept)


#: papermill's marker cells around a failed cell
_ERROR_TAG = "papermill-error-cell-tag"


def _for_management(notebook: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """A copy without stderr streams, tracebacks and papermill's error markers, in one language.

    They stay in the executed ``.ipynb``; a failed notebook's page opens with one
    sentence naming the error instead. Markdown cells keep the paragraphs of ``lang``
    (:func:`markdown_in_language`).
    """
    out = nbformat.from_dict(json.loads(json.dumps(notebook)))
    errors = []
    kept = []
    for cell in out.cells:
        if _ERROR_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "markdown":
            cell.source = markdown_in_language(cell.source, lang)
        if cell.get("outputs"):
            errors += [o for o in cell.outputs if o.get("output_type") == "error"]
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"
                            and not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        kept.append(cell)
    if errors:
        error = f"{errors[0].get('ename', '')}: {errors[0].get('evalue', '')}"[:400]
        note = nbformat.v4.new_markdown_cell(
            f'<p class="wb-failed">{html.escape(label("notebook_failed_note", lang).format(error=error))}</p>')
        kept.insert(1 if kept and kept[0].cell_type == "markdown" else 0, note)
    out.cells = kept
    return out


def notebook_page(executed: Path, target: Path, *, lang: str, title: str, nav: str) -> None:
    """Write the management version of an executed notebook: no code, no stderr, offline.

    Parameters
    ----------
    executed : pathlib.Path
        The executed ``.ipynb``.
    target : pathlib.Path
        The ``.html`` to write.
    lang : {"zh", "en"}
        ``<html lang>``: ``zh`` or ``en``.
    title : str
        The page title (:func:`page_title`).
    nav : str
        The bar (:func:`nav_bar`), put first in the body.

    Returns
    -------
    None
    """
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, language_code=_html_lang(lang),
                            extra_loaders=[jinja2.DictLoader({"workbench.html.j2": _TEMPLATE})],
                            template_file="workbench.html.j2")
    notebook = _for_management(nbformat.read(executed, as_version=4), lang)
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(
        notebook, resources={"workbench_nav": nav, "workbench_css": NAV_CSS})
    target.write_text(body, encoding="utf-8")


def _html_lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"


def standalone_page(*, title: str, lang: str, nav: str, body: str) -> str:
    """A complete offline HTML page in the report's style (indexes, the summary).

    Parameters
    ----------
    title, lang, nav, body : str
        ``body`` is inserted as it is (already escaped HTML).

    Returns
    -------
    str
    """
    return (f'<!DOCTYPE html>\n<html lang="{_html_lang(lang)}">\n<head>\n<meta charset="utf-8" />\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
            f"<title>{html.escape(title)}</title>\n<style>{NAV_CSS}</style>\n</head>\n"
            f'<body class="wb-page">\n{nav}\n<div class="wb-main">\n{body}\n</div>\n</body>\n</html>\n')


def period_index(folder: Path, *, notebooks: Sequence[str], lang: str, case_title: str, period: str,
                 as_of: str, failed: Sequence[str] = ()) -> Path:
    """Write ``index.html`` of a period: the summary first, then every notebook.

    Parameters
    ----------
    folder : pathlib.Path
        The period's folder.
    notebooks : sequence of str
    lang : {"zh", "en"}
    case_title, period, as_of : str
    failed : sequence of str
        Notebooks that failed: listed with a note instead of a plain link.

    Returns
    -------
    pathlib.Path
        The page written.
    """
    rows = [f'<li><a href="summary.html"><b>{html.escape(label("nav_summary", lang))}</b></a> — '
            f'{html.escape(label("summary_blurb", lang))}</li>']
    for name in notebooks:
        note = (f' <span class="wb-failed">{html.escape(label("notebook_failed_short", lang))}</span>'
                if name in failed else "")
        rows.append(f'<li><a href="{name}.html">{html.escape(label(f"nb_{name}", lang))}</a>{note}</li>')
    rows.append(f'<li><a href="tables/tables.xlsx">{html.escape(label("nav_workbook", lang))}</a> · '
                f'<a href="metrics.json">metrics.json</a> · <a href="manifest.json">manifest.json</a></li>')
    body = (f"<h1>{html.escape(case_title)} · {html.escape(period)}</h1>"
            f"<p>{html.escape(label('analysis_date_line', lang).format(date=as_of))}</p>"
            f"<ol>{''.join(rows)}</ol>")
    nav = nav_bar(notebooks=notebooks, current="index", lang=lang, case_title=case_title, period=period,
                  failed=failed)
    target = folder / "index.html"
    target.write_text(standalone_page(title=page_title(case_title, period, label("nav_index", lang)),
                                      lang=lang, nav=nav, body=body), encoding="utf-8")
    return target


def case_index(case_folder: Path, *, lang: str, case_title: str) -> Path:
    """Write ``<reports>/<case>/index.html``: every rendered period, newest first.

    A period counts when its folder has a ``manifest.json`` (a complete render); a
    ``<period>.failed`` folder is listed apart, as evidence of a failed render.

    Parameters
    ----------
    case_folder : pathlib.Path
    lang : {"zh", "en"}
    case_title : str

    Returns
    -------
    pathlib.Path
        The page written.
    """
    periods = sorted((p.name for p in case_folder.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and not p.name.endswith(".failed")
                      and (p / "manifest.json").is_file()),
                     reverse=True)
    failed = sorted(p.name for p in case_folder.iterdir() if p.is_dir() and p.name.endswith(".failed"))
    items = [f'<li><a href="{html.escape(p)}/index.html">{html.escape(p)}</a> · '
             f'<a href="{html.escape(p)}/summary.html">{html.escape(label("nav_summary", lang))}</a></li>'
             for p in periods]
    body = f"<h1>{html.escape(case_title)}</h1><h2>{html.escape(label('nav_periods', lang))}</h2>"
    body += f"<ul>{''.join(items)}</ul>" if items else f"<p>{html.escape(label('no_periods', lang))}</p>"
    if failed:
        body += (f"<h2>{html.escape(label('failed_renders', lang))}</h2><ul>"
                 + "".join(f'<li><a href="{html.escape(p)}/index.html">{html.escape(p)}</a></li>' for p in failed)
                 + "</ul>")
    target = case_folder / "index.html"
    nav = f'<nav class="wb-nav"><span class="wb-where">{html.escape(case_title)}</span></nav>'
    target.write_text(standalone_page(title=f"{label('nav_periods', lang)} · {case_title}", lang=lang,
                                      nav=nav, body=body), encoding="utf-8")
    return target
