"""What the station needs from a scanner. Drivers implement it; the core never imports them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Whereabouts = Literal["held", "box", "returned", "unknown"]


@dataclass(frozen=True)
class FedSheet:
    """One sheet the scanner holds: both sides' image bytes and a handle to act on it."""

    handle: str
    images: tuple[bytes, ...]
    device: dict[str, str] = field(default_factory=dict)


class ScannerPort(Protocol):
    def feed(self) -> Iterator[FedSheet]:
        """Sheets as they arrive; ends when the scanner has nothing more (a batch, a folder)."""
        ...

    def accept(self, handle: str) -> None:
        """Drop the sheet into the ballot box."""
        ...

    def return_sheet(self, handle: str, reason: str) -> None:
        """Give the sheet back to the voter."""
        ...

    def where(self, handle: str) -> Whereabouts:
        """Where a sheet is now, as far as the scanner can tell (used after a power cut)."""
        ...
