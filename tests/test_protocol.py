"""The station protocol: built from a real journal on disk, checked, signed by the device and
the commission (keys under PINs), finalised, corrected; `sanaq protocol` end to end."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.election.sample import sample_election
from kiosk.errors import SanaqError
from kiosk.protocol.keys import MAX_PIN_ATTEMPTS, create_member_key, unlock_member_key
from kiosk.protocol.model import check_ratios, percent, results
from kiosk.protocol.sample import PIN, make_sample_station
from kiosk.protocol.store import ProtocolStore


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def sign_all(
    data: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    members: tuple[str, ...] = ("aigerim", "bolat", "dana"),
    extra: list[str] | None = None,
) -> None:
    for m in members:
        code, _, err = run(
            ["protocol", "--data", str(data), "sign", "--member", m, "--pin-stdin", *(extra or [])],
            capsys,
            monkeypatch,
            PIN[m] + "\n",
        )
        assert code == 0, err


@pytest.fixture
def station(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    s = make_sample_station(tmp_path / "data", sheets_per_style=30)
    code, _, err = run(
        ["protocol", "--data", str(s.data), "enter", "--lines", str(s.data / "entered.json")],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    return s.data


def test_protocol_lines_come_from_the_journal_tally(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["protocol", "--data", str(station), "check", "--json"], capsys, monkeypatch)
    assert code == 0
    reports = {r["contest"]: r for r in json.loads(out)}
    assert set(reports) == {c.id for c in sample_election().contests}
    # Compare against the journal's own tally, read directly from the SQLite file.
    db = sqlite3.connect(station / "journal.sqlite")
    counters: dict[str, dict[str, int]] = {}
    for contest, key, n in db.execute(
        "SELECT contest, key, n FROM counters WHERE mode='official' AND contest != ''"
    ):
        counters.setdefault(contest, {})[key] = n
    for contest, rep in reports.items():
        lines = {i: v for _, i, v in rep["lines"]}
        c = counters[contest]
        votes = sum(n for k, n in c.items() if k.startswith("option:"))
        assert lines["ballots_in_box"] == 30 == sum(c.values())
        assert lines["valid"] == votes
        assert lines["invalid"] == c.get("blank", 0) + c.get("overvote", 0)
        assert lines["votes.against-all"] == c.get("option:against-all", 0)
        assert rep["commission_decided"] == 1  # the one review sheet the chair decided
        assert all(r["ok"] for r in rep["ratios"])


def test_results_share_is_on_the_base_with_against_all() -> None:
    from kiosk.protocol.model import Protocol

    form = sample_election().protocols[0]
    values = {ln.id: 0 for ln in form.lines}
    values.update({"votes.amanat": 5, "votes.auyl": 2, "votes.against-all": 1, "valid": 8})
    p = Protocol(
        "h",
        "379",
        form.contest,
        "MZ-LIST",
        tuple((ln.number, ln.id, values[ln.id]) for ln in form.lines),
        (),
        0,
        "c",
        "s",
    )
    shares = {o: s for o, _, s in results(p, form)}
    assert percent(shares["amanat"]) == "62.50"  # 5 / 8, not 5 / 7
    assert percent(shares["against-all"]) == "12.50"
    assert percent(shares["auyl"]) == "25.00"


def test_failing_ratio_blocks_signing_and_shows_lines_and_difference(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    entered = json.loads((station / "entered.json").read_text())
    entered["mazhilis-list"]["ballots_cancelled"] -= 7  # 2 = 3 + 4 + 5 now off by 7
    bad = station / "bad.json"
    bad.write_text(json.dumps({"mazhilis-list": entered["mazhilis-list"]}))
    assert (
        run(["protocol", "--data", str(station), "enter", "--lines", str(bad)], capsys, monkeypatch)[0] == 0
    )
    code, out, _ = run(["protocol", "--data", str(station), "check"], capsys, monkeypatch)
    assert code == 4
    assert (
        "r2: ballots_received = 2519 = ballots_issued + ballots_cancelled + ballots_spoiled = 2512; difference +7"
        in out
    )
    code, _, err = run(
        ["protocol", "--data", str(station), "sign", "--member", "aigerim", "--pin-stdin"],
        capsys,
        monkeypatch,
        "111111\n",
    )
    assert code == 2
    assert json.loads(err)["error"]["code"] == "protocol_ratio_failed"
    assert "difference 7" in json.loads(err)["error"]["detail"]


def test_entry_refuses_counted_unknown_and_missing_lines(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    entered = json.loads((station / "entered.json").read_text())["mazhilis-list"]
    cases = {
        "protocol_line_counted": {**entered, "valid": 5},
        "protocol_line_unknown": {**entered, "bogus": 1},
        "protocol_line_missing": {k: v for k, v in entered.items() if k != "ballots_spoiled"},
        "protocol_line_value": {**entered, "ballots_spoiled": -1},
    }
    for code_expected, lines in cases.items():
        f = station / "x.json"
        f.write_text(json.dumps({"MZ-LIST": lines}))
        code, _, err = run(
            ["protocol", "--data", str(station), "enter", "--lines", str(f)], capsys, monkeypatch
        )
        if code_expected == "protocol_line_value":
            # a negative value passes the shape check and is refused when the protocol is built
            assert code == 0
            code, _, err = run(["protocol", "--data", str(station), "check"], capsys, monkeypatch)
        assert code == 2, code_expected
        assert json.loads(err)["error"]["code"] == code_expected


def test_sign_finalise_and_correct(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    d = str(station)
    # Finalising needs the chair and the secretary: the chair alone is not enough.
    sign_all(station, capsys, monkeypatch, ("aigerim",))
    code, _, err = run(["protocol", "--data", d, "finalise"], capsys, monkeypatch)
    assert code == 2 and json.loads(err)["error"]["code"] == "protocol_unsigned"
    sign_all(station, capsys, monkeypatch, ("bolat",))
    code, out, _ = run(
        [
            "protocol",
            "--data",
            d,
            "sign",
            "--member",
            "erlan",
            "--pin-stdin",
            "--dissent",
            "line 5 recount asked",
        ],
        capsys,
        monkeypatch,
        "444444\n",
    )
    assert code == 0
    code, out, err = run(["protocol", "--data", d, "finalise"], capsys, monkeypatch)
    assert code == 0, err
    assert len(list((station / "protocols").glob("*.v1.protocol.jws.json"))) == 4
    doc = (station / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes()
    code, out, _ = run(
        ["verify", str(station / "protocols" / "MZ-LIST.v1.protocol.jws.json")], capsys, monkeypatch
    )
    assert code == 0
    r = json.loads(out)["results"][0]
    assert [(s["signer"], s["role"], s["vote"]) for s in r["signatures"]] == [
        ("device", "device", "approve"),
        ("aigerim", "chair", "approve"),
        ("bolat", "secretary", "approve"),
        ("erlan", "member", "dissent"),
    ]
    assert r["signatures"][3]["note"] == "line 5 recount asked"
    # A finalised version takes no more signatures.
    code, _, err = run(
        ["protocol", "--data", d, "sign", "--member", "dana", "--pin-stdin"], capsys, monkeypatch, "333333\n"
    )
    assert code == 2 and json.loads(err)["error"]["code"] == "protocol_finalised"
    # A correction without a reason is refused; with one it is version 2, naming version 1.
    entered = json.loads((station / "entered.json").read_text())
    fix = entered["mazhilis-list"]
    fix["ballots_cancelled"] -= 1
    fix["ballots_spoiled"] += 1
    f = station / "fix.json"
    f.write_text(json.dumps({"mazhilis-list": fix}))
    assert run(["protocol", "--data", d, "enter", "--lines", str(f)], capsys, monkeypatch)[0] == 0
    code, _, err = run(
        ["protocol", "--data", d, "sign", "--member", "aigerim", "--contest", "MZ-LIST", "--pin-stdin"],
        capsys,
        monkeypatch,
        "111111\n",
    )
    assert code == 2 and json.loads(err)["error"]["code"] == "protocol_reason_needed"
    sign_all(
        station,
        capsys,
        monkeypatch,
        ("aigerim", "bolat"),
        ["--contest", "MZ-LIST", "--reason", "one spoiled ballot found among the cancelled"],
    )
    assert run(["protocol", "--data", d, "finalise", "--contest", "MZ-LIST"], capsys, monkeypatch)[0] == 0
    store = ProtocolStore.open(station / "journal.sqlite", lambda: "t")
    versions = store.versions("mazhilis-list")
    assert [(v.version, v.replaces, v.finalised) for v in versions] == [(1, None, True), (2, 1, True)]
    assert versions[1].reason == "one spoiled ballot found among the cancelled"
    # Nothing overwritten: version 1's bytes and file are still there; the tables refuse updates.
    assert (station / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes() == doc
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE protocol_versions SET reason='x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM protocol_signatures")
    v2 = json.loads((station / "protocols" / "MZ-LIST.v2.protocol.jws.json").read_text())
    from kiosk.protocol.keys import unb64

    payload = json.loads(unb64(v2["payload"]))
    assert payload["version"] == 2
    assert payload["replaces"]["version"] == 1 and payload["replaces"]["sha256"] == versions[0].sha256


def _journal(data: Path) -> None:
    """A real journal (the PIN attempts are links of its chain)."""
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock

    Journal.create(data / "journal.sqlite", "0" * 64, "S1", FixedClock()).close()


def test_member_key_is_encrypted_0600_and_pin_attempts_lock_out(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _journal(data)
    store = ProtocolStore.open(data / "journal.sqlite", lambda: "2023-03-19T20:00:00+06:00")
    create_member_key(data, "aigerim", "chair", "135790")
    path = data / "members" / "aigerim.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key = unlock_member_key(data, "aigerim", "135790", store)
    from cryptography.hazmat.primitives import serialization

    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    from kiosk.protocol.keys import b64

    text = path.read_bytes()
    assert raw not in text and b64(raw).encode() not in text and raw.hex().encode() not in text
    with pytest.raises(SanaqError) as e:
        create_member_key(data, "aigerim", "chair", "135790")  # never replaced
    assert e.value.code == "member_key_exists"
    with pytest.raises(SanaqError) as e:
        create_member_key(data, "bolat", "secretary", "123")
    assert e.value.code == "member_pin_weak"
    for k in range(1, MAX_PIN_ATTEMPTS):
        with pytest.raises(SanaqError) as e:
            unlock_member_key(data, "aigerim", f"00000{k}", store)
        assert e.value.code == "member_pin_wrong"
    with pytest.raises(SanaqError) as e:
        unlock_member_key(data, "aigerim", "000000", store)
    assert e.value.code == "member_locked"
    # Locked: even the right PIN is refused now, and the lock-out is on record.
    with pytest.raises(SanaqError) as e:
        unlock_member_key(data, "aigerim", "135790", store)
    assert e.value.code == "member_locked"
    kinds = [(ev["kind"], ev["member"]) for ev in store.audit_events()]
    assert kinds == [("pin_ok", "aigerim")] + [("pin_failed", "aigerim")] * MAX_PIN_ATTEMPTS + [
        ("pin_locked", "aigerim")
    ]


def test_a_right_pin_resets_the_failure_count(tmp_path: Path) -> None:
    data = tmp_path / "d"
    _journal(data)
    store = ProtocolStore.open(data / "journal.sqlite", lambda: "t")
    create_member_key(data, "dana", "member", "246802")
    for _ in range(MAX_PIN_ATTEMPTS - 1):
        with pytest.raises(SanaqError):
            unlock_member_key(data, "dana", "999999", store)
    unlock_member_key(data, "dana", "246802", store)
    with pytest.raises(SanaqError) as e:
        unlock_member_key(data, "dana", "999999", store)
    assert e.value.code == "member_pin_wrong"
    assert not store.locked("dana")


def test_sign_refused_while_the_station_is_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.station.journal import Journal
    from kiosk.station.service import FixedClock

    s = make_sample_station(tmp_path / "data", sheets_per_style=3)
    j = Journal.open(s.data / "journal.sqlite", FixedClock())
    j.db.execute("UPDATE meta SET value='open' WHERE key='state'")  # as if never closed
    j.close()
    run(
        ["protocol", "--data", str(s.data), "enter", "--lines", str(s.data / "entered.json")],
        capsys,
        monkeypatch,
    )
    code, _, err = run(
        ["protocol", "--data", str(s.data), "sign", "--member", "aigerim", "--pin-stdin"],
        capsys,
        monkeypatch,
        "111111\n",
    )
    assert code == 2 and json.loads(err)["error"]["code"] == "protocol_not_ready"


def test_enrol_refuses_a_roster_for_another_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.protocol.keys import member_public
    from kiosk.protocol.sample import MEMBERS, make_enrolment

    s = make_sample_station(tmp_path / "data", sheets_per_style=2)
    members = [(m, r, member_public(s.data, m).public) for m, r in MEMBERS]
    other = make_enrolment(
        s.package, s.station, Ed25519PrivateKey.generate().public_key().public_bytes_raw(), members
    )
    f = tmp_path / "roster.json"
    f.write_text(json.dumps(other))
    code, _, err = run(["protocol", "--data", str(s.data), "enrol", "--roster", str(f)], capsys, monkeypatch)
    assert code == 2 and json.loads(err)["error"]["code"] == "protocol_enrolment_mismatch"
    # The roster command builds one from this kiosk's public parts, and enrol accepts it.
    code, _, err = run(["protocol", "--data", str(s.data), "roster", "--out", str(f)], capsys, monkeypatch)
    assert code == 0, err
    code, out, err = run(
        ["protocol", "--data", str(s.data), "enrol", "--roster", str(f)], capsys, monkeypatch
    )
    assert code == 0, err
    assert "4 members" in out


def test_ratio_checks_compute_difference() -> None:
    from kiosk.protocol.model import Protocol

    p = Protocol(
        "h",
        "s",
        "c",
        "S",
        (("1", "a", 10), ("2", "b", 4), ("3", "c", 5)),
        (("r", ("a",), "=", ("b", "c")), ("q", ("b",), "<=", ("c",))),
        0,
        "x",
        "y",
    )
    r, q = check_ratios(p)
    assert (r.ok, r.difference) == (False, 1)
    assert q.ok


def test_enter_interactively(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One value mistyped, asked again; the entry equals the file's.
    answers = "2494\n2519\nthirty\n33\n2484\n2\n"
    code, out, err = run(
        ["protocol", "--data", str(station), "enter", "--contest", "MZ-LIST"], capsys, monkeypatch, answers
    )
    assert code == 0, err
    assert "Сайлаушыларға берілген бюллетеньдер саны / Число бюллетеней, выданных избирателям" in out
    assert "целое число" in out
    store = ProtocolStore.open(station / "journal.sqlite", lambda: "t")
    assert (
        store.entered("mazhilis-list") == json.loads((station / "entered.json").read_text())["mazhilis-list"]
    )
    code, _, err = run(
        ["protocol", "--data", str(station), "enter", "--contest", "MZ-LIST"], capsys, monkeypatch, "1\n"
    )
    assert code == 2 and json.loads(err)["error"]["code"] == "protocol_input_invalid"


def test_device_key_readable_by_others_is_refused(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    os.chmod(station / "device.key", 0o644)
    code, _, err = run(
        ["protocol", "--data", str(station), "sign", "--member", "aigerim", "--pin-stdin"],
        capsys,
        monkeypatch,
        "111111\n",
    )
    assert code == 2 and json.loads(err)["error"]["code"] == "device_key_missing"
    # Nothing was signed, and no PIN attempt was spent.
    store = ProtocolStore.open(station / "journal.sqlite", lambda: "t")
    assert store.versions("mazhilis-list") == []
    assert [e["kind"] for e in store.audit_events()] == ["protocol_entered"] * 4  # the lines entered, only


def test_device_does_not_sign_counters_that_differ_from_the_records(
    station: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = sqlite3.connect(station / "journal.sqlite")
    cur = db.execute(
        "UPDATE counters SET n = n + 5 WHERE mode='official' AND contest='mazhilis-list' AND key = "
        "(SELECT key FROM counters WHERE contest='mazhilis-list' AND key LIKE 'option:%' LIMIT 1)"
    )
    assert cur.rowcount == 1
    db.commit()
    db.close()
    code, _, err = run(
        ["protocol", "--data", str(station), "sign", "--member", "aigerim", "--pin-stdin"],
        capsys,
        monkeypatch,
        "111111\n",
    )
    assert code == 2 and json.loads(err)["error"]["code"] == "journal_corrupt"
    assert "counters differ" in json.loads(err)["error"]["detail"]
