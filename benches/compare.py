#!/usr/bin/env python3
"""Side-by-side performance comparison of scopesim with Python + Polars and Python + DuckDB.

Two jobs, each checked first (every tool must return the same in-scope counts, or nothing
is timed) and then timed in interleaved rounds (so machine noise hits all tools alike)
with two threads, printing ratios and peak memory measured in the same run:

- the easy job (issue 6): the six filter sets of benches/perf.scope under `scope all`, on
  users.csv alone;
- the real job (issue 13): benches/real.scope under `scope assigned`, with the
  assignments and group members `scopesim gen` writes (candidates are direct assignments
  and direct User members of assigned groups, S24), plus `plan --report`, `lint`, `diff`,
  `explain` of one user, `reconcile` of a provisioning log and `plan --payloads`, each as a
  ratio to the plan.

Absolute times on a shared 2-core machine are noisy; the ratios are what to quote.

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
REAL_RULES = ROOT / "benches" / "real.scope"
RECONCILE_RULES = ROOT / "fixtures" / "logs" / "generated.scope"
PAYLOAD_SCHEMA = "Salesforce=" + str(ROOT / "fixtures" / "payloads" / "salesforce-schema.json")
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


def measured(cmd, ok=(0,)):
    """(wall s, peak RSS KiB or None, CPU s / wall s or None) of one run, with GNU time
    when it is installed (`apt-get install time`). Exit codes outside `ok` fail loudly."""
    gnu_time = "/usr/bin/time"
    if not os.path.exists(gnu_time):
        t = time.perf_counter()
        r = subprocess.run(pin(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env2())
        if r.returncode not in ok:
            raise SystemExit(f"`{' '.join(cmd)}` exited with {r.returncode}")
        return time.perf_counter() - t, None, None
    out = Path("/dev/shm" if os.access("/dev/shm", os.W_OK) else "/tmp") / f"scopesim-time-{os.getpid()}.txt"
    t = time.perf_counter()
    r = subprocess.run([gnu_time, "-f", "%M %U %S", "-o", str(out)] + pin(cmd), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=env2())
    wall = time.perf_counter() - t
    if r.returncode not in ok:
        raise SystemExit(f"`{' '.join(cmd)}` exited with {r.returncode}:\n{r.stderr[-2000:]}")
    rss, user, sys_ = out.read_text().strip().splitlines()[-1].split()
    out.unlink()
    return wall, int(rss), (float(user) + float(sys_)) / wall if wall > 0 else None


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


def generate_real(scopesim, data, users, seed=1):
    """users.csv, assignments.csv and group-members.csv of `scopesim gen --seed 1`."""
    d = data / f"real-{users}"
    if not (d / "group-members.csv").exists():
        subprocess.run([scopesim, "gen", "--users", str(users), "--seed", str(seed), "--out", str(d),
                        "--formats", "csv"], check=True, stdout=subprocess.DEVNULL)
    return d / "users.csv", d / "assignments.csv", d / "group-members.csv"


def real_inputs(files):
    users, assignments, members = files
    return ["-d", str(users), "--assignments", str(assignments), "--group-members", str(members)]


def real_counts(scopesim, files):
    out = json.loads(capture([scopesim, "plan", str(REAL_RULES)] + real_inputs(files) + ["--format", "json"]))
    return {(s["app"], s["stage"]): s["in_scope"] for s in out["stages"]}


def real_peer_counts(python, script, files):
    out = capture([python, str(PEERS / script)] + [str(f) for f in files])
    counts = {}
    for line in out.strip().splitlines():
        app, stage, n = line.split("\t")
        counts[(app, stage)] = int(n)
    return counts


def timed_with_peak(cmds, rounds):
    """Each of `cmds` (name: (command, exit codes taken as success)) run once to warm up,
    then `rounds` times: (median wall s, largest peak RSS KiB or None) by name."""
    for cmd, ok in cmds.values():
        measured(cmd, ok)
    runs = {k: [measured(c, ok) for _ in range(max(1, rounds))] for k, (c, ok) in cmds.items()}
    return ({k: statistics.median(r[0] for r in v) for k, v in runs.items()},
            {k: max((r[1] for r in v if r[1] is not None), default=None) for k, v in runs.items()})


def mib(kb):
    return "       -" if kb is None else f"{kb / 1024:5.0f} MiB"


def real_job(args, scopesim, data):
    """The real job of issue 13: `scope assigned` with assignments and group members."""
    files = generate_real(scopesim, data, args.users)
    users, assignments, members = files
    mb = sum(f.stat().st_size for f in files) / 1e6
    member_rows = sum(1 for _ in open(members, "rb")) - 1
    print(f"\n== the real job (issue 13): {REAL_RULES.name} under `scope assigned` ==")
    print(f"data: {args.users:,} users, {sum(1 for _ in open(assignments, 'rb')) - 1:,} assignments, "
          f"{member_rows:,} group-member rows, {mb:.0f} MB of CSV ({users.parent}, scopesim gen --seed 1)\n")

    # 1. Same answers first.
    ours = real_counts(scopesim, files)
    peers = {"polars": real_peer_counts(args.python, "polars_real.py", files),
             "duckdb": real_peer_counts(args.python, "duckdb_real.py", files)}
    print("in-scope counts:")
    print(f"  {'app / stage':36} {'scopesim':>10} {'polars':>10} {'duckdb':>10}")
    same = set(ours) == set(peers["polars"]) == set(peers["duckdb"])
    for key, n in ours.items():
        p, d = peers["polars"].get(key), peers["duckdb"].get(key)
        flag = "" if n == p == d else "   <-- differs"
        same &= not flag
        print(f"  {key[0] + ' / ' + key[1]:36} {n:>10,} {p if p is None else format(p, ','):>10} "
              f"{d if d is None else format(d, ','):>10}{flag}")
    if not same:
        print("\nthe tools disagree on the real job: no timing is meaningful until they agree")
        return 1
    print("  all three agree\n")

    # 2. Side by side, every command of the job's day.
    shm = Path("/dev/shm")
    out_dir = shm if shm.is_dir() and os.access(shm, os.W_OK) else data
    report = out_dir / "scopesim-real-report.csv"
    user = next(csv_first_value(users, "objectId"), None)
    inputs = real_inputs(files)
    commands = {
        "cat files > /dev/null": (["cat"] + [str(f) for f in files], (0,)),
        "scopesim plan": ([scopesim, "plan", str(REAL_RULES)] + inputs + ["--format", "json"], (0,)),
        # The table shows no evidence, so the export is not hashed for it.
        "scopesim plan (table)": ([scopesim, "plan", str(REAL_RULES)] + inputs, (0,)),
        "scopesim plan --report": ([scopesim, "plan", str(REAL_RULES)] + inputs + ["--format", "json",
                                   "--report", str(report)], (0,)),
        # lint exits 1 when it finds something, which is its purpose.
        "scopesim lint": ([scopesim, "lint", str(REAL_RULES)] + inputs, (0, 1)),
        "scopesim diff (one app, two stages)": ([scopesim, "diff", str(REAL_RULES), "--app", "Salesforce",
                                                 "--from", "pilot", "--to", "wave-1"] + inputs, (0, 1)),
        "scopesim explain (one user)": ([scopesim, "explain", str(REAL_RULES)] + inputs + ["--user", user],
                                        (0,)),
        "python + polars script": ([args.python, str(PEERS / "polars_real.py")] + [str(f) for f in files], (0,)),
        "python + duckdb script": ([args.python, str(PEERS / "duckdb_real.py")] + [str(f) for f in files], (0,)),
    }
    for cmd, ok in commands.values():  # warm the page cache and the interpreters
        measured(cmd, ok)
    runs = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, (cmd, ok) in commands.items():
            runs[name].append(measured(cmd, ok))
    med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    rss = {k: max((r[1] for r in v if r[1] is not None), default=None) for k, v in runs.items()}
    cpu = {k: statistics.median(r[2] for r in v) if v[0][2] is not None else None for k, v in runs.items()}
    print(f"median of {args.rounds} interleaved rounds (peak memory: the largest of the rounds):")
    print(f"  {'':38} {'wall':>8} {'peak memory':>12} {'CPU/wall':>9}")
    for k, v in med.items():
        c = "" if cpu[k] is None else f"{cpu[k]:9.1f}"
        print(f"  {k:38} {v:6.3f} s {mib(rss[k]):>12} {c}")
    rows = sum(1 for _ in open(report, "rb")) - 1
    report_mb = report.stat().st_size / 1e6
    report.unlink()

    plan = med["scopesim plan"]
    polars = med["python + polars script"]
    ratios = [
        ("scopesim plan / polars script", plan / polars, "<= 0.3"),
        ("plan (table) / polars script", med["scopesim plan (table)"] / polars, ""),
        ("scopesim plan / duckdb script", plan / med["python + duckdb script"], ""),
        ("plan --report / plan", med["scopesim plan --report"] / plan, "<= 2"),
        ("lint / plan", med["scopesim lint"] / plan, "<= 2"),
        ("diff / plan", med["scopesim diff (one app, two stages)"] / plan, "<= 2"),
        ("explain of one user / plan", med["scopesim explain (one user)"] / plan, "<= 1"),
    ]
    if rss["scopesim plan"] is not None and rss["python + polars script"] is not None:
        ratios.append(("plan peak memory / polars peak memory",
                       rss["scopesim plan"] / rss["python + polars script"], ""))
    print("\nratios (same run):")
    for name, r, target in ratios:
        print(f"  {name:38} {r:6.2f}   {('target ' + target) if target else ''}")
    if rss["scopesim plan"] is not None:
        print(f"  {'plan peak memory':38} {rss['scopesim plan'] / 1024:6.0f} MiB   target <= 128 MiB")
    print(f"  (the report has {rows:,} rows, {report_mb:,.0f} MB, in {report.parent})")

    # 3. Reconcile: a provisioning log consistent with the plan (scopesim gen --logs).
    if args.reconcile_users:
        n = args.reconcile_users
        d = data / f"reconcile-{n}"
        if not (d / "provisioning-logs.ndjson").exists():
            subprocess.run([scopesim, "gen", "--users", str(n), "--seed", "5", "--formats", "csv", "--out", str(d),
                            "--logs", str(RECONCILE_RULES), "--inject", "25"], check=True,
                           stdout=subprocess.DEVNULL)
        rec_inputs = [str(RECONCILE_RULES), "-d", str(d / "users.csv"), "--assignments",
                      str(d / "assignments.csv"), "--group-members", str(d / "group-members.csv")]
        log = d / "provisioning-logs.ndjson"
        cmds = {
            "scopesim plan": ([scopesim, "plan"] + rec_inputs + ["--format", "json"], (0,)),
            # reconcile exits 1 when it finds discrepancies: the injected ones.
            "scopesim reconcile": ([scopesim, "reconcile"] + rec_inputs + ["--logs", str(log), "--format", "json"],
                                   (0, 1)),
        }
        rm, rp = timed_with_peak(cmds, args.rounds)
        events = sum(1 for _ in open(log, "rb"))
        print(f"\nreconcile ({n:,} users, {events:,} events, {log.stat().st_size / 1e6:,.0f} MB of NDJSON, "
              f"{RECONCILE_RULES.name}):")
        for k in cmds:
            print(f"  {k:38} {rm[k]:6.3f} s {mib(rp[k]):>12}")
        print(f"  {'reconcile / plan':38} {rm['scopesim reconcile'] / rm['scopesim plan']:6.2f}")

    # 4. Payloads: what Entra would write (S40), from the Salesforce schema of
    # fixtures/payloads (its attribute mappings; the generated assignments name the app
    # `Salesforce`), on the real job's data.
    pay_inputs = [str(PAYLOAD_SCHEMA)] + real_inputs(files) + ["--now", "2026-11-02T08:00:00Z"]
    ndjson = out_dir / "scopesim-payloads.ndjson"
    cmds = {
        "scopesim plan": ([scopesim, "plan"] + pay_inputs + ["--format", "json"], (0,)),
        "scopesim plan --payloads": ([scopesim, "plan"] + pay_inputs + ["--format", "json", "--payloads", str(ndjson)],
                                     (0,)),
    }
    pm, pp = timed_with_peak(cmds, args.rounds)
    records = sum(1 for _ in open(ndjson, "rb"))
    print(f"\nplan --payloads ({args.users:,} users, the Salesforce schema of fixtures/payloads; "
          f"{records:,} records, {ndjson.stat().st_size / 1e6:,.0f} MB of NDJSON in {ndjson.parent}):")
    for k in cmds:
        print(f"  {k:38} {pm[k]:6.3f} s {mib(pp[k]):>12}")
    print(f"  {'plan --payloads / plan':38} {pm['scopesim plan --payloads'] / pm['scopesim plan']:6.2f}")
    ndjson.unlink()

    # 5. Growth in users.
    sizes = [int(s) for s in args.scaling.split(",") if s]
    if sizes:
        print("\ngrowth in users (real job, scopesim plan, median of 3 interleaved rounds, peak memory the largest):")
        files = {n: generate_real(scopesim, data, n) for n in sizes}
        # Rounds go through every size in turn, as the other comparisons interleave their
        # commands, so that a burst of load on a shared machine does not land on one size.
        rs = {n: [] for n in sizes}
        for _ in range(3):
            for n in sizes:
                rs[n].append(measured([scopesim, "plan", str(REAL_RULES)] + real_inputs(files[n])
                                      + ["--format", "json"]))
        base = None
        medians = {}
        for n in sizes:
            t = statistics.median(r[0] for r in rs[n])
            medians[n] = t
            peak = max((r[1] for r in rs[n] if r[1] is not None), default=None)
            per = t / n * 1e9
            base = base or per
            print(f"  {n:>10,} users  {t:7.3f} s  {per:6.0f} ns/user  ({per / base:.2f} x the first row per user)"
                  f"  {mib(peak)}")
        largest = max(sizes)
        if largest > 1_000_000 and 1_000_000 in medians:
            print(f"  {largest:,} / 1,000,000 users: {medians[largest] / medians[1_000_000]:.2f} x the time"
                  f" (target <= {largest / 1_000_000:.0f})")
        largest_commands(scopesim, data, max(sizes))
    return 0


def largest_commands(scopesim, data, n):
    """Issue 13's targets at the largest size: lint and diff <= 2 x the plan, explain of one
    user <= the plan, each in <= 256 MiB plus the member data's own size; interleaved,
    median of 3, peak memory the largest."""
    f = generate_real(scopesim, data, n)
    inputs = real_inputs(f)
    user = next(csv_first_value(f[0], "objectId"), None)
    commands = {
        "scopesim plan": ([scopesim, "plan", str(REAL_RULES)] + inputs + ["--format", "json"], (0,)),
        "scopesim lint": ([scopesim, "lint", str(REAL_RULES)] + inputs, (0, 1)),
        "scopesim diff (one app, two stages)": ([scopesim, "diff", str(REAL_RULES), "--app", "Salesforce",
                                                 "--from", "pilot", "--to", "wave-1"] + inputs, (0, 1)),
        "scopesim explain (one user)": ([scopesim, "explain", str(REAL_RULES)] + inputs + ["--user", user], (0,)),
    }
    runs = {k: [] for k in commands}
    for _ in range(3):
        for k, (cmd, ok) in commands.items():
            runs[k].append(measured(cmd, ok))
    med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    rss = {k: max((r[1] for r in v if r[1] is not None), default=None) for k, v in runs.items()}
    members_mib = f[2].stat().st_size / 2**20
    print(f"\nat {n:,} users (real job, median of 3 interleaved; budget 256 MiB + the member file's "
          f"{members_mib:,.0f} MiB = {256 + members_mib:,.0f} MiB):")
    plan = med["scopesim plan"]
    for k, target in [("scopesim plan", ""), ("scopesim lint", "<= 2"),
                      ("scopesim diff (one app, two stages)", "<= 2"), ("scopesim explain (one user)", "<= 1")]:
        ratio = "" if not target else f"{med[k] / plan:5.2f} x plan (target {target})"
        print(f"  {k:38} {med[k]:7.3f} s {mib(rss[k]):>12}   {ratio}")


def csv_first_value(path, column):
    """The first data row's value of a column of a CSV (the generated files are unquoted)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\r\n").split(",")
        row = f.readline().rstrip("\r\n").split(",")
    i = header.index(column)
    yield row[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scopesim", default=str(ROOT / "target" / "release" / "scopesim"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--data", default=str(ROOT / "bench-data"))
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scaling", default="100000,1000000,4000000")
    ap.add_argument("--jobs", default="easy,real", help="easy, real or both (comma-separated)")
    ap.add_argument("--reconcile-users", type=int, default=200_000,
                    help="users of the reconcile row (0: no reconcile row)")
    args = ap.parse_args()
    jobs = {j.strip() for j in args.jobs.split(",") if j.strip()}
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    scopesim = args.scopesim

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(f"machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; "
          f"every tool limited to {THREADS} threads, warm page cache")
    if "easy" in jobs:
        status = easy_job(args, scopesim, data)
        if status:
            return status
    if "real" in jobs:
        return real_job(args, scopesim, data)
    return 0


def easy_job(args, scopesim, data):
    """The easy job of issue 6: `scope all`, users.csv alone."""
    csv = generate(scopesim, data, args.users)
    size_mb = csv.stat().st_size / 1e6
    print(f"\n== the easy job (issue 6): {RULES.name} under `scope all`, no assignments ==")
    print(f"data: {args.users:,} users, {size_mb:.0f} MB CSV ({csv})")
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
        "scopesim plan (table)": [scopesim, "plan", str(RULES), "-d", str(csv)],
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
        ("scopesim plan / polars script", plan / med["python + polars script"], "<= 0.35"),
        ("plan (table) / polars script", med["scopesim plan (table)"] / med["python + polars script"], ""),
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
