"""`sanaq-fieldkit` (also `python -m fieldkit`): the test equipment's commands, apart from
the product's `sanaq` (issue 12). An official station does not need, and never imports,
anything here.

    sanaq-fieldkit deck [--style ID] --n 200 --seed 1 --out DIR     marked sheets + ground truth
    sanaq-fieldkit emulate serial-scanner --deck DIR --link PATH|--tcp PORT [--fault jam@3 ...]
    sanaq-fieldkit mark-deck --out DIR [--n 40] [--field 20] [--seed 1]  mark-calibration deck + truth
    sanaq-fieldkit demo [--out DIR] [--sheets N]                     the headless station day
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError


def _add_deck(sub: Any) -> None:
    from kiosk.cli import add_election_arg

    p = sub.add_parser("deck", help="marked test deck: scanned-looking images with ground truth")
    add_election_arg(p)
    p.add_argument("--style", default=None, help="style id (default: every style, N sheets each)")
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--clean", action="store_true", help="no scan effects (a perfect scanner)")
    p.add_argument("--test", action="store_true", help="test (logic-and-accuracy) ballots")
    p.add_argument("--out", type=Path, required=True)


def _add_mark_deck(sub: Any) -> None:
    from kiosk.cli import add_election_arg

    q = sub.add_parser(
        "mark-deck", help="a mark-calibration deck with its truth file (sanaq marks calibrate)"
    )
    add_election_arg(q)
    q.add_argument("--out", type=Path, required=True)
    q.add_argument("--n", type=int, default=40, help="generated calibration sheets")
    q.add_argument("--field", type=int, default=20, help="sheets of the field-conditions corpus")
    q.add_argument("--seed", type=int, default=1)


def mark_deck(args: argparse.Namespace) -> int:
    from fieldkit.markdeck import write_calibration_deck
    from kiosk.election.load import load_election

    pkg = load_election(args.election, args.hq_key)
    sheets = write_calibration_deck(pkg.election, pkg.election_hash, args.out, args.n, args.field, args.seed)
    print(json.dumps({"out": str(args.out), "sheets": len(sheets), "truth": str(args.out / "truth.json")}))
    return 0


def _add_emulate(sub: Any) -> None:
    p = sub.add_parser("emulate", help="device emulators")
    esub = p.add_subparsers(dest="device", required=True)
    q = esub.add_parser(
        "serial-scanner", help="a station ballot scanner on a pty or TCP (docs/serial-protocol.md)"
    )
    q.add_argument("--deck", type=Path, required=True, help="deck folder: the paper at the entrance")
    where = q.add_mutually_exclusive_group(required=True)
    where.add_argument("--link", type=Path, help="create a pty and a symlink to it here")
    where.add_argument("--tcp", type=int, help="listen on 127.0.0.1:PORT (0: any free port)")
    q.add_argument(
        "--fault",
        action="append",
        default=[],
        help="KIND@N: jam, double, cover, boxfull, corrupt, pull, power, powerdrop",
    )
    q.add_argument(
        "--operator-delay", type=float, default=1.0, help="seconds until a jam or open cover is cleared"
    )
    q.add_argument("--replug-delay", type=float, default=1.0, help="seconds a pulled cable stays out")
    q.add_argument("--power-off", type=float, default=1.0, help="seconds a power cut lasts")
    q.add_argument("--serial", default="EMU-0001")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sanaq-fieldkit", description="Sanaq test equipment (never used by an official station)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_deck(sub)
    _add_emulate(sub)
    _add_mark_deck(sub)
    p = sub.add_parser("demo", help="the headless station day on the built-in sample (make demo)")
    p.add_argument("--out", type=Path, default=Path("out/demo"))
    p.add_argument("--sheets", type=int, default=25, help="sheets per ballot style")
    return parser


def deck(args: argparse.Namespace) -> int:
    from fieldkit.deck import DeckOptions, write_deck
    from kiosk.cli.ballots import styles
    from kiosk.election.load import load_election

    pkg = load_election(args.election, args.hq_key)
    if args.n < 0:
        raise SanaqError("package_invalid", "--n must not be negative")
    if pkg.election.rules.station_specific_ballots:
        raise SanaqError("package_invalid", "the deck does not make station-specific ballots yet")
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


def emulate(args: argparse.Namespace) -> int:
    from fieldkit.emulator import LinkRunner, ScannerDevice, load_deck, parse_faults

    try:
        faults = parse_faults(args.fault)
    except ValueError as exc:
        raise SanaqError("scanner_url_invalid", str(exc)) from exc
    deck = load_deck(args.deck)
    device = ScannerDevice(deck, faults, args.operator_delay, args.power_off, serial=args.serial)
    runner = LinkRunner(device, link=args.link, tcp_port=args.tcp, replug_delay=args.replug_delay)

    def stop(*_: object) -> None:
        runner.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    thread = threading.Thread(target=runner.serve, daemon=True)
    thread.start()
    runner.ready.wait(5)
    where = str(args.link) if args.link else f"socket://127.0.0.1:{runner.tcp_port}"
    print(
        json.dumps({"emulating": "serial-scanner", "url": where, "sheets": len(deck), "faults": args.fault}),
        flush=True,
    )
    while thread.is_alive():
        thread.join(0.2)
    print(
        json.dumps(
            {
                "accepted": len(device.accepted_names),
                "returned": len(device.returned_names),
                "fed": device.fed,
            }
        ),
        file=sys.stderr,
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "deck":
            return deck(args)
        if args.command == "emulate":
            return emulate(args)
        if args.command == "mark-deck":
            return mark_deck(args)
        from fieldkit.demo import main as demo

        return demo(["--out", str(args.out), "--sheets", str(args.sheets)])
    except SanaqError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False), file=sys.stderr)
        return 2
