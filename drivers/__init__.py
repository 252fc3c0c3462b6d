"""Scanners and printers, each behind one small interface, chosen by URL.

    folder:///path     a hot folder (any scanner software that saves files)
    sim:?style=MZ-LIST&n=100&seed=1   generated sheets, in memory

SANE, serial, socket and camera transports join with the drivers issue.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from kiosk.errors import SanaqError
from kiosk.station.ports import ScannerPort


def open_scanner(url: str) -> ScannerPort:
    parsed = urlparse(url)
    if parsed.scheme == "folder":
        from drivers.folder import FolderScanner

        if not parsed.path:
            raise SanaqError("scanner_url_invalid", url)
        return FolderScanner(parsed.path)
    if parsed.scheme == "sim":
        from drivers.sim import SimScanner

        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        try:
            return SimScanner(
                style=query.get("style"),
                n=int(query.get("n", "20")),
                seed=int(query.get("seed", "1")),
                test="test" in query,
            )
        except ValueError as exc:
            raise SanaqError("scanner_url_invalid", url) from exc
    raise SanaqError("scanner_url_invalid", url)
