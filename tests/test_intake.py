"""The intake's rules on both stores (SQLite file; a real PostgreSQL started by the fixture):
verification through kiosk.protocol's own code, idempotency, versions, refusals with codes,
the aggregate (JSON and HTML) and the USB import."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from synckit import template_protocols

from intake.cli import import_dir
from intake.cli import main as intake_main
from intake.service import Intake
from intake.store import Store
from intake.synthetic import multi_station_package, readdress, signed_file, synthetic_station
from kiosk.election.package import development_private_key, development_trust
from kiosk.errors import SanaqError
from kiosk.protocol.keys import b64, unb64
from kiosk.protocol.signed import canonical
from kiosk.sync.wire import delivery_key, verify_receipt

PKG = multi_station_package(3)


def make_intake(store: Store) -> Intake:
    return Intake(store, PKG, development_trust(), development_private_key(), lambda: 1_700_000_000.0)


def files(station: str, version: int = 1, replaces: dict[str, str] | None = None) -> list[bytes]:
    s = synthetic_station(PKG, station)
    out = []
    for p in template_protocols():
        prev = (replaces or {}).get(p.contest)
        out.append(signed_file(s, readdress(p, PKG, station, version, prev)))
    return out


def test_store_once_same_receipt_and_aggregate(store: Store) -> None:
    intake = make_intake(store)
    sent = files("1000") + files("1001")
    receipts = [intake.accept(b, "https") for b in sent]
    assert all(a.new for a in receipts) and store.count() == len(sent) == 8
    again = [intake.accept(b, "https") for b in sent]
    assert [a.receipt for a in again] == [a.receipt for a in receipts] and not any(a.new for a in again)
    assert store.count() == 8
    for b, a in zip(sent, receipts, strict=True):
        r = verify_receipt(a.receipt, development_trust(), delivery_key(b))
        assert r.current and r.version == 1 and r.stored_at == "2023-11-14T22:13:20Z"
    agg = intake.aggregate()
    by = {c["contest"]: c for c in agg["contests"]}
    for p in template_protocols():
        c = by[p.contest]
        assert c["stations_received"] == ["1000", "1001"] and c["stations_missing"] == ["1002"]
        assert c["lines"] == {lid: 2 * v for _n, lid, v in p.lines}


def test_versions_supersede_out_of_order_and_replay(store: Store) -> None:
    intake = make_intake(store)
    v1 = files("1000")
    for b in v1:
        intake.accept(b, "https")
    digests = {p.contest: readdress(p, PKG, "1000").digest() for p in template_protocols()}
    v2 = files("1000", 2, digests)
    a2 = intake.accept(v2[0], "https")
    assert a2.new and verify_receipt(a2.receipt, development_trust()).current
    assert store.count() == 5  # both kept
    contest = template_protocols()[0].contest
    assert [r.version for r in store.versions("1000", contest)] == [1, 2]
    # Out of order: station 1001 sends v2 before v1; v1 (named by v2) is kept as history.
    d1 = {p.contest: p.digest() for p in (readdress(t, PKG, "1001") for t in template_protocols())}
    w1, w2 = files("1001"), files("1001", 2, d1)
    assert verify_receipt(intake.accept(w2[0], "https").receipt, development_trust()).current
    late = verify_receipt(intake.accept(w1[0], "https").receipt, development_trust())
    assert late.version == 1 and not late.current
    # A replayed old version that no stored version names: refused, nothing stored.
    other = files("1002", 2, {contest: "0" * 64})
    intake.accept(other[0], "https")
    n = store.count()
    with pytest.raises(SanaqError) as e:
        intake.accept(files("1002")[0], "https")
    assert e.value.code == "sync_replayed_version" and store.count() == n


def test_refusals(store: Store, tmp_path: Path) -> None:
    intake = make_intake(store)
    good = files("1000")[0]
    doc = json.loads(good)
    payload = json.loads(unb64(doc["payload"]))
    payload["lines"][-1][2] += 1  # one vote more
    doc["payload"] = b64(canonical(payload))
    tampered = canonical(doc) + b"\n"
    cases = {
        "protocol_malformed": good.replace(b'"payload":"', b'"payload": "'),
        "protocol_bad_signature": tampered,
        "sync_wrong_election": (template_station_file()),
        "sync_unknown_station": signed_file(
            synthetic_station(PKG, "9999"), readdress(template_protocols()[0], PKG, "9999")
        ),
    }
    for code, body in cases.items():
        with pytest.raises(SanaqError) as e:
            intake.accept(body, "https")
        assert e.value.code == code
    assert store.count() == 0


def template_station_file() -> bytes:
    from synckit import template_station

    return sorted((template_station() / "protocols").glob("*.protocol.jws.json"))[0].read_bytes()


def test_usb_import_same_checks_and_receipts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = tmp_path / "stick" / "sanaq-x-1000-20231114T221320Z" / "protocols"
    stick.mkdir(parents=True)
    for i, b in enumerate(files("1000")):
        (stick / f"S{i}.v1.protocol.jws.json").write_bytes(b)
    intake = make_intake(Store(str(tmp_path / "i.sqlite")))
    rows = import_dir(intake, tmp_path / "stick")
    assert len(rows) == 4 and all(r["stored"] for r in rows)
    assert [r["receipt"] for r in import_dir(intake, tmp_path / "stick")] == [r["receipt"] for r in rows]
    assert intake.store.count() == 4
    # A huge file or a fifo on the stick: refused with a code, unread; the others still imported.
    (stick / "huge.v1.protocol.jws.json").write_bytes(b" " * (2 << 20))
    os.mkfifo(stick / "fifo.v1.protocol.jws.json")
    rows = import_dir(intake, tmp_path / "stick")
    bad = [r for r in rows if "error" in r]
    assert [r["error"]["code"] for r in bad] == ["sync_too_large"] * 2 and len(rows) == 6  # type: ignore[index]
    (stick / "huge.v1.protocol.jws.json").unlink()
    (stick / "fifo.v1.protocol.jws.json").unlink()
    # The command: the sample package's own station, exported by the kiosk.
    from synckit import template_station

    shutil.copytree(template_station() / "protocols", tmp_path / "usb" / "protocols")
    db = tmp_path / "cmd.sqlite"
    capsys.readouterr()  # the template station's progress lines, when it was made here
    assert intake_main(["import", "--db", str(db), "--development", str(tmp_path / "usb")]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 4 and all(r["stored"] and r["station"] == "379" for r in out)
    assert intake_main(["import", "--db", str(db), "--development", str(tmp_path / "usb")]) == 0
    assert not any(json.loads(line)["stored"] for line in capsys.readouterr().out.splitlines())
    # Without the development switch the sample package (DEVELOPMENT key) is refused.
    assert intake_main(["import", "--db", str(db), str(tmp_path / "usb")]) == 2
