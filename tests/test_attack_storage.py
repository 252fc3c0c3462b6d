"""Attacks on what the files keep after a day (issue 12's attack pass, after issue 11).

Someone with the data directory and the USB mirror after close, with a hex editor and
sqlite3, looks for what the protocol does not publish: the voting order, or a single vote.
Real journals on disk, real SQLite pages."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from stationkit import CLEAN, make_station

from fieldkit.sim import SimScanner

N = 24


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A station's day: opened, N sheets counted, paused and resumed, closed, a review decided."""
    tmp = tmp_path_factory.mktemp("day")
    st = make_station(tmp)
    st.transition("open", "chair")
    sim = SimScanner(n=N, seed=3, opt=CLEAN)
    st.scan(sim, "member", member="M. Member", limit=N // 2)
    st.transition("pause", "chair")
    st.transition("resume", "chair")
    st.scan(sim, "member", member="M. Member")
    st.transition("close", "chair")
    for sheet, reading in st.journal.review_sheets():  # after close (review_while_open before)
        contest = reading["contests"][0]["contest"]
        st.journal.decide_review(sheet, [{"contest": contest, "choice": None}], "chair", "C", "blank")
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


# --- the PINs ------------------------------------------------------------------------------------


def test_a_copied_member_key_file_gives_its_pin_to_offline_guessing(tmp_path: Path) -> None:
    """The honest limit (docs/protocol.md): no PIN and no PIN hash is stored anywhere; the
    member's key is encrypted under scrypt(PIN) (N=2^15, r=8, p=1, 16-byte salt). Whoever
    copies the key file can guess PINs offline, at one scrypt per guess, and the kiosk's
    lock-out (5 wrong PINs) does not apply there. Shown here on the last digit of a 6-digit
    PIN; all 10^6 six-digit PINs take 10^6 times the measured time per guess."""
    import json
    import time

    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    from kiosk.protocol.keys import SCRYPT_N, _aad, create_member_key, unb64

    pin = "135790"
    create_member_key(tmp_path, "aigerim", "chair", pin)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(pin.encode() in p.read_bytes() for p in files)
    doc = json.loads((tmp_path / "members" / "aigerim.key").read_text())
    assert (doc["kdf"]["name"], doc["kdf"]["n"]) == ("scrypt", SCRYPT_N) and SCRYPT_N == 2**15
    salt, nonce, ct = unb64(doc["kdf"]["salt"]), unb64(doc["nonce"]), unb64(doc["ciphertext"])
    aad = _aad("aigerim", "chair", unb64(doc["public"]))
    found, t0 = None, time.process_time()
    for guess in (f"13579{d}" for d in range(10)):
        key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(guess.encode())
        try:
            ChaCha20Poly1305(key).decrypt(nonce, ct, aad)
        except InvalidTag:
            continue
        found = guess
        break
    per_guess = (time.process_time() - t0) / (int(found[-1]) + 1 if found else 10)
    assert found == pin
    # One core: 10^6 guesses take days at this cost, not years. The key is the protection
    # that is left: file mode 0600 on the kiosk's disk, a one-election life, longer PINs.
    assert 0.01 < per_guess < 2.0, per_guess


# --- inputs that are decompressed ------------------------------------------------------------------


def _png_bomb(path: Path, w: int, h: int) -> Path:
    import zlib

    def chunk(t: bytes, d: bytes) -> bytes:
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    c = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * w
    data = b"".join(c.compress(row) for _ in range(h)) + c.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def _pdf(path: Path, w: int, h: int, pages: int) -> Path:
    objs = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>")
    objs += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] >>"] * pages
    out, offs = b"%PDF-1.4\n", []
    for k, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{k} 0 obj\n{o}\nendobj\n".encode()
    x = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offs)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n".encode()
    path.write_bytes(out)
    return path


@pytest.mark.parametrize(
    "make",
    [
        # 9000 x 8000 (72 Mpx), under Pillow's own bound: it was decoded, then resized thrice
        pytest.param(lambda d: _png_bomb(d / "a.png", 9000, 8000), id="png-72Mpx"),
        # 948 KB, 30000 x 30000: a DecompressionBombError traceback before
        pytest.param(lambda d: _png_bomb(d / "b.png", 30000, 30000), id="png-900Mpx"),
        pytest.param(lambda d: _pdf(d / "big.pdf", 14400, 14400, 1), id="pdf-200in-page"),
        pytest.param(lambda d: _pdf(d / "many.pdf", 595, 842, 400), id="pdf-400-pages"),
    ],
)
def test_sanaq_verify_refuses_bombs_from_the_header(tmp_path: Path, make: object) -> None:
    """`sanaq verify PHOTO|PDF`: a stable code (20, protocol_qr_unreadable) and bounded memory,
    decided from the image header or from pdfinfo, before any decoding or rendering.
    Before: the 12000 x 12000 PNG (165 KB) took 1.6 GB and 38 s; 30000 x 30000 a traceback."""
    import json
    import subprocess
    import sys

    path = make(tmp_path)  # type: ignore[operator]
    # A wrapper process, so that the peak is this command's (and its pdftoppm's) alone.
    wrapper = (
        "import json, resource, subprocess, sys;"
        "r = subprocess.run([sys.executable, '-m', 'kiosk.cli', 'verify', sys.argv[1]],"
        " capture_output=True, text=True, timeout=120);"
        "print(json.dumps([r.returncode, r.stdout, r.stderr[-500:],"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, str(path)], capture_output=True, text=True, timeout=180
    )
    code, stdout, stderr, peak_kb = json.loads(out.stdout)
    assert code == 20, stderr
    assert json.loads(stdout)["results"][0]["error"]["code"] == "protocol_qr_unreadable"
    assert peak_kb < 400_000  # the interpreter and its imports; no image was decoded


