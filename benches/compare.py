#!/usr/bin/env python3
"""Side-by-side performance comparison of scopesim with the peers of issue 6.

Generates directories with `scopesim gen`, checks that scopesim, Polars and DuckDB return
the same in-scope counts for the six filter sets of benches/perf.scope, then times each
tool in interleaved rounds (so machine noise hits all of them alike) with two threads,
and prints ratios measured in the same run. Absolute times on a shared 2-core machine are
noisy; the ratios are what to quote.

Usage: benches/compare.sh (installs the peers first), or
       python3 benches/compare.py --scopesim target/release/scopesim --data bench-data
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "benches" / "perf.scope"
PEERS = ROOT / "benches" / "peers"
THREADS = "2"


def env2():
    e = dict(os.environ)
    e.update(RAYON_NUM_THREADS=THREADS, POLARS_MAX_THREADS=THREADS, OMP_NUM_THREADS=THREADS)
    return e


def pin(cmd):
    """Pin to two CPUs when taskset exists (the machines have two)."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", "0,1"] + cmd
    return cmd


def run(cmd, stdout=subprocess.DEVNULL):
    t = time.perf_counter()
    subprocess.run(pin(cmd), check=True, stdout=stdout, stderr=subprocess.DEVNULL, env=env2())
    return time.perf_counter() - t


def capture(cmd):
    return subprocess.run(pin(cmd), check=True, capture_output=True, text=True, env=env2()).stdout


def generate(scopesim, data, users):
    d = data / f"{users}"
    if not (d / "users.csv").exists():
        subprocess.run([scopesim, "gen", "--users", str(users), "--seed", "7", "--out", str(d), "--formats", "csv"],
                       check=True, stdout=subprocess.DEVNULL)
    return d / "users.csv"


def scopesim_counts(scopesim, csv):
    out = json.loads(capture([scopesim, "plan", str(RULES), "-d", str(csv), "--format", "json"]))
    return {(s["app"], s["stage"]): s["in_scope"] for s in out["stages"]}


def peer_counts(python, script, csv):
    out = capture([python, str(PEERS / script), str(csv)])
    counts = {}
    for line in out.strip().splitlines():
        app, stage, n = line.split("\t")
        counts[(app, stage)] = int(n)
    return counts


def max_rss_kb(cmd):
    gnu_time = "/usr/bin/time"
    if not os.path.exists(gnu_time):
        return None
    r = subprocess.run([gnu_time, "-f", "%M"] + cmd, check=True, capture_output=True, text=True, env=env2())
    return int(r.stderr.strip().splitlines()[-1])


def timed_rounds(commands, rounds):
    """commands: name -> argv. Interleaved rounds; returns name -> list of seconds."""
    times = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(run(cmd))
    return times


