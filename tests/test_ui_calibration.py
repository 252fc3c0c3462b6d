"""The kiosk's side of issue 16 (without a window): calibration through kiosk.calibration.session
on a hot folder of generated calibration scans (one clean, one with a streak), each recorded in
the signed journal; the thresholds' histogram found only where its digest is the signed one;
the L&A expected tally made from the package; the three sounds (generated WAVs, which sound
each outcome asks for, silence where there is no audio)."""

from __future__ import annotations

import hashlib
import logging
import wave
from pathlib import Path

import numpy as np
import pytest
from stationkit import calibration_folder

from fieldkit.calscans import Distortion, scan_bytes
from kiosk.calibration.lat import signed_details
from kiosk.calibration.thresholds import Choice, record_thresholds
from kiosk.errors import SanaqError
from kiosk.reading.model import Thresholds
from kiosk.station.service import FixedClock
from kiosk.ui.catalogue import LANGS, error_text
from kiosk.ui.services import DEMO_MEMBERS, DEMO_TECHNICIANS, KioskService, SecondChance, SheetResult
from kiosk.ui.sounds import RATE, SOUNDS, Player, samples, sound_for, write_wavs

TECH, _, TECH_PIN = DEMO_TECHNICIANS[0]


@pytest.fixture
def service(tmp_path: Path) -> KioskService:
    s = KioskService(tmp_path / "station", clock=FixedClock(), development=True)
    s.load_package()
    s.configure("379")
    return s


def _links(s: KioskService, kind: str) -> list[dict[str, object]]:
    return [d for _, _, d in signed_details(s.journal, (kind,))]


def test_calibration_on_the_kiosk_passes_on_a_clean_sheet_and_is_recorded(
    service: KioskService, tmp_path: Path
) -> None:
    service.sign_in(TECH, TECH_PIN)
    service.calibration_url = calibration_folder(tmp_path / "hot")
    steps: list[str] = []
    view = service.calibrate(steps.append)
    assert steps == ["scanning", "recording"]
    assert view.passed and view.failures == ()
    assert {c.measure for c in view.checks} >= {"scale_x", "scale_y", "skew_deg", "streaks", "dust"}
    assert all(c.passed for c in view.checks) and {c.image for c in view.checks} == {0, 1}
    assert view.summary[0].endswith("PASSED")
    links = _links(service, "scanner_calibrated")
    assert len(links) == 1
    profile = service.data / "calibration" / f"{view.scanner}.json"
    assert profile.is_file()
    # The sheet went back out of the hot folder (returned, not counted).
    assert not list((tmp_path / "hot").glob("calibration.*.png"))


def test_a_streak_fails_with_its_code_and_is_recorded_all_the_same(
    service: KioskService, tmp_path: Path
) -> None:
    service.sign_in(TECH, TECH_PIN)
    hot = tmp_path / "hot"
    hot.mkdir()
    (hot / "calibration.a.png").write_bytes(scan_bytes(Distortion(streak_mm=43.0)))
    (hot / "calibration.b.png").write_bytes(scan_bytes(Distortion(seed=2), "B"))
    service.calibration_url = f"folder://{hot}"
    view = service.calibrate()
    assert not view.passed
    assert view.failures == ("calibration_streak",)
    bad = [c for c in view.checks if not c.passed]
    assert [(c.measure, c.image) for c in bad] == [("streaks", 0)] and "43" in bad[0].detail
    for lang in LANGS:  # what the screen says to do, in each language
        assert error_text("calibration_streak", lang) != "calibration_streak"
    assert len(_links(service, "scanner_calibrated")) == 1


def test_calibration_needs_a_technician_or_the_chair_and_a_sheet(
    service: KioskService, tmp_path: Path
) -> None:
    secretary = next(m for m in DEMO_MEMBERS if m[1] == "secretary")
    service.sign_in(secretary[0], secretary[2])
    service.calibration_url = calibration_folder(tmp_path / "hot")
    with pytest.raises(SanaqError) as err:
        service.calibrate()
    assert err.value.code == "role_not_allowed"
    service.sign_in(TECH, TECH_PIN)
    empty = tmp_path / "empty"
    empty.mkdir()
    service.calibration_url = f"folder://{empty}"
    with pytest.raises(SanaqError) as err:
        service.calibrate()
    assert err.value.code == "calibration_no_sheet"
    assert _links(service, "scanner_calibrated") == []


