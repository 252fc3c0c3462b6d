"""What the station gives the commission on paper at each lifecycle step.

The station makes these (the CLI, the demo and the kiosk window only show or print them):

- the zero report at `open`: every official count is zero, the device key's id, and the
  chain code; its digest is a signed link of the journal;
- a slip at every pause and resume: the state, the time, the public count, the chain code;
- the closing report at `close` and the final report at `finalise` (after the batch counted
  after close): the tally (invalid lines by the package's rules) and the chain code, each
  digest a signed link. The signed protocol carries the final chain head.

The chain code is the short form of the chain head after the step. The commission keeps
the paper: a journal rolled back to an earlier copy, or rewritten and re-signed, shows
another code than the last paper (`sanaq station status` prints the current one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.election.rules import invalid_outcomes
from kiosk.station.chain import chain_code
from kiosk.station.device import device_key_id
from kiosk.station.journal import Journal

# The lifecycle steps that make a report (a signed link in the journal), and its name.
REPORTS = {"open": "zero", "close": "closing", "finalise": "final"}


@dataclass(frozen=True)
class Slip:
    action: str
    state: str
    at: str
    station: str
    official_sheets: int
    chain_head: str
    device_key_id: str | None
    report: dict[str, Any] | None = field(default=None)

    @property
    def chain_code(self) -> str:
        return chain_code(self.chain_head)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "action": self.action,
            "state": self.state,
            "at": self.at,
            "station": self.station,
            "official_sheets": self.official_sheets,
            "chain_head": self.chain_head,
            "chain_code": self.chain_code,
            "device_key_id": self.device_key_id,
        }
        if self.report is not None:
            out["report"] = self.report
        return out

    def lines(self) -> list[str]:
        """The slip as printed."""
        title = f"{REPORTS[self.action].upper()} REPORT" if self.action in REPORTS else self.action.upper()
        out = [
            title,
            f"station {self.station}   {self.at}",
            f"state {self.state}   official sheets {self.official_sheets}",
        ]
        if self.report is not None and "contests" in self.report:
            for contest, c in self.report["contests"].items():
                opts = ", ".join(f"{k} {v}" for k, v in c["options"].items())
                out.append(
                    f"{contest}: {opts}; blank {c['blank']}, overvote {c['overvote']}, invalid {c['invalid']}"
                )
        out += [f"device key {self.device_key_id}", f"chain code {self.chain_code}"]
        return out


def make_slip(journal: Journal, action: str, role: str, invalid: tuple[str, ...]) -> Slip:
    """After `action` was applied: the report it calls for, recorded as a signed link."""
    key_id = device_key_id(journal.key.public_key()) if journal.key is not None else None
    tally = journal.tally("official").to_json(invalid)
    report: dict[str, Any] | None = None
    if action in REPORTS:
        report = {
            "report": REPORTS[action],
            "station": journal.meta("station"),
            "election_hash": journal.meta("election_hash"),
            "device_key_id": key_id,
            "at": journal.clock.now_iso(),
            **tally,
        }
        if action == "open" and (
            tally["sheets"]
            or any(
                sum(c["options"].values()) + c["blank"] + c["overvote"] for c in tally["contests"].values()
            )
        ):
            raise AssertionError("a zero report over counts that are not zero")  # open refuses it first
        journal.record_report(f"{REPORTS[action]}_report", role, report)
    events = journal.audit_events()
    at = next((e["at"] for e in reversed(events) if e["at"]), journal.clock.now_iso())
    return Slip(
        action=action,
        state=journal.state,
        at=at,
        station=journal.meta("station"),
        official_sheets=int(tally["sheets"]),
        chain_head=journal.chain_head(),
        device_key_id=key_id,
        report=report,
    )


__all__ = ["Slip", "invalid_outcomes", "make_slip"]
