"""The eighth pass's review rules (kiosk/reading/fix8.py, branch fix8) on and off, on the
same field sheets, each generated once (issue 10).

As `benchmarks/rims7_ab.py`: every sheet is read twice in one process, with
`fix8.ENABLED` (after) and without it (before: the reader of main at b40c58b), each
tallied exactly as `benchmarks/accuracy.py --field` tallies; the JSON's `changed` lists
the sheets whose reading differs. fix8's rules only send squares to review, so this
script also counts, with `--squares FILE`, every square the rules sent to review that the
reader without them decided (`marked` or `empty`), and how many of those it decided as
the truth has them:

    nice -n 10 .venv/bin/python benchmarks/fix8_ab.py --seed 105 --sheets 600 \\
        --out ab-105.json --squares sq-105.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fieldkit import hook_ab
from kiosk.reading import fix8


@contextmanager
def before() -> Iterator[None]:
    """The reader without the eighth pass's review rules (main, b40c58b)."""
    saved = fix8.ENABLED
    try:
        fix8.ENABLED = False
        yield
    finally:
        fix8.ENABLED = saved


def squares(out: str, squares_out: str) -> None:
    """From `hook_ab`'s JSON and the sheets regenerated: the squares sent to review."""
    from fieldkit.accuracy import _field_setup
    from fieldkit.conditions import FieldOptions, generate_field_sheet

    with open(out) as f:
        result = json.load(f)
    pkg, _reader, layouts = _field_setup()
    styles = list(layouts)
    fopt = FieldOptions()
    if result["always"] or result["p"] is not None:
        fopt = FieldOptions(
            p=fopt.p if result["p"] is None else result["p"],
            none_share=0.0 if result["always"] else fopt.none_share,
            always=tuple(result["always"]),
        )
    sent: list[dict[str, Any]] = []
    for ch in result["changed"]:
        index = ch["index"]
        sheet = generate_field_sheet(
            pkg.election, pkg.election_hash, layouts[styles[index % len(styles)]], result["seed"], index, fopt
        )
        for i, (b, a) in enumerate(zip(ch["before"], ch["after"], strict=True)):
            if b[0] != "marginal" and a[0] == "marginal":
                q = sheet.truth.squares[i]
                sent.append(
                    {
                        "index": index,
                        "square": i,
                        "before": b[0],
                        "kind": q.kind,
                        "expected": q.expected,
                        "right": b[0] == q.expected,
                    }
                )
    summary = {"sent": len(sent), "decided_right": sum(s["right"] for s in sent), "squares": sent}
    with open(squares_out, "w") as f:
        json.dump(summary, f, indent=1)
    print("squares sent to review", summary["sent"], "of them decided right before", summary["decided_right"])


def main() -> None:
    argv = list(sys.argv[1:])
    squares_out = None
    if "--squares" in argv:
        k = argv.index("--squares")
        squares_out = argv[k + 1]
        del argv[k : k + 2]
    sys.argv = [sys.argv[0], *argv]
    hook_ab.main(before, __doc__ or "", untouched_from=9600)
    if squares_out:
        squares(argv[argv.index("--out") + 1], squares_out)


if __name__ == "__main__":
    main()
