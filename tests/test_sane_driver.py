"""The SANE driver against real libsane: the `pnm` backend serves chosen deck images frame by
frame (the test plays the paper path by putting the next side in place), the `test` backend
runs a real ADF until it is empty, and both inject jams, an open cover and I/O errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from stationkit import CLEAN, counters, expected_tally, make_station

from drivers import open_scanner
from drivers.sane_scanner import SaneScanner, list_devices
from fieldkit.deck import generate_sheet
from kiosk.election.load import load_election
from kiosk.errors import SanaqError

pytest.importorskip("sane")


def _pgm_deck(tmp: Path, n: int) -> tuple[list[Path], list[Any]]:
    """Deck sheets as PGM files, both sides, in feed order."""
    pkg = load_election(None)
    files, truths = [], []
    for i in range(n):
        sheet = generate_sheet(pkg.election, pkg.election_hash, "MZ-LIST", 31, i, CLEAN)
        truths.append(sheet.truth)
        for side, data in (("a", sheet.back_bytes), ("b", sheet.front_bytes)):
            grey = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
            assert grey is not None
            path = tmp / f"s{i:03d}.{side}.pgm"
            cv2.imwrite(str(path), grey)
            files.append(path)
    return files, truths


class PaperPath:
    """Serves the next side through the pnm backend's `filename` option; reports no
    documents (a real SANE status) when the stack is used up."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.served = 0

    def __call__(self, dev: Any, frame: int) -> None:
        if self.served < len(self.files):
            dev.filename = str(self.files[self.served])
            dev.status = True
            self.served += 1
        else:
            dev.status_nodocs = True


def test_lists_the_libsane_test_devices() -> None:
    names = [d[0] for d in list_devices()]
    assert "pnm:0" in names and "test:0" in names


def test_pnm_frames_are_the_served_image_pixel_for_pixel(tmp_path: Path) -> None:
    files, _ = _pgm_deck(tmp_path, 1)
    scanner = open_scanner(f"sane:pnm:0?filename={files[0]}")
    with scanner:
        sheet = next(iter(scanner.feed()))
    served = cv2.imread(str(files[0]), cv2.IMREAD_GRAYSCALE)
    got = cv2.imdecode(np.frombuffer(sheet.images[0], np.uint8), cv2.IMREAD_GRAYSCALE)
    assert served is not None and got is not None
    assert len(sheet.images) == 1 and np.array_equal(served, got)


def test_station_counts_a_stack_through_libsane_exactly(tmp_path: Path) -> None:
    files, truths = _pgm_deck(tmp_path, 6)
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    scanner = SaneScanner("pnm:0", {"sides": "2", "feeder": "1"}, before_frame=PaperPath(files))
    with scanner:
        summary = st.scan(scanner, "member", member="M. Member")
    assert summary.counted == 6 and summary.stopped is None
    assert counters(st.journal) == expected_tally(truths)
    assert st.journal.tally().pending == 0 and st.journal.verify().ok


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("status_jammed", "scanner_jammed"),
        ("status_coveropen", "scanner_cover_open"),
        ("status_ioerror", "scanner_io_error"),
    ],
)
def test_device_faults_stop_counting_and_resume_without_restart(
    tmp_path: Path, status: str, code: str
) -> None:
    files, truths = _pgm_deck(tmp_path, 4)
    path = PaperPath(files)
    faulty = {"on": False}

    def serve(dev: Any, frame: int) -> None:
        path(dev, frame)
        if frame == 4 and not faulty["on"]:  # the third sheet's first side fails once
            faulty["on"] = True
            path.served -= 1  # not imaged: the same side goes again after the operator clears it
            setattr(dev, status, True)

    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    scanner = SaneScanner("pnm:0", {"sides": "2", "feeder": "1"}, before_frame=serve)
    with scanner:
        first = st.scan(scanner, "member", member="M. Member")
        assert (first.counted, first.stopped) == (2, code)
        assert [e.code for e in scanner.events()] == [code]
        assert st.journal.tally().sheets == 2 and st.journal.tally().pending == 0
        second = st.scan(scanner, "member", member="M. Member")  # the same driver object: no kiosk restart
    assert (second.counted, second.stopped) == (2, None)
    assert counters(st.journal) == expected_tally(truths)
    assert st.journal.verify().ok


def test_test_backend_adf_runs_empty_and_its_pages_are_returned(tmp_path: Path) -> None:
    """libsane's `test` backend: a real ADF that is empty after 10 pages. Its solid black
    pages are no ballots: every one is refused, reported for the tray, and nothing counted."""
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    scanner = open_scanner("sane:test:0?source=Automatic Document Feeder&sides=1")
    with scanner:
        summary = st.scan(scanner, "member", member="M. Member")
        events = scanner.events()
    assert summary.returned == 10 and summary.counted == 0 and summary.stopped is None
    assert summary.reasons is not None and sum(summary.reasons.values()) == 10
    assert [e.code for e in events] == ["take_sheet_from_tray"] * 10
    assert st.journal.tally().sheets == 0


def test_test_backend_jam_is_reported(tmp_path: Path) -> None:
    scanner = open_scanner(
        "sane:test:0?source=Automatic Document Feeder&read-return-value=SANE_STATUS_JAMMED"
    )
    with scanner:
        with pytest.raises(SanaqError) as err:
            next(iter(scanner.feed()))
        assert err.value.code == "scanner_jammed"
        assert scanner.status().state == "jammed"


def test_unknown_device_and_option_are_clear_errors() -> None:
    with pytest.raises(SanaqError) as err:
        open_scanner("sane:nosuch:0").open()
    assert err.value.code == "scanner_unavailable"
    with pytest.raises(SanaqError) as err:
        open_scanner("sane:pnm:0?no-such-option=1").open()
    assert err.value.code == "scanner_not_supported"


def test_a_whole_box_counted_as_a_batch_after_close(tmp_path: Path) -> None:
    """Batch mode: the polls close, the box is emptied into the document scanner's feeder
    and counted in one run until the feeder is empty; after the protocol is finalised no
    more ballots can be counted."""
    files, truths = _pgm_deck(tmp_path, 5)
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    st.journal.transition("close", "chair")
    scanner = SaneScanner("pnm:0", {"sides": "2", "feeder": "1"}, before_frame=PaperPath(files))
    assert scanner.capabilities.batch
    with scanner:
        summary = st.scan(scanner, "member", member="M. Member")
    assert (summary.counted, summary.stopped) == (5, None)
    assert counters(st.journal) == expected_tally(truths)
    assert st.journal.transition("finalise", "chair").__class__.__name__ == "Allowed"
    with pytest.raises(SanaqError) as err:
        st.scan(
            SaneScanner("pnm:0", {"feeder": "1"}, before_frame=PaperPath(files)), "member", member="M. Member"
        )
    assert err.value.code == "action_not_allowed_now"
