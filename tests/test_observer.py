"""The observer's verifier page in a real headless chromium (DevTools protocol over a pipe):
the printed protocol's pages rendered by pdftoppm (one degraded like a phone photo) fed
through the page's file input -> valid with every line; a line changed (totals to match)
and re-encoded into QR codes -> invalid (bad signature); a signature by a key not on the
enrolment -> invalid; the page built with another headquarters key -> invalid; some codes
missing -> incomplete. Each verdict is compared with the Python reference (verify_document).

Screenshots go to $SANAQ_OBSERVER_SHOTS (a folder) when set, else to the test's tmp folder.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import segno
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from observer_browser import Browser, chromium_path
from PIL import Image

from kiosk.cli import main
from kiosk.election.package import development_trust
from kiosk.errors import SanaqError
from kiosk.protocol import compact
from kiosk.protocol.keys import b64, unb64
from kiosk.protocol.model import Protocol
from kiosk.protocol.photo import PhotoEffects, degrade
from kiosk.protocol.sample import PIN, make_sample_station
from kiosk.protocol.signed import canonical, parse_file, sign, verify_document

CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium): the page needs a real browser",
)
DPI = 150
STYLE = "MZ-LIST"


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Path:
    s = make_sample_station(tmp_path_factory.mktemp("obs") / "data", sheets_per_style=25)
    d = str(s.data)
    mp = pytest.MonkeyPatch()
    try:
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat", "dana"):
            mp.setattr("sys.stdin", io.StringIO(PIN[m] + "\n"))
            assert main(["protocol", "--data", d, "sign", "--member", m, "--pin-stdin"]) == 0
        assert main(["protocol", "--data", d, "finalise"]) == 0
        assert main(["protocol", "--data", d, "print", "--out", str(s.data / "print")]) == 0
    finally:
        mp.undo()
    return s.data


@pytest.fixture(scope="module")
def pages(station: Path) -> list[Path]:
    """The printed protocol's pages as pdftoppm renders them; the last one degraded like a photo."""
    out = station / "png"
    out.mkdir()
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(station / "print" / f"{STYLE}.v1.pdf"), str(out / "p")],
        check=True,
    )
    rendered = sorted(out.glob("p-*.png"))
    assert len(rendered) == 3
    photo = out / "photo-3.jpg"
    with Image.open(rendered[2]) as im:
        degrade(im, DPI, PhotoEffects.draw(random.Random(3)), seed=3).save(photo, quality=90)
    return [rendered[1], photo]