def test_the_histogram_is_shown_only_where_its_digest_is_the_signed_one(service: KioskService) -> None:
    service.sign_in(TECH, TECH_PIN)
    assert service.histogram() == (None, None)
    assert service.devices().histogram is None
    png = b"\x89PNG\r\n\x1a\n-not-really-but-hashed"
    sha = hashlib.sha256(png).hexdigest()
    reports = service.data / "reports"
    reports.mkdir()
    (reports / f"thresholds-{sha[:12]}.png").write_bytes(png)
    choice = Choice(Thresholds(marginal=0.03, marked=0.09), 0.25, 0.05, 0.02, 0.07, {}, {})
    record_thresholds(service.journal, "technician", TECH, choice, sha, "0" * 64)
    path, chosen = service.histogram()
    assert path == reports / f"thresholds-{sha[:12]}.png" and chosen == (0.03, 0.09)
    view = service.devices()
    assert view.histogram == path and view.thresholds == (0.03, 0.09)
    # A picture swapped on disk is not the one the journal signed: not shown.
    (reports / f"thresholds-{sha[:12]}.png").write_bytes(png + b"!")
    assert service.histogram() == (None, (0.03, 0.09))


def test_the_histogram_is_drawn_in_each_screen_language_from_the_signed_report(service: KioskService) -> None:
    """The picture the journal signs keeps its words (English with glosses); the devices screen
    shows a copy drawn in its own language from the scores of the report the link vouches for."""
    import json

    from kiosk.calibration.thresholds import OFFICIAL_LABELS, histogram_png
    from kiosk.ui.catalogue import histogram_labels, text

    service.sign_in(TECH, TECH_PIN)
    rng = np.random.default_rng(3)
    scores = {
        "empty": [float(v) for v in np.clip(rng.normal(0.006, 0.003, 200), 0, None)],
        "doubtful": [float(v) for v in np.clip(rng.normal(0.04, 0.007, 40), 0, None)],
        "clear": [float(v) for v in np.clip(rng.normal(0.12, 0.02, 150), 0, None)],
    }
    t = Thresholds(marginal=0.02, marked=0.07)
    png = histogram_png(scores, t, "Station 379: mark thresholds from its own scans")
    report = json.dumps({"station": "379", "scores": scores}).encode()
    sha, report_sha = hashlib.sha256(png).hexdigest(), hashlib.sha256(report).hexdigest()
    reports = service.data / "reports"
    reports.mkdir()
    official = reports / f"thresholds-{sha[:12]}.png"
    official.write_bytes(png)
    (reports / f"thresholds-{sha[:12]}.json").write_bytes(report)
    record_thresholds(
        service.journal, "technician", TECH, Choice(t, 0.25, 0.05, 0.02, 0.07, {}, {}), sha, report_sha
    )
    view = service.devices()
    assert view.histogram == official and dict(view.histogram_screens).keys() == {"kk", "ru", "en"}
    copies = dict(view.histogram_screens)
    for lang in LANGS:
        title = text("histo_title", lang, station="379")
        assert title != "Station 379: mark thresholds from its own scans" or lang == "en"
        assert copies[lang].read_bytes() == histogram_png(scores, t, title, labels=histogram_labels(lang))
        assert copies[lang].parent != reports  # beside the official files, not among them
    assert len({copies[lang].read_bytes() for lang in LANGS} | {png}) == 4
    # Words differ, bars and lines are the same: the pictures differ only where text is drawn.
    assert set(histogram_labels("kk")) == set(OFFICIAL_LABELS)
    assert official.read_bytes() == png and service.histogram() == (official, (0.02, 0.07))
    # A copy changed on disk is drawn again (not believed); the official picture is untouched.
    copies["kk"].write_bytes(png)
    drawn = histogram_png(scores, t, text("histo_title", "kk", station="379"), labels=histogram_labels("kk"))
    assert dict(service.devices().histogram_screens)["kk"].read_bytes() == drawn
    # A report changed after signing: the official picture only.
    (reports / f"thresholds-{sha[:12]}.json").write_bytes(report.replace(b"0.0", b"0.9", 1))
    assert service.devices().histogram_screens == () and service.devices().histogram == official
    # A report without scores (written before reports carried them), signed: the official picture only.
    bare = b'{"station": "379"}'
    (reports / f"thresholds-{sha[:12]}.json").write_bytes(bare)
    choice = Choice(t, 0.25, 0.05, 0.02, 0.07, {}, {})
    record_thresholds(service.journal, "technician", TECH, choice, sha, hashlib.sha256(bare).hexdigest())
    assert service.devices().histogram_screens == () and service.devices().histogram == official


