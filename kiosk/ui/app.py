"""The kiosk window: the screens of the station day, thin over `kiosk.ui.services`.

Import only after `kiosk.ui.boot.configure_kivy` (Kivy reads its settings at import).
Every station call goes to the `StationWorker` thread; its answers come back through
`Clock`, so this thread only draws. Every word comes from `kiosk.ui.catalogue`.

Screens: setup, signin, home (the commission's menu), zero (the zero report), voting
(the public screen: counter, last sheet, second chance, alerts), paused, closed, review,
protocol (lines, ratios), preview, protosign (signatures, finalise, print, export), devices
(the technician's), testmode (the logic-and-accuracy test, under a TEST banner), sync.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from drivers import open_scanner
from kiosk.errors import SanaqError
from kiosk.messages import MESSAGES
from kiosk.protocol.keys import MIN_PIN
from kiosk.protocol.model import MAX_LINE_VALUE
from kiosk.sync.loop import LoopStatus  # sync3: the background sync's snapshots
from kiosk.ui.catalogue import LANG_NAMES, LANGS, Lang, error_text, role_text, state_text, text
from kiosk.ui.services import (
    DEMO_MEMBERS,
    DEMO_TECHNICIANS,
    LAT_SCHEMES,
    CalibrationView,
    DevicesView,
    KioskService,
    LatExpectedView,
    LatResultView,
    Member,
    PackageView,
    PreviewImage,
    PrintTest,
    ProtocolView,
    ReviewItem,
    ScanStopped,
    SecondChance,
    SheetResult,
    StationWorker,
    StatusView,
    SyncView,
    TestTallyView,
    settle_heap,
)
from kiosk.ui.sounds import Player, sound_for
from kiosk.ui.widgets import (
    AMBER,
    BAR,
    BLUE,
    GREEN,
    GREY,
    INK,
    MEMBER_TARGET,
    MUTED,
    PALE,
    PAPER,
    RED,
    VOTER_TARGET,
    WHITE,
    Big,
    Panel,
    Stack,
    Text,
    multilingual,
)

# DejaVu Sans, the font of the printed ballots: every Kazakh letter and the signs the screens
# use (✓ ✗ ⚠ ●), which Kivy's Roboto lacks.
FONTS = Path(__file__).resolve().parent.parent / "ballots" / "fonts"
LabelBase.register(DEFAULT_FONT, str(FONTS / "DejaVuSans.ttf"), fn_bold=str(FONTS / "DejaVuSans-Bold.ttf"))

# Stop codes that are the scanner's or the disk's: shown as an alert that fills the screen.
ALERTS = {
    "scanner_jammed",
    "scanner_double_feed",
    "scanner_cover_open",
    "scanner_box_full",
    "scanner_disconnected",
    "scanner_unavailable",
    "scanner_io_error",
    "scanner_restarted",
    "scanner_protocol_error",
    "scanner_image_failed",
    "journal_disk_full",
    "journal_unwritable",
    "mirror_unavailable",
    "kiosk_fault",
}
ACCEPTED_SHOWN_S = 3.0  # VxScan shows "accepted" for 3 s
WARNING_REPEAT_S = 8.0  # the second-chance warning flashes again this often
CALL_MEMBER_AFTER_S = 30.0  # then it asks for a commission member


def _gray_texture(img: np.ndarray) -> Texture:
    h, w = img.shape[:2]
    tex = Texture.create(size=(w, h), colorfmt="luminance")
    tex.blit_buffer(np.ascontiguousarray(img[::-1]).tobytes(), colorfmt="luminance", bufferfmt="ubyte")
    return tex


class KioskApp(App):  # type: ignore[misc]
    def __init__(
        self,
        service: KioskService,
        scanner_url: str | None = None,
        lang: Lang = "kk",
        scanner: Any = None,
        allow_close: bool = False,
        sounds: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        # The three sounds (kiosk/ui/sounds.py): anything with play(name); silent without audio.
        self.sounds = sounds or Player(_sound_folder())
        self.allow_close = allow_close
        self.service = service
        self.scanner_url = scanner_url
        self.scanner = scanner
        self.lang: Lang = lang
        self.screen = "setup"
        self.package: PackageView | None = None
        self.status: StatusView | None = None
        self.members: list[Member] = []
        # kiosk6: why the technicians' roster enrols nobody (a stable code), for the sign-in screen.
        self.technicians_refused: str | None = None
        self.actor: Member | None = None
        self.error: str | None = None  # a message code shown on the current screen
        self.last: SheetResult | None = None
        self.showing_last = False
        self.chance: SecondChance | None = None
        self.chance_since = 0.0
        self.alert: str | None = None
        self.scanning = False
        self.voter_answer: str | None = None
        self.voter_event = threading.Event()
        self.review: list[ReviewItem] = []
        self.review_at = 0
        # Every option of the contest offered, not only the squares read as marks: the
        # commission decides from the paper, where a mark the reader read empty may be.
        self.review_all_options = False
        self.proposal: tuple[str, list[dict[str, Any]], str] | None = None  # sheet, decisions, label
        self.pin = ""
        self.chosen: str | None = None  # the member chosen on a PIN pad
        self.confirm_close = False
        self.refused: str | None = None  # the lifecycle action the last error refused
        # The closing: which protocol, the lines being typed, the line the keypad types into.
        self.proto_contests: list[str] = []
        self.proto: ProtocolView | None = None
        self.draft: dict[str, dict[str, int]] = {}
        self.line_at: str | None = None
        self._proto_live: _ProtoLive | None = None  # the protocol screen's live widgets
        self.preview: Path | None = None
        # What the last step did (finalised, printed, a test page, ...): a catalogue key and its
        # values, put into words at each render so that it follows the language.
        self.proto_note: tuple[str, dict[str, object]] | None = None
        self.note: tuple[str, dict[str, object]] | None = None  # the same, for the other screens
        self.devices: DevicesView | None = None
        self.test_tally: TestTallyView | None = None
        self.test_last: SheetResult | None = None
        self.confirm_end_test = False
        self.sync: SyncView | None = None
        self.sending = False
        self.preview_image: PreviewImage | None = None
        self._preview_texture: Texture | None = None
        self._hotplug: Any = None
        self.proto_views: list[ProtocolView] = []
        self.on_result: Callable[[SheetResult | SecondChance], None] | None = None  # for the benchmark
        # Calibration (devices screen) and the logic-and-accuracy test (test mode), issue 16.
        self.calibrating: str | None = None  # None, or the step under way: scanning, recording
        self.calibration: CalibrationView | None = None
        self.lat_scheme = LAT_SCHEMES[0]
        self.lat_expected: LatExpectedView | None = None
        self.lat_result: LatResultView | None = None
        self.lat_busy = False
        self._histogram_texture: Texture | None = None
        self.worker: StationWorker | None = None
        self._idle_event: Any = None
        self._warn_event: Any = None
        # Results posted by the station thread are applied as they come (state, sound), the
        # voting screen is updated once per frame, just before it is drawn, with the latest.
        self._voting_changed = Clock.create_trigger(self._voting_frame, -1)

    # --- start ---------------------------------------------------------------------------------

    @property
    def u(self) -> float:
        return float(min(Window.width, Window.height)) / 800.0

    def fs(self, px: float) -> float:
        return px * self.u

    def build(self) -> Widget:
        self.title = "Sanaq"
        Window.clearcolor = PAPER
        if not self.allow_close:
            Window.bind(on_request_close=lambda *_: True)  # no way out by keys or the window manager
        Window.bind(on_keyboard=self._on_key)
        self.root_box = Panel(bg=None, orientation="vertical")  # the window's clear colour is PAPER
        self._sync_listen()  # sync3: before the station thread starts the sync loop
        self.worker = StationWorker(self.service, self._post)
        self.call(lambda s: (s.load_package(), s.start() if s.is_configured() else None), self._started)
        # Start-up work that would otherwise land in the frames of the first sheets: the reader's
        # kernels and a settled heap (station thread), the sounds (here).
        self.call(lambda _s: settle_heap())
        prepare = getattr(self.sounds, "prepare", None)  # a test's stand-in player may have none
        if prepare is not None:
            prepare()
        self.render()
        return self.root_box

    def _on_key(self, _w: Any, key: int, *_: Any) -> bool:
        return key == 27  # swallow Escape (and Android's back)

    def _post(self, fn: Callable[[], None]) -> None:
        Clock.schedule_once(lambda _dt: fn(), 0)

    def on_stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

    def call(self, fn: Callable[[KioskService], Any], done: Callable[[Any], None] | None = None) -> None:
        assert self.worker is not None
        self.worker.call(fn, done, self._failed)

    def _failed(self, exc: SanaqError) -> None:
        self.error = exc.code
        if exc.code in ALERTS:
            self.alert = exc.code
        self.render()

    def _started(self, result: tuple[PackageView, StatusView | None]) -> None:
        self.package, self.status = result
        if self.status is not None:
            self.call(lambda s: s.members(), self._members)
            self.call(lambda s: s.technicians_refused(), self._technicians_refused)
        self.render()

    def _technicians_refused(self, code: str | None) -> None:
        self.technicians_refused = code
        self.render()

    def _members(self, members: list[Member]) -> None:
        self.members = members
        self.goto("signin" if self.screen == "setup" else self.screen)

    # --- navigation ----------------------------------------------------------------------------------

    def goto(self, screen: str) -> None:
        if self.screen == "devices" and screen != "devices":
            self._stop_hotplug()
        if screen != self.screen:
            self.note = None
        self.screen = screen
        self.error = None
        self.refused = None
        self.pin = ""
        self.chosen = None
        self.confirm_close = False
        self.confirm_end_test = False
        if screen in ("voting", "testmode"):
            self.start_scanning()
        self.render()

    def set_lang(self, lang: Lang) -> None:
        self.lang = lang
        self.render()

    def t(self, key: str, **values: object) -> str:
        return text(key, self.lang, **values)

    def render(self) -> None:
        self._proto_live = None  # the protocol screen's widgets, set again if it is built
        self.root_box.clear_widgets()
        self.root_box.add_widget(self._top_bar())
        if self.status is not None and self.status.state == "testing":
            # Test mode: a banner on every screen, so nobody takes it for voting.
            self.root_box.add_widget(self._test_banner())
        body = getattr(self, f"_screen_{self.screen}")()
        self.root_box.add_widget(body)

    def _test_banner(self) -> Widget:
        banner = Panel(
            bg=AMBER,
            orientation="vertical",
            size_hint_y=None,
            height=self.fs(92) if Window.width >= Window.height else self.fs(150),
            padding=(self.fs(12), self.fs(4)),
        )
        title = " · ".join(text("test_banner", lang) for lang in LANGS)
        sub = " · ".join(
            text("test_banner_sub", lang)
            for lang in (("kk", "ru", "en") if self.lang == "en" else ("kk", "ru"))
        )
        banner.add_widget(multilingual(Text(f"⚠ {title} ⚠", self.fs(30), INK, bold=True, halign="center")))
        banner.add_widget(multilingual(Text(sub, self.fs(18), INK, halign="center")))
        return banner

    def note_text(self, note: tuple[str, dict[str, object]] | None) -> str | None:
        return self.t(note[0], **note[1]) if note else None

    def public_screen(self) -> str:
        state = self.status.state if self.status else "configured"
        return {"open": "voting", "paused": "paused"}.get(state, "closed" if state == "closed" else "home")

    # --- the bar on every screen: who, where, state, language -------------------------------------------

    def _top_bar(self) -> Widget:
        where = self.t("app_title")
        if self.status is not None:
            where = f"№{self.status.station} · {state_text(self.status.state, self.lang)}"
        who = ""
        if self.screen not in ("voting", "paused", "closed"):
            who = (
                self.t("signed_in_as", name=self.actor.name, role=role_text(self.actor.role, self.lang))
                if self.actor
                else self.t("nobody_signed_in")
            )
        langs = BoxLayout(spacing=8, size_hint=(None, None), height=self.fs(MEMBER_TARGET))
        for lang in LANGS:
            langs.add_widget(
                multilingual(
                    Big(
                        LANG_NAMES[lang],
                        partial(self.set_lang, lang),
                        self.fs(MEMBER_TARGET),
                        self.fs(20),
                        bg=WHITE if lang == self.lang else BLUE,
                        fg=INK if lang == self.lang else WHITE,
                        size_hint_x=None,
                        width=self.fs(150),
                    )
                )
            )
        langs.width = 3 * self.fs(150) + 16
        if Window.width < Window.height:
            # Portrait: too narrow for all of it on one line (Kazakh runs long): the state and
            # the member above, the languages below, nothing cut.
            bar = Stack(bg=BAR, padding=8, spacing=4)
            bar.add_widget(Text(where + (f" · {who}" if who else ""), self.fs(22), WHITE, bold=True))
            row = BoxLayout(size_hint_y=None, height=self.fs(MEMBER_TARGET))
            row.add_widget(Widget())
            row.add_widget(langs)
            bar.add_widget(row)
            return bar
        bar = Panel(
            bg=BAR,
            orientation="horizontal",
            size_hint_y=None,
            height=self.fs(MEMBER_TARGET) + 16,
            padding=8,
            spacing=8,
        )
        bar.add_widget(Text(where, self.fs(24), WHITE, bold=True, fit=False, size_hint_x=1.4))
        if who:
            bar.add_widget(Text(who, self.fs(20), WHITE, fit=False))
        bar.add_widget(langs)
        return bar

    def _error_line(self, box: BoxLayout) -> None:
        if self.error:
            box.add_widget(Text(error_text(self.error, self.lang), self.fs(24), RED, bold=True))
            if self.refused == "open":
                # Polls not opened: say so plainly, and in test mode why (test counts never
                # become official ones).
                box.add_widget(Text(self.t("open_refused"), self.fs(24), RED, bold=True))
                if self.status is not None and self.status.state == "testing":
                    box.add_widget(Text(self.t("test_open_refused"), self.fs(24), RED, bold=True))

    def _column(self, **kw: Any) -> BoxLayout:
        return BoxLayout(orientation="vertical", spacing=self.fs(10), size_hint_y=None, **kw)

    def _scroll(self, inner: BoxLayout | GridLayout) -> ScrollView:
        inner.bind(minimum_height=inner.setter("height"))
        sv = ScrollView(do_scroll_x=False, bar_width=self.fs(10), scroll_type=["bars", "content"])
        sv.add_widget(inner)
        return sv

    def _two_columns(self) -> BoxLayout:
        landscape = Window.width >= Window.height
        return BoxLayout(
            orientation="horizontal" if landscape else "vertical", padding=self.fs(16), spacing=self.fs(16)
        )

    # --- set-up ----------------------------------------------------------------------------------------

    def _screen_setup(self) -> Widget:
        body = self._two_columns()
        left = self._column(padding=(0, 0, self.fs(12), 0))
        p = self.package
        if p is None:
            left.add_widget(Text(self.t("setup_title"), self.fs(32), bold=True))
            self._error_line(left)
            body.add_widget(self._scroll(left))
            return body
        left.add_widget(Text(self.t("setup_title"), self.fs(32), bold=True))
        left.add_widget(Text(p.title[self.lang], self.fs(24)))
        left.add_widget(
            Text(
                "✓ "
                + self.t("setup_verified")
                # A package signed with the DEVELOPMENT key is not called official (red below).
                + ("" if p.development and p.official else " · ")
                + (
                    ""
                    if p.development and p.official
                    else self.t("setup_official" if p.official else "setup_test_package")
                ),
                self.fs(24),
                GREEN,
                bold=True,
            )
        )
        left.add_widget(
            Text(
                # The DEVELOPMENT key's own label is English: named in the screen's language.
                self.t(
                    "setup_signed_by", label=self.t("setup_dev_key_label") if p.development else p.key_label
                ),
                self.fs(22),
                RED if p.development else INK,
                bold=p.development,
            )
        )
        if p.development:
            banner = Stack(bg=RED, padding=self.fs(10))
            banner.add_widget(
                Text(self.t("setup_development"), self.fs(28), WHITE, bold=True, halign="center")
            )
            left.add_widget(banner)
        left.add_widget(
            Text(self.t("setup_key_id", kid=p.key_id, hash=p.election_hash[:16]), self.fs(18), MUTED)
        )
        left.add_widget(Text(self.t("setup_station"), self.fs(26), bold=True))
        for st in p.stations:
            left.add_widget(
                Text(self.t("setup_station_line", name=st.name[self.lang], voters=st.voters), self.fs(22))
            )
            left.add_widget(Text(st.address[self.lang], self.fs(18), MUTED))
        if p.second_chance:
            left.add_widget(Text(self.t("setup_second_chance"), self.fs(20)))
        self._error_line(left)
        for st in p.stations:
            if self.status is None:
                left.add_widget(
                    Big(
                        self.t("setup_choose_station") + f" №{st.id}",
                        partial(self._configure, st.id),
                        self.fs(MEMBER_TARGET),
                        self.fs(26),
                        bg=GREEN,
                    )
                )
        if self.status is not None:
            left.add_widget(
                Big(
                    self.t("setup_continue"),
                    lambda: self.goto("signin"),
                    self.fs(MEMBER_TARGET),
                    self.fs(26),
                    bg=GREEN,
                )
            )
        body.add_widget(self._scroll(left))
        right = self._column()
        right.add_widget(Text(self.t("setup_ballots"), self.fs(26), bold=True))
        for s in p.styles:
            card = Stack(bg=PALE, padding=(self.fs(26), self.fs(6), self.fs(6), self.fs(6)))
            with card.canvas.after:
                Color(*_hex(s.colour))
                stripe = Rectangle(pos=card.pos, size=(self.fs(16), card.height))
            card.bind(
                pos=lambda w, _v, r=stripe: setattr(r, "pos", w.pos),
                size=lambda w, _v, r=stripe: setattr(r, "size", (self.fs(16), w.height)),
            )
            title = Text(
                f"{s.id} · {s.colour_name[self.lang]} · {self.t('setup_choices', n=len(s.options))}",
                self.fs(20),
                bold=True,
            )
            contest = Text(s.contest_title[self.lang], self.fs(18))
            names = Text(" · ".join(o[self.lang] for o in s.options), self.fs(15), MUTED)
            for w in (title, contest, names):
                card.add_widget(w)
            right.add_widget(card)
        body.add_widget(self._scroll(right))
        return body

    def _configure(self, station_id: str) -> None:
        self.call(lambda s: s.configure(station_id), self._configured)

    def _configured(self, status: StatusView) -> None:
        self.status = status
        self.call(lambda s: s.members(), self._members)
        self.call(lambda s: s.technicians_refused(), self._technicians_refused)

    # --- sign-in: choose your name, type your PIN -----------------------------------------------------------

    def _pin_pad(
        self,
        box: BoxLayout,
        on_ok: Callable[[], None],
        exclude: str | None = None,
        ok_key: str = "signin_ok",
        above: list[Widget] | None = None,
        commission_only: bool = False,
    ) -> None:
        names = GridLayout(cols=1, spacing=self.fs(8), size_hint_y=None)
        names.bind(minimum_height=names.setter("height"))
        for m in self.members:
            if m.name == exclude or (commission_only and m.role == "technician"):
                continue  # a technician confirms no decision and signs no protocol
            chosen = m.name == self.chosen
            names.add_widget(
                Big(
                    f"{m.name} · {role_text(m.role, self.lang)}",
                    partial(self._choose, m.name),
                    self.fs(MEMBER_TARGET),
                    self.fs(22),
                    bg=GREEN if chosen else GREY,
                    fg=WHITE if chosen else INK,
                )
            )
        left = BoxLayout(orientation="vertical", spacing=self.fs(8))
        for w in above or ():
            left.add_widget(w)
        left.add_widget(Text(self.t("signin_choose"), self.fs(24), bold=True))
        sv = ScrollView(do_scroll_x=False)
        sv.add_widget(names)
        left.add_widget(sv)
        right = BoxLayout(orientation="vertical", spacing=self.fs(8))
        right.add_widget(Text(self.t("signin_pin"), self.fs(24), bold=True))
        right.add_widget(
            Text(
                "●" * len(self.pin) + "○" * max(0, MIN_PIN - len(self.pin)), self.fs(44), INK, halign="center"
            )
        )
        # Keys as tall as a member's target, whatever else the screen shows.
        kh, sp = self.fs(MEMBER_TARGET), self.fs(8)
        keys = GridLayout(cols=3, spacing=sp, size_hint_y=None, height=4 * kh + 3 * sp)
        for k in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"]:
            if k == "C":
                keys.add_widget(
                    Big(
                        self.t("signin_clear"),
                        self._pin_clear,
                        self.fs(MEMBER_TARGET),
                        self.fs(24),
                        bg=GREY,
                        fg=INK,
                    )
                )
            elif k == "OK":
                keys.add_widget(Big(self.t(ok_key), on_ok, self.fs(MEMBER_TARGET), self.fs(24), bg=GREEN))
            else:
                keys.add_widget(
                    Big(
                        k,
                        partial(self._pin_key, k),
                        self.fs(MEMBER_TARGET),
                        self.fs(36),
                        bg=BLUE,
                    )
                )
        right.add_widget(keys)
        right.add_widget(Widget())
        box.add_widget(left)
        box.add_widget(right)

    def _choose(self, name: str) -> None:
        self.chosen = name
        self.pin = ""
        self.error = None
        self.render()

    def _pin_key(self, k: str) -> None:
        if len(self.pin) < 12:
            self.pin += k
        self.render()

    def _pin_clear(self) -> None:
        self.pin = ""
        self.render()

    def _screen_signin(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(16), spacing=self.fs(8))
        outer.add_widget(Text(self.t("signin_title"), self.fs(32), bold=True))
        if self.package is not None and self.package.development:
            outer.add_widget(
                Text(
                    self.t(
                        "signin_demo_pins",
                        # A refused technicians' roster signs nobody in: its PIN is not offered.
                        pins=" ".join(
                            pin
                            for _, _, pin in DEMO_MEMBERS
                            + (DEMO_TECHNICIANS if self.technicians_refused is None else ())
                        ),
                    ),
                    self.fs(18),
                    RED,
                    bold=True,
                )
            )
        self._error_line(outer)
        if self.technicians_refused is not None:
            # The technicians' roster enrols nobody: say why, not only in the log (kiosk6).
            why = error_text(self.technicians_refused, self.lang)
            outer.add_widget(Text(self.t("signin_technicians_refused", why=why), self.fs(20), RED, bold=True))
        pad = self._two_columns()
        pad.padding = 0
        self._pin_pad(pad, self._sign_in)
        outer.add_widget(pad)
        if self.status is not None and self.status.state in ("open", "paused", "closed"):
            outer.add_widget(
                Big(
                    self.t("back"),
                    lambda: self.goto(self.public_screen()),
                    self.fs(MEMBER_TARGET),
                    self.fs(22),
                    bg=GREY,
                    fg=INK,
                )
            )
        return outer

    def _sign_in(self) -> None:
        name, pin = self.chosen, self.pin
        self.pin = ""
        if not name:
            self.error = "member_unknown"
            self.render()
            return
        self.call(lambda s: (s.sign_in(name, pin), s.status()), self._signed_in)

    def _signed_in(self, result: tuple[Member, StatusView]) -> None:
        self.actor, self.status = result
        self.goto("home")

    def sign_out(self) -> None:
        self.actor = None
        self.call(_sign_out, self._signed_out)

    def _signed_out(self, status: StatusView) -> None:
        self.status = status
        self.goto(self.public_screen() if status.state in ("open", "paused", "closed") else "signin")

    # --- the commission's menu ----------------------------------------------------------------------------

    def _screen_home(self) -> Widget:
        col = self._column(padding=self.fs(16))
        st = self.status
        col.add_widget(Text(self.t("home_title"), self.fs(32), bold=True))
        if st is not None:
            col.add_widget(
                Text(
                    self.t(
                        "home_counts", sheets=st.official_sheets, review=st.review_waiting, pending=st.pending
                    ),
                    self.fs(24),
                )
            )
        self._error_line(col)
        h, f = self.fs(MEMBER_TARGET), self.fs(26)
        state = st.state if st else "configured"
        note = self.note_text(self.note)
        if note:
            col.add_widget(Text(note, self.fs(22), GREEN, bold=True))
        if self.confirm_close:
            col.add_widget(Text(self.t("confirm_close"), self.fs(28), RED, bold=True))
            row = BoxLayout(spacing=self.fs(16), size_hint_y=None, height=h)
            row.add_widget(Big(self.t("yes"), lambda: self.act("close"), h, f, bg=RED))
            row.add_widget(Big(self.t("no"), lambda: self.goto("home"), h, f, bg=GREY, fg=INK))
            col.add_widget(row)
            return self._scroll(col)
        role = self.actor.role if self.actor else ""
        technician = role == "technician"
        # What the lifecycle allows this role now (the station refuses the rest anyway).
        if state == "configured" and not technician:
            col.add_widget(Big(self.t("action_open"), lambda: self.act("open"), h, f, bg=GREEN))
        if state == "configured" and role in ("chair", "technician"):
            col.add_widget(Big(self.t("action_test_start"), self.start_test, h, f, bg=AMBER, fg=INK))
        if state == "testing":
            col.add_widget(Big(self.t("action_test_screen"), self.open_test, h, f, bg=AMBER, fg=INK))
        if state == "open" and not technician:
            col.add_widget(Big(self.t("action_voting"), lambda: self.goto("voting"), h, f, bg=GREEN))
            col.add_widget(Big(self.t("action_pause"), lambda: self.act("pause"), h, f))
        if state == "paused" and not technician:
            col.add_widget(Big(self.t("action_resume"), lambda: self.act("resume"), h, f, bg=GREEN))
        if state in ("open", "paused") and not technician:
            col.add_widget(Big(self.t("action_close"), self._ask_close, h, f, bg=RED))
        if st is not None and st.review_waiting and not technician:
            col.add_widget(
                Big(self.t("action_review", n=st.review_waiting), self.open_review, h, f, bg=AMBER, fg=INK)
            )
        if (
            state in ("closed", "finalised", "exported", "synced")
            and st is not None
            and not st.review_waiting
            and not technician
        ):
            col.add_widget(Big(self.t("action_protocol"), self.open_protocol, h, f, bg=GREEN))
        if state in ("finalised", "exported", "synced"):
            col.add_widget(Big(self.t("action_sync"), self.open_sync, h, f, bg=BLUE))
        if role in ("chair", "technician"):
            col.add_widget(Big(self.t("action_devices"), self.open_devices, h, f, bg=BAR))
        col.add_widget(Big(self.t("sign_out"), self.sign_out, h, f, bg=GREY, fg=INK))
        return self._scroll(col)

    def _ask_close(self) -> None:
        self.confirm_close = True
        self.render()

    def act(self, action: str) -> None:
        self.stop_scanning()
        self.note = None
        assert self.worker is not None
        self.worker.call(
            lambda s: s.transition(action), partial(self._acted, action), partial(self._refused, action)
        )

    def _refused(self, action: str, exc: SanaqError) -> None:
        self.refused = action
        self.confirm_close = False
        self._failed(exc)

    def _acted(self, action: str, status: StatusView) -> None:
        self.status = status
        self.refused = None
        if action == "open":
            self.call(lambda s: s.zero_report(), self._zero)
            return
        self.goto("home")

    def _zero(self, report: dict[str, Any]) -> None:
        self.zero = report
        self.goto("zero")

    # --- zero report -------------------------------------------------------------------------------------

    def _screen_zero(self) -> Widget:
        body = self._two_columns()
        col = self._column()
        col.add_widget(Text(self.t("zero_title"), self.fs(32), bold=True))
        titles = {
            s.contest: s.contest_title[self.lang] for s in (self.package.styles if self.package else ())
        }
        report = getattr(self, "zero", {"contests": {}, "sheets": 0})
        for contest in titles:
            col.add_widget(
                Text(
                    self.t("zero_line", contest=titles[contest], n=report["contests"].get(contest, 0)),
                    self.fs(20),
                )
            )
        if report.get("sheets", 0) == 0:
            col.add_widget(Text(self.t("zero_all"), self.fs(24), GREEN, bold=True))
        if report.get("chain_code"):
            col.add_widget(Text(self.t("zero_chain_code", code=report["chain_code"]), self.fs(22), bold=True))
        body.add_widget(self._scroll(col))
        right = BoxLayout(orientation="vertical", spacing=self.fs(12))
        right.add_widget(Text(self.t("counter_label"), self.fs(30), bold=True, halign="center"))
        right.add_widget(Counter(str(report.get("sheets", 0)), self.fs(200)))
        right.add_widget(Widget())
        right.add_widget(
            Big(
                self.t("zero_to_voting"),
                lambda: self.goto("voting"),
                self.fs(MEMBER_TARGET),
                self.fs(26),
                bg=GREEN,
            )
        )
        body.add_widget(right)
        return body

    # --- voting: the public screen ----------------------------------------------------------------------------

    def _screen_voting(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(12), spacing=self.fs(10))
        if self.alert:
            outer.add_widget(self._alert_panel(self.alert))
            return outer
        landscape = Window.width >= Window.height
        main = BoxLayout(orientation="horizontal" if landscape else "vertical", spacing=self.fs(12))
        counter = Panel(
            bg=WHITE,
            orientation="vertical",
            padding=self.fs(8),
            size_hint=(0.36, 1) if landscape else (1, 0.34),
        )
        counter.add_widget(Text(self.t("counter_label"), self.fs(30), INK, bold=True, halign="center"))
        n = self.last.counter if self.last else (self.status.official_sheets if self.status else 0)
        self.counter_label = Counter(str(n), self.fs(230))
        counter.add_widget(self.counter_label)
        counter.add_widget(Widget())
        main.add_widget(counter)
        self.result_panel = BoxLayout()
        self._panels: dict[str, Panel] = {}
        self._shown_kind = ""
        self._fill_result()
        main.add_widget(self.result_panel)
        Clock.schedule_once(self._prepare_panels, 0.05)
        outer.add_widget(main)
        foot = BoxLayout(size_hint_y=None, height=self.fs(MEMBER_TARGET), spacing=self.fs(12))
        self.scanner_label = Text(self._scanner_text(), self.fs(22), MUTED, fit=False)
        foot.add_widget(self.scanner_label)
        foot.add_widget(
            Big(
                self.t("commission_menu"),
                self.commission,
                self.fs(MEMBER_TARGET),
                self.fs(22),
                bg=BAR,
                size_hint_x=None,
                width=self.fs(260),
            )
        )
        outer.add_widget(foot)
        return outer

    def _scanner_text(self) -> str:
        if self.chance is not None:
            return "● " + self.t("scanner_waiting_voter")
        if self.alert:
            return "● " + self.t("scanner_stopped")
        return "● " + self.t("scanner_working" if self.scanning else "scanner_ready")

    def _voter_lines(
        self, box: Panel, kk: str, ru: str, en: str | None, size: float, color: tuple[float, ...]
    ) -> None:
        """Voters read Kazakh and Russian together; English joins when the kiosk is set to it."""
        box.add_widget(multilingual(Text(kk, size, color, bold=True, halign="center")))
        box.add_widget(multilingual(Text(ru, size * 0.9, color, bold=True, halign="center")))
        if en and self.lang == "en":
            box.add_widget(multilingual(Text(en, size * 0.7, color, halign="center")))

    def _result_kind(self) -> str:
        if self.chance is not None:
            return "chance"
        last = self.last
        if last is None or not self.showing_last:
            return "idle"
        if last.outcome == "returned":
            return f"returned:{last.reason or 'unreadable'}"
        return last.outcome

    def _fill_result(self) -> None:
        """Show the panel for the last sheet. Panels are built once per screen and language and
        swapped: a stream of accepted ballots only changes the counter (benchmarks/ui.py)."""
        kind = self._result_kind()
        if kind == self._shown_kind and kind != "chance":
            return
        panel = self._panels.get(kind) if kind != "chance" else None
        if panel is None:
            panel = self._build_result(kind)
            if kind != "chance":
                self._panels[kind] = panel
        panel.size_hint = (1, 1)  # a panel prepared beforehand had the area's size given
        self.result_panel.clear_widgets()
        self.result_panel.add_widget(panel)
        self._current_panel = panel
        self._shown_kind = kind

    def _prepare_panels(self, _dt: float) -> None:
        """Build the "accepted" panel while nobody waits, at the size of the result area, so
        that its labels are rendered once, at their width, before the first ballot: the
        first sheet's frame then only swaps panels (benchmarks/ui.py --trace)."""
        area = getattr(self, "result_panel", None)
        if area is None or self.screen != "voting" or area.get_root_window() is None:
            return  # the screen has changed meanwhile
        if area.width <= 100 and area.height <= 100:  # not laid out yet
            Clock.schedule_once(self._prepare_panels, 0.05)
            return
        if "accepted" not in self._panels:
            panel = self._build_result("accepted")
            panel.size_hint = (None, None)
            panel.size = area.size
            self._panels["accepted"] = panel

    def _build_result(self, kind: str) -> Panel:
        box = Panel(bg=PALE, orientation="vertical", padding=self.fs(16), spacing=self.fs(8))
        box.add_widget(Widget())
        if kind == "chance":
            self._fill_chance(box)
            return box
        if kind == "idle":
            box.set_bg(PALE)
            self._voter_lines(
                box,
                text("insert_ballot", "kk"),
                text("insert_ballot", "ru"),
                text("insert_ballot", "en"),
                self.fs(44),
                INK,
            )
        elif kind in ("accepted", "cast_as_is"):
            box.set_bg(GREEN)
            key = "result_accepted" if kind == "accepted" else "result_cast_warning"
            self._voter_lines(
                box, "✓ " + text(key, "kk"), "✓ " + text(key, "ru"), text(key, "en"), self.fs(52), WHITE
            )
            if kind == "accepted":
                self._voter_lines(
                    box,
                    text("result_accepted_sub", "kk"),
                    text("result_accepted_sub", "ru"),
                    text("result_accepted_sub", "en"),
                    self.fs(34),
                    WHITE,
                )
        else:
            box.set_bg(RED)
            self._voter_lines(
                box,
                "✗ " + text("result_returned", "kk"),
                "✗ " + text("result_returned", "ru"),
                text("result_returned", "en"),
                self.fs(52),
                WHITE,
            )
            code = kind.split(":", 1)[1]
            self._voter_lines(
                box,
                error_text(code, "kk"),
                error_text(code, "ru"),
                error_text(code, "en"),
                self.fs(28),
                WHITE,
            )
        box.add_widget(Widget())
        return box

    def _fill_chance(self, box: Panel) -> None:
        chance = self.chance
        assert chance is not None
        box.set_bg(AMBER)
        self._voter_lines(
            box,
            "⚠ " + text("warn_title", "kk"),
            "⚠ " + text("warn_title", "ru"),
            text("warn_title", "en"),
            self.fs(44),
            INK,
        )
        for contest, problem in chance.problems:
            key = "warn_blank" if problem == "blank" else "warn_overvote"
            titles = chance.contest_titles[contest]
            self._voter_lines(
                box,
                text(key, "kk", contest=_short(titles["kk"])),
                text(key, "ru", contest=_short(titles["ru"])),
                text(key, "en", contest=_short(titles["en"])),
                self.fs(24),
                INK,
            )
        waited = Clock.get_time() - self.chance_since
        if waited >= CALL_MEMBER_AFTER_S:
            call = Stack(bg=RED, padding=self.fs(8))
            call.add_widget(
                multilingual(
                    Text(
                        f"{text('warn_call_member', 'kk')} / {text('warn_call_member', 'ru')}",
                        self.fs(26),
                        WHITE,
                        bold=True,
                        halign="center",
                    )
                )
            )
            box.add_widget(call)
        row = BoxLayout(spacing=self.fs(16), size_hint_y=None, height=self.fs(VOTER_TARGET))
        row.add_widget(
            multilingual(
                Big(
                    f"{text('warn_take_back', 'kk')}\n{text('warn_take_back', 'ru')}",
                    lambda: self.voter_decides("back"),
                    self.fs(VOTER_TARGET),
                    self.fs(28),
                    bg=BLUE,
                )
            )
        )
        row.add_widget(
            multilingual(
                Big(
                    f"{text('warn_cast', 'kk')}\n{text('warn_cast', 'ru')}",
                    lambda: self.voter_decides("cast"),
                    self.fs(VOTER_TARGET),
                    self.fs(28),
                    bg=INK,
                )
            )
        )
        box.add_widget(row)

    def _alert_panel(self, code: str) -> Widget:
        panel = Panel(bg=RED, orientation="vertical", padding=self.fs(24), spacing=self.fs(14))
        panel.add_widget(Text("⚠ " + self.t("alert_title"), self.fs(48), WHITE, bold=True, halign="center"))
        for lang in ("kk", "ru"):
            panel.add_widget(
                multilingual(Text(MESSAGES[code][lang], self.fs(32), WHITE, bold=True, halign="center"))
            )
        if self.lang == "en":
            panel.add_widget(multilingual(Text(MESSAGES[code]["en"], self.fs(26), WHITE, halign="center")))
        panel.add_widget(Widget())
        row = BoxLayout(spacing=self.fs(16), size_hint_y=None, height=self.fs(MEMBER_TARGET))
        row.add_widget(
            Big(
                self.t("alert_fixed"), self.alert_fixed, self.fs(MEMBER_TARGET), self.fs(26), bg=WHITE, fg=RED
            )
        )
        row.add_widget(
            Big(self.t("commission_menu"), self.commission, self.fs(MEMBER_TARGET), self.fs(26), bg=BAR)
        )
        panel.add_widget(row)
        return panel

    def commission(self) -> None:
        self.stop_scanning()
        self.call(lambda s: s.status(), self._to_commission)

    def _to_commission(self, status: StatusView) -> None:
        self.status = status
        self.goto("home" if self.actor else "signin")

    def alert_fixed(self) -> None:
        self.alert = None
        self.error = None
        self.goto("testmode" if self.screen == "testmode" else "voting")

    # --- scanning, in the worker ----------------------------------------------------------------------------

    def _open_scanner(self) -> Any:
        if self.scanner is None:
            if not self.scanner_url:
                raise SanaqError("scanner_url_invalid", "no scanner URL")
            self.scanner = open_scanner(self.scanner_url)
            self.scanner.open()
        return self.scanner

    def start_scanning(self) -> None:
        if self.scanning or self.alert or not self.status or self.status.state not in ("open", "testing"):
            return
        self.scanning = True

        def run(s: KioskService) -> ScanStopped:
            state = s.journal.state
            if state not in ("open", "testing"):
                # The station moved on (closed, test ended) while this scan waited in the queue:
                # nothing to scan, and no refusal to record.
                return ScanStopped(None, s.journal.tally("official").sheets, "official")
            if s.slot is None:
                s.attach_scanner(self._open_scanner(), self._ask_voter)
            assert s.slot is not None
            s.slot.stop.clear()
            return s.scan(lambda r: self._post(lambda: self.sheet_result(r)))

        assert self.worker is not None
        self.worker.call(run, self._scan_stopped, self._scan_failed)

    def _scan_failed(self, exc: SanaqError) -> None:
        self.scanning = False  # or no scan would ever start again
        self._failed(exc)

    def stop_scanning(self) -> None:
        if self.service.slot is not None:
            self.service.slot.stop.set()
        self.voter_decides("back") if self.chance is not None else None

    def _ask_voter(self, _handle: str) -> str:
        """In the worker: wait for the voter (or a member) to choose."""
        self.voter_event.clear()
        self.voter_event.wait()
        return self.voter_answer or "back"

    def voter_decides(self, answer: str) -> None:
        self.voter_answer = answer
        self.chance = None
        if self._warn_event is not None:
            self._warn_event.cancel()
        self.voter_event.set()
        if self.screen == "voting" and not self.alert:
            self._refresh_voting()
        elif self.screen == "testmode" and not self.alert:
            self.render()

    def sheet_result(self, r: SheetResult | SecondChance | TestTallyView) -> None:
        if isinstance(r, TestTallyView):
            self.test_tally = r
            if self.screen == "testmode" and not self.alert:
                self.render()
            return
        if isinstance(r, SheetResult) and r.mode == "test":
            self.test_last = r
            if self.on_result is not None:
                self.on_result(r)
            return
        wanted = sound_for(r)
        # A test ballot's second chance (the logic-and-accuracy test on a package that gives
        # invalid ballots back): asked on the test screen, without a sound (none in test mode).
        testing = isinstance(r, SecondChance) and self.status is not None and self.status.state == "testing"
        if wanted is not None and not testing:
            self.sounds.play(wanted)
        if isinstance(r, SecondChance):
            self.chance = r
            self.chance_since = Clock.get_time()
            self._warn_event = Clock.schedule_interval(self._repeat_warning, WARNING_REPEAT_S)
        else:
            self.last = r
            self.showing_last = True
            if self._idle_event is not None:
                self._idle_event.cancel()
            if r.outcome != "returned":
                self._idle_event = Clock.schedule_once(self._back_to_idle, ACCEPTED_SHOWN_S)
        if self.screen == "voting" and not self.alert:
            self._voting_changed()  # one update per frame however many sheets came in it
        elif testing and self.screen == "testmode" and not self.alert:
            self.render()
        if self.on_result is not None:
            self.on_result(r)

    def _voting_frame(self, _dt: float) -> None:
        if self.screen == "voting" and not self.alert:
            self._refresh_voting()

    def _refresh_voting(self) -> None:
        if not hasattr(self, "result_panel"):
            return
        if self.last is not None:
            self.counter_label.text = str(self.last.counter)
        self.scanner_label.text = self._scanner_text()
        self._fill_result()

    def _repeat_warning(self, _dt: float) -> None:
        if self.chance is None or self.screen != "voting":
            return
        # The warning comes back: the panel flashes, and after a while it calls a member.
        self._current_panel.set_bg(WHITE)
        Clock.schedule_once(lambda _dt: self._refresh_voting(), 0.4)

    def _back_to_idle(self, _dt: float) -> None:
        if self.chance is None:
            self.showing_last = False
            if self.screen == "voting" and not self.alert:
                self._refresh_voting()

    def _scan_stopped(self, stopped: ScanStopped) -> None:
        self.scanning = False
        if stopped.mode == "test":
            if stopped.code is not None and stopped.code in ALERTS:
                self.alert = stopped.code
            if self.screen == "testmode":
                # Rebuild the screen only when the scan stopped for a reason: a batch scanner
                # with no paper stops every second, and a rebuild between a finger's press and
                # release loses the press (found by tests/test_ui_lat_e2e.py: "Compare" lost).
                if stopped.code is not None:
                    self.render()
                if self.alert is None:
                    Clock.schedule_once(
                        lambda _dt: (
                            self.start_scanning()
                            if self.screen == "testmode" and not self.confirm_end_test
                            else None
                        ),
                        1.0,
                    )
            return
        if self.status is not None:
            self.status = StatusView(
                self.status.state,
                self.status.station,
                self.status.session,
                stopped.counter,
                self.status.pending,
                self.status.review_waiting,
            )
        if stopped.code is not None and stopped.code in ALERTS:
            self.alert = stopped.code
            self.sounds.play("error")
            if self.screen == "voting":
                self.render()
        elif self.screen == "voting":
            self._refresh_voting()
            # No paper (a batch scanner, the simulator): look again in a moment.
            Clock.schedule_once(lambda _dt: self.start_scanning() if self.screen == "voting" else None, 1.0)

    # --- paused and closed: what voters see ---------------------------------------------------------------

    def _public_message(self, title: str, sub: str) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(24), spacing=self.fs(12))
        panel = Panel(bg=PALE, orientation="vertical", padding=self.fs(24), spacing=self.fs(10))
        panel.add_widget(Widget())
        panel.add_widget(multilingual(Text(text(title, "kk"), self.fs(56), INK, bold=True, halign="center")))
        panel.add_widget(multilingual(Text(text(title, "ru"), self.fs(50), INK, bold=True, halign="center")))
        panel.add_widget(Text(sub, self.fs(28), MUTED, halign="center"))
        panel.add_widget(Widget())
        outer.add_widget(panel)
        outer.add_widget(
            Big(self.t("commission_menu"), self.commission, self.fs(MEMBER_TARGET), self.fs(24), bg=BAR)
        )
        return outer

    def _screen_paused(self) -> Widget:
        return self._public_message("paused_title", self.t("paused_sub"))

    def _screen_closed(self) -> Widget:
        st = self.status
        sub = self.t(
            "closed_sub", sheets=st.official_sheets if st else 0, review=st.review_waiting if st else 0
        )
        return self._public_message("closed_title", sub)

    # --- review ----------------------------------------------------------------------------------------------

    def open_review(self) -> None:
        self.call(lambda s: s.review_items(), self._review_loaded)

    def _review_loaded(self, items: list[ReviewItem]) -> None:
        self.review = items
        self.review_at = 0
        self.proposal = None
        self.review_all_options = False
        self.goto("review")

    def _screen_review(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(16), spacing=self.fs(10))
        st = self.status
        # secret7 (attack6): while the polls are open, how many wait and when they are decided;
        # no crops and no decision buttons (the station refuses them: review_while_open).
        waiting_for_close = st is not None and st.state in ("open", "paused")
        if waiting_for_close or not self.review:
            if waiting_for_close:
                assert st is not None
                message = self.t("review_after_close", n=st.review_waiting)
            else:
                message = self.t("review_none")
            outer.add_widget(Text(message, self.fs(32), bold=True))
            outer.add_widget(Widget())
            outer.add_widget(
                Big(
                    self.t("back"),
                    lambda: self.goto("home"),
                    self.fs(MEMBER_TARGET),
                    self.fs(24),
                    bg=GREY,
                    fg=INK,
                )
            )
            return outer
        item = self.review[min(self.review_at, len(self.review) - 1)]
        outer.add_widget(
            Text(self.t("review_title", i=self.review_at + 1, n=len(self.review)), self.fs(30), bold=True)
        )
        self._error_line(outer)
        if self.proposal is not None:
            outer.add_widget(
                Text(
                    self.t("review_second_member", decision=self._decision_label(item, self.proposal[1])),
                    self.fs(24),
                    BLUE,
                    bold=True,
                )
            )
            pad = self._two_columns()
            pad.padding = 0
            self._pin_pad(
                pad,
                self._confirm_review,
                exclude=self.actor.name if self.actor else None,
                ok_key="review_confirm",
                commission_only=True,
            )
            outer.add_widget(pad)
            outer.add_widget(
                Big(
                    self.t("review_cancel"),
                    self._cancel_proposal,
                    self.fs(MEMBER_TARGET),
                    self.fs(22),
                    bg=GREY,
                    fg=INK,
                )
            )
            return outer
        outer.add_widget(Text(self.t("review_reason"), self.fs(22), INK))
        col = self._column()
        for contest in item.contests:
            col.add_widget(Text(contest.title[self.lang], self.fs(22), bold=True))
            shown = [m for m in contest.marks if m.mark != "empty"]
            if not item.has_image:
                col.add_widget(Text(self.t("review_no_image"), self.fs(20), MUTED))
            for m in shown:
                row = Stack(
                    bg=AMBER if m.mark == "marginal" else PALE, padding=self.fs(6), spacing=self.fs(4)
                )
                row.add_widget(
                    Text(
                        f"{m.name[self.lang]} · {self.t('review_' + m.mark)} ({m.score:.2f})",
                        self.fs(22),
                        INK,
                        bold=True,
                    )
                )
                if m.reason in MESSAGES:  # the reader's reason, in the language shown
                    row.add_widget(Text(MESSAGES[m.reason][self.lang], self.fs(20), INK))
                if m.row is not None:
                    row.add_widget(
                        Image(
                            texture=_gray_texture(m.row),
                            size_hint_y=None,
                            height=self.fs(110),
                            fit_mode="contain",
                        )
                    )
                col.add_widget(row)
        buttons = GridLayout(cols=2, spacing=self.fs(10), size_hint_y=None)
        buttons.bind(minimum_height=buttons.setter("height"))
        for contest in item.contests:
            shown = [m for m in contest.marks if m.mark != "empty"]
            offered = contest.marks if self.review_all_options else shown
            for m in offered:
                decision = [{"contest": contest.contest, "outcome": "vote", "choice": m.option}]
                label = self.t("review_vote_for", option=m.name[self.lang])
                buttons.add_widget(
                    Big(
                        label,
                        partial(self._propose, item.sheet, decision, label),
                        self.fs(MEMBER_TARGET),
                        self.fs(22),
                        bg=GREEN,
                    )
                )
            invalid = [
                {
                    "contest": contest.contest,
                    "outcome": "overvote" if len(shown) > 1 else "blank",
                    "choice": None,
                }
            ]
            buttons.add_widget(
                Big(
                    self.t("review_invalid"),
                    partial(self._propose, item.sheet, invalid, self.t("review_invalid")),
                    self.fs(MEMBER_TARGET),
                    self.fs(22),
                    bg=RED,
                )
            )
        if not self.review_all_options and any(m.mark == "empty" for c in item.contests for m in c.marks):
            buttons.add_widget(
                Big(
                    self.t("review_other_options"),
                    self._offer_all_options,
                    self.fs(MEMBER_TARGET),
                    self.fs(22),
                    bg=PALE,
                    fg=INK,
                )
            )
        buttons.add_widget(
            Big(
                self.t("back"),
                lambda: self.goto("home"),
                self.fs(MEMBER_TARGET),
                self.fs(22),
                bg=GREY,
                fg=INK,
            )
        )
        # The crops scroll; the decisions stay in view (a list of every option scrolls too).
        outer.add_widget(self._scroll(col))
        outer.add_widget(self._scroll(buttons) if self.review_all_options else buttons)
        return outer

    def _offer_all_options(self) -> None:
        self.review_all_options = True
        self.render()

    def _propose(self, sheet: str, decisions: list[dict[str, Any]], label: str) -> None:
        self.proposal = (sheet, decisions, label)
        self.chosen = None
        self.pin = ""
        self.error = None
        self.render()

    def _decision_label(self, item: ReviewItem, decisions: list[dict[str, Any]]) -> str:
        """The proposed decision in words, in the language shown now."""
        d = decisions[0]
        if d["outcome"] == "vote":
            names = {m.option: m.name for c in item.contests for m in c.marks}
            return self.t("review_vote_for", option=names[d["choice"]][self.lang])
        return self.t("review_invalid")

    def _cancel_proposal(self) -> None:
        self.proposal = None
        self.render()

    def _confirm_review(self) -> None:
        assert self.proposal is not None
        sheet, decisions, _ = self.proposal
        name, pin = self.chosen or "", self.pin
        self.pin = ""
        self.call(
            lambda s: (s.decide_review(sheet, decisions, name, pin), s.review_items()), self._review_decided
        )

    def _review_decided(self, result: tuple[StatusView, list[ReviewItem]]) -> None:
        self.status, self.review = result
        self.review_at = 0
        self.proposal = None
        self.review_all_options = False
        self.goto("review" if self.review else "home")

    # --- the closing: protocol lines on a keypad, ratios live, preview, signatures, print, export --------

    def open_protocol(self) -> None:
        self.call(
            lambda s: (s.protocol_contests(), [s.protocol_view(c) for c in s.protocol_contests()]),
            self._protocol_loaded,
        )

    def _protocol_loaded(self, result: tuple[list[str], list[ProtocolView]]) -> None:
        self.proto_contests, self.proto_views = result
        self.draft = {}
        self.proto_note = None
        self._show_protocol(self.proto_views[0])
        self.goto("protocol")

    def _show_protocol(self, view: ProtocolView) -> None:
        self.proto = view
        self.proto_views = [view if v.contest == view.contest else v for v in self.proto_views]
        entered = [ln for ln in view.lines if ln.source == "entered"]
        if self.line_at not in {ln.id for ln in entered}:
            self.line_at = next(
                (ln.id for ln in entered if ln.value is None), entered[0].id if entered else None
            )

    def choose_protocol(self, contest: str) -> None:
        self.line_at = None
        self.error = None
        draft = self.draft.get(contest)
        self.call(lambda s: s.protocol_view(contest, draft), self._protocol_shown)

    def _protocol_shown(self, view: ProtocolView) -> None:
        self._show_protocol(view)
        if not self._protocol_in_place(view):
            self.render()

    def _typed(self) -> dict[str, int]:
        """The draft of the protocol on screen: what was typed, else what the store holds."""
        assert self.proto is not None
        c = self.proto.contest
        if c not in self.draft:
            self.draft[c] = {
                ln.id: ln.value for ln in self.proto.lines if ln.source == "entered" and ln.value is not None
            }
        return self.draft[c]

    def proto_key(self, k: str) -> None:
        """A key of the protocol's keypad; the ratios are checked again by the service."""
        if self.proto is None or self.line_at is None:
            return
        typed = self._typed()
        if k == "C":
            typed.pop(self.line_at, None)
        else:
            value = typed.get(self.line_at, 0) * 10 + int(k)
            if value <= MAX_LINE_VALUE:
                typed[self.line_at] = value
        contest, draft = self.proto.contest, dict(typed)
        self.call(lambda s: s.protocol_view(contest, draft), self._protocol_shown)

    def proto_line(self, line: str) -> None:
        self.line_at = line
        if self.proto is None or not self._protocol_in_place(self.proto):
            self.render()

    def proto_next(self) -> None:
        if self.proto is None:
            return
        ids = [ln.id for ln in self.proto.lines if ln.source == "entered"]
        if self.line_at in ids:
            self.line_at = ids[(ids.index(self.line_at) + 1) % len(ids)]
        if not self._protocol_in_place(self.proto):
            self.render()

    def proto_save(self) -> None:
        if self.proto is None:
            return
        contest, lines = self.proto.contest, dict(self._typed())
        self.call(lambda s: s.enter_protocol(contest, lines), self._protocol_saved)

    def _protocol_saved(self, view: ProtocolView) -> None:
        self.draft.pop(view.contest, None)
        self._protocol_shown(view)

    def proto_preview(self) -> None:
        if self.proto is None:
            return
        contest = self.proto.contest
        # The page as wide as the panel shows it (less the padding and the scroll bar), so one
        # pixel of the rendering is one pixel of the panel: sharp at 1280x800 and at 1920x1080.
        width = int(Window.width - 2 * self.fs(12) - self.fs(10))
        self.call(lambda s: s.preview_protocol(contest, width), self._previewed)

    def _previewed(self, image: PreviewImage) -> None:
        self.preview = image.path
        self.preview_image = image
        # Decoded in the worker; here only the upload (one grey byte per pixel).
        tex = Texture.create(size=(image.width, image.height), colorfmt="luminance")
        tex.blit_buffer(image.pixels, colorfmt="luminance", bufferfmt="ubyte")
        tex.flip_vertical()
        self._preview_texture = tex
        self.goto("preview")

    # --- the protocol screen: built from specs, so a key's answer updates it in place ----------------

    def _proto_tab_specs(self, view: ProtocolView) -> list[_Spec]:
        out = []
        for v in self.proto_views:
            mine = v.contest == view.contest
            out.append(
                _Spec(
                    "big",
                    v.style + (" ✓" if v.saved and all(r.ok for r in v.ratios) else ""),
                    self.fs(20),
                    WHITE if mine else INK,
                    bg=BAR if mine else GREY,
                    action=partial(self.choose_protocol, v.contest),
                    height=self.fs(MEMBER_TARGET),
                )
            )
        return out

    def _proto_ratio_specs(self, r: Any, view: ProtocolView) -> list[_Spec]:
        values = {"title": r.title[self.lang], "left": r.left_sum, "op": r.op, "right": r.right_sum}
        if r.ok:
            head = _Spec("text", self.t("proto_ratio_ok", **values), self.fs(20), GREEN, bold=True)
        else:
            bad = self.t("proto_ratio_bad", diff=f"{r.difference:+d}", **values)
            head = _Spec("text", bad, self.fs(22), RED, bold=True)
        terms = [_Spec("text", x, self.fs(17), INK if r.ok else RED) for x in self._ratio_in_words(r, view)]
        return [head, *terms]

    def _proto_line_specs(self, view: ProtocolView) -> list[_Spec]:
        """The left column: the lines (the entered ones as buttons), the ratios, a block."""
        out = [_Spec("text", self.t("proto_entered"), self.fs(18), MUTED)]
        # The lines of a failing ratio are marked where they are touched: "✗" and red.
        suspect = {i for r in view.ratios if not r.ok for i in (*r.left, *r.right)}
        for ln in view.lines:
            value = "" if ln.value is None else str(ln.value)
            label = self.t("proto_line", number=ln.number, title=ln.title[self.lang], value=value)
            if ln.source == "entered":
                chosen = ln.id == self.line_at
                out.append(
                    _Spec(
                        "big",
                        ("✗ " if ln.id in suspect else "") + label,
                        self.fs(20),
                        WHITE if chosen else (RED if ln.id in suspect else INK),
                        bg=BLUE if chosen else WHITE,
                        action=partial(self.proto_line, ln.id),
                        height=self.fs(MEMBER_TARGET),
                        halign="left",
                    )
                )
            elif ln.id == "ballots_in_box":
                out.append(_Spec("text", self.t("proto_counted"), self.fs(18), MUTED))
                out.append(_Spec("text", label, self.fs(20), INK))
            else:
                out.append(_Spec("text", label, self.fs(20), INK))
        out.append(_Spec("text", self.t("proto_ratios"), self.fs(22), INK, bold=True))
        for r in view.ratios:
            out.extend(self._proto_ratio_specs(r, view))
        if view.blocked:
            out.append(_Spec("text", error_text(view.blocked, self.lang), self.fs(22), RED, bold=True))
        return out

    def _proto_typing_spec(self, view: ProtocolView) -> _Spec:
        current = next((ln for ln in view.lines if ln.id == self.line_at), None)
        typing = (
            self.t(
                "proto_typing", number=current.number, value="" if current.value is None else current.value
            )
            if current
            else self.t("proto_pick_line")
        )
        return _Spec("text", typing, self.fs(30), BLUE, bold=True, halign="center")

    def _proto_failing_specs(self, view: ProtocolView) -> list[_Spec]:
        """Beside the keypad: the ratios that fail, each with its lines named, or all well."""
        failing = [r for r in view.ratios if not r.ok]
        out = [x for r in failing for x in self._proto_ratio_specs(r, view)]
        if view.ratios and not failing:
            out.append(_Spec("text", self.t("proto_all_ok"), self.fs(22), GREEN, bold=True))
        return out

    def _proto_save_spec(self, view: ProtocolView) -> _Spec:
        return _Spec(
            "big",
            self.t("proto_save") if not view.saved else "✓ " + self.t("proto_saved"),
            self.fs(20),
            WHITE if not view.saved else INK,
            bg=GREEN if not view.saved else GREY,
            action=self.proto_save,
            height=self.fs(MEMBER_TARGET),
        )

    def _proto_key(self, view: ProtocolView) -> tuple[object, ...]:
        """What the protocol screen's fixed parts show besides the view: its contest, the
        language, and the error lines (which name the refusal and, in test mode, why)."""
        state = self.status.state if self.status is not None else None
        return (view.contest, self.lang, self.error, self.refused, state)

    def _protocol_in_place(self, view: ProtocolView) -> bool:
        """The protocol screen brought to `view` by setting what changed on the widgets it has
        (a key's answer: a line's value, a ratio's colour, the line being typed), a column
        rebuilt only where its rows changed in number or kind; False where the screen must be
        built again (another screen, contest, language or error line). A full build costs a
        tap 0.1 s of the UI thread's CPU on a 10-inch panel (benchmarks/results/pass36/)."""
        live = self._proto_live
        if (
            live is None
            or self.screen != "protocol"
            or live.key != self._proto_key(view)
            or len(live.tabs) != len(self.proto_views)
        ):
            return False
        for w, spec in zip(live.tabs, self._proto_tab_specs(view), strict=True):
            spec.apply(w)
        self._proto_typing_spec(view).apply(live.typing)
        self._proto_save_spec(view).apply(live.save)
        live.lines.update(self._proto_line_specs(view))
        live.failing.update(self._proto_failing_specs(view))
        return True

    def _screen_protocol(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(12), spacing=self.fs(8))
        view = self.proto
        if view is None:
            return outer
        tabs = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=self.fs(MEMBER_TARGET))
        tab_widgets = [spec.make() for spec in self._proto_tab_specs(view)]
        for w in tab_widgets:
            tabs.add_widget(w)
        outer.add_widget(tabs)
        outer.add_widget(Text(self.t("proto_title", contest=view.title[self.lang]), self.fs(24), bold=True))
        self._error_line(outer)
        body = self._two_columns()
        body.padding = 0
        lines = _Rows(self._column(), self._proto_line_specs(view))
        body.add_widget(self._scroll(lines.box))
        right = BoxLayout(orientation="vertical", spacing=self.fs(8))
        typing = self._proto_typing_spec(view).make()
        right.add_widget(typing)
        # Keys as tall as a member's target, whatever the panel leaves for the lines.
        kh, sp = self.fs(MEMBER_TARGET), self.fs(8)
        keys = GridLayout(cols=3, spacing=sp, size_hint_y=None, height=4 * kh + 3 * sp)
        for k in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "→"):
            if k == "C":
                keys.add_widget(
                    Big(
                        self.t("signin_clear"), partial(self.proto_key, "C"), kh, self.fs(24), bg=GREY, fg=INK
                    )
                )
            elif k == "→":
                keys.add_widget(Big(self.t("proto_next"), self.proto_next, kh, self.fs(24), bg=BAR))
            else:
                keys.add_widget(Big(k, partial(self.proto_key, k), kh, self.fs(40), bg=BLUE))
        right.add_widget(keys)
        # The ratios that fail stay in view beside the keypad (the full list scrolls at left),
        # each with its lines named; they scroll below the keypad where they do not fit.
        failing = _Rows(self._column(), self._proto_failing_specs(view))
        right.add_widget(self._scroll(failing.box))
        body.add_widget(right)
        outer.add_widget(body)
        h, f = self.fs(MEMBER_TARGET), self.fs(20)
        actions = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=h)
        save = self._proto_save_spec(view).make()
        actions.add_widget(save)
        actions.add_widget(Big(self.t("proto_preview"), self.proto_preview, h, f, bg=BLUE))
        actions.add_widget(Big(self.t("proto_signatures"), self.open_signatures, h, f, bg=BAR))
        actions.add_widget(Big(self.t("back"), lambda: self.goto("home"), h, f, bg=GREY, fg=INK))
        outer.add_widget(actions)
        self._proto_live = _ProtoLive(self._proto_key(view), tab_widgets, typing, save, lines, failing)
        return outer

    def _screen_preview(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(12), spacing=self.fs(8))
        tex = self._preview_texture
        if tex is not None:
            # 1:1, the page's top first; the page scrolls (drag or the bar at the right).
            page = Image(texture=tex, size_hint=(None, None), size=tex.size, fit_mode="fill")
            holder = BoxLayout(size_hint=(1, None), height=tex.height)
            holder.add_widget(page)
            sv = ScrollView(do_scroll_x=False, bar_width=self.fs(10), scroll_type=["bars", "content"])
            sv.add_widget(holder)
            outer.add_widget(sv)
        outer.add_widget(
            Big(
                self.t("back"),
                lambda: self.goto("protocol"),
                self.fs(MEMBER_TARGET),
                self.fs(22),
                bg=GREY,
                fg=INK,
            )
        )
        return outer

    def open_signatures(self) -> None:
        self.call(lambda s: [s.protocol_view(c) for c in s.protocol_contests()], self._signatures_loaded)

    def _signatures_loaded(self, views: list[ProtocolView]) -> None:
        self.proto_views = views
        self.goto("protosign")

    def _screen_protosign(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(12), spacing=self.fs(6))
        outer.add_widget(Text(self.t("proto_sign_title"), self.fs(26), bold=True))
        self._error_line(outer)
        status = [Text(self.t("proto_sign_rule"), self.fs(18), MUTED)]
        for v in self.proto_views:
            if v.version is None:
                line = self.t("proto_no_version", style=v.style)
            else:
                signers = ", ".join(self.t("proto_signer_device") if x == "device" else x for x in v.signers)
                line = self.t("proto_signers", style=v.style, version=v.version, signers=signers)
            status.append(
                Text(("✓ " if v.finalised else "") + line, self.fs(18), GREEN if v.finalised else INK)
            )
        note = self.note_text(self.proto_note)
        if note:
            status.append(Text(note, self.fs(20), GREEN, bold=True))
        pad = self._two_columns()
        pad.padding = 0
        self._pin_pad(pad, self._sign_protocols, ok_key="proto_sign_ok", above=status, commission_only=True)
        outer.add_widget(pad)
        h, f = self.fs(MEMBER_TARGET), self.fs(20)
        # Portrait: two by two (the Kazakh for "close the count" is one word too long for a quarter of 800 px).
        actions = GridLayout(
            cols=2 if Window.width < Window.height else 4, spacing=self.fs(8), size_hint_y=None
        )
        actions.bind(minimum_height=actions.setter("height"))
        actions.add_widget(Big(self.t("proto_finalise"), self.proto_finalise, h, f, bg=GREEN))
        actions.add_widget(Big(self.t("proto_print"), self.proto_print, h, f, bg=BLUE))
        actions.add_widget(Big(self.t("proto_export"), self.proto_export, h, f, bg=BAR))
        actions.add_widget(Big(self.t("back"), lambda: self.goto("protocol"), h, f, bg=GREY, fg=INK))
        outer.add_widget(actions)
        return outer

    def _sign_protocols(self) -> None:
        name, pin = self.chosen or "", self.pin
        self.pin = ""
        self.call(lambda s: s.sign_protocols(name, pin), self._signatures_loaded)

    def proto_finalise(self) -> None:
        self.call(
            lambda s: (
                s.finalise_protocols(),
                [s.protocol_view(c) for c in s.protocol_contests()],
                s.status(),
            ),
            self._finalised,
        )

    def _finalised(self, result: tuple[list[Path], list[ProtocolView], StatusView]) -> None:
        paths, self.proto_views, self.status = result
        self.goto("protosign")
        self.proto_note = ("proto_finalised", {"n": len(paths)})
        self.render()

    def proto_print(self) -> None:
        self.call(lambda s: s.print_protocols(), self._printed)

    def _printed(self, printed: list[Any]) -> None:
        self.goto("protosign")
        self.proto_note = ("proto_printed", {"files": ", ".join(p.pdf.name for p in printed)})
        self.render()

    def proto_export(self) -> None:
        self.call(lambda s: (s.export_to_stick(), s.status()), self._exported)

    def _exported(self, result: tuple[Path, StatusView]) -> None:
        path, self.status = result
        self.goto("protosign")
        self.proto_note = ("proto_exported", {"path": path.name})
        self.render()

    # --- the technician: devices, hot-plug, printer test, calibration ------------------------------------

    def open_devices(self) -> None:
        url = self.scanner_url or getattr(self.scanner, "url", None)

        def look(s: KioskService) -> DevicesView:
            s.scanner_url = url
            return s.devices()

        self._look = look
        self.call(look, self._devices_shown)

    def _devices_shown(self, view: DevicesView) -> None:
        self.devices = view
        if self.screen != "devices":
            self.goto("devices")
            self._start_hotplug()
        else:
            self.render()

    def rescan_devices(self) -> None:
        self.note = None
        self.call(self._look, self._devices_shown)

    def _start_hotplug(self) -> None:
        """udev's add/remove events (drivers/discovery.py) look again by themselves; where there
        are none, the screen says to press "look again"."""
        from drivers.discovery import HotplugWatcher

        def changed(_action: str, _node: str) -> None:
            self._post(lambda: self.rescan_devices() if self.screen == "devices" else None)

        self._hotplug = HotplugWatcher(changed)
        if self._hotplug.start():
            self.render()

    def _stop_hotplug(self) -> None:
        if self._hotplug is not None:
            self._hotplug.stop()
            self._hotplug = None

    def print_test(self) -> None:
        self.note = None
        self.call(lambda s: (s.printer_test(), s.devices()), self._print_tested)

    def _print_tested(self, result: tuple[PrintTest, DevicesView]) -> None:
        test, self.devices = result
        if test.ok:
            self.note = ("devices_print_ok", {"where": test.where})
            self.error = None
        else:
            self.note = ("devices_print_waits", {"n": test.waiting})
            self.error = test.code
        self.render()

    def calibrate(self) -> None:
        """kiosk.calibration.session in the worker; the screen follows its steps."""
        self.note = None
        self.error = None
        self.calibration = None
        self.calibrating = "scanning"
        self.render()

        def step(name: str) -> None:
            self._post(lambda: self._calibration_step(name))

        assert self.worker is not None
        self.worker.call(
            lambda s: (s.calibrate(step), s.devices()), self._calibrated, self._calibration_failed
        )

    def _calibration_step(self, name: str) -> None:
        if self.calibrating is not None:
            self.calibrating = name
            if self.screen == "devices":
                self.render()

    def _calibrated(self, result: tuple[CalibrationView, DevicesView]) -> None:
        self.calibration, self.devices = result
        self.calibrating = None
        self.sounds.play("accepted" if self.calibration.passed else "error")
        self.render()

    def _calibration_failed(self, exc: SanaqError) -> None:
        self.calibrating = None
        self._failed(exc)

    def _calibration_card(self, cal: CalibrationView) -> Widget:
        card = Stack(bg=WHITE, padding=self.fs(10), spacing=self.fs(4))
        verdict = self.t("calibration_passed" if cal.passed else "calibration_failed_title")
        card.add_widget(Text(verdict, self.fs(34), GREEN if cal.passed else RED, bold=True))
        who = dict(cal.identity)
        scanner = self.device_name(who.get("url", ""), "", who.get("model", ""), who.get("serial", ""))
        at = cal.measured_at.replace("T", " ")[:16]  # 2026-11-28 14:06: no seconds, no offset
        card.add_widget(Text(self.t("calibration_scanner", scanner=scanner, at=at), self.fs(18)))
        for code in cal.failures:  # what to do, in the screen's language
            card.add_widget(Text("✗ " + error_text(code, self.lang), self.fs(22), RED, bold=True))
        # Per scanned image: one line when every measure passed; each failed measure in red with
        # its measured figure in the screen's language.
        images: dict[int, list[Any]] = {}
        for c in cal.checks:
            images.setdefault(c.image, []).append(c)
        for image, checks in images.items():
            n, side = image + 1, checks[0].side
            bad = [c for c in checks if not c.passed]
            key = "calibration_all_passed" if not bad else "calibration_some_passed"
            line = self.t(key, n=n, side=side, count=len(checks), passed=len(checks) - len(bad))
            card.add_widget(Text(line, self.fs(20), GREEN if not bad else INK, bold=not bad))
            for c in bad:
                what = self.t("calibration_image", measure=self.t(f"measure_{c.measure}"), n=n, side=side)
                card.add_widget(Text(f"✗ {what}: {self.t('calibration_bad')}", self.fs(20), RED, bold=True))
                card.add_widget(Text("    " + self.calibration_figure(c), self.fs(18), RED))
        for side in cal.sides:
            shown = dict(side, image=str(int(side["image"]) + 1)) if side.get("image", "").isdigit() else side
            card.add_widget(Text(self.t("calibration_side", **shown), self.fs(18), MUTED))
        return card

    def calibration_figure(self, c: Any) -> str:
        """A measure's figure in the screen's language, from its value and limit
        (kiosk/calibration/profile.py's checks); the CLI's English detail where it has none."""
        v, lim, m = c.value, c.limit, c.measure
        try:
            if m in ("scale_x", "scale_y"):
                lo, _hi = lim
                return self.t(
                    "calibration_figure",
                    value=f"{(float(v) - 1) * 100:+.2f} %",
                    limit=f"±{(1 - lo) * 100:.2f} %",
                )
            if m == "aspect":
                _lo, hi = lim
                return self.t(
                    "calibration_figure", value=f"{float(v) * 100:+.2f} %", limit=f"±{hi * 100:.2f} %"
                )
            if m == "grid_error_mm":
                mm = self.t("calibration_mm")
                return self.t(
                    "calibration_figure", value=f"{float(v):.2f} {mm}", limit=f"{float(lim):.2f} {mm}"
                )
            if m == "skew_deg":
                return self.t("calibration_figure", value=f"{float(v):+.2f}°", limit=f"±{float(lim):.2f}°")
            if m == "offset_mm":
                x, y = v
                return self.t(
                    "calibration_figure_offset", x=f"{x:.1f}", y=f"{y:.1f}", limit=f"{float(lim):.1f}"
                )
            if m == "levels":
                return self.t(
                    "calibration_figure_levels",
                    white=f"{v['white']:.0f}",
                    white_min=f"{lim['white_min']:.0f}",
                    black=f"{v['black']:.0f}",
                    black_max=f"{lim['black_max']:.0f}",
                    steps=v["grey_steps"],
                    steps_min=lim["grey_steps_min"],
                )
            if m == "falloff":
                return self.t(
                    "calibration_figure", value=f"{float(v) * 100:.0f} %", limit=f"{float(lim) * 100:.0f} %"
                )
            if m == "streaks":
                return "; ".join(
                    self.t(
                        "calibration_figure_streak",
                        mm=f"{float(s['x_mm']):.0f}",
                        kind=self.t(
                            "calibration_streak_dark" if s["levels"] < 0 else "calibration_streak_light"
                        ),
                    )
                    for s in v
                    if abs(float(s["levels"])) >= float(lim)
                )
            if m == "dust":
                return self.t("calibration_figure_dust", n=int(v), limit=lim)
            if m == "resolution":
                x, y = v["lp_mm"]
                return self.t(
                    "calibration_figure_resolution", x=f"{x:g}", y=f"{y:g}", limit=f"{float(lim):g}"
                )
        except (TypeError, ValueError, KeyError, IndexError):
            pass
        return str(c.detail)

    def _calibration_section(self, col: BoxLayout, view: DevicesView) -> None:
        col.add_widget(Text(self.t("calibration_title"), self.fs(26), bold=True))
        if self.calibrating is not None:
            col.add_widget(
                Text("● " + self.t(f"calibration_step_{self.calibrating}"), self.fs(24), BLUE, bold=True)
            )
        elif self.calibration is not None:
            col.add_widget(self._calibration_card(self.calibration))
        else:
            col.add_widget(Text(self.t("calibration_how"), self.fs(20), MUTED))
        col.add_widget(self._histogram_card(view))

    def _histogram_card(self, view: DevicesView) -> Widget:
        card = Stack(bg=WHITE, padding=self.fs(10), spacing=self.fs(4))
        card.add_widget(Text(self.t("histogram_title"), self.fs(24), bold=True))
        if view.thresholds is not None:
            marginal, marked = view.thresholds
            card.add_widget(Text(self.t("histogram_chosen", marginal=marginal, marked=marked), self.fs(20)))
        if view.histogram is None:
            card.add_widget(
                Text(
                    self.t("histogram_none" if view.thresholds is None else "histogram_missing"),
                    self.fs(20),
                    MUTED,
                )
            )
            return card
        from kivy.core.image import Image as CoreImage

        # kiosk6: the copy drawn in the screen's language where there is one; else the official
        # picture (its words in English with Kazakh and Russian glosses).
        shown = dict(view.histogram_screens).get(self.lang, view.histogram)
        texture = CoreImage(str(shown)).texture
        width = min(Window.width - self.fs(80), texture.width * self.u * 1.2)
        img = Image(
            texture=texture,
            size_hint=(None, None),
            width=width,
            height=width * texture.height / max(1, texture.width),
            fit_mode="contain",
        )
        card.add_widget(img)
        if shown != view.histogram:
            card.add_widget(
                Text(self.t("histogram_display_note", file=view.histogram.name), self.fs(16), MUTED)
            )
        return card

    def device_name(self, url: str, description: str = "", model: str = "", serial: str = "") -> str:
        """A scanner or printer as a person names it: its model and serial where it says them,
        else what it is ("Scanner on serial port /dev/ttyUSB0", "Folder scanner"), never a
        driver's key or a temporary folder's path."""
        scheme, _, rest = url.partition(":")
        port = rest.split("?", 1)[0].lstrip("/") if scheme != "cups" else rest.lstrip("/")
        port = "/" + port if scheme in ("serial", "camera") and port and not port.startswith("/") else port
        # A hardware scanner names itself (a hot folder's "serial" is its path: not a name).
        hardware = scheme not in ("sim", "folder", "camera", "pdf")
        if hardware and model and serial and model.lower() not in ("n/a", "none"):
            return self.t("device_name_model", model=model, serial=serial)
        if scheme == "sim":
            return self.t("device_name_sim")
        if scheme == "folder":
            return self.t("device_name_folder")
        if scheme == "serial":
            return self.t("device_name_serial", port=port)
        if scheme == "camera":
            return self.t("device_name_camera", port=port)
        if scheme == "pdf":
            return self.t("device_name_pdf")
        if scheme.startswith("escpos"):
            return self.t("device_name_receipt", port=port)
        if scheme == "cups":
            return self.t("device_name_cups", port=port)
        return description or url

    def _device_row(self, d: Any) -> Widget:
        state = self.t(f"device_state_{d.state}")
        used = f" · {self.t('device_used')}" if d.configured else ""
        colour = RED if d.state == "missing" else (AMBER if d.state == "simulated" else PALE)
        row = Stack(bg=colour, padding=self.fs(8), spacing=self.fs(2))
        name = self.device_name(d.url, d.description)
        row.add_widget(
            Text(self.t("device_line", name=name, state=state) + used, self.fs(22), INK, bold=True)
        )
        # Below, smaller: where it is (a SANE device's own words, the port, the PDF folder).
        where = d.url if d.url != "pdf:" else d.description
        if (
            d.description
            and d.description != where
            and "n/a" not in d.description
            and d.url.startswith("sane")
        ):
            where = f"{d.description} · {where}"
        row.add_widget(Text(where, self.fs(16), INK))
        return row

    def _ratio_in_words(self, r: Any, view: Any) -> list[str]:
        """A control ratio with its lines named and their values, one line per term:
        "2. Ballots received…: 2519", "= 3. Ballots issued…: 45", "+ 4. …" (the form's ratio
        title is numbers only)."""
        lines = {ln.id: ln for ln in view.lines}

        def term(i: str) -> str:
            ln = lines.get(i)
            if ln is None:
                return i
            value = self.t("proto_ratio_unset") if ln.value is None else ln.value
            return self.t(
                "proto_ratio_line", number=ln.number, title=_short(ln.title[self.lang], 56), value=value
            )

        out = [term(r.left[0]), *(f"+ {term(i)}" for i in r.left[1:])]
        out += [f"{r.op} {term(r.right[0])}", *(f"+ {term(i)}" for i in r.right[1:])] if r.right else []
        return out

    def _screen_devices(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(16), spacing=self.fs(8))
        outer.add_widget(Text(self.t("devices_title"), self.fs(32), bold=True))
        self._error_line(outer)
        note = self.note_text(self.note)
        if note:
            outer.add_widget(Text(note, self.fs(22), GREEN if self.error is None else INK, bold=True))
        col = self._column()
        view = self.devices
        # A calibration under way, its result, or a histogram to see: first, not below the fold.
        on_top = (
            view is not None
            and view.calibration
            and (self.calibrating is not None or self.calibration is not None or view.histogram is not None)
        )
        if view is not None and on_top:
            self._calibration_section(col, view)
        if view is not None:
            col.add_widget(Text(self.t("devices_scanners"), self.fs(26), bold=True))
            for d in view.scanners:
                col.add_widget(self._device_row(d))
            if not view.scanners:
                col.add_widget(Text(self.t("devices_none"), self.fs(20), MUTED))
            col.add_widget(Text(self.t("devices_printers"), self.fs(26), bold=True))
            for d in view.printers:
                col.add_widget(self._device_row(d))
            col.add_widget(Text(self.t("devices_spool", n=view.print_waiting), self.fs(20)))
            hot = self._hotplug is not None and self._hotplug.available
            col.add_widget(
                Text(self.t("devices_hotplug_on" if hot else "devices_hotplug_off"), self.fs(20), MUTED)
            )
            if view.calibration and not on_top:
                self._calibration_section(col, view)
        outer.add_widget(self._scroll(col))
        h, f = self.fs(MEMBER_TARGET), self.fs(22)
        buttons = [
            Big(self.t("devices_rescan"), self.rescan_devices, h, f, bg=BLUE),
            Big(self.t("devices_print_test"), self.print_test, h, f, bg=GREEN),
        ]
        if view is not None and view.calibration and self.calibrating is None:
            buttons.append(Big(self.t("devices_calibrate"), self.calibrate, h, f, bg=BAR))
        buttons.append(Big(self.t("back"), lambda: self.goto("home"), h, f, bg=GREY, fg=INK))
        cols = 2 if Window.width < Window.height else len(buttons)
        actions = GridLayout(cols=cols, spacing=self.fs(8), size_hint_y=None)
        actions.bind(minimum_height=actions.setter("height"))
        for b in buttons:
            actions.add_widget(b)
        outer.add_widget(actions)
        return outer

    # --- the logic-and-accuracy test ------------------------------------------------------------------------

    def start_test(self) -> None:
        self.stop_scanning()
        self.note = None
        self.test_last = None
        assert self.worker is not None
        self.worker.call(
            lambda s: (s.transition("start_test"), s.test_tally()),
            self._test_started,
            partial(self._refused, "start_test"),
        )

    def _test_started(self, result: tuple[StatusView, TestTallyView]) -> None:
        self.status, self.test_tally = result
        self.goto("testmode")

    def open_test(self) -> None:
        self.call(lambda s: (s.status(), s.test_tally()), self._test_started)

    def ask_end_test(self) -> None:
        self.stop_scanning()
        self.confirm_end_test = True
        self.render()

    def end_test(self) -> None:
        self.stop_scanning()
        assert self.worker is not None
        self.worker.call(lambda s: s.end_test(), self._test_ended, partial(self._refused, "end_test"))

    def _test_ended(self, result: tuple[StatusView, int]) -> None:
        self.status, cleared = result
        self.test_tally = None
        self.test_last = None
        self.goto("home")
        self.note = ("test_ended", {"n": cleared})
        self.render()

    def lat_choose(self, scheme: str) -> None:
        self.lat_scheme = scheme
        self.lat_load()

    def lat_load(self) -> None:
        """The expected tally of this station's test deck, made by the service from the package."""
        self.note = None
        self.lat_result = None
        scheme = self.lat_scheme
        self.call(lambda s: s.load_test_deck(scheme), self._lat_loaded)

    def _lat_loaded(self, view: LatExpectedView) -> None:
        self.lat_expected = view
        self.render()

    def lat_compare(self) -> None:
        """The test report (kiosk.calibration.lat) in the worker, after the scan in progress stops."""
        self.stop_scanning()
        self.lat_busy = True
        self.note = None
        self.render()
        assert self.worker is not None
        self.worker.call(lambda s: s.test_report(), self._lat_compared, self._lat_failed)

    def _lat_compared(self, result: LatResultView) -> None:
        self.lat_busy = False
        self.lat_result = result
        self.error = None
        self.sounds.play("accepted" if result.passed else "error")
        self.render()

    def _lat_failed(self, exc: SanaqError) -> None:
        self.lat_busy = False
        self._failed(exc)

    def lat_print(self) -> None:
        self.call(lambda s: s.print_test_report(), self._lat_printed)

    def _lat_printed(self, test: PrintTest) -> None:
        if test.ok:
            self.note = ("devices_print_ok", {"where": test.where})
        else:
            self.note = ("devices_print_waits", {"n": test.waiting})
            self.error = test.code
        self.render()

    def _lat_card(self) -> Widget:
        """The logic-and-accuracy test: the deck's scheme and size, then the verdict and every
        line that differs, large."""
        card = Stack(bg=WHITE, padding=self.fs(8), spacing=self.fs(4))
        card.add_widget(Text(self.t("lat_title"), self.fs(24), bold=True))
        h, f = self.fs(MEMBER_TARGET), self.fs(20)
        row = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=h)
        for scheme in LAT_SCHEMES:
            chosen = self.lat_expected is not None and self.lat_expected.scheme == scheme
            row.add_widget(
                Big(
                    self.t("lat_scheme_" + scheme.replace(":", "_")),
                    partial(self.lat_choose, scheme),
                    h,
                    f,
                    bg=BLUE if chosen else GREY,
                    fg=WHITE if chosen else INK,
                )
            )
        card.add_widget(row)
        exp = self.lat_expected
        if exp is None:
            card.add_widget(Text(self.t("lat_load_first"), self.fs(20), MUTED))
        else:
            card.add_widget(
                Text(
                    self.t("lat_deck", sheets=exp.sheets, counted=exp.counted, returned=exp.returned),
                    self.fs(22),
                    bold=True,
                )
            )
        r = self.lat_result
        # The buttons above the verdict: always in sight, however many lines differ.
        buttons = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=h)
        if exp is not None and not self.lat_busy:
            buttons.add_widget(Big(self.t("lat_compare"), self.lat_compare, h, f, bg=GREEN))
        if r is not None:
            buttons.add_widget(Big(self.t("lat_print"), self.lat_print, h, f, bg=BAR))
        if buttons.children:
            card.add_widget(buttons)
        if self.lat_busy:
            card.add_widget(Text("● " + self.t("lat_comparing"), self.fs(24), BLUE, bold=True))
        if r is not None:
            card.add_widget(
                Text(
                    self.t("lat_passed" if r.passed else "lat_failed"),
                    self.fs(40),
                    GREEN if r.passed else RED,
                    bold=True,
                )
            )
            card.add_widget(Text(self.t("lat_lines", n=r.lines, differ=len(r.differing)), self.fs(20)))
            for ln in r.differing:
                card.add_widget(
                    Text(
                        self.t(
                            "lat_line",
                            line=ln.label.get(self.lang) or ln.line,
                            expected=ln.expected,
                            counted=ln.counted,
                            diff=f"{ln.diff:+d}",
                        ),
                        self.fs(26),
                        RED,
                        bold=True,
                    )
                )
            card.add_widget(Text(self.t("lat_recorded", code=r.chain_code), self.fs(18), MUTED))
        return card

    def _test_chance(self, chance: SecondChance) -> Widget:
        card = Stack(bg=AMBER, padding=self.fs(8), spacing=self.fs(6))
        card.add_widget(Text("⚠ " + self.t("warn_title"), self.fs(24), INK, bold=True, halign="center"))
        for contest, problem in chance.problems:
            key = "warn_blank" if problem == "blank" else "warn_overvote"
            title = _short(chance.contest_titles[contest][self.lang])
            card.add_widget(Text(self.t(key, contest=title), self.fs(18), INK, halign="center"))
        h, f = self.fs(MEMBER_TARGET), self.fs(20)
        row = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=h)
        row.add_widget(Big(self.t("warn_take_back"), lambda: self.voter_decides("back"), h, f, bg=BLUE))
        row.add_widget(Big(self.t("warn_cast"), lambda: self.voter_decides("cast"), h, f, bg=INK))
        card.add_widget(row)
        return card

    def _screen_testmode(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(12), spacing=self.fs(8))
        if self.alert:
            outer.add_widget(self._alert_panel(self.alert))
            return outer
        tally = self.test_tally
        outer.add_widget(Text(self.t("test_title"), self.fs(30), bold=True))
        self._error_line(outer)
        body = self._two_columns()
        body.padding = 0
        left = Panel(
            bg=WHITE,
            orientation="vertical",
            padding=self.fs(8),
            spacing=self.fs(6),
            size_hint_x=0.4 if Window.width >= Window.height else 1,
        )
        left.add_widget(Text(self.t("test_insert"), self.fs(26), INK, bold=True, halign="center"))
        self.test_counter = Counter(str(tally.sheets if tally else 0), self.fs(160))
        left.add_widget(self.test_counter)
        if tally is not None:
            left.add_widget(
                Text(
                    self.t("test_counts", sheets=tally.sheets, returned=tally.returned),
                    self.fs(22),
                    halign="center",
                )
            )
        last = self.test_last
        if last is not None and self.chance is None:
            if last.outcome == "returned":
                line = self.t("test_last_returned", reason=error_text(last.reason or "unreadable", self.lang))
                left.add_widget(Text("✗ " + line, self.fs(20), RED, bold=True, halign="center"))
            else:
                left.add_widget(
                    Text("✓ " + self.t("test_last_accepted"), self.fs(20), GREEN, bold=True, halign="center")
                )
        left.add_widget(
            Text(
                "● " + self.t("scanner_working" if self.scanning else "scanner_ready"),
                self.fs(20),
                MUTED,
                halign="center",
            )
        )
        body.add_widget(left)
        col = self._column()
        if self.chance is not None:
            # A blank or over-marked test ballot held by the scanner: the same question as a
            # voter's, answered here, first in the wide column (the test deck checks the second
            # chance too).
            col.add_widget(self._test_chance(self.chance))
        note = self.note_text(self.note)
        if note:
            col.add_widget(Text(note, self.fs(20), GREEN if self.error is None else INK, bold=True))
        col.add_widget(self._lat_card())
        if tally is not None:
            for title, options, blank, overvote, review in tally.contests:
                card = Stack(bg=PALE, padding=self.fs(8), spacing=self.fs(2))
                card.add_widget(Text(title[self.lang], self.fs(22), bold=True))
                for name, n in options:
                    card.add_widget(Text(self.t("test_option", option=name[self.lang], n=n), self.fs(20)))
                card.add_widget(
                    Text(
                        self.t("test_invalid", blank=blank, overvote=overvote, review=review),
                        self.fs(18),
                        MUTED,
                    )
                )
                col.add_widget(card)
        body.add_widget(self._scroll(col))
        outer.add_widget(body)
        h, f = self.fs(MEMBER_TARGET), self.fs(22)
        outer.add_widget(Text(self.t("test_end_note"), self.fs(20), RED, bold=True))
        if self.confirm_end_test:
            n = tally.sheets if tally else 0
            outer.add_widget(Text(self.t("test_confirm_end", n=n), self.fs(24), RED, bold=True))
            row = BoxLayout(spacing=self.fs(16), size_hint_y=None, height=h)
            row.add_widget(Big(self.t("yes"), self.end_test, h, f, bg=RED))
            row.add_widget(Big(self.t("no"), lambda: self.goto("testmode"), h, f, bg=GREY, fg=INK))
            outer.add_widget(row)
            return outer
        actions = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=h)
        actions.add_widget(Big(self.t("action_test_end"), self.ask_end_test, h, f, bg=RED))
        actions.add_widget(Big(self.t("commission_menu"), self.commission, h, f, bg=BAR))
        outer.add_widget(actions)
        return outer

    # --- sync to headquarters and the USB export -------------------------------------------------------------

    def open_sync(self) -> None:
        self.call(lambda s: s.sync_status(), self._sync_shown)

    def _sync_shown(self, view: SyncView) -> None:
        self.sync = view
        self.sending = False
        if self.screen != "sync":
            self.goto("sync")
        else:
            self.render()

    def send_now(self) -> None:
        if self.sending:
            return
        self.sending = True
        self.error = None
        self.render()
        assert self.worker is not None
        self.worker.call(lambda s: (s.send_now(), s.status()), self._sent, self._send_failed)

    def _sent(self, result: tuple[SyncView, StatusView]) -> None:
        view, self.status = result
        self._sync_shown(view)

    def _send_failed(self, exc: SanaqError) -> None:
        self.sending = False
        self._failed(exc)
        self.call(lambda s: s.sync_status(), self._sync_shown)

    # --- the background sync loop's status, live (issue 15, sync3) ---------------------------------------

    sync_loop: LoopStatus | None = None  # the loop's last snapshot, in the window's thread
    _sync_loop_line: Any = None  # the "next try in N s" line, updated in place
    _sync_step_asked = False

    def _sync_listen(self) -> None:
        """The loop runs in its own thread: its snapshots come here through Kivy's Clock, never
        touching a widget from that thread."""
        self.service.sync_listener = lambda status: self._post(partial(self._sync_loop_shown, status))

    def _sync_loop_shown(self, status: LoopStatus) -> None:
        before = self.sync_loop
        self.sync_loop = status
        counts = ("pending", "sent", "receipt received", "refused")
        changed = before is None or (
            (before.phase, before.attempts, before.last_error, *[before.count(c) for c in counts])
            != (status.phase, status.attempts, status.last_error, *[status.count(c) for c in counts])
        )
        done = bool(status.deliveries) and status.count("receipt received") == len(status.deliveries)
        if (
            done
            and self.status is not None
            and self.status.state == "exported"
            and self.worker is not None
            and not self._sync_step_asked
        ):
            # Every receipt in: the station's `sync` step, by the member signed in (the one path
            # "send now" takes too); nobody signed in: asked again at the next snapshot.
            self._sync_step_asked = True
            self.worker.call(
                lambda s: (s.sync_step_if_done(), s.status()), self._sync_stepped, self._sync_step_failed
            )
        if self.screen != "sync":
            return
        if changed:
            self.call(lambda s: s.sync_status(), self._sync_shown)
        elif self._sync_loop_line is not None:
            self._sync_loop_line.text = self._sync_loop_next()

    def _sync_stepped(self, result: tuple[StatusView | None, StatusView]) -> None:
        stepped, self.status = result
        self._sync_step_asked = False
        if stepped is not None and self.screen == "sync":
            self.call(lambda s: s.sync_status(), self._sync_shown)

    def _sync_step_failed(self, exc: SanaqError) -> None:
        self._sync_step_asked = False
        self._failed(exc)

    def _sync_loop_next(self) -> str:
        st = self.sync_loop
        if st is None or st.phase == "stopped" or st.next_try is None:
            return ""
        left = max(0, int(st.next_try - time.monotonic() + 0.999))
        return self.t("sync_loop_next", seconds=left) if st.phase == "waiting" else ""

    def _sync_loop_panel(self, col: Any) -> None:
        st = self.sync_loop
        self._sync_loop_line = None
        if st is None:
            return
        col.add_widget(
            Text(
                self.t("sync_loop_phase", phase=self.t(f"sync_loop_{st.phase}"), attempts=st.attempts),
                self.fs(22),
                bold=True,
            )
        )
        col.add_widget(
            Text(
                self.t(
                    "sync_loop_counts",
                    pending=st.count("pending"),
                    sent=st.count("sent"),
                    received=st.count("receipt received"),
                ),
                self.fs(20),
            )
        )
        self._sync_loop_line = Text(self._sync_loop_next(), self.fs(20), MUTED)
        col.add_widget(self._sync_loop_line)
        if st.last_error:
            col.add_widget(Text(self.t("sync_loop_error", error=st.last_error), self.fs(18), RED))

    def _screen_sync(self) -> Widget:
        outer = BoxLayout(orientation="vertical", padding=self.fs(16), spacing=self.fs(8))
        outer.add_widget(Text(self.t("sync_title"), self.fs(32), bold=True))
        self._error_line(outer)
        view = self.sync
        col = self._column()
        if view is not None:
            col.add_widget(
                Text(self.t("sync_hq", url=view.hq) if view.hq else self.t("sync_no_hq"), self.fs(20), MUTED)
            )
            self._sync_loop_panel(col)
            if not view.deliveries:
                col.add_widget(Text(self.t("sync_none"), self.fs(22)))
            for d in view.deliveries:
                key = {"receipt received": "sync_state_receipt"}.get(d.state, f"sync_state_{d.state}")
                ok = d.state == "receipt received"
                card = Stack(bg=PALE if not ok else WHITE, padding=self.fs(8), spacing=self.fs(2))
                card.add_widget(
                    Text(
                        ("✓ " if ok else "● ")
                        + self.t("sync_row", name=d.name, state=self.t(key), attempts=d.attempts),
                        self.fs(20),
                        GREEN if ok else INK,
                        bold=True,
                    )
                )
                if d.receipt:
                    title, version, at = d.receipt
                    card.add_widget(
                        Text(
                            self.t("sync_receipt", contest=title[self.lang], version=version, at=at),
                            self.fs(18),
                        )
                    )
                if d.last_error and not ok:
                    card.add_widget(Text(self.t("sync_error", error=d.last_error), self.fs(18), RED))
                col.add_widget(card)
            col.add_widget(Text(self.t("sync_usb"), self.fs(26), bold=True))
            col.add_widget(
                Text(
                    self.t("sync_usb_done" if view.exported else "sync_usb_none"),
                    self.fs(22),
                    GREEN if view.exported else INK,
                )
            )
            if view.stick is None:
                col.add_widget(Text(self.t("sync_no_stick"), self.fs(20), MUTED))
            for line in view.export:
                folder, _, verdict = line.rpartition(": ")
                if verdict == "ok":
                    col.add_widget(Text(self.t("sync_usb_ok", folder=folder), self.fs(20), GREEN))
                else:
                    col.add_widget(Text(f"{folder}: {error_text(verdict, self.lang)}", self.fs(20), RED))
        outer.add_widget(self._scroll(col))
        h, f = self.fs(MEMBER_TARGET), self.fs(22)
        actions = BoxLayout(spacing=self.fs(8), size_hint_y=None, height=h)
        if view is not None and view.hq:  # without headquarters' address there is nowhere to send
            actions.add_widget(
                Big(
                    self.t("sync_sending") if self.sending else self.t("sync_send"),
                    self.send_now,
                    h,
                    f,
                    bg=GREY if self.sending else GREEN,
                    fg=INK if self.sending else WHITE,
                )
            )
        actions.add_widget(Big(self.t("sync_refresh"), self.open_sync, h, f, bg=BLUE))
        actions.add_widget(Big(self.t("back"), lambda: self.goto("home"), h, f, bg=GREY, fg=INK))
        outer.add_widget(actions)
        return outer


