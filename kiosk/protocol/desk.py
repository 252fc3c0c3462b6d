"""The commission's desk: enter lines, check, sign, finalise, over the journal's records.

Everything the journal knows is passed in (the tally counters, the number of sheets the
commission decided, the chain head); versions and signatures live in `ProtocolStore`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import __version__
from kiosk.election.model import Election
from kiosk.errors import SanaqError
from kiosk.protocol.model import Protocol, Replaces, build, check_ratios
from kiosk.protocol.signed import (
    DEVICE,
    Trust,
    Verified,
    Vote,
    assemble,
    sign,
    to_file_bytes,
    verify_document,
)
from kiosk.protocol.store import ProtocolStore, Version

SOFTWARE = f"sanaq {__version__}"
AUTO_REASON = "changed before it was finalised"


@dataclass(frozen=True)
class JournalFacts:
    """What the protocol takes from the journal, for one contest."""

    counters: dict[str, int]
    commission_decided: int
    chain_head: str


def commission_decided(records: Any, contest: str) -> int:
    """Sheets of this contest whose outcome the commission decided (cast vote records)."""
    n = 0
    for r in records:
        d = r.get("decision")
        if d and any(c.get("contest") == contest for c in d.get("contests", [])):
            n += 1
    return n


def parse_entered(data: bytes) -> dict[str, dict[str, int]]:
    """The commission's entry file: {"<contest or style id>": {"<line id>": value, ...}, ...}."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SanaqError("protocol_input_invalid", "not JSON") from exc
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise SanaqError("protocol_input_invalid", "expected {contest: {line: value}}")
    for contest, lines in raw.items():
        for k, v in lines.items():
            if not isinstance(v, int) or isinstance(v, bool):
                raise SanaqError("protocol_line_value", f"{contest}.{k}: {v!r}")
    return {str(k): {str(a): int(b) for a, b in v.items()} for k, v in raw.items()}


