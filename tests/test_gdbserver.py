"""`mcusim run --gdb PORT`: gdb-multiarch in batch mode against firmware/tests/gdb_target.c on an
M4F (FP registers), an M0+ and an M33 board, and a raw socket sending what gdb would not (bad
checksums, garbage, truncated packets, a disconnect mid-run). Every wait has a timeout, so a
hang fails the test instead of stalling the suite."""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mcusim.cli import main
from mcusim.errors import EXIT_FAULT, EXIT_LIMIT, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent
GDB = shutil.which("gdb-multiarch")
needs_gdb = pytest.mark.skipif(GDB is None, reason="gdb-multiarch not installed "
                                                   "(scripts/install.sh --test installs it)")
TIMEOUT = 60


class Server:
    """`mcusim run ELF --gdb 0` in a subprocess; the port it prints is free by construction."""

    def __init__(self, tmp_path: Path, elf: Path, board: str, *extra: str):
        self.out, self.err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mcusim", "run", str(elf), "--board", board,
                 "--gdb", "0", "-q", *extra], stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                cwd=ROOT)
        deadline = time.monotonic() + TIMEOUT
        while True:
            m = re.search(r"waiting for gdb on localhost:(\d+)", self.err.read_text())
            if m:
                self.port = int(m.group(1))
                break
            assert self.proc.poll() is None, self.err.read_text()
            assert time.monotonic() < deadline, "the server never said it was waiting"
            time.sleep(0.05)

    def finish(self) -> tuple[int, str, str]:
        try:
            rc = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail("mcusim did not end after gdb was done")
        return rc, self.out.read_text(), self.err.read_text()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(tmp_path):
    started = []

    def start(elf, board, *extra):
        s = Server(tmp_path, elf, board, *extra)
        started.append(s)
        return s
    yield start
    for s in started:
        s.kill()


def gdb(port: int, elf: Path, *commands: str) -> str:
    args = [GDB, "-batch", "-nx", "-ex", f"target remote :{port}"]
    for c in commands:
        args += ["-ex", c]
    p = subprocess.run(args + [str(elf)], capture_output=True, text=True, timeout=TIMEOUT)
    return p.stdout + p.stderr


@pytest.fixture
def target(firmware):
    def build(board: str, *flags: str) -> Path:
        return firmware("gdb_target.c", board=board, flags=("-g", *flags))
    return build


def _clean(rc_out_err, status):
    rc, out, err = rc_out_err
    assert "Traceback" not in err, err
    assert rc == status, (rc, err)
    return out, err


# --- gdb-multiarch ---------------------------------------------------------------------------

@needs_gdb
def test_gdb_session_on_an_m4f(server, target, tmp_path):
    """break, registers, memory, a write watchpoint, monitor cycles, the FP return value in s0,
    then the run goes on to its end: console output and exit status 3 pass through, and the
    cycle count of the report is the count of the same program run without gdb."""
    elf = target("stm32f4")
    srv = server(elf, "stm32f4", "--json", str(tmp_path / "run.json"))
    out = gdb(srv.port, elf, "break main", "continue", "info registers", "x/4wx &counter",
              "watch counter", "continue", "continue", "monitor cycles", "delete",
              "break scaled", "continue", "finish", "p $s0", "info registers s0 d0 fpscr",
              "info registers msp psp primask basepri faultmask control", "delete", "continue")
    assert "Breakpoint 1, main () at" in out, out
    assert re.search(r"^pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <main>", out, re.M), out
    assert re.search(r"^xpsr\s+0x", out, re.M) and re.search(r"^sp\s+0x2", out, re.M), out
    assert re.search(r"<counter>:\s+0x00000000", out), out
    assert "Hardware watchpoint 2: counter" in out, out
    assert "Old value = 0\nNew value = 1" in out and "Old value = 1\nNew value = 3" in out, out
    cycles = re.search(r"cycles: ([\d,]+) executed, 0 asleep; [\d.]+ s of simulated time; "
                       r"clock 168,000,000 Hz", out)
    assert cycles and int(cycles.group(1).replace(",", "")) > 0, out
    assert "Value returned is $1 = 12" in out and "$2 = 12" in out, out
    assert re.search(r"^s0\s+12\s", out, re.M) and re.search(r"^fpscr\s+0x", out, re.M), out
    for reg in ("msp", "psp", "primask", "basepri", "faultmask", "control"):
        assert re.search(rf"^{reg}\s+0x", out, re.M), (reg, out)
    assert "exited with code 03" in out, out
    stdout, _ = _clean(srv.finish(), 3)
    assert stdout == "gdb target: start\ngdb target: counter=6 scaled=12\n"
    import json
    plain = tmp_path / "plain.json"
    assert main(["run", str(elf), "--board", "stm32f4", "-q", "--json", str(plain)]) == 3
    debugged = json.loads((tmp_path / "run.json").read_text())
    # breakpoints and watch stops that end a block leave the count as it was without gdb
    assert debugged["instructions"] == json.loads(plain.read_text())["instructions"]


