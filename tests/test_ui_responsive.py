"""The kiosk window under a stream of sheets (issue 14, benchmarks/ui.py): what its speed-ups
must not change. A real window (SDL offscreen, Mesa llvmpipe), the real station thread, reader
and journal on disk; frames stepped by hand (kiosk/ui/drive.py).

- Results the station thread posts within one frame are each heard (a sound each) and the
  screen is updated once, with the last of them.
- After a burst of sheets counted while the window drew nothing, the counter is the journal's
  count and the panel the last sheet's.
- The heap is settled once per process (`settle_heap`).
- A panel's opaque background, drawn with blending off, leaves blending on for what follows:
  a half-transparent colour over it is blended.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from kiosk.station.ports import FedSheet


class SoundRecorder:
    def __init__(self) -> None:
        self.played: list[str] = []

    def play(self, sound: str) -> None:
        self.played.append(sound)


@pytest.fixture(scope="module")
def kivy_window(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["KIVY_HOME"] = str(tmp_path_factory.mktemp("kivy-home"))
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, offscreen=True, fullscreen=False))


def _voting(tmp_path: Path, scanner: Any, sounds: SoundRecorder) -> tuple[Any, Any]:
    from kiosk.ui.app import KioskApp
    from kiosk.ui.drive import Driver, open_station
    from kiosk.ui.services import KioskService

    data = tmp_path / "station"
    open_station(data)
    app = KioskApp(KioskService(data, development=True), scanner=scanner, lang="kk", sounds=sounds)
    d = Driver(app)
    d.settle(until=lambda: app.status is not None)
    return app, d


def test_results_posted_in_one_frame_are_each_heard_and_drawn_once_with_the_last(
    kivy_window: None, tmp_path: Path
) -> None:
    from fieldkit.sim import SimScanner
    from kiosk.ui.services import SheetResult

    sounds = SoundRecorder()
    app, d = _voting(tmp_path, SimScanner(n=0), sounds)
    try:
        app.goto("voting")
        d.settle()
        d.frames(10)  # the "accepted" panel is prepared meanwhile, at the result area's size
        prepared = app._panels.get("accepted")
        assert prepared is not None and tuple(prepared.size) == tuple(app.result_panel.size)
        refreshes: list[str] = []
        refresh = app._refresh_voting

        def counted() -> None:
            refreshes.append(app.counter_label.text)
            refresh()

        app._refresh_voting = counted
        sounds.played.clear()
        # As the station thread posts them: three results waiting for the same frame.
        for r in (
            SheetResult("accepted", None, 5, 0.0),
            SheetResult("accepted", None, 6, 0.0),
            SheetResult("returned", "wrong_station", 6, 0.0),
        ):
            app._post(lambda r=r: app.sheet_result(r))
        d.frames(1)
        assert sounds.played == ["accepted", "accepted", "warning"]
        assert len(refreshes) == 1
        assert app.counter_label.text == "6"
        assert app._shown_kind == "returned:wrong_station"
        assert app.result_panel.children == [app._panels["returned:wrong_station"]]
        app._post(lambda: app.sheet_result(SheetResult("accepted", None, 7, 0.0)))
        d.frames(2)
        assert app.counter_label.text == "7"
        assert app.result_panel.children == [prepared]  # the one prepared, shown as it was
        assert tuple(prepared.size) == tuple(app.result_panel.size)
        assert len(refreshes) == 2
    finally:
        app.stop_scanning()
        app.stop()


def test_after_a_burst_the_counter_is_the_journal_count(kivy_window: None, tmp_path: Path) -> None:
    from fieldkit.sim import SimScanner

    class Tray(SimScanner):
        """The simulator's sheets, then a scanner waiting for paper (the scan does not end, so
        nothing but the sheets' own results updates the screen) until `release`."""

        def __init__(self, n: int) -> None:
            super().__init__(n=n, seed=5)
            self.release = threading.Event()

        def feed(self) -> Iterator[FedSheet]:
            yield from super().feed()
            self.release.wait(300)

    sheets = 12
    sounds = SoundRecorder()
    tray = Tray(sheets)
    app, d = _voting(tmp_path, tray, sounds)
    try:
        app.goto("voting")
        # The station counts the whole tray while the window draws nothing: every result
        # waits in the Clock's queue, and the next frame takes them all at once.
        deadline = time.monotonic() + 180
        while sum(v in ("box", "returned") for v in tray.state.values()) < sheets:
            assert time.monotonic() < deadline, "the station did not count the tray"
            time.sleep(0.05)
        time.sleep(0.2)  # the last sheet's post
        d.frames(1)
        assert len(sounds.played) == sheets  # every sheet's result heard, in that one frame
        counted = sum(v == "box" for v in tray.state.values())
        assert counted == sheets - sounds.played.count("warning") > 0
        assert app.counter_label.text == str(counted)
        assert app.last is not None and app.last.counter == counted
        want = "accepted" if app.last.outcome != "returned" else f"returned:{app.last.reason or 'unreadable'}"
        assert app._shown_kind == want
        journal: list[int] = []
        app.stop_scanning()
        tray.release.set()
        app.call(lambda s: s.journal.tally("official").sheets, journal.append)
        d.settle(until=lambda: bool(journal) and not app.scanning)
        assert journal == [counted]
        assert app.counter_label.text == str(counted)
    finally:
        tray.release.set()
        app.stop_scanning()
        app.stop()


def test_the_heap_is_settled_once_per_process(kivy_window: None, tmp_path: Path) -> None:
    from fieldkit.sim import SimScanner
    from kiosk.ui.services import settle_heap

    app, d = _voting(tmp_path, SimScanner(n=0), SoundRecorder())
    try:
        d.settle()
        assert gc.get_freeze_count() > 50_000  # Kivy, numpy, numba, the package: left out of collections
        assert settle_heap() is False  # done at the kiosk's start already
    finally:
        app.stop()


def test_an_opaque_panel_leaves_blending_on_for_what_is_drawn_over_it(
    kivy_window: None, tmp_path: Path
) -> None:
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics import Color, Rectangle

    from kiosk.ui.widgets import GREEN, Panel

    EventLoop.ensure_window()
    panel = Panel(bg=GREEN, size_hint=(None, None), size=(400, 200), pos=(0, 0))
    with panel.canvas:  # drawn after the panel's background: half-transparent white
        Color(1, 1, 1, 0.5)
        Rectangle(pos=(200, 0), size=(200, 200))
    Window.add_widget(panel)
    try:
        for _ in range(3):
            EventLoop.idle()
        panel.export_to_png(str(tmp_path / "panel.png"))
        image = np.asarray(Image.open(tmp_path / "panel.png").convert("RGB")).astype(int)
        green = np.array([round(c * 255) for c in GREEN[:3]])
        assert np.abs(image[100, 100] - green).max() <= 1  # the background, drawn with blending off
        # Over it, blended (not the raw white a blending left off would write).
        assert np.abs(image[100, 300] - (green + 255) / 2).max() <= 2
    finally:
        Window.remove_widget(panel)
