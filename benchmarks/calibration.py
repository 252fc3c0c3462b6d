"""Scanner calibration (issue 16): what a calibration run costs, and what the reader's use of
a profile adds per sheet. Prints JSON.

    .venv/bin/python benchmarks/calibration.py [--repeat 20]

- `measure_ms`: one side of the calibration sheet measured (kiosk.calibration.measure), at
  150, 200 and 300 dpi (median over --repeat runs, after one warm-up);
- `reader_hook_us`: `ReaderCalibration.review_reason` per sheet (what BallotReader adds when it
  has a profile), for the shortest and the longest ballot's squares, with 0 and 3 known
  streak columns (median over 20,000 calls).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import cv2
import numpy as np

from fieldkit.calscans import Distortion, scan
from kiosk.calibration.apply import ReaderCalibration
from kiosk.calibration.measure import measure_side


def _median_ms(fn: object, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    measure: dict[str, float] = {}
    for dpi in (150, 200, 300):
        img = scan(Distortion(dpi=dpi, skew_deg=0.4, falloff=0.05, streak_mm=70.0, streak_levels=-6))
        measure_side(img, dpi)
        measure[str(dpi)] = _median_ms(lambda img=img, dpi=dpi: measure_side(img, dpi), args.repeat)
    px = 200 / 25.4
    hook: dict[str, float] = {}
    for squares in (8, 43):
        centres = np.stack([np.full(squares, 128 * px), np.linspace(40, 480, squares) * px], axis=1)
        for streaks in (0, 3):
            cal = ReaderCalibration(
                "BENCH", px, 1.0, tuple((c * px, 1.5) for c in (30.0, 70.0, 100.0)[:streaks])
            )
            n = 20000
            t = time.perf_counter()
            for _ in range(n):
                cal.review_reason(centres, px, 1.004)
            hook[f"{squares}_squares_{streaks}_streaks"] = round((time.perf_counter() - t) / n * 1e6, 2)
    print(json.dumps({"benchmark": "calibration", "measure_ms": measure, "reader_hook_us": hook}, indent=1))


if __name__ == "__main__":
    main()
