"""Kill -9 the counting station at random moments, restart, resume; check nothing was lost or
counted twice.

    .venv/bin/python benchmarks/crash.py [--sheets 500] [--kills 200] [--seed 1]

This module is the runner (`run`), shared by the benchmark and tests/test_crash.py.

A deck of marked sheets (both sides, scan effects on, some meant to be refused) goes into
a hot folder. `sanaq station scan folder://...` runs as a real process; the harness waits
until it is counting (a sheet has left the folder), sleeps a random moment and SIGKILLs
it, so kills land anywhere between reading, recording, dropping and confirming; a share of
kills land earlier, during start-up and settling. Then it restarts, until the folder is
empty. At the end it checks, and prints as JSON: the official tally equals the ground truth
of the sheets in the box; every sheet is in exactly one of accepted/ and returned/, and
the refused ones are the ones meant to be; the journal holds one record per accepted
sheet; the audit chain and the checkpoints verify; the mirror is in step.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fieldkit.deck import DeckOptions, write_deck
from kiosk.election.load import load_election
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.vocabulary import tally_key

ROOT = Path(__file__).resolve().parent.parent


def sanaq(*args: str, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kw,
    )


def files_in(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.is_file() and p.suffix == ".jpg")


def run(work: Path, sheets: int, kills: int, seed: int, log: Any = None) -> dict[str, Any]:
    rng = random.Random(seed)
    pkg = load_election(None)
    inbox = work / "inbox"
    truths = []
    styles = [s.id for s in pkg.election.styles]
    for k, style in enumerate(styles):
        n = sheets // len(styles) + (1 if k < sheets % len(styles) else 0)
        truths += write_deck(pkg.election, pkg.election_hash, style, n, seed, inbox, DeckOptions(streak=0.03))
    data, mirror = work / "station", work / "usb" / "journal.sqlite"
    # The sample package (DEVELOPMENT key): the development switch, named explicitly.
    dev, chair = ("--development",), ("--role", "chair", "--member", "A. Chair")
    member = ("--role", "member", "--member", "M. Member")
    for args in (("init", "--mirror", str(mirror)), ("open",)):
        assert sanaq("station", "--data", str(data), *dev, *chair, *args).wait() == 0
    killed = killed_counting = runs = 0
    t0 = time.perf_counter()
    while True:
        left = files_in(inbox)
        if left == 0:
            break
        runs += 1
        proc = sanaq(
            "station", "--data", str(data), *dev, *member, "scan", f"folder://{inbox}?accepted=names"
        )
        if killed < kills:
            early = rng.random() < 0.2
            if early:
                time.sleep(rng.uniform(0.0, 0.8))  # start-up, opening, settling
            else:
                deadline = time.perf_counter() + 30
                while files_in(inbox) == left and proc.poll() is None and time.perf_counter() < deadline:
                    time.sleep(0.005)
                time.sleep(rng.uniform(0.0, 0.08))
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                killed += 1
                killed_counting += not early
            proc.wait()
        else:
            rc = proc.wait()
            assert rc == 0, f"final scan exited {rc}"
        if log and runs % 20 == 0:
            print(f"runs {runs}, kills {killed}, sheets left {files_in(inbox) // 2}", file=log, flush=True)
    elapsed = time.perf_counter() - t0
    # One more start: settles anything a last kill left pending.
    assert (
        sanaq(
            "station", "--data", str(data), *dev, *member, "scan", f"folder://{inbox}?accepted=names"
        ).wait()
        == 0
    )

    journal = Journal.open(data / "journal.sqlite", FixedClock(), mirror)  # also compares the mirror
    report = journal.verify()
    tally = journal.tally("official")
    accepted = {p.name.rsplit(".", 2)[0] for p in (inbox / "accepted").iterdir() if p.suffix == ".jpg"}
    returned = {p.name.rsplit(".", 2)[0] for p in (inbox / "returned").iterdir() if p.suffix == ".jpg"}
    by_name = {f"{t.style}-{t.sheet}": t for t in truths}
    want: dict[str, dict[str, int]] = {}
    for name in accepted:
        c = by_name[name].contests[0]
        key = tally_key(c.outcome, c.choice)
        want.setdefault(c.contest, {})
        want[c.contest][key] = want[c.contest].get(key, 0) + 1
    got = {c: {k: n for k, n in keys.items() if n} for c, keys in tally.contests.items()}
    expected_returned = {n for n, t in by_name.items() if t.status == "rejected"}
    result = {
        "benchmark": "crash",
        "sheets": len(truths),
        "runs": runs,
        "kills": killed,
        "kills_while_counting": killed_counting,
        "seconds": round(elapsed, 1),
        "accepted": len(accepted),
        "returned": len(returned),
        "in_both_or_neither": len(truths) - len(accepted ^ returned),
        "journal_sheets": tally.sheets,
        "pending": tally.pending,
        "tally_equals_truth": got == want,
        "returned_are_the_refusals": returned == expected_returned,
        "verify_ok": report.ok,
        "verify_problems": list(report.problems),
        "mirror_in_step": True,
    }
    result["ok"] = bool(
        result["tally_equals_truth"]
        and result["returned_are_the_refusals"]
        and report.ok
        and tally.sheets == len(accepted)
        and tally.pending == 0
        and result["in_both_or_neither"] == 0
    )
    return result
