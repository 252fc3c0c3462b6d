"""A simulated scanner: sheets generated from the sample election's deck generator, in memory.

Not a mock of a device: the images are the same scanned-looking sheets the reader is
measured on, and the scanner keeps the state a real one would (held, box, returned).
"""

from __future__ import annotations

from collections.abc import Iterator

from drivers.base import Capabilities, Scanner, ScannerStatus
from fieldkit.deck import DeckOptions, SheetTruth, generate_sheet
from kiosk.election.load import load_election
from kiosk.station.ports import FedSheet, Whereabouts


class MemoryScanner(Scanner):
    """Whereabouts kept in memory, as a sheet-holding scanner keeps them."""

    capabilities = Capabilities(duplex=True, holds_sheets=True, box_sensor=True)
    simulated = True
    url = "memory:"

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, Whereabouts] = {}

    def feed(self) -> Iterator[FedSheet]:
        return iter(())

    def status(self) -> ScannerStatus:
        held = [h for h, w in self.state.items() if w == "held"]
        return ScannerStatus("holding" if held else "idle", model="simulator", held=held[0] if held else None)

    def accept(self, handle: str) -> None:
        self.state[handle] = "box"

    def return_sheet(self, handle: str, reason: str) -> None:
        self.state[handle] = "returned"

    def where(self, handle: str) -> Whereabouts:
        return self.state.get(handle, "unknown")


class SimScanner(MemoryScanner):
    def __init__(
        self,
        style: str | None = None,
        n: int = 20,
        seed: int = 1,
        test: bool = False,
        opt: DeckOptions = DeckOptions(),
    ) -> None:
        super().__init__()
        self.url = f"sim:?n={n}&seed={seed}"
        self.package = load_election(None)
        self.styles = [style] if style else [s.id for s in self.package.election.styles]
        self.n = n
        self.seed = seed
        self.test = test
        self.opt = opt
        self.truth: dict[str, SheetTruth] = {}

    def feed(self) -> Iterator[FedSheet]:
        e, h = self.package.election, self.package.election_hash
        for i in range(self.n):
            style = self.styles[i % len(self.styles)]
            handle = f"sim-{self.seed}-{i:06d}"
            if self.state.get(handle) in ("box", "returned"):
                continue
            sheet = generate_sheet(e, h, style, self.seed, i, self.opt, test=self.test)
            self.truth[handle] = sheet.truth
            self.state[handle] = "held"
            yield FedSheet(handle, (sheet.back_bytes, sheet.front_bytes), {"style": style})


def open_sim(url: str) -> SimScanner:
    """`sim:?style=ID&n=N&seed=S[&test]`: the `sanaq.scanners` entry point (pyproject.toml)
    through which `drivers.open_scanner` finds the simulator without importing fieldkit."""
    from urllib.parse import parse_qs, urlparse

    from kiosk.errors import SanaqError

    query = {k: v[-1] for k, v in parse_qs(urlparse(url).query, keep_blank_values=True).items()}
    scanner = SimScanner(
        style=query.get("style"),
        n=int(query.get("n", "20")),
        seed=int(query.get("seed", "1")),
        test="test" in query,
    )
    unknown = set(scanner.styles) - {s.id for s in scanner.package.election.styles}
    if unknown or not 0 <= scanner.n <= 1_000_000:
        raise SanaqError("scanner_url_invalid", f"{url}: style {sorted(unknown)} or n out of range")
    return scanner
