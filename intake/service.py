"""The intake's rules, shared by the HTTPS service and `intake import DIR`.

A delivery is the bytes of one signed protocol file. It is accepted only when
kiosk.protocol.signed.verify_document passes (every signature, the enrolment signed by a
trusted headquarters key, the control ratios, the device, chair and secretary approvals),
it is for the configured election and a station of its package, and its version fits what is
stored: the same bytes again give the stored receipt (nothing stored); a higher version is
stored and becomes current (the old one kept); a lower version is stored as history only when
a stored newer version names its hash in `replaces` (deliveries out of order); any other lower
or equal version is refused (a replayed or conflicting version).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from intake.store import Row, Store
from kiosk.election.package import LoadedPackage
from kiosk.errors import SanaqError
from kiosk.protocol.keys import unb64
from kiosk.protocol.signed import Trust, Verified, parse_file, verify_document
from kiosk.sync.wire import Receipt, delivery_key, sign_receipt

MAX_BODY = 1 << 20  # a signed protocol is a few kB


def utc_iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Accepted:
    receipt: bytes
    new: bool  # stored now (False: the same delivery was already stored)
    verified: Verified


class Intake:
    def __init__(
        self,
        store: Store,
        package: LoadedPackage,
        trust: Trust,
        receipt_key: Ed25519PrivateKey,
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.package = package
        self.trust = trust
        self.receipt_key = receipt_key
        self.clock = clock
        self.stations = {s.id for s in package.election.stations}
        # The version decision and the insert are one step within this process (verification,
        # the costly part, runs outside it). Several intake processes on one PostgreSQL would
        # need a per-(station, contest) advisory lock instead: not done.
        self.decide = threading.Lock()

    def check(self, body: bytes) -> Verified:
        if len(body) > MAX_BODY:
            raise SanaqError("sync_too_large", f"{len(body)} bytes")
        v = verify_document(parse_file(body), self.trust)
        if v.protocol.election_hash != self.package.election_hash:
            raise SanaqError("sync_wrong_election", f"election {v.protocol.election_hash[:12]}")
        if v.protocol.station not in self.stations:
            raise SanaqError("sync_unknown_station", f"station {v.protocol.station!r}")
        return v

    def accept(self, body: bytes, via: str, verified: Verified | None = None) -> Accepted:
        v = verified or self.check(body)
        with self.decide:
            return self._accept(body, via, v)

    def _accept(self, body: bytes, via: str, v: Verified) -> Accepted:
        key = delivery_key(body)
        old = self.store.by_key(key)
        if old is not None:
            return Accepted(old.receipt, False, v)
        p = v.protocol
        stored = self.store.versions(p.station, p.contest)
        top = stored[-1] if stored else None
        current = True
        if top is not None and p.version <= top.version:
            same = [r for r in stored if r.version == p.version]
            if same:
                raise SanaqError("sync_version_conflict", f"version {p.version} stored with other content")
            named = any(r.replaces == v.digest for r in stored if r.version == p.version + 1)
            if not named:
                raise SanaqError("sync_replayed_version", f"version {p.version}, stored up to {top.version}")
            current = False
        now = utc_iso(self.clock())
        receipt = sign_receipt(
            Receipt(key, v.digest, p.station, p.contest, p.version, current, now, p.election_hash),
            self.receipt_key,
        )
        replaces = p.replaces.sha256 if p.replaces else None
        row = Row(key, p.station, p.contest, p.version, v.digest, replaces, body, receipt)
        if not self.store.insert(row, now, via):
            # Another request stored the same key (or version) meanwhile: answer as it did.
            again = self.store.by_key(key)
            if again is None:
                raise SanaqError("sync_version_conflict", f"version {p.version} stored meanwhile")
            return Accepted(again.receipt, False, v)
        return Accepted(receipt, True, v)

    def aggregate(self) -> dict[str, Any]:
        """Per contest: the sum of each line over the current versions received, and the stations missing."""
        election = self.package.election
        contests: dict[str, dict[str, Any]] = {}
        for contest in election.contests:
            expected = sorted(
                s.id
                for s in election.stations
                if any(election.style(st).contest == contest.id for st in s.styles)
            )
            contests[contest.id] = {"expected": expected, "received": [], "lines": {}}
        for row in self.store.current():
            payload = json.loads(unb64(json.loads(row.body)["payload"]))
            c = contests.setdefault(row.contest, {"expected": [], "received": [], "lines": {}})
            c["received"].append(row.station)
            for _number, line_id, value in payload["lines"]:
                c["lines"][line_id] = c["lines"].get(line_id, 0) + int(value)
        out: dict[str, Any] = {"election_hash": self.package.election_hash, "contests": []}
        for cid, c in contests.items():
            out["contests"].append(
                {
                    "contest": cid,
                    "stations_expected": len(c["expected"]),
                    "stations_received": sorted(c["received"]),
                    "stations_missing": sorted(set(c["expected"]) - set(c["received"])),
                    "lines": c["lines"],
                }
            )
        return out
