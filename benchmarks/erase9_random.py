"""Random erasures on the red team's blank ballot (issue 10, erase9): how many read as a
vote with erase9 off (before) and on (after), per mark style.

A voter draws a mark in a random square of the blank MZ-SMD-02 ballot (tests/test_redteam8's
sheet: seed 5, sheet 0, 200 dpi) and rubs it out (`fieldkit.erasure.random_eraser`: size,
direction, strength, smear, abrasion, offset from the square); the sheet is read at 200 dpi,
resampled to 300 dpi, or scanned at 150 dpi (test_redteam7._scan, flat, JPEG 90). A
"vote": the contest's outcome `vote` for the erased square (the ballot was cast blank).
Styles: pencil X, pencil tick, pencil fill, ballpoint X (ink barely erases: a vote there
is what the commission would see too; listed to show erase9 leaves it alone).

    nice -n 10 .venv/bin/python benchmarks/erase9_random.py --n 40 --out benchmarks/results/erase9/random.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_marks8 import pencil_fill
from test_redteam7 import _scan
from test_redteam8 import X_MM, _polylines
from test_redteam8 import blank as blank_fixture

from fieldkit.erasure import erase, random_eraser
from fieldkit.hook_ab import switched_off
from kiosk.reading import erase9

TICK_MM = [[(-1.8, 0.2), (-0.5, 1.8), (2.0, -2.2)]]
STYLES = ("pencil_x", "pencil_tick", "pencil_fill", "ballpoint_x")


def mark(
    img: np.ndarray, centre: tuple[float, float], s: float, style: str, rng: np.random.Generator
) -> np.ndarray:
    if style == "pencil_x":
        return _polylines(
            img, centre, s, X_MM, 0.5, float(rng.uniform(0.3, 0.55)), grain=0.4, seed=int(rng.integers(99))
        )
    if style == "pencil_tick":
        return _polylines(
            img, centre, s, TICK_MM, 0.5, float(rng.uniform(0.3, 0.55)), grain=0.4, seed=int(rng.integers(99))
        )
    if style == "pencil_fill":
        return pencil_fill(img, centre, s, float(rng.uniform(0.2, 0.4)))
    return _polylines(img, centre, s, X_MM, 0.4, float(rng.uniform(0.6, 0.8)))


def rescan(img: np.ndarray, dpi: int) -> np.ndarray:
    if dpi == 300:
        return np.asarray(cv2.resize(img, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC))
    if dpi == 150:
        return _scan(img, 0.0, 200, 150, 90)
    return img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=40, help="variants per style")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--out", required=True)
    ap.add_argument("--png", help="a strip of the first variants' crops")
    ap.add_argument("--png-votes", help="the crops (at 200 dpi) of the variants read a vote after")
    args = ap.parse_args()
    reader, img0, centres, s = blank_fixture.__wrapped__()  # type: ignore[attr-defined]
    rng = np.random.default_rng(args.seed)
    out: dict[str, dict[str, int]] = {}
    cases: list[dict[str, object]] = []
    crops: list[np.ndarray] = []
    votes: list[np.ndarray] = []
    for style in STYLES:
        tally = {"n": 0, "vote_before": 0, "vote_after": 0, "review_after": 0, "blank_after": 0}
        for _ in range(args.n):
            sq = int(rng.integers(len(centres)))
            e = random_eraser(rng, ink=style == "ballpoint_x")
            dpi = int(rng.choice([150, 200, 300]))
            marked = mark(img0, centres[sq], s, style, rng)
            flat = erase(img0, marked, centres[sq], s, e)
            im = rescan(flat, dpi)
            after = reader.read(im).contests[0]
            with switched_off(erase9):
                before = reader.read(im).contests[0]
            vb = before.outcome == "vote" and before.marks[sq].mark == "marked"
            va = after.outcome == "vote" and after.marks[sq].mark == "marked"
            tally["n"] += 1
            tally["vote_before"] += vb
            tally["vote_after"] += va
            tally["review_after"] += after.outcome == "review"
            tally["blank_after"] += after.outcome == "blank"
            cases.append(
                {
                    "style": style,
                    "square": sq,
                    "dpi": dpi,
                    "eraser": e.__dict__,
                    "before": [before.outcome, before.marks[sq].mark, round(before.marks[sq].score, 4)],
                    "after": [
                        after.outcome,
                        after.marks[sq].mark,
                        after.marks[sq].reason,
                        round(after.marks[sq].score, 4),
                    ],
                }
            )
            if va and style != "ballpoint_x":
                x, y, r = round(centres[sq][0]), round(centres[sq][1]), round(8 * s)
                votes.append(flat[y - r : y + r, x - r : x + r])
            if args.png and len(crops) < 6 * len(STYLES) and tally["n"] <= 6:
                x, y, r = round(centres[sq][0]), round(centres[sq][1]), round(8 * s)
                crops.append(flat[y - r : y + r, x - r : x + r])
        out[style] = tally
        print(style, tally, flush=True)
    Path(args.out).write_text(json.dumps({"args": vars(args), "tally": out, "cases": cases}, indent=1))
    if args.png and crops:
        rows = [np.hstack(crops[i : i + 6]) for i in range(0, len(crops) - len(crops) % 6, 6)]
        cv2.imwrite(args.png, cv2.resize(np.vstack(rows), None, fx=1.5, fy=1.5))

    if args.png_votes and votes:
        cv2.imwrite(args.png_votes, cv2.resize(np.hstack(votes), None, fx=2, fy=2))


if __name__ == "__main__":
    main()
