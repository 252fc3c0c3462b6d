"""The kiosk window's one door to the station: everything the screens show or do goes through here.

No Kivy here, and no counting: this module calls the station service and the journal
(`Station`, `Journal.open/create`, `transition`, `scan`, `tally`, `review_sheets`,
`decide_review`) and turns their answers into plain frozen views for the screens. When
the station's API changes, this is the file to adapt.

Two layers:

- `KioskService`: synchronous, owns the journal (SQLite connections belong to the thread
  that opened them), the commission's sign-in, and the second-chance flow.
- `StationWorker`: one thread that runs every `KioskService` call, scanning included, and
  posts each answer back through a `post` callable (the window passes one that goes
  through `kivy.clock.Clock`), so the window's thread never waits on a disk or a scanner.

The data folder has the layout of `sanaq station --data DIR` (journal.sqlite,
election.json), so the headless commands work on a kiosk's folder, and the commission is the
protocol's: enrolment.json (signed by headquarters) and members/*.key (each member's key,
encrypted under their PIN).
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import os
import queue
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.discovery import attached as attached_devices
from drivers.printer import PrintJob, PrintSpool, line_image, open_printer
from kiosk.cli import COMMANDS
from kiosk.cli.export import prepare as export_prepare
from kiosk.election.load import load_election, sample_package_bytes, trust
from kiosk.election.package import DEV_KEY_LABEL, LoadedPackage, development_private_key
from kiosk.errors import SanaqError
from kiosk.protocol.desk import Desk, JournalFacts, commission_decided
from kiosk.protocol.export import Exporter, load_public_key, verify_export
from kiosk.protocol.keys import (
    MAX_PIN_ATTEMPTS,
    create_member_key,
    load_device_key,
    member_public,
    unlock_member_key,
)
from kiosk.protocol.model import build as model_build
from kiosk.protocol.model import check_ratios
from kiosk.protocol.printed import render_pdf
from kiosk.protocol.sample import MEMBERS as SAMPLE_MEMBERS
from kiosk.protocol.sample import PIN as SAMPLE_PIN
from kiosk.protocol.sample import make_enrolment
from kiosk.protocol.signed import Enrolment, Vote, public_key_of, verify_document, verify_enrolment
from kiosk.protocol.store import ProtocolStore, Version
from kiosk.reading.model import Crop, SideReading
from kiosk.reading.reader import BallotReader
from kiosk.station.journal import Clock, Journal, Mode
from kiosk.station.lifecycle import Refused, review_refusal
from kiosk.station.ports import FedSheet, ScannerPort, Whereabouts
from kiosk.station.reports import Slip
from kiosk.station.service import ScanSummary, Station, SystemClock, reading_record, scanner_identity
from kiosk.sync.client import Backoff, Sender, headquarters_of, pinned_context
from kiosk.sync.loop import LoopStatus, SyncLoop, run
from kiosk.sync.outbox import Outbox
from kiosk.sync.wire import verify_receipt
from kiosk.ui.catalogue import english_or_latin, text
from kiosk.ui.technicians import KEYS as TECHNICIAN_KEYS
from kiosk.ui.technicians import ROSTER as TECHNICIAN_ROSTER
from kiosk.ui.technicians import TechnicianRoster, check_roster_for, load_roster, sign_roster

log = logging.getLogger("sanaq.ui")

JOURNAL = "journal.sqlite"
PROTOCOLS = "protocols"  # finalised protocols, as `sanaq protocol finalise` writes them
PRINTS = "print"  # printed protocols (PDF) and the screen's previews
PACKAGE = "election.json"
ENROLMENT = "enrolment.json"  # as `sanaq protocol enrol` installs it
SPOOL = "spool"  # the print spool (drivers/printer.py PrintSpool), as `sanaq print` keeps it

WORKER_NICE = 10
_heap_settled = threading.Lock()  # held for good once `settle_heap` has run in this process


def settle_heap() -> bool:
    """Once per process, in the station thread at the kiosk's start: load the reader's compiled
    kernels, collect, then leave every object alive now (Kivy, numpy, numba, cryptography, the
    package: about 200,000) out of all later collections (`gc.freeze`). Without it a full
    collection of the whole heap came every few hundred sheets, in the middle of counting, and
    every thread waited for it (the window included: 60-330 ms, `benchmarks/ui.py --trace`);
    now a full collection looks only at what was made since. Objects frozen here that are
    dropped later are freed by their reference counts as before; only one that dies in a cycle
    stays (the start-up screens: a few thousand, once). True when it ran, False when it had."""
    if not _heap_settled.acquire(blocking=False):
        return False
    # pass32: the reader's modules too (this module's imports load them today; kiosk.station.service
    # no longer does until a station's first reading), so they are frozen with the rest
    from kiosk.reading import kernels, reader  # noqa: F401

    kernels.warm()
    gc.collect()
    gc.freeze()
    return True


Lang = Literal["kk", "ru", "en"]
Texts = dict[str, str]  # {"kk": ..., "ru": ..., "en": ...}


def _texts(t: Any) -> Texts:
    return {"kk": t.kk, "ru": t.ru, "en": english_or_latin(t.en, t.ru)}  # kioskpolish: no Cyrillic in English


# --- views: what the screens are given ------------------------------------------------------------


@dataclass(frozen=True)
class StyleView:
    id: str
    colour: str
    colour_name: Texts
    contest: str
    contest_title: Texts
    options: tuple[Texts, ...]


@dataclass(frozen=True)
class StationView:
    id: str
    name: Texts
    address: Texts
    voters: int


@dataclass(frozen=True)
class PackageView:
    title: Texts
    official: bool
    key_id: str
    key_label: str
    development: bool
    election_hash: str
    second_chance: bool
    stations: tuple[StationView, ...]
    styles: tuple[StyleView, ...]


@dataclass(frozen=True)
class Member:
    name: str
    role: str


@dataclass(frozen=True)
class StatusView:
    state: str
    station: str
    session: int
    official_sheets: int
    pending: int
    review_waiting: int


@dataclass(frozen=True)
class SheetResult:
    """The last sheet at the slot, as the voter sees it."""

    outcome: Literal["accepted", "returned", "cast_as_is"]
    reason: str | None  # a message code for a returned sheet
    counter: int  # the public counter after this sheet (in test mode: the test sheets)
    read_at: float  # time.perf_counter() when the reader finished (for the benchmark)
    mode: Mode = "official"


@dataclass(frozen=True)
class SecondChance:
    """A blank or over-marked ballot the scanner holds while the voter decides."""

    problems: tuple[tuple[str, str], ...]  # (contest id, "blank" | "overvote")
    contest_titles: dict[str, Texts]
    read_at: float


@dataclass(frozen=True)
class ScanStopped:
    code: str | None  # None: the scanner ran out of paper (a batch, the simulator)
    counter: int  # official sheets counted
    mode: Mode = "official"


@dataclass(frozen=True)
class ReviewMark:
    option: str
    name: Texts
    score: float
    mark: str
    row: np.ndarray | None = field(default=None, compare=False, repr=False)
    # Why the reader doubts this square (`marginal_mark`, `possible_stain`, ...: a code of
    # kiosk.messages, shown to the commission in its language); None where it does not.
    reason: str | None = None


@dataclass(frozen=True)
class ReviewContest:
    contest: str
    title: Texts
    marks: tuple[ReviewMark, ...]


@dataclass(frozen=True)
class ReviewItem:
    sheet: str
    style: str
    contests: tuple[ReviewContest, ...]
    has_image: bool


@dataclass(frozen=True)
class LineView:
    number: str
    id: str
    title: Texts
    source: str  # "entered" (the commission types it) | "counted" (from the journal's tally)
    value: int | None  # None: an entered line not typed yet


@dataclass(frozen=True)
class RatioView:
    id: str
    title: Texts
    ok: bool
    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    left_sum: int
    right_sum: int
    difference: int  # left - right


@dataclass(frozen=True)
class ProtocolView:
    """One ballot type's protocol as the closing screens show it: every line (entered ones
    from the draft being typed, else the last entry saved), every control ratio checked on
    those values, and where the signed versions stand."""

    contest: str
    style: str
    title: Texts
    lines: tuple[LineView, ...]
    ratios: tuple[RatioView, ...]
    saved: bool  # the draft is what the protocol store holds
    version: int | None  # the latest version (signed by the device), if any
    signers: tuple[str, ...]  # of that version, in order ("device", member ids)
    finalised: bool
    blocked: str | None  # an error code that keeps this protocol from being built


@dataclass(frozen=True)
class Printed:
    contest: str
    version: int
    pdf: Path


@dataclass(frozen=True)
class DeviceView:
    """A scanner or printer as the technician's screen shows it."""

    kind: Literal["scanner", "printer"]
    url: str
    description: str
    # in_use: the kiosk has it open now; present: found attached; missing: configured but not
    # found; simulated: a development scanner (sim:); pdf: the kiosk's PDF printer (no printer set)
    state: str
    configured: bool  # the one the kiosk uses (not only found on the bus)


