"""Arm semihosting (BKPT 0xAB on M-profile): operation number in r0, parameter block in r1.

Follows "Semihosting for AArch32 and AArch64" (Arm, release 2.0/3.0), section 5 (operations) and
section 6 (extensions: the ":semihosting-features" file). Handlers return the value for r0.
Files opened by the firmware are relative to the current directory, as with QEMU.
"""
from __future__ import annotations

import errno
import os
import struct
from typing import TYPE_CHECKING, Callable


if TYPE_CHECKING:
    from mcusim.sim.machine import Machine

SYS_OPEN, SYS_CLOSE, SYS_WRITEC, SYS_WRITE0, SYS_WRITE, SYS_READ, SYS_READC = 1, 2, 3, 4, 5, 6, 7
SYS_ISERROR, SYS_ISTTY, SYS_SEEK, SYS_FLEN, SYS_TMPNAM = 8, 9, 0xA, 0xC, 0xD
SYS_REMOVE, SYS_RENAME, SYS_CLOCK, SYS_TIME, SYS_SYSTEM, SYS_ERRNO = 0xE, 0xF, 0x10, 0x11, 0x12, 0x13
SYS_GET_CMDLINE, SYS_HEAPINFO, SYS_EXIT, SYS_EXIT_EXTENDED = 0x15, 0x16, 0x18, 0x20
SYS_ELAPSED, SYS_TICKFREQ = 0x30, 0x31

ADP_STOPPED_APPLICATION_EXIT = 0x20026
# Reason codes of SYS_EXIT (spec 5.17, Table 5-6) span 0x20000-0x20031.
_REASONS = range(0x20000, 0x20032)

SH_EXT_EXIT_EXTENDED, SH_EXT_STDOUT_STDERR = 1, 2
FEATURES_FILE = b"SHFB" + bytes([SH_EXT_EXIT_EXTENDED | SH_EXT_STDOUT_STDERR])
_OPEN_MODES = ["rb", "rb", "r+b", "r+b", "wb", "wb", "w+b", "w+b", "ab", "ab", "a+b", "a+b"]
MINUS1 = 0xFFFFFFFF


class _Console:
    """A ':tt' handle: 0 = stdin, 1 = stdout, 2 = stderr."""

    def __init__(self, stream: int):
        self.stream = stream


