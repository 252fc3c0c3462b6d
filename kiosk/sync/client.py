"""The kiosk's delivery loop: each pending delivery POSTed over HTTPS (httpx) to the intake,
signed with the device key, retried with exponential backoff and full jitter until a valid
signed receipt comes back (or the intake refuses it with a code, which no retry would change).

The server certificate is checked against a pinned CA only (not the system store); clock, sleep
and randomness are injected so that tests never sleep.
"""

from __future__ import annotations

import json
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.election.package import LoadedPackage
from kiosk.errors import SanaqError
from kiosk.protocol.keys import unb64
from kiosk.protocol.signed import Trust
from kiosk.sync.outbox import Delivery, Outbox
from kiosk.sync.wire import PATH, sign_request, verify_receipt

UNTRUSTED: Final = "sync_server_untrusted"


@dataclass
class Backoff:
    base: float = 1.0
    factor: float = 2.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * factor**attempt)]."""
        return self.rng.uniform(0, min(self.cap, self.base * self.factor**attempt))


def pinned_context(ca_pem: Path) -> ssl.SSLContext:
    """Trusts only the given CA (the election's headquarters CA), with hostname checks."""
    try:
        return pinned_context_pem(ca_pem.read_text())
    except OSError as exc:
        raise SanaqError("sync_ca_invalid", f"{ca_pem}: {exc}") from exc


# shape (issue 12): a receipt or a refusal is a few kB; nothing larger is read.
MAX_ANSWER = 1 << 20


class AnswerTooLarge(Exception):
    """The intake's answer is larger than any receipt, or compressed (it could inflate)."""


def pinned_context_pem(pem: str) -> ssl.SSLContext:
    """The same from the PEM text itself (the election package's `headquarters.ca_pem`)."""
    try:
        # With cadata given, the system store is not loaded: only this CA is trusted.
        ctx = ssl.create_default_context(cadata=pem)
    except (ssl.SSLError, ValueError) as exc:
        raise SanaqError("sync_ca_invalid", str(exc)) from exc
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def headquarters_of(package: LoadedPackage) -> tuple[tuple[str, ...], ssl.SSLContext]:
    """The intake URL(s) and the pinned TLS context the signed election package names."""
    hq = package.election.headquarters
    if hq is None:
        raise SanaqError("sync_no_headquarters", "the election package has no `headquarters`")
    return hq.urls, pinned_context_pem(hq.ca_pem)


def _untrusted(exc: BaseException) -> bool:
    """A TLS failure because the server's certificate does not verify against the pin."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass(frozen=True)
class Outcome:
    delivered: int
    refused: dict[str, str]  # delivery key -> error code
    unfinished: int
    # The server's certificate did not chain to the pinned CA: the run stopped, nothing sent.
    untrusted: bool = False


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        hq_url: str,
        device_key: Ed25519PrivateKey,
        trust: Trust,
        verify: ssl.SSLContext | bool,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        backoff: Backoff | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.outbox = outbox
        self.url = hq_url.rstrip("/") + PATH
        self.key = device_key
        self.trust = trust
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff or Backoff()
        self.client = httpx.Client(verify=verify, timeout=timeout, transport=transport)

    def close(self) -> None:
        self.client.close()

    def send_one(self, d: Delivery) -> str:
        """One attempt: 'done', 'retry' or the refusal's error code. Every attempt is recorded."""
        headers = sign_request(self.key, "POST", PATH, d.body, int(self.clock()), _station_of(d.body))
        headers["content-type"] = "application/jose+json"
        headers["accept-encoding"] = "identity"  # shape (issue 12): see _post
        try:
            status, content = self._post(d.body, headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if _untrusted(exc):
                # Refused before a byte of the delivery left: TLS failed on the server's certificate.
                self.outbox.attempt(d.key, "failed", f"sync_server_untrusted: {exc}")
                return UNTRUSTED
            self.outbox.attempt(d.key, "failed", f"connect: {exc}")
            return "retry"
        except (httpx.TransportError, httpx.DecodingError, AnswerTooLarge) as exc:  # sent, no usable answer
            self.outbox.attempt(d.key, "sent", f"{type(exc).__name__}: {exc}")
            return "retry"
        if status in (200, 201):
            try:
                verify_receipt(content, self.trust, d.key)
            except SanaqError as exc:
                self.outbox.attempt(d.key, "sent", f"{exc.code}: {exc.detail}")
                return "retry"
            self.outbox.keep_receipt(d.key, content)
            self.outbox.attempt(d.key, "receipt", None)
            return "done"
        code = _error_code(content)
        if 400 <= status < 500 and code and code != "sync_request_stale":
            self.outbox.attempt(d.key, "refused", code)
            return code
        self.outbox.attempt(d.key, "sent", f"HTTP {status} {code or ''}".strip())
        return "retry"

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        """The answer's status and at most MAX_ANSWER bytes of its body, read as it comes and
        never inflated. httpx inflates a gzip/deflate/brotli answer whatever was asked: a 1 MB
        gzip answer from a hostile intake became 1 GiB (2 GB peak) in the kiosk (attack pass,
        issue 12). The request asks for `identity`; an answer encoded anyway is refused."""
        with self.client.stream("POST", self.url, content=body, headers=headers) as r:
            encoding = r.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise AnswerTooLarge(f"an answer encoded {encoding!r}, identity was asked")
            data = bytearray()
            for chunk in r.iter_raw():
                data += chunk
                if len(data) > MAX_ANSWER:
                    raise AnswerTooLarge(f"more than {MAX_ANSWER} bytes")
            return r.status_code, bytes(data)

    def run(self, max_attempts: int | None = None) -> Outcome:
        """Delivers every pending delivery; retries each with backoff, forever when max_attempts is None."""
        delivered, unfinished = 0, 0
        refused: dict[str, str] = {}
        pending = self.outbox.pending()
        for i, d in enumerate(pending):
            attempt = 0
            while True:
                result = self.send_one(d)
                if result == "done":
                    delivered += 1
                    break
                if result == UNTRUSTED:
                    # Not this server, whatever the retries: stop; everything stays pending.
                    return Outcome(delivered, refused, unfinished + len(pending) - i, True)
                if result != "retry":
                    refused[d.key] = result
                    break
                attempt += 1
                if max_attempts is not None and attempt >= max_attempts:
                    unfinished += 1
                    break
                self.sleep(self.backoff.delay(attempt))
        return Outcome(delivered, refused, unfinished)


def _error_code(content: bytes) -> str | None:
    try:
        body = json.loads(content)
        code = body["error"]["code"]
        return code if isinstance(code, str) else None
    except (ValueError, KeyError, TypeError):
        return None


def _station_of(body: bytes) -> str:
    """The station a signed protocol file names (its payload's `station`), for the request header."""
    try:
        payload = json.loads(unb64(json.loads(body)["payload"]))
        return str(payload["station"])
    except (ValueError, KeyError, TypeError):
        return ""
