#!/usr/bin/env bash
# Performance comparison of scopesim with Python + Polars and Python + DuckDB: the easy
# job of issue 6 (`scope all`, users only) and the real job of issue 13 (`scope assigned`
# with assignments and group members, plus --report, lint, diff, explain and reconcile).
# Builds scopesim in release mode, installs the peers from PyPI into bench-data/.venv,
# generates the data with `scopesim gen`, checks that every tool returns the same in-scope
# counts, then times them side by side with two threads and prints ratios and peak memory
# (peak memory needs GNU time: `apt-get install -y time`).
#
#   benches/compare.sh                 # 1,000,000 users, 5 rounds, scaling 100k/1M/4M
#   USERS=200000 ROUNDS=1 SCALING=100000 RECONCILE_USERS=100000 benches/compare.sh  # minutes
#   JOBS=real benches/compare.sh       # the real job only (JOBS=easy: the easy one)
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-bench-data}
mkdir -p "$DATA"
cargo build --release --locked --quiet

if [ ! -x "$DATA/.venv/bin/python" ]; then
  python3 -m venv "$DATA/.venv"
fi
if [ ! -x /usr/bin/time ]; then
  echo "note: GNU time is not installed (apt-get install -y time): no peak memory" >&2
fi
"$DATA/.venv/bin/python" -m pip install --quiet --disable-pip-version-check polars duckdb

exec "$DATA/.venv/bin/python" benches/compare.py \
  --scopesim target/release/scopesim \
  --data "$DATA" \
  --users "${USERS:-1000000}" \
  --rounds "${ROUNDS:-5}" \
  --scaling "${SCALING-100000,1000000,4000000}" \
  --jobs "${JOBS:-easy,real}" \
  --reconcile-users "${RECONCILE_USERS:-200000}"
