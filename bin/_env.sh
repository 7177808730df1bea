# Sourced by bin/run and bin/test: make .venv exist and hold what pyproject.toml asks for.
# Re-installs only when pyproject.toml changed, so the second run starts at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Warm-up Coach needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))." >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv ..." >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${1:-run}
if [ ! -f "$stamp" ]; then
  echo "Installing dependencies into .venv ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  if [ "${1:-run}" = dev ]; then extras=".[dev]"; else extras="."; fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$extras" >&2
  touch "$stamp"
fi
