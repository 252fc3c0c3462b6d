"""Limits on every input (issue 11): the election package, the headquarters key and the
image files, each hostile case refused with a stable code before it costs memory."""

from __future__ import annotations

import base64
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stationkit import CLEAN, make_station

from drivers.folder import FolderScanner
from fieldkit.deck import write_deck
from kiosk.election.load import load_election, read_package_file, sample_package_bytes, trust
from kiosk.election.package import (
    MAX_JSON_DEPTH,
    MAX_PACKAGE_BYTES,
    b64url,
    b64url_decode,
    development_private_key,
    development_trust,
    key_id,
    verify_package,
)
from kiosk.errors import SanaqError
from kiosk.reading.intake import MAX_IMAGE_BYTES, check_header, read_image_file
from kiosk.reading.reader import decode_image


def code_of(fn: object, *args: object) -> str:
    with pytest.raises(SanaqError) as err:
        fn(*args)  # type: ignore[operator]
    return err.value.code


def signed(payload: bytes, protected: dict[str, str] | None = None) -> dict[str, str]:
    """A JWS over any payload bytes with the development key (so the signature is good and
    the refusal is about the content)."""
    key = development_private_key()
    header = protected or {"alg": "Ed25519", "cty": "sanaq.election+json", "kid": key_id(key.public_key())}
    p = b64url(json.dumps(header).encode())
    b = b64url(payload)
    return {"payload": b, "protected": p, "signature": b64url(key.sign(f"{p}.{b}".encode()))}


# --- the package ----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["document", "header", "payload"])
def test_deep_nesting_is_refused_in_every_layer(where: str) -> None:
    bomb = b"[" * 200_000 + b"]" * 200_000
    if where == "document":
        data = b'{"payload": ' + bomb + b', "protected": "", "signature": ""}'
    else:
        doc = signed(bomb) if where == "payload" else signed(b"{}")
        if where == "header":
            key = development_private_key()
            p = b64url(b'{"alg": "Ed25519", "x": ' + bomb + b"}")
            doc = {
                "payload": doc["payload"],
                "protected": p,
                "signature": b64url(key.sign(f"{p}.{doc['payload']}".encode())),
            }
        data = json.dumps(doc).encode()
    assert code_of(verify_package, data, development_trust()) == "package_malformed"


def test_nesting_within_the_limit_is_parsed() -> None:
    ok = b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1)  # inside the outer object
    # A valid JSON text that is simply not a package: refused for that, not for depth.
    with pytest.raises(SanaqError) as err:
        verify_package(b'{"payload": "", "x": ' + ok + b"}", development_trust())
    assert err.value.code == "package_unsigned" and "nested" not in err.value.detail


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    doc = json.loads(sample_package_bytes())
    doc_bytes = json.dumps(doc).encode()
    assert verify_package(doc_bytes, development_trust()).election_hash
    # 10,000 brackets in a string value: not nesting.
    with pytest.raises(SanaqError) as err:
        verify_package(json.dumps({**doc, "note": "[" * 10_000}).encode(), development_trust())
    assert "unknown members" in err.value.detail


@pytest.mark.parametrize("level", ["document", "payload", "nested"])
def test_a_duplicated_key_is_refused_at_every_level(level: str) -> None:
    good = sample_package_bytes()
    doc = json.loads(good)
    if level == "document":
        # The forged payload first: a parser that keeps the first key would see it.
        forged = signed(b'{"forged": true}')["payload"]
        data = (f'{{"payload": "{forged}", ' + good.decode().lstrip()[1:]).encode()
        assert data.count(b'"payload"') == 2
    else:
        payload = b64url_decode(doc["payload"]).decode()
        if level == "payload":
            twisted = payload.replace('{"contests"', '{"format":"x","contests"', 1)
        else:
            twisted = payload.replace('"kk":', '"kk":"forged","kk":', 1)
        assert twisted != payload
        data = json.dumps(signed(twisted.encode())).encode()
    with pytest.raises(SanaqError) as err:
        verify_package(data, development_trust())
    assert err.value.code == "package_malformed" and "duplicate key" in err.value.detail


@pytest.mark.parametrize(
    "junk",
    [
        lambda s: s[:10] + "!!" + s[10:],  # outside the alphabet (the old decoder skipped it)
        lambda s: s[:10] + "\n" + s[10:],
        lambda s: s + "==",  # padding is not base64url in JWS
        lambda s: s.replace("-", "+").replace("_", "/") if ("-" in s or "_" in s) else s[:-1] + "+",
        lambda s: s[:-1] + chr(ord(s[-1]) ^ 1),  # non-canonical trailing bits (or a changed byte)
    ],
)
def test_junk_in_the_signature_base64_is_refused(junk: object) -> None:
    doc = json.loads(sample_package_bytes())
    doc["signature"] = junk(doc["signature"])  # type: ignore[operator]
    code = code_of(verify_package, json.dumps(doc).encode(), development_trust())
    assert code in ("package_malformed", "package_bad_signature")


def test_b64url_is_strict_and_canonical() -> None:
    assert b64url_decode(b64url(b"\x00\xff\x10")) == b"\x00\xff\x10"
    for bad in ("A", "AB!C", "AB C", "AB==", "AB+/", "AR"):  # "AR": unused bits not zero
        with pytest.raises(ValueError):
            b64url_decode(bad)
    assert base64.urlsafe_b64decode("AR==") == base64.urlsafe_b64decode("AQ==")  # why canonical matters


def test_a_huge_package_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(600 * 1024 * 1024)  # sparse: 600 MB by stat, no disk used
    assert code_of(read_package_file, big) == "package_too_large"
    assert code_of(verify_package, b" " * (MAX_PACKAGE_BYTES + 1), development_trust()) == "package_too_large"


