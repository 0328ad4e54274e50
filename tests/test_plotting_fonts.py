"""Chinese must render: the bundled CJK font covers the labels, no 'Glyph missing' warning."""

import textwrap
import warnings

import matplotlib.pyplot as plt
import pytest

from workbench.labels import LABELS
from workbench.plotting import use_cjk_font


def test_cjk_font_renders_every_chinese_label_without_missing_glyphs():
    assert use_cjk_font() == "Noto Sans CJK SC"
    text = "".join(entry["zh"] for entry in LABELS.values()) + " −5 ¥ ±"
    lines = textwrap.wrap(text, 60)
    # plain figure text: no layout engine, so the only warning drawing can raise is a glyph's
    fig = plt.figure(figsize=(8, 0.2 * len(lines)))
    for i, line in enumerate(lines):
        fig.text(0.01, 1 - (i + 1) / (len(lines) + 1), line, fontsize=6)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing from")
        fig.canvas.draw()
    plt.close(fig)


def test_a_missing_glyph_would_fail_the_suite():
    """Guards the guard: the pytest filter turns the warning into an error."""
    fig, ax = plt.subplots()
    ax.set_title("\U0001F600 needs an emoji font")  # not in any bundled font
    with pytest.raises(UserWarning, match="Glyph .* missing from font"):
        fig.canvas.draw()
    plt.close(fig)
