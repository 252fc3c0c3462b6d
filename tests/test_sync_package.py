"""Issue 15, round 3: the headquarters URL and CA pinned by the signed election package, the
cast vote records and the manifest as deliveries, and the outbox in the journal store (on the
mirror, held to the signed chain by Journal.verify). Against the real intake over TLS on
loopback."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from synckit import (
    CuttingProxy,
    Faults,
    ServerThread,
    hq_package_bytes,
    hq_pki,
    hq_port,
    hq_station,
    make_pki,
    template_station,
)

from intake.app import create_app
from intake.service import Intake
from intake.store import Store
from kiosk.cli import main
from kiosk.election.load import load_election
from kiosk.election.package import (
    development_private_key,
    development_trust,
    election_hash,
    sign_election,
    verify_package,
)
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.protocol.keys import b64, load_device_key, unb64
from kiosk.protocol.signed import canonical
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.sync.client import Sender, headquarters_of
from kiosk.sync.files import is_file_delivery, station_files, unwrap
from kiosk.sync.outbox import Outbox
from kiosk.sync.wire import Receipt, delivery_key, sign_receipt, verify_receipt

TRUST = development_trust()
# The sample election as every package made before the `headquarters` field (and before issue
# 16's rules, which the built-in sample now waives explicitly: sample_election() differs).
SAMPLE_HASH = "367035ad26ae838c0deed36ad70f64d352b3daf878bcea4fb07a5ff3a2674937"


@pytest.fixture
def station(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(hq_station(), data)
    return data


def intake_for(store: Store, data: Path) -> Intake:
    return Intake(store, load_election(data / "election.json"), TRUST, development_private_key(), _now)


def _now() -> float:
    import time

    return time.time()


def serve(intake: Intake, port: int | None = None, pki: object = None, **faults: int | float) -> ServerThread:
    app = Faults(create_app(intake), **faults)  # type: ignore[arg-type]
    server = ServerThread(app, pki or hq_pki(), port)  # type: ignore[arg-type]
    server.app = app  # type: ignore[attr-defined]
    return server.start()


def sync(data: Path, *extra: str) -> int:
    return main(["sync", "--data", str(data), "--max-attempts", "4", *extra])


# --- the package field ---------------------------------------------------------------------------


def test_headquarters_absent_keeps_every_package_hash_and_present_is_signed() -> None:
    e = sample_election(logic_and_accuracy_required=True)
    assert "headquarters" not in e.model_dump(mode="json") and election_hash(e) == SAMPLE_HASH
    pkg = verify_package(hq_package_bytes(), TRUST)
    hq = pkg.election.headquarters
    assert hq is not None and hq.urls == (f"https://127.0.0.1:{hq_port()}",)
    assert hq.deliver == ("protocols", "cvr", "manifest") and pkg.election_hash != SAMPLE_HASH
    assert len(hq.ca_sha256()[0]) == 64
    urls, ctx = headquarters_of(pkg)
    assert urls == hq.urls and ctx.check_hostname
    with pytest.raises(SanaqError) as e1:
        headquarters_of(verify_package(sign_election(e, development_private_key()), TRUST))
    assert e1.value.code == "sync_no_headquarters"
    # A plain-HTTP URL, a server certificate in place of a CA, a changed CA: refused or another hash.
    from kiosk.election.model import Headquarters

    ca = hq_pki().ca.read_text()
    with pytest.raises(ValueError, match="https"):
        Headquarters(urls=("http://127.0.0.1:1",), ca_pem=ca)
    with pytest.raises(ValueError, match="not a CA"):
        Headquarters(urls=("https://x",), ca_pem=hq_pki().cert.read_text())
    with pytest.raises(ValueError, match="protocols"):
        Headquarters(urls=("https://x",), ca_pem=ca, deliver=("cvr",))


# --- the pin by default --------------------------------------------------------------------------


def test_sync_by_the_package_pin_cvr_and_manifest_delivered(
    store: Store, station: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    intake = intake_for(store, station)
    server = serve(intake, hq_port())
    try:
        assert sync(station) == 0  # no --hq, no --ca: both from the signed package
        assert json.loads(capsys.readouterr().out) == {"delivered": 6, "refused": {}, "unfinished": 0}
        assert store.count() == 4 and store.count_files() == 2
        assert main(["sync", "status", "--data", str(station), "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)["deliveries"]
        assert [r["state"] for r in rows] == ["receipt received"] * 6
        kinds = sorted(r["receipt"].get("kind", "protocol") for r in rows)
        assert kinds == ["cvr", "manifest"] + ["protocol"] * 4
        # What the receipt says it stored: the file's own hash, kind and name.
        cvr_row = next(r for r in rows if r["receipt"].get("kind") == "cvr")
        body = (
            Outbox(station / "journal.sqlite", TRUST)
            .db.execute("SELECT body FROM sync_deliveries WHERE key = ?", (cvr_row["key"],))
            .fetchone()[0]
        )
        f = unwrap(bytes(body), TRUST)
        assert cvr_row["receipt"]["sha256"] == hashlib.sha256(f.data).hexdigest() == f.sha256
        assert cvr_row["receipt"]["name"] == "cvr.nist-1500-103.json" and len(json.loads(f.data)["CVR"]) == 24
        # Again: the same bytes queued (deterministic CVRs and manifest), nothing sent or stored.
        seen = len(server.app.seen)  # type: ignore[attr-defined]
        assert sync(station) == 0 and json.loads(capsys.readouterr().out)["delivered"] == 0
        assert len(server.app.seen) == seen and store.count_files() == 2  # type: ignore[attr-defined]
        # The manifest lists the protocols and the CVR file by their hashes.
        man = next(b for _n, b in station_files(station, ["manifest"]))
        listed = {
            x["name"]: x["sha256"]
            for x in json.loads(unb64(json.loads(unwrap(man, TRUST).data)["payload"]))["files"]
        }
        assert (
            listed["cvr.nist-1500-103.json"] == f.sha256
            and sum(n.startswith("protocols/") for n in listed) == 4
        )
    finally:
        server.stop()
    report = Journal.open(station / "journal.sqlite", FixedClock()).verify()
    assert report.ok, report.problems


def test_wrong_server_certificate_with_the_package_pin_refuses_to_send(
    station: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    impostor = make_pki(tmp_path / "impostor", "impostor")  # valid for 127.0.0.1, another CA
    intake = intake_for(Store(str(tmp_path / "hq.sqlite")), station)
    server = serve(intake, hq_port(), impostor)
    try:
        assert sync(station) == 2
        err = json.loads(capsys.readouterr().err)["error"]
        assert err["code"] == "sync_server_untrusted"
        assert server.app.seen == [] and intake.store.count() == 0  # type: ignore[attr-defined]
    finally:
        server.stop()
    rows = Outbox(station / "journal.sqlite", TRUST).status()
    assert all(r.state == "pending" for r in rows) and sum(r.attempts for r in rows) == 1


def test_ca_flag_only_under_the_development_switch(
    station: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SANAQ_DEVELOPMENT", raising=False)
    assert sync(station, "--hq", "https://127.0.0.1:1", "--ca", str(hq_pki().ca)) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "sync_ca_needs_development"
    # The sample package names no headquarters: nothing to send to without --ca.
    plain = station.parent / "plain"
    shutil.copytree(template_station(), plain)
    assert sync(plain) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "sync_no_headquarters"


# --- the file deliveries at the intake -------------------------------------------------------------


def files_of(data: Path) -> dict[str, bytes]:
    return {unwrap(b, TRUST).kind: b for _n, b in station_files(data, ["cvr", "manifest"])}


def test_file_deliveries_checked_idempotent_and_refused_with_codes(store: Store, station: Path) -> None:
    intake = intake_for(store, station)
    files = files_of(station)
    assert all(is_file_delivery(b) for b in files.values())
    first = {k: intake.accept_file(b, "https") for k, b in files.items()}
    again = {k: intake.accept_file(b, "https") for k, b in files.items()}
    assert all(a.new for a in first.values()) and not any(a.new for a in again.values())
    assert {k: a.receipt for k, a in first.items()} == {k: a.receipt for k, a in again.items()}
    assert store.count_files() == 2 and first["cvr"].info == {"records": 24}
    assert first["manifest"].info == {"files": 6}  # results, CVRs, 4 protocols
    for k, a in first.items():
        r = verify_receipt(a.receipt, TRUST, delivery_key(files[k]))
        assert (r.kind, r.station, r.election_hash) == (k, "379", intake.package.election_hash)

    def resign(doc: dict[str, str], payload: dict[str, object], key: object) -> bytes:
        doc = dict(doc, payload=b64(canonical(payload)))
        doc["signature"] = b64(key.sign(f"{doc['protected']}.{doc['payload']}".encode()))  # type: ignore[attr-defined]
        return canonical(doc) + b"\n"

    doc = json.loads(files["cvr"])
    payload = json.loads(unb64(doc["payload"]))
    data = json.loads(unb64(payload["data"]))
    data["CVR"] = data["CVR"][:-1]  # one record dropped
    raw = json.dumps(data).encode()
    cut = dict(payload, data=b64(raw))
    device = load_device_key(station)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    cases = {
        "one record dropped, hash left": resign(doc, cut, device),
        "signed by another key": resign(
            doc,
            dict(cut, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw)),
            Ed25519PrivateKey.generate(),
        ),
        "another station named": resign(doc, dict(payload, station="380"), device),
        "not canonical": files["cvr"].replace(b"{", b"{ ", 1),
        "a file name with a path": resign(doc, dict(payload, name="../../etc/passwd"), device),
        "not a NIST CVR document, re-hashed and signed by the device": resign(
            doc,
            dict(payload, data=b64(b'{"CVR": 1}'), size=10, sha256=hashlib.sha256(b'{"CVR": 1}').hexdigest()),
            device,
        ),
        "a manifest that is not a JWS": resign(
            json.loads(files["manifest"]),
            dict(
                json.loads(unb64(json.loads(files["manifest"])["payload"])),
                data=b64(b"{}"),
                size=2,
                sha256=hashlib.sha256(b"{}").hexdigest(),
            ),
            device,
        ),
    }
    n = store.count_files()
    for what, body in cases.items():
        with pytest.raises(SanaqError) as e:
            intake.accept_file(body, "https")
        assert e.value.code == "sync_file_bad", what
    assert store.count_files() == n
    # A package that does not ask for CVRs: refused with a code (the sample template's intake
    # cannot even be for this election, so a package with headquarters but protocols only).
    only = verify_package(hq_package_bytes(("protocols",)), TRUST)
    # (its hash set to the station's, so that only the rule differs)
    same = dataclasses.replace(only, election_hash=intake.package.election_hash)
    other = Intake(store, same, TRUST, development_private_key(), _now)
    with pytest.raises(SanaqError) as e:
        other.accept_file(files["cvr"], "https")
    assert e.value.code == "sync_not_asked"


def test_cvr_cut_mid_upload_and_500s_stored_once(store: Store, station: Path) -> None:
    intake = intake_for(store, station)
    server = serve(intake, None, None, fail_500=2)
    proxy = CuttingProxy(server.port, cuts=2, after=20_000)  # the CVR delivery is the large one
    try:
        outbox = Outbox(station / "journal.sqlite", TRUST)
        from kiosk.cli.sync import queue_all

        assert queue_all(outbox, station) == 6
        _urls, ctx = headquarters_of(load_election(station / "election.json"))
        s = Sender(
            outbox,
            f"https://127.0.0.1:{proxy.port}",
            load_device_key(station),
            TRUST,
            ctx,
            5.0,
            sleep=lambda _s: None,
        )
        out = s.run(max_attempts=10)
        assert out.delivered == 6 and not out.refused
    finally:
        proxy.close()
        server.stop()
    assert proxy.cut_done == 2 and store.count() == 4 and store.count_files() == 2
    for d in outbox.status():
        assert d.state == "receipt received" and d.receipt is not None
        verify_receipt(d.receipt, TRUST, d.key)
    assert sum(d.attempts for d in outbox.status()) == 6 + 4  # two 500s, two cuts


# --- the outbox in the journal store ---------------------------------------------------------------


def test_outbox_rows_have_one_time_on_journal_and_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write's time is read once for both copies: with the clock ticking between the primary's
    transaction and the mirror's (a second boundary; here every reading is a second later), the
    rows still agree and the journal still opens with its mirror and verifies (the test below
    failed so, once, in a fresh clone: 18:11:07 on the journal, 18:11:08 on the mirror)."""
    import kiosk.sync.outbox as outbox_module

    seconds = iter(range(60))
    monkeypatch.setattr(outbox_module, "_now", lambda: f"2026-12-02T18:11:{next(seconds):02d}Z")
    pkg = load_election(None)
    path, mirror = tmp_path / "data" / "journal.sqlite", tmp_path / "usb" / "mirror.sqlite"
    Journal.create(path, pkg.election_hash, "379", FixedClock(), mirror=mirror).close()
    box = Outbox(path, TRUST)
    assert box.queue("0.protocol.jws.json", b"delivery one\n") == 1
    key = delivery_key(b"delivery one\n")
    box.attempt(key, "failed", "connect: refused")
    receipt = sign_receipt(
        Receipt(key, "0" * 64, "379", "c", 1, True, "2026-11-28T00:00:00Z", "e"), development_private_key()
    )
    box.keep_receipt(key, receipt)
    box.close()
    for table in ("sync_deliveries", "sync_attempts", "sync_receipts"):
        on_primary = sqlite3.connect(path).execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        on_mirror = sqlite3.connect(mirror).execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        assert on_primary == on_mirror and len(on_primary) == 1, table
    j = Journal.open_configured(path, FixedClock())
    assert j.verify().ok
    j.close()


