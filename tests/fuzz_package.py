"""Coverage-guided fuzzing of the election package loader with atheris.

    .venv/bin/python tests/fuzz_package.py -runs=20000 -seed=1     # or without -runs: until stopped

Each input, by its first byte, is:
  0: raw bytes handed to `verify_package` (the package file as found on a stick);
  1: the signed sample package with bytes overwritten at fuzzed offsets;
  2: a fuzzed payload signed with the development key, so the signature is good and the
     JSON, canonical form and election model behind it are what is exercised;
  3: raw bytes as the headquarters public key (PEM);
  4: the sample's own payload JSON with a fuzzed piece spliced in at a fuzzed place, signed
     (mostly still JSON, often still an election: numbers, strings and nesting that the
     model and the canonical form must refuse with a code).
`verify_package` must return a LoadedPackage or raise SanaqError with a code that has its
kk/ru/en message; anything else (RecursionError, KeyError, TypeError...) is a crash.
tests/test_fuzz.py runs a short fixed-seed session.
"""

from __future__ import annotations

import base64
import json
import sys

import atheris
import cryptography.hazmat.primitives.serialization  # noqa: F401 - plain: not under test
import numpy  # noqa: F401
import pydantic  # noqa: F401
import rfc8785  # noqa: F401

from kiosk.messages import MESSAGES

with atheris.instrument_imports(include=["kiosk"]):
    from kiosk.election.load import sample_package_bytes
    from kiosk.election.package import (
        LoadedPackage,
        b64url,
        development_private_key,
        development_trust,
        key_id,
        trust_from_pem,
        verify_package,
    )
    from kiosk.errors import SanaqError

SAMPLE = sample_package_bytes()
TRUST = development_trust()
KEY = development_private_key()
HEADER = b64url(
    json.dumps({"alg": "Ed25519", "cty": "sanaq.election+json", "kid": key_id(KEY.public_key())}).encode()
)
PAYLOAD_JSON = base64.urlsafe_b64decode(json.loads(SAMPLE)["payload"] + "==")


def sign(payload: bytes) -> bytes:
    body = b64url(payload)
    sig = b64url(KEY.sign(f"{HEADER}.{body}".encode()))
    return json.dumps({"payload": body, "protected": HEADER, "signature": sig}).encode()


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 4)
    try:
        if mode == 0:
            result = verify_package(fdp.ConsumeBytes(fdp.remaining_bytes()), TRUST)
        elif mode == 1:
            doc = bytearray(SAMPLE)
            for _ in range(fdp.ConsumeIntInRange(1, 8)):
                doc[fdp.ConsumeIntInRange(0, len(doc) - 1)] = fdp.ConsumeInt(1) & 0xFF
            result = verify_package(bytes(doc), TRUST)
        elif mode == 2:
            result = verify_package(sign(fdp.ConsumeBytes(fdp.remaining_bytes())), TRUST)
        elif mode == 3:
            trust_from_pem(fdp.ConsumeBytes(fdp.remaining_bytes()), "fuzz")
            return
        else:
            at = fdp.ConsumeIntInRange(0, len(PAYLOAD_JSON))
            cut = fdp.ConsumeIntInRange(0, 16)
            piece = fdp.ConsumeBytes(fdp.remaining_bytes())
            result = verify_package(sign(PAYLOAD_JSON[:at] + piece + PAYLOAD_JSON[at + cut :]), TRUST)
    except SanaqError as exc:
        assert exc.code in MESSAGES, exc.code
        return
    assert isinstance(result, LoadedPackage)


if __name__ == "__main__":
    args = list(sys.argv)
    if not any(a.startswith("-max_len") for a in args):
        args += ["-max_len=4096"]
    atheris.Setup(args, one_input)
    atheris.Fuzz()