@dataclass(frozen=True)
class DevicesView:
    scanners: tuple[DeviceView, ...]
    printers: tuple[DeviceView, ...]
    calibration: bool  # `sanaq calibrate` exists (the screen shows its button only then)
    print_waiting: int  # jobs waiting in the print spool
    # The latest chosen mark thresholds' histogram (DATA/reports/thresholds-*.png, its digest
    # checked against the signed `mark_thresholds_chosen` link), and those thresholds; None: none chosen.
    histogram: Path | None = None
    thresholds: tuple[float, float] | None = None
    # kiosk6: the same histogram drawn in each screen language, (lang, path), from the scores of
    # the signed report; empty where they cannot be had (the screen shows the official picture).
    histogram_screens: tuple[tuple[str, Path], ...] = ()


@dataclass(frozen=True)
class CalibrationCheckView:
    """One measure of one scanned side, as the calibration result shows it."""

    measure: str
    image: int
    side: str
    passed: bool
    code: str  # the code its failure carries (kiosk/messages.py says what to do)
    detail: str
    # kioskpolish: the measured value and the limit (kiosk/calibration/profile.py's Check), so the
    # screen says the figure in its own language, not the CLI's English detail.
    value: Any = None
    limit: Any = None


@dataclass(frozen=True)
class CalibrationView:
    """A calibration run (kiosk.calibration.session, as `sanaq calibrate scanner`), recorded."""

    passed: bool
    scanner: str  # the profile's key (the scanner's serial where it has one)
    measured_at: str
    checks: tuple[CalibrationCheckView, ...]
    summary: tuple[str, ...]  # kiosk.calibration.profile.summary_lines (the CLI's English text)
    failures: tuple[str, ...]  # the codes that failed, first seen first
    # Per scanned side, its main figures, formatted: image, sheet side, scale across x along,
    # skew (deg), white, black, delivered dpi across x along.
    sides: tuple[dict[str, str], ...] = ()
    # kioskpolish: what the scanner says it is (kind, url, model, serial), for a readable name.
    identity: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LatExpectedView:
    """The expected tally of the station's test deck (kiosk.calibration.testdeck), loaded."""

    scheme: str
    sheets: int  # the deck's size
    counted: int  # sheets the deck must count
    returned: int  # sheets it must return (another station, another election)


@dataclass(frozen=True)
class LatLineView:
    line: str  # the report's own label ("MZ-LIST / amanat", "sheets counted", "returned: ...")
    expected: int
    counted: int
    diff: int
    label: Texts = field(default_factory=dict)  # the same line in words, per language


@dataclass(frozen=True)
class LatResultView:
    """The logic-and-accuracy test's report (kiosk.calibration.lat), recorded in the journal."""

    passed: bool
    scheme: str
    lines: int
    differing: tuple[LatLineView, ...]
    report: Path  # the PDF, DATA/reports/test-deck-*.pdf
    chain_code: str


@dataclass(frozen=True)
class PrintTest:
    ok: bool
    code: str | None  # the printer's error code when the job waits in the spool
    where: str  # the PDF written, or the printer's URL
    waiting: int


@dataclass(frozen=True)
class TestTallyView:
    """The logic-and-accuracy test's counts (mode 'test'), per contest, as the screen shows them."""

    sheets: int
    returned: int
    contests: tuple[tuple[Texts, tuple[tuple[Texts, int], ...], int, int, int], ...]
    # (contest title, ((option name, count), ...), blank, over-marked, awaiting review)


@dataclass(frozen=True)
class DeliveryView:
    name: str
    state: str  # pending | sent | refused | receipt received (kiosk/sync/outbox.py)
    attempts: int
    last_error: str | None
    receipt: tuple[Texts, int, str] | None  # the verified receipt: contest title, version, stored at


@dataclass(frozen=True)
class SyncView:
    deliveries: tuple[DeliveryView, ...]
    hq: str | None  # headquarters' URL (None: not configured on this kiosk)
    state: str  # the station's lifecycle state
    export: tuple[str, ...]  # export folders found on the stick, each "NAME: ok" or its problem
    exported: bool  # the journal has an export step
    stick: str | None  # the stick's mount point, if one is given and mounted


@dataclass(frozen=True)
class PreviewImage:
    """The printed protocol's first page, rendered for the panel (grey, 8 bits), decoded in the
    worker so that the window only uploads it."""

    path: Path
    width: int
    height: int
    pixels: bytes = field(repr=False)


# --- the commission ----------------------------------------------------------------------------------
#
# The protocol's members are the commission: the enrolment signed by headquarters says who
# they are and their roles (kiosk/protocol/signed.py); each member's signing key is stored
# encrypted under their PIN (kiosk/protocol/keys.py). Signing in is unlocking that key: the
# PIN check is the decryption, and wrong PINs and the lock-out are the protocol store's,
# recorded in the journal file (they survive a restart).

# The development sample's commission (kiosk/protocol/sample.py): ids, roles and PINs.
DEMO_MEMBERS: tuple[tuple[str, str, str], ...] = tuple((m, r, SAMPLE_PIN[m]) for m, r in SAMPLE_MEMBERS)
# The development sample's technician (kiosk/ui/technicians.py): not on the commission's roster.
DEMO_TECHNICIANS: tuple[tuple[str, str, str], ...] = (("timur", "technician", "555555"),)
CALIBRATE_ROLES = ("technician", "chair")  # as `sanaq calibrate scanner` (kiosk/cli/calibrate.py)
LAT_SCHEMES = ("full", "cycle:3")  # the test deck's schemes offered on screen (testdeck.vote_counts)


class Commission:
    """The enrolled members; a PIN is checked by unlocking the member's key."""

    def __init__(self, data: Path, enrolment: Enrolment, store: ProtocolStore) -> None:
        self.data = data
        self.enrolment = enrolment
        self.store = store

    def members(self) -> list[Member]:
        return [Member(m.id, m.role) for m in self.enrolment.members]

    def attempts_left(self, name: str) -> int:
        if self.store.locked(name):
            return 0
        return MAX_PIN_ATTEMPTS - self.store.pin_failures(name)

    def check(self, name: str, pin: str) -> Member:
        return self.unlock(name, pin)[0]

    def unlock(self, name: str, pin: str) -> tuple[Member, Ed25519PrivateKey]:
        """The member and their signing key (for the protocol), if the PIN unlocks it."""
        enrolled = self.enrolment.member(name)
        if enrolled is None:
            raise SanaqError("member_unknown", name)
        # The key file on this kiosk must be the enrolled one (a swapped file with a PIN of
        # someone's choosing is refused before it is tried).
        if member_public(self.data, name).public != enrolled.key:
            raise SanaqError("member_key_corrupt", f"{name}: not the enrolled key")
        key = unlock_member_key(self.data, name, pin, self.store)
        return Member(enrolled.id, enrolled.role), key


class Technicians:
    """The technicians headquarters enrolled for this kiosk (DATA/technicians.json); a PIN is
    checked by unlocking the technician's key, with the same lock-out as a member's."""

    def __init__(self, data: Path, roster: TechnicianRoster, store: ProtocolStore) -> None:
        self.keys = data / TECHNICIAN_KEYS
        self.roster = roster
        self.store = store

    def members(self) -> list[Member]:
        return [Member(i, "technician") for i, _ in self.roster.technicians]

    def knows(self, name: str) -> bool:
        return self.roster.key_of(name) is not None

    def check(self, name: str, pin: str) -> Member:
        enrolled = self.roster.key_of(name)
        if enrolled is None:
            raise SanaqError("member_unknown", name)
        if member_public(self.keys, name).public != enrolled:
            raise SanaqError("member_key_corrupt", f"{name}: not the enrolled key")
        unlock_member_key(self.keys, name, pin, self.store)
        return Member(name, "technician")


def enrol_development_commission(data: Path, package: LoadedPackage, station_id: str) -> dict[str, str]:
    """A DEVELOPMENT package's commission, made as kiosk/protocol/sample.py makes it: each
    member's key under their sample PIN, and the enrolment signed with the DEVELOPMENT key."""
    members = []
    for mid, role, pin in DEMO_MEMBERS:
        try:
            public = create_member_key(data, mid, role, pin).public
        except SanaqError as exc:
            if exc.code != "member_key_exists":
                raise
            public = member_public(data, mid).public
        members.append((mid, role, public))
    device = public_key_of(load_device_key(data))
    jws = make_enrolment(package, station_id, device, members)
    (data / ENROLMENT).write_text(json.dumps(jws, indent=1) + "\n")
    # The technician: their own roster, signed with the same DEVELOPMENT key.
    techs = []
    for tid, role, pin in DEMO_TECHNICIANS:
        try:
            public = create_member_key(data / TECHNICIAN_KEYS, tid, role, pin).public
        except SanaqError as exc:
            if exc.code != "member_key_exists":
                raise
            public = member_public(data / TECHNICIAN_KEYS, tid).public
        techs.append((tid, public))
    roster = TechnicianRoster(package.election_hash, station_id, device, tuple(techs))
    (data / TECHNICIAN_ROSTER).write_text(
        json.dumps(sign_roster(roster, development_private_key()), indent=1) + "\n"
    )
    return jws