@needs_gdb
def test_gdb_on_an_m0plus_steps_and_resets(server, target):
    """ARMv6-M: no FP registers, no BASEPRI/FAULTMASK; stepi moves one instruction; monitor
    reset goes back to the reset handler and the program runs main again."""
    elf = target("rp2040")
    srv = server(elf, "rp2040")
    out = gdb(srv.port, elf, "break main", "continue", "info registers", "p $pc", "stepi",
              "p $pc", "monitor reset", "flushregs", "p $pc", "stepi", "stepi", "p $pc",
              "continue", "p $s0", "delete", "continue")
    assert "Breakpoint 1, main () at" in out, out
    assert "basepri" not in out and "faultmask" not in out and not re.search(r"^d0 ", out, re.M)
    assert re.search(r"^primask\s+0x0", out, re.M) and re.search(r"^control\s+0x0", out, re.M)
    pcs = [int(x, 16) for x in re.findall(r"^\$\d+ = \(void \(\*\)\(\)\) (0x[0-9a-f]+)", out, re.M)]
    assert len(pcs) == 4, out
    assert pcs[1] - pcs[0] in (2, 4)                  # one Thumb instruction
    assert "reset: pc=0x" in out and "<Reset_Handler>" in out, out
    assert 0 < pcs[3] - pcs[2] <= 8                    # two instructions from the reset handler
    assert out.count("Breakpoint 1, main () at") == 2, out
    assert "exited with code 03" in out, out
    stdout, _ = _clean(srv.finish(), 3)
    assert stdout.count("gdb target: start\n") == 1 and "counter=6 scaled=12" in stdout


@needs_gdb
def test_gdb_on_an_m33_with_hardware_breakpoints(server, target):
    elf = target("stm32u575")
    srv = server(elf, "stm32u575")
    out = gdb(srv.port, elf, "hbreak scaled", "continue", "bt", "finish", "p $s0",
              "info registers msp psp basepri", "rwatch counter", "continue", "monitor cycles",
              "delete", "continue")
    assert "Hardware assisted breakpoint 1 at" in out and "scaled (x=" in out, out
    assert re.search(r"#1\s+0x[0-9a-f]+ in main \(\)", out), out
    assert "Value returned is $1 = 12" in out and "$2 = 12" in out, out
    assert "Hardware read watchpoint 2: counter" in out and "Value = 6" in out, out
    assert "clock 160,000,000 Hz" in out, out
    assert "exited with code 03" in out, out
    _clean(srv.finish(), 3)


@needs_gdb
def test_gdb_sees_a_fault_then_the_run_ends_with_it(server, target):
    """A fault stops with SIGSEGV where gdb can look (a backtrace through the handler's
    exception frame to main); the next continue ends the run with the fault's status."""
    elf = target("stm32f4", "-DFAULT=1")
    srv = server(elf, "stm32f4")
    out = gdb(srv.port, elf, "continue", "bt", "continue")
    assert "Program received signal SIGSEGV" in out, out
    assert re.search(r"in main \(\) at .*gdb_target.c:28", out), out
    assert "Program terminated with signal SIGSEGV" in out, out
    stdout, err = _clean(srv.finish(), EXIT_FAULT)
    assert stdout == "gdb target: start\n"
    assert "mcusim: fault: bad read" in err and "0x3fff0000" in err, err


@needs_gdb
def test_gdb_kill_and_detach(server, target, tmp_path):
    elf = target("stm32f4")
    srv = server(elf, "stm32f4")
    out = gdb(srv.port, elf, "break main", "continue", "kill")
    assert "killed" in out, out
    stdout, err = _clean(srv.finish(), EXIT_LIMIT)
    assert stdout == "" and "mcusim: stopped by the debugger (gdb kill)" in err, err
    srv = Server(tmp_path, elf, "stm32f4")
    try:
        out = gdb(srv.port, elf, "break main", "continue", "detach")
        assert "detached" in out, out
        stdout, _ = _clean(srv.finish(), 3)     # runs on to its end without the debugger
        assert stdout.endswith("counter=6 scaled=12\n")
    finally:
        srv.kill()


@needs_gdb
def test_a_limit_is_a_sigxcpu_stop(server, firmware):
    elf = firmware("runaway.c", flags=("-g",))
    srv = server(elf, "stm32f4", "--max-cycles", "100000")
    out = gdb(srv.port, elf, "continue", "continue")
    assert "Program received signal SIGXCPU" in out, out
    assert "Program terminated with signal SIGXCPU" in out, out
    _, err = _clean(srv.finish(), EXIT_LIMIT)
    assert "stopped after 100,0" in err


# --- the protocol, byte by byte ------------------------------------------------------------------

