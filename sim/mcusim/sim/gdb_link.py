"""The gdb remote protocol's framing on one TCP connection: `$payload#cs` packets, +/- acks
(until QStartNoAckMode), and the 0x03 interrupt byte (gdb manual, "Remote Protocol",
"Overview" and "Interrupts").

A reader thread owns the receiving side, so that an interrupt or a closed connection is seen
while the simulated core runs in the main thread: it acks each packet and queues its payload,
answers a bad checksum with '-', skips bytes outside a packet, and on 0x03 or end of
connection calls `on_break` (which pauses the core) until the main thread says it has stopped.
"""
from __future__ import annotations

import queue
import select
import socket
import threading
import time

MAX_PACKET = 0x4000               # what qSupported announces as PacketSize
EOF = None                        # queued when the connection ends


def checksum(data: bytes) -> bytes:
    return b"%02x" % (sum(data) & 0xFF)


def escape(data: bytes) -> bytes:
    """Binary data in a reply (qXfer): '#', '$', '}' and '*' are sent as '}' + (byte ^ 0x20)."""
    out = bytearray()
    for b in data:
        if b in b"#$}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == 0x7D:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("binary data ends in an escape character")
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


class Link:
    def __init__(self, conn: socket.socket, on_break):
        self.conn = conn
        self.on_break = on_break           # called (from the reader) to pause the core
        self.packets: queue.Queue = queue.Queue()
        self.ack = True
        self.closed = threading.Event()    # the client went away
        self.interrupt = threading.Event()  # 0x03 received, not yet answered
        self.running = threading.Event()   # the main thread is running the core
        self._send_lock = threading.Lock()
        self._last = b""
        self._reader = threading.Thread(target=self._read_loop, name="gdb-link", daemon=True)

    def start(self) -> None:
        self._reader.start()

    # --- sending (main thread; the reader sends acks and resends) -----------------------------
    def send(self, payload: str | bytes) -> None:
        data = payload.encode("latin-1") if isinstance(payload, str) else payload
        frame = b"$" + data + b"#" + checksum(data)
        with self._send_lock:
            self._last = frame
            self._raw(frame)

    def _raw(self, data: bytes) -> None:
        try:
            self.conn.sendall(data)
        except OSError:
            self._close()

    def get(self):
        """The next packet's payload (bytes), or EOF once the connection has ended."""
        return self.packets.get()

    def shutdown(self) -> None:
        try:
            self.conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()
        self._reader.join(2)

    def stop_wanted(self) -> bool:
        return self.interrupt.is_set() or self.closed.is_set()

    # --- receiving (reader thread) ------------------------------------------------------------
    def _close(self) -> None:
        if not self.closed.is_set():
            self.closed.set()
            self.packets.put(EOF)

    def _read_loop(self) -> None:
        try:
            self._parse_stream()
        except Exception:          # noqa: BLE001 - never a traceback from the reader
            pass
        self._close()
        self._pause_while_running()

    def _pause_while_running(self) -> None:
        """The main thread sets `running` before it checks stop_wanted() and runs, so one of
        the two always sees the other: pause until it reports the core stopped."""
        while self.running.is_set() and self.stop_wanted():
            self.on_break()
            time.sleep(0.02)

    def _recv(self) -> bytes:
        # select() with a short timeout, not a socket timeout: that would apply to the main
        # thread's sends as well
        while True:
            try:
                ready, _, _ = select.select([self.conn], [], [], 0.05)
                if ready:
                    return self.conn.recv(4096)
            except (OSError, ValueError):     # closed under us
                return b""
            if self.running.is_set() and self.stop_wanted():
                self.on_break()            # pause() may have come before run() began: again

    def _parse_stream(self) -> None:
        state, body, cs = "idle", bytearray(), bytearray()
        while True:
            data = self._recv()
            if not data:
                return
            for b in data:
                if state == "idle":
                    if b == ord("$"):
                        state, body = "body", bytearray()
                    elif b == 0x03:
                        self.interrupt.set()
                        if self.running.is_set():
                            self.on_break()
                    elif b == ord("-") and self.ack:
                        with self._send_lock:
                            self._raw(self._last)
                    # '+' and anything else outside a packet: nothing to do
                elif state == "body":
                    if b == ord("#"):
                        state, cs = "sum", bytearray()
                    elif b == ord("$"):          # a truncated packet: start again
                        body = bytearray()
                    elif len(body) >= MAX_PACKET:
                        state = "idle"           # longer than we announced: refuse
                        self._nak()
                    else:
                        body.append(b)
                else:
                    cs.append(b)
                    if len(cs) == 2:
                        state = "idle"
                        self._packet(bytes(body), bytes(cs))

    def _nak(self) -> None:
        if self.ack:
            with self._send_lock:
                self._raw(b"-")

    def _packet(self, body: bytes, cs: bytes) -> None:
        if self.ack and cs.lower() != checksum(body):
            self._nak()
            return
        if self.ack:
            with self._send_lock:
                self._raw(b"+")
        if body == b"QStartNoAckMode":
            # This packet itself is acked; gdb sends nothing more until our OK, and from then
            # neither side acks (gdb manual, "Packet Acknowledgment").
            self.ack = False
        self.packets.put(body)
