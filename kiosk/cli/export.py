"""`sanaq export --data DIR --to STICK`: results, cast vote records and signed protocols to a USB
stick, atomically, with a signed manifest; `sanaq export verify FOLDER`: check one (docs/export.md)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import __version__
from kiosk.election.load import load_election
from kiosk.errors import SanaqError, error_code
from kiosk.protocol import export as ex
from kiosk.protocol import nist
from kiosk.protocol.nist import ReportContext
from kiosk.station.journal import Journal
from kiosk.station.service import Station, SystemClock

# The station's data folder (kiosk.cli.station) and the device key's place in it.
JOURNAL = "journal.sqlite"
PACKAGE = "election.json"
DEVICE_KEY = "device.key"
DEVICE_PUB = "device.pub"


def add_parser(sub: Any) -> None:
    add_arguments(
        sub.add_parser(
            "export",
            help="results (NIST 1500-100), cast vote records (NIST 1500-103) and signed protocols to a USB stick",
            description="Without an action: write an export of the station in --data to the stick mounted at --to.",
        )
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options and actions, for `sanaq export` and any alias (`sanaq protocol export`); `run`
    takes the parsed arguments of either."""
    p.add_argument("--data", type=Path, default=None, help="the station's data folder")
    p.add_argument("--to", type=Path, default=None, help="the USB stick's mount point")
    p.add_argument(
        "--protocol",
        type=Path,
        action="append",
        default=[],
        help="a signed protocol (*.protocol.jws.json) or a folder of them; may be repeated",
    )
    p.add_argument("--mode", choices=("official", "test"), default="official")
    p.add_argument("--hq-key", type=Path, default=None)
    esub = p.add_subparsers(dest="action", required=False)
    q = esub.add_parser("verify", help="check an export: the manifest's signature and every file's sha256")
    q.add_argument("folder", type=Path, help="the export folder on the stick")
    q.add_argument(
        "--pub", type=Path, default=None, help="the device public key, PEM (default: DATA/device.pub)"
    )
    # Also after `verify` (SUPPRESS: an absent one leaves the value given before `verify`).
    q.add_argument(
        "--data", type=Path, default=argparse.SUPPRESS, help="the station's data folder (its device.pub)"
    )
    q = esub.add_parser(
        "validate",
        help="check NIST results / CVR JSON files against the vendored schemas, with every id reference resolved",
    )
    q.add_argument("files", type=Path, nargs="+")


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


def run(args: argparse.Namespace) -> int:
    if args.action == "verify":
        return _verify(args)
    if args.action == "validate":
        return _validate(args.files)
    if args.data is None or args.to is None:
        print("sanaq export: --data and --to are needed (or: sanaq export verify FOLDER)", file=sys.stderr)
        return 2
    prepared = prepare(args.data, args.hq_key, args.mode, args.protocol)
    exporter = ex.Exporter(prepared.key)
    result = prepared.write(exporter, args.to)
    _print(
        {
            "export": str(result.path),
            "files": result.manifest["files"],
            "manifest_sha256": result.manifest_sha256,
            "device_key": prepared.meta["device_key"],
            "removed_incomplete": [str(p) for p in exporter.removed_partials],
        }
    )
    return 0


@dataclass(frozen=True)
class Prepared:
    """Everything an export writes, made and checked before the stick is touched."""

    key: Ed25519PrivateKey
    files: list[ex.ExportFile]
    meta: dict[str, Any]
    name: str
    stale_prefix: str

    def write(self, exporter: ex.Exporter, stick: Path) -> ex.ExportResult:
        return exporter.export(stick, self.name, self.files, self.meta, stale_prefix=self.stale_prefix)


