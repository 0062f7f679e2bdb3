#!/usr/bin/env bash
# Lint and types: ruff check, ruff format --check and mypy (configured in pyproject.toml).
#
#   tools/lint.sh            ruff check must pass; the formatter and mypy report what they would
#                            change or find, counted by directory, without failing
#   tools/lint.sh --strict   all three must pass (what CI runs)
#
# Needs: pip install -e ".[lint]".
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
strict=0
[ "${1:-}" = "--strict" ] && strict=1

# src/actlab/nn/model.py -> src/actlab/nn; src/actlab/cli.py -> src/actlab (top level); tests/x.py -> tests
by_directory() {
  awk -F/ '{ if ($1 == "src" && NF > 3) d = $1 "/" $2 "/" $3; else if ($1 == "src") d = "src/actlab (top level)";
             else if (NF > 1) d = $1; else d = "(root)"; n[d]++; total++ }
           END { for (d in n) printf "  %5d  %s\n", n[d], d; printf "  %5d  total\n", total }' | sort -k2
}

echo "== ruff check"
"$PYTHON" -m ruff check .
check=$?

echo "== ruff format --check (files it would reformat)"
format_out=$("$PYTHON" -m ruff format --check --output-format concise . 2>&1)
format=$?
printf '%s\n' "$format_out" | grep ': unformatted:' | cut -d: -f1 | by_directory
printf '%s\n' "$format_out" | tail -1

echo "== mypy (errors, by directory)"
mypy_out=$("$PYTHON" -m mypy --no-error-summary 2>&1)
mypy=$?
printf '%s\n' "$mypy_out" | grep ': error:' | cut -d: -f1 | by_directory

if [ "$strict" = 1 ]; then
  [ "$check" = 0 ] && [ "$format" = 0 ] && [ "$mypy" = 0 ]
  exit $?
fi
exit "$check"
