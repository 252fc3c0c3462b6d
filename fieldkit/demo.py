"""`make demo` (`python -m fieldkit.demo`, `sanaq-fieldkit demo`): the station day, headless,
on the built-in sample. Test equipment (issue 12): it drives the product with the deck
generator and the serial-scanner emulator, so it lives here, not in `kiosk/`.

1. write and verify the signed sample election package;
2. render the station's four ballots (PDF for the printer, PNG, layout JSON);
3. make a marked test deck with ground truth, as a scanner would deliver it;
4. calibrate the scanner (the calibration sheet through the hot folder, issue 16); the
   logic-and-accuracy test (issue 16): opening is refused until the station's own test
   deck, scanned in test mode, gives exactly its expected tally; the report (PDF) and the
   signed result; then open the station, count the deck from a hot folder through the
   journal, close;
5. count a portable box after close through a station ballot scanner on a serial line
   (the device emulator on a pty, with a paper jam and a pulled cable on the way), compare
   the tally with the ground truth, finalise and verify the journal.

The kiosk window and the protocol join as their issues land.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import cv2

from drivers.folder import FolderScanner
from drivers.serial_scanner import SerialScanner
from fieldkit.calscans import Distortion, scan_bytes
from fieldkit.deck import DeckOptions, write_deck
from fieldkit.emulator import LinkRunner, ScannerDevice, load_deck, run_in_thread
from kiosk.ballots.layout import build_layout
from kiosk.ballots.render import write_ballot_files
from kiosk.calibration.profile import summary_lines
from kiosk.calibration.session import calibrate_scanner
from kiosk.calibration.store import record_profile
from kiosk.cli.election import summary
from kiosk.election.load import load_election, sample_package_bytes
from kiosk.election.package import development_reason
from kiosk.messages import MESSAGES
from kiosk.station.journal import Journal
from kiosk.station.service import Station, SystemClock


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fieldkit.demo")
    ap.add_argument("--out", type=Path, default=Path("out/demo"))
    ap.add_argument("--sheets", type=int, default=25, help="sheets per ballot style")
    ap.add_argument(
        "--lat-scheme",
        default="cycle:4",
        help="the L&A deck's scheme (the official deck is `full`: 1098 sheets for this station)",
    )
    args = ap.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    cv2.setNumThreads(1)
    logging.getLogger("sanaq").setLevel(logging.ERROR)  # the demo prints the stops itself

    print("== 1. election package")
    package = out / "election.json"
    # The sample election in the package that requires the logic-and-accuracy test (as every
    # package does unless it says otherwise; the built-in sample waives it for tools and tests).
    package.write_bytes(sample_package_bytes(logic_and_accuracy_required=True))
    pkg = load_election(package)
    print(summary(pkg).split("\n\n")[0])
    print(f"   -> {package}\n")

    print("== 2. ballots")
    ballots = out / "ballots"
    ballots.mkdir(exist_ok=True)
    for style in pkg.election.styles:
        layout = build_layout(pkg.election, pkg.election_hash, style.id)
        write_ballot_files(layout, 200, ballots)
        print(
            f"   {style.id:11s} {style.colour_name.en:7s} {layout.height_mm:.0f} mm, {len(layout.targets):2d} squares"
        )
    print(f"   -> {ballots}/\n")

    print(f"== 3. marked test deck ({args.sheets} sheets per style, scan effects on)")
    deck = out / "deck"
    if deck.exists():
        shutil.rmtree(deck)  # a fresh deck each run: the station counts what is in the folder
    truths = {}
    for style in pkg.election.styles:
        for t in write_deck(
            pkg.election, pkg.election_hash, style.id, args.sheets, 2023, deck, DeckOptions()
        ):
            truths[f"{style.id}-{t.sheet}"] = t
    print(f"   {len(truths)} sheets -> {deck}/\n")

    print("== 4. counting: calibrate the scanner, open the station, scan the deck through the journal, close")
    data = out / "station"
    if data.exists():
        shutil.rmtree(data)
    usb = out / "usb"
    if usb.exists():
        shutil.rmtree(usb)
    journal = Journal.create(
        data / "journal.sqlite",
        pkg.election_hash,
        pkg.election.stations[0].id,
        SystemClock(),
        usb / "journal.sqlite",
    )
    # The demo counts the built-in sample (DEVELOPMENT key) and, in step 5, an emulated
    # scanner: neither may reach an official count without the development switch, so the
    # demo turns it on, here, visibly; every scan session records it in the audit.
    station = Station(journal, pkg, development=True)
    print(f"   DEVELOPMENT switch on: {development_reason(pkg)}; emulated scanners allowed")
    # The scanner is calibrated before the polls open (issue 16): the calibration sheet goes
    # through the same hot folder first (a scan with a small skew, offset and lamp falloff,
    # both sides), is measured and given back; its profile is kept and signed into the journal.
    for side, name in (("A", "a"), ("B", "b")):
        scan = Distortion(skew_deg=0.3, offset_mm=(2.5, 3.5), falloff=0.04, jpeg=90, seed=ord(side))
        (deck / f"0-calibration.{name}.jpg").write_bytes(scan_bytes(scan, side))
    station.note_actor("calibrate", "technician", "Demo Technician", development=True)
    profile = calibrate_scanner(
        FolderScanner(deck),
        journal.clock.now_iso(),
        actor={"role": "technician", "member": "Demo Technician"},
    )
    digest = record_profile(journal, profile, "technician")
    print("\n".join(f"   {line}" for line in summary_lines(profile)))
    print(f"   profile -> {data / 'calibration'}/ (sha256 {digest[:16]}, signed into the journal)")
    logic_and_accuracy(station, out, args.lat_scheme)
    station.note_actor("open", "chair", "Demo Chair", development=True)
    zero = station.transition("open", "chair")  # the station makes the zero report
    assert zero.report is not None
    (data / "reports").mkdir(exist_ok=True)
    (data / "reports" / "zero-report.json").write_text(
        json.dumps({**zero.report, "chain_code": zero.chain_code}, indent=1, ensure_ascii=False)
    )
    print(
        f"   polls open; zero report: {zero.report['sheets']} sheets, every official count 0, "
        f"device key {zero.device_key_id}, chain code {zero.chain_code}"
    )
    t0 = time.perf_counter()
    counted = station.scan(FolderScanner(deck), role="member", member="Demo Member")
    elapsed = time.perf_counter() - t0
    print(
        f"   {counted.counted} counted, {counted.returned} returned {counted.reasons or ''} "
        f"in {elapsed:.1f} s ({(counted.counted + counted.returned) / elapsed:.0f} sheets/s, both sides)"
    )
    station.note_actor("close", "chair", "Demo Chair", development=True)
    closing = station.transition("close", "chair")
    print(
        f"   polls closed; closing report: {closing.official_sheets} sheets, chain code {closing.chain_code}"
    )

    print("\n== 5. the portable box after close, through a station scanner on a serial line")
    box = out / "portable-box"
    if box.exists():
        shutil.rmtree(box)
    for t in write_deck(pkg.election, pkg.election_hash, "MZ-LIST", 6, 2024, box, DeckOptions()):
        truths[f"box-{t.sheet}"] = t
    link = out / "ttySANAQ0"
    device = ScannerDevice(load_deck(box), {1: "jam", 3: "pull"}, operator_delay=0.5, power_off=0.5)
    runner = LinkRunner(device, link=link, replug_delay=0.5)
    thread = run_in_thread(runner)
    print(
        f"   emulated scanner on {link} (docs/serial-protocol.md), faults: jam at sheet 2, cable pulled at sheet 4"
    )
    scanner = SerialScanner(str(link), timeout=1.0, reconnect=5.0)
    try:
        for _ in range(6):
            part = station.scan(scanner, role="member", member="Demo Member")
            print(f"   {part.counted} counted, {part.returned} returned", end="")
            if part.stopped is None:
                print()
                break
            print(f"; stopped: {part.stopped}: {MESSAGES[part.stopped]['en']}")
            time.sleep(0.6)  # the member clears the jam, plugs the cable back
    finally:
        scanner.close()
        runner.stop.set()
        thread.join(5)
    print(
        f"   the scanner put {len(device.accepted_names)} sheets in the box and returned {len(device.returned_names)}"
    )

    tally = journal.tally().to_json(station.invalid)
    want: dict[str, Counter[str]] = {c.id: Counter() for c in pkg.election.contests}
    for t in truths.values():
        if t.status != "rejected":
            truth = t.contests[0]
            want[truth.contest][
                truth.choice if truth.outcome == "vote" and truth.choice else truth.outcome
            ] += 1
    agree = True
    for c in pkg.election.contests:
        got = tally["contests"].get(c.id, {})
        got_counts = Counter(
            {
                **got.get("options", {}),
                "blank": got.get("blank", 0),
                "overvote": got.get("overvote", 0),
                "review": got.get("review_pending", 0),
            }
        )
        same = +got_counts == +want[c.id]
        agree &= same
        names = {o.id: o.name.ru for o in c.options}
        top = ", ".join(f"{names.get(k, k)}: {v}" for k, v in got_counts.most_common(3) if v)
        print(f"   {c.id}: {top} ... {'= ground truth' if same else 'DIFFERS from ground truth'}")
    station.note_actor("finalise", "chair", "Demo Chair", development=True)
    final = station.transition("finalise", "chair")
    report = journal.verify()
    print(
        f"   finalised (chain code {final.chain_code}); journal verified: {report.ok} "
        f"({report.audit_events} audit links, {report.sheets} records, mirror on {usb})"
    )
    journal.close()
    print(f"\nFiles are in {out.resolve()}")
    return 0 if agree and report.ok else 1


def logic_and_accuracy(station: Station, out: Path, scheme: str) -> None:
    """Issue 16: the test deck through the hot folder in test mode, the report, then end_test."""
    from kiosk.calibration.lat import record_result, report_pdf, run_test_report
    from kiosk.calibration.testdeck import write_test_deck
    from kiosk.calibration.thresholds import recorded_thresholds
    from kiosk.errors import SanaqError

    pkg = station.package
    try:
        station.transition("open", "chair")
    except SanaqError as exc:
        print(f"   open refused: {exc.code}: {MESSAGES[exc.code]['en']}")
    deck = out / "test-deck"
    if deck.exists():
        shutil.rmtree(deck)
    t0 = time.perf_counter()
    plan = write_test_deck(
        pkg.election,
        pkg.election_hash,
        station.station_id,
        deck,
        recorded_thresholds(station.journal),
        scheme,
        dpi=150,  # images for the hot folder; `sanaq station test-deck` also writes the PDF
        pdf=False,
    )
    info = plan.expected["deck"]
    print(
        f"   L&A deck ({scheme}): {info['total_sheets']} sheets {info['sheets_per_style']}, "
        f"swaps it cannot see {info['swaps_not_seen']} -> {deck}/ ({time.perf_counter() - t0:.0f} s)"
    )
    station.note_actor("start_test", "technician", "Demo Technician", development=True)
    station.transition("start_test", "technician")
    scanned = station.scan(
        FolderScanner(deck / "images", "names"), role="technician", member="Demo Technician"
    )
    print(f"   test mode: {scanned.counted} counted, {scanned.returned} returned {scanned.reasons or ''}")
    result = run_test_report(
        station.journal, pkg.election, pkg.election_hash, station.station_id, station.invalid, plan.expected
    )
    at = SystemClock().now_iso()
    pdf = report_pdf(result, pkg.election, "Demo Chair", at)
    (station_reports := out / "station" / "reports").mkdir(parents=True, exist_ok=True)
    (station_reports / "test-deck-report.pdf").write_bytes(pdf)
    import hashlib

    record_result(
        station.journal, "chair", "Demo Chair", result, plan.expected, hashlib.sha256(pdf).hexdigest()
    )
    verdict = "PASSED" if result.passed else f"FAILED: {[ln.to_json() for ln in result.differing]}"
    print(
        f"   L&A report: {len(result.lines)} lines compared, {verdict} -> {station_reports / 'test-deck-report.pdf'}"
    )
    station.note_actor("end_test", "technician", "Demo Technician", development=True)
    station.transition("end_test", "technician")  # test sheets deleted: never official counts


if __name__ == "__main__":
    # Issue 14: with a display, `make demo` opens the kiosk window (SANAQ_HEADLESS=1: this day).
    import os

    if os.environ.get("DISPLAY") and not os.environ.get("SANAQ_HEADLESS"):
        from kiosk.ui.demo import run_window_demo

        sys.exit(run_window_demo())
    sys.exit(main())