def load_technicians(
    data: Path, package: LoadedPackage, station_id: str, hq_key: Path | None
) -> TechnicianRoster | None:
    """DATA/technicians.json verified against headquarters' key, this election, this station and
    this kiosk's device key; None where no technician is enrolled."""
    roster = load_roster(data, trust(hq_key))
    if roster is None:
        return None
    check_roster_for(roster, package.election_hash, station_id, public_key_of(load_device_key(data)))
    return roster


def load_enrolment(data: Path, package: LoadedPackage, station_id: str, hq_key: Path | None) -> Enrolment:
    """The installed enrolment (`sanaq protocol enrol`), verified against headquarters' key,
    this election, this station and this kiosk's device key."""
    try:
        jws = json.loads((data / ENROLMENT).read_text())
    except FileNotFoundError as exc:
        raise SanaqError("members_missing", f"{data / ENROLMENT}: run `sanaq protocol enrol`") from exc
    except (OSError, ValueError) as exc:
        raise SanaqError("protocol_enrolment_bad", f"{data / ENROLMENT}: {exc}") from exc
    enrolment = verify_enrolment(jws, trust(hq_key))
    if enrolment.election_hash != package.election_hash or enrolment.station != station_id:
        raise SanaqError("protocol_enrolment_mismatch", "the enrolment is for another election or station")
    if public_key_of(load_device_key(data)) != enrolment.device_key:
        raise SanaqError("protocol_enrolment_mismatch", "the enrolled device key is not this kiosk's")
    return enrolment


# --- the scanner seen through the kiosk --------------------------------------------------------------


class _ObservedReader:
    """The station's reader, unchanged, remembering its last reading for the screen."""

    def __init__(self, reader: BallotReader) -> None:
        self.reader = reader
        self.last: SideReading | None = None
        self.read_at = 0.0

    def read_sheet(self, images: list[np.ndarray | bytes]) -> SideReading:
        reading = self.reader.read_sheet(images)
        self.last = reading
        self.read_at = time.perf_counter()
        return reading


class _KioskStation(Station):
    """`Station` whose reader the kiosk can watch (what the last sheet was, for the screen).

    `observed[mode]` wraps the reader the station gives for that mode now. The station keeps
    one reader per mode, scanner calibration and mark thresholds in force (`Station.reader`);
    the wrapper follows it (a new wrapper whenever the station's reader is another object), so
    a kiosk recalibrated or given new thresholds mid-day reads its next sheet with them, not
    with the first scan session's."""

    def __init__(self, journal: Journal, package: LoadedPackage, development: bool = False) -> None:
        super().__init__(journal, package, development)
        self.observed: dict[str, _ObservedReader] = {}

    def reader(self, mode: Mode) -> BallotReader:
        inner = super().reader(mode)
        seen = self.observed.get(mode)
        if seen is None or seen.reader is not inner:
            seen = self.observed[mode] = _ObservedReader(inner)
        return seen  # type: ignore[return-value]


class VoterSlot:
    """The scanner as the station sees it from the kiosk: one feed that survives stops, and a
    way to stop it between sheets. The second chance is the station's (`Station.scan`'s
    `second_chance`); `ask` is the window's side of it: it waits for the voter's answer,
    "back" or "cast"."""

    def __init__(self, inner: ScannerPort, ask: Callable[[str], str] | None = None) -> None:
        self.inner = inner
        self.ask = ask
        self.stop = threading.Event()
        self._it: Iterator[FedSheet] | None = None
        self.last: FedSheet | None = None

    def feed(self) -> Iterator[FedSheet]:
        while not self.stop.is_set():
            if self._it is None:
                self._it = iter(self.inner.feed())
            try:
                sheet = next(self._it, None)
            except SanaqError:
                self._it = None  # a fault ends the driver's feed; the next scan starts a new one
                raise
            if sheet is None:
                self._it = None
                return
            self.last = sheet
            yield sheet

    def identity(self) -> dict[str, Any]:
        """The real scanner's identity for the station's audit (a slot is not a scanner)."""
        return scanner_identity(self.inner)

    def accept(self, handle: str) -> None:
        self.inner.accept(handle)

    def return_sheet(self, handle: str, reason: str) -> None:
        self.inner.return_sheet(handle, reason)

    def where(self, handle: str) -> Whereabouts:
        return self.inner.where(handle)


# --- the service ----------------------------------------------------------------------------------------


def package_view(pkg: LoadedPackage) -> PackageView:
    e = pkg.election
    contests = {c.id: c for c in e.contests}
    return PackageView(
        title=_texts(e.election.title),
        official=e.election.official,
        key_id=pkg.key_id,
        key_label=pkg.key_label,
        development=pkg.key_label == DEV_KEY_LABEL,
        election_hash=pkg.election_hash,
        second_chance=e.rules.return_invalid_to_voter,
        stations=tuple(
            StationView(s.id, _texts(s.name), _texts(s.address), s.voters_on_list) for s in e.stations
        ),
        styles=tuple(
            StyleView(
                s.id,
                s.colour,
                _texts(s.colour_name),
                s.contest,
                _texts(contests[s.contest].title),
                tuple(_texts(o.name) for o in contests[s.contest].options),
            )
            for s in e.styles
        ),
    )


def _crop_key(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True)