def prepare(data: Path, hq_key: Path | None, mode: nist.Mode, protocols: list[Path]) -> Prepared:
    """Read the station (package, journal, device key) and build the files; nothing is written."""
    key = ex.load_private_key(data / DEVICE_KEY)
    public = key.public_key()
    if (data / DEVICE_PUB).exists() and ex.load_public_key(data / DEVICE_PUB) != public:
        raise SanaqError("export_device_key_missing", f"{data / DEVICE_PUB} is not device.key's public key")
    pkg = load_election(data / PACKAGE, hq_key)
    # Read only: the journal's USB mirror is not needed (and may be the very stick being written).
    journal = Journal.open(data / JOURNAL, SystemClock())
    try:
        station = Station(journal, pkg)
        tally = journal.tally(mode)
        ex.check_exportable(journal.state, mode, tally.contests, tally.pending)
        generated = SystemClock().now_iso()
        ctx = ReportContext(
            election=pkg.election,
            election_hash=pkg.election_hash,
            station_id=station.station_id,
            device_id=ex.key_id(public),
            generated=generated,
            software=f"sanaq {__version__}",
            mode=mode,
        )
        files = ex.nist_files(ctx, tally.contests, tally.sheets, journal.cast_vote_records(mode))
    finally:
        journal.close()
    files += ex.protocol_files(protocols)
    files += delivery_files(data, pkg, mode)  # sync3: what `intake import` takes, as over the network
    # Ballot images "when the package asks for them": the station keeps none (docs/export.md);
    # an image store would add its files here, kind "image", under images/.
    files.append(ex.ExportFile(ex.DEVICE_PUB_FILE, ex.public_pem(public), "device-key"))
    e = pkg.election.election
    meta = {
        "election": e.id,
        "election_hash": pkg.election_hash,
        "station": station.station_id,
        "mode": mode,
        "generated": generated,
        "software": ctx.software,
        "device_key": ctx.device_id,
    }
    return Prepared(
        key,
        files,
        meta,
        ex.export_name(e.id, station.station_id, generated, mode),
        f"sanaq-{e.id}-{station.station_id}-",
    )


def delivery_files(data: Path, pkg: Any, mode: nist.Mode) -> list[ex.ExportFile]:
    """The outbox's file deliveries onto the stick (issue 15, sync3): where the package's
    `headquarters.deliver` asks for the cast vote records and/or the manifest, the same signed
    file deliveries `sanaq sync` sends (kiosk/sync/files.py: deterministic bytes, so the same
    idempotency key), under deliveries/, for the territorial commission's `intake import`. The
    signed protocols are already under protocols/, byte for byte the outbox's."""
    hq = pkg.election.headquarters
    kinds = [k for k in (hq.deliver if hq is not None else ()) if k != "protocols"]
    if mode != "official" or not kinds or not any((data / "protocols").glob("*.protocol.jws.json")):
        return []
    from kiosk.sync.files import station_files

    return [
        ex.ExportFile(f"deliveries/{name}", body, "delivery") for name, body in station_files(data, kinds)
    ]


def _verify(args: argparse.Namespace) -> int:
    if args.pub is not None:
        public = ex.load_public_key(args.pub)
    elif args.data is not None:
        public = ex.load_public_key(args.data / DEVICE_PUB)
        journal = args.data / "journal.sqlite"
        if journal.exists():
            # The journal's signed configure link names the device key; a replaced device.pub
            # must not vouch for a forged export.
            from kiosk.protocol.keys import raw_public
            from kiosk.station.journal import Journal

            if raw_public(public).hex() != Journal.configuration(journal)["device_key"]:
                raise SanaqError(
                    "device_key_invalid", f"{args.data / DEVICE_PUB} is not the journal's device key"
                )
    else:
        print("sanaq export verify: --pub PEM or --data DIR names the device public key", file=sys.stderr)
        return 2
    result = ex.verify_export(args.folder, public)
    _print(result.to_json())
    if not result.ok:
        assert result.code is not None
        raise SanaqError(error_code(result.code), "; ".join(result.problems[:3]))
    return 0


def _validate(paths: list[Path]) -> int:
    """One JSON line per file: its kind and its problems (none when it is valid)."""
    bad = 0
    for path in paths:
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise SanaqError("file_unreadable", f"{path}: {exc}") from exc
        kinds: dict[object, nist.Kind] = {
            "ElectionResults.ElectionReport": "err",
            "CVR.CastVoteRecordReport": "cvr",
        }
        kind = kinds.get(doc.get("@type")) if isinstance(doc, dict) else None
        if kind is None:
            found = ["not a NIST ElectionReport or CastVoteRecordReport"]
        else:
            found = nist.problems(doc, kind)
        bad += bool(found)
        print(json.dumps({"file": str(path), "kind": kind, "valid": not found, "problems": found[:20]}))
    if bad:
        raise SanaqError("export_nist_invalid", f"{bad} of {len(paths)} file(s) not valid")
    return 0
