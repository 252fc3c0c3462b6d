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
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from intake.store import Row, Store
from kiosk.election.package import LoadedPackage
from kiosk.errors import SanaqError
from kiosk.protocol.keys import unb64
from kiosk.protocol.signed import Trust, Verified, parse_file, verify_document
from kiosk.sync.files import FileDelivery, check_content, is_file_delivery, unwrap
from kiosk.sync.wire import Receipt, delivery_key, sign_receipt

MAX_BODY = 1 << 20  # a signed protocol is a few kB
MAX_FILE_BODY = 12 << 20  # a file delivery: the CVRs of a large station, base64


def utc_iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Batcher:
    """One writer thread: takes the deliveries waiting (up to `max_batch`), decides and stores
    them in one `Store.decide_many` transaction, then answers each. A refusal (SanaqError)
    answers its own delivery only; a transient database error retries the whole batch."""

    def __init__(self, store: Store, max_batch: int = 64) -> None:
        self.store = store
        self.max_batch = max_batch
        self.q: queue.Queue[tuple[tuple[str, str], Callable[[], Any], Future[Any]]] = queue.Queue()
        self.batches = 0
        self.items = 0
        threading.Thread(target=self._run, name="intake-batcher", daemon=True).start()

    def submit(self, pair: tuple[str, str], fn: Callable[[], Any]) -> Any:
        fut: Future[Any] = Future()
        self.q.put((pair, fn, fut))
        return fut.result()

    def _run(self) -> None:
        while True:
            items = [self.q.get()]
            while len(items) < self.max_batch:
                try:
                    items.append(self.q.get_nowait())
                except queue.Empty:
                    break

            def work(items: list[Any] = items) -> list[tuple[bool, Any]]:
                out: list[tuple[bool, Any]] = []
                for _pair, fn, _fut in items:
                    try:
                        out.append((True, fn()))
                    except SanaqError as exc:
                        out.append((False, exc))
                return out

            try:
                results = self.store.decide_many([p for p, _f, _u in items], work)
            except BaseException as exc:
                results = [(False, exc)] * len(items)
            self.batches += 1
            self.items += len(items)
            for (_pair, _fn, fut), (ok, value) in zip(items, results, strict=True):
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)


@dataclass(frozen=True)
class AcceptedFile:
    receipt: bytes
    new: bool
    file: FileDelivery
    info: dict[str, Any]  # what the content check found (records, files)


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
        hq = package.election.headquarters
        self.asked = set(hq.deliver) if hq is not None else {"protocols"}
        # The version decision and the insert are one transaction of the store that holds the
        # (station, contest) against every other intake process on the database (SQLite's
        # write lock, a PostgreSQL advisory lock), retried on a constraint violation
        # (`Store.decide`). Verification, the costly part, runs outside it.
        # Test seam: called between the read of the stored versions and the insert.
        self.between: Callable[[], None] | None = None
        self.batcher: Batcher | None = None

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
        pair = (v.protocol.station, v.protocol.contest)
        if self.batcher is not None:
            return self.batcher.submit(pair, lambda: self._accept(body, via, v))  # type: ignore[no-any-return]
        return self.store.decide(*pair, lambda: self._accept(body, via, v))

    def start_batching(self, max_batch: int = 64) -> None:
        """Group commit (the service): the decisions of the deliveries waiting at one moment
        go into one store transaction, so one commit (one fsync) answers many; each request
        still gets its receipt only after the commit that stored it."""
        if self.batcher is None:
            self.batcher = Batcher(self.store, max_batch)

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
        if self.between is not None:
            self.between()
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

    # --- file deliveries: CVRs and manifests (kiosk/sync/files.py) -------------------------------

    def check_file(self, body: bytes) -> tuple[FileDelivery, dict[str, Any]]:
        if len(body) > MAX_FILE_BODY:
            raise SanaqError("sync_too_large", f"{len(body)} bytes")
        f = unwrap(body, self.trust)
        if f.election_hash != self.package.election_hash:
            raise SanaqError("sync_wrong_election", f"election {f.election_hash[:12]}")
        if f.station not in self.stations:
            raise SanaqError("sync_unknown_station", f"station {f.station!r}")
        if f.kind not in self.asked:
            raise SanaqError("sync_not_asked", f"the package does not ask for {f.kind}")
        return f, check_content(f)

    def accept_file(
        self, body: bytes, via: str, checked: tuple[FileDelivery, dict[str, Any]] | None = None
    ) -> AcceptedFile:
        f, info = checked or self.check_file(body)
        pair = (f.station, "file:" + f.kind)
        if self.batcher is not None:
            return self.batcher.submit(pair, lambda: self._accept_file(body, via, f, info))  # type: ignore[no-any-return]
        return self.store.decide(*pair, lambda: self._accept_file(body, via, f, info))

    def _accept_file(self, body: bytes, via: str, f: FileDelivery, info: dict[str, Any]) -> AcceptedFile:
        key = delivery_key(body)
        old = self.store.file_by_key(key)
        if old is not None:
            return AcceptedFile(old[2], False, f, info)
        now = utc_iso(self.clock())
        version = self.store.file_versions(f.station, f.kind) + 1
        receipt = sign_receipt(
            Receipt(key, f.sha256, f.station, "", version, True, now, f.election_hash, f.kind, f.name),
            self.receipt_key,
        )
        if not self.store.insert_file(key, f.station, f.kind, f.name, f.sha256, body, receipt, now, via):
            raise SanaqError("sync_store_busy", "stored meanwhile")  # retried by Store.decide's caller
        return AcceptedFile(receipt, True, f, info)

    def accept_any(self, body: bytes, via: str) -> tuple[bytes, bool]:
        """A protocol or a file delivery (USB import): (receipt, stored now)."""
        if is_file_delivery(body):
            a = self.accept_file(body, via)
            return a.receipt, a.new
        p = self.accept(body, via)
        return p.receipt, p.new

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
