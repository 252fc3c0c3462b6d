"""Helpers for the sync and intake tests: a throwaway CA and server certificate, the intake on
uvicorn in a thread on loopback (real TLS), a fault-injecting ASGI wrapper, a TCP proxy that
cuts a connection mid-upload, a real PostgreSQL started in a temporary directory, and a
counted, finalised sample station."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as dt
import io
import ipaddress
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.cli import main
from kiosk.protocol.sample import PIN, make_sample_station

# --- certificates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path


def make_pki(folder: Path, name: str = "hq") -> Pki:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost signed by it."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Sanaq test CA {name}")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intake")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pki = Pki(folder / f"{name}-ca.pem", folder / f"{name}-cert.pem", folder / f"{name}-key.pem")
    pki.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return pki


# --- the service on loopback ------------------------------------------------------------------


def ignore_sigpipe() -> None:
    """Python starts with SIGPIPE ignored (a write to a closed socket raises EPIPE); something
    earlier in the full suite puts the default back (the process then dies on the first write
    to a connection the proxy cut: the suite stopped with status 141). The servers and proxy
    here restore it; only the main thread may."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)


# fast12: the tests run in two processes (pytest-xdist, `make unit`). A port asked of the
# kernel (bind to 0) comes from its ephemeral range, the one outgoing connections take their
# own ports from, and a port a test names again later (hq_port: the package's URL, served by
# several tests in turn) is free meanwhile: another worker's server or connection could take
# it. So each worker takes its ports from a block of its own below that range, in turn from a
# start drawn per process (another run on the same machine is unlikely to be at the same
# place), each checked free when taken and never given twice by one process.
PORT_BLOCK = 2500
PORT_BASE = 12000  # blocks up to 32000 (the ephemeral range starts at 32768)
_next_port: list[int] = []


def free_port() -> int:
    """A loopback port free now, from this test process's block (PORT_BASE + PORT_BLOCK x
    the xdist worker's number; one block for a single process)."""
    if not _next_port:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        k = int(worker[2:]) if worker[2:].isdigit() else 0
        if PORT_BASE + PORT_BLOCK * (k + 1) > 32000:  # more workers than blocks: the kernel's choice
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                return int(s.getsockname()[1])
        _next_port.append(PORT_BASE + PORT_BLOCK * k)
        _next_port.append(int.from_bytes(os.urandom(2), "big") % PORT_BLOCK)
    base = _next_port[0]
    for _ in range(PORT_BLOCK):
        port = base + _next_port[1]
        _next_port[1] = (_next_port[1] + 1) % PORT_BLOCK
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {base}-{base + PORT_BLOCK - 1}")


class ServerThread:
    """uvicorn serving `app` over TLS on 127.0.0.1:port in a thread."""

    def __init__(self, app: Any, pki: Pki, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            ssl_certfile=str(pki.cert),
            ssl_keyfile=str(pki.key),
            log_level="error",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        ignore_sigpipe()
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Faults:
    """An ASGI wrapper: the first `fail_500` requests get a 500 without reaching the intake; the
    first `slow` requests reach it, then the answer is held `delay` seconds (past the client's timeout)."""

    app: Any
    fail_500: int = 0
    slow: int = 0
    delay: float = 2.0
    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        self.seen.append(scope["path"])
        if self.fail_500 > 0:
            self.fail_500 -= 1
            while (await receive()).get("more_body"):
                pass
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"boom"})
            return
        if self.slow > 0:
            self.slow -= 1
            held: list[Any] = []

            async def hold(message: Any) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            await asyncio.sleep(self.delay)
            for m in held:
                try:
                    await send(m)
                except Exception:  # the client gave up: its connection is gone
                    return
            return
        await self.app(scope, receive, send)


class CuttingProxy:
    """TCP proxy on loopback to `target`: the first `cuts` connections are closed after `after`
    bytes came from the client (a connection cut mid-upload); later ones are forwarded."""

    def __init__(self, target: int, cuts: int = 1, after: int = 1500) -> None:
        ignore_sigpipe()
        self.target, self.cuts, self.after = target, cuts, after
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.cut_done = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            cut = self.cut_done < self.cuts
            if cut:
                self.cut_done += 1
            threading.Thread(
                target=self._pipe, args=(client, upstream, self.after if cut else None), daemon=True
            ).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        n = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if limit is not None and n + len(data) > limit:
                    dst.sendall(data[: limit - n])
                    break
                n += len(data)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self.sock.close()


# --- PostgreSQL in a temporary directory ------------------------------------------------------


def pg_bin() -> Path | None:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


