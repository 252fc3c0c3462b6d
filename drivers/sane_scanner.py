"""USB document scanners through SANE (python-sane over libsane): `sane:DEVICE?option=value`.

    sane:fujitsu:fi-7160:12345?source=ADF Duplex
    sane:pnm:0?filename=/path/side.pgm        (libsane's file-serving test backend)

Grey 8-bit at 200 dpi unless the URL says otherwise; any other query item is a SANE option
(`-` and `_` alike). A document scanner does not hold a sheet: once imaged it is in the
output tray, so `accept` leaves it there (the counted stack) and `return_sheet` asks the
commission to take it out (event `take_sheet_from_tray`). Whereabouts are known for the
sheets of this session only; anything older is for the commission.

Sides: `sides=2` (duplex: front and back are consecutive frames) by default when the
source says Duplex, else 1. A feeder source (ADF) yields sheets until SANE reports no
documents; a flatbed yields one sheet per `feed()`.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlparse

from drivers.base import Capabilities, PassThroughScanner, ScannerStatus
from kiosk.errors import SanaqError
from kiosk.station.ports import FedSheet
from kiosk.vocabulary import ErrorCode

log = logging.getLogger("sanaq.drivers.sane")

# libsane backends that scan no paper (issue 11, closed defaults).
SIMULATED_BACKENDS = frozenset({"pnm", "test"})

# sane_strstatus() texts (SANE 1.x, the strings python-sane raises) -> our codes.
SANE_STATUS_CODES: dict[str, ErrorCode] = {
    "Document feeder jammed": "scanner_jammed",
    "Document feeder out of documents": "scanner_no_documents",
    "Scanner cover is open": "scanner_cover_open",
    "Error during device I/O": "scanner_io_error",
    "Device busy": "scanner_busy",
    "Operation not supported": "scanner_not_supported",
    "Access to resource has been denied": "scanner_unavailable",
    "Out of memory": "scanner_io_error",
    "Invalid argument": "scanner_url_invalid",
}


def sane_code(exc: BaseException) -> ErrorCode:
    return SANE_STATUS_CODES.get(str(exc), "scanner_io_error")


def _pnm_bytes(image: Any) -> bytes:
    """A frame as PGM/PPM bytes: lossless and cheap (no compression on the hot path);
    OpenCV and the reader decode it directly."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("L")
    out = io.BytesIO()
    image.save(out, format="PPM")
    return out.getvalue()


def parse_sane_url(url: str) -> tuple[str, dict[str, str]]:
    parsed = urlparse(url)
    if parsed.scheme != "sane" or not parsed.path:
        raise SanaqError("scanner_url_invalid", url)
    return parsed.path, dict(parse_qsl(parsed.query, keep_blank_values=True))


def list_devices() -> list[tuple[str, str, str, str]]:
    import sane

    sane.init()
    return [tuple(d) for d in sane.get_devices(localOnly=True)]


class SaneScanner(PassThroughScanner):
    handle_prefix = "sane"
    return_event = "take_sheet_from_tray"  # it lies in the output tray

    def __init__(
        self,
        device: str,
        options: dict[str, str] | None = None,
        before_frame: Callable[[Any, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.device_name = device
        self.url = f"sane:{device}"
        self.options = dict(options or {})
        self.sides = int(self.options.pop("sides", "0") or 0)
        feeder = self.options.pop("feeder", "")
        self.before_frame = before_frame  # tests: libsane's pnm backend serves one file per frame
        self._dev: Any = None
        self._frames = 0
        self._state = "offline"
        source = self.options.get("source", "")
        self.is_feeder = feeder == "1" or any(w in source.lower() for w in ("adf", "feeder", "duplex"))
        if not self.sides:
            self.sides = 2 if "duplex" in source.lower() else 1
        self.capabilities = Capabilities(duplex=self.sides == 2, batch=self.is_feeder)
        # libsane's test backends serve any image file (`pnm`) or draw test pages (`test`):
        # generated sheets, refused for official counting without the development switch.
        self.simulated = device.split(":", 1)[0].strip().lower() in SIMULATED_BACKENDS

    # --- lifecycle ----------------------------------------------------------------------------

    def open(self) -> None:
        import _sane
        import sane

        try:
            sane.init()
            self._dev = sane.open(self.device_name)
        except (_sane.error, RuntimeError) as exc:
            raise SanaqError("scanner_unavailable", f"{self.device_name}: {exc}") from exc
        wanted = {"mode": "Gray", "resolution": "200", "depth": "8"} | self.options
        for name, value in wanted.items():
            self._set(name, value, required=name in self.options)
        self._state = "idle"
        super().open()

    def _set(self, name: str, value: str, required: bool) -> None:
        import _sane

        attr = name.replace("-", "_")
        opt = self._dev.opt.get(attr)
        if opt is None or not opt.is_active() or not opt.is_settable():
            if required:
                raise SanaqError("scanner_not_supported", f"option {name}")
            return
        typed: Any = value
        if opt.type == 0:  # SANE_TYPE_BOOL
            typed = value.lower() in ("1", "yes", "true", "on")
        elif opt.type == 1:
            typed = int(float(value))
        elif opt.type == 2:
            typed = float(value)
        try:
            setattr(self._dev, attr, typed)
        except (_sane.error, AttributeError, TypeError, ValueError) as exc:
            if required:
                raise SanaqError("scanner_not_supported", f"option {name}={value}: {exc}") from exc
            log.info("option %s not set: %s", name, exc)

    def close(self) -> None:
        if self._dev is not None:
            try:
                self._dev.close()
            finally:
                self._dev = None
        self._state = "offline"
        super().close()

    def set_option(self, name: str, value: str) -> None:
        """Change a SANE option between sheets (tests use it to make the backend fail)."""
        self._set(name, value, required=True)

    # --- scanning -----------------------------------------------------------------------------

    def _frame(self) -> bytes:
        import _sane

        if self.before_frame is not None:
            self.before_frame(self._dev, self._frames)
        try:
            self._dev.start()
            image = self._dev.snap()
        except (_sane.error, RuntimeError) as exc:
            code = sane_code(exc)
            with contextlib.suppress(_sane.error):
                self._dev.cancel()
            raise SanaqError(code, str(exc)) from exc
        self._frames += 1
        return _pnm_bytes(image)

    def feed(self) -> Iterator[FedSheet]:
        if not self.is_open:
            self.open()
        while True:
            self._state = "feeding"
            try:
                first = self._frame()
            except SanaqError as exc:
                self._state = "idle"
                if exc.code == "scanner_no_documents":
                    return  # the batch is done
                self._state = "jammed" if exc.code == "scanner_jammed" else "idle"
                self._event(exc.code)
                raise
            images = [first]
            try:
                for _ in range(self.sides - 1):
                    images.append(self._frame())
            except SanaqError as exc:
                # The sheet went through without all its sides: not counted; it is in the tray.
                self._event(exc.code)
                self._event("take_sheet_from_tray")
                self._state = "idle"
                raise
            handle = self._new_handle()
            self._state = "idle"
            yield FedSheet(handle, tuple(images), {"device": self.device_name})
            if not self.is_feeder:
                return

    def status(self) -> ScannerStatus:
        if self._dev is None:
            return ScannerStatus("offline")
        return ScannerStatus(self._state, model=self.device_name)  # type: ignore[arg-type]
