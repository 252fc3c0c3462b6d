"""`sanaq marks`: mark thresholds from the station's own scans (issue 16).

    sanaq marks calibrate --data DIR --source URL --truth FILE --role R --member NAME [--margin 0.25]

The deck itself is test equipment: `sanaq-fieldkit mark-deck --out DIR` makes it (issue 12:
the product never imports fieldkit). `calibrate` reads the deck through the station's scanner (any scanner URL), chooses the
thresholds, draws the histogram (PNG) and records the choice as a signed journal link; the
station's reader uses the latest one from then on. Refused (exit 2, `thresholds_overlap`)
when empty squares and clear marks overlap; nothing is recorded then.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError


def add_parser(sub: Any) -> None:

    p = sub.add_parser("marks", help="mark thresholds from the station's own scans (issue 16)")
    msub = p.add_subparsers(dest="marks_action", required=True)
    q = msub.add_parser("calibrate", help="scan the calibration deck, choose and record the thresholds")
    q.add_argument("--data", type=Path, required=True, help="the station's data folder")
    q.add_argument("--source", required=True, help="scanner URL (docs/drivers.md)")
    q.add_argument("--truth", type=Path, required=True, help="the deck's truth.json")
    q.add_argument("--margin", type=float, default=0.25, help="share of each gap kept free (0-0.5)")
    q.add_argument(
        "--out", type=Path, default=None, help="folder for the PNG and report (default DATA/reports)"
    )
    q.add_argument("--role", default=None, choices=("chair", "secretary", "member", "technician"))
    q.add_argument("--member", default=None)
    q.add_argument("--hq-key", type=Path, default=None)


def run(args: argparse.Namespace) -> int:
    return _calibrate(args)


def _calibrate(args: argparse.Namespace) -> int:
    from drivers import open_scanner
    from kiosk.calibration.thresholds import (
        choose_thresholds,
        digest,
        histogram_png,
        measure,
        overlap_figures,
        overlap_text,
        record_thresholds,
        verify,
    )
    from kiosk.cli.station import _write_atomic, open_station
    from kiosk.messages import MESSAGES
    from kiosk.reading.reader import BallotReader
    from kiosk.station.datalock import lock_data

    if not args.role or not (args.member or "").strip():
        raise SanaqError("actor_required", "calibrate: give --role and --member")
    if not 0.0 < args.margin < 0.5:
        raise SanaqError("thresholds_too_few", f"--margin {args.margin}: between 0 and 0.5")
    try:
        truth = json.loads(args.truth.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SanaqError("thresholds_deck_mismatch", f"{args.truth}: {exc}") from exc
    fd = lock_data(args.data, required=True)
    try:
        station = open_station(args.data, args.hq_key)
        journal = station.journal
        journal.check_state()
        if journal.state != "configured":
            # Thresholds change how every ballot is read: never in the middle of a count.
            journal.refuse(args.role, "calibrate_marks", "action_not_allowed_now")
            raise SanaqError("action_not_allowed_now", f"calibrate marks while {journal.state}")
        pkg = station.package
        # Calibration sheets are test ballots: read in test mode, with the reader's defaults.
        reader = BallotReader(pkg.election, pkg.election_hash, station.station_id, "test")
        with open_scanner(args.source) as scanner:
            measured = measure(scanner, reader, truth)
        out: Path = args.out or args.data / "reports"
        out.mkdir(parents=True, exist_ok=True)
        try:
            choice = choose_thresholds(measured.scores, args.margin)
        except SanaqError as exc:
            if exc.code != "thresholds_overlap":
                raise
            figures = overlap_figures(measured.scores["empty"], measured.scores["clear"])
            station.note_actor("calibrate_marks", args.role, args.member)
            journal.refuse(args.role, "calibrate_marks", exc.code)
            print(
                json.dumps(
                    {
                        "error": {"code": exc.code, **figures, **overlap_text(figures)},
                        "message": MESSAGES[exc.code],
                    },
                    ensure_ascii=False,
                    indent=1,
                ),
                file=sys.stderr,
            )
            return 2
        title = f"Station {station.station_id}: mark thresholds from its own scans"
        png = histogram_png(measured.scores, choice.thresholds, title)
        png_sha = digest(png)
        # The deck read again with the chosen thresholds: what the reader decides, by class.
        chosen_reader = BallotReader(
            pkg.election, pkg.election_hash, station.station_id, "test", thresholds=choice.thresholds
        )
        verified = verify(chosen_reader, measured)
        report = {
            "station": station.station_id,
            "measured": measured.to_json(),
            "chosen": choice.to_json(),
            "verified": verified,
            # kiosk6: every square's score by class, so that a screen can draw the histogram in its
            # own language from what the journal signs (report_sha256), not only the official PNG.
            "scores": {k: [float(v) for v in vs] for k, vs in measured.scores.items()},
        }
        report_bytes = (json.dumps(report, indent=1, ensure_ascii=False) + "\n").encode()
        report_sha = digest(report_bytes)
        _write_atomic(out / f"thresholds-{png_sha[:12]}.png", png)
        _write_atomic(out / f"thresholds-{png_sha[:12]}.json", report_bytes)
        station.note_actor("calibrate_marks", args.role, args.member)
        head = record_thresholds(
            journal, args.role, args.member, choice, png_sha, report_sha, verified["wrong"]
        )
        print(
            json.dumps(
                {
                    **report,
                    "histogram": str(out / f"thresholds-{png_sha[:12]}.png"),
                    "report": str(out / f"thresholds-{png_sha[:12]}.json"),
                    "chain_code": journal.chain_code(head),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        journal.close()
        return 0
    finally:
        if fd is not None:
            import os

            os.close(fd)
