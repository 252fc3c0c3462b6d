"""The kiosk's outbox delivering to the real intake over TLS on loopback, and the faults of
issue 15: in each case the end state is every protocol stored once and every receipt valid."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from synckit import (
    CuttingProxy,
    Faults,
    Pki,
    ServerThread,
    free_port,
    make_pki,
    template_station,
)

from intake.app import create_app
from intake.service import Intake
from intake.store import Store
from intake.synthetic import multi_station_package, readdress, signed_file, synthetic_station
from kiosk.cli import main
from kiosk.election.load import load_election
from kiosk.election.package import development_private_key, development_trust
from kiosk.protocol.keys import b64, load_device_key, unb64
from kiosk.protocol.signed import canonical
from kiosk.station.journal import Journal
from kiosk.station.service import FixedClock
from kiosk.sync.client import Backoff, Sender, pinned_context
from kiosk.sync.outbox import Outbox
from kiosk.sync.wire import PATH, delivery_key, sign_request, verify_receipt

TRUST = development_trust()


@dataclass
class Hq:
    intake: Intake
    faults: Faults
    server: ServerThread
    pki: Pki


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return make_pki(tmp_path / "pki")


@pytest.fixture
def station(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(template_station(), data)
    return data


def make_hq(store: Store, pki: Pki, **faults: int | float) -> Hq:
    package = load_election(template_station() / "election.json")
    intake = Intake(store, package, TRUST, development_private_key(), time_now)
    f = Faults(create_app(intake), **faults)  # type: ignore[arg-type]
    return Hq(intake, f, ServerThread(f, pki), pki)


def time_now() -> float:
    import time

    return time.time()


@pytest.fixture
def hq(store: Store, pki: Pki) -> Iterator[Hq]:
    h = make_hq(store, pki)
    h.server.start()
    yield h
    h.server.stop()


def sender(
    data: Path, url: str, pki: Pki, sleeps: list[float] | None = None, timeout: float = 5.0, **kw: object
) -> Sender:
    slept = sleeps if sleeps is not None else []
    outbox = Outbox(data / "journal.sqlite", TRUST)
    outbox.queue_folder(data / "protocols")
    return Sender(
        outbox,
        url,
        load_device_key(data),
        TRUST,
        pinned_context(pki.ca),
        timeout=timeout,
        sleep=kw.pop("sleep", slept.append),  # type: ignore[arg-type]
        backoff=Backoff(base=0.5, rng=random.Random(7)),
    )


def end_state(s: Sender, hq: Hq, n: int = 4) -> None:
    """Every delivery has a valid receipt for its own bytes, and the intake holds each once."""
    status = s.outbox.status()
    assert len(status) == n and all(d.state == "receipt received" for d in status)
    for d in status:
        assert d.receipt is not None
        r = verify_receipt(d.receipt, TRUST, d.key)
        row = hq.intake.store.by_key(d.key)
        assert row is not None and row.receipt == d.receipt and r.sha256 == row.sha256
    assert hq.intake.store.count() == n


def test_cli_sync_status_and_again(hq: Hq, station: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sync", "--data", str(station), "--hq", hq.server.url, "--ca", str(hq.pki.ca), "--development"]
    assert main(["sync", "status", "--data", str(station), "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["deliveries"]
    assert [d["state"] for d in before] == ["pending"] * 4
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == {"delivered": 4, "refused": {}, "unfinished": 0}
    assert main(["sync", "status", "--data", str(station), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)["deliveries"]
    assert [d["state"] for d in after] == ["receipt received"] * 4
    assert all(d["receipt"]["station"] == "379" and d["receipt"]["current"] for d in after)
    # Again: nothing pending, nothing new stored.
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["delivered"] == 0
    assert hq.intake.store.count() == 4 and len(hq.faults.seen) == 4


def test_the_same_delivery_twice_same_receipt(hq: Hq, station: Path, pki: Pki) -> None:
    s = sender(station, hq.server.url, pki)
    d = s.outbox.pending()[0]
    answers = []
    for _ in range(2):
        headers = sign_request(load_device_key(station), "POST", PATH, d.body, int(time_now()), "379")
        answers.append(
            httpx.post(hq.server.url + PATH, content=d.body, headers=headers, verify=pinned_context(pki.ca))
        )
    assert [a.status_code for a in answers] == [201, 200]
    assert answers[0].content == answers[1].content and hq.intake.store.count() == 1
    assert s.run().delivered == 4
    end_state(s, hq)


def test_service_down_at_first(store: Store, station: Path, pki: Pki) -> None:
    h = make_hq(store, pki)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3:  # headquarters comes up after three failed attempts
            h.server.start()

    s = sender(station, h.server.url, pki, sleep=sleep)
    try:
        out = s.run(max_attempts=10)
    finally:
        h.server.stop()
    assert out.delivered == 4 and len(sleeps) == 3
    assert all(0 <= t <= 0.5 * 2**k for k, t in enumerate(sleeps, start=1))  # full jitter under the cap
    first = s.outbox.status()[0]
    assert first.attempts == 4 and first.last_error is not None and first.last_error.startswith("connect:")
    end_state(s, h)


def test_500_errors(store: Store, station: Path, pki: Pki) -> None:
    h = make_hq(store, pki, fail_500=5)
    h.server.start()
    try:
        s = sender(station, h.server.url, pki)
        assert s.run(max_attempts=10).delivered == 4
        assert s.outbox.status()[0].last_error == "HTTP 500"
        end_state(s, h)
    finally:
        h.server.stop()


def test_connection_cut_mid_upload(hq: Hq, station: Path, pki: Pki) -> None:
    proxy = CuttingProxy(hq.server.port, cuts=2, after=1200)
    try:
        s = sender(station, f"https://127.0.0.1:{proxy.port}", pki)
        assert s.run(max_attempts=10).delivered == 4
    finally:
        proxy.close()
    assert proxy.cut_done == 2
    assert s.outbox.status()[0].attempts == 3  # two cut, one through
    end_state(s, hq)


def test_slow_reply_past_the_timeout(store: Store, station: Path, pki: Pki) -> None:
    h = make_hq(store, pki, slow=1, delay=4.0)
    h.server.start()
    try:
        s = sender(station, h.server.url, pki, timeout=2.0)
        assert s.run(max_attempts=10).delivered == 4
        first = s.outbox.status()[0]
        # The intake stored it before the client gave up; the retry got the same receipt.
        assert first.attempts == 2 and first.last_error is not None and "Timeout" in first.last_error
        end_state(s, h)
    finally:
        h.server.stop()


def test_wrong_server_certificate_refuses_to_send(hq: Hq, station: Path, tmp_path: Path) -> None:
    other = make_pki(tmp_path / "other", "impostor")
    s = sender(station, hq.server.url, other)  # pins another CA than the one that signed the server
    out = s.run(max_attempts=3)
    # Refused at the first TLS handshake, and the run stops: no retry against that server.
    assert out.delivered == 0 and out.unfinished == 4 and out.untrusted
    assert hq.faults.seen == [] and hq.intake.store.count() == 0
    st = s.outbox.status()
    assert all(d.state == "pending" for d in st) and [d.attempts for d in st] == [1, 0, 0, 0]
    assert (st[0].last_error or "").startswith("sync_server_untrusted") and "CERTIFICATE_VERIFY_FAILED" in (
        st[0].last_error or ""
    )


def test_tampered_payload_refused_by_the_service(hq: Hq, station: Path, pki: Pki) -> None:
    f = sorted((station / "protocols").glob("*.protocol.jws.json"))[0]
    doc = json.loads(f.read_bytes())
    payload = json.loads(unb64(doc["payload"]))
    payload["lines"][-1][2] += 1
    doc["payload"] = b64(canonical(payload))
    f.write_bytes(canonical(doc) + b"\n")
    s = sender(station, hq.server.url, pki)
    out = s.run(max_attempts=3)
    assert out.delivered == 3 and list(out.refused.values()) == ["protocol_bad_signature"]
    assert hq.intake.store.count() == 3 and hq.intake.store.by_key(delivery_key(f.read_bytes())) is None


def test_request_signature_and_replayed_request(hq: Hq, station: Path, pki: Pki) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    body = sorted((station / "protocols").glob("*.protocol.jws.json"))[0].read_bytes()
    url, ctx = hq.server.url + PATH, pinned_context(pki.ca)
    cases = [
        (Ed25519PrivateKey.generate(), int(time_now()), "379", 401, "sync_request_bad"),
        (load_device_key(station), int(time_now()) - 3600, "379", 401, "sync_request_stale"),
        (load_device_key(station), int(time_now()), "380", 401, "sync_request_bad"),
    ]
    for key, when, named, status, code in cases:
        r = httpx.post(
            url, content=body, headers=sign_request(key, "POST", PATH, body, when, named), verify=ctx
        )
        assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    # Signed for another body: refused.
    headers = sign_request(load_device_key(station), "POST", PATH, body + b" ", int(time_now()), "379")
    assert httpx.post(url, content=body, headers=headers, verify=ctx).status_code == 401
    assert hq.intake.store.count() == 0


def test_out_of_order_versions_over_the_wire(tmp_path: Path, pki: Pki) -> None:
    pkg = multi_station_package(2)
    st = synthetic_station(pkg, "1000")
    from synckit import template_protocols

    t = template_protocols()[0]
    v1 = readdress(t, pkg, "1000")
    v2 = readdress(t, pkg, "1000", 2, v1.digest())
    data = tmp_path / "k"
    data.mkdir()
    Journal.create(data / "journal.sqlite", pkg.election_hash, "1000", FixedClock()).close()
    outbox = Outbox(data / "journal.sqlite", TRUST)
    outbox.queue("a.v2.protocol.jws.json", signed_file(st, v2))  # the newer first
    outbox.queue("b.v1.protocol.jws.json", signed_file(st, v1))
    intake = Intake(Store(str(tmp_path / "hq.sqlite")), pkg, TRUST, development_private_key(), time_now)
    f = Faults(create_app(intake))
    server = ServerThread(f, pki).start()
    try:
        s = Sender(outbox, server.url, st.device, TRUST, pinned_context(pki.ca), sleep=lambda _: None)
        assert s.run(max_attempts=3).delivered == 2
    finally:
        server.stop()
    receipts = [verify_receipt(d.receipt or b"", TRUST, d.key) for d in outbox.status()]
    assert [(r.version, r.current) for r in receipts] == [(2, True), (1, False)]
    assert intake.store.count() == 2


def test_commands_intake_serve_sanaq_sync_intake_aggregate(
    tmp_path: Path, station: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    """The commands as an operator runs them: `intake serve` in its own process, `sanaq sync`,
    then `intake aggregate` on the same database."""
    import subprocess
    import sys
    import time

    from intake.cli import main as intake_main

    port = free_port()
    db = tmp_path / "hq.sqlite"
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "intake.cli",
            "serve",
            "--db",
            str(db),
            "--development",
            "--port",
            str(port),
            "--cert",
            str(pki.cert),
            "--key",
            str(pki.key),
        ],
        stderr=subprocess.PIPE,
    )
    try:
        url = f"https://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(url + "/health", verify=pinned_context(pki.ca))
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        assert (
            main(
                [
                    "sync",
                    "--data",
                    str(station),
                    "--hq",
                    url,
                    "--ca",
                    str(pki.ca),
                    "--development",
                    "--max-attempts",
                    "3",
                ]
            )
            == 0
        )
        assert json.loads(capsys.readouterr().out)["delivered"] == 4
    finally:
        serve.terminate()
        serve.wait(20)
    assert intake_main(["aggregate", "--db", str(db), "--development"]) == 0
    agg = json.loads(capsys.readouterr().out)
    assert all(c["stations_received"] == ["379"] and c["stations_missing"] == [] for c in agg["contests"])
    # Without --development the DEVELOPMENT-key sample package is refused with a code.
    assert intake_main(["aggregate", "--db", str(db)]) == 2
    assert json.loads(capsys.readouterr().err)["error"]["code"] == "sync_development_key"
