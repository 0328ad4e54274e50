"""The zh/en label table: every code a report displays reads as a label."""

import numpy as np
import pandas as pd
import pytest

from workbench.labels import LABELS, label, translate_codes


def test_every_entry_has_both_languages():
    assert all(set(entry) == {"zh", "en"} and all(entry.values()) for entry in LABELS.values())


def test_translate_codes_touches_code_columns_only():
    frame = pd.DataFrame({
        "customer_id": ["C1", "stability"],  # an id that happens to be a code stays an id
        "stage": pd.Categorical(["stability", None], categories=["stability", "decline"]),
        "n": [1, 2],
    }, index=pd.Index(["decline", "formation"], name="stage"))
    shown = translate_codes(frame, "zh")
    assert list(shown.columns) == [label("customer_id", "zh"), label("stage", "zh"), label("n", "zh")]
    assert shown.iloc[:, 0].tolist() == ["C1", "stability"]
    assert shown.iloc[0, 1] == "稳定期" and pd.isna(shown.iloc[1, 1])
    assert shown.index.tolist() == ["退化期", "形成期"]
    assert frame["stage"].iloc[0] == "stability"  # the input is not changed
    assert translate_codes(frame, "en", keep=["stage"])["stage"].iloc[0] == "stability"


def test_no_label_is_defined_twice():
    """A repeated key in the LABELS literal silently keeps only the last entry."""
    import ast
    import collections
    import inspect

    import workbench.labels as module

    tree = ast.parse(inspect.getsource(module))
    literal = next(node.value for node in ast.walk(tree) if isinstance(node, ast.AnnAssign)
                   and getattr(node.target, "id", None) == "LABELS")
    keys = collections.Counter(k.value for k in literal.keys)
    assert [k for k, n in keys.items() if n > 1] == []


# --- the analysis modules' fixed sentences read in the report's language --------------------

_CJK = "[\u4e00-\u9fff]"
_LATIN_WORD = r"\b[A-Za-z]{3,}\b"  # a short symbol (k, CUSA1) may stay
_NAMES = {"ARI", "Excel", "CSV"}  # names a Chinese sentence writes as they are


def _reads_chinese(text):
    import re

    from workbench.labels import translate_text

    shown = translate_text(text, "zh")
    return bool(re.search(_CJK, shown)) and not set(re.findall(_LATIN_WORD, shown)) - _NAMES, shown


def test_every_survey_cleaning_detail_reads_in_chinese_and_english_is_unchanged():
    import numpy as np

    from workbench.labels import translate_text
    from workbench.satisfaction import clean_survey

    spec = {"name": "tiny", "scale": {"min": 1, "max": 5},
            "constructs": {"X": {"items": ["x1", "x2"]}, "Y": {"items": ["y1", "y2", "y3"]}},
            "paths": [["X", "Y"]], "roles": {"satisfaction": "X", "loyalty": "Y", "target": "Y"}}
    survey = pd.DataFrame({"x1": [1, 2, 3, 4], "x2": [2, 3, 3, 5], "y1": [3, np.nan, 3, 4],
                           "y2": [4, 2, 3, 3], "y3": [2, 2, 3, 3]})
    details = set()
    for options in ({}, {"missing": "mean"}, {"straightlining": False}):
        details |= set(clean_survey(survey, spec, **options).log["detail"])
    details |= set(clean_survey(survey, {**spec, "scale": {"min": 1, "max": 5, "step": None}}).log["detail"])
    details -= {""}
    details = {d for d in details if not d.startswith("y1:")}  # mean replacement counts: item names
    assert len(details) == 8, details
    for detail in details:
        ok, shown = _reads_chinese(detail)
        assert ok, (detail, shown)
        assert translate_text(detail, "en") == detail
    assert translate_text("more than 50% of 5 items unanswered", "zh") == "5 个题项中超过 50% 未作答"
    assert translate_text("scale 1-5", "zh") == "量表 1-5"