class _Spec:
    """What one label (`kind` "text") or button ("big") of the protocol screen shows: made
    into a widget once (`make`), then set on it in place (`apply`, only what differs: Kivy
    renders a label's texture again when its text, size, colour or weight is set)."""

    __slots__ = ("action", "bg", "bold", "color", "halign", "height", "kind", "size", "text")

    def __init__(
        self,
        kind: str,
        text: str,
        size: float,
        color: tuple[float, ...],
        bold: bool = False,
        halign: str | None = None,
        bg: tuple[float, ...] = BLUE,
        action: Callable[[], None] | None = None,
        height: float = 0.0,
    ) -> None:
        self.kind, self.text, self.size, self.color, self.bold = kind, text, size, color, bold
        self.halign, self.bg, self.action, self.height = halign, bg, action, height

    def make(self) -> Widget:
        # halign None: the widget's own default (a button centres, a label starts left)
        kw: dict[str, str] = {} if self.halign is None else {"halign": self.halign}
        if self.kind == "big":
            assert self.action is not None
            return Big(self.text, self.action, self.height, self.size, bg=self.bg, fg=self.color, **kw)
        return Text(self.text, self.size, self.color, bold=self.bold, halign=self.halign or "left")

    def apply(self, w: Widget) -> None:
        if w.text != self.text:
            w.text = self.text
        if w.font_size != self.size:
            w.font_size = self.size
        if tuple(w.color) != tuple(self.color):
            w.color = self.color
        if self.kind == "big":
            if tuple(w.background_color) != tuple(self.bg):
                w.background_color = self.bg
            w._action = self.action
        else:
            if w.bold != self.bold:
                w.bold = self.bold
            halign = self.halign or "left"  # as `make` builds it
            if w.halign != halign:
                w.halign = halign


