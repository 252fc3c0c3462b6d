"""`sanaq sync`: deliver the finalised signed protocols to headquarters (issue 15).

sanaq sync --data DIR --hq https://HOST:PORT --ca HQ-CA.pem [--hq-key PEM] [--max-attempts N]
sanaq sync status --data DIR [--json] [--hq-key PEM]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sync", help="deliver finalised protocols to headquarters; outbox status")
    p.add_argument("action", nargs="?", choices=("send", "status"), default="send")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--hq", default=None, help="the intake's base URL, https://...")
    p.add_argument("--ca", type=Path, default=None, help="the headquarters CA certificate (PEM) pinned")
    p.add_argument("--hq-key", type=Path, default=None, help="headquarters public key PEM (receipts)")
    p.add_argument("--max-attempts", type=int, default=8, help="per delivery in this run (0: forever)")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    from kiosk.election.load import trust
    from kiosk.errors import SanaqError
    from kiosk.sync.outbox import Outbox
    from kiosk.sync.wire import verify_receipt

    journal = args.data / "journal.sqlite"
    if not journal.is_file():
        raise SanaqError("sync_no_station", str(journal))
    t = trust(args.hq_key)
    outbox = Outbox(journal, t)
    try:
        outbox.queue_folder(args.data / "protocols")
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
        if not args.hq or not args.ca:
            raise SanaqError("sync_ca_invalid", "sync needs --hq URL and --ca PEM")
        from kiosk.protocol.keys import load_device_key
        from kiosk.sync.client import Sender, pinned_context

        sender = Sender(outbox, args.hq, load_device_key(args.data), t, pinned_context(args.ca), args.timeout)
        try:
            outcome = sender.run(args.max_attempts or None)
        finally:
            sender.close()
        print(
            json.dumps(
                {"delivered": outcome.delivered, "refused": outcome.refused, "unfinished": outcome.unfinished}
            )
        )
        return 0 if not outcome.refused and not outcome.unfinished else 1
    finally:
        outbox.close()
