#!/usr/bin/env bash
# Second command of the README: install what is missing (with test extras), run the tests.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh --test
exec .venv/bin/python -m pytest -q "$@"
