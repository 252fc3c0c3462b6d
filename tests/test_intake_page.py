"""The aggregate page: served by the intake over TLS, self-contained (inline SVG, no external
assets), and rendered by a real headless chromium (skipped when chromium is absent)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image
from synckit import ServerThread, make_pki, template_protocols

from intake.app import create_app
from intake.service import Intake
from intake.store import Store
from intake.synthetic import multi_station_package, readdress, signed_file, synthetic_station
from kiosk.election.package import development_private_key, development_trust
from kiosk.sync.client import pinned_context

PKG = multi_station_package(5)
BAR = (0x2B, 0x6C, 0xB0)


def test_aggregate_page_and_screenshot(tmp_path: Path) -> None:
    intake = Intake(
        Store(str(tmp_path / "hq.sqlite")), PKG, development_trust(), development_private_key(), lambda: 0.0
    )
    for station in ("1000", "1001", "1003"):
        s = synthetic_station(PKG, station)
        for p in template_protocols():
            intake.accept(signed_file(s, readdress(p, PKG, station)), "https")
    pki = make_pki(tmp_path / "pki")
    server = ServerThread(create_app(intake), pki).start()
    try:
        ctx = pinned_context(pki.ca)
        agg = httpx.get(server.url + "/v1/aggregate", verify=ctx).json()
        html = httpx.get(server.url + "/", verify=ctx).text
    finally:
        server.stop()
    first = template_protocols()[0]
    c = next(c for c in agg["contests"] if c["contest"] == first.contest)
    assert c["stations_missing"] == ["1002", "1004"] and len(c["stations_received"]) == 3
    assert c["lines"] == {lid: 3 * v for _n, lid, v in first.lines}
    # Self-contained: no scripts, no external references; one bar per option of each contest.
    assert not re.search(r"(src|href)=|<script|url\(", html)
    assert html.count("<svg") == len(PKG.election.contests)
    assert html.count("<rect") == sum(len(ct.options) for ct in PKG.election.contests)
    assert "Missing (2): 1002, 1004" in html
    page = tmp_path / "aggregate.html"
    page.write_text(html)

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium absent (Debian package chromium, deploy/system-packages.txt)")
    png = tmp_path / "aggregate.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=900,1400",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    img = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert img.shape[:2] == (1400, 900)
    bar = (np.abs(img - np.array(BAR)).sum(axis=2) < 30).sum()
    dark = (img.sum(axis=2) < 200).sum()  # text
    assert bar > 2000 and dark > 2000
    keep = os.environ.get("SANAQ_KEEP_SCREENSHOT")  # a folder: where to keep the PNG for a person to look at
    if keep:
        shutil.copy(png, Path(keep) / "intake-aggregate.png")