def test_transform_reasons_quality_and_join_hints_read_in_chinese():
    from workbench.labels import translate_text
    from workbench.quality import _join_hint  # private, but its sentences are the subject here
    from workbench.segmentation import SegmentationPreprocessor

    rng = np.random.default_rng(0)
    features = pd.DataFrame({"recency_days": rng.integers(1, 300, 200).astype(float),
                             "frequency": rng.lognormal(0, 1, 200), "monetary_total": rng.uniform(1, 2, 200),
                             "spend_trend": rng.standard_t(2, 200)})
    reasons = set(SegmentationPreprocessor().fit(features).transforms_["reason"])
    reasons |= set(SegmentationPreprocessor(transforms={"frequency": "log1p"}).fit(features).transforms_["reason"])
    assert len(reasons) >= 4, reasons
    sentences = reasons | {
        _join_hint(pd.Series(["1", "2"]), pd.Series(["00001", "00002"])),
        _join_hint(pd.Series(["a1", "a2"]), pd.Series(["A1", "A2"])),
        _join_hint(pd.Series(["x"]), pd.Series(["y"])),
        "clear segmentation at k=5: silhouette 0.573, bootstrap ARI 0.983",
        "clear segmentation at k=3: silhouette 0.410",
        "survey -> customers",
    }
    for sentence in sentences:
        ok, shown = _reads_chinese(sentence)
        assert ok, (sentence, shown)
    assert translate_text("survey -> customers", "zh") == "满意度问卷 → 客户档案"
    assert translate_text("unknown_table -> customers", "zh") == "unknown_table → 客户档案"
    assert translate_text("important_value_2", "zh") == "重要价值客户 (2)"
    assert translate_text("a sentence nobody wrote", "zh") == "a sentence nobody wrote"


def test_the_segmenters_sentences_read_in_chinese():
    """The patterns follow the segmenter's wording (quality, recommended k): a changed sentence fails here."""
    from workbench.labels import TEXT_PATTERNS
    from workbench.segmentation import CustomerSegmenter

    rng = np.random.default_rng(1)
    centers = np.repeat([[0.0, 0.0], [8.0, 8.0], [0.0, 8.0]], 60, axis=0)
    features = pd.DataFrame(centers + rng.normal(0, 0.5, centers.shape), columns=["frequency", "monetary_total"])
    features["frequency"] = features["frequency"] + 10  # non-negative, not skewed
    features["monetary_total"] = features["monetary_total"] + 10
    seg = CustomerSegmenter(k="auto", n_bootstrap=5, random_state=0).fit(features)
    assert not seg.weak_ and any(p.fullmatch(seg.quality_) for p, _ in TEXT_PATTERNS), seg.quality_
    for sentence in (seg.quality_, seg.recommendation_["reason"]):
        assert _reads_chinese(sentence)[0], _reads_chinese(sentence)[1]
    # one structureless cloud: a weak segmentation, and a k the case file sets
    cloud = pd.DataFrame(rng.normal(20, 1, (240, 2)), columns=["frequency", "monetary_total"])
    with pytest.warns(UserWarning, match="weak segmentation"):
        weak = CustomerSegmenter(k=4, n_bootstrap=5, random_state=0).fit(cloud)
    assert weak.weak_ and "set by the user" in weak.recommendation_["reason"]
    for sentence in (weak.quality_, weak.recommendation_["reason"]):
        ok, shown = _reads_chinese(sentence)
        assert ok, (sentence, shown)


def test_a_measurement_mode_and_numbered_codes_read_as_labels():
    from workbench.formatting import code_labels

    assert code_labels("mode", pd.Series(["A", "B", "A"]), "zh").tolist() == [
        "A 模式（反映型）", "B 模式（形成型）", "A 模式（反映型）"]
    assert code_labels("mode", pd.Series(["A"]), "en").tolist() == ["Mode A (reflective)"]
    # "A" alone is the ABC class; in a mode column it is the measurement mode
    assert code_labels("abc_class", pd.Series(["A"]), "zh").tolist() == ["A 类"]
    shown = code_labels("detail", pd.Series(["scale 1-7", "CUSA1, CUSA2", ""]), "zh").tolist()
    assert shown == ["量表 1-7", "CUSA1, CUSA2", ""]
    few = "the two files share few ids: check that both use the same customer ids"
    hints = code_labels("hint", pd.Series(["", few]), "zh").tolist()
    assert hints == ["", "两个文件共有的编号很少：请检查两者是否使用同一套客户编号"]
