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
    scanner = FolderScanner(tmp_path)
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
