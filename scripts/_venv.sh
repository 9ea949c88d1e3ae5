# Sourced by scripts/*: make .venv with a Python >= 3.11 and install the project into it.
# Usage: ensure_venv [EXTRAS]   e.g. ensure_venv dev
ensure_venv() {
    local extras="${1:-}"
    if [ ! -x .venv/bin/python ]; then
        local candidate python=""
        for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
            if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
                && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
                python="$candidate"
                break
            fi
        done
        if [ -z "$python" ]; then
            echo "error: Python 3.11 or newer is required (set PYTHON=/path/to/python)" >&2
            return 1
        fi
        "$python" -m venv .venv
    fi
    local target="."
    if [ -n "$extras" ]; then
        target=".[$extras]"
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
}
