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
