#!/usr/bin/env bash
# Second command of the README: install what is missing (with test extras), run the tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh --test
# one worker per core (pytest-xdist): the suite is mostly arm-none-eabi-gcc builds and simulation;
# ./test.sh -n0 runs it in one process
exec .venv/bin/python -m pytest -q -n auto "$@"