class Desk:
    def __init__(
        self,
        election: Election,
        election_hash: str,
        station: str,
        store: ProtocolStore,
        enrolment_jws: dict[str, str],
        trust: Trust,
    ) -> None:
        self.election = election
        self.election_hash = election_hash
        self.station = station
        self.store = store
        self.enrolment_jws = enrolment_jws
        self.trust = trust

    def contests(self) -> list[str]:
        st = self.election.station(self.station)
        return [self.election.style(s).contest for s in st.styles]

    def contest_of(self, name: str) -> str:
        """A contest id, or a style id of this station."""
        for s in self.election.station(self.station).styles:
            style = self.election.style(s)
            if name in (s, style.contest):
                return style.contest
        raise SanaqError("protocol_no_form", name)

    def enter(self, entries: dict[str, dict[str, int]]) -> list[str]:
        done = []
        for name, lines in entries.items():
            contest = self.contest_of(name)
            form = self.election.protocol(contest)
            if form is None:
                raise SanaqError("protocol_no_form", contest)
            wanted = {ln.id for ln in form.lines if ln.source == "entered"}
            counted = {ln.id for ln in form.lines if ln.source == "counted"}
            if set(lines) & counted:
                raise SanaqError("protocol_line_counted", f"{contest}: {sorted(set(lines) & counted)}")
            if set(lines) - wanted:
                raise SanaqError("protocol_line_unknown", f"{contest}: {sorted(set(lines) - wanted)}")
            if set(lines) != wanted:
                raise SanaqError("protocol_line_missing", f"{contest}: {sorted(wanted - set(lines))}")
            self.store.enter(contest, lines)
            done.append(contest)
        return done

    def build(
        self, contest: str, facts: JournalFacts, version: int = 1, replaces: Replaces | None = None
    ) -> Protocol:
        entered = self.store.entered(contest)
        if entered is None:
            raise SanaqError("protocol_line_missing", f"{contest}: nothing entered yet")
        return build(
            self.election,
            self.election_hash,
            self.station,
            contest,
            facts.counters,
            entered,
            facts.commission_decided,
            facts.chain_head,
            SOFTWARE,
            version,
            replaces,
        )

    def check(self, contest: str, facts: JournalFacts) -> dict[str, Any]:
        p = self.build(contest, facts)
        checks = check_ratios(p)
        return {
            "contest": contest,
            "ok": all(r.ok for r in checks),
            "ratios": [r.to_json() for r in checks],
            "lines": [[n, i, v] for n, i, v in p.lines],
            "commission_decided": p.commission_decided,
        }

    def prepare(
        self, contest: str, facts: JournalFacts, device_key: Ed25519PrivateKey, reason: str | None
    ) -> Version:
        """The version to sign: the latest if the journal and the entry still give the same
        protocol, else a new version naming the one it replaces (and why), signed at once by
        the device. Refuses while a ratio fails."""
        latest = self.store.latest(contest)
        if latest is not None:
            same = self.build(contest, facts, latest.version, _replaces_of(latest, self.store))
            if same.canonical() == latest.payload:
                if latest.finalised:
                    # Its signed file is out; a later signature would make two different
                    # "final" documents. A correction (with a reason) is a new version.
                    raise SanaqError("protocol_finalised", f"{contest} v{latest.version}")
                return latest
        if latest is None:
            p = self.build(contest, facts)
        else:
            why = reason if latest.finalised else (reason or AUTO_REASON)
            if not why:
                raise SanaqError("protocol_reason_needed", f"{contest} v{latest.version} is finalised")
            p = self.build(contest, facts, latest.version + 1, Replaces(latest.version, latest.sha256, why))
        bad = [r for r in check_ratios(p) if not r.ok]
        if bad:
            raise SanaqError(
                "protocol_ratio_failed",
                "; ".join(
                    f"{r.id}: {'+'.join(r.left)} = {r.left_sum} {r.op} {'+'.join(r.right)} = {r.right_sum}"
                    f" (difference {r.difference})"
                    for r in bad
                ),
            )
        self.store.add_version(
            contest,
            p.version,
            p.canonical(),
            p.replaces.version if p.replaces else None,
            p.replaces.reason if p.replaces else None,
        )
        protected, signature = sign(p, DEVICE, device_key)
        self.store.add_signature(contest, p.version, DEVICE, protected, signature)
        v = self.store.latest(contest)
        assert v is not None
        return v

    def sign_member(
        self,
        contest: str,
        version: Version,
        member: str,
        key: Ed25519PrivateKey,
        vote: Vote,
        note: str | None,
    ) -> None:
        p = Protocol.from_json(json.loads(version.payload))
        protected, signature = sign(p, member, key, vote, note)
        # Check against the enrolment before storing: a key not on the roster is refused here.
        doc = assemble(p, [(protected, signature)], self.enrolment_jws)
        verify_document(doc, self.trust, require_final=False)
        self.store.add_signature(contest, version.version, member, protected, signature)

    def document(self, contest: str, version: Version) -> dict[str, Any]:
        p = Protocol.from_json(json.loads(version.payload))
        sigs = [(pr, s) for _, pr, s in self.store.signatures(contest, version.version)]
        return assemble(p, sigs, self.enrolment_jws)

    def finalise(self, contest: str, facts: JournalFacts, out: Path) -> tuple[Verified, Path]:
        latest = self.store.latest(contest)
        if latest is None:
            raise SanaqError("protocol_not_ready", f"{contest}: not signed yet")
        current = self.build(contest, facts, latest.version, _replaces_of(latest, self.store))
        if current.canonical() != latest.payload:
            raise SanaqError("protocol_not_ready", f"{contest}: changed since it was signed; sign again")
        doc = self.document(contest, latest)
        verified = verify_document(doc, self.trust, require_final=True)
        if not latest.finalised:
            self.store.finalise(contest, latest.version)
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{verified.protocol.style}.v{latest.version}.protocol.jws.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(to_file_bytes(doc))
        tmp.replace(path)
        return verified, path


def _replaces_of(v: Version, store: ProtocolStore) -> Replaces | None:
    if v.replaces is None:
        return None
    prev = [x for x in store.versions(v.contest) if x.version == v.replaces]
    return Replaces(v.replaces, prev[0].sha256, v.reason or "") if prev else None
