"""Draw how Spark ML is built (notebook 01, section 8) into notebooks/images/.

    python tools/pipeline_diagram.py

A Pipeline of a Transformer and an Estimator is fitted (top row) and gives a PipelineModel,
whose stages are all Transformers (bottom row). Run it again after changing the drawing; the
notebook shows the stored PNG.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "notebooks" / "images" / "spark_ml_pipeline.png"
COLOURS = {"DataFrame": "#e6e6e6", "Transformer": "#cfe2f3", "Estimator": "#fde3c4"}


def box(ax, x: float, y: float, text: str, kind: str, width: float = 1.9) -> None:
    """A rounded box centred on (x, y)."""
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - 0.42),
            width,
            0.84,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=COLOURS[kind],
            edgecolor="black",
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=9.5)


def arrow(ax, start: tuple, end: tuple, label: str = "", **text) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "-|>", "color": "black"})
    if label:
        middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
        ax.text(*middle, label, fontsize=8.5, **({"ha": "center", "va": "bottom"} | text))


def frame(ax, x0: float, x1: float, y: float, title: str, above: bool) -> None:
    """A dashed frame around the stages of one row, with its title above or below it."""
    ax.add_patch(
        FancyBboxPatch(
            (x0, y - 0.62),
            x1 - x0,
            1.24,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            facecolor="none",
            edgecolor="grey",
            linestyle="--",
        )
    )
    ty, va = (y + 0.72, "bottom") if above else (y - 0.72, "top")
    ax.text(x0 + 0.1, ty, title, fontsize=9, va=va, family="monospace")


def draw() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(11, 4.6))
    ax.set_xlim(0, 11)
    ax.set_ylim(-0.1, 4.55)
    ax.axis("off")
    fit_y, use_y = 3.5, 0.9

    # Fitting: pipeline.fit(train).
    frame(ax, 2.0, 7.05, fit_y, "pipeline.fit(train)   a Pipeline is an Estimator", above=True)
    box(ax, 0.95, fit_y, "train\n(DataFrame)", "DataFrame", width=1.5)
    box(ax, 3.1, fit_y, "VectorAssembler\n.transform(df)", "Transformer")
    box(ax, 5.9, fit_y, "LinearRegression\n.fit(df)", "Estimator")
    arrow(ax, (1.7, fit_y), (2.15, fit_y))
    arrow(ax, (4.05, fit_y), (4.95, fit_y), "+ features")

    # Predicting: model.transform(df), with the stages the fit returned.
    frame(
        ax, 2.0, 7.05, use_y, "model.transform(df)   a PipelineModel is a Transformer", above=False
    )
    box(ax, 0.95, use_y, "new rows\n(DataFrame)", "DataFrame", width=1.5)
    box(ax, 3.1, use_y, "VectorAssembler\n.transform(df)", "Transformer")
    box(ax, 5.9, use_y, "LinearRegressionModel\n.transform(df)", "Transformer", width=2.1)
    box(ax, 9.3, use_y, "DataFrame\n+ features, prediction", "DataFrame", width=2.4)
    arrow(ax, (1.7, use_y), (2.15, use_y))
    arrow(ax, (4.05, use_y), (4.85, use_y), "+ features")
    arrow(ax, (6.95, use_y), (8.1, use_y), "+ prediction")

    # What the fit did to each stage.
    arrow(ax, (3.1, fit_y - 0.45), (3.1, use_y + 0.45), " kept as it is", ha="left", va="center")
    arrow(
        ax,
        (5.9, fit_y - 0.45),
        (5.9, use_y + 0.45),
        " fit returns a Model\n (the learned weights),\n itself a Transformer",
        ha="left",
        va="center",
    )

    legend = [
        ("DataFrame", "DataFrame: never changed in place"),
        ("Transformer", "Transformer: transform(df) returns\na DataFrame with new columns"),
        ("Estimator", "Estimator: fit(df) learns from\nthe rows and returns a Model"),
    ]
    for row, (kind, text) in enumerate(legend):
        y = fit_y + 0.45 - 0.45 * row
        ax.add_patch(
            FancyBboxPatch(
                (7.5, y - 0.12), 0.3, 0.24, boxstyle="round,pad=0.01", facecolor=COLOURS[kind]
            )
        )
        ax.text(7.9, y, text, fontsize=8.5, va="center")
    ax.set_title("How Spark ML is built: a Pipeline is fitted into a PipelineModel", fontsize=12)
    fig.tight_layout()
    return fig


def main() -> int:
    OUT.parent.mkdir(exist_ok=True)
    draw().savefig(OUT, dpi=100, metadata={"Software": None})
    print(f"wrote {OUT.relative_to(OUT.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
