"""`mcusim run app.elf --gdb PORT`: the gdb remote serial protocol for the simulated core.

One client on 127.0.0.1:PORT. The core runs in this (the main) thread; gdb_link's reader
thread pauses it on Ctrl-C or a closed connection. Breakpoints are Unicorn code hooks that
pause the machine before the instruction runs. A watched access is noted by a memory hook
and the core pauses before the next instruction (a per-instruction hook, installed only while
a watchpoint is set): stopping inside the memory hook would leave the PC on the accessing
instruction with its access already done, so resuming would run it twice.

The run ends as without a debugger (exit, fault, limit); the runner then reports it. gdb sees
W<status> for an exit, and for a fault or hang first a SIGSEGV stop to look around in, then
X0b on the next resume. `k` ends the run ("stopped by the debugger"), `D` lets it run on.
"""
from __future__ import annotations

import socket
import sys

from unicorn import UC_HOOK_CODE, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE, UcError

from mcusim.errors import McusimError
from mcusim.result import Stop
from mcusim.sim.gdb_link import EOF, MAX_PACKET, Link, escape, unescape
from mcusim.sim.gdb_regs import flat, target_xml

# gdb's signal numbers in stop replies (gdb/include/gdb/signals.def)
SIGINT, SIGTRAP, SIGSEGV, SIGXCPU = 0x02, 0x05, 0x0B, 0x18
WATCH_KINDS = {2: "watch", 3: "rwatch", 4: "awatch"}
MAX_MEM = (MAX_PACKET - 16) // 2          # bytes of an `m` reply that fit in a packet
MONITOR_HELP = ("monitor commands: cycles (cycles and simulated time so far), reset (reset "
                "the core), help\n")


def _hex(text: str) -> int:
    """A protocol number: hex digits only (int() would also take a sign, spaces, '_')."""
    if not text or any(ch not in "0123456789abcdefABCDEF" for ch in text):
        raise ValueError(f"not a hex number: {text!r}")
    return int(text, 16)


