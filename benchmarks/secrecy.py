"""Does any file the kiosk writes, read at one moment, order the votes?

    .venv/bin/python benchmarks/secrecy.py [--sheets 100] [--snapshots 40] [--seed 1]

A deck is counted in a known random order from a hot folder (the default `accepted=delete`,
or `--accepted random|names`) by a station with its mirror. At random moments during
counting (between sheets, and inside the write path right after a commit, before the WAL is
emptied: the worst moment) and after close, every file is copied: the data directory
(journal, WAL, shm, reports, key), the mirror and its WAL, the hot folder with accepted/ and
returned/. Each snapshot is attacked:

- offsets: where each record's id, and each image fingerprint, first and last appears in
  each file (main file pages, WAL frames, mirror, shm), ranked against the true order;
- pages: the same inside each 4 KiB page only (the order of cells within a page);
- sessions: the `session` column of the records;
- accepted/: the kept images (matched to the deck by content) ranked by name, mtime, ctime.

An analysis counts when it places at least 20 sheets. The figure is the largest |Spearman rho|
over all analyses and snapshots; the control is the same attacks with the true order
replaced by a random permutation (`--controls` of them), whose largest |rho| is what chance
gives with as many tries. Prints JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers.folder import FolderScanner
from fieldkit.deck import DeckOptions, write_deck
from kiosk.election.load import load_election
from kiosk.station import journal as journal_module
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock, Station

MIN_POINTS = 20


def _ranks(v: list[float]) -> np.ndarray:
    """Ranks with ties averaged (a constant column ranks as all-equal: no order)."""
    a = np.asarray(v, dtype=float)
    order = np.argsort(a, kind="stable")
    ranks = np.empty(len(a))
    ranks[order] = np.arange(len(a), dtype=float)
    for value in np.unique(a):
        tie = a == value
        ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(a: list[float], b: list[float]) -> float:
    if len(a) < MIN_POINTS:
        return 0.0
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def within_groups_tau(
    groups: list[list[tuple[float, int]]], relabel: dict[int, int] | None
) -> tuple[float, int]:
    """Kendall's tau pooled over pairs inside each group (page): does the offset order inside a
    page follow the arrival order? Returns (tau, number of cells)."""
    conc = disc = cells = 0
    for group in groups:
        if len(group) < 2:
            continue
        cells += len(group)
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                (oi, ni), (oj, nj) = group[i], group[j]
                if relabel:
                    ni, nj = relabel[ni], relabel[nj]
                if oi == oj or ni == nj:
                    continue
                if (oi < oj) == (ni < nj):
                    conc += 1
                else:
                    disc += 1
    return ((conc - disc) / (conc + disc) if conc + disc else 0.0), cells


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


class Snapshotter:
    def __init__(self, roots: dict[str, Path], out: Path) -> None:
        self.roots = roots
        self.out = out
        self.n = 0

    def take(self, label: str) -> None:
        dest = self.out / f"{self.n:04d}-{label}"
        for name, root in self.roots.items():
            for p in _files(root):
                target = dest / name / p.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copy2(p, target)
                    st = os.stat(p)
                    (target.parent / (target.name + ".ctime")).write_text(str(st.st_ctime_ns))
                except FileNotFoundError:
                    pass
        self.n += 1


def analyse(
    snapshot: Path, arrival: dict[str, int], fp_arrival: dict[str, int], image_arrival: dict[str, int]
) -> dict[str, list[tuple[float, int]]]:
    """Every analysis's (position, true arrival) pairs for one snapshot."""
    out: dict[str, list[tuple[float, int]]] = {}
    for f in _files(snapshot):
        if f.name.endswith(".ctime"):
            continue
        rel = str(f.relative_to(snapshot))
        if "/accepted/" in f"/{rel}" or rel.startswith("inbox/"):
            continue
        raw = f.read_bytes()
        for what, table in (("id", arrival), ("fingerprint", fp_arrival)):
            first: list[tuple[float, int]] = []
            last: list[tuple[float, int]] = []
            for token, n in table.items():
                b = token.encode()
                i = raw.find(b)
                if i >= 0:
                    first.append((i, n))
                    last.append((raw.rfind(b), n))
            out[f"offsets:{what}:first:{rel}"] = first
            out[f"offsets:{what}:last:{rel}"] = last
            # Inside each page: the cells' order of offsets (a group per page, scored by
            # within_groups_tau; the page number is kept in the integer part).
            out[f"pages:{what}:{rel}"] = [
                (int(off) // 4096 * 10**6 + (int(off) % 4096), n) for off, n in first
            ]
        if f.suffix == ".sqlite" and not rel.endswith((".behind",)):
            try:
                db = sqlite3.connect(f"file:{f}?immutable=1", uri=True)
                rows = db.execute("SELECT id, session FROM sheets").fetchall()
                db.close()
            except sqlite3.Error:
                rows = []
            out[f"sessions:{rel}"] = [(float(s), arrival[i]) for i, s in rows if i in arrival]
    accepted = snapshot / "inbox" / "accepted"
    if accepted.is_dir():
        by_name, by_mtime, by_ctime = [], [], []
        for k, p in enumerate(sorted(accepted.iterdir())):  # name order
            if p.name.endswith(".ctime") or p.name.startswith("."):
                continue
            arrived = image_arrival.get(hashlib.sha256(p.read_bytes()).hexdigest())
            if arrived is None:
                continue
            by_name.append((float(k), arrived))
            by_mtime.append((p.stat().st_mtime, arrived))
            by_ctime.append((float(int((p.parent / (p.name + ".ctime")).read_text())), arrived))
        out["accepted:name"] = by_name
        out["accepted:mtime"] = by_mtime
        out["accepted:ctime"] = by_ctime
    return out


def score(name: str, pairs: list[tuple[float, int]], relabel: dict[int, int] | None) -> tuple[float, int]:
    """|rank correlation| of one analysis, and how many sheets it placed."""
    if name.startswith("pages:"):
        groups: dict[int, list[tuple[float, int]]] = {}
        for pos, n in pairs:
            groups.setdefault(int(pos) // 10**6, []).append((pos, n))
        tau, cells = within_groups_tau(list(groups.values()), relabel)
        return (abs(tau) if cells >= MIN_POINTS else 0.0), cells
    if len(pairs) < MIN_POINTS:
        return 0.0, len(pairs)
    return abs(spearman([p for p, _ in pairs], [relabel[n] if relabel else n for _, n in pairs])), len(pairs)


def best(
    results: list[dict[str, list[tuple[float, int]]]], relabel: dict[int, int] | None = None
) -> tuple[float, str, int, dict[str, float]]:
    top, where, points = 0.0, "", 0
    per_kind: dict[str, float] = {}
    for k, analyses in enumerate(results):
        for name, pairs in analyses.items():
            rho, n = score(name, pairs, relabel)
            if os.environ.get("SECRECY_DEBUG") and rho > 0.6:
                print(
                    f"snapshot {k} {name} rho {rho:.3f} n {n} relabel {relabel is not None}", file=sys.stderr
                )
            kind = ":".join(name.split(":")[:2])
            per_kind[kind] = max(per_kind.get(kind, 0.0), rho)
            if rho > top:
                top, where, points = rho, name, n
    return top, where, points, per_kind


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=100)
    ap.add_argument("--snapshots", type=int, default=40)
    ap.add_argument("--controls", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--accepted", default="delete")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    pkg = load_election(None)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        deck, inbox = tmp / "deck", tmp / "inbox"
        inbox.mkdir()
        styles = [s.id for s in pkg.election.styles]
        truths = []
        for k, style in enumerate(styles):
            n = args.sheets // len(styles) + (1 if k < args.sheets % len(styles) else 0)
            truths += write_deck(
                pkg.election, pkg.election_hash, style, n, args.seed, deck, DeckOptions(streak=0.0)
            )
        names = [f"{t.style}-{t.sheet}" for t in truths]
        rng.shuffle(names)  # the known random voting order: the folder feeds in name order
        image_arrival: dict[str, int] = {}
        for i, name in enumerate(names):
            for side in ("a", "b"):
                src = deck / f"{name}.{side}.jpg"
                data = src.read_bytes()
                image_arrival[hashlib.sha256(data).hexdigest()] = i
                (inbox / f"v{i:05d}.{side}.jpg").write_bytes(data)
        data_dir, usb = tmp / "station", tmp / "usb"
        snaps = Snapshotter({"station": data_dir, "usb": usb, "inbox": inbox}, tmp / "snaps")
        journal = Journal.create(
            data_dir / "journal.sqlite", pkg.election_hash, "379", FixedClock(), usb / "journal.sqlite"
        )
        station = Station(journal, pkg, development=True)  # the sample package (DEVELOPMENT key)
        journal.transition("open", "chair")
        total_moments = args.sheets * 2
        moments = set(rng.sample(range(total_moments), min(args.snapshots, total_moments)))
        tick = [0]

        def maybe(label: str) -> None:
            if tick[0] in moments:
                snaps.take(label)
            tick[0] += 1

        # Inside the write path: right after the commit, before the WAL is emptied.
        if hasattr(journal_module, "truncate_wal"):
            original = journal_module.truncate_wal

            def hooked(conn: sqlite3.Connection) -> bool:
                if conn is journal.db:
                    maybe("after-commit")
                return bool(original(conn))

            journal_module.truncate_wal = hooked
        else:
            original_write = Journal._write

            def hooked_write(self: Journal, fn: Any) -> Any:
                result = original_write(self, fn)
                maybe("after-commit")
                return result

            Journal._write = hooked_write  # type: ignore[method-assign]
        # (The code before this branch's changes had no `accepted`: it kept the names.)
        takes_mode = "accepted" in FolderScanner.__init__.__code__.co_varnames
        scanner = FolderScanner(inbox, args.accepted) if takes_mode else FolderScanner(inbox)
        station.scan(scanner, role="member", progress=lambda s: maybe("between-sheets"), member="M. Member")
        journal.transition("close", "chair")
        snaps.take("after-close")
        # Which record is which sheet: the benchmark knows each image's fingerprint.
        arrival: dict[str, int] = {}
        fp_arrival: dict[str, int] = {}
        for sheet_id, fps in journal.db.execute("SELECT id, fingerprints FROM sheets"):
            ns = {image_arrival[fp] for fp in json.loads(fps) if fp in image_arrival}
            if len(ns) == 1:
                arrival[sheet_id] = ns.pop()
                for fp in json.loads(fps):
                    fp_arrival[fp] = arrival[sheet_id]
        counted = journal.tally().sheets
        journal.close()
        results = [analyse(s, arrival, fp_arrival, image_arrival) for s in sorted((tmp / "snaps").iterdir())]
    rho, where, points, per_kind = best(results)
    controls = []
    for c in range(args.controls):
        perm = list(range(args.sheets))
        random.Random(1000 + c).shuffle(perm)
        controls.append(best(results, dict(enumerate(perm)))[0])
    result = {
        "benchmark": "secrecy",
        "sheets": args.sheets,
        "counted": counted,
        "accepted_mode": args.accepted,
        "snapshots": len(results),
        "best_abs_rho": round(rho, 3),
        "best_analysis": where,
        "best_points": points,
        "control_best_abs_rho_median": round(float(np.median(controls)), 3),
        "control_best_abs_rho_max": round(max(controls), 3),
        "indistinguishable_from_control": rho <= max(controls),
        "per_analysis_best_abs_rho": {k: round(v, 3) for k, v in sorted(per_kind.items())},
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
