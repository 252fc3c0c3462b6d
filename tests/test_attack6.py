"""Round 5 attack pass (attack6): what still got through, each case failing before its fix.

Real parts: real journals on disk, real processes racing on one data folder, real export
folders on the file system.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.errors import SanaqError
from kiosk.protocol.keys import MAX_PIN_ATTEMPTS, create_member_key, unlock_member_key
from kiosk.protocol.store import ProtocolStore

ROOT = Path(__file__).resolve().parent.parent

_GUESS = """
import sys, time
from pathlib import Path
from kiosk.errors import SanaqError
from kiosk.protocol.keys import unlock_member_key
from kiosk.protocol.store import ProtocolStore
data, pin = Path(sys.argv[1]), sys.argv[2]
store = ProtocolStore.open(data / "journal.sqlite", lambda: "t")
print("ready", flush=True)
while not (data / "go").exists():
    time.sleep(0.002)
try:
    unlock_member_key(data, "aigerim", pin, store)
    print("unlocked", flush=True)
except SanaqError as e:
    print(e.code, flush=True)
"""


def _journal(data: Path) -> None:
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock

    Journal.create(data / "journal.sqlite", "0" * 64, "S1", FixedClock()).close()


def test_pin_guesses_from_processes_started_together_still_lock_out(tmp_path: Path) -> None:
    """Ten processes, started together, each try one wrong PIN. Each used to read "no failure
    yet" before any had recorded its outcome: all ten PINs were tried (with the right one
    among them, it unlocked the key after nine wrong ones; measured before the fix). Now the
    attempts are taken one at a time: MAX_PIN_ATTEMPTS wrong PINs are tried, then the member
    is locked out and even the right PIN is refused."""
    data = tmp_path / "d"
    _journal(data)
    create_member_key(data, "aigerim", "chair", "135790")
    n = 10
    pins = [f"{i:06d}" for i in range(n)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _GUESS, str(data), pin],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for pin in pins
    ]
    for p in procs:  # every process has imported and opened the journal
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    (data / "go").touch()
    outcomes = [p.communicate(timeout=120)[0].strip() for p in procs]
    store = ProtocolStore.open(data / "journal.sqlite", lambda: "t")
    kinds = [ev["kind"] for ev in store.audit_events()]
    assert "unlocked" not in outcomes, outcomes
    assert kinds.count("pin_failed") == MAX_PIN_ATTEMPTS, kinds
    assert kinds.count("pin_ok") == 0 and kinds[-1] == "pin_locked", kinds
    assert outcomes.count("member_pin_wrong") == MAX_PIN_ATTEMPTS - 1
    assert outcomes.count("member_locked") == n - MAX_PIN_ATTEMPTS + 1
    with pytest.raises(SanaqError) as e:
        unlock_member_key(data, "aigerim", "135790", store)
    assert e.value.code == "member_locked"
