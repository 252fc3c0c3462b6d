"""The signed election package: every refusal has its own code and nothing loads unverified."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.election.kazakh import kazakh_sort_key
from kiosk.election.load import sample_package_bytes
from kiosk.election.package import (
    b64url,
    b64url_decode,
    canonical_bytes,
    development_private_key,
    development_trust,
    election_hash,
    key_id,
    sign_election,
    verify_package,
)
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.messages import MESSAGES


def _code(data: bytes, trust: dict[str, Any] | None = None) -> str:
    with pytest.raises(SanaqError) as info:
        verify_package(data, trust if trust is not None else development_trust())
    return info.value.code


def _resign(document: dict[str, Any], key: Ed25519PrivateKey | None = None) -> bytes:
    """Sign an arbitrary payload dict (not necessarily a valid election)."""
    import rfc8785

    key = key or development_private_key()
    payload = b64url(rfc8785.dumps(document))
    header = b64url(rfc8785.dumps({"alg": "Ed25519", "kid": key_id(key.public_key())}))
    sig = b64url(key.sign(f"{header}.{payload}".encode()))
    return json.dumps({"payload": payload, "protected": header, "signature": sig}).encode()


def test_sample_verifies_and_hash_is_of_canonical_bytes() -> None:
    pkg = verify_package(sample_package_bytes(), development_trust())
    assert pkg.election == sample_election()
    assert pkg.election_hash == election_hash(sample_election())
    assert len(pkg.election_hash) == 64
    assert "DEVELOPMENT" in pkg.key_label


def test_signing_is_deterministic() -> None:
    assert sign_election(sample_election(), development_private_key()) == sample_package_bytes()


def test_interoperable_with_joserfc() -> None:
    """An independent JOSE implementation accepts our package (RFC 9864 'Ed25519')."""
    from cryptography.hazmat.primitives import serialization
    from joserfc import jws
    from joserfc.jwk import OKPKey

    pem = (
        development_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    key = OKPKey.import_key(pem)
    doc = json.loads(sample_package_bytes())
    result = jws.deserialize_json(doc, key, algorithms=["Ed25519"])
    assert result.payload == canonical_bytes(sample_election())


def test_malformed() -> None:
    assert _code(b"not json at all") == "package_malformed"
    assert _code(b"[1, 2]") == "package_malformed"
    assert _code(b'{"payload": "%%%", "protected": "x", "signature": "y"}') == "package_malformed"
    assert _code(b"\xff\xfe garbage") == "package_malformed"


def test_unsigned() -> None:
    bare = json.dumps(sample_election().model_dump(mode="json")).encode()
    assert _code(bare) == "package_unsigned"
    doc = json.loads(sample_package_bytes())
    del doc["signature"]
    assert _code(json.dumps(doc).encode()) == "package_unsigned"
    doc = json.loads(sample_package_bytes())
    doc["protected"] = b64url(b'{"alg":"none"}')
    assert _code(json.dumps(doc).encode()) == "package_unsigned"


def test_tampered_payload_fails_signature() -> None:
    doc = json.loads(sample_package_bytes())
    payload = json.loads(b64url_decode(doc["payload"]))
    payload["stations"][0]["voters_on_list"] += 1
    import rfc8785

    doc["payload"] = b64url(rfc8785.dumps(payload))
    assert _code(json.dumps(doc).encode()) == "package_bad_signature"


def test_flipped_signature_bit() -> None:
    doc = json.loads(sample_package_bytes())
    sig = bytearray(b64url_decode(doc["signature"]))
    sig[5] ^= 1
    doc["signature"] = b64url(bytes(sig))
    assert _code(json.dumps(doc).encode()) == "package_bad_signature"


def test_wrong_key() -> None:
    other = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
    assert _code(sign_election(sample_election(), other)) == "package_unknown_key"
    # Wrong key presenting the pinned key's id: the signature check catches it.
    doc = json.loads(sign_election(sample_election(), other))
    header = json.loads(b64url_decode(doc["protected"]))
    header["kid"] = key_id(development_private_key().public_key())
    doc["protected"] = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    assert _code(json.dumps(doc).encode()) == "package_bad_signature"


def test_unknown_version() -> None:
    raw = sample_election().model_dump(mode="json")
    raw["format"] = "sanaq.election/99"
    assert _code(_resign(raw)) == "package_unknown_version"


def test_invalid_content() -> None:
    raw = sample_election().model_dump(mode="json")
    raw["styles"][0]["contest"] = "no-such-contest"
    assert _code(_resign(raw)) == "package_invalid"
    raw = sample_election().model_dump(mode="json")
    raw["contests"][0]["options"].reverse()  # 'against all' no longer last
    assert _code(_resign(raw)) == "package_invalid"
    raw = sample_election().model_dump(mode="json")
    raw["protocols"][0]["ratios"][0]["left"] = ["no_such_line"]
    assert _code(_resign(raw)) == "package_invalid"


def test_every_error_code_has_three_languages() -> None:
    for code, texts in MESSAGES.items():
        assert set(texts) == {"kk", "ru", "en"}, code
        assert all(t.strip() for t in texts.values()), code
        assert texts["kk"] != texts["en"] and texts["ru"] != texts["en"], code


def test_sample_matches_the_reference_election() -> None:
    e = sample_election()
    mazhilis = e.contest("mazhilis-list")
    assert [o.id for o in mazhilis.options] == [
        "amanat",
        "auyl",
        "respublica",
        "qhp",
        "baitaq",
        "ak-zhol",
        "jsdp",
        "against-all",
    ]
    district = e.contest("mazhilis-smd-astana-2")
    assert len(district.options) == 43 and district.options[-1].against_all
    names = [o.name.kk for o in district.options[:-1]]
    assert names == sorted(names, key=kazakh_sort_key)
    station = e.station("379")
    assert station.voters_on_list == 2494
    assert sum(station.ballots_received.values()) == 10076
    assert len(station.styles) == 4
    ratios = {r.id for p in e.protocols for r in p.ratios}
    assert ratios == {"r1", "r2", "r3", "r4", "r5"}


def test_kazakh_order() -> None:
    words = ["Ұзақов", "Әбенов", "Абаев", "Үмбетов", "Ғабдуллин", "Қасымов", "Іргебаев"]
    assert sorted(words, key=kazakh_sort_key) == [
        "Абаев",
        "Әбенов",
        "Ғабдуллин",
        "Қасымов",
        "Ұзақов",
        "Үмбетов",
        "Іргебаев",
    ]


def _sanaq(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_sample_sign_verify_roundtrip(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg.json"
    assert _sanaq("election", "sample", "--out", str(pkg)).returncode == 0
    shown = _sanaq("election", "show", str(pkg))
    assert shown.returncode == 0
    assert "Барлығына қарсы" in shown.stdout and "DEVELOPMENT" in shown.stdout
    # Headquarters with its own key: keygen, sign, verify with that key pinned; the dev key refuses it.
    assert _sanaq("election", "keygen", "--out", str(tmp_path / "hq")).returncode == 0
    doc = tmp_path / "election.json"
    doc.write_text(_sanaq("election", "show", str(pkg), "--json").stdout)
    signed = tmp_path / "signed.json"
    r = _sanaq("election", "sign", str(doc), "--key", str(tmp_path / "hq.key"), "--out", str(signed))
    assert r.returncode == 0, r.stderr
    ok = _sanaq("election", "verify", str(signed), "--hq-key", str(tmp_path / "hq.pub"))
    assert ok.returncode == 0 and json.loads(ok.stdout)["election_hash"] == election_hash(sample_election())
    refused = _sanaq("election", "verify", str(signed))
    assert refused.returncode == 2
    err = json.loads(refused.stderr)["error"]
    assert err["code"] == "package_unknown_key" and err["kk"] and err["ru"]


def test_error_code_doc_is_in_step() -> None:
    from kiosk.messages import markdown_table

    doc = (Path(__file__).resolve().parent.parent / "docs" / "error-codes.md").read_text(encoding="utf-8")
    assert markdown_table() in doc
