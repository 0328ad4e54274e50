"""The zh/en label table: every code a report displays reads as a label."""

import pandas as pd

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
