"""Chinese must render: the bundled CJK font covers the labels, no 'Glyph missing' warning."""

import warnings

import matplotlib.pyplot as plt

from workbench.labels import LABELS
from workbench.plotting import new_figure, use_cjk_font


def test_cjk_font_renders_every_chinese_label_without_missing_glyphs():
    assert use_cjk_font() == "Noto Sans CJK SC"
    text = "".join(entry["zh"] for entry in LABELS.values()) + " −5 ¥ ±"
    fig, ax = new_figure()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'Glyph ... missing from font(s)' becomes an error
        ax.set_title(text[:60])
        ax.set_xlabel(text[60:120])
        ax.text(0.1, 0.5, text[120:])
        fig.canvas.draw()
    plt.close(fig)


def test_a_missing_glyph_would_fail_the_suite():
    """Guards the guard: the pytest filter turns the warning into an error."""
    import pytest

    fig, ax = plt.subplots()
    ax.set_title("\U0001F600 needs an emoji font")  # not in any bundled font
    with pytest.raises(UserWarning, match="Glyph .* missing from font"):
        fig.canvas.draw()
    plt.close(fig)
