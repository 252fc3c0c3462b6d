"""Driving the kiosk window without a person: frames stepped by hand, touches through Kivy's
own input path (a MotionEvent posted to the event loop, as a touchscreen's would be), and
pictures of the whole window. Used by the tour, the end-to-end test and the benchmark.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kivy.base import EventLoop, runTouchApp
from kivy.tests.common import UnitTestTouch
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.messages import MESSAGES
from kiosk.ui.app import KioskApp
from kiosk.ui.catalogue import LANGS, TEXT, Lang


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

    def shot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.frames(3)
        self.app.root_box.export_to_png(str(path))


# --- the language check: no string of another language left on screen --------------------------------


def _pieces(template: str) -> list[str]:
    """The literal pieces of a template between its {placeholders}, those with 4 letters or more."""
    return [p.strip() for p in re.split(r"{\w+}", template) if sum(ch.isalpha() for ch in p) >= 4]


class LanguageCheck:
    """Which strings on screen belong to a language other than the one shown: every catalogue
    entry, every message of kiosk/messages.py and the package's own texts (names, titles) are cut
    into their literal pieces; a piece of language M that no entry of language L contains, found
    on a screen shown in L, is a leftover of M."""

    def __init__(self, extra: Iterable[dict[str, str]] = ()) -> None:
        entries: list[dict[str, str]] = [{str(k): v for k, v in e.items()} for e in TEXT.values()]
        entries += [{k: v for k, v in m.items() if k in LANGS} for m in MESSAGES.values()]
        entries += [dict(e) for e in extra]
        self.pieces: dict[str, set[str]] = {lang: set() for lang in LANGS}
        whole: dict[str, list[str]] = {lang: [] for lang in LANGS}
        for e in entries:
            for lang in LANGS:
                if e.get(lang):
                    self.pieces[lang].update(_pieces(e[lang]))
                    whole[lang].append(e[lang])
        # A piece is foreign to L only if no text of L contains it ("Комиссия" is Kazakh too).
        self.only: dict[tuple[str, str], list[str]] = {}
        for lang in LANGS:
            own = "\n".join(whole[lang])
            for other in LANGS:
                if other != lang:
                    self.only[(lang, other)] = sorted(p for p in self.pieces[other] if p not in own)

    def foreign(self, texts: Iterable[str], lang: Lang) -> list[tuple[str, str, str]]:
        """(text on screen, the foreign piece in it, its language)."""
        found: list[tuple[str, str, str]] = []
        for t in texts:
            for other in LANGS:
                if other == lang:
                    continue
                for piece in self.only[(lang, other)]:
                    if piece in t:
                        found.append((t, piece, other))
                        break
        return found
