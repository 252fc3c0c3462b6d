"""Export faults on real mounted file systems: a full stick (a small tmpfs), a stick pulled
mid-write and put back (an ext4 image on a loop device, lazily unmounted and mounted again), a
read-only stick (tmpfs remounted read-only, before and during the write). Each ends with a code
and kk/ru/en message, nothing on the stick that verifies, and a retry that succeeds.

Mounting needs root with CAP_SYS_ADMIN (the sandbox and CI have it); where `mount` is refused
those tests skip and say so. Two more faults are injected (a failing write, a read-back that
differs): they run everywhere and are marked as injected."""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from exportkit import shared_station

from kiosk.cli import main
from kiosk.cli.export import Prepared, prepare
from kiosk.errors import Lang, SanaqError
from kiosk.protocol import export as ex


class Mounts:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.mounted: list[Path] = []

    def _mount(self, *argv: str) -> None:
        r = subprocess.run(["mount", *argv], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"mount refused here ({r.stderr.strip()}): real-mount fault tests need root")

    def tmpfs(self, name: str, size: str) -> Path:
        where = self.tmp / name
        where.mkdir()
        self._mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "sanaq-test-stick", str(where))
        self.mounted.append(where)
        return where

    def ext4(self, name: str, size_mb: int = 4) -> tuple[Path, Path]:
        image = self.tmp / f"{name}.img"
        with image.open("wb") as f:
            f.truncate(size_mb << 20)
        if shutil.which("mkfs.ext4") is None:
            pytest.skip("mkfs.ext4 missing")
        subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, capture_output=True)
        where = self.tmp / name
        where.mkdir()
        self.plug(image, where)
        return image, where

    def plug(self, image: Path, where: Path) -> None:
        self._mount("-o", "loop", str(image), str(where))
        self.mounted.append(where)

    def pull(self, where: Path) -> None:
        """The stick leaves: its folder is the empty mount point again at once."""
        subprocess.run(["umount", "-l", str(where)], check=True)
        self.mounted.remove(where)

    def remount(self, where: Path, opts: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{opts}", str(where)], check=True)

    def cleanup(self) -> None:
        for where in reversed(self.mounted):
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[Mounts]:
    m = Mounts(tmp_path)
    yield m
    m.cleanup()


@pytest.fixture(scope="module")
def data() -> Path:
    return shared_station()


@pytest.fixture
def prepared(data: Path, tmp_path: Path) -> Prepared:
    proto = tmp_path / "MZ-LIST.protocol.jws.json"
    proto.write_bytes(b"signed protocol bytes (opaque here)")
    return prepare(data, None, "official", [proto])


LANGS: tuple[Lang, ...] = ("kk", "ru", "en")


def _entries(stick: Path) -> list[Path]:
    return sorted(p for p in stick.iterdir() if p.name != "lost+found")


def assert_nothing_looks_valid(stick: Path, data: Path) -> list[Path]:
    """Whatever a failed export left: not one folder that verifies, and every leftover named .partial."""
    pub = ex.load_public_key(data / "device.pub")
    left = _entries(stick)
    for p in left:
        assert p.name.endswith(ex.PARTIAL), p
        check = ex.verify_export(p, pub)
        assert not check.ok and check.code == "export_incomplete", check
    return left


def _retry_succeeds(prepared: Prepared, stick: Path, data: Path) -> ex.ExportResult:
    exporter = ex.Exporter(prepared.key)
    result = prepared.write(exporter, stick)
    assert ex.verify_export(result.path, ex.load_public_key(data / "device.pub")).ok
    assert _entries(stick) == [result.path]  # stale partial folders of this station are gone
    return result


def _fails(prepared: Prepared, stick: Path, exporter: ex.Exporter, code: str) -> SanaqError:
    with pytest.raises(SanaqError) as info:
        prepared.write(exporter, stick)
    err = info.value
    assert err.code == code, err
    assert all(err.message(lang) for lang in LANGS)
    return err


# --- real mounts ----------------------------------------------------------------------------------------------


def test_full_stick(mounts: Mounts, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 64 KiB tmpfs: the CVR file fits, the results file does not."""
    stick = mounts.tmpfs("stick", "64k")
    rc = main(["export", "--data", str(data), "--to", str(stick)])
    err = capsys.readouterr().err
    assert rc == 2 and '"code": "export_disk_full"' in err and "USB" in err
    assert _entries(stick) == []  # this attempt's partial folder was removed: the space is back
    assert shutil.disk_usage(stick).used == 0
    mounts.remount(stick, "size=8m")  # space made, or a bigger stick
    rc = main(["export", "--data", str(data), "--to", str(stick)])
    assert rc == 0
    (done,) = _entries(stick)
    assert main(["export", "--data", str(data), "verify", str(done)]) == 0


def test_stick_pulled_between_files_and_put_back(mounts: Mounts, prepared: Prepared, data: Path) -> None:
    image, stick = mounts.ext4("stick")
    written: list[str] = []

    def pull_after_first(name: str) -> None:
        written.append(name)
        if len(written) == 1:
            mounts.pull(stick)

    _fails(prepared, stick, ex.Exporter(prepared.key, after_file=pull_after_first), "export_stick_gone")
    assert written == [ex.CVR_FILE]
    mounts.plug(image, stick)  # put back: what was fsync'd is there, without a manifest
    (left,) = assert_nothing_looks_valid(stick, data)
    assert (left / ex.CVR_FILE).exists() and not (left / ex.MANIFEST).exists()
    _retry_succeeds(prepared, stick, data)


def test_stick_pulled_after_the_manifest_before_the_rename(
    mounts: Mounts, prepared: Prepared, data: Path
) -> None:
    image, stick = mounts.ext4("stick")

    def pull_at_manifest(name: str) -> None:
        if name == ex.MANIFEST:
            mounts.pull(stick)

    _fails(prepared, stick, ex.Exporter(prepared.key, after_file=pull_at_manifest), "export_stick_gone")
    mounts.plug(image, stick)
    # Every file and a correctly signed manifest are there, but the folder never got its name.
    (left,) = assert_nothing_looks_valid(stick, data)
    assert (left / ex.MANIFEST).exists()
    _retry_succeeds(prepared, stick, data)


def test_read_only_stick(mounts: Mounts, prepared: Prepared, data: Path) -> None:
    stick = mounts.tmpfs("stick", "8m")
    mounts.remount(stick, "ro")
    _fails(prepared, stick, ex.Exporter(prepared.key), "export_stick_readonly")
    assert _entries(stick) == []
    mounts.remount(stick, "rw")  # the write-protect switch moved back
    _retry_succeeds(prepared, stick, data)


def test_stick_turns_read_only_mid_write(mounts: Mounts, prepared: Prepared, data: Path) -> None:
    """As the kernel does to a stick whose file system shows errors: read-only from then on."""
    stick = mounts.tmpfs("stick", "8m")

    def freeze(name: str) -> None:
        if name == ex.CVR_FILE:
            mounts.remount(stick, "ro")

    _fails(prepared, stick, ex.Exporter(prepared.key, after_file=freeze), "export_stick_readonly")
    (left,) = assert_nothing_looks_valid(stick, data)  # it could not even be cleaned up
    assert sorted(p.name for p in left.iterdir()) == [ex.CVR_FILE, "protocols"]
    mounts.remount(stick, "rw")
    _retry_succeeds(prepared, stick, data)


# --- injected faults (run everywhere) ----------------------------------------------------------------------------


def test_injected_write_failure_full_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prepared: Prepared, data: Path
) -> None:
    """INJECTED: the write of the results file fails with ENOSPC half-way (no mount needed)."""
    stick = tmp_path / "stick"
    stick.mkdir()
    real = ex._write_all

    def failing(fd: int, payload: bytes) -> None:
        if len(payload) > 50_000 and b"ElectionResults.ElectionReport" in payload[:200]:
            real(fd, payload[: len(payload) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, payload)

    monkeypatch.setattr(ex, "_write_all", failing)
    _fails(prepared, stick, ex.Exporter(prepared.key), "export_disk_full")
    assert _entries(stick) == []
    monkeypatch.setattr(ex, "_write_all", real)
    _retry_succeeds(prepared, stick, data)


def test_injected_readback_differs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, prepared: Prepared, data: Path
) -> None:
    """INJECTED: the stick gives back other bytes than were written (a failing flash cell)."""
    stick = tmp_path / "stick"
    stick.mkdir()
    real = ex.read_from_device

    def corrupt(path: Path) -> bytes:
        body = real(path)
        return body[:-1] + bytes([body[-1] ^ 1]) if path.name == "device.pub" else body

    monkeypatch.setattr(ex, "read_from_device", corrupt)
    _fails(prepared, stick, ex.Exporter(prepared.key), "export_readback_failed")
    assert _entries(stick) == []
    monkeypatch.setattr(ex, "read_from_device", real)
    _retry_succeeds(prepared, stick, data)
