"""`sanaq election ...`"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.election.load import load_election, read_bounded, sample_package_bytes
from kiosk.election.package import (
    MAX_KEY_BYTES,
    MAX_PACKAGE_BYTES,
    LoadedPackage,
    development_reason,
    load_private_key,
    parse_election,
    sign_election,
)
from kiosk.errors import SanaqError


def add_parser(sub: Any) -> None:
    election = sub.add_parser("election", help="election packages: sample, show, sign, verify, keygen")
    esub = election.add_subparsers(dest="action", required=True)
    p = esub.add_parser("sample", help="write the signed built-in sample package")
    p.add_argument("--out", type=Path, required=True)
    p = esub.add_parser("show", help="a readable summary of a package")
    p.add_argument("package", type=Path, nargs="?")
    p.add_argument("--hq-key", type=Path, default=None)
    p.add_argument("--json", action="store_true", help="the election document as JSON")
    p = esub.add_parser("sign", help="headquarters: sign an election JSON document")
    p.add_argument("document", type=Path)
    p.add_argument("--key", type=Path, required=True, help="Ed25519 private key, PEM")
    p.add_argument("--out", type=Path, required=True)
    p = esub.add_parser("verify", help="verify a package against the pinned key")
    p.add_argument("package", type=Path)
    p.add_argument("--hq-key", type=Path, default=None)
    p = esub.add_parser("keygen", help="headquarters: make an Ed25519 key pair")
    p.add_argument("--out", type=Path, required=True, help="writes OUT.key (private) and OUT.pub")


def _write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise SanaqError("file_unwritable", f"{path}: {exc.strerror}") from exc


def summary(pkg: LoadedPackage) -> str:
    e = pkg.election
    not_official = development_reason(pkg)
    out = [f"NOT FOR OFFICIAL COUNTING: {not_official}", ""] if not_official else []
    out += [
        f"{e.election.title.kk}",
        f"{e.election.title.ru}",
        f"{e.election.title.en}",
        f"election id {e.election.id}, {e.election.date.isoformat()}, "
        f"{'OFFICIAL' if e.election.official else 'TEST'} package",
        f"election hash {pkg.election_hash}",
        f"signed by key {pkg.key_id}: {pkg.key_label}",
        "",
    ]
    for c in e.contests:
        out.append(f"contest {c.id} ({c.kind}, {c.seats} seat(s), {len(c.options)} options)")
        out.append(f"  {c.title.kk}")
        out.append(f"  {c.title.ru}")
        for i, o in enumerate(c.options):
            tag = " [against all]" if o.against_all else ""
            out.append(f"  {i + 1:2d}. {o.id:12s} {o.name.kk} / {o.name.ru}{tag}")
    out.append("")
    for s in e.styles:
        out.append(f"ballot style {s.id}: contest {s.contest}, colour {s.colour_name.en} ({s.colour})")
    for st in e.stations:
        out.append(
            f"station {st.id}: {st.name.kk} / {st.name.ru}; {st.voters_on_list} voters on the list; "
            f"ballots received {sum(st.ballots_received.values())}; styles {', '.join(st.styles)}"
        )
    r = e.rules
    out.append(
        f"rules: blank invalid={r.blank_is_invalid}, more than one mark invalid={r.overvote_is_invalid}, "
        f"return invalid ballot to voter={r.return_invalid_to_voter}"
        # issue 16: whether opening needs a passed logic-and-accuracy test
        + f", logic-and-accuracy test required={r.logic_and_accuracy_required}"
    )
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    if args.action == "sample":
        _write(args.out, sample_package_bytes())
        pkg = load_election(args.out)
        print(f"wrote {args.out} (election hash {pkg.election_hash}; signed with the {pkg.key_label})")
        return 0
    if args.action == "show":
        pkg = load_election(args.package, args.hq_key)
        if args.json:
            print(json.dumps(pkg.election.model_dump(mode="json"), ensure_ascii=False, indent=1))
        else:
            print(summary(pkg))
        return 0
    if args.action == "verify":
        pkg = load_election(args.package, args.hq_key)
        print(
            json.dumps(
                {
                    "ok": True,
                    "election_hash": pkg.election_hash,
                    "key_id": pkg.key_id,
                    "key_label": pkg.key_label,
                    "official": development_reason(pkg) is None,
                    "not_official_because": development_reason(pkg),
                }
            )
        )
        return 0
    if args.action == "sign":
        try:
            document = read_bounded(args.document, MAX_PACKAGE_BYTES)
        except (OSError, ValueError) as exc:
            raise SanaqError("package_malformed", str(exc)) from exc
        try:
            key_pem = read_bounded(args.key, MAX_KEY_BYTES)
        except (OSError, ValueError) as exc:
            raise SanaqError("signing_key_invalid", str(exc)) from exc
        election = parse_election(document)
        _write(args.out, sign_election(election, load_private_key(key_pem)))
        print(f"wrote {args.out}")
        return 0
    if args.action == "keygen":
        key = Ed25519PrivateKey.generate()
        priv = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        pub = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write(args.out.with_suffix(".key"), priv)
        args.out.with_suffix(".key").chmod(0o600)
        _write(args.out.with_suffix(".pub"), pub)
        print(f"wrote {args.out.with_suffix('.key')} (keep secret) and {args.out.with_suffix('.pub')}")
        return 0
    raise AssertionError(args.action)
