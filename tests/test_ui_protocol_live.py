"""The protocol screen updated in place on a keypad tap (kiosk/ui/app.py, `_protocol_in_place`):
the same widgets stay on screen, only what changed is set on them, and the picture is the one a
full build of the screen draws. A real window (SDL offscreen, Mesa llvmpipe), the real station
thread and journal on disk; frames stepped by hand (kiosk/ui/drive.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="module")
def kivy_window(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["KIVY_HOME"] = str(tmp_path_factory.mktemp("kivy-home"))
    from kiosk.ui.boot import Display, configure_kivy

    configure_kivy(Display(1280, 800, offscreen=True, fullscreen=False))


def _closed(tmp_path: Path) -> tuple[Any, Any]:
    from fieldkit.sim import SimScanner
    from kiosk.ui.app import KioskApp
    from kiosk.ui.drive import Driver, open_station
    from kiosk.ui.services import KioskService

    data = tmp_path / "station"
    open_station(data)
    app = KioskApp(KioskService(data, development=True), scanner=SimScanner(n=0), lang="ru")
    d = Driver(app)
    d.settle(until=lambda: app.status is not None)
    return app, d


def _picture(d: Any, path: Path) -> np.ndarray:
    """The screen, with each scroll view's bar strip blanked: a bar fades to its idle colour
    some time after it was made, so a screen built earlier draws it paler (not content)."""
    from kivy.uix.scrollview import ScrollView

    d.shot(path)
    img = np.asarray(Image.open(path).convert("RGB")).copy()
    h = img.shape[0]
    for sv in (w for w in d.widgets() if isinstance(w, ScrollView)):
        x0, y0 = sv.to_window(sv.right - sv.bar_width, sv.y)
        x1, y1 = sv.to_window(sv.right, sv.top)
        img[max(0, h - int(y1) - 1) : h - int(y0) + 1, max(0, int(x0) - 1) : int(x1) + 1] = 0
    return img


def test_keypad_taps_update_the_protocol_screen_in_place(kivy_window: None, tmp_path: Path) -> None:
    app, d = _closed(tmp_path)
    try:
        app.open_protocol()
        d.settle()
        assert app.screen == "protocol" and app.proto is not None
        before = {id(w) for w in d.widgets()}
        keys = {b.text: b for b in d.buttons("") if b.text.isdigit()}
        assert sorted(keys) == [str(k) for k in range(10)]
        line = next(ln for ln in app.proto.lines if ln.id == "ballots_spoiled")
        d.tap(f"{line.number}. {line.title['ru']}")
        for digit in "47":
            d.tap(digit, exact=True)
        d.settle()
        assert app.proto.lines[[ln.id for ln in app.proto.lines].index("ballots_spoiled")].value == 47
        # The same widgets: the keypad's, the tabs', the line's own button (its text set on it).
        now = {b.text: b for b in d.buttons("") if b.text.isdigit()}
        assert sorted(now) == sorted(keys) and all(now[k] is keys[k] for k in keys)
        typed = [b for b in d.buttons(f"{line.number}. {line.title['ru']}") if b.text.endswith("47")]
        assert len(typed) == 1 and id(typed[0]) in before
        assert app._proto_live is not None
        # What the screen shows is what a full build shows.
        live = _picture(d, tmp_path / "live.png")
        assert any("47" in t for t in d.texts())
        app.render()
        d.frames(4)
        assert id(next(iter(b for b in d.buttons("") if b.text == "1"))) not in before  # built anew
        full = _picture(d, tmp_path / "full.png")
        assert live.shape == full.shape
        assert int(np.count_nonzero(np.any(live != full, axis=2))) == 0
    finally:
        app.stop()


def test_a_failing_ratio_rebuilds_only_its_column_and_the_picture_matches(
    kivy_window: None, tmp_path: Path
) -> None:
    """A line typed so a ratio fails: the column beside the keypad gains rows (made again), the
    lines' column keeps its widgets; the picture is a full build's; a tab change builds anew."""
    app, d = _closed(tmp_path)
    try:
        app.open_protocol()
        d.settle()
        assert app.proto is not None
        live0 = app._proto_live
        assert live0 is not None
        lines_before = list(live0.lines.widgets)
        failing_before = list(live0.failing.widgets)
        line = next(ln for ln in app.proto.lines if ln.id == "ballots_issued")
        d.tap(f"{line.number}. {line.title['ru']}")
        for digit in "999":
            d.tap(digit, exact=True)
        d.settle()
        assert app._proto_live is live0
        assert [r for r in app.proto.ratios if not r.ok]
        assert live0.lines.widgets == lines_before  # the same rows, their texts set
        assert any(w.text.startswith("✗ ") for w in live0.lines.widgets)
        assert live0.failing.widgets != failing_before  # rows of another number: made again
        live = _picture(d, tmp_path / "live.png")
        app.render()
        d.frames(4)
        full = _picture(d, tmp_path / "full.png")
        assert int(np.count_nonzero(np.any(live != full, axis=2))) == 0
        other = app.proto_views[1]
        d.tap(other.style, exact=True)
        d.settle()
        assert app.proto.contest == other.contest
        assert app._proto_live is not None and app._proto_live.key[0] == other.contest
        # The error lines name a refusal and the station's state: either changed, a full build.
        assert app._protocol_in_place(app.proto)
        app.refused = "open"
        assert not app._protocol_in_place(app.proto)
    finally:
        app.stop()
