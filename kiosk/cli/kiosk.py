"""`sanaq kiosk`: the touchscreen window, or (`--tour DIR`) every screen as PNG, offscreen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "kiosk", help="the touchscreen kiosk window (--tour DIR: every screen as PNG, offscreen)"
    )
    p.add_argument(
        "--data", type=Path, default=Path("station"), help="the station's data folder (as `sanaq station`)"
    )
    p.add_argument(
        "--election", type=Path, default=None, help="signed package (default: the built-in sample)"
    )
    p.add_argument("--hq-key", type=Path, default=None)
    p.add_argument(
        "--scanner", default=None, help="scanner URL (default: the one set at init); sim: in test mode"
    )
    p.add_argument(
        "--size",
        default=None,
        choices=("1280x800", "1920x1080"),
        help="panel size (default 1280x800; with --tour: every size and orientation unless one is given)",
    )
    p.add_argument("--orientation", default="landscape", choices=("landscape", "portrait"))
    p.add_argument("--lang", default="kk", choices=("kk", "ru", "en"))
    p.add_argument(
        "--windowed", action="store_true", help="a window instead of the full screen (development)"
    )
    p.add_argument(
        "--development",
        action="store_true",
        help="development switch (or SANAQ_DEVELOPMENT=1): simulated scanners and DEVELOPMENT-key packages count",
    )
    p.add_argument(
        "--stick", type=Path, default=None, help="the USB stick's mount point, for the export after closing"
    )
    p.add_argument(
        "--tour", type=Path, default=None, help="render every screen and state to PNG here and exit"
    )
    # issue 14, third pass (kiosk3): the printer, and headquarters for the sync screen
    p.add_argument(
        "--printer", default=None, help="printer URL (drivers/printer.py); default: PDF in DATA/print"
    )
    p.add_argument("--hq", default=None, help="headquarters' intake URL, https://... (the sync screen)")
    p.add_argument(
        "--ca", type=Path, default=None, help="headquarters CA certificate (PEM) pinned for the sync"
    )


_held: list[int | None] = []  # attack6: the data lock's descriptor, kept open while the window runs


def run(args: argparse.Namespace) -> int:
    from kiosk.ui.boot import Display, configure_kivy, parse_size

    if args.tour is not None:
        from kiosk.ui.tour import main as tour

        # Every panel size and orientation (each in its own process), or the one asked for.
        argv = ["--out", str(args.tour)]
        if args.size is not None:
            argv += ["--size", args.size, "--orientation", args.orientation]
        return tour(argv)
    # attack6: the window is a writer like `sanaq station scan`: it holds the station's data lock
    # (docs/station.md) for as long as it runs, so that no command counts from the same scanner
    # or writes the same journal beside it (issue 11's double feed), and it starts only when no
    # command holds the station (`station_busy`).
    from kiosk.errors import SanaqError
    from kiosk.station.datalock import lock_data

    try:
        args.data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if not args.data.is_dir():
            raise SanaqError("journal_unwritable", f"{args.data}: {exc.strerror}") from exc
    # A read-only copy holds no lock (as `sanaq station status` there); anything that writes
    # then refuses with journal_read_only as before.
    _held.append(lock_data(args.data, required=False))
    w, h = parse_size(args.size or "1280x800")
    configure_kivy(Display(w, h, args.orientation, offscreen=False, fullscreen=not args.windowed))
    scanner = args.scanner
    if scanner is None and (args.data / "journal.sqlite").exists():
        # The scanner named at init, from the journal's signed configuration link.
        from kiosk.station.journal import Journal

        scanner = Journal.configuration(args.data / "journal.sqlite").get("scanner")
    from kiosk.cli.station import development_switch
    from kiosk.ui.app import KioskApp
    from kiosk.ui.services import KioskService

    service = KioskService(
        args.data,
        args.election,
        args.hq_key,
        development=development_switch(args),
        stick=args.stick,
        printer=args.printer,
        hq_url=args.hq,
        hq_ca=args.ca,
    )
    KioskApp(service, scanner, args.lang, allow_close=args.windowed).run()
    return 0
