"""The k-selection figure: stability bars inside the index's range, legends clear of the lines."""

import io

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from workbench.plotting.segmentation import plot_k_selection, stability_band  # noqa: E402
from workbench.segmentation import KSelection  # noqa: E402

#: N company's selection table of the 2024 render (k = 2..10)
SELECTION = pd.DataFrame({
    "k": range(2, 11),
    "inertia": [3390.2, 2386.7, 1604.6, 981.2, 856.4, 779.9, 711.0, 661.2, 615.6],
    "silhouette": [0.4521, 0.4435, 0.5088, 0.5372, 0.4857, 0.4662, 0.4483, 0.4051, 0.3319],
    "null_silhouette": [0.2818, 0.1911, 0.2011, 0.184, 0.1794, 0.1803, 0.1777, 0.1668, 0.1623],
    "calinski_harabasz": [768.2, 754.7, 909.5, 1272.4, 1194.0, 1107.7, 1054.2, 1000.2, 962.0],
    "davies_bouldin": [0.9801, 0.9227, 0.7243, 0.6589, 0.8487, 0.9565, 0.931, 1.0071, 1.1415],
    "stability_mean": [1.0, 0.9548, 0.9333, 0.9966, 0.9732, 0.9187, 0.8464, 0.8395, 0.8102],
    "stability_sd": [0.0, 0.1231, 0.1499, 0.0037, 0.0548, 0.0837, 0.1035, 0.0893, 0.0552],
})
SELECTION["knee"] = SELECTION["k"] == 5
SELECTION["recommended"] = SELECTION["chosen"] = SELECTION["k"] == 5


def test_the_stability_band_is_mean_plus_minus_sd_cut_at_one():
    low, high = stability_band(SELECTION["stability_mean"], SELECTION["stability_sd"])
    # k=3: 0.9548 + 0.1231 = 1.0779 is cut at 1; 0.9548 - 0.1231 = 0.8317 stays
    assert high[1] == 1.0 and low[1] == pytest.approx(0.8317)
    # k=10: 0.8102 ± 0.0552 lies inside and is kept
    assert (low[8], high[8]) == (pytest.approx(0.755), pytest.approx(0.8654))
    assert (high <= 1).all() and (low >= -1).all() and (low <= SELECTION["stability_mean"]).all()
    low, high = stability_band(pd.Series([-0.9, np.nan]), pd.Series([0.3, 0.1]))
    assert low[0] == -1.0 and high[0] == pytest.approx(-0.6) and np.isnan(low[1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_error_bar_beyond_one_and_no_legend_over_a_line(lang):
    result = KSelection(table=SELECTION, recommended_k=5, reason="k=5", silhouette_sample=1000, silhouette_seed=0,
                        n_bootstrap=30, stability_sample=1000, algorithm="KMeans", n_init=10, null_sample=1000,
                        fits={})
    axes = plot_k_selection(result, lang=lang)
    figure = axes[0, 0].figure
    figure.savefig(io.BytesIO(), format="png")  # lay the figure out as the report does
    renderer = figure.canvas.get_renderer()
    stability = axes[1, 0]
    tops = [seg[:, 1].max() for coll in stability.collections for seg in coll.get_segments() if len(seg)]
    assert tops and max(tops) <= 1.0 + 1e-12, max(tops)
    for ax in (axes[0, 1], axes[1, 1]):  # the silhouette panel, and CH with DB on its twin axis
        legend = ax.get_legend()
        assert legend is not None
        box = legend.get_window_extent(renderer)
        lines = list(ax.get_lines()) + [line for other in ax.figure.axes if other is not ax
                                        and other.bbox.bounds == ax.bbox.bounds for line in other.get_lines()]
        for line in lines:
            points = line.get_transform().transform(np.column_stack(line.get_data()))
            inside = [(x, y) for x, y in points if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1]
            assert not inside, f"{ax.get_ylabel()}: legend over {line.get_label()} at {inside}"
