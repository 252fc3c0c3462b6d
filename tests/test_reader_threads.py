"""The reader's process runs OpenCV on one thread (session 62, kiosk/reading/reader.py)."""

from __future__ import annotations

import cv2

from kiosk.election.load import load_election
from kiosk.reading.reader import BallotReader


def test_the_reader_runs_opencv_on_one_thread() -> None:
    """A reader made in a process sets OpenCV to one thread (reader.py: the kiosk reads as
    benchmarks/read.py measures)."""
    cv2.setNumThreads(4)
    pkg = load_election(None)
    BallotReader(pkg.election, pkg.election_hash)
    assert cv2.getNumThreads() == 1
