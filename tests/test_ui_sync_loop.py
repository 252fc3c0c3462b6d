"""The kiosk's background sync (issue 15, sync3): `KioskService` starts `kiosk.sync.loop` in a
thread of its own when the signed package names headquarters and a finalised protocol waits,
against the real intake over TLS on loopback that answers 500 twice first. No button is
pressed: the loop delivers everything; the snapshots it posts (from its own thread) go through
waiting -> receipt received; "send now" wakes the same loop (no second sender) and the
station's `sync` step follows; the journal verifies; headquarters holds each delivery once.
No display: the window only forwards these snapshots through Kivy's Clock."""

from __future__ import annotations

import random
import shutil
import threading
import time
from pathlib import Path

from synckit import Faults, ServerThread, hq_pki, hq_port, hq_station, wait_for

from intake.app import create_app
from intake.service import Intake
from intake.store import Store
from kiosk.election.load import load_election
from kiosk.election.package import development_private_key, development_trust
from kiosk.protocol.sample import PIN
from kiosk.station.journal import Journal
from kiosk.station.service import SystemClock
from kiosk.sync.client import Backoff
from kiosk.sync.loop import LoopStatus
from kiosk.sync.outbox import Outbox
from kiosk.sync.wire import verify_receipt
from kiosk.ui.services import KioskService

TRUST = development_trust()


def test_kiosk_loop_delivers_without_a_button_then_send_now_takes_the_sync_step(tmp_path: Path) -> None:
    started = time.monotonic()
    data = tmp_path / "data"
    shutil.copytree(hq_station(), data)
    intake = Intake(
        Store(str(tmp_path / "hq.sqlite")),
        load_election(data / "election.json"),
        TRUST,
        development_private_key(),
        time.time,
    )
    faults = Faults(create_app(intake), fail_500=2)
    # The package's own pin: its URL (hq_port) and CA; no --hq/--ca given to the kiosk.
    server = ServerThread(faults, hq_pki(), hq_port()).start()
    seen: list[tuple[str, LoopStatus]] = []
    service = KioskService(data, development=True)
    service.sync_listener = lambda st: seen.append((threading.current_thread().name, st))
    service.sync_backoff = Backoff(rng=random.Random(7))  # the kiosk's own: base 1 s, cap 300 s
    try:
        service.load_package()
        service.start()  # the loop starts by itself: the package names headquarters, protocols wait
        assert service.sync_loop_running()
        wait_for(
            lambda: bool(seen) and seen[-1][1].count("receipt received") == 6 and seen[-1][1].phase == "idle",
            timeout=30,
        )
        statuses = [st for _, st in seen]
        # Posted from the loop's own thread, never the caller's.
        assert {name for name, _ in seen} == {"sanaq-sync"}
        # Waiting after each 500, the error on screen, then every receipt, no wait left.
        waiting = [st for st in statuses if st.phase == "waiting"]
        assert len({st.failures for st in waiting}) == 2 and all(
            st.last_error == "HTTP 500" for st in waiting
        )
        assert statuses[0].count("receipt received") == 0
        first_receipt = next(i for i, st in enumerate(statuses) if st.count("receipt received"))
        assert first_receipt > statuses.index(waiting[0])
        last = statuses[-1]
        assert last.attempts == 2 + 6 and last.failures == 0 and last.last_error is None
        screen = last.to_json(time.monotonic())
        assert (screen["pending"], screen["sent"], screen["receipt_received"]) == (0, 0, 6)
        assert screen["next_try_in"] is not None and screen["next_try_in"] <= service.sync_idle_poll
        for d in last.deliveries:
            assert d.receipt is not None
            verify_receipt(d.receipt, TRUST, d.key)
        assert intake.store.count() == 4 and intake.store.count_files() == 2
        assert len(faults.seen) == 8
        # The screen's view reads the same rows (receipts verified, summed up).
        view = service.sync_status()
        assert [x.state for x in view.deliveries] == ["receipt received"] * 6
        assert view.hq == f"https://127.0.0.1:{hq_port()}"
        # The sync step needs the export first, and a member signed in.
        assert service.sync_step_if_done() is None
        service.sign_in("aigerim", PIN["aigerim"])
        assert service.status().state == "closed"  # `sanaq protocol finalise` took no station step
        service.transition("finalise")
        assert service.sync_step_if_done() is None
        stick = tmp_path / "stick"
        stick.mkdir()
        service.export_to_stick(stick)
        assert service.status().state == "exported"
        # "Send now" wakes the running loop: no second sender thread, nothing sent again.
        view = service.send_now()
        assert [t.name for t in threading.enumerate()].count("sanaq-sync") == 1
        assert service.status().state == "synced" and view.state == "synced"
        n = len(seen)
        wait_for(lambda: len(seen) > n + 1, timeout=5)
        assert len(faults.seen) == 8 and seen[-1][1].attempts == 8
    finally:
        service.close()  # stops the loop's thread before the journal closes
        server.stop()
    assert not service.sync_loop_running()
    assert seen[-1][1].phase == "stopped"
    assert [t.name for t in threading.enumerate()].count("sanaq-sync") == 0
    journal = Journal.open(data / "journal.sqlite", SystemClock())
    try:
        assert journal.verify().ok
        events = journal.audit_events()
        assert [e["role"] for e in events if e["kind"] == "sync"] == ["chair"]
        assert sum(e["kind"] == "sync_receipt" for e in events) == 6
    finally:
        journal.close()
    rows = Outbox(data / "journal.sqlite", TRUST).status()
    assert [r.attempts for r in rows].count(1) == 5  # one delivery met both 500s
    assert intake.store.count() == 4 and intake.store.count_files() == 2
    assert time.monotonic() - started < 30


