"""Customer segmentation by k-means, as a researcher would defend it and an analyst rerun it.

The pipeline of :class:`CustomerSegmenter`, each step a piece that can be used alone:

1. **Columns.** Behavioural features from :func:`workbench.features.customer_features`
   (by default :data:`DEFAULT_COLUMNS`, those present) or any numeric columns named by
   the user (:class:`SegmentationPreprocessor`). A default column that is absent, entirely missing, constant or partly
   missing without a documented fill is excluded and the reason recorded in
   ``excluded_``; a column the user named explicitly gets an error instead.
2. **Transforms**, per column and recorded in ``transforms_``: optional winsorising at
   quantiles, then ``log1p`` for skewed non-negative columns (money, counts), ``asinh``
   for heavy-tailed signed ones (spend trend), then standard or robust scaling and
   optional PCA (:class:`SegmentationPreprocessor`, a scikit-learn transformer that
   works in a :class:`sklearn.pipeline.Pipeline`).
3. **Choice of k** over ``k_range`` (2..10 by default): inertia with its knee (Kneedle),
   silhouette (sampled above ``silhouette_sample`` customers, with a recorded seed),
   Calinski-Harabasz, Davies-Bouldin and bootstrap stability (adjusted Rand index).
   The recommended k is the one with the highest silhouette among the stable ones
   (:func:`select_k`, returning a :class:`KSelection`); the chosen k is fitted by
   :class:`SegmentKMeans` (segments numbered by size).
4. **Profiles and tests**: size, shares of customers, revenue and gross profit, feature
   means and SDs against the overall ones (the SPSS-style table); one-way ANOVA (F, p,
   eta squared) with a Kruskal-Wallis alternative per feature (:func:`segment_profile`,
   :func:`segment_anova`).
5. **Names** from each segment's high/low recency, frequency and monetary value against
   the overall means in original units (the Chinese RFM 8-class scheme with mean cuts, as
   the profile table shows them), overridable by rules from the case file
   (:func:`name_segments`).
6. **Quality verdict**: a low silhouette or an unstable k gives ``weak_ = True`` and a
   :class:`WeakSegmentationWarning` instead of confidently invented clusters.

Large data: above ``minibatch_threshold`` customers the k-means fits use
:class:`sklearn.cluster.MiniBatchKMeans` (recorded in ``algorithm_``), above
:data:`~workbench.segmentation.clustering.FIT_SAMPLE` customers with the centres fitted on
a seeded sample of that size and every customer assigned to the nearest; silhouette is
computed on a sample and the bootstrap refits on subsamples, so one million customers
take well under a minute on two cores (``benchmarks/bench_segmentation.py``).

Modules
-------
* :mod:`workbench.segmentation.preprocessing`: :class:`SegmentationPreprocessor`,
  :data:`DEFAULT_COLUMNS`, :data:`FILL_VALUES`.
* :mod:`workbench.segmentation.selection`: :func:`select_k`, :class:`KSelection`,
  :func:`knee`.
* :mod:`workbench.segmentation.clustering`: :class:`SegmentKMeans`.
* :mod:`workbench.segmentation.naming`: :func:`rfm_class`, :data:`RFM_CLASSES`,
  :func:`name_segments` (display names: :func:`workbench.labels.segment_label`).
* :mod:`workbench.segmentation.profiling`: :func:`segment_profile`,
  :func:`profile_table`, :func:`segment_anova`,
  :func:`segments_against_truth`.
* :mod:`workbench.segmentation.segmenter`: :class:`CustomerSegmenter`,
  :class:`WeakSegmentationWarning`, :func:`segment_by`, :class:`GroupedSegmentation`.

Every public name is importable from :mod:`workbench.segmentation` itself.
"""

from __future__ import annotations

from workbench.segmentation.clustering import SegmentKMeans
from workbench.segmentation.naming import RFM_CLASSES, name_segments, rfm_class
from workbench.segmentation.preprocessing import DEFAULT_COLUMNS, FILL_VALUES, SegmentationPreprocessor
from workbench.segmentation.profiling import (
    profile_table,
    segment_anova,
    segment_profile,
    segments_against_truth,
)
from workbench.segmentation.segmenter import (
    CustomerSegmenter,
    GroupedSegmentation,
    WeakSegmentationWarning,
    segment_by,
)
from workbench.segmentation.selection import KSelection, knee, select_k

__all__ = [
    "DEFAULT_COLUMNS",
    "FILL_VALUES",
    "RFM_CLASSES",
    "CustomerSegmenter",
    "GroupedSegmentation",
    "KSelection",
    "SegmentKMeans",
    "SegmentationPreprocessor",
    "WeakSegmentationWarning",
    "knee",
    "name_segments",
    "profile_table",
    "rfm_class",
    "segment_anova",
    "segment_by",
    "segment_profile",
    "segments_against_truth",
    "select_k",
]