class KioskService:
    """Synchronous; every call from one thread (the StationWorker's)."""

    def __init__(
        self,
        data: Path,
        package_path: Path | None = None,
        hq_key: Path | None = None,
        clock: Clock | None = None,
        development: bool = False,
        stick: Path | None = None,
        printer: str | None = None,
        hq_url: str | None = None,
        hq_ca: Path | None = None,
    ) -> None:
        self.data = data
        # The development switch (as `sanaq station --development`): simulated scanners and
        # DEVELOPMENT-key packages count only with it on, and the audit says so.
        self.development = development
        self.package_path = package_path
        self.hq_key = hq_key
        self.clock = clock or SystemClock()
        self.package: LoadedPackage | None = None
        self.station: _KioskStation | None = None
        self.commission: Commission | None = None
        self.commission_error: SanaqError | None = None
        # kiosk6: why the technicians' roster was refused at start (None: enrolled, or none installed).
        self.technicians_error: SanaqError | None = None
        self.store: ProtocolStore | None = None
        self.actor: Member | None = None
        self.crops: dict[str, tuple[Crop, ...]] = {}  # review crops, in memory only (never on disk)
        self.slot: VoterSlot | None = None
        self.last_slip: Slip | None = None  # the paper of the last lifecycle step
        self.enrolment_jws: dict[str, str] | None = None
        # The USB stick's mount point for the export (`sanaq kiosk --stick`).
        self.stick = stick
        # The printer (drivers/printer.py URL; None: the kiosk's PDF printer, DATA/print) and
        # headquarters for the sync (`sanaq kiosk --printer URL --hq URL --ca PEM`).
        self.printer_url = printer
        self.hq_url = hq_url
        self.hq_ca = hq_ca
        self.technicians: Technicians | None = None
        self.scanner_url: str | None = None  # the scanner the window opens (for the devices screen)
        # Where the calibration sheet is fed when no scanner is open yet (None: scanner_url).
        self.calibration_url: str | None = None
        self.lat_expected: dict[str, Any] | None = None  # the loaded test deck's expected tally
        self.lat_result: Any = None  # kiosk.calibration.lat.TestResult of the last comparison
        self.lat_at = ""
        self.lat_chain = ""
        # kiosk6: the histogram's display copies drawn by this process, and their digests.
        self._screen_copies: dict[Path, str] = {}

    # --- set-up ------------------------------------------------------------------------------------

    def load_package(self) -> PackageView:
        """The package the kiosk was given, or the one already configured; verified."""
        if (self.data / PACKAGE).exists():
            self.package = load_election(self.data / PACKAGE, self.hq_key)
        else:
            self.package = load_election(self.package_path, self.hq_key)
        return package_view(self.package)

    def is_configured(self) -> bool:
        return (self.data / JOURNAL).exists()

    def configure(self, station_id: str) -> StatusView:
        """Choose the station and create its journal (as `sanaq station init` does)."""
        if self.package is None:
            self.load_package()
        assert self.package is not None
        if station_id not in {s.id for s in self.package.election.stations}:
            raise SanaqError("unknown_station", station_id)
        if self.is_configured():
            raise SanaqError("journal_exists", str(self.data / JOURNAL))
        self.data.mkdir(parents=True, exist_ok=True)
        raw = self.package_path.read_bytes() if self.package_path else sample_package_bytes()
        (self.data / PACKAGE).write_bytes(raw)
        # The configuration (station, mirror, scanner) lives in the journal's first signed link.
        Journal.create(self.data / JOURNAL, self.package.election_hash, station_id, self.clock).close()
        if not (self.data / ENROLMENT).exists() and self.package.key_label == DEV_KEY_LABEL:
            # A development package gets the sample commission, enrolled with the DEVELOPMENT
            # key; an official station's comes from headquarters (`sanaq protocol member-add`,
            # `roster` at headquarters, `enrol`).
            enrol_development_commission(self.data, self.package, station_id)
        return self.start()

    def start(self) -> StatusView:
        """Open the configured station's journal (also after a restart)."""
        if self.package is None:
            self.load_package()
        assert self.package is not None
        journal = Journal.open_configured(self.data / JOURNAL, self.clock)
        self.station = _KioskStation(journal, self.package, self.development)
        # The protocol's records (versions, signatures, PIN attempts) beside the journal's, in
        # the same file, through their own connection (this thread's).
        self.store = ProtocolStore.open(self.data / JOURNAL, self.clock.now_iso)
        try:
            enrolment = load_enrolment(self.data, self.package, self.station.station_id, self.hq_key)
        except SanaqError as exc:
            # The window still opens (the counts, the set-up); nobody can sign in until the
            # enrolment is installed, and the sign-in screen says why.
            log.warning("no commission: %s", exc.code)
            self.commission = None
            self.commission_error = exc
        else:
            self.commission = Commission(self.data, enrolment, self.store)
            self.commission_error = None
            self.enrolment_jws = json.loads((self.data / ENROLMENT).read_text())
        try:
            roster = load_technicians(self.data, self.package, self.station.station_id, self.hq_key)
        except SanaqError as exc:
            log.warning("no technicians: %s", exc.code)
            roster = None
            self.technicians_error = exc  # the sign-in screen says why (kiosk6)
        else:
            self.technicians_error = None
        self.technicians = None
        if roster is not None:
            clash = (
                {i for i, _ in roster.technicians} & {m.id for m in self.commission.enrolment.members}
                if self.commission
                else set()
            )
            if clash:
                log.warning("technician ids also on the commission's roster: refused")
                self.technicians_error = SanaqError("technician_roster_clash", ", ".join(sorted(clash)))
            else:
                self.technicians = Technicians(self.data, roster, self.store)
        self._sync_autostart()  # sync3: after a restart, what still waits goes on its way
        return self.status()

    @property
    def journal(self) -> Journal:
        if self.station is None:
            raise SanaqError("journal_missing", str(self.data))
        return self.station.journal

    # --- the commission -------------------------------------------------------------------------------

    def members(self) -> list[Member]:
        """Who may sign in: the commission, then the technicians."""
        techs = self.technicians.members() if self.technicians else []
        if self.commission is None:
            if techs:
                return techs
            raise self.commission_error or SanaqError("members_missing", str(self.data))
        return self.commission.members() + techs

    def technicians_refused(self) -> str | None:
        """The stable code of why the technicians' roster enrols nobody (technician_roster_bad,
        technician_roster_mismatch, technician_roster_clash), for the sign-in screen; None when
        it is enrolled or none is installed."""
        return self.technicians_error.code if self.technicians_error is not None else None

    def attempts_left(self, name: str) -> int:
        return self.commission.attempts_left(name) if self.commission else 0

    def sign_in(self, name: str, pin: str) -> Member:
        if self.commission is None and self.technicians is None:
            raise self.commission_error or SanaqError("members_missing", str(self.data))
        try:
            if self.technicians is not None and self.technicians.knows(name):
                member = self.technicians.check(name, pin)
            elif self.commission is not None:
                member = self.commission.check(name, pin)
            else:
                raise self.commission_error or SanaqError("member_unknown", name)
        except SanaqError as exc:
            self.journal.refuse(None, "sign_in", exc.code)
            raise
        self.actor = member
        self._record("signed_in", member)
        return member

    def sign_out(self) -> None:
        if self.actor is not None:
            self._record("signed_out", self.actor)
        self.actor = None

    def _record(self, action: str, member: Member) -> None:
        # The journal's transition() takes a role; the member's name rides in its own audit
        # link beside it, until the journal takes both (the one place to change then).
        assert self.station is not None
        self.station.note_actor(action, member.role, member.name, self.development)

    def _member_name(self) -> str | None:
        return self.actor.name if self.actor is not None else None

    def _need_actor(self) -> Member:
        if self.actor is None:
            raise SanaqError("not_signed_in")
        return self.actor

    def _need_commission(self, action: str) -> Member:
        """The signed-in member, if on the commission: a technician reviews, enters and signs nothing."""
        member = self._need_actor()
        if member.role == "technician":
            self.journal.refuse(member.role, action, "role_not_allowed")
            raise SanaqError("role_not_allowed", f"technician may not {action}")
        return member

    # --- lifecycle -------------------------------------------------------------------------------------

    def transition(self, action: str) -> StatusView:
        """A lifecycle step through the station, which makes its paper (the zero report at
        opening, a slip at pause/resume, the closing report) with the chain code."""
        member = self._need_actor()
        assert self.station is not None
        if not isinstance(self.journal.decide(action, member.role), Refused):
            self._record(action, member)  # who acts, ahead of the step; a refusal is its own link
        self.last_slip = self.station.transition(action, member.role)
        return self.status()

    def status(self) -> StatusView:
        j = self.journal
        return StatusView(
            state=j.state,
            station=j.meta("station"),
            session=j.session,
            official_sheets=j.tally("official").sheets,
            pending=len(j.pending()),
            review_waiting=len(j.review_sheets()),
        )

    def zero_report(self) -> dict[str, Any]:
        """The zero report the station made at opening, as the screen shows it: sheets, per
        contest every mark counted (options, blank, over-marked, awaiting review), the device
        key and the chain code the commission keeps on paper."""
        slip = self.last_slip
        if slip is None or slip.report is None or slip.report.get("report") != "zero":
            raise SanaqError("journal_missing", "no zero report made")
        report = slip.report
        return {
            "sheets": report["sheets"],
            "contests": {
                c: sum(v["options"].values()) + v["blank"] + v["overvote"] + v["review_pending"]
                for c, v in report["contests"].items()
            },
            "chain_code": slip.chain_code,
            "device_key_id": slip.device_key_id,
        }

    def tally(self, mode: Mode = "official") -> dict[str, Any]:
        assert self.station is not None
        return self.journal.tally(mode).to_json(self.station.invalid)

    # --- scanning ----------------------------------------------------------------------------------------

    def attach_scanner(self, scanner: ScannerPort, ask: Callable[[str], str] | None = None) -> VoterSlot:
        self.slot = VoterSlot(scanner, ask)
        return self.slot

    def scan(self, on_sheet: Callable[[SheetResult | SecondChance | TestTallyView], None]) -> ScanStopped:
        """Count until the scanner stops (a fault, no more paper, or `slot.stop`). A blank or
        over-marked ballot the package gives back is first put to the voter through the
        station's `second_chance`: the window shows the contests concerned and waits."""
        if self.station is None or self.slot is None:
            raise SanaqError("scanner_unavailable", "no scanner attached")
        station, slot = self.station, self.slot
        role = (self.actor or Member("", "member")).role
        seen = ScanSummary(reasons={})
        mode: Mode = "test" if self.journal.state == "testing" else "official"

        def progress(s: ScanSummary) -> None:
            self._after_sheet(station, seen, s, on_sheet)

        second_chance = None
        if slot.ask is not None:
            ask_voter = slot.ask

            def second_chance(problems: tuple[tuple[str, str], ...]) -> Literal["return", "cast"]:
                on_sheet(self._second_chance(problems, station.observed[mode].read_at))
                handle = slot.last.handle if slot.last is not None else ""
                return "cast" if ask_voter(handle) == "cast" else "return"

        summary = station.scan(
            slot, role, progress=progress, member=self._member_name(), second_chance=second_chance
        )
        return ScanStopped(summary.stopped, self.journal.tally("official").sheets, mode)

    def _after_sheet(
        self,
        station: _KioskStation,
        seen: ScanSummary,
        now: ScanSummary,
        on_sheet: Callable[[SheetResult | SecondChance | TestTallyView], None],
    ) -> None:
        mode: Mode = "test" if self.journal.state == "testing" else "official"
        observed = station.observed[mode]
        counter = self.journal.tally(mode).sheets
        if now.counted > seen.counted:
            reading = observed.last
            if reading is not None and reading.status == "review" and reading.crops:
                self.crops[_crop_key(reading_record(reading))] = reading.crops
            outcome: Literal["accepted", "cast_as_is"] = (
                "cast_as_is" if now.cast_as_is > seen.cast_as_is else "accepted"
            )
            result = SheetResult(outcome, None, counter, observed.read_at, mode)
        else:
            before, after = seen.reasons or {}, now.reasons or {}
            reason = next((k for k, v in after.items() if v > before.get(k, 0)), None)
            result = SheetResult("returned", reason, counter, observed.read_at, mode)
        seen.counted, seen.returned, seen.reasons = now.counted, now.returned, dict(now.reasons or {})
        seen.cast_as_is = now.cast_as_is
        on_sheet(result)
        if mode == "test":
            on_sheet(self.test_tally())  # the test screen's counts, sheet by sheet

    def _second_chance(self, problems: tuple[tuple[str, str], ...], read_at: float) -> SecondChance:
        assert self.package is not None
        titles = {c.id: _texts(c.title) for c in self.package.election.contests}
        return SecondChance(problems, {c: titles[c] for c, _ in problems}, read_at)

    # --- review ------------------------------------------------------------------------------------------

    def review_items(self) -> list[ReviewItem]:
        """The sheets set aside, in the order of their random ids (not the scan order), with
        their crops: none while the polls are open (they are decided after close, and the crops
        of a sheet just scanned are the last voter's marks)."""
        assert self.package is not None
        if review_refusal(self.journal.state) is not None:
            return []
        e = self.package.election
        items = []
        for sheet_id, reading in self.journal.review_sheets():
            crops = self.crops.get(_crop_key(reading), ())
            rows = {c.option: c.image for c in crops if c.kind == "row"}
            contests = []
            for c in reading["contests"]:
                if c["outcome"] != "review":
                    continue
                contest = e.contest(c["contest"])
                names = {o.id: _texts(o.name) for o in contest.options}
                marks = tuple(
                    ReviewMark(
                        m["option"],
                        names[m["option"]],
                        m["score"],
                        m["mark"],
                        rows.get(m["option"]),
                        reason=m.get("reason"),
                    )
                    for m in c["marks"]
                )
                contests.append(ReviewContest(c["contest"], _texts(contest.title), marks))
            items.append(ReviewItem(sheet_id, reading["style"], tuple(contests), bool(rows)))
        return items

    def decide_review(
        self, sheet: str, decisions: list[dict[str, Any]], second_name: str, second_pin: str
    ) -> StatusView:
        """The signed-in member proposes; a second, different member confirms with their PIN.
        Only after the polls close (`review_while_open` before anything is written: a refusal
        link or a PIN attempt then would place a waiting review among the sheets counted)."""
        self.journal.check_review_allowed()
        first = self._need_commission("decide_review")
        if second_name == first.name:
            raise SanaqError("review_needs_two_members")
        assert self.commission is not None
        try:
            second = self.commission.check(second_name, second_pin)
        except SanaqError as exc:
            self.journal.refuse(None, "confirm_review", exc.code)
            raise
        who = f"{first.name} ({first.role}) + {second.name} ({second.role})"
        self.journal.decide_review(sheet, decisions, first.role, who, "commission decision, two members")
        return self.status()

    # --- the protocol: lines, ratios, preview, signatures, finalise, print, export --------------------
    #
    # Every number comes from the protocol service (kiosk/protocol: desk, model, printed) and
    # the journal, as `sanaq protocol` does it; the window only shows and types.

    def _desk(self) -> Desk:
        if self.commission is None or self.enrolment_jws is None or self.store is None:
            raise self.commission_error or SanaqError("members_missing", str(self.data))
        assert self.package is not None and self.station is not None
        p = self.package
        return Desk(
            p.election,
            p.election_hash,
            self.station.station_id,
            self.store,
            self.enrolment_jws,
            trust(self.hq_key),
        )

    def _facts(self, contest: str) -> JournalFacts:
        j = self.journal
        return JournalFacts(
            dict(j.tally("official").contests.get(contest, {})),
            commission_decided(j.cast_vote_records("official"), contest),
            j.counting_head(),
        )

    def protocol_contests(self) -> list[str]:
        return self._desk().contests()

    def protocol_view(self, contest: str, draft: dict[str, int] | None = None) -> ProtocolView:
        """The protocol with `draft` (the lines being typed; missing ones count as 0 for the
        ratios) or, without one, the last entry saved."""
        desk = self._desk()
        assert self.package is not None and self.store is not None
        e = self.package.election
        form = e.protocol(contest)
        if form is None:
            raise SanaqError("protocol_no_form", contest)
        saved = self.store.entered(contest)
        typed = dict(saved or {}) if draft is None else dict(draft)
        wanted = [ln.id for ln in form.lines if ln.source == "entered"]
        values: dict[str, int] = {}
        blocked = None
        try:
            built = model_build(
                e,
                self.package.election_hash,
                desk.station,
                contest,
                self._facts(contest).counters,
                {k: typed.get(k, 0) for k in wanted},
                0,
                "",
                "",
            )
            values = built.values()
            checks = check_ratios(built)
        except SanaqError as exc:
            blocked, checks = exc.code, ()
        titles = {r.id: _texts(r.title) for r in form.ratios}
        latest = self.store.latest(contest)
        style = next(s for s in e.station(desk.station).styles if e.style(s).contest == contest)
        return ProtocolView(
            contest=contest,
            style=style,
            title=_texts(e.contest(contest).title),
            lines=tuple(
                LineView(
                    ln.number,
                    ln.id,
                    _texts(ln.title),
                    ln.source,
                    typed.get(ln.id) if ln.source == "entered" else values.get(ln.id),
                )
                for ln in form.lines
            ),
            ratios=tuple(
                RatioView(
                    r.id, titles[r.id], r.ok, r.left, r.op, r.right, r.left_sum, r.right_sum, r.difference
                )
                for r in checks
            ),
            saved=saved is not None and saved == {k: typed.get(k) for k in wanted},
            version=latest.version if latest else None,
            signers=tuple(x for x, _, _ in self.store.signatures(contest, latest.version)) if latest else (),
            finalised=bool(latest and latest.finalised),
            blocked=blocked,
        )

    def enter_protocol(self, contest: str, lines: dict[str, int]) -> ProtocolView:
        """Save the lines the commission typed (the protocol store keeps every entry)."""
        self._need_commission("enter_protocol")
        self._desk().enter({contest: lines})
        return self.protocol_view(contest)

    def _closed_and_sound(self) -> None:
        state = self.journal.state
        if state not in ("closed", "finalised", "exported", "synced"):
            raise SanaqError("protocol_not_ready", f"the station is {state}; close it first")
        report = self.journal.verify()
        if not report.ok:
            raise SanaqError("journal_corrupt", "; ".join(report.problems[:3]))

    def _prepared(self, desk: Desk, contest: str) -> Version:
        """The version to sign and preview (the device signs a new one when the lines or the
        journal changed since; refused while a ratio fails)."""
        return desk.prepare(contest, self._facts(contest), load_device_key(self.data), None)

    def preview_protocol(self, contest: str, width: int = 1200) -> PreviewImage:
        """The first page of the printed protocol (the same PDF `print` makes, with the
        signatures so far), rendered `width` pixels wide, for the screen: the window shows it
        1:1 at its panel's scale (no texture scaling, no blur) and scrolls down the page. Run in
        the worker, decoding included: the window only uploads the pixels."""
        self._need_actor()
        self._closed_and_sound()
        desk = self._desk()
        assert self.package is not None
        v = self._prepared(desk, contest)
        doc = desk.document(contest, v)
        pdf = render_pdf(verify_document(doc, desk.trust, require_final=False), doc, self.package.election)
        out = self.data / PRINTS / f"preview-{contest}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        width = max(200, min(int(width), 4000))
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "p.pdf").write_bytes(pdf)
            try:
                subprocess.run(
                    # -scale-to-x W -scale-to-y -1: W pixels wide, the page's own proportions.
                    [
                        *("pdftoppm", "-png", "-gray", "-scale-to-x", str(width), "-scale-to-y", "-1"),
                        *("-f", "1", "-l", "1", "-singlefile", "p.pdf", "page"),
                    ],
                    cwd=tmp,
                    check=True,
                    capture_output=True,
                    timeout=60,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                raise SanaqError("kiosk_fault", f"pdftoppm: {exc}") from exc
            (Path(tmp) / "page.png").replace(out)
        from PIL import Image as PILImage

        with PILImage.open(out) as im:
            grey = im.convert("L")
            return PreviewImage(out, grey.width, grey.height, grey.tobytes())

    def sign_protocols(self, member: str, pin: str, dissent: str | None = None) -> list[ProtocolView]:
        """A member approves (or dissents from) every protocol of the station with their PIN:
        the PIN unlocks their key (wrong PINs count towards their lock-out)."""
        self._need_actor()
        self._closed_and_sound()
        desk = self._desk()
        assert self.commission is not None
        versions = [(c, self._prepared(desk, c)) for c in desk.contests()]
        # A wrong PIN is recorded by the protocol store (pin_failed, towards the lock-out), not
        # in the journal's chain: the protocol commits to the chain's head, and a link
        # written between two signatures would make a new version to sign again.
        signer, key = self.commission.unlock(member, pin)
        vote: Vote = "dissent" if dissent else "approve"
        assert self.store is not None
        for c, v in versions:
            # Signing again adds nothing: a member's signature on a version is there or not.
            if member not in {x for x, _, _ in self.store.signatures(c, v.version)}:
                desk.sign_member(c, v, signer.name, key, vote, dissent)
        return [self.protocol_view(c) for c in desk.contests()]

    def finalise_protocols(self) -> list[Path]:
        """Finalise every protocol (device, chair and secretary approved, every ratio holds),
        write DATA/protocols/*.protocol.jws.json, and the station's `finalise` step."""
        member = self._need_actor()
        self._closed_and_sound()
        desk = self._desk()
        closing = self.journal.state == "closed"
        if closing:
            # Who may finalise is the lifecycle's: asked before anything is finalised.
            verdict = self.journal.decide("finalise", member.role)
            if isinstance(verdict, Refused):
                self.journal.refuse(member.role, "finalise", verdict.code)
                raise SanaqError(verdict.code, verdict.detail)
        paths = [desk.finalise(c, self._facts(c), self.data / PROTOCOLS)[1] for c in desk.contests()]
        if closing:
            self.transition("finalise")
        log.info("protocols finalised by %s", member.role)
        self._sync_autostart()  # sync3: the background sync delivers them (headquarters configured)
        return paths

    def print_protocols(self) -> list[Printed]:
        """The printed protocol (A4 PDF with its QR codes) of each finalised protocol, to
        DATA/print/ (the PDF a printer would be given)."""
        self._need_actor()
        desk = self._desk()
        assert self.package is not None and self.store is not None
        out = []
        for c in desk.contests():
            v = self.store.current_finalised(c)
            if v is None:
                raise SanaqError("protocol_not_ready", f"{c}: not finalised")
            doc = desk.document(c, v)
            verified = verify_document(doc, desk.trust)
            path = self.data / PRINTS / f"{verified.protocol.style}.v{v.version}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(render_pdf(verified, doc, self.package.election))
            out.append(Printed(c, v.version, path))
        return out

    def export_to_stick(self, stick: Path | None = None) -> Path:
        """The finalised protocols, NIST results and cast vote records to the USB stick, as
        `sanaq protocol export --to STICK` (kiosk/cli/export.py), then the `export` step."""
        self._need_actor()
        target = stick or self.stick
        if target is None:
            raise SanaqError("export_stick_gone", "no USB stick given (sanaq kiosk --stick)")
        prepared = export_prepare(self.data, self.hq_key, "official", [self.data / PROTOCOLS])
        result = prepared.write(Exporter(prepared.key), target)
        self.transition("export")
        return result.path

    # --- the technician: devices, printer test, calibration ------------------------------------------

    def devices(self) -> DevicesView:
        """Scanners and printers: the ones the kiosk uses and whatever is attached (drivers/
        discovery.py: SANE, serial ports, cameras; CUPS queues). Called again after a hot-plug."""
        self._need_actor()
        found = attached_devices()
        scanners = []
        url = self.scanner_url
        if url:
            if self.slot is not None:
                state = "in_use"
            elif url.startswith("sim:"):
                state = "simulated"
            else:
                state = "present" if _device_present(url, found) else "missing"
            scanners.append(DeviceView("scanner", url, _describe(url, found), state, True))
        for d in found:
            if d["url"] != url:
                scanners.append(DeviceView("scanner", d["url"], d["description"], "present", False))
        printers = []
        if self.printer_url:
            printers.append(DeviceView("printer", self.printer_url, self.printer_url, "configured", True))
        else:
            printers.append(DeviceView("printer", "pdf:", str(self.data / PRINTS), "pdf", True))
        for q in _cups_queues():
            if f"cups://{q}" != self.printer_url:
                printers.append(DeviceView("printer", f"cups://{q}", q, "present", False))
        waiting = len(list((self.data / SPOOL).glob("*.json"))) if (self.data / SPOOL).is_dir() else 0
        histogram, chosen = self.histogram()
        screens = self.histogram_screens() if histogram is not None else ()
        return DevicesView(
            tuple(scanners), tuple(printers), "calibrate" in COMMANDS, waiting, histogram, chosen, screens
        )

    def printer_test(self) -> PrintTest:
        """A test page through the print spool (drivers/printer.py) to the configured printer, or
        to a PDF in DATA/print where none is set: the station, the time, every Kazakh letter."""
        member = self._need_actor()
        when = self.clock.now_iso()
        station = self.journal.meta("station")
        lines = tuple(
            text("printer_test_line", lang, station=station, when=when) for lang in ("kk", "ru", "en")
        )
        job = PrintJob(
            text("printer_test_title", "kk") + " / " + text("printer_test_title", "ru"),
            (*lines, "Ә Ғ Қ Ң Ө Ұ Ү Һ І · ә ғ қ ң ө ұ ү һ і", f"{member.role} {member.name}"),
        )
        pdf = PdfPrinter(self.data / PRINTS) if not self.printer_url else None
        printer = pdf or open_printer(self.printer_url or "")
        spool = PrintSpool(self.data / SPOOL, printer)
        spool.submit(job)
        code = spool.pump()
        # The PDF as the technician finds it in the data folder (print/...), or the printer's URL.
        where = (
            str(pdf.last.relative_to(self.data)) if pdf is not None and pdf.last else (self.printer_url or "")
        )
        return PrintTest(code is None, code, where, len(spool.waiting()))

    def calibrate(self, progress: Callable[[str], None] | None = None) -> CalibrationView:
        """The scanner measured on the calibration sheet: kiosk.calibration.session, the same
        path as `sanaq calibrate scanner`; the profile kept under DATA/calibration and recorded
        in the signed journal (`scanner_calibrated`), passed or failed. `progress` hears
        "scanning", then "recording". The scanner: the one the kiosk has open, else
        `calibration_url` (the kiosk's scanner URL unless set apart)."""
        from kiosk.calibration.profile import summary_lines
        from kiosk.calibration.session import calibrate_scanner
        from kiosk.calibration.store import record_profile

        member = self._need_actor()
        if member.role not in CALIBRATE_ROLES:
            self.journal.refuse(member.role, "calibrate", "role_not_allowed")
            raise SanaqError("role_not_allowed", f"{member.role} may not calibrate")
        self._record("calibrate", member)
        now = self.journal.clock.now_iso()
        actor = {"role": member.role, "member": member.name}
        if progress is not None:
            progress("scanning")
        if self.slot is not None:
            profile = calibrate_scanner(self.slot.inner, now, None, actor)
        else:
            from drivers import open_scanner

            url = self.calibration_url or self.scanner_url
            if not url:
                raise SanaqError("scanner_url_invalid", "no scanner to calibrate")
            with open_scanner(url) as scanner:
                profile = calibrate_scanner(scanner, now, None, actor)
        if progress is not None:
            progress("recording")
        record_profile(self.journal, profile, member.role)
        checks = tuple(
            CalibrationCheckView(
                c["measure"],
                side["image"],
                str(side["measures"]["side"]),
                bool(c["passed"]),
                str(c["code"]),
                str(c["detail"]),
                c.get("value"),
                c.get("limit"),
            )
            for side in profile["sides"]
            for c in side["checks"]
        )
        return CalibrationView(
            bool(profile["passed"]),
            str(profile["scanner"]["key"]),
            str(profile["measured_at"]),
            checks,
            tuple(summary_lines(profile)),
            tuple(dict.fromkeys(str(f["code"]) for f in profile["failures"])),
            tuple(
                {
                    "image": str(side["image"]),
                    "side": str(m["side"]),
                    "scale": f"{m['scale_x']:.4f} × {m['scale_y']:.4f}",
                    "skew": f"{m['skew_deg']:+.2f}°",
                    "white": f"{m['white']:.0f}",
                    "black": f"{m['black']:.0f}",
                    "dpi": f"{m['dpi'][0]:.1f} × {m['dpi'][1]:.1f}",
                }
                for side in profile["sides"]
                for m in (side["measures"],)
            ),
            tuple((k, str(profile["scanner"].get(k) or "")) for k in ("kind", "url", "model", "serial")),
        )

    def histogram(self) -> tuple[Path | None, tuple[float, float] | None]:
        """The latest `mark_thresholds_chosen` link's histogram (as `sanaq marks calibrate` wrote
        it to DATA/reports), only if the file's digest is the one the signed link carries."""
        import hashlib

        from kiosk.calibration.lat import signed_details
        from kiosk.calibration.thresholds import KIND as THRESHOLDS_KIND

        links = signed_details(self.journal, (THRESHOLDS_KIND,))
        if not links:
            return None, None
        detail = links[-1][2]
        chosen = (float(detail["marginal"]), float(detail["marked"]))
        sha = str(detail.get("histogram_sha256") or "")
        path = self.data / "reports" / f"thresholds-{sha[:12]}.png"
        if sha and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha:
            return path, chosen
        return None, chosen

    def histogram_screens(self) -> tuple[tuple[str, Path], ...]:
        """The latest chosen thresholds' histogram drawn again in each screen language: the same
        bars and lines (`histogram_png` with the catalogue's words, `histogram_labels`), from the
        scores in the report the signed link vouches for (`report_sha256`), written to
        DATA/reports/screen/thresholds-SHA12.LANG.png. The official picture (English with Kazakh
        and Russian glosses) stays the one the journal signs. A copy is drawn once per process
        and drawn again if its file no longer has the digest it was written with. Empty: no
        thresholds, or the report is missing, altered, or has no scores (written before the
        report carried them): the screen then shows the official picture."""
        import hashlib

        from kiosk.calibration.lat import signed_details
        from kiosk.calibration.thresholds import KIND as THRESHOLDS_KIND
        from kiosk.calibration.thresholds import histogram_png
        from kiosk.reading.model import Thresholds
        from kiosk.ui.catalogue import LANGS, histogram_labels

        links = signed_details(self.journal, (THRESHOLDS_KIND,))
        if not links or self.station is None:
            return ()
        detail = links[-1][2]
        png_sha = str(detail.get("histogram_sha256") or "")
        report = self.data / "reports" / f"thresholds-{png_sha[:12]}.json"
        try:
            body = report.read_bytes()
        except OSError:
            return ()
        if not png_sha or hashlib.sha256(body).hexdigest() != detail.get("report_sha256"):
            return ()
        try:
            raw = json.loads(body).get("scores")
            scores = {str(k): [float(v) for v in vs] for k, vs in raw.items()}
        except (ValueError, TypeError, AttributeError):
            return ()
        chosen = Thresholds(marginal=float(detail["marginal"]), marked=float(detail["marked"]))
        folder = self.data / "reports" / "screen"
        out = []
        for lang in LANGS:
            path = folder / f"thresholds-{png_sha[:12]}.{lang}.png"
            known = self._screen_copies.get(path)
            if known is None or not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != known:
                title = text("histo_title", lang, station=self.station.station_id)
                png = histogram_png(scores, chosen, title, labels=histogram_labels(lang))
                tmp = path.with_name(f".{path.name}.tmp")
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    tmp.write_bytes(png)
                    os.replace(tmp, path)
                except OSError as exc:  # a full disk: the official picture is shown instead
                    log.warning("histogram copy not written: %s", exc.strerror)
                    return ()
                self._screen_copies[path] = hashlib.sha256(png).hexdigest()
            out.append((lang, path))
        return tuple(out)

    # --- the logic-and-accuracy test ------------------------------------------------------------------

    def test_tally(self) -> TestTallyView:
        """The test counts (test ballots scanned in test mode), per contest, with the package's names."""
        assert self.package is not None
        e = self.package.election
        tally = self.tally("test")
        returned = sum(
            1
            for ev in self.journal.audit_events()
            if ev["kind"] == "sheet_returned" and ev["seq"] > self._test_started_seq()
        )
        contests = []
        for c in e.contests:
            counts = tally["contests"].get(c.id)
            if counts is None:
                continue
            options = tuple((_texts(o.name), counts["options"].get(o.id, 0)) for o in c.options)
            contests.append(
                (_texts(c.title), options, counts["blank"], counts["overvote"], counts["review_pending"])
            )
        return TestTallyView(tally["sheets"], returned, tuple(contests))

    def _test_started_seq(self) -> int:
        starts = [ev["seq"] for ev in self.journal.audit_events() if ev["kind"] == "start_test"]
        return starts[-1] if starts else 1 << 62

    def end_test(self) -> tuple[StatusView, int]:
        """End test mode: the station deletes every test count (they never reach the official
        ones); how many test sheets there were."""
        cleared = self.journal.tally("test").sheets
        return self.transition("end_test"), cleared

    def load_test_deck(self, scheme: str = "full") -> LatExpectedView:
        """The expected tally of this station's test deck, made from the package
        (kiosk.calibration.testdeck.plan_deck, as `sanaq station test-deck` writes it), kept
        as DATA/testdeck/expected-SCHEME.json and in memory for the comparison."""
        from kiosk.calibration.testdeck import plan_deck

        self._need_actor()
        assert self.package is not None and self.station is not None
        plan = plan_deck(self.package.election, self.package.election_hash, self.station.station_id, scheme)
        folder = self.data / "testdeck"
        folder.mkdir(parents=True, exist_ok=True)
        name = "expected-" + scheme.replace(":", "-") + ".json"
        (folder / name).write_text(json.dumps(plan.expected, ensure_ascii=False, indent=1) + "\n")
        self.lat_expected = plan.expected
        return LatExpectedView(
            scheme,
            int(plan.expected["deck"]["total_sheets"]),
            int(plan.expected["sheets"]),
            sum(int(n) for n in plan.expected["returned"].values()),
        )

    def test_report(self) -> LatResultView:
        """Compare the test counts with the loaded expected tally line by line (kiosk.calibration.
        lat, as `sanaq station test-report`): the PDF report in DATA/reports, the result a
        signed `test_deck_result` link."""
        import hashlib

        from kiosk.calibration.lat import record_result, report_pdf, run_test_report

        member = self._need_actor()
        if self.lat_expected is None:
            raise SanaqError("test_deck_mismatch", "no expected tally loaded")
        assert self.package is not None and self.station is not None
        result = run_test_report(
            self.journal,
            self.package.election,
            self.package.election_hash,
            self.station.station_id,
            self.station.invalid,
            self.lat_expected,
        )
        self._record("test_report", member)
        at = self.clock.now_iso()
        pdf = report_pdf(result, self.package.election, member.name, at)
        digest = hashlib.sha256(pdf).hexdigest()
        head = record_result(self.journal, member.role, member.name, result, self.lat_expected, digest)
        out = self.data / "reports"
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"test-deck-{'passed' if result.passed else 'failed'}-{digest[:12]}.pdf"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pdf)
        os.replace(tmp, path)
        self.lat_result, self.lat_at, self.lat_chain = result, at, self.journal.chain_code(head)
        return LatResultView(
            result.passed,
            result.scheme,
            len(result.lines),
            tuple(
                LatLineView(ln.label, ln.expected, ln.actual, ln.diff, self._lat_label(ln.label))
                for ln in result.differing
            ),
            path,
            self.lat_chain,
        )

    def _lat_label(self, raw: str) -> Texts:
        """A line of the test report in words: the option's name from the package, the
        catalogue's words for the other lines, the returned reason's message."""
        from kiosk.ui.catalogue import LANGS, error_text

        if raw in ("sheets counted", "sheets pending"):
            return {lang: text("lat_label_" + raw.replace(" ", "_"), lang) for lang in LANGS}
        if raw.startswith("returned: "):
            reason = raw.split(": ", 1)[1]
            return {lang: text("lat_label_returned", lang, reason=error_text(reason, lang)) for lang in LANGS}
        style, _, key = raw.partition(" / ")
        if key in ("blank", "overvote", "invalid", "review"):
            return {lang: f"{style} / {text('lat_label_' + key, lang)}" for lang in LANGS}
        assert self.package is not None
        e = self.package.election
        try:
            options = {o.id: _texts(o.name) for o in e.contest(e.style(style).contest).options}
        except (KeyError, StopIteration, ValueError):
            options = {}
        name = options.get(key)
        return {lang: f"{style} / {name[lang] if name else key}" for lang in LANGS}

    def print_test_report(self) -> PrintTest:
        """The last report on paper, as the CLI prints it: the thermal receipt
        (kiosk.calibration.lat.receipt_lines) through the print spool to the configured printer,
        or to a PDF in DATA/print where none is set."""
        from kiosk.calibration.lat import receipt_lines

        self._need_actor()
        if self.lat_result is None:
            raise SanaqError("test_deck_not_passed", "no test report yet")
        title, lines = receipt_lines(self.lat_result, self.lat_chain, self.lat_at)
        pdf = PdfPrinter(self.data / PRINTS) if not self.printer_url else None
        spool = PrintSpool(self.data / SPOOL, pdf or open_printer(self.printer_url or ""))
        spool.submit(PrintJob(title, lines))
        code = spool.pump()
        where = (
            str(pdf.last.relative_to(self.data)) if pdf is not None and pdf.last else (self.printer_url or "")
        )
        return PrintTest(code is None, code, where, len(spool.waiting()))

    # --- sync to headquarters and the USB export ------------------------------------------------------

    def _outbox(self) -> Outbox:
        outbox = Outbox(self.data / JOURNAL, trust(self.hq_key))
        # One writer per journal: while the sync loop runs, it queues (its own thread).
        if (self.data / PROTOCOLS).is_dir() and not self.sync_loop_running():
            outbox.queue_folder(self.data / PROTOCOLS)
        return outbox

    def sync_status(self) -> SyncView:
        """The outbox's deliveries (as `sanaq sync status`), each receipt verified and summed up,
        and the USB export beside them."""
        t = trust(self.hq_key)
        assert self.package is not None
        titles = {c.id: _texts(c.title) for c in self.package.election.contests}
        outbox = self._outbox()
        try:
            rows = []
            for d in outbox.status():
                summary = None
                if d.receipt is not None:
                    r = verify_receipt(d.receipt, t, d.key)
                    summary = (
                        titles.get(r.contest, {"kk": r.contest, "ru": r.contest, "en": r.contest}),
                        r.version,
                        r.stored_at,
                    )
                rows.append(DeliveryView(d.name, d.state, d.attempts, d.last_error, summary))
        finally:
            outbox.close()
        exports: list[str] = []
        stick = self.stick if self.stick is not None and self.stick.is_dir() else None
        if stick is not None and (self.data / "device.pub").exists():
            public = load_public_key(self.data / "device.pub")
            for folder in sorted(p for p in stick.iterdir() if p.is_dir()):
                checked = verify_export(folder, public)
                exports.append(f"{folder.name}: {'ok' if checked.ok else checked.code}")
        exported = any(ev["kind"] == "export" for ev in self.journal.audit_events())
        return SyncView(
            tuple(rows),
            self.sync_url(),
            self.journal.state,
            tuple(exports),
            exported,
            str(stick) if stick else None,
        )

    def send_now(self) -> SyncView:
        """The "send now" button: wakes the background sync loop (started if it was not running) rather
        than running a second sender (one writer per journal); the loop tries at once, backoff
        or not. The station's `sync` step follows when every delivery has its receipt."""
        self._need_actor()
        if not self.sync_loop_start():
            if self.sync_endpoint() is None:
                raise SanaqError(
                    "sync_no_headquarters",
                    "no headquarters: the package names none (sanaq kiosk --hq URL --ca PEM in development)",
                )
            raise SanaqError("protocol_not_ready", "no finalised protocol to deliver yet")
        self.sync_step_if_done()
        return self.sync_status()

    # --- the background sync loop (issue 15, sync3) -------------------------------------------------
    #
    # kiosk/sync/loop.py's SyncLoop in a thread of its own, with its own journal and outbox
    # connection built in that thread (`run`): forever while the kiosk runs, exponential backoff
    # with full jitter. Its status snapshots go to `sync_listener` (the window posts them
    # through Kivy's Clock; the thread never touches a widget). Started when headquarters is
    # configured and there is something to deliver; stopped by close().

    sync_listener: Callable[[LoopStatus], None] | None = None
    sync_backoff: Backoff | None = None  # None: Backoff() (base 1 s, cap 300 s, full jitter)
    sync_idle_poll: float = 30.0
    _sync_thread: threading.Thread | None = None
    _sync_stop: threading.Event | None = None
    _sync_loop: SyncLoop | None = None
    _sync_last: LoopStatus | None = None

    def sync_endpoint(self) -> tuple[str, ssl.SSLContext] | None:
        """Where the kiosk sends: `--hq URL --ca PEM` (development), else the signed package's
        `headquarters` pin (its first URL unless --hq names another); None: nowhere."""
        if self.hq_url and self.hq_ca is not None:
            return self.hq_url, pinned_context(self.hq_ca)
        if self.package is None or self.package.election.headquarters is None:
            return None
        urls, ctx = headquarters_of(self.package)
        return self.hq_url or urls[0], ctx

    def sync_url(self) -> str | None:
        if self.hq_url:
            return self.hq_url
        hq = self.package.election.headquarters if self.package is not None else None
        return hq.urls[0] if hq is not None else None

    def sync_loop_running(self) -> bool:
        return self._sync_thread is not None and self._sync_thread.is_alive()

    def sync_loop_status(self) -> LoopStatus | None:
        """The loop's last snapshot (None before it ran)."""
        return self._sync_last

    def sync_loop_start(self) -> bool:
        """Starts the loop when headquarters is configured and a finalised protocol waits;
        wakes it when it runs already. True when it runs."""
        if self.sync_loop_running():
            if self._sync_loop is not None:
                self._sync_loop.wake()
            return True
        endpoint = self.sync_endpoint()
        protocols = self.data / PROTOCOLS
        if endpoint is None or not any(protocols.glob("*.protocol.jws.json")):
            return False
        url, ctx = endpoint
        data, hq_key = self.data, self.hq_key
        backoff, idle_poll = self.sync_backoff or Backoff(), self.sync_idle_poll
        senders: list[Sender] = []

        def make() -> SyncLoop:  # in the sync thread: its own journal connection
            from kiosk.cli.sync import queue_all

            outbox = Outbox(data / JOURNAL, trust(hq_key))
            sender = Sender(outbox, url, load_device_key(data), trust(hq_key), ctx, timeout=10.0)
            senders.append(sender)
            loop = SyncLoop(
                outbox,
                sender.send_one,
                time.monotonic,
                backoff,
                queue=lambda: queue_all(outbox, data, hq_key),
                idle_poll=idle_poll,
            )
            self._sync_loop = loop
            return loop

        def body() -> None:
            try:
                run(make, stop, self._sync_posted)
            except Exception:  # a bug must not pass silently; the kiosk goes on (USB remains)
                log.exception("sync loop stopped")
            finally:
                for s in senders:
                    s.close()

        stop = threading.Event()
        self._sync_stop = stop
        self._sync_thread = threading.Thread(target=body, name="sanaq-sync", daemon=True)
        self._sync_thread.start()
        return True

    def _sync_autostart(self) -> None:
        """sync_loop_start where the kiosk starts it by itself: a bad pin (an unreadable --ca)
        is logged and shown on the sync screen ("send now" says it), never stops the station."""
        try:
            self.sync_loop_start()
        except SanaqError as exc:
            log.warning("sync loop not started: %s", exc.code)

    def _sync_posted(self, status: LoopStatus) -> None:
        """In the sync thread: keep the snapshot, hand it on (the window posts it to its thread)."""
        self._sync_last = status
        listener = self.sync_listener
        if listener is not None:
            listener(status)

    def sync_loop_stop(self, timeout: float = 15.0) -> None:
        if self._sync_stop is not None:
            self._sync_stop.set()
        if self._sync_thread is not None:
            self._sync_thread.join(timeout)
        self._sync_thread, self._sync_stop, self._sync_loop = None, None, None

    def sync_step_if_done(self) -> StatusView | None:
        """The station's `sync` step, taken by the signed-in member once every delivery has its
        receipt and the export is done (the one path: "send now" and the loop's status). None
        when not yet (nobody signed in, a delivery without receipt, not exported)."""
        if self.actor is None or self.station is None or self.journal.state != "exported":
            return None
        outbox = Outbox(self.data / JOURNAL, trust(self.hq_key))  # read only here
        try:
            done = outbox.status()
        finally:
            outbox.close()
        if not done or not all(d.state == "receipt received" for d in done):
            return None
        if isinstance(self.journal.decide("sync", self.actor.role), Refused):
            return None
        return self.transition("sync")

    def close(self) -> None:
        self.sync_loop_stop()  # sync3: the loop's thread ends before the journal closes
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.station is not None:
            self.station.journal.close()
            self.station = None


