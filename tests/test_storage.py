"""Storage faults on a real file system: a full disk at init, status and open; a read-only
copy that an auditor verifies. A small tmpfs is mounted for each test (this needs root, as in
the test container); where mounting is not allowed the tests skip and say so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}): no real full disk")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _sanaq(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "station",
            "--data",
            str(data),
            "--role",
            "chair",
            "--member",
            "A. Chair",
            "--development",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _code(done: subprocess.CompletedProcess[str]) -> str:
    return str(json.loads(done.stderr)["error"]["code"])


def _fill(mnt: Path, leave: int = 0) -> Path:
    """Fill the disk, leaving `leave` bytes (roughly)."""
    filler = mnt / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_full_disk_at_status_and_open_is_disk_full_not_corrupt(small_disk: Path) -> None:
    data = small_disk / "st"
    assert _sanaq(data, "init").returncode == 0
    filler = _fill(small_disk)
    for action in ("status", "open"):
        done = _sanaq(data, action)
        assert done.returncode == 2 and _code(done) == "journal_disk_full", done.stderr
    filler.unlink()
    assert _sanaq(data, "open").returncode == 0  # nothing was damaged
    assert json.loads(_sanaq(data, "verify").stdout)["ok"]


def test_full_disk_at_init_leaves_nothing_half_made(small_disk: Path) -> None:
    data = small_disk / "st"
    filler = _fill(small_disk, leave=200 * 1024)  # the package fits, the journal does not
    done = _sanaq(data, "init")
    assert done.returncode == 2 and _code(done) == "journal_disk_full", done.stderr
    assert not (data / "journal.sqlite").exists()
    assert not [p for p in data.iterdir() if "journal" in p.name]
    filler.unlink()
    assert _sanaq(data, "init").returncode == 0  # init can be tried again
    assert json.loads(_sanaq(data, "verify").stdout)["ok"]


def test_a_read_only_copy_can_be_verified(small_disk: Path) -> None:
    data = small_disk / "st"
    assert _sanaq(data, "init").returncode == 0
    assert _sanaq(data, "open").returncode == 0
    assert _sanaq(data, "--role", "member", "pause").returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    verified = _sanaq(data, "verify")
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"], verified.stderr
    status = json.loads(_sanaq(data, "status", "--json").stdout)
    assert status["state"] == "paused"
    refused = _sanaq(data, "resume")
    assert refused.returncode == 2 and _code(refused) in ("journal_read_only", "journal_unwritable")
