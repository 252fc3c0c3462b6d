"""The eighth pass's empty squares (kiosk/reading/empty8.py) on and off, on the same field
sheets, each generated once (issue 10, empty8).

As `benchmarks/rims7_ab.py` (the body is `fieldkit.hook_ab`'s): every sheet is read twice
in one process, with `empty8.ENABLED` (after) and without it (before: the reader of main
at b40c58b, whose hook is then a no-op), each tallied exactly as `benchmarks/accuracy.py
--field` tallies. Besides the tallies, every square the rule decided (in review before,
`empty` after) with its truth: the rule must agree with the truth on every one.

    nice -n 10 .venv/bin/python benchmarks/empty8_ab.py --seed 105 --sheets 1500 --out ab-105.json
    nice -n 10 .venv/bin/python benchmarks/empty8_ab.py --seed 140 --sheets 500 --always stain --out ab-140.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fieldkit import hook_ab
from kiosk.reading import empty8


@contextmanager
def before() -> Iterator[None]:
    """The reader as it was before the eighth pass's empty squares (main, b40c58b)."""
    saved = empty8.ENABLED
    try:
        empty8.ENABLED = False
        yield
    finally:
        empty8.ENABLED = saved


def decided(out: str) -> dict[str, Any]:
    """The squares the rule decided (marginal before, empty after) in the run's JSON, with
    their truth (the sheets regenerated: the JSON keeps only each sheet's status)."""
    from fieldkit.accuracy import _field_setup
    from fieldkit.conditions import FieldOptions, generate_field_sheet

    with open(out) as f:
        result = json.load(f)
    pkg, _reader, layouts = _field_setup()
    styles = list(layouts)
    always = tuple(result["always"])
    fopt = FieldOptions(none_share=0.0, always=always) if always else FieldOptions()
    squares = []
    for ch in result["changed"]:
        sheet = None
        for k, (b, a) in enumerate(zip(ch["before"], ch["after"], strict=True)):
            if b[0] == "marginal" and a[0] == "empty":
                if sheet is None:
                    i = ch["index"]
                    sheet = generate_field_sheet(
                        pkg.election,
                        pkg.election_hash,
                        layouts[styles[i % len(styles)]],
                        result["seed"],
                        i,
                        fopt,
                    )
                q = sheet.truth.squares[k]
                squares.append(
                    {
                        "index": ch["index"],
                        "square": k,
                        "kind": q.kind,
                        "expected": q.expected,
                        "reason": b[1],
                    }
                )
    agree = sum(1 for s in squares if s["expected"] == "empty")
    summary = {"decided": len(squares), "truth_agrees": agree, "squares": squares}
    result["empty8_decided"] = summary
    with open(out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    print("decided", len(squares), "truth agrees", agree)
    return summary


def main() -> None:
    hook_ab.main(before, __doc__ or "", untouched_from=9700)
    out = sys.argv[sys.argv.index("--out") + 1]
    decided(out)


if __name__ == "__main__":
    main()
