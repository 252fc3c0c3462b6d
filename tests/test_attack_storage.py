"""Attacks on what the files keep after a day (issue 12's attack pass, after issue 11).

Someone with the data directory and the USB mirror after close, with a hex editor and
sqlite3, looks for what the protocol does not publish: the voting order, or a single vote.
Real journals on disk, real SQLite pages."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import struct
from pathlib import Path

import pytest
from stationkit import CLEAN, make_station

from fieldkit.sim import SimScanner

N = 24


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A station's day: opened, N sheets counted, a review decided, paused and resumed, closed."""
    tmp = tmp_path_factory.mktemp("day")
    st = make_station(tmp)
    st.transition("open", "chair")
    sim = SimScanner(n=N, seed=3, opt=CLEAN)
    st.scan(sim, "member", member="M. Member", limit=N // 2)
    st.transition("pause", "chair")
    st.transition("resume", "chair")
    st.scan(sim, "member", member="M. Member")
    for sheet, reading in st.journal.review_sheets():
        contest = reading["contests"][0]["contest"]
        st.journal.decide_review(sheet, [{"contest": contest, "choice": None}], "chair", "C", "blank")
    st.transition("close", "chair")
    st.journal.close()
    handles = sorted(sim.truth)
    assert len(handles) == N
    return tmp, handles


def _files(tmp: Path) -> list[Path]:
    return [tmp / "j.sqlite", tmp / "usb" / "j.sqlite"]


def test_no_wal_or_shm_left_after_close(day: tuple[Path, list[str]]) -> None:
    tmp, _ = day
    for f in _files(tmp):
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(str(f) + suffix)
            assert not side.exists() or side.stat().st_size == 0, side


def test_no_scanner_handle_and_no_stale_record_copy_on_disk(day: tuple[Path, list[str]]) -> None:
    """The scanner's handles follow the scan order and lived in `pending` until the drop was
    confirmed; every insert rewrote the record's neighbours (`_shuffle_around`). With
    secure_delete none of it may survive in the file: no handle, and each record's id and
    reading exactly once (a stale copy's place would be an older state of the page)."""
    tmp, handles = day
    for f in _files(tmp):
        raw = f.read_bytes()
        assert [h for h in handles if h.encode() in raw] == []
        db = sqlite3.connect(f)
        rows = db.execute("SELECT id, reading FROM sheets").fetchall()
        db.close()
        assert len(rows) == N
        assert {raw.count(i.encode()) for i, _ in rows} == {1}
        assert max(raw.count(r.encode()) for _, r in rows) == 1  # (a long one may span pages)


def _zero(b: bytes) -> bool:
    return b.count(0) == len(b)


SECRET_TABLES = ("sheets", "pending", "counters")
TEXT_RUN = re.compile(rb"[\x20-\x7e]{6,}")


def test_free_pages_and_unused_space_in_pages_hold_nothing(day: tuple[Path, list[str]]) -> None:
    """Free-list pages are zeros; inside the pages of the tables of sheets, pending handles
    and counters, freed blocks are zeros and the gap between the cell pointers and the cells
    holds no text (a record, a handle, a counter key): nothing deleted or moved is left to
    read, so no older state of a page (which sheets came before which) either. secure_delete
    alone did not do it: SQLite rebalancing a page leaves the old cells in that gap (whole
    stale records were found); the station rebuilds the files at pause and close
    (`Journal.compact`). Left in other tables' gaps: stale 2-byte cell pointers."""
    tmp, _ = day
    for f in _files(tmp):
        raw = f.read_bytes()
        size = struct.unpack(">H", raw[16:18])[0]
        size = 65536 if size == 1 else size
        db = sqlite3.connect(f)
        pages = dict(db.execute("SELECT pageno, name || ':' || pagetype FROM dbstat").fetchall())
        free_count = db.execute("PRAGMA freelist_count").fetchone()[0]
        db.close()
        trunks, leaves = _freelist(raw, size)
        assert len(trunks) + len(leaves) == free_count
        assert set(pages) | set(trunks) | set(leaves) == set(range(1, len(raw) // size + 1))
        for p in leaves:
            assert _zero(raw[(p - 1) * size : p * size]), f"{f.name}: free page {p}"
        for p in trunks:
            page = raw[(p - 1) * size : p * size]
            n = struct.unpack(">I", page[4:8])[0]
            assert _zero(page[8 + 4 * n :]), f"{f.name}: free trunk page {p}"
        checked = 0
        for p, what in pages.items():
            table, kind = what.split(":")
            if table in SECRET_TABLES and kind in ("leaf", "internal"):
                _check_btree_page(raw, p, size, f"{f.name} {table}")
                checked += 1
        assert checked >= 4


def _freelist(raw: bytes, size: int) -> tuple[list[int], list[int]]:
    trunks, leaves = [], []
    trunk = struct.unpack(">I", raw[32:36])[0]
    while trunk:
        trunks.append(trunk)
        page = raw[(trunk - 1) * size : trunk * size]
        nxt, n = struct.unpack(">II", page[:8])
        leaves += list(struct.unpack(f">{n}I", page[8 : 8 + 4 * n]))
        trunk = nxt
    return trunks, leaves


def _check_btree_page(raw: bytes, p: int, size: int, name: str) -> None:
    base = (p - 1) * size
    h = base + (100 if p == 1 else 0)
    kind = raw[h]
    first_free, cells, content = struct.unpack(">HHH", raw[h + 1 : h + 7])
    content = 65536 if content == 0 else content
    header = 12 if kind in (2, 5) else 8
    gap = raw[h + header + 2 * cells : base + content]
    text = TEXT_RUN.findall(gap)
    assert text == [], f"{name}: page {p}: text left between the cell pointers and the cells: {text[:3]}"
    block = first_free
    while block:
        nxt, length = struct.unpack(">HH", raw[base + block : base + block + 4])
        assert _zero(raw[base + block + 4 : base + block + length]), f"{name}: page {p}: freeblock at {block}"
        block = nxt


def test_no_statistics_tables_and_no_rowid_on_per_sheet_tables(day: tuple[Path, list[str]]) -> None:
    """sqlite_stat1/4 (ANALYZE, PRAGMA optimize) would keep samples of index keys; a rowid
    on a table of sheets would number them in arrival order."""
    tmp, _ = day
    for f in _files(tmp):
        db = sqlite3.connect(f)
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master")}
        sql = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type='table'").fetchall())
        db.close()
        assert not {n for n in names if n.startswith("sqlite_stat")}
        for table in ("sheets", "pending", "counters"):
            assert "WITHOUT ROWID" in sql[table], table


def test_the_mirror_holds_the_same_bytes_of_every_record(day: tuple[Path, list[str]]) -> None:
    """The mirror on the pullable stick is written by the same transactions: it keeps no
    extra history (no handle, no stale copy, checked above) and the same records."""
    tmp, _ = day
    digests = []
    for f in _files(tmp):
        db = sqlite3.connect(f)
        rows = db.execute("SELECT id, reading, fingerprints, decision FROM sheets ORDER BY id").fetchall()
        db.close()
        digests.append(hashlib.sha256(repr(rows).encode()).hexdigest())
    assert digests[0] == digests[1]
