"""Kivy's settings, applied before Kivy is first imported (it reads them once, at import).

Kiosk behaviour: fullscreen, no cursor, no escape key, no multitouch emulation (the right
mouse button would leave red dots), no virtual keyboard, no Kivy command-line parsing.
Offscreen (tests, the tour, benchmarks): SDL's offscreen driver with Mesa EGL, a fixed size.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Literal

Orientation = Literal["landscape", "portrait"]
SIZES = ("1280x800", "1920x1080")


@dataclass(frozen=True)
class Display:
    width: int = 1280
    height: int = 800
    orientation: Orientation = "landscape"
    offscreen: bool = False
    fullscreen: bool = True

    @property
    def size(self) -> tuple[int, int]:
        w, h = max(self.width, self.height), min(self.width, self.height)
        return (w, h) if self.orientation == "landscape" else (h, w)


def parse_size(text: str) -> tuple[int, int]:
    w, _, h = text.partition("x")
    return int(w), int(h)


def configure_kivy(display: Display) -> None:
    """Call once, before any `import kivy...`."""
    if "KIVY_HOME" not in os.environ:
        # Kivy writes a config and logs there: never into the kiosk user's home by surprise.
        os.environ["KIVY_HOME"] = os.path.join(tempfile.gettempdir(), "sanaq-kivy")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy leaves stderr and the root logger alone
    if display.offscreen:
        os.environ["SDL_VIDEODRIVER"] = "offscreen"
    from kivy.config import Config

    w, h = display.size
    Config.set("graphics", "width", str(w))
    Config.set("graphics", "height", str(h))
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "fullscreen", "auto" if display.fullscreen and not display.offscreen else "0")
    Config.set("graphics", "show_cursor", "0" if display.fullscreen and not display.offscreen else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "log_level", "warning")