# --- devices --------------------------------------------------------------------------------------------


class PdfPrinter:
    """The kiosk's printer where none is set: each job a PDF page in `folder`, every line drawn
    as `drivers.printer` draws a Kazakh line for a thermal printer (80 mm, 203 dpi)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.last: Path | None = None

    def print_job(self, job: PrintJob) -> None:
        from PIL import Image as PILImage

        rows = [line_image(job.title, size=30)] + [line_image(line) for line in job.lines]
        page = PILImage.new("1", (576 + 48, sum(r.height for r in rows) + 24 * (len(rows) + 1)), 1)
        y = 24
        for r in rows:
            page.paste(r, (24, y))
            y += r.height + 24
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"printer-test-{job.id or 'job'}.pdf"
        try:
            page.convert("L").save(path, "PDF", resolution=203.0)
        except OSError as exc:
            raise SanaqError("printer_offline", f"{path}: {exc.strerror}") from exc
        self.last = path


def _device_present(url: str, found: list[dict[str, str]]) -> bool:
    if any(d["url"] == url for d in found):
        return True
    if url.startswith("serial://"):
        return Path(url[len("serial://") :].split("?", 1)[0]).exists()
    if url.startswith("camera://"):
        return Path(url[len("camera://") :].split("?", 1)[0]).exists()
    return False


def _describe(url: str, found: list[dict[str, str]]) -> str:
    return next((d["description"] for d in found if d["url"] == url), url.split("?", 1)[0].rstrip(":"))


def _cups_queues() -> list[str]:
    """CUPS print queues (`lpstat -e`), where CUPS is installed and running."""
    if shutil.which("lpstat") is None:
        return []
    try:
        done = subprocess.run(["lpstat", "-e"], capture_output=True, text=True, timeout=3, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [q for q in done.stdout.split() if q] if done.returncode == 0 else []


# --- the worker thread ------------------------------------------------------------------------------------

Post = Callable[[Callable[[], None]], None]


class StationWorker:
    """Runs every KioskService call in one thread; answers come back through `post`.

    `call(fn, done, failed)`: fn(service) runs in the worker; done(result) or failed(error)
    runs wherever `post` puts it (the window's thread, through Clock)."""

    def __init__(self, service: KioskService, post: Post) -> None:
        self.service = service
        self.post = post
        self.jobs: queue.Queue[tuple[Callable[[KioskService], Any], Any, Any] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="sanaq-station", daemon=True)
        self.busy = threading.Event()
        self.thread.start()

    def call(
        self,
        fn: Callable[[KioskService], Any],
        done: Callable[[Any], None] | None = None,
        failed: Callable[[SanaqError], None] | None = None,
    ) -> None:
        self.jobs.put((fn, done, failed))

    def _run(self) -> None:
        # The window's thread draws; this one reads, records and waits on devices. Where both
        # want the CPU, the window goes first (Linux: a thread has its own nice value).
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)
        except (AttributeError, OSError):
            log.info("station thread priority unchanged")
        while True:
            job = self.jobs.get()
            if job is None:
                self.service.close()
                return
            fn, done, failed = job
            self.busy.set()
            try:
                result = fn(self.service)
            except SanaqError as exc:
                log.info("kiosk action refused: %s", exc.code)
                if failed is not None:
                    self.post(functools.partial(failed, exc))
            except Exception as exc:  # a bug must not kill the station thread silently
                log.exception("kiosk action failed")
                if failed is not None:
                    self.post(functools.partial(failed, SanaqError("kiosk_fault", type(exc).__name__)))
            else:
                if done is not None:
                    self.post(functools.partial(done, result))
            finally:
                self.busy.clear()
                self.jobs.task_done()

    def stop(self, timeout: float = 10.0) -> None:
        if self.service.slot is not None:
            self.service.slot.stop.set()
        self.jobs.put(None)
        self.thread.join(timeout)
