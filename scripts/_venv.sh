# Shared by scripts/run, scripts/test and scripts/lint: create .venv once, reinstall when
# pyproject.toml changes. uv installs in seconds where it is on PATH; otherwise pip does it.
ensure_venv() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  local stamp=".venv/.installed${extras//[^a-z]/-}"
  local installer=pip
  if [ -z "${PEERWORK_NO_UV:-}" ] && command -v uv >/dev/null 2>&1; then
    installer=uv
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "peerwork: creating .venv with $installer (once; later runs reuse it)" >&2
    if [ "$installer" = uv ]; then
      uv venv --quiet --python "$python" .venv
    else
      "$python" -m venv .venv
    fi
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "peerwork: installing peerwork${extras} into .venv with $installer" >&2
    if [ "$installer" = uv ]; then
      uv pip install --quiet --python .venv/bin/python -e ".${extras}"
      # uv's venvs have no pip; the test suite builds a wheel with it (tests/integration/test_wheel.py).
      if [ -n "$extras" ] && ! python -m pip --version >/dev/null 2>&1; then
        uv pip install --quiet --python .venv/bin/python pip
      fi
    else
      # A venv made by uv has no pip of its own; give it one before falling back to pip.
      python -m pip --version >/dev/null 2>&1 || python -m ensurepip --quiet
      # --no-compile: Python compiles each module on first import instead. Compiling all of
      # numpy, scipy and matplotlib up front took about a quarter of pip's time, mostly for
      # modules peerwork never imports. (uv does the same by default.)
      python -m pip install --quiet --disable-pip-version-check --no-compile -e ".${extras}"
    fi
    touch "$stamp"
  fi
}
