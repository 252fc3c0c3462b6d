"""The observer page's builder (no browser): the key and forms built in, the vendored
files checked against PROVENANCE, the command's errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.cli import main
from kiosk.election.package import development_trust
from kiosk.protocol import observer


def _config(page: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="sanaq-config">(.*?)</script>', page, re.S)
    assert m
    config = json.loads(m.group(1))
    assert isinstance(config, dict)
    return config


def test_page_carries_the_key_the_forms_and_the_licences(tmp_path: Path) -> None:
    out = tmp_path / "o.html"
    assert main(["protocol", "observer-page", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    config = _config(page)
    (kid,) = development_trust()
    assert config["hq"]["kid"] == kid and config["hq"]["development"] is True
    (pkg,) = config["packages"]
    assert {"mazhilis-list", "astana-maslikhat-list"} <= set(pkg["contests"])
    assert "Apache License" in page and "The MIT License" in page
    assert "default-src 'none'" in page  # no network from the page
    # Exactly one </script> per script element: nothing inlined closes one early.
    assert page.count("</script>") == 4


def test_another_key_and_no_package_it_signed(tmp_path: Path) -> None:
    pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "hq.pem").write_bytes(pem)
    out = tmp_path / "o.html"
    assert main(["protocol", "observer-page", "--out", str(out), "--hq-key", str(tmp_path / "hq.pem")]) == 0
    config = _config(out.read_text(encoding="utf-8"))
    assert config["hq"]["development"] is False and config["packages"] == []


def test_a_private_key_or_an_unwritable_path_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "hq.pem").write_bytes(pem)
    assert (
        main(
            [
                "protocol",
                "observer-page",
                "--out",
                str(tmp_path / "o.html"),
                "--hq-key",
                str(tmp_path / "hq.pem"),
            ]
        )
        != 0
    )
    assert "hq_key_is_private" in capsys.readouterr().err
    assert main(["protocol", "observer-page", "--out", str(tmp_path / "no" / "o.html")]) != 0
    assert "file_unwritable" in capsys.readouterr().err
    assert not (tmp_path / "o.html").exists()


def test_other_protocol_commands_still_need_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocol", "status"]) == 2
    assert "--data" in capsys.readouterr().err


def test_a_changed_vendored_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(observer.VENDOR_SHA256, "jsQR.js", "0" * 64)
    with pytest.raises(RuntimeError, match="PROVENANCE"):
        observer.build_page(Ed25519PrivateKey.generate().public_key(), "x", [], "sanaq test")
