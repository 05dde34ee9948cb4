#!/usr/bin/env bash
# Install mlgarden into .venv (once) and open the app; extra arguments go to `mlgarden`
# (a graph file, bash scripts/run.sh my-graph.yaml, or an example, bash scripts/run.sh final-boss).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || {
        echo "mlgarden: could not create a virtual environment; install python3-venv" >&2
        exit 1
    }
fi
# Installed again only when pyproject.toml or constraints.txt (the tested versions) changes.
if ! .venv/bin/python -c "import mlgarden.cli, dearpygui" 2>/dev/null \
    || [ pyproject.toml -nt .venv/.mlgarden-app-installed ] \
    || [ constraints.txt -nt .venv/.mlgarden-app-installed ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e . -c constraints.txt
    touch .venv/.mlgarden-app-installed
fi
exec .venv/bin/mlgarden "$@"
