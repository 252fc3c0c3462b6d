"""`sanaq sync`: deliver the finalised signed protocols to headquarters (issue 15).

sanaq sync --data DIR [--hq https://HOST:PORT] [--hq-key PEM] [--max-attempts N]
    (the URL and the pinned CA come from the signed election package, DATA/election.json;
     --ca PEM instead of the package's CA only with --development)
sanaq sync status --data DIR [--json] [--hq-key PEM]
sanaq sync receipt --data DIR [--key PREFIX] [--pdf FILE] [--print --to PRINTER-URL [--spool DIR]]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="deliver finalised protocols to headquarters; outbox status")
    p.add_argument("action", nargs="?", choices=("send", "status", "receipt"), default="send")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--hq", default=None, help="the intake's base URL, https://...")
    p.add_argument(
        "--ca",
        type=Path,
        default=None,
        help="development only: pin this CA (PEM) instead of the election package's headquarters CA",
    )
    p.add_argument(
        "--development", action="store_true", help="development switch (or SANAQ_DEVELOPMENT=1): allows --ca"
    )
    p.add_argument("--hq-key", type=Path, default=None, help="headquarters public key PEM (receipts)")
    p.add_argument("--max-attempts", type=int, default=8, help="per delivery in this run (0: forever)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--json", action="store_true")
    # sanaq sync receipt (issue 15, sync2): the kept receipts on paper
    p.add_argument("--print", action="store_true", help="receipt: print on --to (thermal or CUPS)")
    p.add_argument("--to", default=None, help="receipt: printer URL (escpos+net://..., cups://QUEUE)")
    p.add_argument("--pdf", type=Path, default=None, help="receipt: also write an A4 PDF here")
    p.add_argument(
        "--spool", type=Path, default=None, help="receipt: print spool folder (default DATA/spool)"
    )
    p.add_argument("--key", default="", help="receipt: only deliveries whose key starts with this")


def run(args: argparse.Namespace) -> int:
    from kiosk.errors import SanaqError

    journal = args.data / "journal.sqlite"
    if not journal.is_file():
        raise SanaqError("sync_no_station", str(journal))
    from kiosk.station.datalock import lock_data

    # The outbox writes into the journal (and its mirror): one process at a time on the station.
    held = lock_data(args.data)
    try:
        return _locked(args, journal)
    finally:
        if held is not None:
            os.close(held)


def _locked(args: argparse.Namespace, journal: Path) -> int:
    from kiosk.election.load import trust
    from kiosk.errors import SanaqError
    from kiosk.sync.outbox import Outbox
    from kiosk.sync.wire import verify_receipt

    t = trust(args.hq_key)
    outbox = Outbox(journal, t)
    try:
        if args.action == "receipt":
            return _receipts(args, outbox)
        queue_all(outbox, args.data, args.hq_key)
        if args.action == "status":
            rows = []
            for s in outbox.status():
                row = s.to_json()
                if s.receipt is not None:
                    row["receipt"] = verify_receipt(s.receipt, t, s.key).to_json()
                rows.append(row)
            if args.json:
                print(json.dumps({"deliveries": rows}, indent=1, ensure_ascii=False))
            else:
                for r in rows:
                    print(f"{r['name']:40} {r['state']:17} attempts {r['attempts']}  {r['last_error'] or ''}")
            return 0
        url, ctx = _endpoint(args)
        from kiosk.protocol.keys import load_device_key
        from kiosk.sync.client import Sender

        sender = Sender(outbox, url, load_device_key(args.data), t, ctx, args.timeout)
        try:
            outcome = sender.run(args.max_attempts or None)
        finally:
            sender.close()
        print(
            json.dumps(
                {"delivered": outcome.delivered, "refused": outcome.refused, "unfinished": outcome.unfinished}
            )
        )
        if outcome.untrusted:
            raise SanaqError("sync_server_untrusted", url)
        return 0 if not outcome.refused and not outcome.unfinished else 1
    finally:
        outbox.close()


def _endpoint(args: argparse.Namespace) -> tuple[str, Any]:
    """The intake URL and the TLS context pinned to the package's headquarters CA; `--ca`
    replaces that CA only under the development switch (issue 15, sync2)."""
    from kiosk.election.load import load_election
    from kiosk.errors import SanaqError
    from kiosk.sync.client import headquarters_of, pinned_context

    if args.ca is not None:
        if not (args.development or os.environ.get("SANAQ_DEVELOPMENT") == "1"):
            raise SanaqError("sync_ca_needs_development", str(args.ca))
        if not args.hq:
            raise SanaqError("sync_no_headquarters", "with --ca, --hq URL is needed")
        return str(args.hq), pinned_context(args.ca)
    package = load_election(args.data / "election.json", args.hq_key)
    urls, ctx = headquarters_of(package)
    return str(args.hq or urls[0]), ctx


def queue_all(outbox: Any, data: Path, hq_key: Path | None = None) -> int:
    """The finalised protocols, and the CVRs and manifest where the package asks for them."""
    from kiosk.election.load import load_election

    new = int(outbox.queue_folder(data / "protocols"))
    hq = load_election(data / "election.json", hq_key).election.headquarters
    kinds = [k for k in (hq.deliver if hq else ()) if k != "protocols"]
    if kinds and any((data / "protocols").glob("*.protocol.jws.json")):
        new += int(outbox.queue_station_files(data, kinds))
    return new


def _receipts(args: argparse.Namespace, outbox: Any) -> int:
    """The kept, verified receipts: as text, an A4 PDF (--pdf) and/or printed (--print --to)."""
    from kiosk.errors import SanaqError
    from kiosk.sync.printing import receipt_lines, receipts_pdf
    from kiosk.sync.wire import verify_receipt

    found = [
        (verify_receipt(s.receipt, outbox.trust, s.key), s.name)
        for s in outbox.status()
        if s.receipt is not None and s.key.startswith(args.key)
    ]
    if not found:
        raise SanaqError("sync_no_receipt", args.key or "no delivery has a receipt yet")
    if args.pdf is not None:
        args.pdf.write_bytes(receipts_pdf(found))
    if not args.print:
        for r, name in found:
            title, lines = receipt_lines(r, name)
            print("\n".join((title, *lines)))
        return 0
    if not args.to:
        raise SanaqError("printer_url_invalid", "sync receipt --print needs --to PRINTER-URL")
    from drivers.printer import PrintJob, PrintSpool, open_printer

    spool = PrintSpool(args.spool or args.data / "spool", open_printer(args.to))
    for r, name in found:
        title, lines = receipt_lines(r, name)
        spool.submit(PrintJob(title, lines, str(args.pdf) if args.pdf else None))
    stopped = spool.pump()
    print(json.dumps({"receipts": len(found), "waiting": len(spool.waiting()), "stopped": stopped}))
    return 0 if stopped is None else 2
