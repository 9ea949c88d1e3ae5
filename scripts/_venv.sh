# Sourced by scripts/*: make .venv with a Python >= 3.11 and install the project into it.
# Usage: ensure_venv [EXTRAS]   e.g. ensure_venv dev
#
# The install is skipped (no pip, no network) when .venv/.article-qa-installed records the
# current pyproject.toml's sha256 and extras that include EXTRAS, and .venv/bin/article-qa
# exists. ARTICLE_QA_REINSTALL=1 forces the install. The stamp is written only after pip
# succeeds (and removed before pip runs), so a failed install is tried again next time.

_article_qa_stamp=.venv/.article-qa-installed

# The sha256 of file $1, printed in hex (empty if no tool can compute it).
_article_qa_sha256() {
    local digest=""
    if command -v sha256sum >/dev/null 2>&1; then
        digest="$(sha256sum <"$1")" || digest=""
    elif command -v shasum >/dev/null 2>&1; then
        digest="$(shasum -a 256 <"$1")" || digest=""
    elif command -v openssl >/dev/null 2>&1; then
        digest="$(openssl dgst -sha256 <"$1")" || digest=""
        digest="${digest##*= }"
    else
        digest="$(.venv/bin/python -c 'import hashlib, sys
print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())' <"$1")" || digest=""
    fi
    printf '%s\n' "${digest%% *}"
}

# A comma-separated extras list ($1) sorted, without duplicates or blanks: "dev,docs".
_article_qa_extras() {
    printf '%s\n' "$1" | tr ',' '\n' | tr -d ' ' | sed '/^$/d' | LC_ALL=C sort -u | paste -sd, -
}

# The value of key $1 in the stamp ("" when there is no stamp or no such line).
_article_qa_stamp_value() {
    [ -f "$_article_qa_stamp" ] || return 0
    sed -n "s/^$1=//p" "$_article_qa_stamp"
}

# Succeeds when every extra of the list $1 is in the list $2 (both comma-separated).
_article_qa_extras_within() {
    local extra
    for extra in $(printf '%s\n' "$1" | tr ',' ' '); do
        case ",$2," in
            *",$extra,"*) ;;
            *) return 1 ;;
        esac
    done
    return 0
}

ensure_venv() {
    local extras
    extras="$(_article_qa_extras "${1:-}")"
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
        # A new (or repaired) environment holds nothing the old stamp vouched for
        rm -f "$_article_qa_stamp"
        "$python" -m venv .venv || return 1
    fi

    local digest recorded_digest recorded_extras
    digest="$(_article_qa_sha256 pyproject.toml)"
    recorded_digest="$(_article_qa_stamp_value sha256)"
    recorded_extras="$(_article_qa_stamp_value extras)"
    if [ "${ARTICLE_QA_REINSTALL:-}" != 1 ] && [ -n "$digest" ] \
        && [ "$digest" = "$recorded_digest" ] && [ -x .venv/bin/article-qa ] \
        && _article_qa_extras_within "$extras" "$recorded_extras"; then
        return 0
    fi

    # Extras installed for this same pyproject.toml stay installed: record them too
    local installed="$extras"
    if [ -n "$digest" ] && [ "$digest" = "$recorded_digest" ]; then
        installed="$(_article_qa_extras "$recorded_extras,$extras")"
    fi
    local target="."
    if [ -n "$extras" ]; then
        target=".[$extras]"
    fi
    rm -f "$_article_qa_stamp"
    echo "Installing article-qa${extras:+[$extras]} into .venv (skipped on later runs" \
        "until pyproject.toml changes)" >&2
    if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"; then
        echo "error: pip could not install article-qa into .venv (see above); the next run tries again" >&2
        return 1
    fi
    if [ -n "$digest" ]; then
        printf 'sha256=%s\nextras=%s\n' "$digest" "$installed" >"$_article_qa_stamp.tmp.$$"
        mv -f "$_article_qa_stamp.tmp.$$" "$_article_qa_stamp"
    fi
}
