"""Reading the same field sheets with a pass's reader hooks on and off (issue 10): the
body of `benchmarks/hook_ab.py --module NAME` (each rule module's `ENABLED` off for the
`before` reading; shape11 folded the passes' 15-line `benchmarks/NAME_ab.py` wrappers into
it). `main(before, doc, untouched_from)` still serves a script that gives its own
`before()` and docstring.

Besides the two tallies, every square whose reading differs, with its truth: `decided`
(in review before, `marked`/`empty` after: a rule that decides must agree with the truth
on every one) and `sent_to_review` (decided before, in review after: what a review rule
costs, and whether the decision it took away was right).

Generating a field sheet costs about five times reading it, so each sheet is generated
once and read twice in one process, both readings tallied exactly as
`benchmarks/accuracy.py --field` tallies (`fieldkit.accuracy._tally_field_sheet`).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import ModuleType
from typing import Any

from fieldkit.accuracy import FieldTally, _field_setup, _tally_field_sheet
from fieldkit.conditions import ALL_CONDITIONS, FieldOptions, FieldSheet, generate_field_sheet
from kiosk.reading.model import SideReading


def field_sheets(args: argparse.Namespace, fopt: FieldOptions) -> Iterator[tuple[int, str, FieldSheet]]:
    """The sheets `--seed`, `--first-sheet`, `--sheets` name, generated once each: read from
    `--cache` where that file exists, else written there once all are generated."""
    pkg, _reader, layouts = _field_setup()
    styles = list(layouts)
    if args.cache and os.path.exists(args.cache):
        with open(args.cache, "rb") as f:
            yield from pickle.load(f)
        return
    kept = []
    for index in range(args.first_sheet, args.first_sheet + args.sheets):
        style = styles[index % len(styles)]
        sheet = generate_field_sheet(pkg.election, pkg.election_hash, layouts[style], args.seed, index, fopt)
        if args.cache:
            kept.append((index, style, sheet))
        yield index, style, sheet
    if args.cache:
        with open(args.cache, "wb") as f:
            pickle.dump(kept, f)


@contextmanager
def switched_off(module: ModuleType) -> Iterator[None]:
    """A hook module's `ENABLED` off for the `before` reading."""
    saved = getattr(module, "ENABLED")  # noqa: B009 (every hook module has one; mypy cannot know)
    try:
        setattr(module, "ENABLED", False)  # noqa: B010
        yield
    finally:
        setattr(module, "ENABLED", saved)  # noqa: B010


def _squares(sheet: FieldSheet, after: SideReading, old: SideReading, index: int) -> list[dict[str, Any]]:
    """Each square read differently after than before, with its truth."""
    out = []
    for c_after, c_old in zip(after.contests, old.contests, strict=True):
        for i, (a, b) in enumerate(zip(c_after.marks, c_old.marks, strict=True)):
            if a.mark == b.mark:
                continue
            q = sheet.truth.squares[i]
            out.append(
                {
                    "index": index,
                    "square": i,
                    "before": b.mark,
                    "after": a.mark,
                    "reason_after": a.reason,
                    "score": round(a.score, 4),
                    "kind": q.kind,
                    "expected": q.expected,
                    "right_before": b.mark == q.expected,
                    "right_after": a.mark == q.expected,
                    "conditions": list(sheet.conditions),
                    "local": list(sheet.square_conditions[i]),
                }
            )
    return out


def doubt_row(sheet: FieldSheet, i: int, m: Any, index: int) -> dict[str, Any]:
    """Square `i` in doubt (`m`, its reading) on field sheet `index`, with its truth."""
    q = sheet.truth.squares[i]
    return {
        "index": index,
        "square": i,
        "kind": q.kind,
        "expected": q.expected,
        "reason": m.reason,
        "score": round(m.score, 4),
        "conditions": list(sheet.conditions),
        "local": list(sheet.square_conditions[i]),
    }


def _why(sheet: FieldSheet, r: SideReading, index: int) -> list[dict[str, Any]]:
    if r.status != "review" or sheet.truth.status == "review" or not r.contests:
        return []
    return [doubt_row(sheet, i, m, index) for i, m in enumerate(r.contests[0].marks) if m.mark == "marginal"]


