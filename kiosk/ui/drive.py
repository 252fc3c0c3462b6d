"""Driving the kiosk window without a person: frames stepped by hand, touches through Kivy's
own input path (a MotionEvent posted to the event loop, as a touchscreen's would be), and
pictures of the whole window. Used by the tour, the end-to-end test and the benchmark.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kivy.base import EventLoop, runTouchApp
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.tests.common import UnitTestTouch
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui.app import KioskApp
from kiosk.ui.services import DEMO_MEMBERS, KioskService


def open_station(data: Path) -> None:
    """A development station at `data` as its chair leaves it after opening the polls: the
    sample package loaded, station 379, the first demo member signed in, polls open. The
    kiosk then starts on it with its own service (the protocol test, the responsiveness
    test and the UI benchmark all begin here)."""
    setup = KioskService(data, development=True)
    setup.load_package()
    setup.configure("379")
    setup.sign_in(DEMO_MEMBERS[0][0], DEMO_MEMBERS[0][2])
    setup.transition("open")
    setup.close()


class Driver:
    def __init__(self, app: KioskApp) -> None:
        self.app = app
        app._run_prepare()
        runTouchApp(embedded=True)

    def frames(self, n: int = 2) -> None:
        for _ in range(n):
            EventLoop.idle()

    def settle(self, timeout: float = 60.0, until: Callable[[], bool] | None = None) -> None:
        """Step frames until the station thread is idle (and `until` holds), then two more."""
        worker = self.app.worker
        assert worker is not None
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            EventLoop.idle()
            idle = worker.jobs.unfinished_tasks == 0 and (until is None or until())
            quiet = quiet + 1 if idle else 0
            if quiet >= 3:
                return
            time.sleep(0.002)
        raise TimeoutError(f"the kiosk did not settle in {timeout} s (screen {self.app.screen})")

    def wait(self, cond: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            EventLoop.idle()
            if cond():
                return
            time.sleep(0.002)
        raise TimeoutError(f"condition not met in {timeout} s (screen {self.app.screen})")

    def widgets(self) -> Iterator[Widget]:
        yield from self.app.root_box.walk()

    def buttons(self, contains: str) -> list[Button]:
        return [w for w in self.widgets() if isinstance(w, Button) and contains in w.text]

    def texts(self) -> list[str]:
        return [w.text for w in self.widgets() if isinstance(w, Label) and not isinstance(w, Button)]

    def tap(self, contains: str, index: int = 0, exact: bool = False) -> None:
        """Press and release the button whose text contains `contains` (`exact`: is
        `contains`; a keypad's digits), at its centre."""
        self.frames(2)  # let a fresh screen lay itself out first
        found = self.buttons(contains)
        if exact:
            found = [b for b in found if b.text == contains]
        if len(found) <= index:
            raise LookupError(
                f"no button {contains!r} on screen {self.app.screen}: {[b.text for b in self.buttons('')]}"
            )
        b = found[index]
        x, y = b.to_window(*b.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.frames(1)
        touch.touch_up()
        self.frames(2)

    def visible_texts(self) -> list[str]:
        """Every text on screen (labels and buttons) except what shows several languages on
        purpose (`widgets.multilingual`: what voters read, the TEST banner, the language buttons)."""
        out = []
        for w in self.widgets():
            if not isinstance(w, Label) or not w.text:
                continue
            node: Widget | None = w
            mixed = False
            while node is not None and node is not self.app.root_box:
                if getattr(node, "multilingual", False):
                    mixed = True
                    break
                node = node.parent
            if not mixed:
                out.append(w.text)
        return out

    def cut_words(self) -> list[str]:
        """Texts on screen with a word wider than its label's wrapping width (Kivy then breaks
        the word in the middle: "Қорытындыла / у")."""
        cut = []
        for w in self.widgets():
            if not isinstance(w, Label) or not w.text or w.text_size[0] is None:
                continue
            width = w.text_size[0]
            if width <= 1:
                continue  # not laid out yet
            core = w._label
            for word in w.text.split():
                if core.get_extents(word)[0] > width:
                    cut.append(f"{word!r} in {w.text!r} ({width:.0f} px)")
                    break
        return cut

    def shot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.frames(3)
        # The window's clear colour is the background on screen; the picture gets it drawn in.
        root = self.app.root_box
        with root.canvas.before:
            paper = Color(*Window.clearcolor)
            sheet = Rectangle(pos=root.pos, size=root.size)
        try:
            root.export_to_png(str(path))
        finally:
            root.canvas.before.remove(sheet)
            root.canvas.before.remove(paper)