def test_outbox_on_the_mirror_and_held_to_the_chain(tmp_path: Path) -> None:
    pkg = load_election(None)
    path, mirror = tmp_path / "data" / "journal.sqlite", tmp_path / "usb" / "mirror.sqlite"
    Journal.create(path, pkg.election_hash, "379", FixedClock(), mirror=mirror).close()
    box = Outbox(path, TRUST)
    bodies = [b"delivery one\n", b"delivery two\n"]
    for i, b in enumerate(bodies):
        assert box.queue(f"{i}.protocol.jws.json", b) == 1
    assert box.queue("again.protocol.jws.json", bodies[0]) == 0
    keys = [delivery_key(b) for b in bodies]
    box.attempt(keys[0], "failed", "connect: refused")
    good = sign_receipt(
        Receipt(keys[0], "0" * 64, "379", "c", 1, True, "2026-11-28T00:00:00Z", "e"),
        development_private_key(),
    )
    box.keep_receipt(keys[0], good)
    box.attempt(keys[0], "receipt", None)
    assert [d.state for d in box.status()] == ["receipt received", "pending"]
    box.close()
    # On the mirror, row for row; the journal opens with its mirror (their digests agree).
    for table in ("sync_deliveries", "sync_attempts", "sync_receipts"):
        on_primary = sqlite3.connect(path).execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        on_mirror = sqlite3.connect(mirror).execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        assert on_primary == on_mirror and on_primary
    j = Journal.open_configured(path, FixedClock())
    assert j.verify().ok
    j.close()

    def tampered(sql: str) -> list[str]:
        copy = tmp_path / f"t{abs(hash(sql))}"
        shutil.copytree(path.parent, copy)
        c = sqlite3.connect(copy / "journal.sqlite")
        c.executescript(
            "DROP TRIGGER sync_receipts_no_delete; DROP TRIGGER sync_receipts_no_update;"
            "DROP TRIGGER sync_attempts_no_delete; DROP TRIGGER sync_attempts_no_update;"
            "DROP TRIGGER sync_deliveries_no_update;" + sql
        )
        c.close()
        jj = Journal.open(copy / "journal.sqlite", FixedClock())
        try:
            report = jj.verify()
        finally:
            jj.close()
        assert not report.ok
        return [p for p in report.problems if p.startswith("sync outbox")]

    # A delivered row made pending again: its receipt (and last attempt) deleted.
    assert tampered("DELETE FROM sync_receipts;")[0].startswith("sync outbox: 0 receipts")
    # A receipt swapped for another (validly signed) one.
    other = sign_receipt(
        Receipt(keys[0], "1" * 64, "379", "c", 1, True, "2026-11-28T00:00:00Z", "e"),
        development_private_key(),
    )
    assert tampered(f"UPDATE sync_receipts SET receipt = x'{other.hex()}';")[0].startswith(
        "sync outbox: 1 receipts differ"
    )
    # An attempt rewritten, a body replaced.
    assert "attempts differ" in tampered("UPDATE sync_attempts SET error = NULL WHERE id = 1;")[0]
    assert (
        "content hash"
        in tampered("UPDATE sync_deliveries SET body = x'00' WHERE name = '1.protocol.jws.json';")[0]
    )
    # The receipts' table dropped altogether.
    assert "missing" in tampered("DROP TABLE sync_receipts;")[0]


