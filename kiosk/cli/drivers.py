"""`sanaq scanners list`, `sanaq scan`, `sanaq print`: commands for technicians and tests, at
the edge (they use drivers/). The device emulator is test equipment: `sanaq-fieldkit emulate`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("scanners", help="scanners attached to this kiosk")
    ssub = p.add_subparsers(dest="action", required=True)
    q = ssub.add_parser("list", help="SANE devices, serial ports, cameras")
    q.add_argument("--json", action="store_true")

    p = sub.add_parser("scan", help="acquire sheets to image files (technicians, tests)")
    p.add_argument(
        "--source", required=True, help="scanner URL: sane:, serial://, socket://, camera://, folder://, sim:"
    )
    p.add_argument("--count", type=int, required=True, help="sheets to acquire")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument(
        "--then",
        choices=("return", "accept"),
        default="return",
        help="what a sheet-holding scanner does with each sheet (default: give it back)",
    )

    p = sub.add_parser(
        "print",
        help="print lines (or a PDF) through the spool: escpos+net://, escpos+serial://, escpos+usb://, cups://",
    )
    p.add_argument("--to", required=True, help="printer URL")
    p.add_argument("--spool", type=Path, required=True, help="spool folder: jobs wait here until printed")
    p.add_argument("--title", default="")
    p.add_argument("--pdf", type=Path, default=None)
    p.add_argument("lines", nargs="*")


_SUFFIX = {b"\xff\xd8": ".jpg", b"\x89P": ".png", b"P5": ".pgm", b"P6": ".ppm", b"II": ".tif", b"MM": ".tif"}


def _suffix(data: bytes) -> str:
    return _SUFFIX.get(data[:2], ".bin")


def scanners_list(args: argparse.Namespace) -> int:
    from drivers.discovery import attached

    found = attached()
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
    else:
        for d in found:
            print(f"{d['url']:<44} {d['kind']:<8} {d['description']}")
        if not found:
            print("no scanners found")
    return 0


def scan(args: argparse.Namespace) -> int:
    from drivers import open_scanner

    args.out.mkdir(parents=True, exist_ok=True)
    scanner = open_scanner(args.source)
    got = 0
    with scanner:
        while got < args.count:
            before = got
            for fed in scanner.feed():
                got += 1
                names = []
                for side, data in zip("ab", fed.images, strict=False):
                    path = args.out / f"sheet-{got:04d}.{side}{_suffix(data)}"
                    path.write_bytes(data)
                    names.append(path.name)
                if args.then == "accept":
                    scanner.accept(fed.handle)
                else:
                    scanner.return_sheet(fed.handle, "technician")
                line = {
                    "sheet": got,
                    "handle": fed.handle,
                    "files": names,
                    "bytes": [len(i) for i in fed.images],
                }
                print(json.dumps(line | {"device": fed.device}, ensure_ascii=False), flush=True)
                if got >= args.count:
                    break
            if got == before or scanner.capabilities.batch:
                break  # the scanner has nothing more (a feeder is empty once per batch)
        events = [e.code for e in scanner.events()]
    print(json.dumps({"acquired": got, "asked": args.count, "events": events}), flush=True)
    return 0 if got == args.count else 1


def print_command(args: argparse.Namespace) -> int:
    from drivers.printer import PrintJob, PrintSpool, open_printer

    spool = PrintSpool(args.spool, open_printer(args.to))
    if args.title or args.lines or args.pdf:
        spool.submit(PrintJob(args.title, tuple(args.lines), str(args.pdf) if args.pdf else None))
    code = spool.pump()
    print(json.dumps({"waiting": len(spool.waiting()), "stopped": code}))
    return 0 if code is None else 3


def run(args: argparse.Namespace) -> int:
    if args.command == "print":
        return print_command(args)
    if args.command == "scanners":
        return scanners_list(args)
    if args.command == "scan":
        return scan(args)
    raise AssertionError(args.command)