class _Memfile:
    """A read-only file held in memory (':semihosting-features')."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0


class Semihosting:
    def __init__(self, machine: "Machine", stdin: bytes | None, argv: list[str]):
        self.m = machine
        self.stdin = stdin or b""
        self.stdin_pos = 0
        self.cmdline = " ".join([machine.elf.path.name, *argv]).encode()
        self.handles: dict[int, object] = {}
        self.next_handle = 1
        self.errno = 0
        self.ops: dict[int, Callable[[int], int]] = {
            SYS_OPEN: self.open, SYS_CLOSE: self.close, SYS_WRITEC: self.writec,
            SYS_WRITE0: self.write0, SYS_WRITE: self.write, SYS_READ: self.read,
            SYS_READC: self.readc, SYS_ISERROR: self.iserror, SYS_ISTTY: self.istty,
            SYS_SEEK: self.seek, SYS_FLEN: self.flen, SYS_TMPNAM: self.unsupported,
            SYS_REMOVE: self.remove, SYS_RENAME: self.rename, SYS_CLOCK: self.clock,
            SYS_TIME: self.time, SYS_SYSTEM: self.unsupported, SYS_ERRNO: self.get_errno,
            SYS_GET_CMDLINE: self.get_cmdline, SYS_HEAPINFO: self.heapinfo,
            SYS_EXIT: self.exit, SYS_EXIT_EXTENDED: self.exit_extended,
            SYS_ELAPSED: self.elapsed, SYS_TICKFREQ: self.tickfreq,
        }

    def call(self, op: int, arg: int) -> int | None:
        """Run one operation; the result goes to r0 (None: the run stopped)."""
        handler = self.ops.get(op)
        if handler is None:
            self.m.fault("semihosting", f"unsupported semihosting operation {op:#x}")
            return None
        r0 = handler(arg)
        return None if r0 is None else r0 & 0xFFFFFFFF

    # --- helpers ------------------------------------------------------------------------------
    def _args(self, ptr: int, n: int) -> tuple[int, ...]:
        return struct.unpack(f"<{n}I", self.m.read(ptr, 4 * n))

    def _cstr(self, ptr: int, limit: int = 4096) -> bytes:
        out = bytearray()
        mem = self.m.board.memory_at(ptr)
        while len(out) < limit:
            at = ptr + len(out)
            # Read in chunks, but never past the end of the memory the string starts in.
            n = min(64, mem.end - at) if mem is not None and at < mem.end else 1
            chunk = self.m.read(at, n)
            i = chunk.find(0)
            if i >= 0:
                return bytes(out + chunk[:i])
            out += chunk
        return bytes(out)

    def _fail(self, e: OSError) -> int:
        self.errno = e.errno or errno.EIO
        return MINUS1

    def _new_handle(self, obj) -> int:
        h = self.next_handle
        self.next_handle += 1
        self.handles[h] = obj
        return h

    # --- operations (spec section 5) ----------------------------------------------------------
    def open(self, arg: int) -> int:
        name_ptr, mode, length = self._args(arg, 3)
        name = bytes(self.m.read(name_ptr, length))
        if mode > 11:
            self.errno = errno.EINVAL
            return MINUS1
        if name == b":tt":
            return self._new_handle(_Console(0 if mode < 4 else 1 if mode < 8 else 2))
        if name == b":semihosting-features":
            if mode >= 4:
                self.errno = errno.EACCES
                return MINUS1
            return self._new_handle(_Memfile(FEATURES_FILE))
        try:
            return self._new_handle(open(os.fsdecode(name), _OPEN_MODES[mode]))
        except OSError as e:
            return self._fail(e)

    def close(self, arg: int) -> int:
        (h,) = self._args(arg, 1)
        obj = self.handles.pop(h, None)
        if obj is None:
            self.errno = errno.EBADF
            return MINUS1
        if hasattr(obj, "close"):
            obj.close()
        return 0

    def writec(self, arg: int) -> int:
        self.m.console(1, bytes(self.m.read(arg, 1)))
        return 0

    def write0(self, arg: int) -> int:
        self.m.console(1, self._cstr(arg, 1 << 20))
        return 0

    def write(self, arg: int) -> int:
        h, buf, n = self._args(arg, 3)
        obj = self.handles.get(h)
        data = bytes(self.m.read(buf, n)) if n else b""
        if isinstance(obj, _Console) and obj.stream > 0:
            self.m.console(obj.stream, data)
            return 0
        if obj is None or isinstance(obj, (_Console, _Memfile)):
            self.errno = errno.EBADF
            return n
        try:
            return n - (obj.write(data) or 0)
        except OSError as e:
            self._fail(e)
            return n

    def read(self, arg: int) -> int:
        h, buf, n = self._args(arg, 3)
        obj = self.handles.get(h)
        if isinstance(obj, _Console) and obj.stream == 0:
            data = self._stdin(n)
        elif isinstance(obj, _Memfile):
            data = obj.data[obj.pos:obj.pos + n]
            obj.pos += len(data)
        elif obj is None or isinstance(obj, _Console):
            self.errno = errno.EBADF
            return MINUS1
        else:
            try:
                data = obj.read(n)
            except OSError as e:
                return self._fail(e)
        if data:
            self.m.write(buf, data)
        return n - len(data)             # bytes NOT read; n means end of file

    def _stdin(self, n: int) -> bytes:
        # Like a terminal, return at most one line per read so that line-based readers behave.
        rest = self.stdin[self.stdin_pos:self.stdin_pos + n]
        nl = rest.find(b"\n")
        data = rest[:nl + 1] if nl >= 0 else rest
        self.stdin_pos += len(data)
        return data

    def readc(self, arg: int) -> int:
        data = self._stdin(1)
        return data[0] if data else MINUS1

    def iserror(self, arg: int) -> int:
        (status,) = self._args(arg, 1)
        return 1 if status & 0x80000000 else 0

    def istty(self, arg: int) -> int:
        (h,) = self._args(arg, 1)
        obj = self.handles.get(h)
        if obj is None:
            self.errno = errno.EBADF
            return MINUS1
        return 1 if isinstance(obj, _Console) else 0

    def seek(self, arg: int) -> int:
        h, pos = self._args(arg, 2)
        obj = self.handles.get(h)
        if isinstance(obj, _Memfile):
            obj.pos = pos
            return 0
        if obj is None or isinstance(obj, _Console):
            self.errno = errno.EBADF
            return MINUS1
        try:
            obj.seek(pos)
            return 0
        except OSError as e:
            return self._fail(e)

    def flen(self, arg: int) -> int:
        (h,) = self._args(arg, 1)
        obj = self.handles.get(h)
        if isinstance(obj, _Memfile):
            return len(obj.data)
        if obj is None or isinstance(obj, _Console):
            self.errno = errno.EBADF
            return MINUS1
        try:
            return os.fstat(obj.fileno()).st_size
        except OSError as e:
            return self._fail(e)

    def remove(self, arg: int) -> int:
        ptr, n = self._args(arg, 2)
        try:
            os.remove(os.fsdecode(bytes(self.m.read(ptr, n))))
            return 0
        except OSError as e:
            return self._fail(e)

    def rename(self, arg: int) -> int:
        p1, n1, p2, n2 = self._args(arg, 4)
        try:
            os.rename(os.fsdecode(bytes(self.m.read(p1, n1))), os.fsdecode(bytes(self.m.read(p2, n2))))
            return 0
        except OSError as e:
            return self._fail(e)

    # Time is modelled time (cycles / clock), never host time, so runs stay deterministic.
    def clock(self, arg: int) -> int:
        return self.m.cycles() * 100 // self.m.board.clock_hz

    def time(self, arg: int) -> int:
        return self.m.cycles() // self.m.board.clock_hz

    def elapsed(self, arg: int) -> int:
        self.m.write(arg, struct.pack("<Q", self.m.cycles()))
        return 0

    def tickfreq(self, arg: int) -> int:
        return self.m.board.clock_hz

    def get_errno(self, arg: int) -> int:
        return self.errno

    def get_cmdline(self, arg: int) -> int:
        buf, size = self._args(arg, 2)
        text = self.cmdline[: max(size - 1, 0)]
        self.m.write(buf, text + b"\0")
        self.m.write(arg + 4, struct.pack("<I", len(text)))
        return 0

    def heapinfo(self, arg: int) -> int:
        (block,) = self._args(arg, 1)
        lay = self.m.layout
        self.m.write(block, struct.pack("<4I", lay.heap_base, lay.heap_limit,
                                        lay.stack_top, lay.stack_limit))
        return 0

    def unsupported(self, arg: int) -> int:
        self.errno = errno.ENOSYS
        return MINUS1

    def exit(self, arg: int) -> int | None:
        # AArch32: r1 holds the reason code itself. Some libraries pass a pointer to
        # {reason, subcode} as on AArch64; accept both.
        if arg in _REASONS:
            reason, code = arg, 0
        else:
            reason, code = self._args(arg, 2)
        return self._stop(reason, code)

    def exit_extended(self, arg: int) -> int | None:
        reason, code = self._args(arg, 2)
        return self._stop(reason, code)

    def _stop(self, reason: int, code: int) -> None:
        if reason == ADP_STOPPED_APPLICATION_EXIT:
            self.m.exit(code & 0xFF)
        else:
            self.m.exit(1, f"firmware stopped with semihosting reason {reason:#x}")
        return None

    def close_all(self) -> None:
        for obj in self.handles.values():
            if hasattr(obj, "close"):
                obj.close()
        self.handles.clear()