def test_files_out_of_order_tampered_and_slow_over_the_wire(store: Store, station: Path) -> None:
    """The faults the file deliveries open: sent before the protocols (out of order), a
    tampered CVR (refused, not retried; the rest delivered), a slow reply past the timeout on
    the large CVR (the retry gets the same receipt)."""
    intake = intake_for(store, station)
    server = serve(intake, None, None, slow=1, delay=4.0)
    outbox = Outbox(station / "journal.sqlite", TRUST)
    from kiosk.cli.sync import queue_all

    files = files_of(station)
    doc = json.loads(files["manifest"])
    payload = json.loads(unb64(doc["payload"]))
    payload["station"] = "380"  # claims another station, signature left as it was
    tampered = canonical(dict(doc, payload=b64(canonical(payload)))) + b"\n"
    assert outbox.queue("0-tampered.file.jws.json", tampered) == 1  # first in the outbox's order
    _urls, ctx = headquarters_of(load_election(station / "election.json"))
    s = Sender(outbox, server.url, load_device_key(station), TRUST, ctx, 2.0, sleep=lambda _s: None)
    try:
        # The files first, by hand: the CVR (held past the client's timeout), then the manifest.
        by_kind = {unwrap(b, TRUST).kind: (n, b) for n, b in station_files(station, ["cvr", "manifest"])}
        for kind in ("cvr", "manifest"):
            outbox.queue(*by_kind[kind])
            d = next(x for x in outbox.pending() if x.body == by_kind[kind][1])
            results = [s.send_one(d) for _ in range(2)] if kind == "cvr" else [s.send_one(d)]
            assert results[-1] == "done", results
        assert store.count() == 0 and store.count_files() == 2  # no protocol yet
        assert queue_all(outbox, station) == 4
        out = s.run(max_attempts=5)
    finally:
        server.stop()
    assert out.delivered == 4 and list(out.refused.values()) == ["sync_file_bad"]
    st = {d.name: d for d in outbox.status()}
    assert st["0-tampered.file.jws.json"].state == "refused" and st["0-tampered.file.jws.json"].attempts == 1
    cvr = next(d for d in st.values() if d.name.startswith("cvr"))
    assert cvr.attempts == 2 and "Timeout" in (cvr.last_error or "")
    assert store.count() == 4 and store.count_files() == 2
    for ds in st.values():
        if ds.name != "0-tampered.file.jws.json":
            assert ds.state == "receipt received" and ds.receipt is not None
            verify_receipt(ds.receipt, TRUST, ds.key)
    outbox.close()


def test_sanaq_hq_is_the_intake_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "hq.sqlite")
    assert main(["hq", "aggregate", "--db", db, "--development"]) == 0
    agg = json.loads(capsys.readouterr().out)
    assert agg["election_hash"] == election_hash(sample_election()) and all(
        c["stations_received"] == [] for c in agg["contests"]
    )
    assert main(["hq", "aggregate", "--db", db]) == 2  # the DEVELOPMENT-key sample without the switch
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "sync_development_key"
