"""`sanaq calibrate sheet` and `sanaq calibrate scanner` (issue 16): the calibration sheet to
print, and a scanner measured on it, its profile kept under the data folder and recorded in
the station's signed journal."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from kiosk.errors import SanaqError

ROLES = ("technician", "chair")  # who may calibrate (those who may configure the station)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("calibrate", help="scanner calibration: the sheet, and a scanner measured on it")
    csub = p.add_subparsers(dest="action", required=True)
    q = csub.add_parser("sheet", help="the calibration sheet to print (PDF, two sides)")
    q.add_argument("--out", type=Path, required=True, help="FILE.pdf")
    q.add_argument("--images", type=Path, help="also write side A and B as PNG here (folder scanners, tests)")
    q.add_argument("--dpi", type=int, default=200, help="resolution of --images (default 200)")
    q = csub.add_parser("scanner", help="scan the calibration sheet, measure, write the scanner's profile")
    q.add_argument("--source", required=True, help="scanner URL (as `sanaq station scan` takes)")
    q.add_argument(
        "--data", type=Path, help="station data folder: keep the profile there, record it in the journal"
    )
    q.add_argument("--out", type=Path, help="without --data: write the profile JSON here")
    q.add_argument("--role", choices=ROLES, help="who calibrates (needed with --data)")
    q.add_argument("--member", help="their name (needed with --data)")
    q.add_argument(
        "--dpi", type=float, help="the resolution the scanner is set to (default: the image's own, else 200)"
    )
    q.add_argument("--hq-key", type=Path, default=None, help="pinned headquarters public key, PEM")
    q.add_argument(
        "--development", action="store_true", help="the development switch (as for `sanaq station`)"
    )
    q.add_argument("--json", action="store_true", help="print the whole profile as JSON")


def run(args: argparse.Namespace) -> int:
    if args.action == "sheet":
        return _sheet(args)
    return _scanner(args)


def _sheet(args: argparse.Namespace) -> int:
    from kiosk.calibration import sheet

    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(sheet.render_pdf())
    print(
        f"calibration sheet v{sheet.SHEET_VERSION} -> {out} (print both sides at 100 %, A5 or A4 cut to A5)"
    )
    if args.images:
        args.images.mkdir(parents=True, exist_ok=True)
        for side in sheet.SIDES:
            path = args.images / f"calibration-{side}.png"
            sheet.render_image(side, args.dpi).save(path, dpi=(args.dpi, args.dpi))
            print(f"  side {side} -> {path}")
    return 0


def _scanner(args: argparse.Namespace) -> int:
    from drivers import open_scanner
    from kiosk.calibration.profile import summary_lines
    from kiosk.calibration.session import calibrate_scanner
    from kiosk.calibration.store import record_profile
    from kiosk.station.service import SystemClock

    held: list[int] = []
    station = None
    try:
        if args.data is not None:
            if not args.role or not (args.member or "").strip():
                raise SanaqError("actor_required", "calibrate scanner --data: give --role and --member")
            from kiosk.cli.station import development_switch, open_station
            from kiosk.station.datalock import lock_data

            fd = lock_data(args.data, required=True)
            if fd is not None:
                held.append(fd)
            station = open_station(args.data, args.hq_key, development_switch(args))
            station.note_actor("calibrate", args.role, args.member.strip(), development_switch(args))
        now = station.journal.clock.now_iso() if station is not None else SystemClock().now_iso()
        actor = {"role": args.role, "member": args.member.strip()} if args.role and args.member else None
        with open_scanner(args.source) as scanner:
            profile = calibrate_scanner(scanner, now, args.dpi, actor)
        if station is not None:
            digest = record_profile(station.journal, profile, args.role)
            where = f"{args.data / 'calibration' / (profile['scanner']['key'] + '.json')} (sha256 {digest[:16]}, in the journal)"
        elif args.out is not None:
            from kiosk.station.store import canonical

            args.out.write_bytes(canonical(profile))
            where = str(args.out)
        else:
            where = "not kept (no --data, no --out)"
        print("\n".join(summary_lines(profile)))
        print(f"profile: {where}")
        if args.json:
            print(json.dumps(profile, ensure_ascii=False, indent=1))
        if not profile["passed"]:
            first = profile["failures"][0]
            detail = "; ".join(f"{f['code']}: {f['detail']}" for f in profile["failures"])
            raise SanaqError(first["code"], detail)
        return 0
    finally:
        if station is not None:
            station.journal.close()
        for fd in held:
            os.close(fd)
