"""`sanaq export` and `sanaq export verify` end to end: the folder, the signed manifest, re-export,
refusals with codes, and every kind of change to a finished export caught with its code."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from exportkit import DECK, finalised_station, shared_station, station_argv, write_device_key
from joserfc import jws
from joserfc.jwk import OKPKey

from kiosk.cli import main
from kiosk.errors import SanaqError
from kiosk.protocol import export as ex


@pytest.fixture(scope="module")
def base() -> Path:
    return shared_station()


@pytest.fixture
def data(base: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(base, copy)
    return copy


def _protocol(tmp: Path) -> Path:
    p = tmp / "MZ-LIST.protocol.jws.json"
    p.write_bytes(b'{"payload":"opaque to the export","signatures":[]}')
    return p


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, Any, dict[str, Any] | None]:
    rc = main(argv)
    out, err = capsys.readouterr()
    error = json.loads(err.strip().splitlines()[-1])["error"] if rc and err.strip() else None
    body = json.loads(out) if out.strip().startswith("{") and "\n}" in out else out
    return rc, body, error


def _exported(capsys: pytest.CaptureFixture[str], data: Path, stick: Path, tmp: Path) -> Path:
    rc, body, error = _run(
        capsys, ["export", "--data", str(data), "--to", str(stick), "--protocol", str(_protocol(tmp))]
    )
    assert rc == 0, error
    return Path(body["export"])


def test_export_writes_a_signed_complete_folder(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    folder = _exported(capsys, data, stick, tmp_path)
    assert folder.parent == stick and folder.name.startswith("sanaq-kz-2023-03-19-sample-379-")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "MANIFEST.jws.json",
        "cvr.nist-1500-103.json",
        "device.pub",
        "protocols/MZ-LIST.protocol.jws.json",
        "results.nist-1500-100.json",
    ]
    assert list(stick.iterdir()) == [folder]  # no temporary or partial names left
    # The protocol is copied byte for byte.
    assert (folder / "protocols" / "MZ-LIST.protocol.jws.json").read_bytes() == _protocol(
        tmp_path
    ).read_bytes()
    # The manifest is a standard JWS: an independent library verifies it with device.pub.
    pub = OKPKey.import_key((data / "device.pub").read_bytes())
    token = jws.deserialize_json(json.loads((folder / ex.MANIFEST).read_bytes()), pub, algorithms=["Ed25519"])
    manifest = json.loads(token.payload)
    assert token.headers()["kid"] == pub.thumbprint() == manifest["device_key"]
    assert (
        manifest["export"] == folder.name and manifest["station"] == "379" and manifest["mode"] == "official"
    )
    for entry in manifest["files"]:
        body = (folder / entry["name"]).read_bytes()
        assert entry["size"] == len(body)
    # Both NIST files validate through the command.
    rc, out, _ = _run(
        capsys, ["export", "validate", str(folder / ex.RESULTS_FILE), str(folder / ex.CVR_FILE)]
    )
    assert rc == 0 and [json.loads(line)["valid"] for line in out.splitlines()] == [True, True]
    rc, report, _ = _run(capsys, ["export", "--data", str(data), "verify", str(folder)])
    assert rc == 0 and report["ok"] and report["files"] == 4
    rc, report, _ = _run(capsys, ["export", "verify", str(folder), "--data", str(data)])
    assert rc == 0 and report["ok"]


def test_reexport_never_overwrites(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    first = _exported(capsys, data, stick, tmp_path)
    before = {p: p.read_bytes() for p in first.rglob("*") if p.is_file()}
    # Same second or not, the second export gets a folder of its own.
    second = _exported(capsys, data, stick, tmp_path)
    third = _exported(capsys, data, stick, tmp_path)
    assert len({first, second, third}) == 3
    assert {p: p.read_bytes() for p in first.rglob("*") if p.is_file()} == before
    pub = ex.load_public_key(data / "device.pub")
    assert all(ex.verify_export(f, pub).ok for f in (first, second, third))
    taken = stick / "sanaq-taken"
    taken.mkdir()
    assert ex._free_name(stick, "sanaq-taken").name == "sanaq-taken-2"


# --- refusals before anything is written ---------------------------------------------------------------


def test_refusals_have_codes_and_write_nothing(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    argv = ["export", "--data", str(data), "--to", str(stick)]
    # No stick mounted there.
    rc, _, error = _run(capsys, ["export", "--data", str(data), "--to", str(tmp_path / "nowhere")])
    assert (
        rc == 2 and error is not None and error["code"] == "export_stick_gone" and error["kk"] and error["ru"]
    )
    # device.pub from another key.
    good_pub = (data / "device.pub").read_bytes()
    write_device_key(tmp_path / "other", seed=9)
    shutil.copy(tmp_path / "other" / "device.pub", data / "device.pub")
    rc, _, error = _run(capsys, argv)
    assert rc == 2 and error is not None and error["code"] == "export_device_key_missing"
    (data / "device.pub").write_bytes(good_pub)
    # No device key at all.
    (data / "device.key").rename(tmp_path / "device.key")
    rc, _, error = _run(capsys, argv)
    assert rc == 2 and error is not None and error["code"] == "export_device_key_missing"
    (tmp_path / "device.key").rename(data / "device.key")
    # A test-mode export of a finalised station.
    rc, _, error = _run(capsys, [*argv, "--mode", "test"])
    assert rc == 2 and error is not None and error["code"] == "export_not_allowed_now"
    # Not a protocol file.
    rc, _, error = _run(capsys, [*argv, "--protocol", str(data / "station.json")])
    assert rc == 2 and error is not None and error["code"] == "export_file_unexpected"
    assert list(stick.iterdir()) == []


def test_refused_while_open_and_while_review_waits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    stick = tmp_path / "stick"
    stick.mkdir()
    # Every sheet has a hesitation dot: some wait for the commission.
    finalised_station(
        data, n=6, seed=8, opt=dataclasses.replace(DECK, hesitation=1.0), decide=False, finalise=False
    )
    capsys.readouterr()
    rc, _, error = _run(capsys, ["export", "--data", str(data), "--to", str(stick)])
    assert rc == 2 and error is not None and error["code"] == "export_not_allowed_now"
    assert main(station_argv(data, "close")) == 0
    assert main(station_argv(data, "finalise")) == 0  # the lifecycle lets it through
    capsys.readouterr()
    assert main(station_argv(data, "tally", "--json")) == 0
    tally = json.loads(capsys.readouterr().out)
    assert sum(c["review_pending"] for c in tally["contests"].values()) >= 1  # this deck has one
    rc, _, error = _run(capsys, ["export", "--data", str(data), "--to", str(stick)])
    assert rc == 2 and error is not None and error["code"] == "export_count_incomplete"
    assert list(stick.iterdir()) == []


# --- every change to a finished export is caught ---------------------------------------------------------


def _flip_byte(path: Path) -> None:
    body = bytearray(path.read_bytes())
    body[len(body) // 2] ^= 0x01
    path.write_bytes(bytes(body))


def _change_a_count(folder: Path) -> None:
    doc = json.loads((folder / ex.RESULTS_FILE).read_bytes())
    sel = doc["Election"][0]["Contest"][0]["ContestSelection"][0]["VoteCounts"][0]
    sel["Count"] += 1
    (folder / ex.RESULTS_FILE).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


def _rewrite_manifest_payload(folder: Path) -> None:
    """A new file list with the matching hash of a changed file, under the old signature."""
    _change_a_count(folder)
    outer = json.loads((folder / ex.MANIFEST).read_bytes())
    manifest = json.loads(ex.b64u_decode(outer["payload"]))
    body = (folder / ex.RESULTS_FILE).read_bytes()
    import hashlib

    for entry in manifest["files"]:
        if entry["name"] == ex.RESULTS_FILE:
            entry.update(size=len(body), sha256=hashlib.sha256(body).hexdigest())
    import rfc8785

    outer["payload"] = ex.b64u(rfc8785.dumps(manifest))
    (folder / ex.MANIFEST).write_text(json.dumps(outer))


def _resign_with_another_key(folder: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    outer = json.loads((folder / ex.MANIFEST).read_bytes())
    manifest = json.loads(ex.b64u_decode(outer["payload"]))
    (folder / ex.MANIFEST).write_bytes(ex.sign_manifest(manifest, Ed25519PrivateKey.generate()))


def _rename_folder(folder: Path) -> None:
    folder.rename(folder.with_name(folder.name + "-copy"))


TAMPERS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "one byte of the CVR file": (lambda f: _flip_byte(f / ex.CVR_FILE), "export_file_changed"),
    "a count in the results": (_change_a_count, "export_file_changed"),
    "the protocol copy": (
        lambda f: _flip_byte(f / "protocols" / "MZ-LIST.protocol.jws.json"),
        "export_file_changed",
    ),
    "one byte of the manifest's signature": (lambda f: _flip_byte(f / ex.MANIFEST), "export_bad_signature"),
    "the manifest rewritten to match": (_rewrite_manifest_payload, "export_bad_signature"),
    "re-signed by another key": (_resign_with_another_key, "export_wrong_key"),
    "a file removed": (lambda f: (f / ex.CVR_FILE).unlink(), "export_file_missing"),
    "a file added": (lambda f: (f / "extra.json").write_text("{}"), "export_file_unexpected"),
    "the manifest removed": (lambda f: (f / ex.MANIFEST).unlink(), "export_incomplete"),
    "the folder renamed": (_rename_folder, "export_file_changed"),
}


@pytest.mark.parametrize("what", list(TAMPERS))
def test_verify_catches_every_change(
    what: str, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    folder = _exported(capsys, data, stick, tmp_path)
    change, code = TAMPERS[what]
    change(folder)
    (target,) = list(stick.iterdir())
    rc, report, error = _run(capsys, ["export", "verify", str(target), "--pub", str(data / "device.pub")])
    assert rc == 2 and error is not None and error["code"] == code, (what, report)
    assert report["ok"] is False and report["code"] == code
    assert error["kk"] and error["ru"] and error["en"]


def test_links_on_the_stick_are_not_followed(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stick prepared by someone else: a link named like a stale partial export, pointing off the
    stick, is neither emptied nor written through."""
    stick = tmp_path / "stick"
    stick.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    (stick / "sanaq-kz-2023-03-19-sample-379-20000101T000000Z.partial").symlink_to(outside)
    folder = _exported(capsys, data, stick, tmp_path)
    assert (outside / "keep.txt").read_text() == "keep" and sorted(os.listdir(outside)) == ["keep.txt"]
    assert ex.verify_export(folder, ex.load_public_key(data / "device.pub")).ok


