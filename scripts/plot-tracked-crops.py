#!/usr/bin/env python3
"""The plot of experiments/README.md's "Training on tracked crops": plate
accuracy after 1..F frames on tracker crops, per difficulty, for the three
readers of scripts/tracked-crops.sh, mean over seeds with the lowest and
highest seed as a band. Python's standard library only.

    scripts/plot-tracked-crops.py OUT SVG CSV [SEED ...]   (seeds default 0 1 2)

OUT is scripts/tracked-crops.sh's folder (OUT/eval_SEED/video_eval.csv);
CSV receives every seed's figures that the plot draws.
"""
import csv
import os
import sys

READERS = [("blurry_frames", "MNIST", "#1f77b4"), ("tracked_crops", "crops alone", "#d62728"),
           ("tracked_crops_warm", "warm (MNIST, then crops)", "#2ca02c")]
DIFFICULTIES = ["easy", "medium", "hard"]


def read(out, seeds):
    """(difficulty, run, frames) -> [plate accuracy per seed]."""
    table = {}
    for seed in seeds:
        path = os.path.join(out, f"eval_{seed}", "video_eval.csv")
        with open(path) as f:
            for row in csv.DictReader(f):
                if row["source"] != "tracker":
                    continue
                key = (row["difficulty"], row["run"], int(row["frames"]))
                table.setdefault(key, []).append(float(row["plate_accuracy"]))
    for key, values in table.items():
        if len(values) != len(seeds):
            sys.exit(f"{key}: {len(values)} seeds of {len(seeds)} in {out}")
    return table


def svg(table, frames, seeds):
    panel_w, panel_h, left, top, gap = 260, 220, 50, 40, 30
    width = left + 3 * panel_w + 2 * gap + 20
    height = top + panel_h + 90
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="14">Plate accuracy (all 4 digits) on tracker crops '
           f'after each frame: mean of {len(seeds)} seeds, band from the lowest to the highest</text>']
    high = 0.6
    for p, difficulty in enumerate(DIFFICULTIES):
        x0 = left + p * (panel_w + gap)
        x = lambda n: x0 + (n - 1) / (frames - 1) * panel_w
        y = lambda v: top + (1 - v / high) * panel_h
        out.append(f'<text x="{x0 + panel_w / 2 - 20}" y="{top - 8}">{difficulty}</text>')
        for v in [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]:
            out.append(f'<line x1="{x0}" x2="{x0 + panel_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                       f'stroke="#e5e5e5"/>')
            if p == 0:
                out.append(f'<text x="{x0 - 36}" y="{y(v) + 4:.1f}">{100 * v:.0f}%</text>')
        for n in range(1, frames + 1):
            out.append(f'<text x="{x(n) - 3:.1f}" y="{top + panel_h + 16}">{n}</text>')
        out.append(f'<text x="{x0 + panel_w / 2 - 30}" y="{top + panel_h + 32}">frames read</text>')
        for run, _, colour in READERS:
            series = [table[(difficulty, run, n)] for n in range(1, frames + 1)]
            upper = " ".join(f"{x(n):.1f},{y(max(s)):.1f}" for n, s in enumerate(series, 1))
            lower = " ".join(f"{x(n):.1f},{y(min(s)):.1f}" for n, s in reversed(list(enumerate(series, 1))))
            out.append(f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.15"/>')
            mean = " ".join(f"{x(n):.1f},{y(sum(s) / len(s)):.1f}" for n, s in enumerate(series, 1))
            out.append(f'<polyline points="{mean}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for i, (_, label, colour) in enumerate(READERS):
        lx = left + i * 250
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{height - 20}" y2="{height - 20}" '
                   f'stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 30}" y="{height - 16}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    out, svg_path, csv_path = sys.argv[1:4]
    seeds = [int(s) for s in sys.argv[4:]] or [0, 1, 2]
    table = read(out, seeds)
    frames = max(n for (_, _, n) in table)
    with open(svg_path, "w") as f:
        f.write(svg(table, frames, seeds))
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["difficulty", "reader", "frames"] + [f"plate_accuracy_seed{s}" for s in seeds])
        for (difficulty, run, n), values in sorted(table.items()):
            w.writerow([difficulty, run, n] + [f"{v:.4f}" for v in values])
    return 0


if __name__ == "__main__":
    sys.exit(main())
