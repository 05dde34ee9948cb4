#!/usr/bin/env bash
# Install what the test suite needs and run all of it, GUI tests included, under Xvfb.
#
#   bash scripts/test.sh              # the whole suite
#   bash scripts/test.sh -q -k drag   # extra arguments go to pytest
#   bash scripts/test.sh --lint -q    # `ruff check .` first (what CI runs); a finding stops it
#
# On a fresh Debian machine, as root, it installs the system packages itself; as another
# user it names them and stops. The virtualenv lives in .venv and is reused; the project is
# reinstalled into it, with the versions in constraints.txt, only when pyproject.toml or
# constraints.txt changes.
set -euo pipefail

cd "$(dirname "$0")/.."

lint=false
if [ "${1:-}" = "--lint" ]; then
    lint=true
    shift
fi

# xvfb-run needs xauth; Dear PyGui links libX11 and dlopens libGL (GLX) and, optionally,
# the XRandR/Xinerama/Xcursor/XInput libraries through its built-in GLFW. On Debian 12
# xvfb alone pulls in libgl1, libglx-mesa0 and libgl1-mesa-dri (Mesa's software
# renderer, llvmpipe); they are named here so the list says what the window needs. x11-utils
# gives xprop, with which a test reads the window's icon.
SYSTEM_PACKAGES=(xvfb xauth xdotool x11-utils libgl1 libglx-mesa0 libgl1-mesa-dri
                 libxrandr2 libxinerama1 libxcursor1 libxi6)

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

system_packages_missing() {
    local command
    for command in xvfb-run xdotool xauth xprop; do
        command -v "$command" >/dev/null 2>&1 || return 0
    done
    if command -v ldconfig >/dev/null 2>&1; then
        ldconfig -p | grep -q 'libGL\.so\.1 ' || return 0
    fi
    return 1
}

if system_packages_missing; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "test.sh: installing ${SYSTEM_PACKAGES[*]}" >&2
        apt_install "${SYSTEM_PACKAGES[@]}"
    else
        echo "test.sh: the GUI tests need an X virtual framebuffer, xdotool and OpenGL." >&2
        echo "Install them once, then run this again:" >&2
        echo "  sudo apt-get install --no-install-recommends ${SYSTEM_PACKAGES[*]}" >&2
        exit 1
    fi
fi

# Debian's python3 has the venv module but not ensurepip until python3-venv is installed.
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "test.sh: installing python3-venv" >&2
        apt_install python3-venv
    else
        echo "test.sh: python3 cannot make a virtualenv. Install it once, then run this again:" >&2
        echo "  sudo apt-get install python3-venv" >&2
        exit 1
    fi
fi

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "test.sh: mlgarden needs Python 3.11 or newer; python3 is $(python3 --version 2>&1)" >&2
    exit 1
fi

# A venv whose interpreter no longer runs (python moved or upgraded) is made anew.
if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
    rm -rf .venv
    python3 -m venv .venv
fi

stamp=.venv/.mlgarden-installed
wanted="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    .venv/bin/python -m pip install --quiet -e '.[test,torch]' -c constraints.txt
    echo "$wanted" > "$stamp"
fi

if $lint; then
    .venv/bin/ruff check .
fi

# A screen as large as the app's viewport, so every point the tests click is on it. The tests
# run on every core (pytest-xdist, `-n auto`; pass -n 0 to run them in one process); each worker
# that runs GUI tests starts a display of its own (tests/gui/conftest.py).
exec xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python -m pytest -n auto "$@"
