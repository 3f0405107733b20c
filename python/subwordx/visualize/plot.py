"""PNG charts: a comparison report as bars per script, word vectors as a labelled 2-D map.

matplotlib is an optional extra (``pip install subwordx[plot]``); without it these functions raise
:class:`~subwordx.errors.ConfigError` saying so. They draw on a bare ``Figure`` with the Agg canvas
(no pyplot, no global state, no display needed) and write the PNG atomically. The image is exactly
``width`` x ``height`` pixels (100 dpi, no tight bounding box).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, Union

from subwordx.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from subwordx.embeddings import KeyedVectors

__all__ = ["check_size", "plot_report", "plot_vectors", "require_matplotlib"]

PathLike = Union[str, "os.PathLike[str]"]
Metric = Literal["char", "byte", "word"]
DPI = 100
_MAX_SCRIPTS = 12
_METRIC_LABEL = {
    "char": "tokens per character",
    "byte": "tokens per UTF-8 byte",
    "word": "tokens per whitespace word",
}
# Fonts with CJK, Hangul, Arabic, ... glyphs, used after DejaVu Sans when installed.
_FALLBACK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Unifont",
)


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError(
            "plotting needs matplotlib: pip install subwordx[plot] (or pip install matplotlib)"
        ) from None


def check_size(width: int, height: int) -> None:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 10000:
            raise ConfigError(f"{name} must be an integer from 100 to 10000 pixels, got {value!r}")


def _figure(width: int, height: int) -> tuple[Figure, Axes, list[str]]:
    """A figure of exactly ``width`` x ``height`` pixels with one axes, and the font families
    for labels (DejaVu Sans, then any installed font with more scripts)."""
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    installed = {f.name for f in font_manager.fontManager.ttflist}
    fonts = ["DejaVu Sans", *(f for f in _FALLBACK_FONTS if f in installed)]
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    fig.set_layout_engine("constrained")
    return fig, fig.subplots(), fonts


@contextmanager
def _quiet_missing_glyphs() -> Iterator[None]:
    """A label in a script no installed font has is drawn as boxes; that is the honest result
    on such a machine, so matplotlib's warning about it is not an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        warnings.filterwarnings("ignore", message=r".*missing from font", category=UserWarning)
        yield


def _save(fig: Figure, path: PathLike) -> None:
    from subwordx._atomic import atomic_write

    buffer = io.BytesIO()
    with _quiet_missing_glyphs():
        # A bare Figure renders a PNG with the Agg canvas: no pyplot, no display.
        fig.savefig(buffer, format="png", dpi=DPI)
    atomic_write(path, buffer.getvalue())


def plot_report(
    report: Mapping[str, Any],
    path: PathLike,
    *,
    metric: Metric = "char",
    width: int = 1000,
    height: int = 600,
) -> None:
    """A bar chart of a comparison report: one group per script (the whole corpus first, then
    the scripts with the most chars, up to 12), one bar per tokenizer, the bar's height tokens
    per char (``metric="char"``), per byte or per word. Lower is fewer tokens.

    Raises:
        ConfigError: matplotlib is missing, or a bad metric or size.
    """
    if metric not in _METRIC_LABEL:
        raise ConfigError(f"metric must be one of char, byte, word; got {metric!r}")
    check_size(width, height)
    require_matplotlib()
    key = f"tokens_per_{metric}"
    corpus = report["corpus"]
    tokenizers = report["tokenizers"]
    scripts = list(corpus["scripts"])[:_MAX_SCRIPTS]
    groups = ["all", *scripts]
    labels = [f"all\n{corpus['chars']:,} chars"] + [
        f"{s}\n{corpus['scripts'][s]['chars']:,} chars" for s in scripts
    ]
    fig, ax, fonts = _figure(width, height)
    n = max(1, len(tokenizers))
    bar = 0.8 / n
    for k, t in enumerate(tokenizers):
        values = [t[key] if g == "all" else t["scripts"][g][key] for g in groups]
        heights = [0.0 if v is None else float(v) for v in values]
        xs = [i - 0.4 + bar * (k + 0.5) for i in range(len(groups))]
        label = t["name"]
        if t.get("unknown_rate"):
            # Unknown tokens make a text look cheap: say how many of the bars are <unk>.
            label += f" ({t['unknown_rate']:.1%} unknown)"
        bars = ax.bar(xs, heights, width=bar * 0.95, label=label, color=f"C{k % 10}")
        if len(groups) * n <= 40:
            ax.bar_label(
                bars, labels=[_short(v) for v in values], fontsize=7, padding=1, fontfamily=fonts
            )
    ax.set_xticks(range(len(groups)), labels, fontsize=8, fontfamily=fonts)
    ax.set_ylabel(f"{_METRIC_LABEL[metric]} (lower: fewer tokens)")
    ax.set_title(
        f"{_METRIC_LABEL[metric]} by script\n{corpus['lines']:,} lines, each encoded alone, "
        "without special tokens",
        fontsize=10,
    )
    ax.legend(fontsize=8, prop={"family": fonts, "size": 8})
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    _save(fig, path)


def _short(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}"


def plot_vectors(
    kv: KeyedVectors,
    words: Sequence[str],
    path: PathLike,
    *,
    neighbours: int = 5,
    width: int = 900,
    height: int = 700,
) -> None:
    """A 2-D map (PCA, :func:`~subwordx.visualize.projection.project_words`) of ``words`` and
    their ``neighbours`` nearest words: each query word a large labelled dot in its own colour,
    its neighbours smaller dots of that colour joined to it by thin lines.

    Raises:
        ConfigError: matplotlib is missing, a word is not in the vocabulary, or a bad size.
    """
    from subwordx.visualize.projection import project_words

    check_size(width, height)
    projection = project_words(kv, words, neighbours)
    require_matplotlib()
    fig, ax, fonts = _figure(width, height)
    xy = projection.xy
    queries = sorted(set(projection.query))
    for q in queries:
        color = f"C{q % 10}"
        members = [i for i, owner in enumerate(projection.query) if owner == q and i != q]
        for i in members:
            ax.plot(
                [xy[q, 0], xy[i, 0]], [xy[q, 1], xy[i, 1]], color=color, alpha=0.3, linewidth=0.8
            )
        ax.scatter(xy[members, 0], xy[members, 1], s=22, color=color, alpha=0.7)
        ax.scatter([xy[q, 0]], [xy[q, 1]], s=90, color=color, edgecolors="black", zorder=3)
    for i, word in enumerate(projection.words):
        is_query = projection.query[i] == i
        ax.annotate(
            word,
            (xy[i, 0], xy[i, 1]),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=11 if is_query else 8,
            fontweight="bold" if is_query else "normal",
            color="black" if is_query else "#333333",
            fontfamily=fonts,
        )
    a, b = projection.explained
    ax.set_xlabel(f"PC 1 ({a:.0%} of the variance)")
    ax.set_ylabel(f"PC 2 ({b:.0%} of the variance)")
    ax.set_title(
        f"{len(queries)} words and their {neighbours} nearest neighbours (cosine), "
        f"PCA of {kv.vector_size}-d vectors",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.margins(0.12)
    _save(fig, path)