def test_the_expected_tally_is_made_from_the_package(service: KioskService) -> None:
    service.sign_in(TECH, TECH_PIN)
    view = service.load_test_deck("cycle:3")
    assert (view.scheme, view.sheets, view.returned) == ("cycle:3", 159, 1)
    assert view.counted == view.sheets - view.returned
    assert (service.data / "testdeck" / "expected-cycle-3.json").is_file()
    assert service.load_test_deck("full").sheets == 1098
    with pytest.raises(SanaqError) as err:
        service.load_test_deck("cycle:1")
    assert err.value.code == "test_deck_mismatch"
    # Outside test mode there is nothing to compare.
    with pytest.raises(SanaqError) as err:
        service.test_report()
    assert err.value.code == "test_report_needs_test_mode"


def _test_ballots(hot: Path, names: range, seed: int = 31) -> int:
    """Test ballots of the sample's MZ-LIST style put in the hot folder (both sides) while no
    scan runs; how many of them carry a voter's mark."""
    from fieldkit.deck import DeckOptions, generate_sheet
    from kiosk.election.load import load_election

    pkg = load_election(None)
    marked = 0
    for i in names:
        sheet = generate_sheet(pkg.election, pkg.election_hash, "MZ-LIST", seed, i, DeckOptions(), test=True)
        (hot / f"t{i:03d}.b.png").write_bytes(sheet.back_bytes)
        (hot / f"t{i:03d}.a.png").write_bytes(sheet.front_bytes)
        marked += any(c.outcome in ("vote", "overvote") for c in sheet.truth.contests)
    return marked


def test_new_thresholds_or_a_calibration_mid_day_read_the_kiosks_next_sheet(
    service: KioskService, tmp_path: Path
) -> None:
    """The kiosk's station lives all day. Thresholds chosen between two test runs (as `sanaq
    marks calibrate` records them, in the configured state, beside the running kiosk), and a
    calibration of the scanner in use, recorded mid-day, are what its next sheet is read with:
    before, the kiosk kept the first scan session's reader for good (and the station kept one
    per mode and scanner, whatever was recalibrated or chosen since)."""
    from drivers.folder import FolderScanner

    service.sign_in(TECH, TECH_PIN)
    assert service.station is not None
    station = service.station
    hot = tmp_path / "hot"
    hot.mkdir()
    service.attach_scanner(FolderScanner(hot))

    def run(names: range) -> tuple[int, int, int]:
        """Scan these test ballots: (sheets counted, of them awaiting review, marked by truth)."""
        marked = _test_ballots(hot, names)
        before = service.tally("test")
        assert service.scan(lambda _: None).code is None and not list(hot.glob("*.png"))
        after = service.tally("test")
        review = sum(c["review_pending"] for c in after["contests"].values()) - sum(
            c["review_pending"] for c in before["contests"].values()
        )
        return after["sheets"] - before["sheets"], review, marked

    service.transition("start_test")
    counted, review, marked = run(range(0, 4))
    assert counted == 4 and marked >= 3 and review == 0  # the reader's defaults: clear marks count
    assert station.observed["test"].reader.thresholds == Thresholds()
    service.end_test()
    # Thresholds so high that no mark counts by itself: every marked sheet goes to the commission.
    high = Thresholds(marginal=0.01, marked=0.99)
    record_thresholds(
        service.journal, "technician", TECH, Choice(high, 0.25, 0.0, 0.0, 0.0, {}, {}), "0" * 64, "0" * 64
    )
    service.transition("start_test")
    counted, review, marked = run(range(4, 8))
    assert counted == 4 and marked >= 3 and review == marked
    first = station.observed["test"]
    assert first.reader.thresholds == high and first.reader.calibration is None and first.last is not None
    # The scanner in use calibrated mid-day (through the kiosk, as its devices screen does).
    calibration_folder(hot)
    view = service.calibrate()
    assert view.passed
    counted, review, marked = run(range(8, 10))
    assert counted == 2 and review == marked
    calibrated = station.observed["test"]
    assert calibrated is not first and calibrated.last is not None  # it read the sheets
    assert calibrated.reader.calibration is not None and calibrated.reader.calibration.scanner == view.scanner
    assert calibrated.reader.calibration.streaks == () and calibrated.reader.thresholds == high
    # Calibrated again, the same scanner: a streak now 43 mm from the left edge. Its next sheet is
    # read with the new profile (the station's cache is by profile, not only by scanner).
    (hot / "calibration.a.png").write_bytes(scan_bytes(Distortion(streak_mm=43.0)))
    (hot / "calibration.b.png").write_bytes(scan_bytes(Distortion(seed=2), "B"))
    assert service.calibrate().scanner == view.scanner
    run(range(10, 11))
    again = station.observed["test"]
    assert again is not calibrated and again.last is not None
    assert again.reader.calibration is not None and len(again.reader.calibration.streaks) == 1
    # Nothing changed since: the same reader for the next session (no rebuild per scan).
    run(range(11, 12))
    assert station.observed["test"] is again
    assert service.journal.verify().ok


