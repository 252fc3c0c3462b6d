"""Scanners and printers, each behind one small interface (drivers/base.py), chosen by URL.

sane:DEVICE?option=value           USB document scanners through libsane
serial:///dev/ttyACM0?baud=115200  a station ballot scanner speaking docs/serial-protocol.md
socket://host:port                 the same protocol over TCP
camera:///dev/video0               a document camera (or camera:///path/frame-%04d.png)
folder:///path                     a hot folder (any scanner software that saves files)
                                   ?accepted=delete|random|names: what is kept of a counted sheet
sim:?style=MZ-LIST&n=100&seed=1    generated sheets, in memory (test equipment: fieldkit.sim,
                                   found through the `sanaq.scanners` entry points)
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from drivers.base import Scanner
from kiosk.errors import SanaqError


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query, keep_blank_values=True).items()}


def open_scanner(url: str) -> Scanner:
    try:
        parsed = urlparse(url)
        query = _query(url)
        if parsed.scheme == "folder":
            from drivers.folder import FolderScanner

            if not parsed.path:
                raise SanaqError("scanner_url_invalid", url)
            return FolderScanner(parsed.path, query.get("accepted", "delete"))  # type: ignore[arg-type]
        if parsed.scheme == "sim":
            return _plugin_scanner("sim", url)
        if parsed.scheme == "sane":
            from drivers.sane_scanner import SaneScanner, parse_sane_url

            device, options = parse_sane_url(url)
            return SaneScanner(device, options)
        if parsed.scheme in ("serial", "socket"):
            from drivers.serial_scanner import SerialScanner

            return SerialScanner.from_url(url)
        if parsed.scheme == "camera":
            from drivers.camera import CameraScanner

            return CameraScanner.from_url(url)
    except ValueError as exc:
        raise SanaqError("scanner_url_invalid", url) from exc
    raise SanaqError("scanner_url_invalid", url)


# Simulated scanners are test equipment (fieldkit), not product: the product never imports
# fieldkit. A development install registers them under this entry-point group (pyproject.toml);
# an installation without fieldkit knows no `sim:` at all (`scanner_url_invalid`).
SCANNER_PLUGINS = "sanaq.scanners"


def _plugin_scanner(scheme: str, url: str) -> Scanner:
    from importlib.metadata import entry_points

    for ep in entry_points(group=SCANNER_PLUGINS, name=scheme):
        scanner: Scanner = ep.load()(url)
        return scanner
    raise SanaqError("scanner_url_invalid", f"{url}: no {scheme}: scanner installed (test equipment)")
