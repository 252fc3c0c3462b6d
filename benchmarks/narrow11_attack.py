"""The attack on wrong11.stroke_by_streak's narrowing (issue 10, narrow11): light pencil
dashes and ticks (0.06-0.1 of the light, 0.4-0.6 mm wide) drawn 0.3-0.8 mm beside a faint
scanner streak (0.12-0.3 darker, 0.2-0.4 mm wide, through the square's left, middle or
right) on a clean MZ-SMD-02 back at 150-300 dpi; every other square of the column drawn on,
the rest left as they are. Each sheet read with stroke_by_streak off and as it is; counts
of drawn squares read `empty` (must not grow) and of undrawn ones not `empty`.

    nice -n 15 .venv/bin/python benchmarks/narrow11_attack.py --out attack.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_lines10 import _pencil
from test_review9 import _blank

from kiosk.reading import wrong11

MARKS = list(itertools.product(("dash", "tick"), (0.06, 0.08, 0.1), (0.4, 0.6), (0.3, 0.5, 0.8), (-1, 1)))


def _sheet(
    dpi: int, dark: float, off_mm: float, width_mm: float, n: int
) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    _reader, img, centres, s = _blank(dpi)
    im = img.copy()
    col = round(centres[0][0] + off_mm * s)
    width = max(1, round(width_mm * s))
    im[:, col : col + width] = (im[:, col : col + width] * (1 - dark)).astype(np.uint8)
    sx = col + width / 2
    drawn = []
    for k in range(1, len(centres) - 1, 2):
        shape, c, w_mm, beside, side = MARKS[(n * 7 + k // 2) % len(MARKS)]
        cx, cy = centres[k]
        b = sx + side * (width / 2 + beside * s)
        w = max(1, round(w_mm * s))
        r = 2.0 * s
        if abs(b - cx) > 2.2 * s:
            continue  # beside the streak but outside the square
        if shape == "dash":
            im = _pencil(im, [(b, cy - r), (b, cy + 0.2 * r)], w, c, k)
        else:
            im = _pencil(im, [(b - side * 1.2 * s, cy + 0.3 * s), (b, cy + r), (b, cy - r)], w, c, k)
        drawn.append((k, shape, c, w_mm, beside, side))
    return im, drawn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=30.0)
    args = ap.parse_args()
    saved = wrong11.stroke_by_streak
    rows: list[dict[str, Any]] = []
    n = 0
    stop = time.time() + 60 * args.minutes
    kept: list[dict[str, Any]] = []

    def recording(image: np.ndarray, centre: np.ndarray, scale: float, v: Any) -> bool:
        got = saved(image, centre, scale, v)
        if got:
            i = sys._getframe(1).f_locals["i"]
            hx, hy = round(15 * scale), round(40 * scale)
            x0, y0 = max(0, round(centre[0]) - hx), max(0, round(centre[1]) - hy)
            crop = image[y0 : round(centre[1]) + hy, x0 : round(centre[0]) + hx].copy()
            kept.append(
                {"i": i, "crop": crop, "at": (float(centre[0]) - x0, float(centre[1]) - y0), "scale": scale}
            )
        return got

    os.makedirs(args.out + ".d", exist_ok=True)
    for (dpi, dark), off_mm in itertools.product(
        (
            (150, 0.12),
            (200, 0.25),
            (250, 0.12),
            (300, 0.25),
            (150, 0.25),
            (200, 0.12),
            (250, 0.25),
            (300, 0.12),
        ),
        (-1.6, 0.4),
    ):
        if time.time() > stop:
            break
        width_mm = 0.2 if n % 2 else 0.4
        reader = _blank(dpi)[0]
        im, drawn = _sheet(dpi, dark, off_mm, width_mm, n)
        n += 1  # noqa: SIM113 (the loop is a product; n picks the marks)
        got = {}
        for name in ("off", "on"):
            kept.clear()
            if name == "off":
                wrong11.stroke_by_streak = lambda *a, **k: False
            else:
                wrong11.stroke_by_streak = recording
            try:
                got[name] = [m.mark for m in reader.read(im).contests[0].marks]
            finally:
                wrong11.stroke_by_streak = saved
        for c in kept:
            np.savez_compressed(
                f"{args.out}.d/{dpi}-{dark}-{off_mm}-{c['i']}.npz",
                crop=c["crop"],
                at=c["at"],
                scale=c["scale"],
            )
        ks = {d[0] for d in drawn}
        for d in drawn:
            rows.append(
                {
                    "dpi": dpi,
                    "streak": dark,
                    "off_mm": off_mm,
                    "streak_mm": width_mm,
                    "mark": d,
                    "off": got["off"][d[0]],
                    "on": got["on"][d[0]],
                }
            )
        undrawn = [k for k in range(len(got["on"])) if k not in ks]
        rows.append(
            {
                "dpi": dpi,
                "streak": dark,
                "off_mm": off_mm,
                "streak_mm": width_mm,
                "undrawn_not_empty": {name: [k for k in undrawn if got[name][k] != "empty"] for name in got},
            }
        )
        print(
            dpi,
            dark,
            off_mm,
            width_mm,
            "drawn empty off/on",
            sum(got["off"][d[0]] == "empty" for d in drawn),
            sum(got["on"][d[0]] == "empty" for d in drawn),
            "of",
            len(drawn),
            flush=True,
        )
    marks = [r for r in rows if "mark" in r]
    summary = {
        "drawn": len(marks),
        "empty_off": sum(r["off"] == "empty" for r in marks),
        "empty_on": sum(r["on"] == "empty" for r in marks),
        "undrawn_not_empty_off": sum(
            len(r["undrawn_not_empty"]["off"]) for r in rows if "undrawn_not_empty" in r
        ),
        "undrawn_not_empty_on": sum(
            len(r["undrawn_not_empty"]["on"]) for r in rows if "undrawn_not_empty" in r
        ),
    }
    print(json.dumps(summary))
    with open(args.out, "w") as f:
        json.dump({"summary": summary, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
