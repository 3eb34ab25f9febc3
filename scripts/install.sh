#!/usr/bin/env bash
# Install what mcusim needs and is missing, then the package itself into ./.venv.
#   scripts/install.sh          runtime: cross toolchain, host C compiler, .venv with mcusim
#   scripts/install.sh --test   also the test extras, Chromium (HTML report test) and gdb-multiarch
# Debian packages are installed only when absent; a non-root user is asked for sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

pkgs=()
command -v arm-none-eabi-gcc >/dev/null || pkgs+=(gcc-arm-none-eabi)
[ -e /usr/lib/arm-none-eabi/newlib/rdimon.specs ] || pkgs+=(libnewlib-arm-none-eabi)
command -v cc >/dev/null || pkgs+=(gcc)           # builds the profiler's native hook
command -v make >/dev/null || pkgs+=(make)        # generated model projects and board kits
python3 -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
if [ "$with_tests" = 1 ]; then
    command -v chromium >/dev/null || pkgs+=(chromium)
    command -v gdb-multiarch >/dev/null || pkgs+=(gdb-multiarch)   # the gdb server tests
fi

if [ "${#pkgs[@]}" -gt 0 ]; then
    echo "==> installing Debian packages: ${pkgs[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi
extra="[svd,plot]"                              # plot: mcusim sweep --html charts
[ "$with_tests" = 1 ] && extra="[svd,plot,ray,frontend,quantize,onnx,tensorflow,test]"   # ray: the sweep --ray tests; frontend: cmsisdsp; quantize/onnx/tensorflow: mcusim quantize tests
echo "==> installing mcusim into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q --disable-pip-version-check ".${extra}" 2>&1 \
    | grep -v -E '^WARNING: Location .* is ignored' || true
.venv/bin/python -c 'import mcusim' || { echo "mcusim did not install" >&2; exit 1; }
# The vendor SVDs the boards name (register files): pyOCD's wheel from PyPI carries them; only
# those files are kept, in .venv/share/mcusim/svd. Never fetched at run time.
echo "==> register files (CMSIS-SVD) for the boards"
.venv/bin/python -m mcusim.sim.svd_files fetch \
    || echo "warning: SVD fetch failed; peripherals without an mcusim model will fault" >&2
