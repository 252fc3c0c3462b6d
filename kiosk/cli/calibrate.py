"""`sanaq calibrate sheet` and `sanaq calibrate scanner` (issue 16): the calibration sheet to
print, and a scanner measured on it, its profile kept under the data folder and recorded in
the station's signed journal."""

from __future__ import annotations

import argparse
import io
import json
import os
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

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


def decode(data: bytes | np.ndarray, dpi: float | None) -> tuple[np.ndarray, float]:
    """A fed image as grey pixels, and its nominal dpi: the one asked for, else the file's own,
    else 200."""
    if isinstance(data, np.ndarray):
        grey = data if data.ndim == 2 else cv2.cvtColor(data, cv2.COLOR_BGR2GRAY)
        return grey, dpi or 200.0
    grey_or_none = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey_or_none is None:
        raise SanaqError("calibration_sheet_unrecognised", "the scanner's image cannot be decoded")
    if dpi is None:
        try:
            info = Image.open(io.BytesIO(data)).info.get("dpi")
            dpi = float(info[0]) if info and float(info[0]) >= 50 else None
        except (OSError, ValueError, TypeError):
            dpi = None
    return grey_or_none, dpi or 200.0


def measure_fed(images: tuple[Any, ...], dpi: float | None) -> list[tuple[int, Any]]:
    """Each image of the fed sheet that holds the calibration sheet, measured; a side that
    does not (a sheet printed on one side only) is left out; none at all is an error."""
    from kiosk.calibration.measure import measure_side

    measured = []
    first_error: SanaqError | None = None
    for index, data in enumerate(images):
        grey, nominal = decode(data, dpi)
        try:
            measured.append((index, measure_side(grey, nominal)))
        except SanaqError as exc:
            first_error = first_error or exc
    if not measured:
        raise first_error or SanaqError("calibration_no_sheet")
    return measured


def _scanner(args: argparse.Namespace) -> int:
    from drivers import open_scanner
    from kiosk.calibration.profile import build_profile, summary_lines
    from kiosk.calibration.store import record_profile
    from kiosk.station.service import SystemClock, scanner_identity

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
        scanner = open_scanner(args.source)
        with scanner:
            identity = scanner_identity(scanner)
            fed = next(iter(scanner.feed()), None)
            if fed is None:
                raise SanaqError("calibration_no_sheet", args.source)
            try:
                measured = measure_fed(fed.images, args.dpi)
            finally:
                # The sheet goes back to the technician (a sheet-holding scanner keeps nothing).
                scanner.return_sheet(fed.handle, "calibration")
        now = station.journal.clock.now_iso() if station is not None else SystemClock().now_iso()
        actor = {"role": args.role, "member": args.member.strip()} if args.role and args.member else None
        profile = build_profile(identity, measured, now, actor)
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
