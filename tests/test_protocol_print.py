"""The printed protocol: deterministic A4 PDF in Kazakh and Russian; its QR codes rendered by
pdftoppm at 150 and 300 dpi, degraded like a phone photo, decoded with pyzbar, reassembled
and verified."""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.cli.protocol import VERIFY_EXIT
from kiosk.election.package import development_trust
from kiosk.protocol import compact
from kiosk.protocol.photo import PhotoEffects, degrade
from kiosk.protocol.printed import qr_texts
from kiosk.protocol.sample import PIN, make_sample_station
from kiosk.protocol.scan import decode_images, pdf_pages
from kiosk.protocol.signed import parse_file, to_file_bytes, verify_document


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    s = make_sample_station(tmp_path_factory.mktemp("p") / "data", sheets_per_style=25)
    d = str(s.data)
    mp = pytest.MonkeyPatch()
    try:
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat", "dana"):
            mp.setattr("sys.stdin", io.StringIO(PIN[m] + "\n"))
            assert main(["protocol", "--data", d, "sign", "--member", m, "--pin-stdin"]) == 0
        assert main(["protocol", "--data", d, "finalise"]) == 0
        assert main(["protocol", "--data", d, "print", "--out", str(s.data / "print")]) == 0
        assert main(["protocol", "--data", d, "print", "--out", str(s.data / "print2")]) == 0
    finally:
        mp.undo()
    return s.data


def test_pdf_bytes_are_deterministic_and_bilingual(printed: Path) -> None:
    pdfs = sorted((printed / "print").glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        assert pdf.read_bytes() == (printed / "print2" / pdf.name).read_bytes()
        assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(printed / "print" / "MZ-LIST.v1.pdf"), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    signed = json.loads((printed / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes())
    from kiosk.protocol.keys import unb64

    lines = json.loads(unb64(signed["payload"]))["lines"]
    for kk, ru in (
        ("ХАТТАМАСЫ", "ПРОТОКОЛ"),
        ("Барлығына қарсы", "Против всех"),
        ("Төраға", "Председатель"),
        ("Бақылау қатынастары", "Контрольные соотношения"),
    ):
        assert kk in text and ru in text
    # Every line's number and value are printed on one row: words with their boxes.
    html = subprocess.run(
        ["pdftotext", "-bbox", str(printed / "print" / "MZ-LIST.v1.pdf"), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    pages = html.split("<page ")[1:]
    words = [
        (n, float(x0), (float(y0) + float(y1)) / 2, w)
        for n, page in enumerate(pages)
        for x0, y0, _, y1, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        )
    ]
    mm = 72 / 25.4
    for number, _, value in lines:
        # the first such word in reading order: the table comes before the ratios ("1 >= 3")
        at = sorted((n, y) for n, x, y, w in words if w == number and x < 27 * mm)
        assert at, number
        n, y = at[0]
        row = [w for m, x, yy, w in words if m == n and abs(yy - y) < 3 and 140 * mm < x < 175 * mm]
        assert row == [str(value)], (number, row)


@pytest.mark.parametrize("dpi", [150, 300])
def test_qr_survives_phone_photo_and_verifies(printed: Path, dpi: int, tmp_path: Path) -> None:
    pdf = printed / "print" / "MZ-SMD-02.v1.pdf"  # 42 candidates: the largest protocol
    signed = (printed / "protocols" / "MZ-SMD-02.v1.protocol.jws.json").read_bytes()
    parts = qr_texts(parse_file(signed))
    assert len(parts) >= 4  # split over several codes
    pages = pdf_pages(pdf, dpi)[-2:]  # the QR pages: signatures and 4 codes, then 2 codes
    photos = []
    for k, page in enumerate(pages):
        effects = PhotoEffects.draw(random.Random(dpi * 100 + k))
        photo = degrade(page, dpi, effects, seed=dpi + k)
        photos.append(photo)
        if k == 0:
            photo.save(tmp_path / f"photo-{dpi}.jpg", quality=60)
    texts = decode_images(photos)
    assert sorted(texts) == sorted(parts)
    (blob,) = compact.join(texts)
    rebuilt = to_file_bytes(compact.from_binary(blob))
    assert rebuilt == signed  # the very bytes of the signed file
    verify_document(parse_file(rebuilt), development_trust())


def test_verify_reads_pdf_and_photos_and_catches_a_changed_print(
    printed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = printed / "print" / "MZ-LIST.v1.pdf"
    assert main(["verify", str(pdf)]) == 0
    out = json.loads(capsys.readouterr().out)["results"][0]
    assert out["ok"] and out["style"] == "MZ-LIST"
    assert out["checked"] == {"form": True, "print": True}
    # Photos of the QR page(s) only, degraded, as JPEG files.
    pages = pdf_pages(pdf, 150)
    files = []
    for k, page in enumerate(pages[-2:]):  # the two QR pages
        f = tmp_path / f"photo{k}.jpg"
        degrade(page, 150, PhotoEffects.draw(random.Random(7 + k)), seed=7 + k).save(f, quality=60)
        files.append(str(f))
    assert main(["verify", *files]) == 0
    capsys.readouterr()
    # A print whose QR is genuine but whose other bytes differ (here one letter of its title)
    # is not the print of the signed protocol.
    data = pdf.read_bytes()
    changed = data.replace(b"Sanaq protocol", b"Sanaq protocoL", 1)
    assert changed != data
    f = tmp_path / "changed.pdf"
    f.write_bytes(changed)
    assert main(["verify", str(f)]) == VERIFY_EXIT["protocol_print_mismatch"]
    capsys.readouterr()
    # A photo with only some of the codes: not all parts, a clear code.
    one = tmp_path / "one.png"
    pages[-1].crop((0, 0, pages[-1].width // 2, pages[-1].height // 3)).save(one)
    assert main(["verify", str(one)]) == VERIFY_EXIT["protocol_qr_unreadable"]
