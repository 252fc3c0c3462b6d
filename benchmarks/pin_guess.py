"""Offline PIN guessing on a copied member key file (attack6): what one guess costs.

    .venv/bin/python benchmarks/pin_guess.py [--guesses 8] [--out FILE]

Makes a real member key file (`kiosk.protocol.keys.create_member_key`), then, as someone who
copied it off the kiosk would, tries wrong PINs with the file's own parameters: scrypt from
the PIN and the file's salt, ChaCha20-Poly1305 on the file's ciphertext (the kiosk's lock-out
does not apply there). CPU seconds per guess on one core, guesses per second, and the
core-hours for all 10^6 six-digit PINs. For comparison the same with scrypt N=2^16 and 2^17
(what a stronger setting would cost the kiosk at each sign-in, the same per guess). JSON on
stdout (and --out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.protocol.keys import _aad, create_member_key, unb64


def per_guess(doc: dict[str, Any], n: int, guesses: int) -> float:
    kdf = doc["kdf"]
    salt, nonce, ct = unb64(kdf["salt"]), unb64(doc["nonce"]), unb64(doc["ciphertext"])
    aad = _aad(doc["member"], doc["role"], unb64(doc["public"]))
    t0 = time.process_time()
    for k in range(guesses):
        key = Scrypt(salt=salt, length=32, n=n, r=kdf["r"], p=kdf["p"]).derive(f"{k:06d}".encode())
        try:
            ChaCha20Poly1305(key).decrypt(nonce, ct, aad)
        except InvalidTag:
            continue
    return (time.process_time() - t0) / guesses


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--guesses", type=int, default=8)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        create_member_key(Path(tmp), "aigerim", "chair", "987654")
        doc = json.loads((Path(tmp) / "members" / "aigerim.key").read_text())
    rows = []
    for n in (doc["kdf"]["n"], 2**16, 2**17):
        s = per_guess(doc, n, args.guesses)
        rows.append(
            {
                "scrypt_n": n,
                "r": doc["kdf"]["r"],
                "memory_mib": 128 * n * doc["kdf"]["r"] / 2**20,
                "file_setting": n == doc["kdf"]["n"],
                "cpu_s_per_guess": round(s, 4),
                "guesses_per_s_one_core": round(1 / s, 2),
                "core_hours_all_6_digit_pins": round(1e6 * s / 3600, 1),
            }
        )
    out = {
        "benchmark": "pin_guess",
        "guesses": args.guesses,
        "load_average": os.getloadavg(),
        "rows": rows,
    }
    text = json.dumps(out, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
