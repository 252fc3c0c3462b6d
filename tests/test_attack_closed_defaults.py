"""Round-2 attacks on the closed defaults (attack branch): generated or replayed sheets that
reached the official count without the development switch through other drivers than
`sim:` and the serial emulator. Real libsane test backends, real recorded frames."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_camera_driver import _pages, record_session
from test_sane_driver import PaperPath, _pgm_deck

from drivers import open_scanner
from drivers.sane_scanner import SaneScanner
from kiosk.election.package import key_id, sign_election, verify_package
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock, Station


def _official(tmp: Path) -> Station:
    """An official package under a headquarters key of the test's own; no development switch."""
    hq = Ed25519PrivateKey.generate()
    trust = {key_id(hq.public_key()): (hq.public_key(), "test hq")}
    pkg = verify_package(sign_election(sample_election(), hq), trust)
    journal = Journal.create(tmp / "j.sqlite", pkg.election_hash, "379", FixedClock())
    st = Station(journal, pkg, development=False)
    st.journal.transition("open", "chair")
    return st


@pytest.mark.parametrize("backend", ["pnm:0", "test:0"])
def test_libsane_test_backends_do_not_count_officially(tmp_path: Path, backend: str) -> None:
    """`sane:pnm:0?filename=...` serves any image file as a scan, `sane:test:0` draws test
    pages: both are libsane's test backends, and both counted into the official count."""
    pytest.importorskip("sane")
    files, _ = _pgm_deck(tmp_path, 2)
    st = _official(tmp_path)
    scanner = SaneScanner(backend, {"sides": "2", "feeder": "1"}, before_frame=PaperPath(files))
    with scanner, pytest.raises(SanaqError) as err:
        st.scan(scanner, "member", member="M. Member")
    assert err.value.code == "scanner_simulated"
    assert st.journal.tally().sheets == 0


def test_recorded_camera_frames_do_not_count_officially(tmp_path: Path) -> None:
    """`camera://frames/%04d.png` (or a video file) replays recorded frames: 3 sheets
    counted officially before."""
    pages, _ = _pages(3)
    frames = tmp_path / "frames"
    frames.mkdir()
    st = _official(tmp_path)
    scanner = open_scanner(f"camera://{record_session(frames, pages)}")
    with scanner, pytest.raises(SanaqError) as err:
        st.scan(scanner, "member", member="M. Member")
    assert err.value.code == "scanner_simulated"
    assert st.journal.tally().sheets == 0


def test_a_serial_device_of_unknown_kind_does_not_count_officially(tmp_path: Path) -> None:
    """A device that has not answered the handshake is not known to be real: the station
    refuses it (closed by default) instead of taking it for a real scanner."""
    import socket

    from drivers.serial_scanner import SerialScanner

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        scanner = SerialScanner(f"socket://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
        assert scanner.identity()["simulated"] is None
        st = _official(tmp_path)
        with pytest.raises(SanaqError) as err:
            st.scan(scanner, "member", member="M. Member")
        assert err.value.code == "scanner_simulated"
        assert st.journal.tally().sheets == 0
        scanner.close()
    finally:
        silent.close()


def test_a_serial_device_vouched_real_may_not_turn_into_the_emulator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in review of the attack: a device that answered as something else when the
    station checked it, and names itself the emulator at the next handshake, is refused."""
    from drivers.serial_scanner import SerialScanner
    from fieldkit.deck import DeckOptions, write_deck
    from fieldkit.emulator import LinkRunner, ScannerDevice, load_deck, run_in_thread
    from kiosk.election.load import load_election

    pkg = load_election(None)
    write_deck(pkg.election, pkg.election_hash, "MZ-LIST", 1, 2, tmp_path / "deck", DeckOptions.clean())
    runner = LinkRunner(
        ScannerDevice(load_deck(tmp_path / "deck"), {}, serial="EMU-8"), link=None, tcp_port=0
    )
    thread = run_in_thread(runner)
    scanner = SerialScanner(f"socket://127.0.0.1:{runner.tcp_port}", timeout=0.6)
    try:
        monkeypatch.setattr(SerialScanner, "EMULATOR_MODEL", "a name the device does not give")
        assert scanner.identity()["simulated"] is False  # vouched for as a real device
        monkeypatch.setattr(SerialScanner, "EMULATOR_MODEL", "Sanaq emulator")
        scanner.close()
        with pytest.raises(SanaqError) as err:
            scanner.open()  # the next handshake: the device now names itself the emulator
        assert err.value.code == "scanner_simulated"
    finally:
        scanner.close()
        runner.stop.set()
        thread.join(5)
