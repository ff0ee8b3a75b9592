#!/usr/bin/env python3
"""Draws the application icon: a log-mel patch grid (6 time x 4 frequency patches in viridis
colours, low frequencies at the bottom) with one time column and a few single patches dropped, as
patchout drops them. Writes org.patchout.Workbench.svg (the scalable icon) and the PNG sizes the
freedesktop icon theme wants (rendered from the same rectangles with ImageMagick's `convert`,
which needs no SVG support). Also the six views' sidebar icons (views/NAME.svg and 64 px PNGs, in
the same style: rounded rectangles and dots on a 64 x 64 box). Run it after changing a picture:
python3 make_icons.py
"""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "org.patchout.Workbench"
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
COLS, ROWS = 6, 4
DROPPED_COLUMN = 2
DROPPED_CELLS = {(4, 1), (0, 2), (5, 3)}
# Energy of each patch (0..1): a rising harmonic, brighter low down, as speech or a note looks.
ENERGY = [[0.35, 0.55, 0.7, 0.85, 0.6, 0.4],
          [0.55, 0.75, 0.9, 1.0, 0.8, 0.5],
          [0.2, 0.35, 0.5, 0.65, 0.95, 0.7],
          [0.1, 0.15, 0.3, 0.4, 0.55, 0.85]]  # top row first


def colour(v):
    i = min(len(VIRIDIS) - 1, int(round(v * (len(VIRIDIS) - 1))))
    return VIRIDIS[i]


def shapes():
    """(kind, x, y, w, h, fill, radius) in a 64 x 64 box."""
    out = [("rect", 2, 2, 60, 60, "#14213d", 10)]
    x0, y0, size, gap = 8, 14, 8, 0.8
    for r in range(ROWS):
        for c in range(COLS):
            x, y = x0 + c * size + gap / 2, y0 + r * size + gap / 2
            if c == DROPPED_COLUMN or (c, r) in DROPPED_CELLS:
                out.append(("rect", x, y, size - gap, size - gap, "#24355c", 1))  # the hole it leaves
            else:
                out.append(("rect", x, y, size - gap, size - gap, colour(ENERGY[r][c]), 1))
    out.append(("rect", 8, 50, 48, 3, "#e9c46a", 1.5))  # the transformer's token line below
    return out


def svg(items, title):
    lines = ['<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">',
             f'  <title>{title}</title>']
    for kind, x, y, w, h, fill, r in items:
        if kind == "circle":
            lines.append(f'  <circle cx="{x:g}" cy="{y:g}" r="{r:g}" fill="{fill}"/>')
        else:
            lines.append(f'  <rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{r:g}" fill="{fill}"/>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


def png(items, size, path):
    s = size / 64.0
    draw = []
    for kind, x, y, w, h, fill, r in items:
        if kind == "circle":
            draw += ["-fill", fill, "-draw", f"circle {x*s:.3f},{y*s:.3f} {(x + r)*s:.3f},{y*s:.3f}"]
            continue
        x1, y1 = x * s, y * s
        x2, y2 = max(x1, (x + w) * s - 0.5), max(y1, (y + h) * s - 0.5)
        draw += ["-fill", fill, "-draw", f"roundrectangle {x1:.3f},{y1:.3f} {x2:.3f},{y2:.3f} {r*s:.3f},{r*s:.3f}"]
    subprocess.run(["convert", "-size", f"{size}x{size}", "xc:none", *draw, "-strip", f"PNG32:{path}"], check=True)


INK, ACCENT, DIM = "#2b4c7e", "#e07a1f", "#b8c4d6"


def views():
    """The sidebar icons: name -> shapes."""
    listen = [("rect", 6 + 7 * i, 32 - h / 2, 4.5, h, INK, 2)
              for i, h in enumerate([10, 22, 36, 48, 30, 40, 18, 8])]
    patchout = [("rect", 6 + 13.5 * c, 8 + 13.5 * r, 11.5, 11.5,
                 DIM if (c == 2 or (c, r) in {(0, 1), (3, 3)}) else INK, 2)
                for r in range(4) for c in range(4)]
    train = [("rect", 6 + 9.5 * i, 56 - h, 7, h, INK, 2) for i, h in enumerate([46, 30, 22, 16, 12, 10])]
    train.append(("rect", 4, 57, 56, 3, ACCENT, 1.5))
    embeddings = [("circle", x, y, 0, 0, fill, 5) for x, y, fill in
                  [(16, 18, INK), (24, 12, INK), (12, 28, INK), (44, 40, ACCENT), (50, 50, ACCENT),
                   (40, 52, ACCENT), (46, 16, DIM), (54, 24, DIM)]]
    evaluate = [("rect", 6 + 18 * c, 6 + 18 * r, 16, 16, ACCENT if r == c else (DIM if (r + c) % 2 else "#dfe5ee"), 2)
                for r in range(3) for c in range(3)]
    model = [("rect", 10 - 2 * i + 2, 44 - 11 * i, 44, 8, INK if i != 3 else ACCENT, 3) for i in range(4)]
    return {"listen": listen, "patchout": patchout, "train": train, "embeddings": embeddings,
            "evaluate": evaluate, "model": model}


if __name__ == "__main__":
    with open(os.path.join(HERE, NAME + ".svg"), "w") as f:
        f.write(svg(shapes(), "Patchout Workbench"))
    for size in SIZES:
        folder = os.path.join(HERE, "hicolor", f"{size}x{size}", "apps")
        os.makedirs(folder, exist_ok=True)
        png(shapes(), size, os.path.join(folder, NAME + ".png"))
    os.makedirs(os.path.join(HERE, "views"), exist_ok=True)
    for name, items in views().items():
        with open(os.path.join(HERE, "views", name + ".svg"), "w") as f:
            f.write(svg(items, name))
        png(items, 64, os.path.join(HERE, "views", name + ".png"))