def test_verify_needs_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["export", "verify", str(tmp_path)])
    assert rc == 2 and "--pub" in capsys.readouterr().err


def test_export_file_names_are_checked() -> None:
    for bad in ("../x", "/etc/passwd", "a/b/c", ".hidden", "MANIFEST.jws.json", ""):
        with pytest.raises(SanaqError):
            ex.ExportFile(bad, b"", "protocol")
    assert ex.ExportFile("protocols/a.protocol.jws.json", b"", "protocol").name


def test_device_key_file_mode(base: Path) -> None:
    assert os.stat(base / "device.key").st_mode & 0o777 == 0o600


def test_test_mode_export_while_testing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The logic-and-accuracy deck's results leave on a stick too, marked as a test everywhere."""
    data = tmp_path / "data"
    stick = tmp_path / "stick"
    stick.mkdir()
    for argv in (["init"], ["--role", "technician", "start-test"], ["scan", "sim:?n=4&seed=2&test=1"]):
        assert main(station_argv(data, *argv)) == 0
    capsys.readouterr()
    rc, _, error = _run(capsys, ["export", "--data", str(data), "--to", str(stick)])
    assert rc == 2 and error is not None and error["code"] == "export_not_allowed_now"
    rc, body, error = _run(capsys, ["export", "--data", str(data), "--to", str(stick), "--mode", "test"])
    assert rc == 0, error
    folder = Path(body["export"])
    assert folder.name.endswith("-test")
    results = json.loads((folder / ex.RESULTS_FILE).read_bytes())
    assert results["IsTest"] is True and results["Election"][0]["BallotCounts"][0]["BallotsCast"] == 4
    assert ex.verify_export(folder, ex.load_public_key(data / "device.pub")).ok
