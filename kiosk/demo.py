"""`make demo`: the part of the station day that exists so far, headless, on the built-in sample.

1. write and verify the signed sample election package;
2. render the station's four ballots (PDF for the printer, PNG, layout JSON);
3. make a marked test deck with ground truth, as a scanner would deliver it;
4. read every sheet (both sides, either order) and compare with the truth.

The kiosk window, the journal and the protocol join as their issues land.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import cv2

from kiosk.ballots.deck import DeckOptions, write_deck
from kiosk.ballots.layout import build_layout
from kiosk.ballots.render import render_pdf, render_side_image
from kiosk.commands_election import summary
from kiosk.election.load import load_election, sample_package_bytes
from kiosk.reading.reader import BallotReader


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.demo")
    ap.add_argument("--out", type=Path, default=Path("out/demo"))
    ap.add_argument("--sheets", type=int, default=25, help="sheets per ballot style")
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    cv2.setNumThreads(1)

    print("== 1. election package")
    package = out / "election.json"
    package.write_bytes(sample_package_bytes())
    pkg = load_election(package)
    print(summary(pkg).split("\n\n")[0])
    print(f"   -> {package}\n")

    print("== 2. ballots")
    ballots = out / "ballots"
    ballots.mkdir(exist_ok=True)
    for style in pkg.election.styles:
        layout = build_layout(pkg.election, pkg.election_hash, style.id)
        (ballots / f"{style.id}.pdf").write_bytes(render_pdf(layout))
        render_side_image(layout, "back", 200).convert("L").save(ballots / f"{style.id}.png")
        render_side_image(layout, "front", 200).convert("L").save(ballots / f"{style.id}.front.png")
        (ballots / f"{style.id}.layout.json").write_text(
            json.dumps(layout.to_json(200), ensure_ascii=False, indent=1)
        )
        print(
            f"   {style.id:11s} {style.colour_name.en:7s} {layout.height_mm:.0f} mm, {len(layout.targets):2d} squares"
        )
    print(f"   -> {ballots}/\n")

    print(f"== 3. marked test deck ({args.sheets} sheets per style, scan effects on)")
    deck = out / "deck"
    truths = {}
    for style in pkg.election.styles:
        for t in write_deck(
            pkg.election, pkg.election_hash, style.id, args.sheets, 2023, deck, DeckOptions()
        ):
            truths[f"{style.id}-{t.sheet}"] = t
    print(f"   {len(truths)} sheets -> {deck}/\n")

    print("== 4. reading")
    reader = BallotReader(pkg.election, pkg.election_hash)
    counts: dict[str, Counter[str]] = {c.id: Counter() for c in pkg.election.contests}
    statuses: Counter[str] = Counter()
    agree = 0
    t0 = time.perf_counter()
    for name, truth in sorted(truths.items()):
        sides = [(deck / f"{name}.{x}.jpg").read_bytes() for x in ("a", "b")]
        reading = reader.read_sheet(sides)
        statuses[reading.reason or reading.status] += 1
        if reading.status == "rejected":
            agree += reading.reason == truth.reason
            continue
        contest = reading.contests[0]
        counts[contest.contest][contest.choice or contest.outcome] += 1
        want = truth.contests[0]
        agree += (contest.outcome, contest.choice) == (
            want.outcome,
            want.choice,
        ) or contest.outcome == "review"
    elapsed = time.perf_counter() - t0
    print(
        f"   {len(truths)} sheets read in {elapsed:.1f} s ({len(truths) / elapsed:.0f} sheets/s, both sides)"
    )
    print(f"   statuses: {dict(statuses)}")
    print(f"   agree with ground truth (a review counts as agreeing: people decide): {agree}/{len(truths)}")
    for c in pkg.election.contests:
        names = {o.id: o.name.ru for o in c.options}
        top = ", ".join(f"{names.get(k, k)}: {v}" for k, v in counts[c.id].most_common(4))
        print(f"   {c.id}: {top}")
    print(f"\nFiles are in {out.resolve()}")
    return 0 if agree == len(truths) else 1


if __name__ == "__main__":
    sys.exit(main())
