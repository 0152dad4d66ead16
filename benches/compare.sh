#!/usr/bin/env bash
# Performance comparison of scopesim with Python + Polars and Python + DuckDB (issue 6).
# Builds scopesim in release mode, installs the peers from PyPI into bench-data/.venv,
# generates the data with `scopesim gen`, checks that every tool returns the same in-scope
# counts, then times them side by side with two threads and prints ratios.
#
#   benches/compare.sh                 # 1,000,000 users, 5 rounds, scaling 100k/1M/4M
#   USERS=200000 ROUNDS=3 SCALING=100000 benches/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-bench-data}
mkdir -p "$DATA"
cargo build --release --locked --quiet

if [ ! -x "$DATA/.venv/bin/python" ]; then
  python3 -m venv "$DATA/.venv"
fi
"$DATA/.venv/bin/python" -m pip install --quiet --disable-pip-version-check polars duckdb

exec "$DATA/.venv/bin/python" benches/compare.py \
  --scopesim target/release/scopesim \
  --data "$DATA" \
  --users "${USERS:-1000000}" \
  --rounds "${ROUNDS:-5}" \
  --scaling "${SCALING:-100000,1000000,4000000}"
