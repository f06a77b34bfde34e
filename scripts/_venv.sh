# Shared by scripts/run and scripts/test: create .venv once, reinstall when pyproject changes.
ensure_venv() {
  local extras="$1"
  local python="${PYTHON:-python3}"
  local stamp=".venv/.installed${extras//[^a-z]/-}"
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    python -m pip install --quiet --upgrade pip
    python -m pip install --quiet -e ".${extras}"
    touch "$stamp"
  fi
}
