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
    "station": "station",
    "scanners": "drivers",
    "scan": "drivers",
    "print": "drivers",
    "export": "export",  # exports (issue 13)
    "kiosk": "kiosk",  # the kiosk window (issue 14)
    "protocol": "protocol",  # station protocol (issue 13)
    "verify": "protocol",
    "read": "read",
    "sync": "sync",  # sync to headquarters (issue 15)
    "marks": "marks",  # mark thresholds from the station's own scans (issue 16, lat)
    "calibrate": "calibrate",  # scanner calibration (issue 16, calib)
    "hq": "hq",  # the reference intake, as `intake` (issue 15, sync2)
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or, given a known `command`, only its module's part: a quick command
    (`sanaq verify`) then imports only what it runs, not the reader's kernels, the PDF
    renderer or the exports (issue 12: `sanaq verify` in a fresh process)."""
    import importlib

    parser = argparse.ArgumentParser(prog="sanaq", description="Sanaq polling-station ballot scanner")
    sub = parser.add_subparsers(dest="command", required=True)
    names = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for name in names:
        module = importlib.import_module(f"kiosk.cli.{name}")
        add = getattr(module, "add_parsers", None) or module.add_parser
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from kiosk.cli.harden import no_core_dumps  # attack6: no core file holds a ballot

    no_core_dumps()
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words[0] if words else None).parse_args(words)
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
