"""`sanaq verify`: passes on a finalised protocol, and fails with a stable exit code on every
change: one byte anywhere, a line changed with the totals changed to match, a signature by
someone not on the roster, a roster not signed by headquarters, an old version replayed."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.cli import main
from kiosk.cli.protocol import VERIFY_EXIT
from kiosk.election.package import development_trust
from kiosk.errors import SanaqError
from kiosk.protocol.keys import b64, unb64
from kiosk.protocol.model import Protocol
from kiosk.protocol.sample import PIN, make_sample_station
from kiosk.protocol.signed import assemble, canonical, parse_file, sign, to_file_bytes, verify_document


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str = ""
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def finalised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A station whose four protocols are finalised (device + chair + secretary + a member)."""
    s = make_sample_station(tmp_path_factory.mktemp("v") / "data", sheets_per_style=20)
    d = str(s.data)
    mp = pytest.MonkeyPatch()
    try:
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat", "dana"):
            mp.setattr("sys.stdin", io.StringIO(PIN[m] + "\n"))
            assert main(["protocol", "--data", d, "sign", "--member", m, "--pin-stdin"]) == 0
        assert main(["protocol", "--data", d, "finalise"]) == 0
    finally:
        mp.undo()
    return s.data


def _doc(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_bytes())
    return doc


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    p = tmp_path / name
    p.write_bytes(to_file_bytes(doc))
    return p