def test_a_fifo_or_device_as_package_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pkg.fifo"
    os.mkfifo(fifo)
    assert code_of(load_election, fifo) == "package_malformed"
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    assert code_of(load_election, link) == "package_malformed"


def test_hq_key_files_that_are_not_a_public_pem_are_codes(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    private = tmp_path / "hq.key"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n")
    text = tmp_path / "notes.txt"
    text.write_text("the key is on the other stick")
    assert code_of(trust, private) == "hq_key_is_private"
    assert code_of(trust, junk) == "hq_key_invalid"
    assert code_of(trust, text) == "hq_key_invalid"
    assert code_of(trust, tmp_path / "missing.pub") == "hq_key_invalid"
    assert code_of(trust, tmp_path) == "hq_key_invalid"  # a directory
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli",
            "election",
            "verify",
            str(tmp_path / "x.json"),
            "--hq-key",
            str(private),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_a_refused_package_does_not_stay_behind_after_init(tmp_path: Path) -> None:
    doc = json.loads(sample_package_bytes())
    doc["signature"] = doc["signature"][:-4] + "AAAA"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    data = tmp_path / "st"
    run = subprocess.run(
        [
            sys.executable, "-m", "kiosk.cli", "station", "--data", str(data), "--development",
            "--role", "chair", "--member", "A. Chair", "init", "--election", str(bad),
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert run.returncode == 2
    assert json.loads(run.stderr.splitlines()[-1])["error"]["code"] == "package_bad_signature"
    assert not (data / "election.json").exists() and not (data / "journal.sqlite").exists()


# --- images ---------------------------------------------------------------------------------------


def png_bomb(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height grey pixels (all zero, compressed)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    comp = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    idat = b"".join(comp.compress(row) for _ in range(64)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_symlink_to_dev_zero_and_a_fifo_are_not_read(tmp_path: Path) -> None:
    link = tmp_path / "sheet.png"
    link.symlink_to("/dev/zero")
    r = read_image_file(link)
    assert (
        not isinstance(r, bytes) and r.reason == "image_not_regular_file" and "character device" in r.detail
    )
    fifo = tmp_path / "sheet2.png"
    os.mkfifo(fifo)  # nobody writes: a blocking open or read would hang the test
    r = read_image_file(fifo)
    assert not isinstance(r, bytes) and (r.reason, r.detail) == ("image_not_regular_file", "FIFO")


def test_an_image_file_is_refused_by_its_size_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with open(big, "wb") as f:
        f.truncate(3 * 1024**3)  # sparse 3 GB
    r = read_image_file(big)
    assert not isinstance(r, bytes) and r.reason == "image_too_large"
    assert MAX_IMAGE_BYTES < 3 * 1024**3


@pytest.mark.parametrize(("w", "h"), [(30_000, 30_000), (16_001, 400), (10_000, 9_000)])
def test_pixel_bombs_are_refused_from_the_header(w: int, h: int) -> None:
    data = png_bomb(w, h)
    assert len(data) < 2_000_000
    r = check_header(data)
    assert r is not None and r.reason == "image_size_unsupported" and r.detail.endswith("(header)")
    decoded = decode_image(data)
    assert (
        not isinstance(decoded, type(data)) and getattr(decoded, "reason", None) == "image_size_unsupported"
    )


def test_headers_of_the_ballot_formats_pass() -> None:
    import cv2
    import numpy as np

    img = np.full((1200, 800), 255, np.uint8)
    for ext in (".png", ".jpg", ".tif", ".pgm", ".bmp"):
        ok, buf = cv2.imencode(ext, img)
        assert ok and check_header(buf.tobytes()) is None, ext
    assert check_header(b"GIF89a" + b"\0" * 100) is not None  # not a scan format


def test_the_read_command_refuses_dev_zero_without_reading_it(tmp_path: Path) -> None:
    link = tmp_path / "zero.png"
    link.symlink_to("/dev/zero")
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(30_000, 30_000))
    run = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "read", str(link), str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(x) for x in run.stdout.splitlines()]
    assert [x["reason"] for x in lines] == ["image_not_regular_file", "image_size_unsupported"]


def test_a_hot_folder_returns_an_oversized_sheet_and_counts_the_rest(tmp_path: Path) -> None:
    pkg = load_election(None)
    inbox = tmp_path / "inbox"
    write_deck(pkg.election, pkg.election_hash, "AST-LIST", 2, 4, inbox, CLEAN)
    with open(inbox / "huge.a.png", "wb") as f:
        f.truncate(3 * 1024**3)
    with open(inbox / "huge.b.png", "wb") as f:
        f.truncate(3 * 1024**3)
    st = make_station(tmp_path, mirror=False)
    st.journal.transition("open", "chair")
    summary = st.scan(FolderScanner(inbox), "member", member="M. Member")
    assert (summary.counted, summary.returned, summary.reasons) == (2, 1, {"image_too_large": 1})
    assert sorted(p.name for p in (inbox / "returned").iterdir()) == ["huge.a.png", "huge.b.png"]


def test_an_integer_beyond_canonical_json_is_a_code_not_a_traceback() -> None:
    """Found attacking the loader: a signed payload with voters_on_list = 10**30 passed the
    model and raised rfc8785's IntegerDomainError out of verify_package."""
    from kiosk.election.sample import sample_election

    e = sample_election().model_dump(mode="json")
    e["stations"][0]["voters_on_list"] = 10**30
    data = json.dumps(signed(json.dumps(e).encode())).encode()
    assert code_of(verify_package, data, development_trust()) == "package_invalid"
