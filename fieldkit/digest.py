"""A fingerprint of the field corpus generator's output (`fieldkit.conditions`).

`corpus_digest` generates field sheets over every condition (alone and mixed), every
style and every dpi, and hashes each sheet's JPEG bytes, its truth, the conditions per
sheet and per square, the colour flag and the effects. Two generators give the same
digest only if they give the same corpus byte for byte: a speed-up of the generator must
leave it unchanged (`benchmarks/corpus_digest.py`, `tests/test_corpus_digest.py`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict

from fieldkit.conditions import CONDITIONS, DPIS, FieldOptions, FieldSheet, generate_field_sheet
from kiosk.ballots.layout import build_layout
from kiosk.election.load import load_election


def sheet_digest(sheet: FieldSheet) -> str:
    h = hashlib.sha256()
    h.update(sheet.image)
    meta = {
        "truth": asdict(sheet.truth),
        "conditions": list(sheet.conditions),
        "square_conditions": sheet.square_conditions,
        "colour": sheet.colour,
        "effects": sheet.effects,
    }
    h.update(json.dumps(meta, sort_keys=True).encode())
    return h.hexdigest()


def corpus_cases(mixed: int, per_condition: int) -> Iterator[tuple[int, int, FieldOptions]]:
    """(seed, index, options): `mixed` sheets of seed 100 with every condition mixed (the
    benchmark's own options), then for each condition and for "none" `per_condition`
    sheets of seed 101 with that condition alone, one dpi after another (starting at a
    different dpi for each condition, so that even one sheet each covers every dpi)."""
    for i in range(mixed):
        yield 100, i, FieldOptions()
    for k, only in enumerate(("none", *CONDITIONS)):
        for j in range(per_condition):
            dpi = DPIS[(j + k) % len(DPIS)]
            yield 101, 1000 * k + j, FieldOptions(only=only, dpis=(dpi,))  # type: ignore[arg-type]


def corpus_digest(mixed: int = 40, per_condition: int = 4) -> tuple[str, list[str]]:
    """The digest over `corpus_cases` and each sheet's own digest, in order."""
    pkg = load_election(None)
    styles = [s.id for s in pkg.election.styles]
    layouts = {s: build_layout(pkg.election, pkg.election_hash, s) for s in styles}
    total = hashlib.sha256()
    each = []
    for seed, index, fopt in corpus_cases(mixed, per_condition):
        layout = layouts[styles[index % len(styles)]]
        d = sheet_digest(generate_field_sheet(pkg.election, pkg.election_hash, layout, seed, index, fopt))
        each.append(d)
        total.update(d.encode())
    return total.hexdigest(), each
