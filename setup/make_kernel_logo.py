"""Draw the logo of the kernel "Python (Pyspark)": a spark above the letters "ML".

    .venv/bin/python setup/make_kernel_logo.py     # rewrites the three files below

Writes setup/kernel-logo.svg, setup/kernel-logo-32x32.png and setup/kernel-logo-64x64.png,
which setup/register_kernel.py installs into the kernel's folder as logo-svg.svg, logo-32x32.png and
logo-64x64.png (the names JupyterLab looks for). The drawing is the project's own: plain
shapes in the colours of the course's plots (matplotlib's first two default colours), no
text and no font, so every machine draws the same pixels.
"""

from __future__ import annotations

import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 64  # the drawing's units: a 64 x 64 square, y pointing down as in SVG
BACKGROUND = "#1f77b4"  # matplotlib's "tab:blue", the course's first plot colour
SPARK = "#ff7f0e"  # "tab:orange", its second
LETTERS = "#ffffff"
CORNER = 12  # radius of the rounded corners
STROKE = 6  # width of the strokes of "M" and "L"

# "M" and "L" as two strokes; the points are the middle of each stroke.
LETTER_M = [(11, 58), (11, 40), (20.5, 50.5), (30, 40), (30, 58)]
LETTER_L = [(39, 39), (39, 55), (53, 55)]


def spark_points(cx: float = 32, cy: float = 18, long: float = 15, short: float = 9) -> list:
    """A sparkle: four long points (up, right, down, left) and four short diagonal ones."""
    points = []
    for k in range(16):
        angle = math.pi * k / 8 - math.pi / 2
        radius = (long if k % 4 == 0 else short) if k % 2 == 0 else 4.5
        points.append(
            (round(cx + radius * math.cos(angle), 2), round(cy + radius * math.sin(angle), 2))
        )
    return points


def svg() -> str:
    def path(points: list) -> str:
        return " ".join(f"{x:g},{y:g}" for x, y in points)

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}">\n'
        f"  <title>Python (Pyspark): the course kernel</title>\n"
        f'  <rect width="{SIZE}" height="{SIZE}" rx="{CORNER}" fill="{BACKGROUND}"/>\n'
        f'  <polygon points="{path(spark_points())}" fill="{SPARK}"/>\n'
        f'  <g fill="none" stroke="{LETTERS}" stroke-width="{STROKE}" '
        f'stroke-linejoin="miter" stroke-linecap="butt">\n'
        f'    <polyline points="{path(LETTER_M)}"/>\n'
        f'    <polyline points="{path(LETTER_L)}"/>\n'
        "  </g>\n"
        "</svg>\n"
    )


def png(pixels: int, target: Path) -> None:
    """The same drawing with matplotlib's Agg renderer, `pixels` wide and high."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Polygon

    figure = plt.figure(figsize=(1, 1), dpi=pixels)
    figure.patch.set_alpha(0)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, SIZE)
    axes.set_ylim(SIZE, 0)  # y down, as in the SVG
    axes.axis("off")
    axes.add_patch(
        FancyBboxPatch(
            (0, 0),
            SIZE,
            SIZE,
            boxstyle=f"round,pad=0,rounding_size={CORNER}",
            facecolor=BACKGROUND,
            edgecolor="none",
        )
    )
    axes.add_patch(Polygon(spark_points(), closed=True, facecolor=SPARK, edgecolor="none"))
    points_per_unit = 72 / SIZE  # the figure is 1 inch = 72 points for SIZE units
    for letter in (LETTER_M, LETTER_L):
        xs = [x for x, _ in letter]
        ys = [y for _, y in letter]
        axes.plot(
            xs,
            ys,
            color=LETTERS,
            linewidth=STROKE * points_per_unit,
            solid_joinstyle="miter",
            solid_capstyle="butt",
        )
    figure.savefig(target, dpi=pixels, transparent=True, metadata={"Software": None})
    plt.close(figure)


def main(folder: Path = HERE) -> list[Path]:
    written = [folder / "kernel-logo.svg"]
    written[0].write_text(svg())
    for pixels in (32, 64):
        target = folder / f"kernel-logo-{pixels}x{pixels}.png"
        png(pixels, target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in main():
        print(f"wrote {path.relative_to(HERE.parent)}")
