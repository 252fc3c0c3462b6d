"""`sanaq verify` in a fresh process loads only what verifying needs (issue 12: it took
0.8-1.1 s of CPU against a 100 ms target, most of it imports: the reader's kernels through
every command's parser, numpy, fpdf). Speed itself is measured by benchmarks/verify_start.py;
this guards what is imported, which is what made it slow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.election.package import json_depth

HEAVY = ("numpy", "numba", "cv2", "fpdf", "segno", "kiosk.reading", "kiosk.station", "jsonschema", "PIL")


def _finalised(tmp_path: Path) -> Path:
    import io

    import pytest

    from kiosk.cli import main
    from kiosk.protocol.sample import PIN, make_sample_station

    s = make_sample_station(tmp_path / "data", sheets_per_style=3)
    d = str(s.data)
    mp = pytest.MonkeyPatch()
    try:
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat"):
            mp.setattr("sys.stdin", io.StringIO(PIN[m] + "\n"))
            assert main(["protocol", "--data", d, "sign", "--member", m, "--pin-stdin"]) == 0
        assert main(["protocol", "--data", d, "finalise", "--contest", "MZ-LIST"]) == 0
    finally:
        mp.undo()
    return s.data / "protocols" / "MZ-LIST.v1.protocol.jws.json"


def test_sanaq_verify_imports_nothing_heavy(tmp_path: Path) -> None:
    """With the sample package's form check (the protocol is the sample's), in a fresh
    process, as `sanaq verify` and as `python -m kiosk.cli.protocol`."""
    file = _finalised(tmp_path)
    for cmd in (["kiosk.cli", "verify"], ["kiosk.cli.protocol"]):
        r = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", *cmd, str(file)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        assert json.loads(r.stdout)["results"][0]["checked"]["form"] is True
        modules = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
        assert "kiosk.protocol.signed" in modules  # the log is what it seems
        heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
        assert heavy == [], (cmd, heavy)


def _depth_reference(text: str) -> int:
    depth = best = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.integers() | st.text(alphabet='[]{}"\\ab'),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(alphabet='[]{}"ab'), c, max_size=4),
        max_leaves=30,
    )
)
def test_json_depth_agrees_with_the_plain_definition(doc: object) -> None:
    text = json.dumps(doc)
    assert json_depth(text.encode()) == _depth_reference(text)


def test_json_depth_of_deep_nesting_is_linear() -> None:
    assert json_depth(b"[" * 100_000 + b"]" * 100_000) == 100_000
    assert json_depth(b'{"a": "[[[[", "b": [{"c": "\\"]]"}]}') == 3