def test_verify_passes(
    finalised: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted(str(p) for p in (finalised / "protocols").glob("*.json"))
    code, out = run(["verify", *files], capsys, monkeypatch)
    assert code == 0
    results = json.loads(out)["results"]
    assert len(results) == 4 and all(r["ok"] for r in results)


def test_every_single_byte_change_is_refused(finalised: Path) -> None:
    data = (finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes()
    trust = development_trust()
    verify_document(parse_file(data), trust)
    codes: dict[str, int] = {}
    for i in range(len(data)):
        for flip in (0x01, 0x20):
            b = bytearray(data)
            b[i] ^= flip
            with pytest.raises(SanaqError) as e:
                verify_document(parse_file(bytes(b)), trust)
            codes[e.value.code] = codes.get(e.value.code, 0) + 1
    assert sum(codes.values()) == 2 * len(data)
    assert set(codes) <= set(VERIFY_EXIT)
    # Changes that leave the same JSON meaning are refused too: the file must be canonical.
    for same_meaning in (
        data[:-1] + b" ",
        b"{ " + data[1:],
        data + b"\n",
        data.replace(b'"payload"', b'"\\u0070ayload"', 1),
    ):
        assert json.loads(same_meaning) == json.loads(data)
        with pytest.raises(SanaqError) as e:
            parse_file(same_meaning)
        assert e.value.code == "protocol_malformed"


def test_one_byte_changed_fails_with_its_exit_code(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = (finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json").read_bytes()
    # One character of the protocol's base64url payload (the last "payload" key; the first is
    # the enrolment's): the signed bytes change. Then one of the enrolment's.
    for where, expected in (
        # a changed base64url character usually breaks the canonical JSON under it (malformed)
        (original.rindex(b'"payload":"'), ("protocol_malformed", "protocol_bad_signature")),
        (original.index(b'"payload":"'), ("protocol_enrolment_bad",)),
    ):
        data = bytearray(original)
        k = where + 40
        data[k] = ord("A") if data[k] != ord("A") else ord("B")
        f = tmp_path / "t.json"
        f.write_bytes(bytes(data))
        code, out = run(["verify", str(f)], capsys, monkeypatch)
        got = json.loads(out)["results"][0]["error"]["code"]
        assert got in expected
        assert code == VERIFY_EXIT[got]


def test_a_line_changed_with_totals_to_match(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    payload = json.loads(unb64(doc["payload"]))
    lines = {ln[1]: ln for ln in payload["lines"]}
    # Two votes moved from AUYL to AMANAT: every total and ratio still agrees.
    assert lines["votes.auyl"][2] >= 2
    lines["votes.auyl"][2] -= 2
    lines["votes.amanat"][2] += 2
    assert all(
        r.ok
        for r in __import__("kiosk.protocol.model", fromlist=["x"]).check_ratios(Protocol.from_json(payload))
    )
    doc["payload"] = b64(canonical(payload))
    code, _ = run(["verify", str(_write(tmp_path, "t.json", doc))], capsys, monkeypatch)
    assert code == VERIFY_EXIT["protocol_bad_signature"]
    # Adding a vote and raising valid, in the box and issued to match breaks signatures too.
    payload = json.loads(unb64(_doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")["payload"]))
    for ln in payload["lines"]:
        if ln[1] in ("votes.amanat", "valid", "ballots_in_box"):
            ln[2] += 1
    doc["payload"] = b64(canonical(payload))
    code, _ = run(["verify", str(_write(tmp_path, "t2.json", doc))], capsys, monkeypatch)
    assert code == VERIFY_EXIT["protocol_bad_signature"]


def test_signature_by_someone_not_on_the_roster(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    p = Protocol.from_json(json.loads(unb64(doc["payload"])))
    mallory = Ed25519PrivateKey.generate()
    for signer in ("mallory", "dana"):  # an unknown id, and a roster id with the wrong key
        prot, sig = sign(p, signer, mallory)
        d2 = dict(doc, signatures=[*doc["signatures"], {"protected": prot, "signature": sig}])
        code, out = run(["verify", str(_write(tmp_path, f"{signer}.json", d2))], capsys, monkeypatch)
        assert code == VERIFY_EXIT["protocol_unknown_signer"], out
    # Someone re-signs the roster with a key of their own to add themselves: not headquarters.
    from kiosk.protocol.signed import Enrolment, Member, sign_enrolment, verify_enrolment

    e = verify_enrolment(doc["enrolment"], development_trust())
    forged = Enrolment(
        e.election_hash,
        e.station,
        e.device_key,
        (*e.members, Member("mallory", "member", mallory.public_key().public_bytes_raw())),
    )
    prot, sig = sign(p, "mallory", mallory)
    d3 = dict(
        doc,
        enrolment=sign_enrolment(forged, mallory),
        signatures=[*doc["signatures"], {"protected": prot, "signature": sig}],
    )
    code, _ = run(["verify", str(_write(tmp_path, "forged.json", d3))], capsys, monkeypatch)
    assert code == VERIFY_EXIT["protocol_enrolment_bad"]


def test_missing_required_approval(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    for drop in range(3):  # device, chair, secretary
        d2 = dict(doc, signatures=[s for k, s in enumerate(doc["signatures"]) if k != drop])
        code, _ = run(["verify", str(_write(tmp_path, f"d{drop}.json", d2))], capsys, monkeypatch)
        assert code == VERIFY_EXIT["protocol_unsigned"]
    # Dropping the ordinary member's signature leaves a valid protocol.
    d3 = dict(doc, signatures=doc["signatures"][:3])
    code, _ = run(["verify", str(_write(tmp_path, "d3.json", d3))], capsys, monkeypatch)
    assert code == 0


def test_a_failing_ratio_signed_anyway_is_refused(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even a protocol every enrolled key signed fails verification if its ratios fail
    (here: signed with the real keys, bypassing the desk's check)."""
    from kiosk.protocol.keys import load_device_key, unlock_member_key
    from kiosk.protocol.store import ProtocolStore

    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    payload = json.loads(unb64(doc["payload"]))
    for ln in payload["lines"]:
        if ln[1] == "votes.amanat":
            ln[2] += 1
    p = Protocol.from_json(payload)
    store = ProtocolStore.open(finalised / "journal.sqlite", lambda: "t")
    sigs = [sign(p, "device", load_device_key(finalised))]
    for m in ("aigerim", "bolat"):
        sigs.append(sign(p, m, unlock_member_key(finalised, m, PIN[m], store)))
    d2 = assemble(p, sigs, doc["enrolment"])
    code, out = run(["verify", str(_write(tmp_path, "r.json", d2))], capsys, monkeypatch)
    assert code == VERIFY_EXIT["protocol_ratio_failed"]
    assert "r4" in json.loads(out)["results"][0]["error"]["detail"]


def test_old_version_replayed_as_current(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(finalised, data)
    d = str(data)
    entered = json.loads((data / "entered.json").read_text())["mazhilis-smd-astana-2"]
    entered["ballots_cancelled"] -= 1
    entered["ballots_spoiled"] += 1
    f = tmp_path / "fix.json"
    f.write_text(json.dumps({"MZ-SMD-02": entered}))
    assert run(["protocol", "--data", d, "enter", "--lines", str(f)], capsys, monkeypatch)[0] == 0
    for m in ("aigerim", "bolat"):
        code, _ = run(
            [
                "protocol",
                "--data",
                d,
                "sign",
                "--member",
                m,
                "--contest",
                "MZ-SMD-02",
                "--reason",
                "recount",
                "--pin-stdin",
            ],
            capsys,
            monkeypatch,
            PIN[m] + "\n",
        )
        assert code == 0
    assert run(["protocol", "--data", d, "finalise", "--contest", "MZ-SMD-02"], capsys, monkeypatch)[0] == 0
    v1, v2 = (
        data / "protocols" / "MZ-SMD-02.v1.protocol.jws.json",
        data / "protocols" / "MZ-SMD-02.v2.protocol.jws.json",
    )
    assert run(["verify", str(v1)], capsys, monkeypatch)[0] == 0  # alone, it is a valid old version
    assert run(["verify", str(v2)], capsys, monkeypatch)[0] == 0
    code, out = run(["verify", str(v1), str(v2)], capsys, monkeypatch)
    assert code == VERIFY_EXIT["protocol_superseded"]
    res = json.loads(out)["results"]
    assert [r["ok"] for r in res] == [False, True]
    code, _ = run(["verify", str(v1), "--journal", str(data / "journal.sqlite")], capsys, monkeypatch)
    assert code == VERIFY_EXIT["protocol_superseded"]
    code, _ = run(["verify", str(v2), "--journal", str(data / "journal.sqlite")], capsys, monkeypatch)
    assert code == 0


def test_a_protocol_for_another_form_is_refused(
    finalised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed by every enrolled key, but a ratio dropped: the package's form says otherwise."""
    from kiosk.protocol.keys import load_device_key, unlock_member_key
    from kiosk.protocol.store import ProtocolStore

    doc = _doc(finalised / "protocols" / "AST-LIST.v1.protocol.jws.json")
    payload = json.loads(unb64(doc["payload"]))
    payload["ratios"] = payload["ratios"][:-1]
    p = Protocol.from_json(payload)
    store = ProtocolStore.open(finalised / "journal.sqlite", lambda: "t")
    sigs = [sign(p, "device", load_device_key(finalised))]
    sigs += [sign(p, m, unlock_member_key(finalised, m, PIN[m], store)) for m in ("aigerim", "bolat")]
    code, _ = run(
        ["verify", str(_write(tmp_path, "f.json", assemble(p, sigs, doc["enrolment"])))], capsys, monkeypatch
    )
    assert code == VERIFY_EXIT["protocol_form_mismatch"]


def test_qr_content_that_expands_too_far_is_refused() -> None:
    import zlib

    from kiosk.protocol import compact

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = c.compress(b"[" + b"0," * (1 << 20) + b"0]") + c.flush()
    assert len(bomb) < 5000
    with pytest.raises(SanaqError) as e:
        compact.from_binary(bomb)
    assert e.value.code == "protocol_malformed"
    # Parts that do not fit together (a part swapped in from another protocol) are refused.
    a = compact.split(b"x" * 700)
    b = compact.split(b"y" * 700)
    with pytest.raises(SanaqError) as e:
        compact.join([a[0], a[1], b[2].replace(b[2].split(":")[3], a[0].split(":")[3])])
    assert e.value.code == "protocol_malformed"


def test_roster_rules(finalised: Path) -> None:
    from kiosk.protocol.signed import Enrolment, Member, sign_enrolment, verify_enrolment

    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    e = verify_enrolment(doc["enrolment"], development_trust())
    from kiosk.election.package import development_private_key

    hq = development_private_key()
    k = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    bad = {
        "two chairs": Enrolment(
            e.election_hash, e.station, e.device_key, (*e.members, Member("zz", "chair", k))
        ),
        "no secretary": Enrolment(
            e.election_hash, e.station, e.device_key, tuple(m for m in e.members if m.role != "secretary")
        ),
        "a key twice": Enrolment(
            e.election_hash, e.station, e.device_key, (*e.members, Member("zz", "member", e.device_key))
        ),
        "reserved id": Enrolment(
            e.election_hash, e.station, e.device_key, (*e.members, Member("device", "member", k))
        ),
    }
    for why, enrol in bad.items():
        with pytest.raises(SanaqError) as exc:
            verify_enrolment(sign_enrolment(enrol, hq), development_trust())
        assert exc.value.code == "protocol_enrolment_bad", why
    # A genuine enrolment of another station does not vouch for this station's protocol.
    other = Enrolment(e.election_hash, "380", e.device_key, e.members)
    with pytest.raises(SanaqError) as exc:
        verify_document(dict(doc, enrolment=sign_enrolment(other, hq)), development_trust())
    assert exc.value.code == "protocol_enrolment_mismatch"


def test_dissent_needs_a_reason(finalised: Path) -> None:
    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    p = Protocol.from_json(json.loads(unb64(doc["payload"])))
    with pytest.raises(SanaqError) as e:
        sign(p, "dana", Ed25519PrivateKey.generate(), "dissent", None)
    assert e.value.code == "protocol_dissent_reason"


def test_a_line_given_twice_is_malformed(finalised: Path) -> None:
    """A second "valid" line could make a ratio read one value and a reader another."""
    doc = _doc(finalised / "protocols" / "MZ-LIST.v1.protocol.jws.json")
    payload = json.loads(unb64(doc["payload"]))
    payload["lines"].append(["8", "valid", 0])
    with pytest.raises(SanaqError) as e:
        Protocol.from_json(payload)
    assert e.value.code == "protocol_malformed"
