"""wrong11.stroke_by_streak asked again, as it is now, on the squares `narrow11_record.py`
recorded (the windows of the scan it answered True on): which it still sends (issue 10,
narrow11). The guards only narrow the rule, so what it no longer sends reads as with the
rule off (the record's `off`).

    nice -n 15 .venv/bin/python benchmarks/narrow11_replay.py rec-150 rec-153
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

from kiosk.reading import wrong11
from kiosk.reading.inspect import Line, Verdict


def _line(text: str) -> Line:
    got = dict(re.findall(r"(\w+)=([-0-9.e]+)", text))
    return Line(float(got["theta"]), float(got["rho"]), float(got["share"]), float(got["contrast"]))


def main() -> None:
    out = []
    for d in sys.argv[1:]:
        rows = json.loads((Path(d) / "rows.json").read_text())
        for r in rows["rows"]:
            z = np.load(Path(d) / f"{r['seed']}-{r['index']}-{r['square']}.npz")
            v = Verdict("empty", None, float(r["v_score"]), 0.0, _line(r["v_line"]))
            at = np.array(z["at"], float)
            now = wrong11.stroke_by_streak(z["crop"], at, float(z["scale"]), v)
            out.append(
                {
                    **{k: r[k] for k in ("seed", "index", "square", "expected", "kind", "local")},
                    "sent_now": now,
                }
            )
            print(
                r["seed"],
                r["index"],
                r["square"],
                r["expected"],
                r["kind"],
                r["local"],
                "still sent" if now else "no longer",
            )
    print(
        "recorded",
        len(out),
        "still sent",
        sum(o["sent_now"] for o in out),
        "truth empty still sent",
        sum(o["sent_now"] and o["expected"] == "empty" for o in out),
    )


if __name__ == "__main__":
    main()
