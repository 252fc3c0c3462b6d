"""Coverage-guided fuzzing of the reader with atheris (libFuzzer over Python bytecode).

    .venv/bin/python tests/fuzz_reader.py -runs=20000 -seed=1     # or run without -runs: until stopped

Each input is one of three things, chosen by its first byte:
  0: raw bytes, as a scanner or a file might hand them over;
  1: a real ballot JPEG with bytes overwritten at fuzzed offsets (headers, tables, data);
  2: a real ballot scan with fuzzed rectangles painted over it (ink over the fiducials,
     the QR code, the timing marks; torn corners; a dark band), read as an array.
The reader must return a SideReading every time, and a refusal must carry a code that
has its kk/ru/en message. Anything else is a crash: atheris prints it, saves the input
as crash-*, and exits non-zero. tests/test_fuzz.py runs a short fixed-seed session.

The compiled kernels are not instrumented (numba compiles from the plain bytecode); the
Python around them is.
"""

from __future__ import annotations

import dis
import operator
import sys
from collections.abc import Callable
from typing import Any

import atheris
import numpy as np
from atheris.version_dependent import CMP_OP_SHIFT_AMOUNT

# Imported before the instrumented block, so left plain: the ballot generator (not under
# test) and the kernels (numba must see the plain bytecode).
from fieldkit.deck import DeckOptions, generate_sheet
from kiosk.election.package import election_hash
from kiosk.election.sample import sample_election
from kiosk.messages import MESSAGES
from kiosk.reading import kernels  # noqa: F401

with atheris.instrument_imports():
    from kiosk.reading.model import SideReading
    from kiosk.reading.reader import BallotReader

ELECTION = sample_election()
HASH = election_hash(ELECTION)
READER = BallotReader(ELECTION, HASH, keep_crops="never")
SHEET = generate_sheet(ELECTION, HASH, "AST-SMD-07", 3, 0, DeckOptions(), with_front=False)
JPEG = SHEET.back_bytes
SCAN = SHEET.back


# atheris 3.0.0's comparison hook keeps a reference to the result of every comparison
# it traces: when the operands are numpy arrays, that is a whole boolean array per
# comparison, never freed (a 1 MB array compared ten times a run: 9.6 MB a run, while the
# same loop uninstrumented stays flat). The reader compares arrays on every square, so the
# session's memory grew with the reader's Python, not with anything the reader keeps. So only
# comparisons atheris can tell libFuzzer about (ints, bytes, strings) go to its hook; the rest
# are done here, plainly.
_CMP_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
}
_TRACED = (int, bytes, str)
_atheris_cmp: Callable[..., Any] | None = None


def _trace_cmp(left: Any, right: Any, op: int, counter: int, is_const: bool) -> Any:
    if isinstance(left, _TRACED) and isinstance(right, _TRACED):
        assert _atheris_cmp is not None
        return _atheris_cmp(left, right, op, counter, is_const)
    # The op as atheris passes it: COMPARE_OP's argument, whose index into dis.cmp_op sits above
    # CMP_OP_SHIFT_AMOUNT bits (0 on 3.11; 4 and 5 later, with flags in the bits below).
    return _CMP_OPS[dis.cmp_op[op >> CMP_OP_SHIFT_AMOUNT]](left, right)


def _hook_comparisons() -> None:
    """Put `_trace_cmp` in atheris's place; atheris.Fuzz() sets its own hook when it
    starts, so this runs from inside the first input."""
    global _atheris_cmp
    if atheris._trace_cmp is not _trace_cmp:
        _atheris_cmp = atheris._trace_cmp
        atheris._trace_cmp = _trace_cmp


def check(result: object) -> None:
    assert isinstance(result, SideReading), type(result)
    if result.status == "rejected":
        assert result.reason in MESSAGES, result.reason


def one_input(data: bytes) -> None:
    _hook_comparisons()
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        check(READER.read_bytes(fdp.ConsumeBytes(fdp.remaining_bytes())))
    elif mode == 1:
        jpeg = bytearray(JPEG)
        for _ in range(fdp.ConsumeIntInRange(1, 16)):
            # Mostly near the start, where the headers and tables are.
            at = fdp.ConsumeIntInRange(0, 2000 if fdp.ConsumeBool() else len(jpeg) - 1)
            jpeg[at] = fdp.ConsumeInt(1) & 0xFF
        if fdp.ConsumeBool():
            jpeg = jpeg[: fdp.ConsumeIntInRange(8, len(jpeg))]
        check(READER.read_bytes(bytes(jpeg)))
    else:
        img = SCAN.copy()
        h, w = img.shape
        for _ in range(fdp.ConsumeIntInRange(1, 8)):
            y, x = fdp.ConsumeIntInRange(0, h - 1), fdp.ConsumeIntInRange(0, w - 1)
            dy, dx = fdp.ConsumeIntInRange(1, h // 3), fdp.ConsumeIntInRange(1, w // 3)
            img[y : y + dy, x : x + dx] = fdp.ConsumeIntInRange(0, 255)
        if fdp.ConsumeBool():
            img = np.rot90(img, fdp.ConsumeIntInRange(1, 3))
        check(READER.read(img))


if __name__ == "__main__":
    args = list(sys.argv)
    if not any(a.startswith("-max_len") for a in args):
        args += ["-max_len=512", "-len_control=0"]  # room for a few dozen edits from the start
    atheris.Setup(args, one_input)
    atheris.Fuzz()