# --- sounds ---------------------------------------------------------------------------------------


def _peak_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(len(x), 1 / RATE)[int(np.argmax(spectrum))])


def test_three_distinct_wavs_are_generated(tmp_path: Path) -> None:
    paths = write_wavs(tmp_path)
    peaks = {}
    for sound, path in paths.items():
        with wave.open(str(path)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
            seconds = w.getnframes() / RATE
            pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        assert 0.2 <= seconds <= 1.0, (sound, seconds)
        assert np.abs(pcm).max() > 10000  # audible, not clipped silence
        peaks[sound] = _peak_hz(pcm.astype(float))
    # Told apart by ear: a high chime, a mid beep, a low buzz.
    assert peaks["accepted"] > 1000 and 800 < peaks["warning"] < 1000 and peaks["error"] < 400
    assert len({len(samples(s)) for s in SOUNDS}) == 3


def test_which_sound_each_outcome_asks_for() -> None:
    assert sound_for(SheetResult("accepted", None, 1, 0.0)) == "accepted"
    assert sound_for(SheetResult("cast_as_is", None, 2, 0.0)) == "accepted"
    assert sound_for(SheetResult("returned", "wrong_station", 2, 0.0)) == "warning"
    assert sound_for(SecondChance((("c", "blank"),), {}, 0.0)) == "warning"
    assert sound_for("scanner_jammed") == "error"
    assert sound_for(SheetResult("accepted", None, 1, 0.0, mode="test")) is None


class _Recorder:
    """A stand-in for Kivy's sound (there is no audio device on this machine): records plays."""

    def __init__(self, path: str, played: list[str]) -> None:
        self.name = Path(path).stem
        self.played = played

    def play(self) -> None:
        self.played.append(self.name)


def test_the_player_plays_through_the_loader_and_is_silent_without_audio(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    played: list[str] = []
    player = Player(tmp_path / "a", lambda p: _Recorder(p, played))
    for s in ("accepted", "warning", "error", "accepted"):
        player.play(s)
    assert played == ["sanaq-accepted", "sanaq-warning", "sanaq-error", "sanaq-accepted"]
    # No audio provider (SoundLoader.load gives None): silent, one log line, no exception.
    caplog.set_level(logging.WARNING, logger="kiosk.ui.sounds")
    mute = Player(tmp_path / "b", lambda p: None)
    for _ in range(5):
        mute.play("error")
    assert mute.silent and sum("sounds off" in r.message for r in caplog.records) == 1
