"""The station's lifecycle: an explicit state machine, pure.

    unconfigured -> configured -> testing -> configured      (logic-and-accuracy test)
    configured -> open <-> paused -> closed -> finalised -> exported -> synced
    scanning: while testing (test ballots), open, and closed (the batch after close)

`decide` says what an action does from a state, for a role, or why it is refused (a
stable code). It touches nothing: the journal records the transition and the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.vocabulary import Action as Action
from kiosk.vocabulary import ErrorCode
from kiosk.vocabulary import Role as Role

State = Literal[
    "unconfigured", "configured", "testing", "open", "paused", "closed", "finalised", "exported", "synced"
]

ROLES: tuple[Role, ...] = ("chair", "secretary", "member", "technician")

# action -> (states it may start from, state it leads to, roles allowed)
TRANSITIONS: dict[Action, tuple[frozenset[State], State | None, frozenset[Role]]] = {
    "configure": (frozenset({"unconfigured"}), "configured", frozenset({"chair", "technician"})),
    "start_test": (frozenset({"configured"}), "testing", frozenset({"chair", "technician"})),
    "end_test": (frozenset({"testing"}), "configured", frozenset({"chair", "technician"})),
    "open": (frozenset({"configured"}), "open", frozenset({"chair"})),
    "pause": (frozenset({"open"}), "paused", frozenset({"chair", "secretary", "member"})),
    "resume": (frozenset({"paused"}), "open", frozenset({"chair", "secretary", "member"})),
    "close": (frozenset({"open", "paused"}), "closed", frozenset({"chair"})),
    "finalise": (frozenset({"closed"}), "finalised", frozenset({"chair"})),
    "export": (frozenset({"finalised", "exported", "synced"}), "exported", frozenset({"chair", "secretary"})),
    "sync": (frozenset({"exported", "synced"}), "synced", frozenset({"chair", "secretary", "technician"})),
    # Scanning keeps the state; it is allowed while testing (test ballots), open (voters feed
    # their ballots) and closed: the batch after close, when a box (the portable box, or a
    # whole box at a station counting with a document scanner's feeder) is counted before
    # the protocol is finalised.
    "scan": (frozenset({"testing", "open", "closed"}), None, frozenset(ROLES)),
}


# Attack6 (secrecy): a sheet set aside for review is decided only once the polls are closed.
# Decided while they are open, its `review_decided` link sat in the chain after as many
# `sheet_recorded` links as sheets were counted before it, and the decided record is the one
# whose `decision` is set: one copy of the journal after close placed that ballot among the
# first k voters (the k-th when decided at once). The protocol needs none waiting, so the
# commission decides them all after close, before the protocol. Test mode (test ballots,
# whose votes are known and deleted at the end of the test) decides as before.
REVIEW_WHILE_OPEN: frozenset[State] = frozenset({"open", "paused"})


def review_refusal(state: State) -> Refused | None:
    """Why the commission may not decide a sheet set aside for review now, or None."""
    if state in REVIEW_WHILE_OPEN:
        return Refused("review_while_open", f"reviews are decided after the polls close (now {state})")
    return None


@dataclass(frozen=True)
class ProfileFact:
    """The latest calibration of one scanner recorded in the journal (issue 16)."""

    scanner: str
    age_days: float
    passed: bool
    intact: bool  # its file still hashes to the link


@dataclass(frozen=True)
class CalibrationFacts:
    required: bool  # the package's `scanner_calibration_required`
    max_age_days: int
    profiles: tuple[ProfileFact, ...] = ()


def calibration_refusal(facts: CalibrationFacts) -> Refused | None:
    """Opening needs a scanner whose latest profile passed, is intact and recent enough;
    a profile file swapped under its link refuses whatever else there is."""
    if not facts.required:
        return None
    changed = [p.scanner for p in facts.profiles if not p.intact]
    if changed:
        return Refused("calibration_profile_changed", ", ".join(changed))
    if not facts.profiles:
        return Refused("calibration_missing", "no scanner calibrated on this station")
    if any(
        p.passed and p.age_days + 1 / 24 >= 0 and p.age_days <= facts.max_age_days for p in facts.profiles
    ):
        return None
    passed = [p for p in facts.profiles if p.passed]
    if not passed:
        return Refused("calibration_failed", ", ".join(p.scanner for p in facts.profiles))
    youngest = min(passed, key=lambda p: abs(p.age_days))
    return Refused(
        "calibration_stale",
        f"{youngest.scanner}: measured {youngest.age_days:.1f} days ago, at most {facts.max_age_days}",
    )


@dataclass(frozen=True)
class Allowed:
    next_state: State


@dataclass(frozen=True)
class Refused:
    code: ErrorCode
    detail: str


def decide(
    state: State,
    action: str,
    role: str,
    *,
    official_counts_zero: bool = True,
    pending_sheets: int = 0,
    test_deck_passed: bool = True,
    calibration: CalibrationFacts | None = None,
) -> Allowed | Refused:
    """`test_deck_passed`: False when the package requires a logic-and-accuracy test and no
    passed one is recorded after the last scanner calibration (the station works it out from
    its journal: `kiosk.calibration.lat.passed_test_deck`). `calibration`: the scanners'
    calibrations (issue 16), given by the station, which holds the package; None where no
    package is at hand (tools and tests on a bare journal)."""
    if role not in ROLES:
        return Refused("role_unknown", role)
    if action not in TRANSITIONS:
        return Refused("action_unknown", action)
    sources, target, roles = TRANSITIONS[action]
    if state not in sources:
        return Refused("action_not_allowed_now", f"{action} from {state}")
    if role not in roles:
        return Refused("role_not_allowed", f"{role} may not {action}")
    if action == "open" and not official_counts_zero:
        # Polls never open over a ballot box that already holds counted ballots.
        return Refused("counts_not_zero", "official counts are not zero")
    if action == "open" and calibration is not None:
        refusal = calibration_refusal(calibration)
        if refusal is not None:
            return refusal
    if action == "open" and not test_deck_passed:
        # Issue 16: no official counting before the station's own test deck counted right.
        return Refused("test_deck_not_passed", "no passed logic-and-accuracy test since the last calibration")
    if action in ("close", "end_test", "finalise") and pending_sheets:
        return Refused("sheets_pending", f"{pending_sheets} sheet(s) not settled")
    return Allowed(target if target is not None else state)
