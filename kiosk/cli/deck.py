"""`sanaq deck`: a marked test deck (scanned-looking images with ground truth)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from fieldkit.deck import DeckOptions, write_deck
from kiosk.cli.ballots import styles
from kiosk.election.load import load_election
from kiosk.errors import SanaqError


def add_parser(sub: Any) -> None:
    from kiosk.cli import add_election_arg

    p = sub.add_parser("deck", help="marked test deck: scanned-looking images with ground truth")
    add_election_arg(p)
    p.add_argument("--style", default=None, help="style id (default: every style, N sheets each)")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--clean", action="store_true", help="no scan effects (a perfect scanner)")
    p.add_argument("--test", action="store_true", help="test (logic-and-accuracy) ballots")
    p.add_argument("--out", type=Path, required=True)


def run(args: argparse.Namespace) -> int:
    pkg = load_election(args.election, args.hq_key)
    if args.n < 0:
        raise SanaqError("package_invalid", "--n must not be negative")
    if pkg.election.rules.station_specific_ballots:
        raise SanaqError("package_invalid", "sanaq deck does not make station-specific ballots yet")
    opt = DeckOptions.clean() if args.clean else DeckOptions()
    total = 0
    for style_id in styles(args.style, [s.id for s in pkg.election.styles]):
        truths = write_deck(
            pkg.election, pkg.election_hash, style_id, args.n, args.seed, args.out, opt, args.test
        )
        total += len(truths)
        print(f"{style_id}: {len(truths)} sheets")
    print(f"wrote {total} sheets (2 images + 1 ground-truth JSON each) to {args.out}")
    return 0