def test_no_headquarters_no_loop(tmp_path: Path) -> None:
    """A package without `headquarters` and no --hq/--ca: no thread; "send now" says why."""
    from synckit import template_station

    data = tmp_path / "data"
    shutil.copytree(template_station(), data)
    service = KioskService(data, development=True)
    try:
        service.load_package()
        service.start()
        assert not service.sync_loop_running() and service.sync_endpoint() is None
        service.sign_in("aigerim", PIN["aigerim"])
        try:
            service.send_now()
        except Exception as exc:
            assert getattr(exc, "code", None) == "sync_no_headquarters"
        else:
            raise AssertionError("send_now without headquarters")
        assert not service.sync_loop_running()
    finally:
        service.close()


def test_wake_tries_at_once_through_the_backoff(tmp_path: Path) -> None:
    """`SyncLoop.wake()` ("send now"): the next tick tries at once although the backoff said
    to wait (a clock moved by hand; the sends are scripted failures, no network)."""
    from kiosk.cli.sync import queue_all
    from kiosk.sync.loop import SyncLoop

    data = tmp_path / "data"
    shutil.copytree(hq_station(), data)
    outbox = Outbox(data / "journal.sqlite", TRUST)
    calls: list[str] = []

    def send(d: object) -> str:
        key = d.key  # type: ignore[attr-defined]
        calls.append(key)
        outbox.attempt(key, "failed", "connect: refused")
        return "retry"

    now = [1000.0]
    loop = SyncLoop(outbox, send, lambda: now[0], Backoff(base=100.0, rng=random.Random(1)))
    try:
        queue_all(outbox, data)
        loop.start()
        wait = loop.tick()
        assert wait > 1 and loop.status().phase == "waiting" and len(calls) == 1
        assert loop.tick() == wait and len(calls) == 1  # not due: nothing sent
        loop.wake()
        loop.tick()
        assert len(calls) == 2 and loop.status().attempts == 2  # at once, the clock not moved
        assert loop.tick() > 0 and len(calls) == 2  # woken once only
    finally:
        loop.stop()
        outbox.close()
