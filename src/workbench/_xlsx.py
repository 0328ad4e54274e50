"""A small, fast XLSX writer for typed columns (private to :mod:`workbench.workbook`).

General writers (openpyxl, XlsxWriter) build one Python object, or make several Python
calls, per cell: about a minute (openpyxl) or half a minute (XlsxWriter) for CDNOW's two
million cells on a busy machine. A report table is a frame of typed columns, so here the
XML of a whole column is built with Arrow's vectorised string kernels (numbers in their
shortest round-trip digits) and each sheet's XML is streamed into the zip. The parts
written are the minimal SpreadsheetML package Excel, LibreOffice and openpyxl read
(modelled on what XlsxWriter writes): content types, relationships, workbook (with the
filter ranges as defined names), styles, and one worksheet per sheet with inline
strings, a frozen header, column widths, an autofilter and internal hyperlinks.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_ILLEGAL_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # the same, for Arrow's RE2
_EPOCH = pd.Timestamp("1899-12-30")
_MAX_CELL = 32767  # characters in one Excel cell

#: style index in cellXfs -> (numFmtId or format code, font, fill, border, alignment)
STYLES = ("default", "header", "link", "integer", "currency", "percent", "number", "statistic",
          "date", "datetime", "year")


def column_letter(index: int) -> str:
    """Excel's column name of a 0-based column index (0 -> A, 26 -> AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


@dataclass
class Column:
    """One column: ``kind`` is ``text`` (values already str or missing), ``number``-like
    (a style name of :data:`STYLES`, values float) or ``date``/``datetime``."""

    values: pd.Series
    style: str = "default"
    text: bool = False


@dataclass
class Sheet:
    name: str
    headers: list[str]
    columns: list[Column]
    widths: list[float]
    freeze_header: bool = True
    autofilter: bool = True
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> sheet name


def _text_cells(letter: str, rows: pa.Array, values: pd.Series, style: int) -> pa.Array:
    """Inline-string cells of one column; null where the value is missing."""
    text = pa.array(values.astype(object).where(values.notna(), None).tolist(), type=pa.string())
    if len(text) and (pc.max(pc.utf8_length(text)).as_py() or 0) > _MAX_CELL:
        text = pc.utf8_slice_codeunits(text, 0, _MAX_CELL)
    if pc.any(pc.match_substring_regex(text, _ILLEGAL_RE2)).as_py():
        text = pc.replace_substring_regex(text, _ILLEGAL_RE2, "")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if pc.any(pc.match_substring(text, char)).as_py():
            text = pc.replace_substring(text, char, entity)
    s = f' s="{style}"' if style else ""
    return pc.binary_join_element_wise(
        f'<c r="{letter}', rows, f'"{s} t="inlineStr"><is><t xml:space="preserve">', text,
        "</t></is></c>", "")


def _number_cells(letter: str, rows: pa.Array, values: np.ndarray, style: int) -> pa.Array:
    """Number cells of one column (shortest round-trip digits); infinities as text."""
    finite = np.isfinite(values)
    numbers = pa.array(values, mask=~finite).cast(pa.string())
    cells = pc.binary_join_element_wise(f'<c r="{letter}', rows, f'" s="{style}"><v>', numbers,
                                        "</v></c>", "")
    infinite = np.isinf(values)
    if infinite.any():
        signs = pa.array(np.where(values > 0, "∞", "-∞"), mask=~infinite)
        text = pc.binary_join_element_wise(f'<c r="{letter}', rows, '" t="inlineStr"><is><t>', signs,
                                           "</t></is></c>", "")
        cells = pc.coalesce(cells, text)
    return cells