def clause_rules(k, path):
    """k filters of two distinct clauses each (no clause is shared, so none is deduplicated)."""
    depts = ["IT", "Sales", "Support", "Engineering", "Finance", "HR", "Marketing", "Legal"]
    lines = ["app \"Scale\" {", "  scope all", "  stage \"s\" {"]
    for i in range(k):
        lines += [f"    filter \"f{i}\" {{",
                  f"      department EQUALS \"{depts[i % len(depts)]}\"",
                  f"      jobTitle Includes \"{chr(65 + i % 26)}{'a' * (i // 26)}\"",
                  "    }"]
    lines += ["  }", "}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scopesim", default=str(ROOT / "target" / "release" / "scopesim"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--data", default=str(ROOT / "bench-data"))
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scaling", default="100000,1000000,4000000")
    args = ap.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    scopesim = args.scopesim

    csv = generate(scopesim, data, args.users)
    size_mb = csv.stat().st_size / 1e6
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(f"machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; "
          f"every tool limited to {THREADS} threads")
    print(f"data: {args.users:,} users, {size_mb:.0f} MB CSV ({csv}), warm page cache")
    print(f"rules: {RULES.name} (2 apps x 3 stages)\n")

    # 1. Same answers first.
    ours = scopesim_counts(scopesim, csv)
    peers = {"polars": peer_counts(args.python, "polars_count.py", csv),
             "duckdb": peer_counts(args.python, "duckdb_count.py", csv)}
    print("in-scope counts:")
    print(f"  {'app / stage':36} {'scopesim':>10} {'polars':>10} {'duckdb':>10}")
    same = True
    for key, n in ours.items():
        p, d = peers["polars"].get(key), peers["duckdb"].get(key)
        flag = "" if n == p == d else "   <-- differs"
        same &= not flag
        print(f"  {key[0] + ' / ' + key[1]:36} {n:>10,} {p if p is None else format(p, ','):>10} "
              f"{d if d is None else format(d, ','):>10}{flag}")
    if not same:
        print("\nthe tools disagree: no timing is meaningful until they agree")
        return 1
    print("  all three agree\n")

    # 2. Side by side. The report goes to memory-backed storage when there is some, so that
    # the comparison measures scopesim rather than the disk.
    shm = Path("/dev/shm")
    report = (shm if shm.is_dir() and os.access(shm, os.W_OK) else data) / "scopesim-report.csv"
    commands = {
        "cat file > /dev/null": ["cat", str(csv)],
        "scopesim plan --format json": [scopesim, "plan", str(RULES), "-d", str(csv), "--format", "json"],
        "scopesim plan --report": [scopesim, "plan", str(RULES), "-d", str(csv), "--format", "json",
                                   "--report", str(report)],
        "python + polars script": [args.python, str(PEERS / "polars_count.py"), str(csv)],
        "python + duckdb script": [args.python, str(PEERS / "duckdb_count.py"), str(csv)],
    }
    for cmd in commands.values():  # warm the page cache and the interpreters
        run(cmd)
    times = timed_rounds(commands, args.rounds)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"median of {args.rounds} interleaved rounds:")
    for k, v in med.items():
        print(f"  {k:30} {v:7.3f} s   (min {min(times[k]):.3f}, max {max(times[k]):.3f})")
    plan = med["scopesim plan --format json"]
    ratios = [
        ("scopesim plan / polars script", plan / med["python + polars script"], "<= 0.5"),
        ("scopesim plan / duckdb script", plan / med["python + duckdb script"], ""),
        ("scopesim plan / cat", plan / med["cat file > /dev/null"], "<= 5"),
        ("plan with --report / plan", med["scopesim plan --report"] / plan, "<= 1.5"),
    ]
    print("\nratios (same run):")
    for name, r, target in ratios:
        print(f"  {name:34} {r:6.2f}   {('target ' + target) if target else ''}")

    rows = sum(1 for _ in open(report, "rb")) - 1
    mb = report.stat().st_size / 1e6
    print(f"  (the report has {rows:,} rows, {mb:,.0f} MB, in {report.parent})")
    report.unlink()

    # 3. Memory.
    rss = max_rss_kb([scopesim, "plan", str(RULES), "-d", str(csv), "--format", "json"])
    if rss is not None:
        print(f"\npeak memory of scopesim plan: {rss / 1024:.0f} MiB = {rss * 1024 / csv.stat().st_size:.2f} x the "
              f"input file ({size_mb:.0f} MB); target < 1")

    # 4. Growth in users.
    sizes = [int(s) for s in args.scaling.split(",") if s]
    if sizes:
        print("\ngrowth in users (scopesim plan, median of 3):")
        base = None
        for n in sizes:
            f = generate(scopesim, data, n)
            t = statistics.median(run([scopesim, "plan", str(RULES), "-d", str(f), "--format", "json"])
                                  for _ in range(3))
            per = t / n * 1e9
            base = base or per
            print(f"  {n:>10,} users  {t:7.3f} s  {per:6.0f} ns/user  ({per / base:.2f} x the first row per user)")

    # 5. Growth in clauses: reading costs the same whatever the rules, so the cost of the
    # clauses is the time above the first row.
    print(f"\ngrowth in distinct clauses (scopesim plan, {args.users:,} users, median of 3):")
    first = None
    for k in (4, 8, 16, 32):
        rules = clause_rules(k, data / f"clauses-{k}.scope")
        t = statistics.median(run([scopesim, "plan", str(rules), "-d", str(csv), "--format", "json"]) for _ in range(3))
        if first is None:
            first = (2 * k, t)
            print(f"  {2 * k:>3} clauses  {t:7.3f} s")
        else:
            per = (t - first[1]) / (2 * k - first[0]) * 1000
            print(f"  {2 * k:>3} clauses  {t:7.3f} s  (+{per:.1f} ms per clause added)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
