#!/usr/bin/env bash
# First command of the README: install what is missing, then run the demo:
# the MLPerf Tiny keyword-spotting model on a simulated STM32F407, with its report.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install.sh
echo "==> demo: .venv/bin/mcusim run models/kws_ref_model.tflite --board stm32f4"
exec .venv/bin/mcusim run models/kws_ref_model.tflite --board stm32f4
