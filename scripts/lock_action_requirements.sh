#!/usr/bin/env bash
# Regenerates action/requirements.lock: the GitHub Action's runtime requirements, pinned with their hashes.
#
#   scripts/lock_action_requirements.sh             # keep the pins that still fit pyproject.toml
#   scripts/lock_action_requirements.sh --upgrade   # move every pin to the newest release that fits
#
# Run it whenever [project] dependencies or [build-system] requires change in pyproject.toml
# (tests/test_github_action.py fails while the lock does not cover them). It resolves with the oldest
# Python iacgov supports (3.10) so that every pin installs on 3.10 to 3.13 (newer releases of some
# dependencies, networkx for one, dropped 3.10), and against PyPI alone, ignoring any local pip
# configuration or mirror, so that the hashes are those of the files PyPI serves.
set -euo pipefail

PYTHON="${PYTHON:-python3.10}"
PIP_TOOLS="pip-tools==7.5.3"
repo="$(cd "$(dirname "$0")/.." && pwd)"
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT

export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_NO_INDEX PIP_CONSTRAINT

"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 10), f"need Python 3.10, got {sys.version.split()[0]}"'
"$PYTHON" -m venv "$tools/venv"
"$tools/venv/bin/pip" install --quiet "$PIP_TOOLS"

cd "$repo"
body="$tools/requirements.lock"
if [ -f action/requirements.lock ]; then
  grep -v '^##' action/requirements.lock > "$body"  # pip-compile keeps existing pins unless --upgrade
fi
# --build-deps-for wheel: setuptools, to build iacgov itself without fetching anything unpinned.
# --allow-unsafe: setuptools is listed (pip-compile leaves it out by default).
CUSTOM_COMPILE_COMMAND="scripts/lock_action_requirements.sh" \
  "$tools/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
  --build-deps-for wheel --no-emit-index-url --no-emit-find-links \
  --index-url https://pypi.org/simple --output-file "$body" "$@" pyproject.toml

{
  echo "## The GitHub Action's requirements (action.yml installs them with pip --require-hashes --only-binary :all:)."
  echo "## Generated from pyproject.toml by scripts/lock_action_requirements.sh (pip-compile --generate-hashes,"
  echo "## Python 3.10, PyPI): run it again after changing dependencies there. Do not edit by hand."
  cat "$body"
} > action/requirements.lock
echo "wrote action/requirements.lock"