def _sheet_xml(sheet: Sheet, index: int, active: bool) -> list[str]:
    n, m = (len(sheet.columns[0].values) if sheet.columns else 0), len(sheet.headers)
    last = f"{column_letter(max(m - 1, 0))}{n + 1}"
    parts = [_HEAD, f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>']
    selected = ' tabSelected="1"' if active else ""
    if sheet.freeze_header:
        parts.append(f'<sheetViews><sheetView{selected} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                     'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/></sheetView>'
                     "</sheetViews>")
    else:
        parts.append(f'<sheetViews><sheetView{selected} workbookViewId="0"/></sheetViews>')
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    if sheet.widths:
        parts.append("<cols>" + "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:.2f}" customWidth="1"/>'
                                        for j, w in enumerate(sheet.widths)) + "</cols>")
    parts.append("<sheetData>")
    header = STYLES.index("header")
    parts.append('<row r="1">' + "".join(
        f'<c r="{column_letter(j)}1" s="{header}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(_ILLEGAL.sub('', h))}</t></is></c>" for j, h in enumerate(sheet.headers)) + "</row>")
    if n:
        rows = pa.array(np.arange(2, n + 2)).cast(pa.string())
        cells = []
        for j, column in enumerate(sheet.columns):
            letter, style = column_letter(j), STYLES.index(column.style)
            if column.text:
                cells.append(_text_cells(letter, rows, column.values, style))
            else:
                cells.append(_number_cells(letter, rows, column.values.to_numpy(dtype=float), style))
        xml = pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", "",
                                          null_handling="replace", null_replacement="")
        parts.extend(xml.to_pylist())
    parts.append("</sheetData>")
    if sheet.autofilter and n and m:
        parts.append(f'<autoFilter ref="A1:{last}"/>')
    if sheet.links:
        parts.append("<hyperlinks>" + "".join(
            f'<hyperlink ref="{column_letter(c)}{r + 1}" location={quoteattr(_quoted(target) + "!A1")} '
            f"display={quoteattr(target)}/>" for (r, c), target in sorted(sheet.links.items()))
            + "</hyperlinks>")
    parts.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                 "</worksheet>")
    return parts


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _styles(formats: dict[str, str]) -> str:
    codes = {name: 164 + i for i, name in enumerate(formats)}
    num_fmts = "".join(f'<numFmt numFmtId="{codes[k]}" formatCode={quoteattr(v)}/>' for k, v in formats.items())
    font = '<sz val="11"/><color rgb="FF000000"/><name val="Calibri"/><family val="2"/>'
    xfs = []
    for name in STYLES:
        if name == "default":
            xfs.append('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>')
        elif name == "header":
            xfs.append('<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
                       'applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>')
        elif name == "link":
            xfs.append('<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>')
        else:
            xfs.append(f'<xf numFmtId="{codes[name]}" fontId="0" fillId="0" borderId="0" xfId="0" '
                       'applyNumberFormat="1"/>')
    return (f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="{len(formats)}">{num_fmts}</numFmts>'
            f'<fonts count="3"><font>{font}</font><font><b/>{font}</font>'
            '<font><u/><sz val="11"/><color rgb="FF0000FF"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFEEF2F7"/><bgColor indexed="64"/>'
            '</patternFill></fill></fills><borders count="2"><border><left/><right/><top/><bottom/><diagonal/>'
            '</border><border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/>'
            '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs><cellStyles count="1">'
            '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
            '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
            "</styleSheet>")


def excel_dates(values: pd.Series) -> pd.Series:
    """Datetimes as Excel serial day numbers (days since 1899-12-30; missing stays NaN)."""
    return (values - _EPOCH) / pd.Timedelta(days=1)


def write(path: str | Path, sheets: list[Sheet], formats: dict[str, str], *, title: str = "") -> Path:
    """Write ``sheets`` as an XLSX package; ``formats`` maps the number styles of
    :data:`STYLES` (all but default, header, link) to Excel format codes."""
    missing = [s for s in STYLES[3:] if s not in formats]
    if missing:
        raise ValueError(f"number formats missing for styles {missing}")
    path = Path(path)
    names = [s.name for s in sheets]
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(s.name))}!$A$1:${column_letter(len(s.headers) - 1)}${len(s.columns[0].values) + 1}"
        "</definedName>"
        for i, s in enumerate(sheets) if s.autofilter and s.columns and len(s.columns[0].values))
    workbook = (f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews>'
                '<workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
                "<sheets>" + "".join(f'<sheet name={quoteattr(n)} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                                     for i, n in enumerate(names)) + "</sheets>"
                + (f"<definedNames>{defined}</definedNames>" if defined else "")
                + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>')
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    types = (f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/styles.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
             '<Override PartName="/docProps/core.xml" '
             'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{sheet_type}"/>'
                       for i in range(len(sheets))) + "</Types>")
    rels = (f'{_HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/><Relationship Id="rId2" '
            f'Type="{_PKG}/metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
    book_rels = (f'{_HEAD}<Relationships xmlns="{_PKG}">'
                 + "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
                           f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(sheets)))
                 + f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
                 "</Relationships>")
    core = (f'{_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title></cp:coreProperties>")
    # fixed timestamps: the same tables give the same bytes
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        def put(name: str, parts: list[str] | str) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # fast; Python 3.13 also reads it as compress_level
            with zf.open(info, "w") as handle:
                for part in [parts] if isinstance(parts, str) else parts:
                    handle.write(part.encode("utf-8"))

        put("[Content_Types].xml", types)
        put("_rels/.rels", rels)
        put("docProps/core.xml", core)
        put("xl/workbook.xml", workbook)
        put("xl/_rels/workbook.xml.rels", book_rels)
        put("xl/styles.xml", _styles(formats))
        for i, sheet in enumerate(sheets):
            put(f"xl/worksheets/sheet{i + 1}.xml", _chunks(_sheet_xml(sheet, i, active=i == 0)))
    return path


def _chunks(parts: list[str], size: int = 4096) -> list[str]:
    """Join many small strings into fewer large ones before encoding."""
    return ["".join(parts[i:i + size]) for i in range(0, len(parts), size)]
