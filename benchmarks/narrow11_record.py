"""Every square wrong11.stroke_by_streak sends on dev field sheets, recorded with a window
of the scan around it (issue 10, narrow11): each sheet generated once, read as it is (the
calls that answer True recorded, the square's index taken from the reader's loop) and with
stroke_by_streak off; a square counts where the two readings differ. The windows let a
narrowed rule be asked again on exactly those squares (`narrow11_replay.py`).

    nice -n 15 .venv/bin/python benchmarks/narrow11_record.py --seed 150 --sheets 300 --minutes 20 --out rec-150
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import numpy as np

from fieldkit.accuracy import _field_setup
from fieldkit.conditions import FieldOptions, generate_field_sheet
from kiosk.reading import wrong11

HALF_MM = (15.0, 40.0)  # the window kept around a square: x, y (lines10's strips are inside)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sheets", type=int, default=300)
    ap.add_argument("--always", action="append", default=[])
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not (100 <= args.seed <= 159 or 166 <= args.seed <= 169 or args.seed == 179):
        sys.exit("dev seeds only (100-159, 166-169, 179)")
    fopt = FieldOptions()
    if args.always:
        fopt = FieldOptions(p=fopt.p, none_share=0.0, always=tuple(args.always))
    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    os.makedirs(args.out, exist_ok=True)
    real = wrong11.stroke_by_streak
    calls: list[dict[str, Any]] = []

    def recording(image: np.ndarray, centre: np.ndarray, scale: float, v: Any) -> bool:
        got = real(image, centre, scale, v)
        if got:
            i = sys._getframe(1).f_locals["i"]
            hx, hy = (round(m * scale) for m in HALF_MM)
            x0, y0 = max(0, round(centre[0]) - hx), max(0, round(centre[1]) - hy)
            crop = image[y0 : round(centre[1]) + hy, x0 : round(centre[0]) + hx].copy()
            calls.append(
                {
                    "i": i,
                    "crop": crop,
                    "at": (float(centre[0]) - x0, float(centre[1]) - y0),
                    "scale": scale,
                    "v": v,
                }
            )
        return got

    stop = time.time() + args.minutes * 60 if args.minutes else None
    rows = []
    done = 0
    for index in range(args.sheets):
        style = styles[index % len(styles)]
        sheet = generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], args.seed, index, fopt)
        calls.clear()
        wrong11.stroke_by_streak = recording
        try:
            on = reader.read_bytes(sheet.image)
        finally:
            wrong11.stroke_by_streak = real
        wrong11.stroke_by_streak = lambda *a, **k: False
        try:
            off = reader.read_bytes(sheet.image)
        finally:
            wrong11.stroke_by_streak = real
        a = [m.mark for c in on.contests for m in c.marks]
        b = [m.mark for c in off.contests for m in c.marks]
        for call in calls:
            i = call["i"]
            q = sheet.truth.squares[i]
            name = f"{args.seed}-{index}-{i}"
            np.savez_compressed(
                os.path.join(args.out, name + ".npz"), crop=call["crop"], at=call["at"], scale=call["scale"]
            )
            rows.append(
                {
                    "seed": args.seed,
                    "index": index,
                    "square": i,
                    "style": style,
                    "on": a[i] if i < len(a) else None,
                    "off": b[i] if i < len(b) else None,
                    "kind": q.kind,
                    "expected": q.expected,
                    "conditions": list(sheet.conditions),
                    "local": list(sheet.square_conditions[i]),
                    "v_reason": call["v"].reason,
                    "v_score": call["v"].score,
                    "v_line": str(call["v"].line),
                    "review_on": on.status,
                    "review_off": off.status,
                    "truth_status": sheet.truth.status,
                }
            )
        done += 1
        with open(os.path.join(args.out, "rows.json"), "w") as f:
            json.dump(
                {"seed": args.seed, "always": args.always, "sheets": done, "rows": rows},
                f,
                indent=1,
                default=str,
            )
        if stop is not None and time.time() > stop:
            break
    print(args.seed, "sheets", done, "calls", len(rows), "changed", sum(r["on"] != r["off"] for r in rows))


if __name__ == "__main__":
    main()