# --- the WAL after a kill ----------------------------------------------------------------------------


def _wal_commits(wal: bytes) -> int:
    """Commit frames in a WAL file (a frame whose header gives the database size after it)."""
    if len(wal) < 32:
        return 0
    page = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    commits, at = 0, 32
    while at + 24 + page <= len(wal):
        if wal[at + 8 : at + 16] != salts:
            break
        commits += struct.unpack(">I", wal[at + 4 : at + 8])[0] != 0
        at += 24 + page
    return commits


def test_after_a_kill_the_wal_holds_one_commit_and_cutting_it_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill right after a sheet's commits, before the WALs are emptied (simulated: the
    checkpoint is skipped and the files copied while the connections are open, as a kill
    leaves them): each WAL holds that one commit, the sheet being counted, not the day. Cutting
    the primary's WAL mid-file (to drop that sheet) leaves the primary behind its mirror: the
    station refuses to open (`mirror_differs`) instead of losing the sheet quietly."""
    import shutil

    from kiosk.errors import SanaqError
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock

    st = make_station(tmp_path)
    st.transition("open", "chair")
    st.scan(SimScanner(style="MZ-LIST", n=6, seed=5, opt=CLEAN), "member", member="M. Member")
    monkeypatch.setattr("kiosk.station.journal.truncate_wal", lambda conn: False)
    reading = {
        "style": "MZ-LIST",
        "status": "ok",
        "contests": [{"contest": "mazhilis-list", "outcome": "blank", "choice": None}],
    }
    st.journal.record_sheet("official", "MZ-LIST", reading, ["e" * 64], "h-last")
    killed = tmp_path / "killed"
    (killed / "usb").mkdir(parents=True)
    for name in ("j.sqlite", "j.sqlite-wal", "device.key", "device.pub"):
        shutil.copy(tmp_path / name, killed / name)
    for name in ("j.sqlite", "j.sqlite-wal"):
        shutil.copy(tmp_path / "usb" / name, killed / "usb" / name)
    st.journal.close()
    for wal in (killed / "j.sqlite-wal", killed / "usb" / "j.sqlite-wal"):
        assert _wal_commits(wal.read_bytes()) == 1, wal
    control = tmp_path / "control"
    shutil.copytree(killed, control)
    j = Journal.open(control / "j.sqlite", FixedClock(), control / "usb" / "j.sqlite")
    assert j.verify().ok and j.tally().sheets == 7
    j.close()
    wal = killed / "j.sqlite-wal"
    wal.write_bytes(wal.read_bytes()[: len(wal.read_bytes()) // 2])
    with pytest.raises(SanaqError) as e:
        Journal.open(killed / "j.sqlite", FixedClock(), killed / "usb" / "j.sqlite")
    assert e.value.code == "mirror_differs"


def test_a_gzip_bomb_from_the_intake_is_not_inflated_by_the_kiosk(tmp_path: Path) -> None:
    """The sync client (kiosk/sync/client.py) read the intake's whole answer, which httpx
    inflates (gzip, deflate, brotli) whatever was asked: a 1 MB gzip answer became 1 GiB and
    2 GB of memory in the kiosk. Now the answer is read as it comes, at most 1 MB, and the
    delivery is retried later. The hostile intake is httpx's in-process transport (the client
    code is the real one; the TLS server of tests/test_sync.py cannot be made to lie)."""
    import shutil
    import tracemalloc
    import zlib

    import httpx
    from synckit import template_station

    from kiosk.election.package import development_trust
    from kiosk.protocol.keys import load_device_key
    from kiosk.sync.client import Sender
    from kiosk.sync.outbox import Outbox

    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(c.compress(bytes(1 << 20)) for _ in range(256)) + c.flush()  # 256 MiB of zeros
    assert len(bomb) < 300_000
    asked: list[str] = []

    class Chunks(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for i in range(0, len(bomb), 65536):
                yield bomb[i : i + 65536]

    def intake(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("accept-encoding", ""))
        return httpx.Response(200, headers={"content-encoding": "gzip"}, stream=Chunks())

    data = tmp_path / "data"
    shutil.copytree(template_station(), data)
    outbox = Outbox(data / "journal.sqlite", development_trust())
    outbox.queue_folder(data / "protocols")
    sender = Sender(
        outbox,
        "https://hq.invalid",
        load_device_key(data),
        development_trust(),
        True,
        sleep=lambda _s: None,
        transport=httpx.MockTransport(intake),
    )
    d = outbox.pending()[0]
    tracemalloc.start()
    try:
        result = sender.send_one(d)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result == "retry" and asked == ["identity"]
    assert peak < 48 * 1024 * 1024, peak
    assert [s.state for s in outbox.status() if s.key == d.key] == ["sent"]  # no receipt: retried
