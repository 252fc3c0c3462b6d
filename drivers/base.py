"""The one scanner interface every transport implements (the shape of pyserial's and
python-escpos's: one abstract base, one transport per module, chosen by URL).

The station core only needs `kiosk.station.ports.ScannerPort` (feed, accept, return,
where); the rest (open, close, status, events, capabilities) is for the kiosk window,
`sanaq scanners list` and `sanaq scan`.
"""

from __future__ import annotations

import abc
import secrets
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from kiosk.station.ports import FedSheet, Whereabouts

DeviceState = Literal["idle", "feeding", "holding", "jammed", "cover_open", "box_full", "offline"]


@dataclass(frozen=True)
class ScannerStatus:
    state: DeviceState
    model: str = ""
    serial: str = ""
    held: str | None = None  # handle of the sheet the scanner holds, if any


@dataclass(frozen=True)
class ScannerEvent:
    """Something the device reported: `code` is a stable message code (kiosk/messages.py)
    or one of the plain events below; `handle` names a sheet where one is concerned."""

    code: str
    handle: str | None = None


PLAIN_EVENTS = {
    "paper_in",
    "paper_removed",
    "cover_closed",
    "sheet_in_box",
    "sheet_returned",
    "scanner_reconnected",
}


@dataclass(frozen=True)
class Capabilities:
    duplex: bool = True
    holds_sheets: bool = False  # can keep a sheet until accept/return (a station scanner)
    box_sensor: bool = False
    double_feed_sensor: bool = False
    batch: bool = False  # an ADF that takes a stack (central count after close)


class Scanner(abc.ABC):
    """Base of every scanner transport. Subclasses implement `feed`, `accept`,
    `return_sheet`, `where` and `status`; events are queued with `_event`."""

    url: str = ""
    capabilities: Capabilities = Capabilities()
    # Generated or emulated sheets: refused for official counting without the development
    # switch (kiosk/station/service.py).
    simulated: bool = False

    def __init__(self) -> None:
        self._events: deque[ScannerEvent] = deque(maxlen=256)
        self.is_open = False

    def open(self) -> None:
        self.is_open = True

    def close(self) -> None:
        self.is_open = False

    def __enter__(self) -> Scanner:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def identity(self) -> dict[str, str | bool | None]:
        """What the audit records of this scanner with every scan session: the kind of URL,
        the device's model and serial where it says them, and whether it is simulated
        (None: not known, which the station treats as simulated)."""
        try:
            st = self.status()
            model, serial = st.model, st.serial
        except Exception:  # a device that cannot answer is still named by its URL
            model, serial = "", ""
        return {
            "kind": self.url.split(":", 1)[0],
            "url": self.url,
            "model": model,
            "serial": serial,
            "simulated": self.simulated,
        }

    def _event(self, code: str, handle: str | None = None) -> None:
        self._events.append(ScannerEvent(code, handle))

    def events(self) -> list[ScannerEvent]:
        """Events since the last call, oldest first."""
        out = list(self._events)
        self._events.clear()
        return out

    @abc.abstractmethod
    def status(self) -> ScannerStatus: ...

    @abc.abstractmethod
    def feed(self) -> Iterator[FedSheet]: ...

    @abc.abstractmethod
    def accept(self, handle: str) -> None: ...

    @abc.abstractmethod
    def return_sheet(self, handle: str, reason: str) -> None: ...

    @abc.abstractmethod
    def where(self, handle: str) -> Whereabouts: ...


class PassThroughScanner(Scanner):
    """A scanner that cannot hold a sheet (a document scanner's output tray, a camera): the
    commission drops or gives back the sheet by hand, and `return_sheet` raises the event
    that tells them to. Whereabouts are known for the sheets of this driver's session only;
    anything older is `unknown`, for the commission to decide."""

    handle_prefix = "sheet"
    return_event = "take_sheet_from_tray"

    def __init__(self) -> None:
        super().__init__()
        self._whereabouts: dict[str, Whereabouts] = {}
        self._session = secrets.token_hex(4)
        self._n = 0

    def _new_handle(self) -> str:
        self._n += 1
        handle = f"{self.handle_prefix}-{self._session}-{self._n}"
        self._whereabouts[handle] = "held"
        return handle

    def accept(self, handle: str) -> None:
        self._whereabouts[handle] = "box"

    def return_sheet(self, handle: str, reason: str) -> None:
        self._whereabouts[handle] = "returned"
        self._event(self.return_event, handle)

    def where(self, handle: str) -> Whereabouts:
        return self._whereabouts.get(handle, "unknown")
