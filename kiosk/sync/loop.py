"""The kiosk's background sync: a small state machine that delivers the outbox, forever while
the kiosk runs, with exponential backoff and full jitter between failed attempts, and a
status snapshot for the screen.

    loop = SyncLoop(outbox, sender.send_one, clock=time.monotonic, queue=lambda: queue_all(...))
    loop.start()
    while running: wait = loop.tick(); sleep(min(wait, 1.0))      # the kiosk's thread
    loop.status()   -> LoopStatus (pending / sent / receipt received / refused, attempts, next try, last error)

`tick()` does at most one attempt, when one is due, and returns the seconds until the next
thing to do: the tests drive it with a fake clock and never sleep. One writer per journal:
the loop's outbox must be used from one thread (`run` builds everything in the thread that
runs it, from a factory).

States of the loop (`phase`): `stopped` -> start() -> `idle` (nothing pending: looks again every
`idle_poll` s, queueing new protocols) / `sending` (a delivery due now) / `waiting` (backing off
after a failure until `next_try`) -> stop() -> `stopped`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from kiosk.sync.client import UNTRUSTED, Backoff
from kiosk.sync.outbox import Delivery, DeliveryStatus, Outbox

Phase = Literal["stopped", "idle", "sending", "waiting"]


@dataclass(frozen=True)
class LoopStatus:
    phase: Phase
    deliveries: tuple[DeliveryStatus, ...]
    failures: int  # consecutive failed attempts (the backoff's exponent)
    attempts: int  # attempts made by this loop since it started
    next_try: float | None  # on the loop's clock; None when stopped
    last_error: str | None

    def count(self, state: str) -> int:
        return sum(d.state == state for d in self.deliveries)

    def to_json(self, now: float | None = None) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "pending": self.count("pending"),
            "sent": self.count("sent"),
            "receipt_received": self.count("receipt received"),
            "refused": self.count("refused"),
            "failures": self.failures,
            "attempts": self.attempts,
            "next_try_in": None
            if self.next_try is None or now is None
            else round(max(0.0, self.next_try - now), 1),
            "last_error": self.last_error,
            "deliveries": [d.to_json() for d in self.deliveries],
        }


class SyncLoop:
    def __init__(
        self,
        outbox: Outbox,
        send: Callable[[Delivery], str],
        clock: Callable[[], float],
        backoff: Backoff | None = None,
        queue: Callable[[], int] | None = None,
        idle_poll: float = 30.0,
    ) -> None:
        self.outbox = outbox
        self.send = send  # Sender.send_one: 'done', 'retry', UNTRUSTED or a refusal code
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.queue = queue
        self.idle_poll = idle_poll
        self.phase: Phase = "stopped"
        self.failures = 0
        self.attempts = 0
        self.next_try: float | None = None
        self.last_error: str | None = None
        self._refused: set[str] = set()
        self._lock = threading.Lock()  # status() from the screen's thread
        self._snapshot = LoopStatus("stopped", (), 0, 0, None, None)
        self._woken = False  # wake() from another thread: try now (the screen's "send now")

    def start(self) -> None:
        self.phase, self.next_try = "idle", self.clock()
        self._publish()

    def stop(self) -> None:
        self.phase, self.next_try = "stopped", None
        self._publish()

    def wake(self) -> None:
        """From any thread: the next tick tries at once, backoff or not, after queueing anything
        new (the kiosk's "send now": it wakes this loop rather than running a second sender)."""
        with self._lock:
            self._woken = True

    def _due(self) -> list[Delivery]:
        return [d for d in self.outbox.pending() if d.key not in self._refused]

    def tick(self) -> float:
        """At most one attempt if one is due; returns the seconds until the next tick is useful."""
        if self.phase == "stopped":
            return self.idle_poll
        now = self.clock()
        assert self.next_try is not None
        with self._lock:
            woken, self._woken = self._woken, False
        if woken:
            self.next_try = now
        if now < self.next_try:
            return self.next_try - now
        if self.queue is not None and (self.phase == "idle" or woken):
            try:
                self.queue()
            except Exception as exc:
                self.last_error = f"queue: {exc}"
        due = self._due()
        if not due:
            self.phase, self.next_try = "idle", now + self.idle_poll
            self._publish()
            return self.idle_poll
        d = due[0]
        self.phase = "sending"
        self._publish()
        result = self.send(d)
        self.attempts += 1
        now = self.clock()
        if result == "done":
            self.failures, self.last_error = 0, None
            self.phase, self.next_try = "sending", now
        elif result in ("retry", UNTRUSTED):
            # A wrong server certificate is retried too (the kiosk keeps trying while it runs:
            # the server may be put right), with the code on screen; nothing is sent to it.
            self.failures += 1
            st = {s.key: s for s in self.outbox.status()}.get(d.key)
            self.last_error = (st.last_error if st else None) or result
            self.phase, self.next_try = "waiting", now + self.backoff.delay(self.failures)
        else:  # refused with a code: no retry changes it; on with the others
            self._refused.add(d.key)
            self.last_error = result
            self.phase, self.next_try = "sending", now
        self._publish()
        return max(0.0, self.next_try - now)

    def _publish(self) -> None:
        snap = LoopStatus(
            self.phase,
            tuple(self.outbox.status()),
            self.failures,
            self.attempts,
            self.next_try,
            self.last_error,
        )
        with self._lock:
            self._snapshot = snap

    def status(self) -> LoopStatus:
        """The last snapshot (safe from any thread: no database access)."""
        with self._lock:
            return self._snapshot


def run(
    make: Callable[[], SyncLoop],
    stop: threading.Event,
    on_status: Callable[[LoopStatus], None] | None = None,
    max_wait: float = 1.0,
) -> None:
    """The body of the kiosk's sync thread: builds the loop (its outbox and journal connection)
    in this thread, ticks until `stop` is set, waiting on the event (so stopping is immediate)."""
    loop = make()
    loop.start()
    try:
        while not stop.is_set():
            wait = loop.tick()
            if on_status is not None:
                on_status(loop.status())
            stop.wait(min(wait, max_wait))
    finally:
        loop.stop()
        if on_status is not None:
            on_status(loop.status())
        loop.outbox.close()
