"""``make bench``: the production topology under load, each page measured against the floor.

1. Seeds a fresh database (``nmp_bench``) at national size (``--quick``: quick size)
   and runs ``VACUUM ANALYZE`` (autovacuum may be off; the planner needs statistics).
2. Starts the production topology (``benchmarks.prod_local``: PgBouncer, gunicorn,
   Celery worker and beat, SMTP sink) on its own ports, database and Redis DB.
3. Prepares the scenarios (``benchmarks.scenarios``): sessions, request lists,
   and the number of queries each request costs.
4. Drives every scenario with wrk (one thread, 20 connections, Lua script
   ``benchmarks/wrk.lua``) after a short warm-up, the floor first.
5. The mail benchmark (``benchmarks.mailbench``): 5,000 invitations (quick: 200)
   through the send service, the Celery worker and SMTP to the topology's
   aiosmtpd sink, against a plain ``smtplib`` loop sending the same messages.
6. Prints a table per scenario (requests/s, p50, p95, p99, errors, queries per
   request, throughput as a share of the floor's in the same run) and the mail
   rates with their ratio, and writes ``var/bench/latest.json``.

The figures are reported, not judged: the exit code is non-zero only when
the harness itself fails (a scenario check, no requests, HTTP errors).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import prod_local
from .prod_local import ROOT, Topology, log

OUT = ROOT / "var" / "bench"
LUA = Path(__file__).resolve().parent / "wrk.lua"
CONNECTIONS = 20  # concurrent users of the national run
# The quick smoke run keeps one connection per gunicorn worker, so even a slow
# page on a busy CI machine completes requests within its two seconds.
QUICK_CONNECTIONS = 4
# Invitations in the mail benchmark (the 5,000; the quick run a smoke test of the path).
MAIL_COUNT = 5000
MAIL_COUNT_QUICK = 200


def bench_topology():
    return Topology(
        database=os.environ.get("BENCH_DB", "nmp_bench"),
        redis=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        web_port=int(os.environ.get("BENCH_PORT", "8014")),
        pgbouncer_port=int(os.environ.get("BENCH_PGBOUNCER_PORT", "6414")),
        smtp_port=int(os.environ.get("BENCH_SMTP_PORT", "2514")),
        workdir=OUT / "topology",
    )


def machine():
    meminfo = Path("/proc/meminfo").read_text().split()
    return {
        "cpus": os.cpu_count(),
        "ram_mb": int(meminfo[meminfo.index("MemTotal:") + 1]) // 1024,
        "load_average_before": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def git_commit():
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip()


def seed(topology, size):
    if os.environ.get("BENCH_REUSE"):
        # A developer's rerun against the data set of an earlier run (migrated, not seeded again).
        prod_local.prepare(topology, recreate=False)
        return 0.0
    prod_local.prepare(topology, recreate=True)
    log(f"Seeding the {size} data set")
    started = time.monotonic()
    prod_local.manage(topology, "seed_demo", "--size", size, "--seed", "1", quiet=False)
    seconds = time.monotonic() - started
    log("VACUUM ANALYZE")
    prod_local.psql(topology, "VACUUM ANALYZE", database=topology.database)
    return seconds


def prepare_scenarios(topology, rundir, *, sessions):
    env = {**topology.environment(pooled=False), "BENCH_SESSIONS": str(sessions)}
    result = subprocess.run([sys.executable, "-m", "benchmarks.scenarios", str(rundir)], cwd=ROOT, env=env)
    scenarios = json.loads((rundir / "scenarios.json").read_text())
    return scenarios, result.returncode == 0


def wrk(topology, rundir, scenario, seconds, connections):
    result_file = rundir / f"{scenario['name']}.json"
    result_file.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(rundir / f"{scenario['name']}.requests"),
        "BENCH_RESULT": str(result_file),
    }
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), topology.url]
    started = os.times()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    finished = os.times()
    figures = json.loads(result_file.read_text())
    # CPU the load generator itself used, as a share of one core: it competes with the server.
    wall = figures["duration_us"] / 1e6
    figures["generator_cpu"] = round(
        (finished.children_user + finished.children_system - started.children_user - started.children_system) / wall,
        2,
    )
    return figures


def mail_benchmark(topology, rundir, count, *, warmup):
    """``benchmarks.mailbench`` against the running topology: our send path and a plain smtplib loop."""
    out = rundir / "mail.json"
    out.unlink(missing_ok=True)
    env = {**topology.environment(pooled=False), "MAILBENCH_WARMUP": str(warmup)}
    subprocess.run([sys.executable, "-m", "benchmarks.mailbench", str(out), str(count)], cwd=ROOT, env=env)
    if not out.exists():
        return {"count": count, "problems": ["the mail benchmark did not finish (see above)"]}
    return json.loads(out.read_text())


def mail_table(result):
    if "service" not in result:
        return "mail: not measured"
    service, plain = result["service"], result["smtplib"]
    return "\n".join(
        [
            f"{'mail (' + str(result['count']) + ' invitations)':44} {'mails/s':>8} {'seconds':>8} {'× smtplib':>9}",
            f"{'  send service → Celery → SMTP':44} {service['rate']:8.1f} {service['seconds']:8.1f} "
            f"{result['ratio']:9.3f}",
            f"{'  plain smtplib loop, one connection':44} {plain['rate']:8.1f} {plain['seconds']:8.1f} {1:9.3f}",
        ]
    )


def drain(topology):
    """Wait until the server has worked through what the last run left queued.

    When wrk stops, its open requests stay in gunicorn's accept queue and the
    workers still serve them; the next run would pay for them. A request to
    the floor joins the end of that queue, so its answer means the queue is empty.
    """
    prod_local.wait_for(f"{topology.url}/robots.txt", timeout=120)


def descendants(pid):
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for child in children.get(current, []):
            found.append(child)
            todo.append(child)
    return found


def gunicorn_worker_peak_mb(honcho_pid):
    """Peak resident memory (VmHWM) of each gunicorn worker, in MB."""
    peaks = []
    for pid in descendants(honcho_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        is_gunicorn = any(b"gunicorn" in part for part in cmdline[:2])
        parent = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
        parent_is_gunicorn = b"gunicorn" in Path(f"/proc/{parent}/cmdline").read_bytes()
        if is_gunicorn and parent_is_gunicorn:
            hwm = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
            peaks.append(round(int(hwm) / 1024, 1))
    return peaks


def fmt_ms(us):
    return f"{us / 1000:.1f}"


def table(results, floor):
    columns = ["req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "queries", "× floor", "× li floor"]
    header = f"{'scenario':44} " + " ".join(f"{c:>8}" for c in columns)
    lines = [header, "-" * len(header)]
    for r in results:
        if r.get("skipped"):
            lines.append(f"{r['label'][:44]:44} skipped: {r['skipped']}")
            continue
        ratio = r["rps"] / floor["rps"] if floor["rps"] else 0
        lines.append(
            f"{r['label'][:44]:44} {r['rps']:8.1f} {fmt_ms(r['latency_us']['p50']):>8} "
            f"{fmt_ms(r['latency_us']['p95']):>8} {fmt_ms(r['latency_us']['p99']):>8} {r['error_count']:8d} "
            f"{r['queries']:8d} {ratio:8.3f} "
            + (f"{r['ratio_to_logged_in_floor']:8.3f}" if r.get("ratio_to_logged_in_floor") else f"{'':>8}")
        )
    return "\n".join(lines)


def run(*, quick):
    size = "quick" if quick else "national"
    # The quick run is a smoke test of the harness (CI, under two minutes): no warm-up.
    seconds, warmup = (2, 0) if quick else (10, 2)
    topology = bench_topology()
    prod_local.ensure_system_packages("pgbouncer", "wrk")
    rundir = OUT / "run"
    rundir.mkdir(parents=True, exist_ok=True)
    connections = QUICK_CONNECTIONS if quick else CONNECTIONS
    info = {"machine": machine(), "commit": git_commit(), "size": size, "connections": connections}
    info["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    info["seed_seconds"] = round(seed(topology, size), 1)

    log("Starting the production topology")
    with open(OUT / "topology.log", "w") as output:
        process = prod_local.start(topology, output=output)
    broken = []
    try:
        log("Preparing the scenarios (sessions, request lists, queries per request)")
        scenarios, checks_passed = prepare_scenarios(topology, rundir, sessions=20 if quick else 200)
        if not checks_passed:
            broken.append("a scenario check failed (see above)")
        only = [n for n in os.environ.get("BENCH_SCENARIOS", "").split(",") if n]
        if only:  # a developer's partial run: these scenarios (and the floors, for the ratios) only
            scenarios = [s for s in scenarios if s["name"] in {"floor", "floor_logged_in", *only}]
        log("Running the scenarios")
        results = []
        for scenario in scenarios:
            if scenario["skipped"]:
                print(f"    {scenario['label']}: skipped ({scenario['skipped']})", flush=True)
                results.append(scenario)
                continue
            if scenario["kind"] != "post" and warmup:
                wrk(topology, rundir, scenario, warmup, connections)
                drain(topology)
            figures = wrk(topology, rundir, scenario, seconds, connections)
            drain(topology)
            if figures["requests"] == 0:
                # A page's first request in each worker (templates, imports) can take longer than the
                # quick run's window on a busy machine; a broken harness fails the longer run too.
                figures = wrk(topology, rundir, scenario, seconds * 3, connections)
                drain(topology)
            errors = figures["errors"]
            error_count = errors["connect"] + errors["read"] + errors["write"] + errors["status"] + errors["timeout"]
            rps = figures["requests"] / (figures["duration_us"] / 1e6)
            results.append({**scenario, **figures, "rps": round(rps, 1), "error_count": error_count})
            print(
                f"    {scenario['label']}: {rps:.0f} req/s, p95 {fmt_ms(figures['latency_us']['p95'])} ms, "
                f"{error_count} errors, {scenario['queries']} queries",
                flush=True,
            )
            if figures["requests"] == 0:
                broken.append(f"{scenario['name']}: no request completed")
            if errors["status"] or errors["connect"]:
                broken.append(f"{scenario['name']}: {errors['status']} HTTP errors, {errors['connect']} refused")
        info["gunicorn_worker_peak_mb"] = gunicorn_worker_peak_mb(process.pid)
        if not only or "mail" in only:
            log(f"Mail: {MAIL_COUNT_QUICK if quick else MAIL_COUNT} invitations, send service vs plain smtplib")
            # The quick run has no warm-up for the mail either (as for the pages): a smoke test.
            info["mail"] = mail_benchmark(
                topology, rundir, MAIL_COUNT_QUICK if quick else MAIL_COUNT, warmup=0 if quick else 20
            )
            broken += [f"mail: {problem}" for problem in info["mail"].get("problems", [])]
    finally:
        log("Stopping the topology")
        prod_local.stop(process)
    floor = next(r for r in results if r["name"] == "floor")
    logged_in_floor = next((r for r in results if r["name"] == "floor_logged_in" and not r.get("skipped")), None)
    for r in results:
        if not r.get("skipped"):
            r["ratio_to_floor"] = round(r["rps"] / floor["rps"], 4) if floor["rps"] else None
            r["p95_to_floor_p95"] = round(r["latency_us"]["p95"] / max(1, floor["latency_us"]["p95"]), 2)
            if r.get("logged_in") and logged_in_floor and logged_in_floor["rps"]:
                r["ratio_to_logged_in_floor"] = round(r["rps"] / logged_in_floor["rps"], 4)
    info["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    info["machine"]["load_average_after"] = list(os.getloadavg())
    info["seconds_per_scenario"] = seconds
    report = {**info, "scenarios": results, "broken": broken}
    (OUT / "latest.json").write_text(json.dumps(report, indent=2))
    print()
    print(f"{size} size, {info['machine']['cpus']} CPUs, {info['machine']['ram_mb']} MB RAM, commit {info['commit']}, ")
    print(f"wrk 1 thread {connections} connections, {seconds} s per scenario; seeding took {info['seed_seconds']} s")
    print(table(results, floor))
    print(mail_table(info.get("mail", {})))
    print(f"gunicorn worker peak memory (MB): {info['gunicorn_worker_peak_mb']}")
    print(f"Written to {OUT / 'latest.json'}")
    for problem in broken:
        print(f"HARNESS PROBLEM: {problem}", file=sys.stderr)
    return 1 if broken else 0


def run_mail_only(*, quick, runs):
    """Only the mail benchmark (``--mail-only``): on the database as it is when it exists, seeded only when not.

    For work on the mail path: the pages are not driven and ``var/bench/latest.json`` is not
    written; each run's figures are printed and kept in ``var/bench/run/mail-N.json``.
    """
    size = "quick" if quick else "national"
    topology = bench_topology()
    rundir = OUT / "run"
    rundir.mkdir(parents=True, exist_ok=True)
    exists = prod_local.psql(topology, f"SELECT 1 FROM pg_database WHERE datname = '{topology.database}'")
    if exists:
        prod_local.prepare(topology)
    else:
        seed(topology, size)
    log("Starting the production topology")
    with open(OUT / "topology.log", "w") as output:
        process = prod_local.start(topology, output=output)
    results = []
    try:
        for n in range(runs):
            count = MAIL_COUNT_QUICK if quick else MAIL_COUNT
            log(f"Mail run {n + 1} of {runs}: {count} invitations, send service vs plain smtplib")
            result = mail_benchmark(topology, rundir, count, warmup=0 if quick else 20)
            (rundir / f"mail-{n + 1}.json").write_text(json.dumps(result, indent=2))
            print(mail_table(result), flush=True)
            results.append(result)
    finally:
        log("Stopping the topology")
        prod_local.stop(process)
    problems = [f"mail: {problem}" for result in results for problem in result.get("problems", [])]
    for problem in problems:
        print(f"HARNESS PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


def markdown(report):
    """The figures of a run as the Markdown tables of docs/performance.md ("Figures")."""
    machine = report["machine"]
    load = ", ".join(f"{x:.1f}" for x in machine["load_average_before"])
    if machine.get("load_average_after"):
        load += " (after: " + ", ".join(f"{x:.1f}" for x in machine["load_average_after"]) + ")"
    lines = [
        f"Run of {report['started_at'][:16].replace('T', ' ')} UTC, commit {report['commit']}, {report['size']} size, "
        f"{machine['cpus']} CPUs, {machine['ram_mb'] // 1024} GB RAM, load average before the run {load}; "
        f"wrk 1 thread, {report['connections']} connections, {report['seconds_per_scenario']} s per scenario; "
        f"seeding {report['seed_seconds']} s; gunicorn worker peak memory "
        f"{max(report.get('gunicorn_worker_peak_mb') or [0])} MB.",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | queries | × floor | p95 × floor's "
        "| × logged-in floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["scenarios"]:
        if r.get("skipped"):
            lines.append(f"| {r['label']} | skipped: {r['skipped']} | | | | | | | | |")
            continue
        latency = r["latency_us"]
        lines.append(
            f"| {r['label']} | {r['rps']:.1f} | {fmt_ms(latency['p50'])} | {fmt_ms(latency['p95'])} | "
            f"{fmt_ms(latency['p99'])} | {r['error_count']} | {r['queries']} | {r['ratio_to_floor']:.3f} | "
            f"{r['p95_to_floor_p95']} | "
            + (f"{r['ratio_to_logged_in_floor']:.3f} |" if r.get("ratio_to_logged_in_floor") else " |")
        )
    mail = report.get("mail") or {}
    if "service" in mail:
        lines += [
            "",
            f"| mail, {mail['count']} invitations | mails/s | seconds | × smtplib |",
            "|---|---:|---:|---:|",
            f"| send service → Celery worker → SMTP | {mail['service']['rate']:.1f} | {mail['service']['seconds']} | "
            f"{mail['ratio']:.3f} |",
            f"| plain smtplib loop, one connection | {mail['smtplib']['rate']:.1f} | {mail['smtplib']['seconds']} | "
            "1.000 |",
        ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark the production topology (see docs/performance.md).")
    parser.add_argument("--quick", action="store_true", help="quick data set and short runs: a smoke test")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the last run (var/bench/latest.json) as the tables of docs/performance.md, and stop",
    )
    parser.add_argument(
        "--mail-only",
        action="store_true",
        help="run only the mail benchmark, on the existing database (seeded only when missing)",
    )
    parser.add_argument("--runs", type=int, default=1, help="with --mail-only: how many mail runs in a row")
    args = parser.parse_args(argv)
    if args.mail_only:
        sys.exit(run_mail_only(quick=args.quick, runs=args.runs))
    if args.markdown:
        print(markdown(json.loads((OUT / "latest.json").read_text())))
        return
    sys.exit(run(quick=args.quick))


if __name__ == "__main__":
    main()
