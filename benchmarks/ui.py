"""The kiosk window's responsiveness while the scanner feeds at full speed.

    .venv/bin/python benchmarks/ui.py [--sheets 120] [--size 1280x800] [--seconds 120]
                                      [--finish] [--trace] [--tree DIR] [--redraw-cpu]

`--sheets` distinct sheets (both sides, JPEG, scan effects, the four ballot styles) are
generated first, then fed by an in-memory sheet-holding scanner as fast as the station
takes them, through the real reader and journal on disk, in the kiosk's station thread,
while the window runs its own main loop (SDL offscreen, Mesa llvmpipe: the GPU-less worst
case) on the voting screen. Measured:

- frame interval: time between consecutive turns of the window's main loop (a Clock
  callback every frame: input, layout, drawing) while sheets are being counted (Kivy caps
  at 60 fps, so 16.7 ms is the floor); target: longest < 50 ms;
- result latency: from the moment the reader finished a sheet (in the station thread) to
  the end of the first flip after the window updated the counter and the result panel; that
  is the read -> record -> drop -> post -> draw path; target: longest < 100 ms.

The run starts (the voting screen is shown, the scanner starts feeding) once the kiosk has
started: open, and its station thread done with its start-up jobs.

`--finish`: glFinish after each flip, so each redraw is rasterised in its own frame, as a
window on a real display (its swap waits for the picture). The offscreen driver's swap
(an EGL pbuffer) does not wait: without it llvmpipe's work for a frame is waited for later,
when a texture it still reads is changed (the next counter's upload), in another frame.

`--trace`: adds where the time of the worst frames went (each phase of the window's loop
with its CPU, run-queue and blocked time; label renders; the app's calls; garbage
collections in any thread; the station thread's read, record, drop and post meanwhile).

`--tree DIR`: measures the kiosk of another checkout (`git archive REV | tar -x -C DIR`)
with this harness: before and after, back to back, in the same conditions.

`--redraw-cpu`: instead, the CPU cost of one redraw of the voting screen as the counter
moves (nothing else running in the process; LP_NUM_THREADS=0 so that llvmpipe rasterises in
the window's thread and the process's CPU time is the redraw's), what a redraw costs a
GPU-less kiosk whatever the load of the machine.

Prints one JSON object.
"""

# ruff: noqa: E402 (the kiosk is imported from --tree, put on the path first)
from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _tree() -> Path:
    """`--tree DIR`: measure another checkout's kiosk (e.g. `git archive REV | tar -x -C DIR`)
    with this harness, for a before/after in the same conditions."""
    if "--tree" in sys.argv[:-1]:
        return Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
    return Path(__file__).resolve().parent.parent


TREE = _tree()
sys.path.insert(0, str(TREE))

from fieldkit.deck import DeckOptions, generate_sheet
from fieldkit.sim import MemoryScanner
from kiosk.election.load import load_election
from kiosk.station.ports import FedSheet


class PreloadedScanner(MemoryScanner):
    """Sheets generated beforehand, fed without pause; whereabouts kept as a real scanner's."""

    def __init__(self, sheets: list[tuple[bytes, bytes]]) -> None:
        super().__init__()
        self.sheets = sheets

    def feed(self) -> Iterator[FedSheet]:
        for i, images in enumerate(self.sheets):
            handle = f"b{i}"
            if self.state.get(handle) in ("box", "returned"):
                continue
            self.state[handle] = "held"
            yield FedSheet(handle, images)


