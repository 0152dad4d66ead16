#!/usr/bin/env bash
# Payloads of a million users, streamed in bounded memory (issue 15).
#
# Generates a synthetic tenant (scopesim gen), then runs `plan` with the Salesforce
# schema of fixtures/payloads (its attribute mappings; the generated assignments name the
# app `Salesforce`) twice with the release binary: without and with `--payloads`, and
# reports records written, wall time, peak memory (GNU time) and the rate, measured in
# the same run. Set USERS (default 1,000,000) and DATA.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-1000000}
DATA=${DATA:-bench-data/payloads-$USERS}
BIN=target/release/scopesim
cargo build --release --quiet
if [ ! -f "$DATA/users.csv" ]; then
  "$BIN" gen --users "$USERS" --seed 1 --formats csv --out "$DATA" >/dev/null
fi
args=(Salesforce=fixtures/payloads/salesforce-schema.json -d "$DATA/users.csv"
      --assignments "$DATA/assignments.csv" --group-members "$DATA/group-members.csv"
      --now 2026-11-02T08:00:00Z)
measure() {
  /usr/bin/time -f "%e %M" -o "$DATA/time.txt" "$@" >/dev/null 2>&1 || true
  tail -1 "$DATA/time.txt"
}
read -r plan_s plan_kb < <(measure "$BIN" plan "${args[@]}")
read -r pay_s pay_kb < <(measure "$BIN" plan "${args[@]}" --payloads "$DATA/payloads.ndjson")
records=$(wc -l < "$DATA/payloads.ndjson")
bytes=$(stat -c %s "$DATA/payloads.ndjson")
awk -v u="$USERS" -v r="$records" -v b="$bytes" -v ps="$plan_s" -v pk="$plan_kb" \
    -v ys="$pay_s" -v yk="$pay_kb" 'BEGIN {
  printf "data: %d users; payloads: %d records, %d MB of NDJSON\n", u, r, b / 1e6
  printf "plan:             %6.2f s wall, %5d MiB peak\n", ps, pk / 1024
  printf "plan --payloads:  %6.2f s wall, %5d MiB peak\n", ys, yk / 1024
  printf "ratio: %.2f x the plan without payloads; %.0f records/s, the payload pass %.0f users/s (this machine, this run)\n", ys / ps, r / ys, u / (ys - ps)
}'
