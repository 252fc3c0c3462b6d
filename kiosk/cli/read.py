"""`sanaq read IMAGE...`: one JSON line per image (the contract in the README)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Literal

import cv2

from kiosk.election.load import load_election
from kiosk.errors import SanaqError, error_code
from kiosk.reading.intake import read_image_file
from kiosk.reading.model import SideReading
from kiosk.reading.reader import BallotReader


def add_parser(sub: Any) -> None:
    from kiosk.cli import add_election_arg

    p = sub.add_parser("read", help="interpret ballot images; one JSON line per image")
    add_election_arg(p)
    p.add_argument("images", type=Path, nargs="+")
    p.add_argument("--station", default=None, help="station id (default: the package's only station)")
    p.add_argument("--mode", choices=("official", "test"), default="official")
    p.add_argument("--crops", type=Path, default=None, help="write review crops of each square here")


def run(args: argparse.Namespace) -> int:
    pkg = load_election(args.election, args.hq_key)
    station = args.station
    if station is not None and station not in {s.id for s in pkg.election.stations}:
        raise SanaqError("unknown_station", station)
    if station is None and len(pkg.election.stations) != 1:
        raise SanaqError("unknown_station", "the package has several stations: give --station")
    keep: Literal["never", "always"] = "always" if args.crops else "never"
    reader = BallotReader(pkg.election, pkg.election_hash, station, args.mode, keep_crops=keep)
    for path in args.images:
        reading = _read_one(reader, path)
        line = reading.to_json(str(path))
        if reading.status == "rejected":
            line["message"] = SanaqError(error_code(reading.reason or "unreadable")).as_dict()
        print(json.dumps(line, ensure_ascii=False), flush=True)
        if args.crops and reading.crops:
            out: Path = args.crops / path.stem
            out.mkdir(parents=True, exist_ok=True)
            for crop in reading.crops:
                cv2.imwrite(str(out / f"{crop.option}.{crop.kind}.png"), crop.image)
    return 0


def _read_one(reader: BallotReader, path: Path) -> SideReading:
    data = read_image_file(path)
    if isinstance(data, SideReading):
        print(f"sanaq read: {path}: {data.reason} {data.detail}", file=sys.stderr)
        return data
    return reader.read_bytes(data)