def listen(port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        s.listen(1)
    except OSError as e:
        s.close()
        raise McusimError(f"--gdb {port}: cannot listen on localhost:{port}: "
                          f"{e.strerror or e}") from None
    return s


def serve(machine, port: int, out=None) -> None:
    """Wait for gdb on localhost:port (0: a free port, printed), then serve it until the run
    ends, gdb kills it, detaches (the run goes on to its end) or goes away."""
    out = out or sys.stderr
    srv = listen(port)
    port = srv.getsockname()[1]
    print(f"mcusim: waiting for gdb on localhost:{port} (target extended-remote :{port} or "
          f"target remote :{port})", file=out, flush=True)
    try:
        conn, _ = srv.accept()
    finally:
        srv.close()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Session(machine, conn).serve()


class Session:
    def __init__(self, machine, conn: socket.socket):
        self.m = machine
        self.regs = flat(machine.board)
        self.xml = target_xml(machine.board).encode()
        self.link = Link(conn, lambda: machine.pause("debugger"))
        self.breaks: dict[tuple[int, int], int] = {}           # (type, addr) -> hook
        self.watches: dict[tuple[int, int, int], list[int]] = {}   # (type, addr, len) -> hooks
        self._insn_hook: int | None = None
        self.skip: int | None = None          # the breakpoint a resume steps over
        self.hit: str | None = None           # "swbreak" / "hwbreak" of the last stop
        self.access: tuple[int, int] | None = None    # (watch type, address) just accessed
        self.ended_sig: int | None = None     # the run ended: X<sig> on the next resume
        self.last_stop = f"T{SIGTRAP:02x}thread:1;"
        self.done = False
        self.detached = False

    # --- the session --------------------------------------------------------------------------
    def serve(self) -> None:
        self.link.start()
        try:
            while not self.done:
                pkt = self.link.get()
                if pkt is EOF:
                    self._lost()
                    break
                reply = self.dispatch(pkt)
                if reply is not None:
                    self.link.send(reply)
            if not self.link.closed.is_set():
                self.link.closed.wait(1.0)      # let gdb read the last reply and hang up
        finally:
            self._remove_hooks()
            self.link.shutdown()
        if self.detached and self.m.stop is None and not self._limit():
            self.m.run(self.m.reg("pc"))

    def dispatch(self, pkt: bytes) -> str | bytes | None:
        text = pkt.decode("latin-1")
        try:
            return self._command(text, pkt)
        except (ValueError, IndexError, KeyError, OverflowError, McusimError, UcError):
            return "E01"                         # malformed arguments or unreachable memory

    def _command(self, text: str, pkt: bytes):
        if not text:
            return ""
        c, arg = text[0], text[1:]
        if c == "?":
            return self.last_stop
        if c == "g":
            return "".join(self._reg_hex(r) for r in self.regs)
        if c == "G":
            return self._write_regs(arg)
        if c == "p":
            return self._reg_hex(self.regs[_hex(arg)])
        if c == "P":
            n, value = arg.split("=")
            self._set_reg(self.regs[_hex(n)], value)
            return "OK"
        if c == "m":
            addr, n = (_hex(x) for x in arg.split(","))
            return self.read_memory(addr, min(n, MAX_MEM)).hex()
        if c == "M":
            where, data = arg.split(":")
            addr, n = (_hex(x) for x in where.split(","))
            return self._write_memory(addr, n, bytes.fromhex(data))
        if c == "X":
            head, _, data = pkt[1:].partition(b":")
            addr, n = (_hex(x) for x in head.decode("latin-1").split(","))
            return self._write_memory(addr, n, unescape(data))
        if c in "cCsS":
            return self._resume_packet(c, arg)
        if c in "zZ":
            return self._breakpoint(c == "Z", arg)
        if c == "v":
            return self._v(arg)
        if c == "q":
            return self._query(arg)
        if c == "Q":
            return "OK" if arg == "StartNoAckMode" else ""
        if c in "HT!":
            return "OK"
        if c == "k":
            self._kill("gdb kill")
            return None
        if c == "D":
            self.done = self.detached = True
            return "OK"
        return ""

    # --- registers ----------------------------------------------------------------------------
    def _reg_hex(self, r) -> str:
        return (self.m.uc.reg_read(r.uc_id) & ((1 << r.bits) - 1)).to_bytes(
            r.bits // 8, "little").hex()

    def _set_reg(self, r, hexval: str) -> None:
        raw = bytes.fromhex(hexval)
        if len(raw) != r.bits // 8:
            raise ValueError("register value of the wrong size")
        v = int.from_bytes(raw, "little")
        self.m.uc.reg_write(r.uc_id, v | 1 if r.name == "pc" else v)   # Thumb only

    def _write_regs(self, hexdata: str) -> str:
        pos = 0
        for r in self.regs:
            n = r.bits // 4
            if pos + n > len(hexdata):
                break
            self._set_reg(r, hexdata[pos:pos + n])
            pos += n
        return "OK"

    # --- memory -------------------------------------------------------------------------------
    def read_memory(self, addr: int, n: int) -> bytes:
        out = bytearray()
        for a, size, mmio in self._spans(addr, n):
            out += self._mmio(a, size) if mmio else self.m.read(a, size)
        return bytes(out)

    def _write_memory(self, addr: int, n: int, data: bytes) -> str:
        if len(data) != n:
            raise ValueError("length does not match the data")
        for a, size, mmio in self._spans(addr, n):
            chunk = data[a - addr:a - addr + size]
            if mmio:
                self._mmio(a, size, chunk)
            else:
                self.m.write(a, chunk)
        return "OK"

    def _spans(self, addr: int, n: int):
        """(address, size, is MMIO) pieces of a range, split where memory and MMIO meet."""
        if addr < 0 or addr + n > 1 << 32:
            raise ValueError("address out of range")
        bus = self.m.bus
        end = addr
        while end < addr + n:
            start, mmio = end, bus.maps(end)
            while end < addr + n and bus.maps(end) == mmio:
                end = min(addr + n, (end | 0xFFF) + 1)
            yield start, end - start, mmio

    def _mmio(self, addr: int, n: int, data: bytes | None = None) -> bytes:
        """Device registers, in the widest aligned accesses (a debugger's accesses reach the
        device as the core's would). A register no device serves is an error for gdb, and
        never ends the run."""
        m, out, a = self.m, bytearray(), addr
        stop = m.stop
        while a < addr + n:
            size = next(s for s in (4, 2, 1) if a % s == 0 and a + s <= addr + n)
            if data is None:
                v = m.bus.debug_access(a, size)
            else:
                v = m.bus.debug_access(a, size, int.from_bytes(data[a - addr:a - addr + size],
                                                               "little"))
            if m.stop is not stop:
                m.stop = stop               # a device refused the access: not a firmware fault
                v = None
            if v is None:
                raise McusimError(f"no device register at {a:#010x}")
            out += v.to_bytes(size, "little")
            a += size
        return bytes(out)

    # --- breakpoints and watchpoints ----------------------------------------------------------
    def _breakpoint(self, insert: bool, arg: str) -> str:
        t, addr, kind = arg.split(";")[0].split(",")
        t, addr, kind = _hex(t), _hex(addr), _hex(kind)
        uc = self.m.uc
        if t in (0, 1):
            key = (t, addr & ~1)
            if insert and key not in self.breaks:
                if self.m.board.memory_at(key[1], 2) is None:
                    return "E01"           # no code there: it could never be hit
                self.breaks[key] = uc.hook_add(UC_HOOK_CODE, self._on_break, t, key[1], key[1])
            elif not insert and key in self.breaks:
                uc.hook_del(self.breaks.pop(key))
            return "OK"
        if t in WATCH_KINDS:
            if kind <= 0:
                return "E01"
            key = (t, addr, kind)
            if insert and key not in self.watches:
                kinds = {2: [UC_HOOK_MEM_WRITE], 3: [UC_HOOK_MEM_READ],
                         4: [UC_HOOK_MEM_WRITE, UC_HOOK_MEM_READ]}[t]
                # an access that starts up to 7 bytes below the range may still overlap it
                self.watches[key] = [uc.hook_add(h, self._on_access, key, max(0, addr - 7),
                                                 addr + kind - 1) for h in kinds]
            elif not insert and key in self.watches:
                for h in self.watches.pop(key):
                    uc.hook_del(h)
            self._update_insn_hook()
            return "OK"
        return ""

    def _on_break(self, uc, addr, size, t) -> None:
        if addr == self.skip:
            return
        self.hit = "swbreak" if t == 0 else "hwbreak"
        self.m.pause("breakpoint")

    def _on_access(self, uc, access, addr, size, value, key) -> None:
        t, wa, wl = key
        if self.access is None and addr < wa + wl and addr + size > wa:
            self.access = (t, max(addr, wa))

    def _after_access(self, uc, addr, size, _) -> None:
        if self.access is not None:
            self.m.pause("watchpoint")       # the accessing instruction has completed

    def _update_insn_hook(self) -> None:
        if self.watches and self._insn_hook is None:
            self._insn_hook = self.m.uc.hook_add(UC_HOOK_CODE, self._after_access, None, 1, 0)
            self.m.uc.ctl_flush_tb()        # code translated before has no call to it
        elif not self.watches and self._insn_hook is not None:
            self.m.uc.hook_del(self._insn_hook)
            self._insn_hook = None

    def _remove_hooks(self) -> None:
        for h in [*self.breaks.values(), *(h for hs in self.watches.values() for h in hs)]:
            self.m.uc.hook_del(h)
        self.breaks.clear()
        self.watches.clear()
        self._update_insn_hook()

    # --- running ------------------------------------------------------------------------------
    def _resume_packet(self, c: str, arg: str) -> str | None:
        if c in "CS":                       # the signal to deliver is ignored: no OS here
            arg = arg.partition(";")[2]
        if arg:
            self.m.uc.reg_write(self.regs[15].uc_id, _hex(arg) | 1)
        return self.resume(step=c in "sS")

    def resume(self, step: bool) -> str | None:
        if self.ended_sig is not None:      # the stop gdb saw was the end of the run
            self.done = True
            return f"X{self.ended_sig:02x}"
        m, link = self.m, self.link
        self.hit = self.access = None
        link.running.set()                  # before stop_wanted(): see gdb_link
        try:
            if not link.stop_wanted():
                pc = m.reg("pc") & ~1
                if step or (0, pc) in self.breaks or (1, pc) in self.breaks:
                    self.skip = pc          # step off the breakpoint gdb resumes from
                    try:
                        self._step()
                    finally:
                        self.skip = None
                    if not step and self._going():
                        self._run()
                else:
                    self._run()
        finally:
            link.running.clear()
        reply = self._stop_reply(step)
        if reply is not None:
            self.last_stop = reply
        return reply

    def _step(self) -> None:
        self.m.step()

    def _run(self) -> None:
        self.m.run(self.m.reg("pc"))

    def _going(self) -> bool:
        m = self.m
        return (m.stop is None and m.pause_reason is None and self.access is None
                and not self._limit() and not self.link.stop_wanted())

    def _limit(self) -> bool:
        prof = self.m.profiler
        return bool(self.m.limit_reached or (prof is not None and prof.limit_hit))

    def _stop_reply(self, step: bool) -> str | None:
        m, link = self.m, self.link
        interrupted = link.interrupt.is_set()
        link.interrupt.clear()
        if link.closed.is_set():
            return None                     # the main loop sees the end of the connection
        if m.stop is not None or self._limit() or (not step and m.pause_reason is None):
            return self._ended()
        if self.access is not None:
            t, addr = self.access
            return f"T{SIGTRAP:02x}thread:1;{WATCH_KINDS[t]}:{addr:x};"
        if self.hit is not None:
            return f"T{SIGTRAP:02x}thread:1;{self.hit}:;"
        if interrupted:
            return f"T{SIGINT:02x}thread:1;"
        return f"T{SIGTRAP:02x}thread:1;"

    def _ended(self) -> str:
        stop = self.m.stop
        if stop is not None and stop.reason in ("exit", "until"):
            self.done = True
            return f"W{(self.m.exit_code if stop.reason == 'exit' else 0) & 0xFF:02x}"
        # a fault or hang (SIGSEGV) or a limit (SIGXCPU): a stop to look around in first
        self.ended_sig = SIGSEGV if stop is not None and stop.reason in ("fault", "hang") \
            else SIGXCPU
        return f"T{self.ended_sig:02x}thread:1;"

    def _kill(self, why: str) -> None:
        m = self.m
        self.done = True
        if m.stop is None and not self._limit():
            pc = m.reg("pc")
            m.stop = Stop(reason="debugger", message=f"stopped by the debugger ({why})",
                          pc=pc, where=m.elf.symbolize(pc), call_stack=m.call_stack_names())

    def _lost(self) -> None:
        self._kill("the gdb connection closed before the program ended")

    # --- queries ------------------------------------------------------------------------------
    def _v(self, arg: str):
        if arg == "Cont?":
            return "vCont;c;C;s;S;t"
        if arg.startswith("Cont;"):
            actions = [a.split(":")[0] for a in arg[5:].split(";") if a]
            if any(a[:1] in "sS" and a for a in actions):
                return self.resume(step=True)
            if any(a[:1] in "cC" and a for a in actions):
                return self.resume(step=False)
            return "OK"                     # vCont;t: already stopped
        if arg.startswith("Kill"):
            self._kill("gdb kill")
            return "OK"
        return ""                           # vMustReplyEmpty, vRun, vFile...: not supported

    def _query(self, arg: str):
        name, _, rest = arg.partition(":")
        if name == "Supported":
            return (f"PacketSize={MAX_PACKET:x};qXfer:features:read+;QStartNoAckMode+;"
                    f"swbreak+;hwbreak+;vContSupported+")
        if name == "Xfer" and rest.startswith("features:read:"):
            annex, _, span = rest[len("features:read:"):].partition(":")
            if annex != "target.xml":
                return "E00"
            off, n = (_hex(x) for x in span.split(","))
            chunk = self.xml[off:off + min(n, MAX_MEM)]
            return (b"m" if off + len(chunk) < len(self.xml) else b"l") + escape(chunk)
        if name == "Attached":
            return "1"          # gdb detaches (the program runs on) when it quits
        if name == "C":
            return "QC1"
        if name == "fThreadInfo":
            return "m1"
        if name == "sThreadInfo":
            return "l"
        if name.startswith("Rcmd,"):
            return self._monitor(bytes.fromhex(name[5:]).decode("utf-8", "replace").strip())
        return ""

    def _monitor(self, cmd: str) -> str:
        m = self.m
        if cmd == "cycles":
            now, hz = m.now(), m.clock.hz
            text = (f"cycles: {m.cycles():,} executed, {m.slept:,} asleep; "
                    f"{m.clock.seconds(0, now):.9f} s of simulated time; clock {hz:,} Hz\n")
        elif cmd == "reset":
            sp, pc = m.reset()
            if m.stop is not None and m.stop.reason in ("fault", "hang"):
                m.stop, m.fault_report, self.ended_sig = None, None, None   # run again
            self.last_stop = f"T{SIGTRAP:02x}thread:1;"
            text = f"reset: pc={pc:#010x} sp={sp:#010x}\n"
        elif cmd in ("help", ""):
            text = MONITOR_HELP
        else:
            text = f"unknown monitor command {cmd!r}; {MONITOR_HELP}"
        self.link.send("O" + text.encode().hex())
        return "OK"
