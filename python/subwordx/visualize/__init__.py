"""See what a tokenizer does: token spans, terminal and HTML views, comparison reports, plots.

* :func:`token_spans`: which chars of the input each token shows (the rule every view follows);
* :func:`render_text` (``subwordx show``) and :func:`render_html` (``Encoding._repr_html_``);
* :func:`compare_tokenizers` (``subwordx compare``): tokens per char, byte and word, overall and
  per Unicode script, vocabulary use, unknown tokens, speed; :func:`plot_report` draws it;
* :func:`plot_vectors` (``subwordx plot-vectors``): words and their neighbours on a 2-D PCA map.

matplotlib (``pip install subwordx[plot]``) is needed only for the two ``plot_*`` functions, and
pandas only for :meth:`ComparisonReport.to_dataframe`.
"""

from __future__ import annotations

from subwordx.visualize.compare import ComparisonReport, compare_tokenizers
from subwordx.visualize.html import render_html
from subwordx.visualize.plot import plot_report, plot_vectors
from subwordx.visualize.projection import Projection, pca_2d, project_words
from subwordx.visualize.scripts import SCRIPTS, char_scripts
from subwordx.visualize.spans import CONTINUATION, Span, token_spans
from subwordx.visualize.terminal import render_text

__all__ = [
    "CONTINUATION",
    "SCRIPTS",
    "ComparisonReport",
    "Projection",
    "Span",
    "char_scripts",
    "compare_tokenizers",
    "pca_2d",
    "plot_report",
    "plot_vectors",
    "project_words",
    "render_html",
    "render_text",
    "token_spans",
]
