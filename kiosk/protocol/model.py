"""The station protocol: one per ballot type, from the journal's tally and the lines the
commission enters. Pure functions over plain data; no I/O.

Counted lines come from the tally (never from the commission):
    ballots_in_box = every counted sheet of the contest (votes, blank, over-marked)
    invalid        = blank + over-marked (a sheet that is not a vote for one option)
    valid          = the votes for the options, "against all" included
    votes.<option> = the votes for that option
Entered lines (voters on the list, ballots received, issued, cancelled, spoiled) come from
the commission's entry. Results are given on the base that includes "against all": the
sum of every vote line, "against all" among them (only invalid ballots are left out).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

import rfc8785

from kiosk.election.model import ControlRatio, Election, ProtocolForm, Rules
from kiosk.election.rules import invalid_outcomes
from kiosk.errors import SanaqError
from kiosk.vocabulary import option_of

PROTOCOL_FORMAT: Final = "sanaq.protocol/1"
MAX_LINE_VALUE: Final = 10_000_000


@dataclass(frozen=True)
class Replaces:
    version: int
    sha256: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "sha256": self.sha256, "reason": self.reason}


@dataclass(frozen=True)
class Protocol:
    """What is signed. Lines in the form's order: (number, id, value)."""

    election_hash: str
    station: str
    contest: str
    style: str
    lines: tuple[tuple[str, str, int], ...]
    ratios: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]
    commission_decided: int
    chain_head: str
    software: str
    version: int = 1
    replaces: Replaces | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PROTOCOL_FORMAT,
            "election_hash": self.election_hash,
            "station": self.station,
            "contest": self.contest,
            "style": self.style,
            "version": self.version,
            "replaces": self.replaces.to_json() if self.replaces else None,
            "lines": [[n, i, v] for n, i, v in self.lines],
            "ratios": [[r, list(a), op, list(b)] for r, a, op, b in self.ratios],
            "commission_decided": self.commission_decided,
            "chain_head": self.chain_head,
            "software": self.software,
        }

    def canonical(self) -> bytes:
        return rfc8785.dumps(self.to_json())

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def value(self, line_id: str) -> int:
        for _, i, v in self.lines:
            if i == line_id:
                return v
        raise KeyError(line_id)

    def values(self) -> dict[str, int]:
        return {i: v for _, i, v in self.lines}

    @staticmethod
    def from_json(raw: Any) -> Protocol:
        """Parse a signed payload; any shape problem is `protocol_malformed`."""
        try:
            if not isinstance(raw, dict) or raw.get("format") != PROTOCOL_FORMAT:
                raise ValueError("format")
            rep = raw["replaces"]
            replaces = (
                None
                if rep is None
                else Replaces(_int(rep["version"]), _str(rep["sha256"]), _str(rep["reason"]))
            )
            lines = tuple((_str(n), _str(i), _int(v)) for n, i, v in raw["lines"])
            ratios = tuple(
                (_str(r), tuple(_str(x) for x in a), _op(op), tuple(_str(x) for x in b))
                for r, a, op, b in raw["ratios"]
            )
            p = Protocol(
                election_hash=_str(raw["election_hash"]),
                station=_str(raw["station"]),
                contest=_str(raw["contest"]),
                style=_str(raw["style"]),
                lines=lines,
                ratios=ratios,
                commission_decided=_int(raw["commission_decided"]),
                chain_head=_str(raw["chain_head"]),
                software=_str(raw["software"]),
                version=_int(raw["version"]),
                replaces=replaces,
            )
            if set(raw) != set(p.to_json()):
                raise ValueError("unknown or missing keys")
            ids = [i for _, i, _ in lines]
            if len(set(ids)) != len(ids) or len({r[0] for r in ratios}) != len(ratios):
                raise ValueError("a line or ratio id appears twice")
        except (KeyError, TypeError, ValueError) as exc:
            raise SanaqError("protocol_malformed", f"payload: {exc}") from exc
        return p


def _str(x: Any) -> str:
    if not isinstance(x, str):
        raise TypeError("expected a string")
    return x


def _int(x: Any) -> int:
    if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x <= MAX_LINE_VALUE:
        raise ValueError(f"expected a whole number 0..{MAX_LINE_VALUE}")
    return x


def _op(x: Any) -> str:
    if x not in ("=", ">=", "<="):
        raise ValueError(f"unknown ratio operator {x!r}")
    return str(x)


# --- control ratios -------------------------------------------------------------------------


@dataclass(frozen=True)
class RatioCheck:
    id: str
    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    left_sum: int
    right_sum: int

    @property
    def ok(self) -> bool:
        d = self.left_sum - self.right_sum
        return d == 0 if self.op == "=" else d >= 0 if self.op == ">=" else d <= 0

    @property
    def difference(self) -> int:
        """left - right (0 when an equality holds)."""
        return self.left_sum - self.right_sum

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ok": self.ok,
            "left": list(self.left),
            "op": self.op,
            "right": list(self.right),
            "left_sum": self.left_sum,
            "right_sum": self.right_sum,
            "difference": self.difference,
        }


def check_ratios(protocol: Protocol) -> tuple[RatioCheck, ...]:
    values = protocol.values()
    out = []
    for rid, left, op, right in protocol.ratios:
        try:
            a, b = sum(values[i] for i in left), sum(values[i] for i in right)
        except KeyError as exc:
            raise SanaqError("protocol_malformed", f"ratio {rid} names unknown line {exc}") from exc
        out.append(RatioCheck(rid, left, op, right, a, b))
    return tuple(out)