class Postgres:
    """initdb + pg_ctl as an unprivileged user (nobody when run as root), listening only on a
    unix socket in the temporary directory; stopped and removed by stop()."""

    def __init__(self, fsync: bool = False) -> None:
        """`fsync`: off for the tests (speed); on for the load benchmark (a real server's durability)."""
        bindir = pg_bin()
        if bindir is None:
            pytest.skip("PostgreSQL binaries absent (Debian package postgresql, deploy/system-packages.txt)")
        self.bin = bindir
        self.root = Path(tempfile.mkdtemp(prefix="sanaq-pg-"))
        os.chmod(self.root, 0o755)
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.sock.mkdir()
        self.user: list[str] = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.root, nobody.pw_uid, nobody.pw_gid)
            os.chown(self.sock, nobody.pw_uid, nobody.pw_gid)
            self.user = ["runuser", "-u", "nobody", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-k {self.sock} -c listen_addresses='' -c fsync={'on' if fsync else 'off'} -c max_connections=200",
            "start",
        )
        self.n = 0

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.user, str(self.bin / tool), *args], check=True, capture_output=True, cwd=self.root
        )

    def conninfo(self, db: str = "postgres") -> str:
        return f"host={self.sock} user=postgres dbname={db}"

    def new_database(self) -> str:
        import psycopg

        self.n += 1
        name = f"t{self.n}"
        with psycopg.connect(self.conninfo(), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {name}")
        return self.conninfo(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


# --- a finalised sample station ---------------------------------------------------------------


def finalised_sample(data: Path, sheets_per_style: int = 6) -> Path:
    """The sample station counted, its lines entered, signed by chair and secretary, finalised:
    DATA/protocols/*.protocol.jws.json (one per ballot type)."""
    s = make_sample_station(data, sheets_per_style=sheets_per_style)
    d = str(s.data)
    mp = pytest.MonkeyPatch()
    try:
        assert main(["protocol", "--data", d, "enter", "--lines", str(s.data / "entered.json")]) == 0
        for m in ("aigerim", "bolat"):
            mp.setattr("sys.stdin", io.StringIO(PIN[m] + "\n"))
            assert main(["protocol", "--data", d, "sign", "--member", m, "--pin-stdin"]) == 0
        assert main(["protocol", "--data", d, "finalise"]) == 0
    finally:
        mp.undo()
    return s.data


@cache
def template_station() -> Path:
    """One finalised sample station shared by the tests that only read its protocols."""
    root = Path(tempfile.mkdtemp(prefix="sanaq-sync-"))
    atexit.register(shutil.rmtree, root, True)
    return finalised_sample(root / "data")


def template_protocols() -> list[Any]:
    from kiosk.protocol.keys import unb64
    from kiosk.protocol.model import Protocol

    out = []
    for f in sorted((template_station() / "protocols").glob("*.protocol.jws.json")):
        out.append(Protocol.from_json(json.loads(unb64(json.loads(f.read_bytes())["payload"]))))
    return out


def wait_for(pred: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


# --- a station whose election package names its headquarters (issue 15, sync2) -----------------


@cache
def hq_pki() -> Pki:
    """One throwaway headquarters CA and server certificate for the session."""
    root = Path(tempfile.mkdtemp(prefix="sanaq-hqpki-"))
    atexit.register(shutil.rmtree, root, True)
    return make_pki(root, "hq")


@cache
def hq_port() -> int:
    """The port the package's headquarters URL names (chosen free once per session)."""
    return free_port()


def hq_package_bytes(deliver: tuple[str, ...] = ("protocols", "cvr", "manifest")) -> bytes:
    """The sample election with a `headquarters` section (URL on loopback, the session's CA),
    signed with the DEVELOPMENT key."""
    from kiosk.election.model import Headquarters
    from kiosk.election.package import development_private_key, sign_election
    from kiosk.election.sample import sample_election

    hq = Headquarters(
        urls=(f"https://127.0.0.1:{hq_port()}",),
        ca_pem=hq_pki().ca.read_text(),
        deliver=deliver,
    )
    return sign_election(sample_election().model_copy(update={"headquarters": hq}), development_private_key())


@cache
def hq_station() -> Path:
    """A finalised sample station counted under `hq_package_bytes()` (shared: copy it)."""
    import kiosk.protocol.sample as sample

    root = Path(tempfile.mkdtemp(prefix="sanaq-hqst-"))
    atexit.register(shutil.rmtree, root, True)
    package = hq_package_bytes()
    mp = pytest.MonkeyPatch()
    mp.setattr(sample, "sample_package_bytes", lambda: package)
    try:
        return finalised_sample(root / "data")
    finally:
        mp.undo()
