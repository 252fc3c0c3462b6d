"""`intake`: the reference headquarters intake.

intake serve  [--db FILE | --pg CONNINFO] [--election PKG] [--hq-key PEM] [--receipt-key PEM]
              [--cert PEM --key PEM] [--host H] [--port P] [--development]
intake import DIR    (a USB export folder or a stick holding several)   [same store options]
intake aggregate [--html]                                              [same store options]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from intake.service import Intake
from intake.store import Store
from kiosk.errors import SanaqError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="intake", description="Sanaq headquarters intake (reference)")
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("serve", "import", "aggregate"):
        s = sub.add_parser(name)
        s.add_argument("--db", type=Path, default=Path("intake.sqlite"), help="SQLite file (default)")
        s.add_argument("--pg", default=None, help="PostgreSQL conninfo (instead of --db)")
        s.add_argument(
            "--election", type=Path, default=None, help="signed election package (default: the sample)"
        )
        s.add_argument("--hq-key", type=Path, default=None, help="headquarters public key PEM (trust)")
        s.add_argument("--receipt-key", type=Path, default=None, help="private key PEM that signs receipts")
        s.add_argument("--development", action="store_true", help="allow the DEVELOPMENT key")
        if name == "serve":
            s.add_argument("--host", default="127.0.0.1")
            s.add_argument("--port", type=int, default=8443)
            s.add_argument("--cert", type=Path, default=None, help="server certificate chain PEM")
            s.add_argument("--key", type=Path, default=None, help="server private key PEM")
            s.add_argument(
                "--workers",
                type=int,
                default=1,
                help="server processes (the store's locks keep them consistent)",
            )
        if name == "import":
            s.add_argument("dir", type=Path)
            # sync3 (issue 15): the courier's receipt on paper
            s.add_argument(
                "--pdf", type=Path, default=None, help="the courier's receipt: an A4 page per delivery (PDF)"
            )
        if name == "aggregate":
            s.add_argument("--html", action="store_true")
    return p


def make_intake(args: argparse.Namespace) -> Intake:
    from kiosk.election.load import load_election, trust
    from kiosk.election.package import development_private_key, development_reason, load_private_key

    package = load_election(args.election, args.hq_key)
    if development_reason(package) and not args.development:
        raise SanaqError("sync_development_key", development_reason(package) or "")
    receipt_key: Ed25519PrivateKey
    if args.receipt_key is not None:
        receipt_key = load_private_key(args.receipt_key.read_bytes())
    elif args.development:
        receipt_key = development_private_key()
    else:
        raise SanaqError("sync_development_key", "no --receipt-key")
    store = Store(str(args.db)) if args.pg is None else Store(pg=args.pg)
    return Intake(store, package, trust(args.hq_key), receipt_key, time.time)


def import_dir(intake: Intake, folder: Path) -> list[dict[str, object]]:
    """Every signed protocol under FOLDER (an export folder or a stick of them), with the same
    checks and idempotency as the service; one line per file for the courier's receipt."""
    from intake.service import MAX_BODY, MAX_FILE_BODY
    from kiosk.election.load import read_bounded
    from kiosk.sync.files import FILE_SUFFIX
    from kiosk.sync.wire import verify_receipt

    out: list[dict[str, object]] = []
    found = [*folder.rglob("*.protocol.jws.json"), *folder.rglob(f"*{FILE_SUFFIX}")]
    for f in sorted(found):
        try:
            is_file = f.name.endswith(FILE_SUFFIX)  # a CVR or manifest delivery (sync2)
            try:
                body = read_bounded(f, MAX_FILE_BODY if is_file else MAX_BODY)
            except (OSError, ValueError) as exc:
                raise SanaqError("sync_too_large", f"{f.name}: {exc}") from exc
            if is_file:
                receipt, new = intake.accept_any(body, "usb")
            else:
                a = intake.accept(body, "usb")
                receipt, new = a.receipt, a.new
            r = verify_receipt(receipt, intake.trust)
            out.append(
                {
                    "file": str(f.relative_to(folder)),
                    "stored": new,
                    **r.to_json(),
                    "receipt": receipt.decode().strip(),
                }
            )
        except SanaqError as exc:
            out.append({"file": str(f.relative_to(folder)), "error": exc.as_dict()})
    return out


def courier_pdf(intake: Intake, rows: list[dict[str, object]], pdf: Path) -> int:
    """The signed receipts of an import as the courier's A4 pages (kiosk/sync/printing.py, the
    same page the kiosk prints for a network delivery); a file refused has none. Returns how
    many pages."""
    from kiosk.sync.printing import receipts_pdf
    from kiosk.sync.wire import verify_receipt

    found = [
        (verify_receipt(str(r["receipt"]).encode(), intake.trust), Path(str(r["file"])).name)
        for r in rows
        if "receipt" in r
    ]
    if not found:
        raise SanaqError("sync_no_receipt", "no file of the import was stored or known")
    pdf.write_bytes(receipts_pdf(found))
    return len(found)


ARGV_ENV = "SANAQ_INTAKE_ARGV"


def app_from_env() -> object:
    """uvicorn's factory in each worker of `intake serve --workers N`."""
    from intake.app import create_app

    args = _parser().parse_args(json.loads(os.environ[ARGV_ENV]))
    return create_app(make_intake(args))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        intake = make_intake(args)
        if args.command == "import":
            rows = import_dir(intake, args.dir)
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
            if args.pdf is not None:
                courier_pdf(intake, rows, args.pdf)
            return 0 if rows and all("error" not in r for r in rows) else 1
        if args.command == "aggregate":
            if args.html:
                from intake.page import render_html

                print(render_html(intake.aggregate(), intake.package))
            else:
                print(json.dumps(intake.aggregate(), indent=1))
            return 0
        import uvicorn

        from intake.app import create_app

        ssl = {"ssl_certfile": str(args.cert), "ssl_keyfile": str(args.key)} if args.cert else {}
        if args.workers > 1:
            # Each worker process builds its own intake (and store connection) from these arguments.
            intake.store.close()
            os.environ[ARGV_ENV] = json.dumps(list(argv if argv is not None else sys.argv[1:]))
            uvicorn.run(
                "intake.cli:app_from_env",
                factory=True,
                workers=args.workers,
                host=args.host,
                port=args.port,
                log_level="warning",
                **ssl,  # type: ignore[arg-type]
            )
            return 0
        uvicorn.run(create_app(intake), host=args.host, port=args.port, log_level="warning", **ssl)  # type: ignore[arg-type]
        return 0
    except SanaqError as exc:
        print(json.dumps({"error": exc.as_dict()}, ensure_ascii=False), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
