"""The station service: scanner -> reader -> journal -> drop or return.

The same service serves the headless commands and (later) the kiosk window. It owns the
order of operations that keeps every ballot counted exactly once:

    read -> record (one commit, sheet pending) -> scanner drops it -> confirm (commit)

and after a restart it settles every pending sheet from what the scanner reports before
it reads anything new.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from kiosk.calibration.apply import ReaderCalibration
from kiosk.election.package import LoadedPackage, development_reason
from kiosk.election.rules import invalid_outcomes, returned_to_voter
from kiosk.errors import SanaqError
from kiosk.reading.model import SideReading, Thresholds
from kiosk.station.clockcheck import WARNING_KIND, clock_findings
from kiosk.station.journal import Journal, Mode
from kiosk.station.lifecycle import CalibrationFacts, Refused, calibration_refusal, decide
from kiosk.station.ports import ScannerPort, Whereabouts
from kiosk.station.reports import Slip, make_slip

if TYPE_CHECKING:
    # pass32: the reader (and its compiled kernels, about 1.5 s of a fresh process) is loaded
    # when a station first reads a sheet, not by every command that opens the journal.
    from kiosk.reading.reader import BallotReader

log = logging.getLogger("sanaq.station")

Answer = Literal["box", "returned"]
# handle -> (answer, the answering member's role, their name): the audit records who answered.
AskCommission = Callable[[str], tuple[Answer, str, str]]
# The second chance (issue 14): asked with a blank or over-marked sheet's invalid contests,
# ((contest id, outcome), ...), before the package returns it to the voter; answers
# "return" (give it back) or "cast" (count it as it is: invalid).
SecondChanceAsk = Callable[[tuple[tuple[str, str], ...]], Literal["return", "cast"]]


class SystemClock:
    def now_iso(self) -> str:
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class FixedClock:
    """For tests: time never moves unless the test says so."""

    at: str = "2023-03-19T07:00:00+06:00"

    def now_iso(self) -> str:
        return self.at


@dataclass
class ScanSummary:
    counted: int = 0
    returned: int = 0
    review: int = 0
    settled: int = 0
    reasons: dict[str, int] | None = None
    stopped: str | None = None  # an error code that stopped the scan
    cast_as_is: int = 0  # of `counted`: invalid sheets the voter chose to cast (second chance)

    def to_json(self) -> dict[str, Any]:
        return {
            "counted": self.counted,
            "returned": self.returned,
            "review": self.review,
            "settled": self.settled,
            "reasons": self.reasons or {},
            "stopped": self.stopped,
        }


def fingerprints(images: tuple[bytes, ...]) -> list[str]:
    return [hashlib.sha256(i).hexdigest() for i in images]


def reading_record(reading: SideReading) -> dict[str, Any]:
    """What the journal keeps of a reading: no file name, no image, no time."""
    full = reading.to_json()
    return {"style": full["style"], "status": full["status"], "contests": full["contests"]}


def scanner_identity(scanner: ScannerPort) -> dict[str, Any]:
    """What the audit records of the scanner of a scan session (issue 11). A scanner that
    cannot say what it is (no `identity`) counts as simulated: closed by default."""
    identify = getattr(scanner, "identity", None)
    if identify is None:
        return {"kind": type(scanner).__name__, "simulated": True}
    return dict(identify())


class Station:
    def __init__(self, journal: Journal, package: LoadedPackage, development: bool = False) -> None:
        """`development`: the explicit switch (`--development`, SANAQ_DEVELOPMENT=1) under
        which simulated scanners and development packages may count officially; it is
        recorded with every scan session."""
        self.journal = journal
        self.package = package
        self.development = development
        station_id = journal.meta("station")
        if journal.meta("election_hash") != package.election_hash:
            raise SanaqError("wrong_election", "the journal belongs to another election package")
        self.station_id = station_id
        # One reader per mode, scanner calibration and mark thresholds in force: a long-lived
        # station (the kiosk) reads with a new calibration or new thresholds from the next sheet.
        self._readers: dict[tuple[Mode, ReaderCalibration | None, Thresholds], BallotReader] = {}
        # The profile of the scanner of the current scan session (issue 16), for the reader.
        self.calibration: ReaderCalibration | None = None

    def note_actor(self, action: str, role: str, member: str, development: bool = False) -> None:
        """Who acts, by name as well as role, in the audit chain ahead of the action (and
        whether the development switch was on)."""
        detail: dict[str, Any] = {"action": action, "member": member}
        if development:
            detail["development"] = True
        self.journal._append_audit("actor", role, detail)

    def check_clock(self) -> list[tuple[str, str]]:
        """Flag a clock set back or far from the election's date: recorded in the audit
        (one `clock_warning` link each) and returned for the caller to show. Never refuses."""
        findings = clock_findings(
            self.journal.audit_events(), self.journal.clock.now_iso(), self.package.election.election.date
        )
        for code, detail in findings:
            self.journal._append_audit(WARNING_KIND, None, {"code": code, "detail": detail})
            log.warning("clock: %s (%s)", code, detail)
        return findings

    def reader(self, mode: Mode) -> BallotReader:
        """The reader for `mode` with what is in force now: the scan session's scanner
        calibration (`self.calibration`) and the mark thresholds last chosen from this station's
        own scans (issue 16; the journal's latest signed link, checked each time). The same
        reader while neither changes; a new one from the moment either does (a recalibration of
        the same scanner, thresholds chosen between two test runs), never the first one's."""
        from kiosk.calibration.thresholds import recorded_thresholds
        from kiosk.reading.reader import BallotReader

        key = (mode, self.calibration, recorded_thresholds(self.journal))
        if key not in self._readers:
            self._readers[key] = BallotReader(
                self.package.election,
                self.package.election_hash,
                self.station_id,
                mode,
                thresholds=key[2],
                calibration=self.calibration,
            )
        return self._readers[key]

    @property
    def invalid(self) -> tuple[str, ...]:
        """The outcomes this package's rules make invalid (kiosk.election.rules)."""
        return invalid_outcomes(self.package.election.rules)

    def transition(self, action: str, role: str) -> Slip:
        """A lifecycle step and the paper it calls for (zero report, slip, closing report).
        Refused: `SanaqError` with the refusal's code (the refusal is in the audit)."""
        facts: dict[str, bool] = {}
        if action == "open":
            # Issue 16: the logic-and-accuracy test, when the package requires it.
            from kiosk.calibration.lat import passed_test_deck

            facts["test_deck_passed"] = passed_test_deck(self.journal, self.package.election.rules)
        calibration = self.calibration_facts() if action == "open" else None
        verdict = self.journal.decide(action, role, calibration, **facts)
        if isinstance(verdict, Refused) and verdict.code.startswith("calibration_") and self.development:
            # The development switch (simulated scanners, the sample package) may open without
            # a passing calibration; the waiver is in the audit, with what it waived.
            self.journal._append_audit(
                "calibration_waived", role, {"code": verdict.code, "detail": verdict.detail}
            )
            verdict = self.journal.decide(action, role, None, **facts)
        if isinstance(verdict, Refused):
            self.journal.refuse(role, action, verdict.code)
            raise SanaqError(verdict.code, verdict.detail)
        self.journal.apply_transition(action, role, verdict.next_state)
        return make_slip(self.journal, action, role, self.invalid)

    def calibration_facts(self) -> CalibrationFacts:
        """The scanners' calibrations recorded in this journal, against the package's rules."""
        from kiosk.calibration.store import facts

        rules = self.package.election.rules
        return facts(self.journal, rules.scanner_calibration_required, rules.calibration_max_age_days)

    def scanner_calibration_refusal(self, identity: dict[str, Any]) -> Refused | None:
        """Why this scanner may not count officially for want of a calibration, or None."""
        from kiosk.calibration.profile import scanner_key

        facts = self.calibration_facts()
        key = scanner_key(identity)
        mine = tuple(p for p in facts.profiles if p.scanner == key)
        refusal = calibration_refusal(dataclasses.replace(facts, profiles=mine))
        if refusal is not None and refusal.code == "calibration_missing":
            return Refused("calibration_missing", f"scanner {key} is not calibrated on this station")
        return refusal

    # --- settling after a restart ----------------------------------------------------------------

    def settle(self, scanner: ScannerPort, ask: AskCommission | None = None) -> int:
        """Settle every pending sheet from what the scanner reports; ask the commission where
        nothing can tell. Never guesses."""
        settled = 0
        for sheet_id, handle in self.journal.pending():
            where: Whereabouts = scanner.where(handle)
            if where == "held":
                scanner.accept(handle)
                self.journal.confirm_dropped(sheet_id)
            elif where == "box":
                self.journal.confirm_dropped(sheet_id)
            elif where == "returned":
                self.journal.void_pending(sheet_id, "scanner returned it")
            else:
                if ask is None:
                    raise SanaqError("pending_needs_commission")
                answer, role, who = ask(handle)
                self.journal.settle_by_commission(sheet_id, answer, role, who)
            settled += 1
        return settled

    # --- scanning -----------------------------------------------------------------------------------

    def _admit(self, scanner: ScannerPort, role: str) -> tuple[Mode, dict[str, Any]]:
        """May `role` scan now, with this scanner? The mode and the scanner's identity, or
        `SanaqError` (the refusal is in the audit)."""
        state = self.journal.state
        verdict = decide(state, "scan", role)
        if isinstance(verdict, Refused):
            self.journal.refuse(role, "scan", verdict.code)
            raise SanaqError(verdict.code, f"scan while {state}")
        self.journal.check_state()  # the chain's state, not an edited one, allows scanning
        mode: Mode = "test" if state == "testing" else "official"
        identity = scanner_identity(scanner)
        if mode == "official" and not self.development:
            # Closed by default: generated or emulated sheets, or a package not meant for a
            # real count, never reach the official count without the development switch.
            not_official = development_reason(self.package)
            if not_official is not None:
                self.journal.refuse(role, "scan", "package_not_official")
                raise SanaqError("package_not_official", not_official)
            if identity.get("simulated") is not False:  # simulated, or not known to be real
                self.journal.refuse(role, "scan", "scanner_simulated")
                raise SanaqError("scanner_simulated", str(identity.get("kind")))
            # This scanner, not just some scanner, calibrated on this station (issue 16).
            uncalibrated = self.scanner_calibration_refusal(identity)
            if uncalibrated is not None:
                self.journal.refuse(role, "scan", uncalibrated.code)
                raise SanaqError(uncalibrated.code, uncalibrated.detail)
        return mode, identity

    def scan(
        self,
        scanner: ScannerPort,
        role: str,
        limit: int | None = None,
        progress: Callable[[ScanSummary], None] | None = None,
        ask: AskCommission | None = None,
        *,
        member: str | None,
        second_chance: SecondChanceAsk | None = None,
    ) -> ScanSummary:
        """Count until the scanner runs out, stops, or `limit` sheets. `role` and `member` have
        no default (closed defaults, issue 11): whoever scans is named by the caller and
        recorded in the scan session's audit link. `second_chance`: asked
        before a blank or over-marked ballot goes back to the voter (when the package says
        so); "cast" counts it, as invalid, through the same path as any other sheet."""
        mode, identity = self._admit(scanner, role)
        # The scanner of every scan session, and the switch it ran under, in the audit chain.
        # No session is counted unrecorded: if this link cannot be written (the stick was
        # pulled), nothing is read.
        try:
            self.journal._append_audit(
                "scan_session",
                role,
                {"member": member, "mode": mode, "scanner": identity, "development": self.development},
            )
        except SanaqError as exc:
            return ScanSummary(reasons={}, stopped=exc.code)
        from kiosk.calibration.profile import scanner_key
        from kiosk.calibration.store import reader_calibration

        self.calibration = reader_calibration(self.journal, scanner_key(identity))
        reader = self.reader(mode)
        rules = self.package.election.rules
        summary = ScanSummary(reasons={})
        summary.settled = self.settle(scanner, ask)
        dropped: str | None = None  # in the box; its confirmation rides on the next commit
        sheets = scanner.feed()
        while True:
            if limit is not None and summary.counted + summary.returned >= limit:
                break
            try:
                fed = next(sheets, None)
            except SanaqError as exc:
                # A jam, an open cover, a pulled cable: nothing of this sheet was recorded, so
                # nothing is lost; stop and show the message. Scanning again resumes.
                summary.stopped = exc.code
                log.warning("scanner stopped: %s", exc.code)
                break
            if fed is None:
                break
            reading = reader.read_sheet(list(fed.images))
            reason = reading.reason
            cast_as_is = False
            if reading.status != "rejected" and returned_to_voter(
                rules, (c.outcome for c in reading.contests)
            ):
                reason = "invalid_returned"
                if second_chance is not None:
                    invalid = invalid_outcomes(rules)
                    problems = tuple((c.contest, c.outcome) for c in reading.contests if c.outcome in invalid)
                    answer = "cast" if second_chance(problems) == "cast" else "return"
                    try:
                        # The answer only, never the voter's choices, and no time (a `sheet_`
                        # link: secrecy).
                        self.journal._append_audit("sheet_second_chance", role, {"answer": answer})
                    except SanaqError as exc:
                        # Nothing of this sheet is recorded: it goes back, and counting stops.
                        scanner.return_sheet(fed.handle, exc.code)
                        summary.stopped = exc.code
                        break
                    if answer == "cast":
                        reason, cast_as_is = None, True
            if reading.status == "rejected" or reason == "invalid_returned":
                code = reason or "unreadable"
                try:
                    scanner.return_sheet(fed.handle, code)
                except SanaqError as exc:
                    # The scanner went away with the sheet: it will be offered again, and
                    # returned (and counted as returned) then.
                    summary.stopped = exc.code
                    break
                self.journal.sheet_returned(code)
                summary.returned += 1
                assert summary.reasons is not None
                summary.reasons[code] = summary.reasons.get(code, 0) + 1
                log.info("sheet returned: %s", code)
            else:
                try:
                    sheet_id = self.journal.record_sheet(
                        mode,
                        reading.style or "",
                        reading_record(reading),
                        fingerprints(fed.images),
                        fed.handle,
                        confirm_previous=dropped,
                    )
                    dropped = None
                except SanaqError as exc:
                    # Not recorded (or recorded but its mirror copy failed): the sheet must not
                    # reach the box uncounted. Give it back when nothing was recorded; stop either way.
                    if exc.code not in ("mirror_unavailable", "sheet_already_counted"):
                        scanner.return_sheet(fed.handle, exc.code)
                    summary.stopped = exc.code
                    log.error("counting stopped: %s", exc.code)
                    break
                try:
                    scanner.accept(fed.handle)
                except SanaqError as exc:
                    # Recorded but the drop is not known to have happened: the sheet stays
                    # pending and the next scan settles it from what the scanner reports.
                    summary.counted += 1
                    summary.review += reading.status == "review"
                    summary.stopped = exc.code
                    log.warning("drop not confirmed: %s", exc.code)
                    break
                dropped = sheet_id
                summary.counted += 1
                summary.cast_as_is += cast_as_is
                summary.review += reading.status == "review"
            if progress is not None:
                progress(summary)
        if dropped is not None:
            try:
                self.journal.confirm_dropped(dropped)
            except SanaqError as exc:
                # It stays pending, and the next start settles it from the scanner.
                summary.stopped = summary.stopped or exc.code
        return summary