@pytest.fixture(scope="module")
def signed(station: Path) -> dict[str, Any]:
    return parse_file((station / "protocols" / f"{STYLE}.v1.protocol.jws.json").read_bytes())


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page") / "observer.html"
    assert main(["protocol", "observer-page", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def other_hq_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("page2")
    pem = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (d / "hq.pub.pem").write_bytes(pem)
    assert (
        main(
            [
                "protocol",
                "observer-page",
                "--out",
                str(d / "observer.html"),
                "--hq-key",
                str(d / "hq.pub.pem"),
            ]
        )
        == 0
    )
    return d / "observer.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    b = Browser(CHROMIUM)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("SANAQ_OBSERVER_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def qr_images(document: dict[str, Any], folder: Path) -> list[Path]:
    """The document's QR codes as printed.py makes them (level Q), one picture each, as a
    person photographs them one by one."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k, t in enumerate(compact.split(compact.to_binary(document))):
        path = folder / f"code-{k + 1}.png"
        segno.make_qr(t, error="q", boost_error=False).save(str(path), kind="png", scale=6, border=8)
        out.append(path)
    return out


def reference_code(document: dict[str, Any], trust: Any = None) -> str:
    try:
        verify_document(document, trust or development_trust())
    except SanaqError as exc:
        return exc.code
    return "ok"


def run_page(
    browser: Browser, page: Path, files: list[Path], shot: Path, fragment: str = ""
) -> dict[str, Any]:
    browser.open(page.as_uri() + fragment)
    browser.set_files("#file", files)
    browser.wait_for("document.body.dataset.state === 'done' || document.body.dataset.verdict === 'none'", 40)
    result = browser.evaluate(
        """(() => ({
          verdict: document.body.dataset.verdict,
          codes: [...document.querySelectorAll('.verdict')].map(e => e.dataset.code),
          detail: [...document.querySelectorAll('.verdict .detail')].map(e => e.textContent).join(' | '),
          heading: [...document.querySelectorAll('.verdict h2')].map(e => e.textContent).join(' | '),
          lines: [...document.querySelectorAll('tr[data-line]')].map(tr => [tr.dataset.line, +tr.querySelector('.val').textContent]),
          engine: document.getElementById('engine').textContent,
        }))()"""
    )
    browser.screenshot(shot)
    assert isinstance(result, dict)
    return result


def payload_of(document: dict[str, Any]) -> dict[str, Any]:
    payload = json.loads(unb64(document["payload"]))
    assert isinstance(payload, dict)
    return payload


def test_valid_printed_protocol_from_rendered_pages(
    browser: Browser, page: Path, pages: list[Path], signed: dict[str, Any], shots: Path
) -> None:
    assert reference_code(signed) == "ok"
    r = run_page(browser, page, pages, shots / "observer-valid.png")
    assert r["verdict"] == "valid", r
    assert r["codes"] == ["ok"]
    assert "ЖАРАМДЫ" in r["heading"] and "ДЕЙСТВИТЕЛЕН" in r["heading"]
    assert r["engine"] == "WebCrypto"
    # Every line of the signed payload, in order, with its value.
    assert r["lines"] == [[i, v] for _, i, v in payload_of(signed)["lines"]]
    text = browser.evaluate("document.getElementById('result').innerText")
    assert "Жарамды бюллетеньдер саны" in text and "Число действительных бюллетеней" in text
    # As a phone shows it (412 px wide): nothing wider than the screen.
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 412, "height": 900, "deviceScaleFactor": 1, "mobile": True},
    )
    assert browser.evaluate("document.documentElement.scrollWidth") <= 412
    browser.screenshot(shots / "observer-valid-phone.png")


def test_bundled_ed25519_gives_the_same_verdicts(
    browser: Browser, page: Path, signed: dict[str, Any], tmp_path: Path, shots: Path
) -> None:
    """#engine=noble: the bundled @noble/ed25519 instead of the browser's WebCrypto."""
    r = run_page(
        browser,
        page,
        qr_images(signed, tmp_path / "clean"),
        shots / "observer-noble-valid.png",
        "#engine=noble",
    )
    assert (r["verdict"], r["engine"]) == ("valid", "@noble/ed25519 2.3.0"), r
    bad = copy.deepcopy(signed)
    sig = bytearray(unb64(bad["signatures"][1]["signature"]))
    sig[5] ^= 1
    bad["signatures"][1]["signature"] = b64(bytes(sig))
    assert reference_code(bad) == "protocol_bad_signature"
    r = run_page(browser, page, qr_images(bad, tmp_path / "bad"), tmp_path / "x.png", "#engine=noble")
    assert (r["verdict"], r["codes"]) == ("invalid", ["protocol_bad_signature"]), r


def test_a_line_changed_with_totals_to_match_is_invalid(
    browser: Browser, page: Path, signed: dict[str, Any], tmp_path: Path, shots: Path
) -> None:
    doc = copy.deepcopy(signed)
    payload = payload_of(doc)
    lines = {ln[1]: ln for ln in payload["lines"]}
    votes = [ln for ln in payload["lines"] if ln[1].startswith("votes")]
    # One vote moved from one party to another: every ratio still holds.
    src = next(ln for ln in votes if ln[2] > 0)
    dst = next(ln for ln in votes if ln is not src)
    src[2] -= 1
    dst[2] += 1
    assert lines
    doc["payload"] = b64(canonical(payload))
    assert reference_code(doc) == "protocol_bad_signature"
    r = run_page(browser, page, qr_images(doc, tmp_path / "tampered"), shots / "observer-tampered.png")
    assert r["verdict"] == "invalid", r
    assert r["codes"] == ["protocol_bad_signature"]
    assert "ЖАРАМСЫЗ" in r["heading"] and "НЕДЕЙСТВИТЕЛЕН" in r["heading"]
    assert r["lines"] == []  # nothing of a refused protocol is shown as if it counted


def test_a_signature_by_a_key_not_on_the_enrolment_is_invalid(
    browser: Browser, page: Path, signed: dict[str, Any], tmp_path: Path, shots: Path
) -> None:
    p = Protocol.from_json(payload_of(signed))
    mallory = Ed25519PrivateKey.generate()
    # dana's signature replaced by one made with another key in her name.
    doc = copy.deepcopy(signed)
    prot, sig = sign(p, "dana", mallory)
    doc["signatures"] = [
        s for s in doc["signatures"] if json.loads(unb64(s["protected"]))["sanaq.signer"] != "dana"
    ] + [{"protected": prot, "signature": sig}]
    assert reference_code(doc) == "protocol_unknown_signer"
    r = run_page(browser, page, qr_images(doc, tmp_path / "mallory"), shots / "observer-wrong-signer.png")
    assert (r["verdict"], r["codes"]) == ("invalid", ["protocol_unknown_signer"]), r
    assert "dana" in r["detail"]


def test_page_built_with_another_headquarters_key_refuses(
    browser: Browser, other_hq_page: Path, signed: dict[str, Any], tmp_path: Path, shots: Path
) -> None:
    r = run_page(browser, other_hq_page, qr_images(signed, tmp_path / "q"), shots / "observer-other-hq.png")
    assert (r["verdict"], r["codes"]) == ("invalid", ["protocol_enrolment_bad"]), r
    assert "headquarters key built into this page" in r["detail"]


def test_missing_codes_say_which(
    browser: Browser, page: Path, signed: dict[str, Any], tmp_path: Path, shots: Path
) -> None:
    codes = qr_images(signed, tmp_path / "q")
    assert len(codes) == 5
    r = run_page(browser, page, codes[:2] + codes[3:], shots / "observer-incomplete.png")
    assert (r["verdict"], r["codes"]) == ("incomplete", ["protocol_qr_unreadable"]), r
    assert "4 of 5 (missing 3)" in r["detail"]
    # The missing photo added to what was read: valid.
    browser.set_files("#file", codes[2:3])
    browser.wait_for("document.body.dataset.verdict === 'valid'", 20)


def _js_verdict(browser: Browser, document: dict[str, Any]) -> str:
    texts = compact.split(compact.to_binary(document))
    return str(
        browser.evaluate(
            f"""(async () => {{
              try {{
                const blobs = await joinParts({json.dumps(texts)});
                for (const b of blobs) await verifyDocument(await fromBinary(b));
                return "ok";
              }} catch (e) {{ return e.code || ("exception " + e); }}
            }})()"""
        )
    )


def test_the_page_agrees_with_sanaq_verify_on_each_tamper_case(
    browser: Browser, page: Path, signed: dict[str, Any]
) -> None:
    """The page's checks run on the QR texts directly (no pictures), against the reference."""
    browser.open(page.as_uri())

    def header(s: dict[str, str]) -> dict[str, Any]:
        h = json.loads(unb64(s["protected"]))
        assert isinstance(h, dict)
        return h

    def with_header(s: dict[str, str], **change: Any) -> dict[str, str]:
        h = {**header(s), **change}
        return {"protected": b64(canonical(h)), "signature": s["signature"]}

    cases: dict[str, dict[str, Any]] = {"valid": copy.deepcopy(signed)}
    d = copy.deepcopy(signed)
    d["signatures"] = [s for s in d["signatures"] if header(s)["sanaq.signer"] != "aigerim"]
    cases["chair's approval removed"] = d
    d = copy.deepcopy(signed)
    sig = bytearray(unb64(d["enrolment"]["signature"]))
    sig[0] ^= 0x80
    d["enrolment"]["signature"] = b64(bytes(sig))
    cases["enrolment signature flipped"] = d
    d = copy.deepcopy(signed)
    payload = payload_of(d)
    payload["station"] = "380"
    d["payload"] = b64(canonical(payload))
    cases["another station"] = d
    d = copy.deepcopy(signed)
    payload = payload_of(d)
    payload["lines"][0][2] += 1  # voters on the list: no ratio notices, the signatures do
    d["payload"] = b64(canonical(payload))
    cases["one line changed"] = d
    d = copy.deepcopy(signed)
    d["signatures"].append(d["signatures"][0])
    cases["a signature twice"] = d
    d = copy.deepcopy(signed)
    d["signatures"][1] = with_header(d["signatures"][1], extra="x")
    cases["an unknown header field"] = d
    d = copy.deepcopy(signed)
    d["signatures"][1] = with_header(d["signatures"][1], kid="0" * 16)
    cases["a kid that is not the enrolled key's"] = d
    d = copy.deepcopy(signed)
    d["signatures"][1] = with_header(d["signatures"][1], **{"sanaq.signer": "mallory"})
    cases["a signer not on the roster"] = d
    d = copy.deepcopy(signed)
    d["signatures"][1] = with_header(d["signatures"][1], **{"sanaq.vote": "dissent"})
    cases["a vote changed"] = d
    d = copy.deepcopy(signed)
    payload = payload_of(d)
    payload["lines"][0][2] = 10_000_001
    d["payload"] = b64(canonical(payload))
    cases["a value out of range"] = d
    got = {name: _js_verdict(browser, doc) for name, doc in cases.items()}
    want = {name: reference_code(doc) for name, doc in cases.items()}
    assert got == want
    assert want["valid"] == "ok" and len(set(want.values())) >= 6


def _y4m(frames: Sequence[Image.Image], path: Path, repeat: int) -> Path:
    """A raw YUV 4:2:0 video (each frame `repeat` times) for chromium's fake camera."""
    w, h = (max(f.width for f in frames) + 1) // 2 * 2, (max(f.height for f in frames) + 1) // 2 * 2
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode())
        for f in frames:
            canvas = Image.new("L", (w, h), 255)
            canvas.paste(f.convert("L"), ((w - f.width) // 2, (h - f.height) // 2))
            chroma = bytes([128]) * ((w // 2) * (h // 2) * 2)
            for _ in range(repeat):
                out.write(b"FRAME\n" + canvas.tobytes() + chroma)
    return path


def test_live_camera_reads_the_codes_one_after_another(
    signed: dict[str, Any], page: Path, tmp_path: Path, shots: Path
) -> None:
    """The camera button with chromium's fake camera playing the codes one by one."""
    assert CHROMIUM is not None
    frames = [Image.open(p) for p in qr_images(signed, tmp_path / "codes")]
    video = _y4m(frames, tmp_path / "codes.y4m", repeat=8)
    b = Browser(
        CHROMIUM,
        (
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ),
    )
    try:
        b.open(page.as_uri())
        b.evaluate("document.getElementById('camera').click()")
        b.wait_for("document.body.dataset.verdict === 'valid'", 30)
        assert b.evaluate("document.getElementById('video').hidden")  # the camera stops itself
        b.screenshot(shots / "observer-camera-valid.png")
    finally:
        b.close()
