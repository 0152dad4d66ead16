#!/usr/bin/env bash
# Reconciliation of a million provisioning events, in bounded memory (issue 14).
#
# Generates a synthetic tenant and a provisioning log consistent with the plan of
# fixtures/logs/generated.scope (scopesim gen --logs, 25 discrepancies of each kind), then
# reconciles it with the release binary, reporting wall time and peak memory (GNU time).
# Memory follows the users (one small outcome per user and cycle), not the log: the log is
# several times larger than the peak memory, and `plan` on the same directory is the
# baseline. Set USERS (default 1,600,000: about a million events) and DATA.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-1600000}
DATA=${DATA:-bench-data/reconcile-$USERS}
BIN=target/release/scopesim
cargo build --release --quiet
if [ ! -f "$DATA/provisioning-logs.ndjson" ]; then
  "$BIN" gen --users "$USERS" --seed 5 --formats csv --out "$DATA" \
    --logs fixtures/logs/generated.scope --inject 25
fi
events=$(wc -l < "$DATA/provisioning-logs.ndjson")
bytes=$(stat -c %s "$DATA/provisioning-logs.ndjson")
args=(fixtures/logs/generated.scope -d "$DATA/users.csv" --assignments "$DATA/assignments.csv"
      --group-members "$DATA/group-members.csv")
measure() {
  # reconcile exits 1 when it finds discrepancies: that is the expected outcome here.
  /usr/bin/time -f "%e s wall, %U s user, %M KB peak" -o "$DATA/time.txt" "$@" >/dev/null 2>&1 || true
  tail -1 "$DATA/time.txt"
}
echo "data: $USERS users, $events events, $((bytes / 1000000)) MB of NDJSON ($DATA)"
echo "plan (baseline):  $(measure "$BIN" plan "${args[@]}" --report "$DATA/plan.csv")"
echo "reconcile:        $(measure "$BIN" reconcile "${args[@]}" --logs "$DATA/provisioning-logs.ndjson" --report "$DATA/reconcile.csv")"
echo "discrepancies:    $(($(wc -l < "$DATA/reconcile.csv") - 1)) (injected: $(($(wc -l < "$DATA/provisioning-logs.expected.csv") - 1)))"
