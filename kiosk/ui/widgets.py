"""The few widgets every screen is made of: coloured panels, wrapping labels, big buttons.

Sizes scale with the panel (`u` = shorter side / 800 px), so a 1920x1080 panel shows the
same layout as a 10-inch 1280x800 one. Buttons act on release, never on press.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Callback, Color, Rectangle
from kivy.graphics.opengl import GL_BLEND, glDisable, glEnable
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label

# Colours (RGBA). Text on them passes WCAG AA contrast (checked in tests/test_ui.py).
INK = (0.08, 0.09, 0.11, 1)
PAPER = (0.97, 0.97, 0.95, 1)
BAR = (0.13, 0.20, 0.30, 1)
WHITE = (1, 1, 1, 1)
MUTED = (0.30, 0.33, 0.38, 1)
BLUE = (0.05, 0.30, 0.62, 1)
GREEN = (0.05, 0.45, 0.20, 1)
AMBER = (0.98, 0.75, 0.15, 1)
RED = (0.72, 0.07, 0.07, 1)
GREY = (0.82, 0.84, 0.86, 1)
PALE = (0.90, 0.92, 0.95, 1)

# Minimum touch target heights, in px at u = 1 (a 10-inch 1280x800 panel is about
# 150 px per inch: 72 px is 12 mm, more than 48 dp; voters get 120 px, 20 mm).
MEMBER_TARGET = 72
VOTER_TARGET = 120


def multilingual(widget: Any) -> Any:
    """Mark a widget that shows several languages on purpose (what voters read, the TEST banner,
    the language buttons): the language test (tests/test_ui_e2e.py) leaves it out."""
    widget.multilingual = True
    return widget


def _blend_off(_instruction: Any) -> None:
    glDisable(GL_BLEND)


def _blend_on(_instruction: Any) -> None:
    glEnable(GL_BLEND)


class Panel(BoxLayout):  # type: ignore[misc]
    """A BoxLayout with a flat background colour."""

    def __init__(self, bg: tuple[float, ...] | None = PAPER, **kw: Any) -> None:
        super().__init__(**kw)
        # bg=None: no background of its own (the window's clear colour shows): one full-screen
        # fill less for the software rasteriser on every redraw (benchmarks/ui.py).
        with self.canvas.before:
            if bg is not None:
                # An opaque colour is drawn with blending off: the same pixels, and a software
                # rasteriser (Mesa llvmpipe, a kiosk without a GPU) skips reading back what is
                # under it: about a third less of its time per filled pixel (benchmarks/ui.py).
                self._blend = Callback(_blend_off if bg[3] >= 1 else _blend_on)
            self._color = Color(*(bg or (0, 0, 0, 0)))
            self._rect = Rectangle(pos=self.pos, size=self.size) if bg is not None else None
            if bg is not None:
                Callback(_blend_on)
        self.bind(pos=self._sync, size=self._sync)

    def _sync(self, *_: Any) -> None:
        if self._rect is not None:
            self._rect.pos = self.pos
            self._rect.size = self.size

    def set_bg(self, bg: tuple[float, ...]) -> None:
        self._color.rgba = bg
        if self._rect is not None:
            self._blend.callback = _blend_off if bg[3] >= 1 else _blend_on


class Stack(Panel):
    """A vertical panel as tall as its children (plus padding and spacing), whatever they wrap to."""

    def __init__(self, bg: tuple[float, ...] = PAPER, **kw: Any) -> None:
        kw.setdefault("orientation", "vertical")
        super().__init__(bg=bg, size_hint_y=None, **kw)

    def add_widget(self, widget: Any, *args: Any, **kw: Any) -> None:
        super().add_widget(widget, *args, **kw)
        widget.bind(height=self._fit)
        self._fit()

    def _fit(self, *_: Any) -> None:
        pad = self.padding if isinstance(self.padding, (list, tuple)) else [self.padding] * 4
        vertical = pad[1] + pad[3] if len(pad) == 4 else 2 * pad[-1]
        n = len(self.children)
        self.height = sum(c.height for c in self.children) + vertical + self.spacing * max(0, n - 1)


class Text(Label):  # type: ignore[misc]
    """A label that wraps to its width and takes the height its text needs (`fit=False`: it
    keeps the height its layout gives it and centres the text in it)."""

    def __init__(
        self,
        text: str,
        size: float,
        color: tuple[float, ...] = INK,
        bold: bool = False,
        halign: str = "left",
        fit: bool = True,
        **kw: Any,
    ) -> None:
        if fit:
            kw.setdefault("size_hint_y", None)
        super().__init__(
            text=text, font_size=size, color=color, bold=bold, halign=halign, valign="middle", **kw
        )
        self.fit = fit
        self.bind(size=self._wrap, text=self._wrap, texture_size=self._fit)
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        # No height given even where the label keeps its own (`fit=False`): the texture is as
        # tall as the text, and Kivy centres it in the label as valign="middle" would, but a
        # software rasteriser blends a quarter of the pixels it did for a 72 px texture.
        width = max(self.width - 8, 1)
        # A centred line that fits: a texture as wide as its text, centred by Kivy (the same
        # picture), not as wide as the label (the voter's lines: half the pixels).
        one_line = self.halign == "center" and width > 1 and "\n" not in self.text
        if one_line and self._label.get_extents(self.text)[0] <= width:
            self.text_size = (None, None)
        else:
            self.text_size = (width, None)

    def _fit(self, *_: Any) -> None:
        if self.fit:
            self.height = self.texture_size[1] + 6


class Big(Button):  # type: ignore[misc]
    """A touch target: acts on release; wraps its text; never smaller than `height`."""

    def __init__(
        self,
        text: str,
        action: Callable[[], None],
        height: float,
        size: float,
        bg: tuple[float, ...] = BLUE,
        fg: tuple[float, ...] = WHITE,
        halign: str = "center",
        **kw: Any,
    ) -> None:
        kw.setdefault("size_hint_y", None)
        super().__init__(
            text=text,
            font_size=size,
            color=fg,
            background_normal="",
            background_down="",
            background_color=bg,
            halign=halign,
            valign="middle",
            height=height,
            bold=True,
            **kw,
        )
        self.min_height = height
        self._action = action
        self.bind(size=self._wrap, texture_size=self._grow)
        self._wrap()

    def _wrap(self, *_: Any) -> None:
        self.text_size = (max(self.width - 16, 1), None)

    def _grow(self, *_: Any) -> None:
        self.height = max(self.min_height, self.texture_size[1] + 20)

    def on_release(self) -> None:
        self._action()
