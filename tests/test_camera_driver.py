"""The document camera driver on recorded frame sequences (cv2.CAP_IMAGES): a ballot laid
on a table, moved by a hand, held still, taken away; seen at an angle (keystone)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from stationkit import counters, expected_tally, make_station

from drivers import open_scanner
from drivers.camera import StillSheetDetector, flatten
from fieldkit.deck import DeckOptions, SheetTruth, canvas_margins, generate_sheet
from kiosk.election.load import load_election

FRAME_W, FRAME_H = 2400, 1800


def _table(rng: np.random.Generator) -> np.ndarray:
    return np.clip(70 + rng.normal(0, 3, (FRAME_H, FRAME_W)), 0, 255).astype(np.uint8)


def _on_table(page: np.ndarray, rng: np.random.Generator, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The page seen from above at a slight angle: a keystone warp and a small turn."""
    h, w = page.shape
    x0, y0 = (FRAME_W - w) // 2 + offset[0], (FRAME_H - h) // 2 + offset[1]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = np.array(
        [[x0 + 25, y0], [x0 + w - 25, y0 + 12], [x0 + w + 10, y0 + h], [x0 - 10, y0 + h - 8]], np.float32
    )
    frame = _table(rng)
    warped = cv2.warpPerspective(
        page, cv2.getPerspectiveTransform(src, dst), (FRAME_W, FRAME_H), borderValue=0
    )
    mask = cv2.warpPerspective(
        np.full_like(page, 255), cv2.getPerspectiveTransform(src, dst), (FRAME_W, FRAME_H)
    )
    frame[mask > 0] = warped[mask > 0]
    noise = rng.normal(0, 1.5, frame.shape)
    return np.clip(frame + noise, 0, 255).astype(np.uint8)


def record_session(folder: Path, pages: list[np.ndarray]) -> str:
    """Frames of a member laying each page down, holding still, taking it away."""
    rng = np.random.default_rng(5)
    frames: list[np.ndarray] = [_table(rng), _table(rng)]
    for page in pages:
        for dx in (300, 150):  # arriving: the page slides in, a hand over it
            moving = _on_table(page, rng, (dx, 40))
            cv2.circle(moving, (FRAME_W // 2 + dx, FRAME_H - 200), 180, 40, -1)
            frames.append(moving)
        frames += [_on_table(page, rng) for _ in range(7)]
        frames += [_table(rng), _table(rng)]
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"frame-{i:04d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 92])
    return str(folder / "frame-%04d.jpg")


def _pages(n: int) -> tuple[list[np.ndarray], list[SheetTruth]]:
    """Marked pages as paper (the deck's scanner margins cut off), 200 dpi."""
    pkg = load_election(None)
    opt = DeckOptions.clean()
    pages: list[np.ndarray] = []
    truths: list[SheetTruth] = []
    for i in range(n):
        sheet = generate_sheet(pkg.election, pkg.election_hash, "AST-SMD-07", 44, i, opt)
        scan = cv2.imdecode(np.frombuffer(sheet.back_bytes, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert scan is not None
        mx, my = canvas_margins(0, 0, opt, 200 / 25.4)
        pages.append(scan[my:-my, mx:-mx])
        truths.append(sheet.truth)
    return pages, truths


def test_still_sheet_is_captured_once_and_never_while_moving(tmp_path: Path) -> None:
    pages, _ = _pages(1)
    pattern = record_session(tmp_path, pages * 2)
    cap = cv2.VideoCapture(pattern, cv2.CAP_IMAGES)
    detector = StillSheetDetector()
    captured = []
    i = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        if detector.offer(frame):
            captured.append(i)
        i += 1
    # Per page: 2 moving frames, then 7 still ones; the first still frame differs from the
    # moving one before it, so 5 agreeing differences end at the 6th still frame.
    assert captured == [2 + 2 + 5, 2 + 11 + 2 + 5]


def test_flatten_recovers_an_upright_page_at_200_dpi(tmp_path: Path) -> None:
    pages, _ = _pages(1)
    frame = _on_table(pages[0], np.random.default_rng(1))
    flat = flatten(frame)
    assert flat is not None
    assert flat.shape[1] == round(148 / 25.4 * 200)
    assert abs(flat.shape[0] / flat.shape[1] - 210 / 148) < 0.03
    # The page content lines up with the original: strong correlation after resizing.
    a = cv2.GaussianBlur(cv2.resize(pages[0], (flat.shape[1], flat.shape[0])), (9, 9), 0)
    b = cv2.GaussianBlur(flat, (9, 9), 0)
    corr = np.corrcoef(a.astype(np.float32).ravel(), b.astype(np.float32).ravel())[0, 1]
    assert corr > 0.8


def test_station_counts_ballots_shown_to_the_camera(tmp_path: Path) -> None:
    pages, truths = _pages(3)
    frames = tmp_path / "frames"
    frames.mkdir()
    pattern = record_session(frames, pages)
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    scanner = open_scanner(f"camera://{pattern}")
    with scanner:
        summary = st.scan(scanner, "member", member="M. Member")
    assert (summary.counted, summary.returned, summary.stopped) == (3, 0, None)
    assert counters(st.journal) == expected_tally(truths)
    assert st.journal.verify().ok
