"""Errors a user can cause. The CLI prints str(err) on one line and exits with err.exit_code."""
from __future__ import annotations

# Exit statuses of the mcusim command itself. The firmware's own exit status (0-255) is passed
# through by `mcusim run`; simulator faults use statuses above that range's common values.
EXIT_USAGE = 2          # bad input: file, option, model, budget file
EXIT_FAULT = 70         # the simulated core faulted (bad access, undefined instruction, ...)
EXIT_LIMIT = 71         # --max-cycles or another limit stopped the run
EXIT_BUILD = 72         # the cross-compiler failed on generated code
EXIT_MISMATCH = 73      # verify: firmware output differs from TFLM
EXIT_BUDGET = 1         # check: a budget was exceeded
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)
EXIT_PIPE = 141         # the reader of stdout went away (`mcusim run x | head`): 128 + SIGPIPE,
                        # the status of any tool the shell sees killed by SIGPIPE; no message


class McusimError(Exception):
    """An error with a one-line, user-facing message."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class BadInput(McusimError):
    """The user's file or option is unusable (not ELF, wrong machine, bad TOML, bad model...)."""


class BuildError(McusimError):
    exit_code = EXIT_BUILD
