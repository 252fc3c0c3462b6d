"""The hot-folder scanner on a real folder: complete files only, one place per sheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers import open_scanner
from drivers.folder import FolderScanner
from kiosk.errors import SanaqError


def test_only_complete_files_are_sheets_and_sides_pair_up(tmp_path: Path) -> None:
    (tmp_path / "b1.a.jpg").write_bytes(b"front")
    (tmp_path / "b1.b.jpg").write_bytes(b"back")
    (tmp_path / "single.png").write_bytes(b"one side")
    (tmp_path / "being-written.jpg.part").write_bytes(b"half")
    (tmp_path / ".hidden.jpg").write_bytes(b"temp")
    (tmp_path / "notes.json").write_text("{}")
    sheets = {s.handle: s.images for s in FolderScanner(tmp_path).feed()}
    assert sheets == {"b1": (b"front", b"back"), "single": (b"one side",)}


def test_drop_and_return_move_whole_sheets_and_where_follows(tmp_path: Path) -> None:
    for name in ("x", "y"):
        (tmp_path / f"{name}.a.jpg").write_bytes(name.encode() + b"a")
        (tmp_path / f"{name}.b.jpg").write_bytes(name.encode() + b"b")
    scanner = FolderScanner(tmp_path, accepted="names")
    assert scanner.where("x") == "held"
    scanner.accept("x")
    scanner.return_sheet("y", "unreadable")
    assert (
        scanner.where("x") == "box" and scanner.where("y") == "returned" and scanner.where("z") == "unknown"
    )
    assert sorted(p.name for p in (tmp_path / "accepted").iterdir()) == ["x.a.jpg", "x.b.jpg"]
    assert sorted(p.name for p in (tmp_path / "returned").iterdir()) == ["y.a.jpg", "y.b.jpg"]
    assert not list(tmp_path.glob(".moving-*"))
    assert list(scanner.feed()) == []


def test_scanner_urls() -> None:
    with pytest.raises(SanaqError) as info:
        open_scanner("folder:///no/such/folder")
    assert info.value.code == "scanner_unavailable"
    for bad in ("ftp://x", "sim:?n=many", "folder://"):
        with pytest.raises(SanaqError) as info:
            open_scanner(bad)
        assert info.value.code == "scanner_url_invalid"


def test_counted_sheets_keep_no_name_and_no_time_that_orders_them(tmp_path: Path) -> None:
    """accepted=delete (the default): nothing kept; accepted=random: random names, one fixed
    access/modification time. `where` still answers after the files have gone."""
    import os

    from drivers.folder import FIXED_TIME

    for mode in ("random", "delete", "default"):
        inbox = tmp_path / mode
        inbox.mkdir()
        for name in ("scan0001", "scan0002", "scan0003"):
            (inbox / f"{name}.a.jpg").write_bytes(name.encode() + b"a")
            (inbox / f"{name}.b.jpg").write_bytes(name.encode() + b"b")
        scanner = open_scanner(f"folder://{inbox}" + ("" if mode == "default" else f"?accepted={mode}"))
        for name in ("scan0002", "scan0001", "scan0003"):
            scanner.accept(name)
        kept = sorted((inbox / "accepted").iterdir())
        assert scanner.where("scan0001") == "box" and scanner.where("scan0009") == "unknown"
        if mode in ("delete", "default"):
            assert kept == []
            continue
        assert len(kept) == 6 and not any("scan" in p.name for p in kept)
        assert {
            p.name.split(".")[1:] == ["a", "jpg"] or p.name.split(".")[1:] == ["b", "jpg"] for p in kept
        } == {True}
        assert {os.stat(p).st_mtime for p in kept} == {FIXED_TIME}
        assert {os.stat(p).st_atime for p in kept} == {FIXED_TIME}
        # Both sides of a sheet share their random name; the contents are the sheets'.
        by_stem: dict[str, set[bytes]] = {}
        for p in kept:
            by_stem.setdefault(p.name.split(".")[0], set()).add(p.read_bytes())
        assert sorted(sorted(v) for v in by_stem.values()) == [
            [f"scan000{i}a".encode(), f"scan000{i}b".encode()] for i in (1, 2, 3)
        ]