class _Rows:
    """A column of the protocol screen made from specs: set in place where its rows keep their
    number and kinds, made again otherwise."""

    def __init__(self, box: BoxLayout, specs: list[_Spec]) -> None:
        self.box = box
        self.kinds = [x.kind for x in specs]
        self.widgets = [x.make() for x in specs]
        for w in self.widgets:
            box.add_widget(w)

    def update(self, specs: list[_Spec]) -> None:
        if [x.kind for x in specs] == self.kinds:
            for w, spec in zip(self.widgets, specs, strict=True):
                spec.apply(w)
            return
        self.box.clear_widgets()
        self.kinds = [x.kind for x in specs]
        self.widgets = [x.make() for x in specs]
        for w in self.widgets:
            self.box.add_widget(w)


class _ProtoLive:
    """The protocol screen as built: what a key's answer may change on it."""

    def __init__(
        self,
        key: tuple[object, ...],
        tabs: list[Widget],
        typing: Widget,
        save: Widget,
        lines: _Rows,
        failing: _Rows,
    ) -> None:
        self.key = key  # App._proto_key: what the fixed parts were built for
        self.tabs, self.typing, self.save, self.lines, self.failing = tabs, typing, save, lines, failing


class Counter(Label):  # type: ignore[misc]
    """The public counter: one line, as large as its panel's width allows (readable from 2 m)."""

    def __init__(self, text: str, largest: float) -> None:
        super().__init__(text=text, bold=True, color=INK, halign="center", valign="middle")
        self.largest = largest
        self.bind(size=self._size, text=self._size)
        self._size()

    def texture_update(self, *largs: Any) -> None:
        # A new texture for each number, rather than filling the one the last frames drew (Kivy
        # fills it when it is next drawn): a software rasteriser would first have to finish
        # every frame still reading it, and the window waited in the drawing (llvmpipe at load:
        # hundreds of ms, benchmarks/ui.py --trace).
        self._label.texture = None
        super().texture_update(*largs)

    def _size(self, *_: Any) -> None:
        # DejaVu Sans Bold digits are about 0.7 em wide and 0.75 em tall.
        by_width = max(self.width, 1) / (0.72 * max(len(self.text), 2))
        self.font_size = min(self.largest, by_width, max(self.height, 1) * 1.1)


def _sound_folder() -> Path:
    """Where the generated WAVs are kept: beside Kivy's own settings (KIVY_HOME)."""
    import os

    return Path(os.environ.get("KIVY_HOME") or Path.home() / ".kivy") / "sanaq-sounds"


def _sign_out(s: KioskService) -> StatusView:
    s.sign_out()
    return s.status()


def _hex(colour: str) -> tuple[float, float, float, float]:
    c = colour.lstrip("#")
    return (int(c[0:2], 16) / 255, int(c[2:4], 16) / 255, int(c[4:6], 16) / 255, 1.0)


def _short(title: str, limit: int = 70) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def run_kiosk(
    data: Path, package: Path | None, scanner_url: str | None, lang: Lang = "kk", development: bool = False
) -> None:
    KioskApp(KioskService(data, package, development=development), scanner_url, lang).run()