class Rsp:
    def __init__(self, port: int):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""

    def raw(self, data: bytes) -> None:
        self.s.sendall(data)

    def byte(self) -> bytes:
        while not self.buf:
            data = self.s.recv(4096)
            assert data, "the server closed the connection"
            self.buf += data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def send(self, payload: str) -> None:
        body = payload.encode("latin-1")
        self.raw(b"$" + body + b"#%02x" % (sum(body) & 0xFF))
        assert self.byte() == b"+"

    def reply(self) -> str:
        while self.byte() != b"$":
            pass
        body = b""
        while (b := self.byte()) != b"#":
            body += b
        cs = self.byte() + self.byte()
        assert int(cs, 16) == sum(body) & 0xFF
        self.raw(b"+")
        return body.decode("latin-1")

    def ask(self, payload: str) -> str:
        self.send(payload)
        return self.reply()

    def close(self) -> None:
        self.s.close()


def test_junk_gets_the_protocols_answers(server, firmware):
    """A bad checksum is nak'd, bytes outside packets and a truncated packet are skipped, and
    malformed or impossible requests get an error reply; then the run still ends normally."""
    elf = firmware("gdb_target.c", board="stm32f4", flags=("-g",))
    srv = server(elf, "stm32f4")
    c = Rsp(srv.port)
    c.raw(b"$qC#00")
    assert c.byte() == b"-"
    c.raw(b"garbage\xff\x00+-")          # a '-' with nothing sent yet resends nothing
    c.raw(b"$m0800")                     # truncated: the next '$' starts afresh
    assert c.ask("qC") == "QC1"
    assert c.ask("?") == "T05thread:1;"
    for bad in ("mzz,4", "m3fff0000,4", "m", "p99", "p-1", "Pzz=1", "M20000000,4:ab", "mffffffff,4",
                "X20000000,4:ab", "Z0,3fff0000,2", "Z2,20000000,0", "Z0,zz,2"):
        assert c.ask(bad).startswith("E"), bad
    assert c.ask("qXfer:features:read:other.xml:0,100") == "E00"
    assert c.ask("vMustReplyEmpty") == "" and c.ask("j") == "" and c.ask("") == ""
    # a peripheral register gdb may read (CPUID) and one no device serves: an error, no fault
    assert c.ask("me000ed00,4") == "41c20f41"
    assert c.ask("m40007ff8,8").startswith("E")
    xml = c.ask("qXfer:features:read:target.xml:0,fff")
    assert xml.startswith("l<?xml") and "org.gnu.gdb.arm.m-profile" in xml
    assert 'name="d15"' in xml and "org.gnu.gdb.arm.vfp" in xml
    assert c.ask("QStartNoAckMode") == "OK"
    c.raw(b"$c#63")                       # no acks from here on
    assert c.reply() == "W03"
    c.close()
    out, _ = _clean(srv.finish(), 3)
    assert out.endswith("counter=6 scaled=12\n")


def test_ctrl_c_pauses_a_running_core(server, firmware):
    elf = firmware("runaway.c")
    srv = server(elf, "stm32f4", "--max-cycles", "none")
    c = Rsp(srv.port)
    for _ in range(2):
        c.send("vCont;c")
        time.sleep(0.3)
        c.raw(b"\x03")
        assert c.reply() == "T02thread:1;"
        # r0-xpsr, fpscr, msp, psp, primask, basepri, faultmask, control: 32 bits; d0-d15: 64
        assert len(c.ask("g")) == 8 * (17 + 1 + 6) + 16 * 16 and c.ask("qC") == "QC1"
    c.raw(b"$k#6b")
    c.close()
    _, err = _clean(srv.finish(), EXIT_LIMIT)
    assert err.splitlines()[-1] == "mcusim: stopped by the debugger (gdb kill)", err


@pytest.mark.parametrize("how", ["running", "mid-packet"])
def test_a_client_that_goes_away_ends_the_run(server, firmware, how):
    elf = firmware("runaway.c")
    srv = server(elf, "stm32f4", "--max-cycles", "none")
    c = Rsp(srv.port)
    if how == "running":
        c.send("c")
        time.sleep(0.3)
    else:
        c.raw(b"$m2000")
    c.close()
    _, err = _clean(srv.finish(), EXIT_LIMIT)
    assert err.splitlines()[-1] == ("mcusim: stopped by the debugger (the gdb connection "
                                    "closed before the program ended)"), err


def _one_error(capsys, argv, contains):
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    assert code == EXIT_USAGE and "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mcusim: error: ") and contains in lines[0]


def test_a_port_in_use_is_one_line(capsys, firmware):
    elf = firmware("hello.c")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        _one_error(capsys, ["run", elf, "--gdb", port],
                   f"--gdb {port}: cannot listen on localhost:{port}: Address already in use")


@pytest.mark.parametrize("value", ["65536", "-1", "http", ""])
def test_bad_gdb_port(capsys, value):
    _one_error(capsys, ["run", "x.elf", "--gdb", value], "--gdb: expected a TCP port 1-65535")
