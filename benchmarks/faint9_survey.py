"""Light pencil under the bands (issue 10, faint9): on field sheets, every square the truth
has `marked` that scores under `marginal`, and what kept it out of `empty` (or that nothing
did: a wrong decision).

For each such square: its score, its reading, the path that decided it (`closer_look`: the
doubt band's closer look found it; `second_look`: the closer look said `empty` and
pencil6/pencil7's second look found a stroke; `wider_band`: pencil6.wider_band's pencil
tests; `low_band`: pencil7.low_band then wider_look; `faint9`: faint9.second_chance;
`none`: read `empty`), and the margins that matter: the score against the bands' lower
edges (DOUBT_LO 0, PENCIL_LO 0.003, LOW_FROM 0.004, LOOK_FROM 0.010) and the ring sides'
darkest/lightest ratio against faint9.SIDE_SHARE.

    nice -n 10 .venv/bin/python benchmarks/faint9_survey.py --seed 145 --sheets 150 \\
        --always pencil --always faint_streak --out survey-145.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any

import cv2
import numpy as np

import kiosk.reading.faint9 as faint9
import kiosk.reading.reader as reader_module
from fieldkit.accuracy import _field_setup
from fieldkit.conditions import CONDITIONS, FieldOptions, generate_field_sheet
from kiosk.reading import pencil6, pencil7


def main() -> None:  # noqa: C901 (one survey loop with its spies)
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sheets", type=int, default=150)
    ap.add_argument("--first-sheet", type=int, default=0)
    ap.add_argument("--always", choices=CONDITIONS, action="append", default=[])
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.seed >= 9800 or 183 <= args.seed <= 199:
        sys.exit("seed refused: the lead's check seeds and the untouched range are not run here")
    pkg, reader, layouts = _field_setup()
    styles = list(layouts)
    fopt = FieldOptions(none_share=0.0, always=tuple(args.always)) if args.always else FieldOptions()
    seen: dict[str, Any] = {}
    path: dict[int, str] = {}

    real: dict[str, Any] = {
        "band": reader_module.doubt_band,
        "wide": pencil6.wider_band,
        "low": pencil7.low_band,
        "inspect": getattr(reader_module, "inspect_square"),  # noqa: B009
        "p6": pencil6.second_look,
        "p7": pencil7.second_look,
        "f9": faint9.second_chance,
        "wl": pencil7.wider_look,
    }

    def key(c: Any) -> int:
        d = np.hypot(seen["centres"][:, 0] - float(c[0]), seen["centres"][:, 1] - float(c[1]))
        return int(np.argmin(d))

    def band(image: Any, centres: Any, scales: Any, scores: Any, marginal: float) -> Any:
        seen.update(centres=np.asarray(centres), paper=scores.paper, scores=scores.scores)
        out = real["band"](image, centres, scales, scores, marginal)
        seen["look"] = out
        return out

    def wide(scores: Any, marginal: float) -> Any:
        out = real["wide"](scores, marginal)
        seen["wide"] = out
        return out

    def low(*a: Any) -> Any:
        out = real["low"](*a)
        seen["low"] = out
        return out

    def inspect(image: Any, centre: Any, *a: Any) -> Any:
        v = real["inspect"](image, centre, *a)
        path[key(centre)] = "closer_look" if v.mark != "empty" else "closer_look_empty"
        return v

    def second(name: str) -> Any:
        def f(image: Any, centre: Any, scale: float, levels: Any, gain: float, v: Any) -> Any:
            out = real[name](image, centre, scale, levels, gain, v)
            if v.mark == "empty" and out.mark != "empty":
                path[key(centre)] = "second_look_" + ("pencil6" if name == "p6" else "pencil7")
            return out

        return f

    def f9(image: Any, centre: Any, *a: Any) -> bool:
        out: bool = real["f9"](image, centre, *a)
        if out:
            path[key(centre)] = "faint9"
        return out

    setattr(reader_module, "doubt_band", band)  # noqa: B010 (the survey's spies)
    setattr(pencil6, "wider_band", wide)  # noqa: B010 (the survey's spies)
    setattr(pencil7, "low_band", low)  # noqa: B010 (the survey's spies)
    setattr(reader_module, "inspect_square", inspect)  # noqa: B010 (the survey's spies)
    setattr(pencil6, "second_look", second("p6"))  # noqa: B010 (the survey's spies)
    setattr(pencil7, "second_look", second("p7"))  # noqa: B010 (the survey's spies)
    setattr(faint9, "second_chance", f9)  # noqa: B010 (the survey's spies)

    marginal = reader.thresholds.marginal
    rows: list[dict[str, Any]] = []
    start = time.monotonic()
    done = 0
    for index in range(args.first_sheet, args.first_sheet + args.sheets):
        if args.minutes and time.monotonic() - start > 60 * args.minutes:
            break
        style = styles[index % len(styles)]
        sheet = generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], args.seed, index, fopt)
        image = cv2.imdecode(np.frombuffer(sheet.image, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert image is not None
        seen.clear()
        path.clear()
        r = reader.read(image)
        done += 1
        if r.status == "rejected" or not r.contests or "scores" not in seen:
            continue
        for i, (q, m) in enumerate(zip(sheet.truth.squares, r.contests[0].marks, strict=True)):
            if q.expected != "marked" or m.score >= marginal:
                continue
            if seen["look"][i]:
                how = path.get(i, "closer_look")
            elif seen["wide"][i]:
                how = "wider_band" if m.mark != "empty" else "none"
            elif seen["low"][i] and m.mark != "empty":
                how = "low_band"
            else:
                how = path.get(i, "none") if m.mark != "empty" else "none"
            if m.mark == "empty":
                how = "none"
            lv = seen["paper"][i]
            rows.append(
                {
                    "index": index,
                    "square": i,
                    "kind": q.kind,
                    "score": round(float(m.score), 4),
                    "fast_score": round(float(seen["scores"][i]), 4),
                    "mark": m.mark,
                    "reason": m.reason,
                    "path": how,
                    "sides_ratio": round(float(lv.min() / max(1.0, lv.max())), 3),
                    "dpi": sheet.truth.dpi,
                    "conditions": list(sheet.conditions),
                    "local": list(sheet.square_conditions[i]),
                }
            )
    summary = {
        "seed": args.seed,
        "always": args.always,
        "sheets": done,
        "marked_under_marginal": len(rows),
        "by_path": dict(Counter(r["path"] for r in rows)),
        "wrong_empty": [r for r in rows if r["mark"] == "empty"],
        "command": " ".join(sys.argv),
    }
    with open(args.out, "w") as f:
        json.dump({**summary, "squares": rows}, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "wrong_empty"}, indent=1))
    print("wrong (read empty):", len(summary["wrong_empty"]))


if __name__ == "__main__":
    main()
