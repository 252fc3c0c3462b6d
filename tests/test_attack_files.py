"""Round-2 attacks on the station's files, after the issue-11 work (attack branch).

Each test is an attack someone with the data directory, the USB mirror and sqlite3 would
try that tests/test_tamper.py's table does not cover. Real journals on disk, real SQLite.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from stationkit import make_station

from fieldkit.sim import SimScanner
from kiosk.errors import SanaqError
from kiosk.station import chain
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.station.store import canonical


def _counted(tmp: Path, n: int = 5) -> tuple[Path, Path]:
    st = make_station(tmp)
    st.transition("open", "chair")
    st.scan(SimScanner(style="MZ-LIST", n=n, seed=3), "member", member="M. Member")
    st.transition("pause", "chair")
    st.journal.close()
    return tmp / "j.sqlite", tmp / "usb" / "j.sqlite"


def _rehash_configure(path: Path, **changes: object) -> None:
    """Edit the configure link and recompute its own hash (it is unsigned: no key needed)."""
    db = sqlite3.connect(path)
    session, at, kind, role, detail, prev = db.execute(
        "SELECT session, at, kind, role, detail, prev FROM audit WHERE seq=1"
    ).fetchone()
    parsed = json.loads(detail)
    parsed.update(changes)
    digest = chain.link_hash(prev, session, at, kind, role, parsed)
    db.execute("UPDATE audit SET detail=?, hash=? WHERE seq=1", (canonical(parsed).decode(), digest))
    db.commit()
    db.close()


def test_configure_link_rehashed_without_the_key_is_refused_at_open(tmp_path: Path) -> None:
    """The configure link is not signed and `configuration()` checked only its own hash:
    setting "mirror": null and rehashing that one link opened the station without its
    mirror (verify would complain, but the station never ran it) and it counted on."""
    primary, _ = _counted(tmp_path)
    _rehash_configure(primary, mirror=None)
    with pytest.raises(SanaqError) as err:
        Journal.configuration(primary)
    assert err.value.code == "journal_tampered"
    with pytest.raises(SanaqError) as err:
        Journal.open_configured(primary, FixedClock())
    assert err.value.code == "journal_tampered"


def test_configure_link_pointing_the_mirror_elsewhere_is_refused(tmp_path: Path) -> None:
    """The same with the mirror pointed at a fresh file the attacker controls."""
    primary, _ = _counted(tmp_path)
    decoy = tmp_path / "decoy.sqlite"
    _rehash_configure(primary, mirror=str(decoy))
    with pytest.raises(SanaqError) as err:
        Journal.open_configured(primary, FixedClock())
    assert err.value.code == "journal_tampered"


def test_mirror_swapped_with_another_stations_journal_is_refused(tmp_path: Path) -> None:
    """Holds: the stick of another station (same election, same number of sheets) put in
    place of this one's is `mirror_differs`, never merged or caught up."""
    primary, mirror = _counted(tmp_path / "a")
    _, other = _counted(tmp_path / "b")
    for suffix in ("", "-wal", "-shm"):
        Path(str(mirror) + suffix).unlink(missing_ok=True)
    other.replace(mirror)
    with pytest.raises(SanaqError) as err:
        Journal.open_configured(primary, FixedClock())
    assert err.value.code == "mirror_differs"


def test_device_key_deleted_or_device_pub_replaced(tmp_path: Path) -> None:
    """Holds: without device.key the station writes nothing (`device_key_invalid`), and a
    replaced device.pub changes nothing verify trusts (the key is the configure link's)."""
    primary, _ = _counted(tmp_path)
    (tmp_path / "device.pub").write_text("not a key\n")
    journal = Journal.open_configured(primary, FixedClock())
    assert journal.verify().ok
    journal.close()
    (tmp_path / "device.key").unlink()
    journal = Journal.open_configured(primary, FixedClock())
    with pytest.raises(SanaqError) as err:
        journal.transition("resume", "chair")
    assert err.value.code == "device_key_invalid"
    assert journal.verify().ok and journal.state == "paused"
    journal.close()


def test_a_replaced_device_pub_vouches_for_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Attack review finding 2: headquarters' enrolment and `export verify --data` took the
    device's public key from DATA/device.pub, which anyone with the files can replace. Both
    now compare it with the key the journal's signed configure link names."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.cli import main
    from kiosk.protocol.sample import make_sample_station

    data = make_sample_station(tmp_path / "st", sheets_per_style=4).data
    assert main(["protocol", "--data", str(data), "roster", "--out", str(tmp_path / "good.json")]) == 0
    forged = Ed25519PrivateKey.generate().public_key()
    (data / "device.pub").write_bytes(
        forged.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    capsys.readouterr()
    assert main(["protocol", "--data", str(data), "roster", "--out", str(tmp_path / "bad.json")]) == 2
    assert json.loads(capsys.readouterr().err.splitlines()[-1])["error"]["code"] == "device_key_invalid"
    assert not (tmp_path / "bad.json").exists()
    (tmp_path / "export").mkdir()
    assert main(["export", "verify", str(tmp_path / "export"), "--data", str(data)]) == 2
    assert json.loads(capsys.readouterr().err.splitlines()[-1])["error"]["code"] == "device_key_invalid"