def failing(protocol: Protocol) -> tuple[RatioCheck, ...]:
    return tuple(r for r in check_ratios(protocol) if not r.ok)


# --- results -------------------------------------------------------------------------------


def results(protocol: Protocol, form: ProtocolForm) -> list[tuple[str, int, Fraction]]:
    """(option, votes, share) on the base that includes "against all"."""
    values = protocol.values()
    votes = [(ln.option, values[ln.id]) for ln in form.lines if ln.option is not None]
    base = sum(v for _, v in votes)
    return [(str(o), v, Fraction(v, base) if base else Fraction(0)) for o, v in votes]


def percent(share: Fraction) -> str:
    """Two decimals, rounded half up (exact: no float)."""
    hundredths = (share * 10000 * 2 + 1) // 2
    return f"{hundredths // 100}.{hundredths % 100:02d}"


# --- building ------------------------------------------------------------------------------


def ratios_of(form: ProtocolForm) -> tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]:
    return tuple((r.id, r.left, r.op, r.right) for r in form.ratios)


def counted_lines(form: ProtocolForm, counters: dict[str, int], rules: Rules) -> dict[str, int]:
    """The counted lines of one contest from its tally counters (keys 'option:<id>', 'blank',
    'overvote', 'review'). A sheet still waiting for the commission blocks the protocol.
    Which outcomes are invalid is the package's rule (`kiosk.election.rules`)."""
    review = counters.get("review", 0)
    if review:
        raise SanaqError("protocol_review_pending", f"{form.contest}: {review} sheets")
    unknown = [k for k in counters if k not in ("blank", "overvote", "review") and option_of(k) is None]
    if unknown:
        raise SanaqError("protocol_malformed", f"{form.contest}: unknown counters {unknown}")
    votes = {o: n for k, n in counters.items() if (o := option_of(k)) is not None}
    out: dict[str, int] = {}
    options_on_form = {ln.option for ln in form.lines if ln.option is not None}
    strays = sorted(set(o for o, n in votes.items() if n) - options_on_form)
    if strays:
        raise SanaqError("protocol_malformed", f"{form.contest}: votes for options not on the form: {strays}")
    in_box = counters.get("blank", 0) + counters.get("overvote", 0) + sum(votes.values())
    invalid = sum(counters.get(outcome, 0) for outcome in invalid_outcomes(rules))
    valid = in_box - invalid
    for ln in form.lines:
        if ln.source != "counted":
            continue
        if ln.option is not None:
            out[ln.id] = votes.get(ln.option, 0)
        elif ln.id == "ballots_in_box":
            out[ln.id] = in_box
        elif ln.id == "invalid":
            out[ln.id] = invalid
        elif ln.id == "valid":
            out[ln.id] = valid
        else:
            raise SanaqError("protocol_malformed", f"{form.contest}: no count for counted line {ln.id}")
    return out


def build(
    election: Election,
    election_hash: str,
    station_id: str,
    contest: str,
    counters: dict[str, int],
    entered: dict[str, int],
    commission_decided: int,
    chain_head: str,
    software: str,
    version: int = 1,
    replaces: Replaces | None = None,
) -> Protocol:
    """The protocol of one ballot type. `entered` must give every entered line, and only those."""
    form = election.protocol(contest)
    if form is None:
        raise SanaqError("protocol_no_form", contest)
    station = election.station(station_id)
    styles = [s for s in station.styles if election.style(s).contest == contest]
    if len(styles) != 1:
        raise SanaqError("protocol_no_form", f"{contest}: {len(styles)} ballot types at station {station_id}")
    wanted = {ln.id for ln in form.lines if ln.source == "entered"}
    counted_ids = {ln.id for ln in form.lines if ln.source == "counted"}
    given = set(entered)
    if given & counted_ids:
        raise SanaqError("protocol_line_counted", f"{contest}: {sorted(given & counted_ids)}")
    if given - wanted:
        raise SanaqError("protocol_line_unknown", f"{contest}: {sorted(given - wanted)}")
    if wanted - given:
        raise SanaqError("protocol_line_missing", f"{contest}: {sorted(wanted - given)}")
    for k, v in entered.items():
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= MAX_LINE_VALUE:
            raise SanaqError("protocol_line_value", f"{contest}.{k}: {v!r}")
    values = {**entered, **counted_lines(form, counters, election.rules)}
    return Protocol(
        election_hash=election_hash,
        station=station_id,
        contest=contest,
        style=styles[0],
        lines=tuple((ln.number, ln.id, values[ln.id]) for ln in form.lines),
        ratios=ratios_of(form),
        commission_decided=commission_decided,
        chain_head=chain_head,
        software=software,
        version=version,
        replaces=replaces,
    )


def matches_form(protocol: Protocol, form: ProtocolForm) -> bool:
    """The protocol has exactly the form's lines (numbers, ids, order) and ratios."""
    return [(n, i) for n, i, _ in protocol.lines] == [(ln.number, ln.id) for ln in form.lines] and (
        protocol.ratios == ratios_of(form)
    )


def ratio_title(ratio: ControlRatio | None, rid: str) -> str:
    return ratio.title.en if ratio else rid
