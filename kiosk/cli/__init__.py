"""The `sanaq` command: headless services for staff, technicians, tests and outside checks."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from kiosk.errors import SanaqError


def _add_election_arg(p: argparse.ArgumentParser) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sanaq", description="Sanaq polling-station ballot scanner")
    sub = parser.add_subparsers(dest="command", required=True)

    election = sub.add_parser("election", help="election packages: sample, show, sign, verify, keygen")
    esub = election.add_subparsers(dest="action", required=True)
    p = esub.add_parser("sample", help="write the signed built-in sample package")
    p.add_argument("--out", type=Path, required=True)
    p = esub.add_parser("show", help="a readable summary of a package")
    p.add_argument("package", type=Path, nargs="?")
    p.add_argument("--hq-key", type=Path, default=None)
    p.add_argument("--json", action="store_true", help="the election document as JSON")
    p = esub.add_parser("sign", help="headquarters: sign an election JSON document")
    p.add_argument("document", type=Path)
    p.add_argument("--key", type=Path, required=True, help="Ed25519 private key, PEM")
    p.add_argument("--out", type=Path, required=True)
    p = esub.add_parser("verify", help="verify a package against the pinned key")
    p.add_argument("package", type=Path)
    p.add_argument("--hq-key", type=Path, default=None)
    p = esub.add_parser("keygen", help="headquarters: make an Ed25519 key pair")
    p.add_argument("--out", type=Path, required=True, help="writes OUT.key (private) and OUT.pub")

    ballots = sub.add_parser("ballots", help="ballot layout and rendering")
    bsub = ballots.add_subparsers(dest="action", required=True)
    p = bsub.add_parser("render", help="write ID.pdf, ID.png, ID.front.png, ID.layout.json per style")
    _add_election_arg(p)
    p.add_argument("--style", default=None, help="style id (default: every style)")
    p.add_argument("--dpi", type=int, default=200)
    p.add_argument("--test", action="store_true", help="test (logic-and-accuracy) ballots")
    p.add_argument("--out", type=Path, required=True)
    # issue 11 (helper "limits"): station-specific ballots carry the station in their QR.
    p.add_argument("--station", default=None, help="station id (packages with station-specific ballots)")

    p = sub.add_parser("deck", help="marked test deck: scanned-looking images with ground truth")
    _add_election_arg(p)
    p.add_argument("--style", default=None, help="style id (default: every style, N sheets each)")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--clean", action="store_true", help="no scan effects (a perfect scanner)")
    p.add_argument("--test", action="store_true", help="test (logic-and-accuracy) ballots")
    p.add_argument("--out", type=Path, required=True)

    from kiosk.cli.station import add_parser as add_station

    add_station(sub)

    from kiosk.cli.drivers import add_parsers as add_drivers

    add_drivers(sub)

    # exports (issue 13): sanaq export --data DIR --to STICK; sanaq export verify FOLDER
    from kiosk.cli.export import add_parser as add_export

    add_export(sub)
    # --- the kiosk window (issue 14) ---
    from kiosk.cli.kiosk import add_parser as add_kiosk

    add_kiosk(sub)
    # --- station protocol (issue 13, protocol work) ---
    from kiosk.cli.protocol import add_parsers as add_protocol

    add_protocol(sub)

    p = sub.add_parser("read", help="interpret ballot images; one JSON line per image")
    _add_election_arg(p)
    p.add_argument("images", type=Path, nargs="+")
    p.add_argument("--station", default=None, help="station id (default: the package's only station)")
    p.add_argument("--mode", choices=("official", "test"), default="official")
    p.add_argument("--crops", type=Path, default=None, help="write review crops of each square here")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except SanaqError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False), file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "election":
        from kiosk.cli.election import run as run_election

        return run_election(args)
    if args.command == "ballots":
        from kiosk.cli import ballots as commands_ballots

        return commands_ballots.render(args)
    if args.command == "deck":
        from kiosk.cli import ballots as commands_ballots

        return commands_ballots.deck(args)
    if args.command == "station":
        from kiosk.cli.station import run as run_station

        return run_station(args)
    if args.command == "read":
        from kiosk.cli.read import run

        return run(args)
    if args.command == "export":  # exports (issue 13)
        from kiosk.cli.export import run as run_export

        return run_export(args)
    if args.command == "kiosk":  # issue 14
        from kiosk.cli.kiosk import run as run_kiosk

        return run_kiosk(args)
    if args.command in ("scanners", "scan", "emulate", "print"):
        from kiosk.cli.drivers import run as run_drivers

        return run_drivers(args)
    # --- station protocol (issue 13, protocol work) ---
    if args.command in ("protocol", "verify"):
        from kiosk.cli.protocol import run as run_protocol

        return run_protocol(args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
