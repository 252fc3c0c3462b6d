"""The `sanaq` command: headless services for staff, technicians, tests and outside checks.

One module per command group (each with `add_parser(sub)` and `run(args)`), imported when
the command runs, so a quick command (`python -m kiosk.cli.protocol`, `sanaq verify`) does
not load the reader's compiled kernels."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.errors import SanaqError


def add_election_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--election",
        type=Path,
        default=None,
        help="signed election package (default: the built-in sample, DEVELOPMENT key)",
    )
    p.add_argument(
        "--hq-key",
        type=Path,
        default=None,
        help="pinned headquarters public key, PEM (default: the DEVELOPMENT key)",
    )


# command -> the module of kiosk.cli that runs it
COMMANDS: dict[str, str] = {
    "election": "election",
    "ballots": "ballots",
    "deck": "deck",
    "station": "station",
    "scanners": "drivers",
    "scan": "drivers",
    "emulate": "drivers",
    "print": "drivers",
    "export": "export",  # exports (issue 13)
    "kiosk": "kiosk",  # the kiosk window (issue 14)
    "protocol": "protocol",  # station protocol (issue 13)
    "verify": "protocol",
    "read": "read",
    "sync": "sync",  # sync to headquarters (issue 15)
    "hq": "hq",  # the reference intake, as `intake` (issue 15, sync2)
}


def build_parser() -> argparse.ArgumentParser:
    from kiosk.cli import ballots, deck, drivers, election, export, kiosk, protocol, read, station, sync

    parser = argparse.ArgumentParser(prog="sanaq", description="Sanaq polling-station ballot scanner")
    sub = parser.add_subparsers(dest="command", required=True)
    election.add_parser(sub)
    ballots.add_parser(sub)
    deck.add_parser(sub)
    station.add_parser(sub)
    drivers.add_parsers(sub)
    export.add_parser(sub)  # sanaq export --data DIR --to STICK; sanaq export verify FOLDER
    kiosk.add_parser(sub)
    protocol.add_parsers(sub)
    read.add_parser(sub)
    sync.add_parser(sub)
    from kiosk.cli import hq  # issue 15, sync2: sanaq hq serve|import|aggregate

    hq.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except SanaqError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False), file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    import importlib

    module = importlib.import_module(f"kiosk.cli.{COMMANDS[args.command]}")
    code: int = module.run(args)
    return code