def _stats(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {
        "n": len(values),
        "max": round(ordered[-1] * 1000, 1),
        "p99": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
        "p50": round(statistics.median(ordered) * 1000, 1),
    }


def redraw_cpu(size: str, n: int = 60) -> dict[str, Any]:
    os.environ["LP_NUM_THREADS"] = "0"
    tmp = tempfile.mkdtemp(prefix="sanaq-bench-ui-")
    os.environ["KIVY_HOME"] = os.path.join(tmp, "kivy")
    from kiosk.ui.boot import Display, configure_kivy, parse_size

    w, h = parse_size(size)
    configure_kivy(Display(w, h, offscreen=True, fullscreen=False))
    from kivy.base import EventLoop
    from kivy.graphics.opengl import glFinish

    from fieldkit.sim import SimScanner
    from kiosk.ui.app import KioskApp
    from kiosk.ui.drive import Driver, open_station
    from kiosk.ui.services import KioskService, SheetResult

    data = Path(tmp) / "station"
    open_station(data)
    app = KioskApp(KioskService(data, development=True), scanner=SimScanner(n=0), lang="kk")
    d = Driver(app)
    d.settle()
    app.goto("voting")
    d.settle()
    cpu = []
    for i in range(n):
        app.sheet_result(SheetResult("accepted", None, i + 1, 0.0))
        t0 = time.process_time()
        EventLoop.idle()  # the posted result, then the one redraw it causes
        glFinish()  # and its rasterisation (the offscreen swap does not wait for it)
        cpu.append(time.process_time() - t0)
    app.stop()
    return {
        "benchmark": "ui-redraw-cpu",
        "tree": str(TREE),
        "display": f"{w}x{h} offscreen (SDL offscreen, Mesa llvmpipe, LP_NUM_THREADS=0, glFinish each)",
        "redraw_cpu_ms": _stats(cpu),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


# --- --trace: where the time of each frame goes ----------------------------------------------------


def _sched(tid: int) -> tuple[int, int]:
    """(on-CPU ns, waiting-for-a-CPU ns) of one thread, from the kernel's schedstat; (0, 0) where
    there is none. Off-CPU time that is neither is blocking: a sleep, a lock (the GIL), a fence."""
    try:
        with open(f"/proc/self/task/{tid}/schedstat") as f:
            run, wait, _n = f.read().split()
        return int(run), int(wait)
    except (OSError, ValueError):
        return 0, 0


class Trace:
    """Per frame of the window's main loop (one `EventLoop.idle`): the wall, CPU and run-queue
    time of each phase (Clock sleep, Clock events, input, layout and canvas triggers, drawing,
    the flip), the label renders and the app's own calls inside it; beside it, the garbage
    collector's passes (any thread) and what the station thread was doing (read, record, drop,
    post). Blocked time (wall - CPU - run queue) outside the sleep and the flip is the window
    thread waiting for a lock: the GIL."""

    def __init__(self) -> None:
        self.window_tid = threading.get_native_id()
        self.window_ident = threading.get_ident()
        self.frames: list[dict[str, Any]] = []
        self.cur: dict[str, Any] | None = None
        self.station: list[tuple[str, float, float, float, float]] = []  # name, t0, wall, cpu, runq (s)
        self.gcs: list[tuple[str, int, float, float, int]] = []  # thread, gen, t0, wall, collected
        self._gc_start: dict[int, float] = {}
        self.depth = 0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        ident = threading.get_ident()
        if phase == "start":
            self._gc_start[ident] = time.perf_counter()
        else:
            t0 = self._gc_start.pop(ident, None)
            if t0 is not None:
                who = "window" if ident == self.window_ident else threading.current_thread().name
                self.gcs.append((who, info["generation"], t0, time.perf_counter() - t0, info["collected"]))

    # The window thread.

    def frame(self, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapped(*a: Any, **kw: Any) -> Any:
            self.cur = {"t0": time.perf_counter(), "phases": [], "events": []}
            s0 = _sched(self.window_tid)
            try:
                return fn(*a, **kw)
            finally:
                s1 = _sched(self.window_tid)
                self.cur["wall"] = time.perf_counter() - self.cur["t0"]
                self.cur["cpu"] = (s1[0] - s0[0]) / 1e9
                self.cur["runq"] = (s1[1] - s0[1]) / 1e9
                self.frames.append(self.cur)
                self.cur = None

        return wrapped

    def phase(self, name: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapped(*a: Any, **kw: Any) -> Any:
            if self.cur is None:
                return fn(*a, **kw)
            t0, s0 = time.perf_counter(), _sched(self.window_tid)
            try:
                return fn(*a, **kw)
            finally:
                s1 = _sched(self.window_tid)
                if self.cur is not None:
                    self.cur["phases"].append(
                        (name, t0, time.perf_counter() - t0, (s1[0] - s0[0]) / 1e9, (s1[1] - s0[1]) / 1e9)
                    )

        return wrapped

    def event(self, name: str, fn: Any, detail: Any = None) -> Any:
        @functools.wraps(fn)
        def wrapped(*a: Any, **kw: Any) -> Any:
            if self.cur is None:
                return fn(*a, **kw)
            t0, c0 = time.perf_counter(), time.thread_time()
            self.depth += 1
            try:
                return fn(*a, **kw)
            finally:
                self.depth -= 1
                if self.cur is not None:
                    what = detail(*a) if detail is not None else None
                    self.cur["events"].append(
                        (name, t0, time.perf_counter() - t0, time.thread_time() - c0, self.depth, what)
                    )

        return wrapped

    # The station thread.

    def span(self, name: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapped(*a: Any, **kw: Any) -> Any:
            tid = threading.get_native_id()
            t0, s0 = time.perf_counter(), _sched(tid)
            try:
                return fn(*a, **kw)
            finally:
                s1 = _sched(tid)
                self.station.append(
                    (name, t0, time.perf_counter() - t0, (s1[0] - s0[0]) / 1e9, (s1[1] - s0[1]) / 1e9)
                )

        return wrapped

    def install(self, window: Any) -> None:
        """Wrap Kivy's main-loop phases and the kiosk's calls; before the app is built."""
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.lang import Builder
        from kivy.uix.label import Label

        from fieldkit.sim import MemoryScanner
        from kiosk.station.journal import Journal
        from kiosk.ui import app as app_module
        from kiosk.ui.services import KioskService, _ObservedReader
        from kiosk.ui.sounds import Player

        EventLoop.idle = self.frame(EventLoop.idle)
        Clock.usleep = self.phase("sleep", Clock.usleep)
        Clock.tick = self.phase("clock", Clock.tick)  # Clock events, with the sleep inside
        EventLoop.dispatch_input = self.phase("input", EventLoop.dispatch_input)
        Builder.sync = self.phase("builder", Builder.sync)
        Clock.tick_draw = self.phase("layout", Clock.tick_draw)  # layout and canvas triggers
        window.on_draw = self.phase("draw", window.on_draw)
        window.flip = self.phase("flip", window.flip)
        Label.texture_update = self.event(
            "label", Label.texture_update, lambda w, *_: f"{w.text[:24]!r} {round(w.font_size)}px"
        )
        app_module._gray_texture = self.event("crop_texture", app_module._gray_texture)
        for name in (
            "sheet_result",
            "render",
            "_fill_result",
            "_build_result",
            "_refresh_voting",
            "_voting_frame",
        ):
            if hasattr(app_module.KioskApp, name):  # a name another tree may not have
                setattr(app_module.KioskApp, name, self.event(name, getattr(app_module.KioskApp, name)))
        for cls, name, label in (
            (Player, "play", "sound"),
            (_ObservedReader, "read_sheet", "read"),
            (Journal, "record_sheet", "record"),
            (Journal, "sheet_returned", "returned"),
            (MemoryScanner, "accept", "drop"),
            (KioskService, "_after_sheet", "post"),
        ):
            wrap = self.event if cls is Player else self.span  # the window thread's, or the station's
            setattr(cls, name, wrap(label, getattr(cls, name)))

    def report(self, start: float, end: float, worst: int = 10) -> dict[str, Any]:
        frames = [f for f in self.frames if start <= f["t0"] <= end]

        def parts(f: dict[str, Any]) -> dict[str, Any]:
            ph: dict[str, list[float]] = {}
            for name, _t0, wall, cpu, runq in f["phases"]:
                acc = ph.setdefault(name, [0.0, 0.0, 0.0])
                acc[0] += wall
                acc[1] += cpu
                acc[2] += runq
            sleep = ph.get("sleep", [0.0, 0.0, 0.0])
            if "clock" in ph:  # the Clock's events alone
                ph["clock"] = [ph["clock"][i] - sleep[i] for i in range(3)]
            out = {
                k: {"wall": round(v[0] * 1e3, 1), "cpu": round(v[1] * 1e3, 1), "runq": round(v[2] * 1e3, 1)}
                for k, v in ph.items()
            }
            blocked = sum(v[0] - v[1] - v[2] for k, v in ph.items() if k not in ("sleep", "flip"))
            t0, t1 = f["t0"], f["t0"] + f["wall"]
            return {
                "at_s": round(t0 - start, 3),
                "wall": round(f["wall"] * 1e3, 1),
                "cpu": round(f["cpu"] * 1e3, 1),
                "runq": round(f["runq"] * 1e3, 1),
                "blocked_outside_sleep_and_flip": round(blocked * 1e3, 1),
                "phases": out,
                "events": [
                    {"what": n, "wall": round(w * 1e3, 1), "cpu": round(c * 1e3, 1), "depth": d, "detail": x}
                    for n, _t, w, c, d, x in f["events"]
                    if w > 0.0005
                ],
                "gc": [
                    {"thread": th, "gen": g, "wall": round(w * 1e3, 1), "collected": n}
                    for th, g, t, w, n in self.gcs
                    if t < t1 and t + w > t0
                ],
                "station": [
                    {
                        "what": n,
                        "wall": round(w * 1e3, 1),
                        "cpu": round(c * 1e3, 1),
                        "runq": round(q * 1e3, 1),
                    }
                    for n, t, w, c, q in self.station
                    if t < t1 and t + w > t0
                ],
            }

        # Over all frames: each phase's blocked time (wall - CPU - run queue; the Clock's
        # events without its sleep), and what the window thread's calls cost (label renders by
        # text and size, the app's calls). Blocked outside the sleep, the drawing and the flip
        # is a lock: the GIL. Blocked in the drawing is mostly llvmpipe (its rasteriser's
        # threads finishing a frame whose texture is being changed).
        phase_blocked: dict[str, list[float]] = {}
        calls: dict[str, list[float]] = {}
        for f in frames:
            per: dict[str, float] = {}
            for name, _t0, wall, cpu, runq in f["phases"]:
                per[name] = per.get(name, 0.0) + wall - cpu - runq
            per["clock"] = per.get("clock", 0.0) - per.get("sleep", 0.0)
            per["gil"] = sum(v for k, v in per.items() if k not in ("sleep", "draw", "flip"))
            for name, v in per.items():
                phase_blocked.setdefault(name, []).append(max(0.0, v))
            for name, _t0, _wall, cpu, _depth, what in f["events"]:
                calls.setdefault(f"{name} {what}" if what else name, []).append(cpu)
        ranked = sorted(frames, key=lambda f: f["wall"], reverse=True)
        gcs = [g for g in self.gcs if start <= g[2] <= end]
        by: dict[str, list[float]] = {}
        for th, gen, _t, w, _n in gcs:
            by.setdefault(f"{th} gen{gen}", []).append(w)
        blocked = [parts(f)["blocked_outside_sleep_and_flip"] for f in frames]
        return {
            "frames": len(frames),
            "frames_over_50ms": sum(f["wall"] > 0.05 for f in frames),
            "window_blocked_ms": {"max": max(blocked, default=0.0), "sum": round(sum(blocked), 1)},
            "gc_passes": {k: {"n": len(v), "max_ms": round(max(v) * 1e3, 2)} for k, v in by.items()},
            "phase_blocked_ms": {
                k: {"sum": round(sum(v) * 1e3, 1), "max": round(max(v) * 1e3, 1)}
                for k, v in phase_blocked.items()
            },
            "window_calls_cpu_ms": {
                k: {"n": len(v), "sum": round(sum(v) * 1e3, 1), "max": round(max(v) * 1e3, 2)}
                for k, v in sorted(calls.items(), key=lambda kv: -sum(kv[1]))[:25]
            },
            "tracked_objects": len(gc.get_objects()),
            "worst_frames": [parts(f) for f in ranked[:worst]],
        }


def main() -> int:  # noqa: C901  (one benchmark run, in order)
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=120)
    ap.add_argument("--size", default="1280x800")
    ap.add_argument("--seconds", type=float, default=120.0, help="give up after this long")
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--redraw-cpu", action="store_true", help="only the CPU cost of one redraw")
    ap.add_argument("--trace", action="store_true", help="add where the worst frames' time went")
    ap.add_argument(
        "--finish",
        action="store_true",
        help="rasterise each frame at its flip (glFinish), as a real display's swap",
    )
    ap.add_argument("--tree", help="the checkout whose kiosk is measured (default: this one)")
    args = ap.parse_args()
    if args.redraw_cpu:
        print(json.dumps(redraw_cpu(args.size)))
        return 0

    pkg = load_election(None)
    styles = [s.id for s in pkg.election.styles]
    t0 = time.perf_counter()
    sheets = []
    for i in range(args.sheets):
        s = generate_sheet(
            pkg.election, pkg.election_hash, styles[i % len(styles)], args.seed, i, DeckOptions()
        )
        sheets.append(
            (s.front_bytes, s.back_bytes) if s.truth.first_side == "front" else (s.back_bytes, s.front_bytes)
        )
    generated = time.perf_counter() - t0

    tmp = tempfile.mkdtemp(prefix="sanaq-bench-ui-")
    os.environ["KIVY_HOME"] = os.path.join(tmp, "kivy")
    from kiosk.ui.boot import Display, configure_kivy, parse_size

    w, h = parse_size(args.size)
    configure_kivy(Display(w, h, offscreen=True, fullscreen=False))
    from kivy.clock import Clock
    from kivy.core.window import Window

    from kiosk.ui.app import KioskApp
    from kiosk.ui.drive import open_station
    from kiosk.ui.services import KioskService, SecondChance, SheetResult

    data = Path(tmp) / "station"
    open_station(data)

    if args.finish:
        # As a window on a real display: its swap waits until the frame is rasterised. (The SDL
        # offscreen driver's pbuffer swap does not, so without this llvmpipe's work is waited
        # for later, when a texture it still reads is changed: the next counter's upload.)
        from kivy.graphics.opengl import glFinish

        swap = Window.flip

        def flip_finished() -> None:
            swap()
            glFinish()

        Window.flip = flip_finished
    trace = Trace() if args.trace else None
    if trace is not None:
        trace.install(Window)
    scanner = PreloadedScanner(sheets)
    app = KioskApp(KioskService(data, development=True), scanner=scanner, lang="kk")
    flips: list[float] = []
    waiting: list[float] = []  # read_at of results drawn on the next flip
    latencies: list[float] = []
    to_window: list[float] = []  # read -> the result in the window's thread (record, drop, post, Clock)
    state: dict[str, Any] = {"start": None, "end": None, "done": False}

    cpu: list[float] = []  # the window thread's own CPU time at each turn
    draws: list[float] = []  # wall time of each redraw: on_draw to the end of the flip
    draw_cpu: list[float] = []  # the window thread's CPU time in it
    draw_at: list[float] = [0.0, 0.0]

    def tick(_dt: float) -> None:
        # From the voting screen's first turn to the first turn after the last result was drawn
        # (the frame that draws it counts: it once ended at the last result's post).
        if state["start"] is not None and not state.get("closed"):
            flips.append(time.perf_counter())
            cpu.append(time.thread_time())
            state["closed"] = "shown" in state

    def on_draw(*_: Any) -> None:
        draw_at[0], draw_at[1] = time.perf_counter(), time.thread_time()

    flip = Window.flip

    def flipped() -> None:
        # After the window's own flip (with --finish, once the frame is rasterised).
        flip()
        now = time.perf_counter()
        if state["start"] is not None and "shown" not in state and draw_at[0]:
            draws.append(now - draw_at[0])
            draw_cpu.append(time.thread_time() - draw_at[1])
        for read_at in waiting:
            latencies.append(now - read_at)
        waiting.clear()
        if state["end"] is not None and "shown" not in state:
            state["shown"] = now  # the last result is on screen

    Window.flip = flipped

    def on_result(r: SheetResult | SecondChance) -> None:
        if isinstance(r, SheetResult):
            to_window.append(time.perf_counter() - r.read_at)
            waiting.append(r.read_at)
            if r.counter + sum(1 for v in scanner.state.values() if v == "returned") >= args.sheets:
                state["end"] = time.perf_counter()
                Clock.schedule_once(lambda _dt: app.stop(), 0.3)

    def begin(_dt: float) -> None:
        # The kiosk has started: open, and the station thread done with its start-up jobs.
        started = app.worker is not None and app.worker.jobs.unfinished_tasks == 0
        if app.status is None or app.status.state != "open" or not started:
            Clock.schedule_once(begin, 0.1)
            return
        state["start"] = time.perf_counter()
        app.goto("voting")

    def give_up(_dt: float) -> None:
        state["timed_out"] = True
        app.stop()

    Window.bind(on_draw=on_draw)
    Clock.schedule_interval(tick, 0)
    app.on_result = on_result
    Clock.schedule_once(begin, 0.5)
    Clock.schedule_once(give_up, args.seconds)
    app.run()

    intervals = [b - a for a, b in itertools.pairwise(flips)]
    cpu_per_frame = [b - a for a, b in itertools.pairwise(cpu)]
    counted = sum(1 for v in scanner.state.values() if v == "box")
    returned = sum(1 for v in scanner.state.values() if v == "returned")
    elapsed = (state["end"] or time.perf_counter()) - (state["start"] or 0)
    frame, latency = _stats(intervals), _stats(latencies)
    result = {
        "benchmark": "ui",
        "tree": str(TREE),
        "display": f"{w}x{h} offscreen (SDL offscreen, Mesa llvmpipe)"
        + (", glFinish at each flip" if args.finish else ""),
        "sheets": args.sheets,
        "counted": counted,
        "returned": returned,
        "generate_s": round(generated, 1),
        "count_s": round(elapsed, 2),
        "sheets_per_s": round((counted + returned) / elapsed, 1) if elapsed > 0 else None,
        "frame_interval_ms": frame,
        "result_latency_ms": latency,
        # Its first part: read -> the window's thread has the result (the journal's record and
        # fsync, the drop, the post, the wait for the next Clock tick); the rest is the redraw.
        "read_to_window_ms": _stats(to_window),
        # The window thread's own CPU time per turn: what the kiosk itself costs, apart from
        # waiting for a core on a loaded machine (see load_avg).
        "frame_cpu_ms": _stats(cpu_per_frame),
        # Redraws (frames where something changed): wall time from on_draw to the flip's end
        # (Mesa llvmpipe rasterises in its own threads: the window thread waits), and the window
        # thread's own CPU time in it.
        "redraw_ms": _stats(draws),
        "redraw_cpu_ms": _stats(draw_cpu),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "targets": {"frame_interval_max_ms": 50, "result_latency_max_ms": 100},
        "pass": bool(
            frame.get("max", 1e9) < 50
            and latency.get("max", 1e9) < 100
            and counted + returned == args.sheets
            and not state.get("timed_out")
        ),
        "cpus": len(os.sched_getaffinity(0)),
    }
    if trace is not None:
        result["trace"] = trace.report(state["start"] or 0.0, state.get("shown") or time.perf_counter())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
