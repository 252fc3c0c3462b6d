"""Peak memory and outcome of each hostile input of issue 11, for one source tree.

    .venv/bin/python benchmarks/hostile.py --tree . --work /tmp/hostile --out after.json
    .venv/bin/python benchmarks/hostile.py --tree /tmp/before --work /tmp/hostile --before --out before.json

Each case runs `python -m kiosk.cli ...` from --tree (PYTHONPATH) under `/usr/bin/time -v`
with an address-space cap (`ulimit -v`), so that an unbounded read stops at the cap instead
of taking the machine. It prints one JSON object: per case the exit code, the peak
resident memory (MB, the kernel's high-water mark), the wall time and the last line of
stderr (the error code, or the exception of a traceback). --before runs the command lines
as they were before the closed defaults (no --member / --development).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

PY = sys.executable


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def png_bomb(path: Path, width: int, height: int) -> None:
    """A grey PNG whose rows are all zero: small on disk, width x height when decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    comp = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def make_inputs(work: Path, tree: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    sample = work / "sample.json"
    if not sample.exists():
        subprocess.run(
            [PY, "-m", "kiosk.cli", "election", "sample", "--out", str(sample)], env=env, check=True
        )
    doc = json.loads(sample.read_text())
    (work / "deep.json").write_bytes(b"[" * 1_000_000 + b"]" * 1_000_000)
    if not (work / "big.json").exists():
        with open(work / "big.json", "w") as f:  # 600 MB: a payload of 600 MB of base64url
            f.write(
                json.dumps({"protected": doc["protected"], "signature": doc["signature"]})[:-1]
                + ', "payload": "'
            )
            block = "A" * (1 << 20)
            for _ in range(600):
                f.write(block)
            f.write('"}\n')
    # The forged payload first: a parser that keeps the first key sees it.
    forged = b64url(b'{"forged": true}')
    text = sample.read_text()
    (work / "dup.json").write_text(f'{{"payload": "{forged}",\n' + text.lstrip()[1:])
    junk = dict(doc, signature=doc["signature"][:20] + "!!**" + doc["signature"][20:])
    (work / "junk-b64.json").write_text(json.dumps(junk))
    bad_sig = dict(doc, signature=doc["signature"][:-4] + "AAAA")
    (work / "bad-sig.json").write_text(json.dumps(bad_sig))
    (work / "notpem.pub").write_text("this is not a key\n")
    subprocess.run(
        [PY, "-m", "kiosk.cli", "election", "keygen", "--out", str(work / "hq")], env=env, check=True
    )
    zero = work / "zero.png"
    if not zero.is_symlink():
        zero.symlink_to("/dev/zero")
    if not (work / "bomb.png").exists():
        png_bomb(work / "bomb.png", 30_000, 30_000)
    for name, size in (("hot3g", 3 << 30), ("hot1g", 1 << 30)):
        inbox = work / name
        inbox.mkdir(exist_ok=True)
        for side in "ab":
            huge = inbox / f"huge.{side}.png"
            if not huge.exists():
                with open(huge, "wb") as out:  # regular files of real zeros read back (sparse on disk)
                    out.truncate(size)


def run(tree: Path, work: Path, args: list[str], cap_gb: float) -> dict[str, object]:
    cmd = " ".join(f"'{a}'" for a in [PY, "-m", "kiosk.cli", *args])
    shell = f"ulimit -v {int(cap_gb * 1024 * 1024)}; exec /usr/bin/time -v {cmd}"
    p = subprocess.run(
        ["bash", "-c", shell],
        cwd=work,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr)
    err_lines = [ln for ln in p.stderr.splitlines() if ln and not ln.startswith("\t") and "Command" not in ln]
    last = err_lines[-1] if err_lines else ""
    code = re.search(r'"code": "([a-z_]+)"', last)
    outcome = code.group(1) if code else (last[:160] if last else "ok")
    out_first = p.stdout.strip().splitlines()[:2]
    return {
        "exit": p.returncode,
        "peak_rss_mb": round(int(rss.group(1)) / 1024, 1) if rss else None,
        "wall": wall.group(1) if wall else None,
        "outcome": outcome,
        "stdout": [ln[:200] for ln in out_first],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--before", action="store_true", help="command lines as before the closed defaults")
    ap.add_argument("--cap-gb", type=float, default=4.0)
    ap.add_argument("--only", default=None, help="comma-separated case names")
    a = ap.parse_args()
    tree, work = a.tree.resolve(), a.work.resolve()
    make_inputs(work, tree)
    actor = [] if a.before else ["--development", "--role", "chair", "--member", "Bench"]
    member = ["--role", "member"] if a.before else ["--development", "--role", "member", "--member", "Bench"]
    hot = "hot1g" if a.before else "hot3g"  # before: 2 x 1 GB (2 x 3 GB took 6.5 GB in the issue)

    def station(data: str, *args: str, who: list[str] = actor) -> list[str]:
        return ["station", "--data", str(work / data), *who, *args]

    cases: dict[str, list[list[str]]] = {
        "package_deep_nesting": [["election", "verify", "deep.json"]],
        "package_600mb": [["election", "verify", "big.json"]],
        "package_duplicate_payload_key": [["election", "verify", "dup.json"]],
        "package_junk_in_signature_base64": [["election", "verify", "junk-b64.json"]],
        "hq_key_not_pem": [["election", "verify", "sample.json", "--hq-key", "notpem.pub"]],
        "hq_key_private": [["election", "verify", "sample.json", "--hq-key", "hq.key"]],
        "init_with_a_refused_package": [station("st-init", "init", "--election", "bad-sig.json")],
        "read_symlink_to_dev_zero": [["read", "zero.png"]],
        "read_png_30000x30000": [["read", "bomb.png"]],
        "hot_folder_two_huge_files": [
            station("st-hot", "init"),
            station("st-hot", "open"),
            station("st-hot", "scan", f"folder://{work / hot}", who=member),
        ],
    }
    results: dict[str, object] = {"tree": str(tree), "before": a.before, "cap_gb": a.cap_gb}
    for name, steps in cases.items():
        if a.only and name not in a.only.split(","):
            continue
        for d in ("st-init", "st-hot"):
            if name.startswith(("init", "hot")):
                subprocess.run(["rm", "-rf", str(work / d)], check=True)
        for sub in ("accepted", "returned"):  # put the huge files back for the next run
            for f in (work / hot / sub).glob("*") if (work / hot / sub).exists() else []:
                f.rename(work / hot / f.name)
        step_results = [run(tree, work, s, a.cap_gb) for s in steps]
        r = step_results[-1]
        if name == "init_with_a_refused_package":
            r["election_json_left_behind"] = (work / "st-init" / "election.json").exists()
        if name == "hot_folder_two_huge_files":
            r["files"] = f"2 x {'1' if a.before else '3'} GB"
        results[name] = r
        print(name, json.dumps(r), file=sys.stderr, flush=True)
    a.out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
