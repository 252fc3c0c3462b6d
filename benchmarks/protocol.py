"""The station protocol: build, sign, print, verify, and read back from phone-photo-like renders.

    .venv/bin/python benchmarks/protocol.py [--sheets 1000] [--renders 200] [--out FILE]

1. All protocols of the sample station (four ballot types), each built from the journal on
   disk (tally, commission decisions, chain head), signed by the device and three members
   (keys unlocked beforehand; unlocking one key, scrypt, is timed on its own), verified and
   rendered to PDF with its QR codes. Target: under 2 s on one core.
2. `sanaq verify` of one protocol file: in process (parse, every signature, the enrolment,
   ratios, the form) and as a fresh `sanaq verify` process. Target: under 100 ms.
3. QR decode success over N degraded renders: each render is the QR pages of one protocol
   (pdftoppm at 150 or 300 dpi in turn), each page degraded like a phone photo (perspective,
   blur, glare, uneven light, noise, JPEG 60) with its own seed, decoded with pyzbar,
   reassembled and verified. Success = the very bytes of the signed file rebuilt and
   verified. Target: at least 99.5 %.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.cli import main as sanaq
from kiosk.election.load import load_election, trust
from kiosk.protocol import compact
from kiosk.protocol.desk import Desk, JournalFacts, commission_decided
from kiosk.protocol.keys import load_device_key, unlock_member_key
from kiosk.protocol.photo import PhotoEffects, degrade, harsher
from kiosk.protocol.printed import render_pdf
from kiosk.protocol.sample import PIN, make_sample_station
from kiosk.protocol.scan import decode_images, pdf_pages
from kiosk.protocol.signed import DEVICE, assemble, parse_file, sign, to_file_bytes, verify_document
from kiosk.protocol.store import ProtocolStore
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock


def build_sign_print(data: Path, keys: Mapping[str, object], device: object) -> dict[str, object]:
    pkg = load_election(data / "election.json")
    journal = Journal.open(data / "journal.sqlite", FixedClock())
    store = ProtocolStore.open(data / "journal.sqlite", FixedClock().now_iso)
    enrol = json.loads((data / "enrolment.json").read_text())
    desk = Desk(pkg.election, pkg.election_hash, journal.meta("station"), store, enrol, trust(None))
    timings: dict[str, float] = {"build": 0.0, "sign": 0.0, "verify": 0.0, "render": 0.0}
    pages = 0
    t_all = time.perf_counter()
    c_all = time.process_time()
    tally = journal.tally("official")
    records = list(journal.cast_vote_records("official"))
    head = journal.chain_head()
    for contest in desk.contests():
        t = time.perf_counter()
        facts = JournalFacts(
            dict(tally.contests.get(contest, {})), commission_decided(records, contest), head
        )
        p = desk.build(contest, facts)
        timings["build"] += time.perf_counter() - t
        t = time.perf_counter()
        sigs = [sign(p, DEVICE, device)]  # type: ignore[arg-type]
        sigs += [sign(p, m, k) for m, k in keys.items()]  # type: ignore[arg-type]
        doc = assemble(p, sigs, enrol)
        timings["sign"] += time.perf_counter() - t
        t = time.perf_counter()
        v = verify_document(doc, trust(None))
        timings["verify"] += time.perf_counter() - t
        t = time.perf_counter()
        pdf = render_pdf(v, doc, pkg.election)
        timings["render"] += time.perf_counter() - t
        pages += pdf.count(b"/Type /Page\n")
    total = time.perf_counter() - t_all
    cpu = time.process_time() - c_all
    journal.close()
    store.close()
    return {
        "seconds": round(total, 3),
        "cpu_seconds": round(cpu, 3),
        "parts": {k: round(v, 3) for k, v in timings.items()},
        "protocols": len(desk.contests()),
        "pdf_pages": pages,
        "target_seconds": 2.0,
        "met": cpu < 2.0,
    }


def sanaq_quiet(argv: list[str]) -> int:
    stdout = sys.stdout
    sys.stdout = io.StringIO()
    try:
        return sanaq(argv)
    finally:
        sys.stdout = stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=1000, help="sheets per ballot type in the journal")
    ap.add_argument("--renders", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--severity", type=float, default=1.0, help="photo effects this many times worse")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sanaq-protocol-bench-"))
    data = tmp / "data"
    s = make_sample_station(data, sheets_per_style=args.sheets)
    store = ProtocolStore.open(data / "journal.sqlite", FixedClock().now_iso)
    t = time.perf_counter()
    keys = {m: unlock_member_key(data, m, PIN[m], store) for m in ("aigerim", "bolat", "dana")}
    unlock_ms = (time.perf_counter() - t) / 3 * 1000
    store.close()
    device = load_device_key(data)
    assert sanaq_quiet(["protocol", "--data", str(data), "enter", "--lines", str(data / "entered.json")]) == 0
    runs = [build_sign_print(data, keys, device) for _ in range(3)]
    best = min(runs, key=lambda r: float(r["cpu_seconds"]))  # type: ignore[arg-type]

    # The files that verify is timed on, and the renders are made from: the real commands.
    out = io.StringIO()
    stdin, stdout = sys.stdin, sys.stdout
    try:
        sys.stdout = out
        for m in ("aigerim", "bolat", "dana"):
            sys.stdin = io.StringIO(PIN[m] + "\n")
            assert sanaq(["protocol", "--data", str(data), "sign", "--member", m, "--pin-stdin"]) == 0
        assert sanaq(["protocol", "--data", str(data), "finalise"]) == 0
        assert sanaq(["protocol", "--data", str(data), "print", "--out", str(tmp / "print")]) == 0
    finally:
        sys.stdin, sys.stdout = stdin, stdout
    files = sorted((data / "protocols").glob("*.json"))
    biggest = max(files, key=lambda f: f.stat().st_size)
    raw = biggest.read_bytes()
    t_in, c_in = [], []
    for _ in range(50):
        t, c = time.perf_counter(), time.process_time()
        verify_document(parse_file(raw), trust(None))
        t_in.append(time.perf_counter() - t)
        c_in.append(time.process_time() - c)
    t_cli_full, c_cli_full = [], []
    for _ in range(5):
        sys.stdout = io.StringIO()
        try:
            t, c = time.perf_counter(), time.process_time()
            code = sanaq(["verify", str(biggest)])
            t_cli_full.append(time.perf_counter() - t)
            c_cli_full.append(time.process_time() - c)
        finally:
            sys.stdout = stdout
        assert code == 0
    t_proc, t_light = [], []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "verify", str(biggest)], check=True, capture_output=True
        )
        t_proc.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "kiosk.cli.protocol", str(biggest)], check=True, capture_output=True
        )
        t_light.append(time.perf_counter() - t)

    # Degraded renders.
    rng = random.Random(args.seed)
    pdfs = sorted((tmp / "print").glob("*.pdf"))
    qr_pages: dict[tuple[str, int], list[object]] = {}
    for pdf in pdfs:
        for dpi in (150, 300):
            pages = pdf_pages(pdf, dpi)
            qr_pages[(pdf.stem, dpi)] = [p for p in pages if decode_images([p])]
    signed = {f.stem: f.read_bytes() for f in files}
    ok = 0
    failures = []
    per_dpi = {150: [0, 0], 300: [0, 0]}
    codes_total = codes_read = 0
    t0 = time.perf_counter()
    for n in range(args.renders):
        pdf = pdfs[n % len(pdfs)]
        dpi = 150 if (n // len(pdfs)) % 2 == 0 else 300
        photos = []
        for page in qr_pages[(pdf.stem, dpi)]:
            seed = rng.randrange(1 << 30)
            effects = harsher(PhotoEffects.draw(random.Random(seed)), args.severity)
            photos.append(degrade(page, dpi, effects, seed))  # type: ignore[arg-type]
        texts = decode_images(photos)
        expected = compact.split(compact.to_binary(parse_file(signed[pdf.stem])))
        codes_total += len(expected)
        codes_read += len(set(texts) & set(expected))
        per_dpi[dpi][1] += 1
        try:
            (blob,) = compact.join(texts)
            rebuilt = to_file_bytes(compact.from_binary(blob))
            verify_document(parse_file(rebuilt), trust(None))
            assert rebuilt == signed[pdf.stem]
            ok += 1
            per_dpi[dpi][0] += 1
        except Exception as exc:  # a benchmark counts failures
            failures.append({"render": n, "protocol": pdf.stem, "dpi": dpi, "error": str(exc)[:120]})
        if (n + 1) % 20 == 0:
            print(f"{n + 1} renders, {ok} verified", file=sys.stderr, flush=True)
    decode_s = time.perf_counter() - t0
    result = {
        "benchmark": "protocol",
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "sheets_per_ballot_type": args.sheets,
        "build_sign_render": {
            **best,
            "runs_seconds": [r["seconds"] for r in runs],
            "member_key_unlock_ms": round(unlock_ms, 1),
        },
        "verify": {
            "file": biggest.name,
            "bytes": len(raw),
            "in_process_ms_median": round(statistics.median(t_in) * 1000, 2),
            "in_process_cpu_ms_median": round(statistics.median(c_in) * 1000, 2),
            "command_in_process_ms_median": round(statistics.median(t_cli_full) * 1000, 1),
            "command_in_process_cpu_ms_median": round(statistics.median(c_cli_full) * 1000, 1),
            "fresh_sanaq_process_ms_median": round(statistics.median(t_proc) * 1000, 1),
            "fresh_light_process_ms_median": round(statistics.median(t_light) * 1000, 1),
            "target_ms": 100,
        },
        "qr_degraded": {
            "renders": args.renders,
            "verified": ok,
            "rate": round(ok / args.renders, 4),
            "codes_read": codes_read,
            "codes_total": codes_total,
            "by_dpi": {str(k): {"verified": v[0], "renders": v[1]} for k, v in per_dpi.items()},
            "failures": failures[:10],
            "seconds": round(decode_s, 1),
            "severity": args.severity,
            "target_rate": 0.995,
        },
    }
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    _ = s


if __name__ == "__main__":
    main()
