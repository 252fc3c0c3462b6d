"""The observer's verifier: one self-contained HTML page (docs/observer.md).

`build_page` writes the page with the headquarters public key, the protocol forms of the
election packages it knows (line titles in Kazakh and Russian, for the form check) and the
messages built in; jsQR and @noble/ed25519 (vendor/, see PROVENANCE) are inlined with their
licences. The page needs no server and no network: the checks are those of `sanaq verify`
(kiosk/protocol/signed.py), done in app.js.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.election.model import Election
from kiosk.election.package import development_private_key, key_id
from kiosk.protocol.keys import b64, raw_public

NOBLE_VERSION: Final = "2.3.0"
JSQR_VERSION: Final = "1.4.0"
# sha256 of the vendored files, as written in vendor/PROVENANCE; the builder refuses others.
VENDOR_SHA256: Final = {
    "jsQR.js": "bc40c8a15196236b2314db0856f72ca0b49980cd5413b8c852a7349f5fee0859",
    "jsQR.LICENSE": "c6596eb7be8581c18be736c846fb9173b69eccf6ef94c5135893ec56bd92ba08",
    "noble-ed25519.js": "70cebecaaa6a126ced702198706c49d03f2d6f70317342b75e50e8d2d4951fe5",
    "noble-ed25519.LICENSE": "394c2e6e5552e5dba202bee6390b9d6aa2754d657f5b9869e83b3d265a315501",
}
MESSAGE_CODES: Final = (
    "protocol_malformed",
    "protocol_qr_unreadable",
    "protocol_enrolment_bad",
    "protocol_enrolment_mismatch",
    "protocol_unsigned",
    "protocol_unknown_signer",
    "protocol_bad_signature",
    "protocol_ratio_failed",
    "protocol_form_mismatch",
    "protocol_superseded",
)
_NOBLE_EXPORT = re.compile(r"^export \{[^}]*\};\s*$", re.MULTILINE)


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _vendor(name: str) -> str:
    data = resources.files(__package__).joinpath("vendor", name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != VENDOR_SHA256[name]:
        raise RuntimeError(f"vendor/{name}: sha256 {digest} is not the one in PROVENANCE")
    return data.decode("utf-8")


def _script(text: str) -> str:
    """Text safe inside a <script> element."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def forms_of(election_hash: str, election: Election) -> dict[str, Any]:
    """What the page needs of a package: each contest's protocol form and titles, station names."""
    contests = {}
    for form in election.protocols:
        contest = election.contest(form.contest)
        contests[form.contest] = {
            "title": {"kk": contest.title.kk, "ru": contest.title.ru},
            "lines": [
                {"id": ln.id, "number": ln.number, "kk": ln.title.kk, "ru": ln.title.ru, "option": ln.option}
                for ln in form.lines
            ],
            "ratios": [
                {
                    "id": r.id,
                    "left": list(r.left),
                    "op": r.op,
                    "right": list(r.right),
                    "kk": r.title.kk,
                    "ru": r.title.ru,
                }
                for r in form.ratios
            ],
        }
    stations = {s.id: {"kk": s.name.kk, "ru": s.name.ru} for s in election.stations}
    return {"election_hash": election_hash, "contests": contests, "stations": stations}


def build_page(
    hq_key: Ed25519PublicKey,
    hq_label: str,
    packages: Iterable[tuple[str, Election]],
    software: str,
) -> str:
    from kiosk.messages import MESSAGES

    config = {
        "hq": {
            "kid": key_id(hq_key),
            "key": b64(raw_public(hq_key)),
            "label": hq_label,
            "development": raw_public(hq_key) == raw_public(development_private_key().public_key()),
        },
        "packages": [forms_of(h, e) for h, e in packages],
        "messages": {c: MESSAGES[c] for c in MESSAGES if c in MESSAGE_CODES},
        "noble_version": NOBLE_VERSION,
    }
    noble = _vendor("noble-ed25519.js")
    if len(_NOBLE_EXPORT.findall(noble)) != 1:
        raise RuntimeError("vendor/noble-ed25519.js: its export line is not where the builder expects it")
    noble = _NOBLE_EXPORT.sub("", noble)
    licences = "".join(
        f"<p>{html.escape(title)}</p><pre>{html.escape(_vendor(lic))}</pre>"
        for title, lic in (
            (f"jsQR {JSQR_VERSION} (npm jsqr), Apache License 2.0", "jsQR.LICENSE"),
            (f"@noble/ed25519 {NOBLE_VERSION} (npm), MIT License", "noble-ed25519.LICENSE"),
        )
    )
    parts = {
        "@@CONFIG@@": _script(json.dumps(config, ensure_ascii=False, sort_keys=True)),
        "@@JSQR@@": f"/*! jsQR {JSQR_VERSION}, Apache-2.0 (licence in the page footer) */\n"
        + _script(_vendor("jsQR.js")),
        "@@NOBLE@@": f"/*! @noble/ed25519 {NOBLE_VERSION}, MIT (licence in the page footer) */\n"
        "const NOBLE = (() => {\n" + _script(noble) + "\nreturn { verifyAsync };\n})();",
        "@@APP@@": _script(_read("app.js")),
        "@@LICENCES@@": licences,
        "@@SOFTWARE@@": html.escape(software),
    }
    page = _read("page.html")
    # One pass, so that nothing inserted is itself searched for placeholders.
    return re.sub("|".join(map(re.escape, parts)), lambda m: parts[m.group(0)], page)
