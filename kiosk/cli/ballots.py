"""`sanaq ballots render`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.ballots.layout import build_layout
from kiosk.ballots.render import write_ballot_files
from kiosk.election.load import load_election
from kiosk.errors import SanaqError


def add_parser(sub: Any) -> None:
    from kiosk.cli import add_election_arg

    ballots = sub.add_parser("ballots", help="ballot layout and rendering")
    bsub = ballots.add_subparsers(dest="action", required=True)
    p = bsub.add_parser("render", help="write ID.pdf, ID.png, ID.front.png, ID.layout.json per style")
    add_election_arg(p)
    p.add_argument("--style", default=None, help="style id (default: every style)")
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--test", action="store_true", help="test (logic-and-accuracy) ballots")
    p.add_argument("--out", type=Path, required=True)
    # issue 11 (helper "limits"): station-specific ballots carry the station in their QR.
    p.add_argument("--station", default=None, help="station id (packages with station-specific ballots)")


def styles(requested: str | None, available: list[str]) -> list[str]:
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
    for style_id in styles(args.style, [s.id for s in pkg.election.styles]):
        layout = build_layout(pkg.election, pkg.election_hash, style_id, args.test, station)
        write_ballot_files(layout, args.dpi, out)
        print(
            f"{style_id}: {layout.height_mm:.0f} mm, {len(layout.targets)} squares -> "
            f"{out / style_id}.pdf, .png, .front.png, .layout.json"
        )
    return 0


def run(args: argparse.Namespace) -> int:
    return render(args)
