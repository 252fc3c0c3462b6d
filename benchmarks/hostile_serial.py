"""CPU the host driver spends on a hostile image claim (issue 11): a device on loopback TCP
answers FEED with IMAGE_BEGIN claiming LENGTH bytes in CHUNKS chunks and then streams the
chunks in order as fast as the socket takes them. Prints JSON: the outcome (the error
code), the host thread's CPU seconds, and how many chunks the host acknowledged.

    .venv/bin/python benchmarks/hostile_serial.py                       # the issue's claim: 500 MB in 65,535 chunks
    .venv/bin/python benchmarks/hostile_serial.py --length 67107840     # 64 MB - 1 KB: within the limits
    PYTHONPATH=/tmp/before .venv/bin/python benchmarks/hostile_serial.py --cpu-cap 60   # an older tree (run from /tmp)

--cpu-cap stops the host after that much CPU (SIGPROF) and reports how far it got.
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import struct
import threading
import time

from drivers import serial_protocol as p
from drivers.serial_frames import FrameReader, Message, encode_frame
from drivers.serial_scanner import SerialScanner


class Device:
    def __init__(self, length: int, chunks: int) -> None:
        self.length, self.chunks = length, chunks
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.acks = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        conn, _ = self.server.accept()
        reader = FrameReader()
        while True:
            try:
                data = conn.recv(1 << 16)
            except OSError:
                return
            if not data:
                return
            for body in reader.feed(data):
                msg = Message.parse(body)
                if msg is None:
                    continue
                if msg.type == p.HELLO:
                    payload = struct.pack("<BH", 1, p.CAP_HOLD) + b"".join(
                        p.pack_str(s) for s in ("Hostile", "H-1", "1")
                    )
                    conn.sendall(encode_frame(Message(p.HELLO_REPLY, msg.seq, payload).body()))
                elif msg.type == p.FEED:
                    conn.sendall(
                        encode_frame(Message(p.RESULT, msg.seq, struct.pack("<HB", msg.seq, p.OK)).body())
                    )
                    threading.Thread(target=self.stream, args=(conn,), daemon=True).start()
                elif msg.type == p.CHUNK_ACK:
                    self.acks += 1

    def stream(self, conn: socket.socket) -> None:
        begin = p.ImageBegin(7, 0, 1000, 2000, 200, p.FMT_PNG, self.length, self.chunks, b"\0" * 32)
        out = [encode_frame(Message(p.IMAGE_BEGIN, 0, begin.pack()).body())]
        data = b"\x55" * p.CHUNK_SIZE
        try:
            conn.sendall(out[0])
            batch = []
            for i in range(self.chunks):
                batch.append(
                    encode_frame(Message(p.IMAGE_CHUNK, 0, struct.pack("<IBH", 7, 0, i) + data).body())
                )
                if len(batch) == 64:
                    conn.sendall(b"".join(batch))
                    batch = []
            conn.sendall(
                b"".join(batch) + encode_frame(Message(p.IMAGE_END, 0, struct.pack("<IB", 7, 0)).body())
            )
        except OSError:
            return


class CpuCap(Exception):
    pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--length", type=int, default=500 * 1024 * 1024)
    ap.add_argument("--chunks", type=int, default=65535)
    ap.add_argument("--cpu-cap", type=float, default=0.0)
    a = ap.parse_args()
    dev = Device(a.length, a.chunks)
    scanner = SerialScanner(f"socket://127.0.0.1:{dev.port}", timeout=5.0, reconnect=2.0)
    if a.cpu_cap:

        def stop(*_: object) -> None:
            raise CpuCap

        signal.signal(signal.SIGPROF, stop)
        signal.setitimer(signal.ITIMER_PROF, a.cpu_cap)
    t0, w0 = time.thread_time(), time.perf_counter()
    outcome = "no error"
    try:
        scanner.open()
        list(scanner.feed())
    except CpuCap:
        outcome = f"still receiving after the {a.cpu_cap:g} s CPU cap"
    except Exception as exc:  # report what the host said, whatever it was
        outcome = getattr(exc, "code", type(exc).__name__)
    cpu, wall = time.thread_time() - t0, time.perf_counter() - w0
    signal.setitimer(signal.ITIMER_PROF, 0)
    time.sleep(0.2)
    print(
        json.dumps(
            {
                "claim_bytes": a.length,
                "claim_chunks": a.chunks,
                "outcome": outcome,
                "host_cpu_s": round(cpu, 3),
                "wall_s": round(wall, 3),
                "chunks_acknowledged": dev.acks,
            }
        )
    )
    scanner.close()


if __name__ == "__main__":
    main()
