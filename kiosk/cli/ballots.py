"""`sanaq ballots render` and `sanaq deck`."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.ballots.deck import DeckOptions, write_deck
from kiosk.ballots.layout import build_layout
from kiosk.ballots.render import write_ballot_files
from kiosk.election.load import load_election
from kiosk.errors import SanaqError


def _styles(requested: str | None, available: list[str]) -> list[str]:
    if requested is None:
        return available
    if requested not in available:
        raise SanaqError("unknown_style", requested)
    return [requested]


def render(args: argparse.Namespace) -> int:
    pkg = load_election(args.election, args.hq_key)
    if not 50 <= args.dpi <= 1200:
        raise SanaqError("image_size_unsupported", f"dpi {args.dpi}")
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SanaqError("file_unwritable", str(exc)) from exc
    station = getattr(args, "station", None)
    if station is not None and station not in {s.id for s in pkg.election.stations}:
        raise SanaqError("unknown_station", station)
    if pkg.election.rules.station_specific_ballots and station is None:
        raise SanaqError("unknown_station", "the package asks for station-specific ballots: give --station")
    for style_id in _styles(args.style, [s.id for s in pkg.election.styles]):
        layout = build_layout(pkg.election, pkg.election_hash, style_id, args.test, station)
        write_ballot_files(layout, args.dpi, out)
        print(
            f"{style_id}: {layout.height_mm:.0f} mm, {len(layout.targets)} squares -> "
            f"{out / style_id}.pdf, .png, .front.png, .layout.json"
        )
    return 0


def deck(args: argparse.Namespace) -> int:
    pkg = load_election(args.election, args.hq_key)
    if args.n < 0:
        raise SanaqError("package_invalid", "--n must not be negative")
    if pkg.election.rules.station_specific_ballots:
        raise SanaqError("package_invalid", "sanaq deck does not make station-specific ballots yet")
    opt = DeckOptions.clean() if args.clean else DeckOptions()
    total = 0
    for style_id in _styles(args.style, [s.id for s in pkg.election.styles]):
        truths = write_deck(
            pkg.election, pkg.election_hash, style_id, args.n, args.seed, args.out, opt, args.test
        )
        total += len(truths)
        print(f"{style_id}: {len(truths)} sheets")
    print(f"wrote {total} sheets (2 images + 1 ground-truth JSON each) to {args.out}")
    return 0