def field_options(args: argparse.Namespace) -> FieldOptions:
    """The field corpus's options from `--always` and `--p` (the default corpus without)."""
    fopt = FieldOptions()
    if args.always or args.p is not None:
        fopt = FieldOptions(
            p=fopt.p if args.p is None else args.p,
            none_share=0.0 if args.always else fopt.none_share,
            always=tuple(args.always),
        )
    return fopt


def parser(doc: str) -> argparse.ArgumentParser:
    """The command line every A/B shares: which sheets, where the JSON goes."""
    ap = argparse.ArgumentParser(
        description=doc.splitlines()[0], epilog=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sheets", type=int, default=1500)
    ap.add_argument("--first-sheet", type=int, default=0)
    ap.add_argument("--always", choices=ALL_CONDITIONS, action="append", default=[])
    ap.add_argument("--p", type=float)
    ap.add_argument("--minutes", type=float, help="stop after this many minutes (whole sheets)")
    ap.add_argument("--cache")
    ap.add_argument("--why")
    ap.add_argument("--out", required=True)
    return ap


def main(before: Callable[[], AbstractContextManager[None]], doc: str, untouched_from: int) -> None:
    """Parse the command line, read each sheet with the hooks as they are (after) and
    inside `before()` (before), write the JSON; `untouched_from`: the script's lowest
    refused seed."""
    run(parser(doc).parse_args(), before, untouched_from)


def run(
    args: argparse.Namespace, before: Callable[[], AbstractContextManager[None]], untouched_from: int
) -> None:
    """`main`'s body, for a script that adds options of its own to `parser()`."""
    if args.seed >= untouched_from:
        sys.exit(f"seeds from {untouched_from} are refused here (untouched or holdout)")
    fopt = field_options(args)
    _pkg, reader, _layouts = _field_setup()
    tallies = {"before": FieldTally(), "after": FieldTally()}
    why: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    changed = []
    squares: list[dict[str, Any]] = []
    stop_at = time.time() + args.minutes * 60 if args.minutes else None
    done = 0
    for index, style, sheet in field_sheets(args, fopt):
        where = {"seed": args.seed, "index": index, "style": style}
        after = reader.read_bytes(sheet.image)
        with before():
            old = reader.read_bytes(sheet.image)
        for name, r in (("before", old), ("after", after)):
            _tally_field_sheet(tallies[name], sheet, r, where)
            why[name] += _why(sheet, r, index)
        squares += _squares(sheet, after, old, index)
        a_marks = [(m.mark, m.reason) for c in after.contests for m in c.marks]
        b_marks = [(m.mark, m.reason) for c in old.contests for m in c.marks]
        if a_marks != b_marks or after.status != old.status:
            changed.append({**where, "before": b_marks, "after": a_marks, "truth": sheet.truth.status})
        done += 1
        if stop_at is not None and time.time() > stop_at:
            break
    result = {
        "seed": args.seed,
        "sheets": done,
        "first_sheet": args.first_sheet,
        "always": args.always,
        "p": args.p,
        "before": tallies["before"].report(),
        "after": tallies["after"].report(),
        "changed": changed,
        "decided": [q for q in squares if q["before"] == "marginal"],
        "sent_to_review": [q for q in squares if q["after"] == "marginal"],
    }
    result["decided_truth_agrees"] = sum(q["right_after"] for q in result["decided"])
    result["sent_to_review_were_right"] = sum(q["right_before"] for q in result["sent_to_review"])
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1, default=str)
    if args.why:
        with open(args.why, "w") as f:
            json.dump(why, f, indent=1)
    for name in ("before", "after"):
        row = result[name]["conditions"]["all"]
        print(name, json.dumps(row))
    print("sheets changed", len(changed))
    print("squares decided", len(result["decided"]), "truth agrees", result["decided_truth_agrees"])
    print(
        "squares sent to review",
        len(result["sent_to_review"]),
        "decided right before",
        result["sent_to_review_were_right"],
    )
