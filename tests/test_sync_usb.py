"""USB deliveries (issue 15, sync3): `sanaq export --to STICK` writes the outbox's deliveries
(the signed protocols, and the signed CVR and manifest file deliveries where the package asks),
byte for byte what `sanaq sync` sends; the territorial commission's `sanaq hq import` takes
them with the same checks, the same idempotency and the same receipts as over the network,
and prints the courier's receipt (an A4 PDF read back with pdftotext)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from exportkit import station_argv
from synckit import ServerThread, hq_pki, hq_port, hq_station

from intake.app import create_app
from intake.service import Intake
from intake.store import Store
from kiosk.cli import main
from kiosk.cli.sync import queue_all
from kiosk.election.load import load_election
from kiosk.election.package import development_private_key, development_trust
from kiosk.protocol.export import load_public_key, verify_export
from kiosk.sync.files import FILE_SUFFIX
from kiosk.sync.outbox import Outbox
from kiosk.sync.printing import TITLE_EN, groups
from kiosk.sync.wire import verify_receipt

TRUST = development_trust()


def _import(
    stick: Path, db: Path, election: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> list[dict]:  # type: ignore[type-arg]
    argv = ["hq", "import", str(stick), "--db", str(db), "--election", str(election), "--development"]
    assert main([*argv, *extra]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_stick_imports_with_the_network_receipts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    shutil.copytree(hq_station(), data)
    assert main(station_argv(data, "finalise")) == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    # As the kiosk's export button does: the finalised protocols with the results and CVRs.
    argv = ["export", "--data", str(data), "--to", str(stick), "--protocol", str(data / "protocols")]
    assert main(argv) == 0
    capsys.readouterr()
    (folder,) = [p for p in stick.iterdir() if p.is_dir()]
    assert verify_export(folder, load_public_key(data / "device.pub")).ok
    on_stick = sorted(
        [*folder.rglob("*.protocol.jws.json"), *folder.rglob(f"*{FILE_SUFFIX}")], key=lambda p: p.name
    )
    # The outbox's deliveries, byte for byte: the same idempotency keys.
    outbox = Outbox(data / "journal.sqlite", TRUST)
    try:
        queue_all(outbox, data)
        keys = {d.key for d in outbox.pending()}
    finally:
        outbox.close()
    assert len(keys) == 6 and len(on_stick) == 6
    assert {hashlib.sha256(p.read_bytes()).hexdigest() for p in on_stick} == keys
    assert sorted(p.parent.name for p in on_stick if p.name.endswith(FILE_SUFFIX)) == ["deliveries"] * 2

    db, election, pdf = tmp_path / "tc.sqlite", data / "election.json", tmp_path / "courier.pdf"
    first = _import(stick, db, election, capsys, "--pdf", str(pdf))
    assert len(first) == 6 and all(r["stored"] is True for r in first), first
    receipts = {r["key"]: r["receipt"] for r in first}
    assert set(receipts) == keys
    for key, receipt in receipts.items():
        assert verify_receipt(receipt.encode(), TRUST, key).key == key
    # The same stick again: nothing new stored, the same receipts byte for byte.
    again = _import(stick, db, election, capsys)
    assert all(r["stored"] is False for r in again) and {r["key"]: r["receipt"] for r in again} == receipts
    store = Store(str(db))
    try:
        assert store.count() == 4 and store.count_files() == 2
    finally:
        store.close()
    # The courier's receipt: one page per delivery, each hash readable.
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert sum(TITLE_EN in page for page in out.split("\f")) == 6
    for receipt in receipts.values():
        r = verify_receipt(receipt.encode(), TRUST)
        assert all(g in out for g in groups(r.sha256)) and all(g in out for g in groups(r.key))
    assert "ШТАБТЫҢ ҚАБЫЛДАУ ТҮБІРТЕГІ" in out

    # Then the same station over the network to that intake: the same receipts, nothing stored.
    intake = Intake(Store(str(db)), load_election(election), TRUST, development_private_key(), time.time)
    server = ServerThread(create_app(intake), hq_pki(), hq_port()).start()
    try:
        assert main(["sync", "--data", str(data)]) == 0
    finally:
        server.stop()
    outbox = Outbox(data / "journal.sqlite", TRUST)
    try:
        got = {s.key: s.receipt for s in outbox.status()}
    finally:
        outbox.close()
    assert {k: (v or b"").decode().strip() for k, v in got.items()} == receipts
    assert intake.store.count() == 4 and intake.store.count_files() == 2


def test_no_headquarters_no_file_deliveries_on_the_stick(tmp_path: Path) -> None:
    """A package that names no headquarters asks for no file deliveries: the stick holds the
    protocols (importable as before) and nothing under deliveries/."""
    from synckit import template_station

    data = tmp_path / "data"
    shutil.copytree(template_station(), data)
    assert main(station_argv(data, "finalise")) == 0
    stick = tmp_path / "stick"
    stick.mkdir()
    assert (
        main(["export", "--data", str(data), "--to", str(stick), "--protocol", str(data / "protocols")]) == 0
    )
    (folder,) = [p for p in stick.iterdir() if p.is_dir()]
    assert not (folder / "deliveries").exists() and len(list(folder.rglob("*.protocol.jws.json"))) == 4
