#!/usr/bin/env python3
"""Bulk and single-lookup benchmark of nr-resolve against NSD on loopback.

Bulk: N names of a generated zone, from a file, resolved (type A) by
  - nr-resolve -f FILE -t A                (the tool)
  - ares-bulk-reference                    (a minimal C loop on c-ares: the ceiling)
  - dig -f FILE                            (BIND's dig, one query after another)
in the same run, turn by turn. Every answer is checked against the zone
(lost or wrong answers are counted and must be zero). Peak RSS of nr-resolve
is measured for inputs of several sizes (names repeated past the zone size).

Single lookup: `nr-resolve -s SERVER NAME`, process start to exit, median of
R runs (posix_spawn + waitpid), next to `dig @SERVER NAME` for scale.

Needs: nsd, dnsperf (bench only: not in scripts/deps.sh), dnsutils (dig); a build configured with -Dbench=true for the C
reference. Run:
    meson setup build-dns -Dbench=true && ninja -C build-dns apps/nr-resolve/nr-resolve bench/dns/ares-bulk-reference
    python3 bench/dns/run_bench.py --build build-dns [--names 100000] [--runs 3] [--json]
    python3 bench/dns/run_bench.py --build build-dns --bulk-only --baseline-tool /tmp/nr-resolve-before
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "apps", "nr-resolve"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from nsd_server import Nsd  # noqa: E402
import nrtest  # noqa: E402


def address(i):
    return f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"


def zone_text(n):
    head = "$ORIGIN bench.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 7200 900 1209600 60\n@ IN NS ns\nns IN A 127.0.0.1\n"
    return head + "".join(f"h{i} IN A {address(i)}\n" for i in range(n))


def names_text(n, zone_size=None):
    """The benchmark's input: n names of the zone, one per line (repeating past zone_size)."""
    zone_size = zone_size or n
    return "".join(f"h{i % zone_size}.bench.test\n" for i in range(n))


def expected_text(n):
    """What the c-ares loop checks: each name with the address the zone gives it."""
    return "".join(f"h{i}.bench.test {address(i)}\n" for i in range(n))


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def spawn_wait(argv, stdout_path=None, sample_rss=False, with_cpu=False):
    """Runs argv to completion; returns (status, seconds, peak RSS KiB or 0),
    and the child's CPU seconds (user + system) as a fourth item with_cpu.

    stdout goes to a file or /dev/null. The peak RSS is the process's own
    VmHWM, sampled every 5 ms while it runs (wait4's ru_maxrss would count
    the Python parent's memory inherited through posix_spawn's vfork)."""
    fd_out = os.open(stdout_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    fd_null = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, fd_null, 0), (os.POSIX_SPAWN_DUP2, fd_out, 1), (os.POSIX_SPAWN_DUP2, fd_null, 2)]
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    peak = 0
    if sample_rss:
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            peak = max(peak, vm_hwm_kib(pid))
            time.sleep(0.005)
    else:
        _, status, usage = os.wait4(pid, 0)
    elapsed = (time.perf_counter_ns() - start) / 1e9
    os.close(fd_out)
    os.close(fd_null)
    if with_cpu:
        return os.waitstatus_to_exitcode(status), elapsed, peak, (usage.ru_utime, usage.ru_stime)
    return os.waitstatus_to_exitcode(status), elapsed, peak


def check_nr_resolve(path, n_names, zone_size):
    """Every name answered once, NOERROR, with its zone address. Returns (lost, wrong, summary)."""
    seen = set()
    wrong = 0
    summary = None
    with open(path) as f:
        for line in f:
            value = json.loads(line)
            if value.get("event") == "summary":
                summary = value
                continue
            i = value["id"] - 1
            seen.add(i)
            want = address(i % zone_size)
            if value["status"] != "NOERROR" or [a["address"] for a in value["answers"]] != [want]:
                wrong += 1
    return n_names - len(seen), wrong, summary


def check_dig(path, n_names, zone_size):
    got = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 5 and parts[3] == "A" and parts[0].startswith("h"):
                got[parts[0]] = parts[4]
    wrong = sum(1 for name, a in got.items() if address(int(name[1:].split(".")[0])) != a)
    return n_names - len(got), wrong


def check_dnsperf(path, n_names):
    """dnsperf's own report: (lost, wrong, its own queries/s). dnsperf checks no
    data: `wrong` counts answers with an rcode other than NOERROR."""
    completed, lost, qps, noerror = 0, n_names, 0.0, 0
    with open(path) as f:
        for line in f:
            parts = line.split()
            if line.strip().startswith("Queries completed:"):
                completed = int(parts[2])
            elif line.strip().startswith("Queries lost:"):
                lost = int(parts[2])
            elif line.strip().startswith("Queries per second:"):
                qps = float(parts[3])
            elif line.strip().startswith("Response codes:"):
                for item in line.split(":", 1)[1].split(","):
                    code, _, count = item.strip().partition(" ")
                    if code == "NOERROR":
                        noerror = int(count.split()[0])
    return lost, completed - noerror, qps


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build-dns")
    p.add_argument("--names", type=int, default=100000)
    p.add_argument("--runs", type=int, default=3, help="bulk runs per client")
    p.add_argument("--concurrency", type=int, default=300)
    p.add_argument("--rss-sizes", default="10000,100000,400000", help="input sizes for the RSS check")
    p.add_argument("--single-runs", type=int, default=100)
    p.add_argument("--bulk-only", action="store_true", help="skip the RSS and single-lookup parts")
    p.add_argument("--dig", action="store_true", help="also time dig -f (slow: one query after another)")
    p.add_argument("--baseline-tool", action="append", default=[],
                   help="another nr-resolve binary to run in the same rounds (before/after); may be given "
                   "twice (the second is reported as 'nr-resolve (baseline 2)')")
    p.add_argument("--tool", help="the nr-resolve binary (default: BUILD/apps/nr-resolve/nr-resolve)")
    p.add_argument("--max-seconds", type=float, default=300, help="stop starting rounds after this long")
    p.add_argument("--shards", default="", help="e.g. 1,2,4: also time the bulk run split into that many local "
                   "shards under GNU parallel (--pipe -k -N, --id-offset), rounds interleaved")
    p.add_argument("--no-pin", action="store_true",
                   help="let the scheduler place NSD and the clients (default: NSD on the last CPU, each client on "
                        "the first, as bench/echo pins server and client; the shards run on every CPU)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    tool = args.tool or os.path.join(args.build, "apps", "nr-resolve", "nr-resolve")
    reference = os.path.join(args.build, "bench", "dns", "ares-bulk-reference")
    dig = shutil.which("dig") if args.dig else None
    dnsperf = shutil.which("dnsperf")
    for path in (tool, reference):
        if not os.access(path, os.X_OK):
            sys.exit(f"missing {path}: build with -Dbench=true (see --help)")

    work = tempfile.mkdtemp(prefix="nr-dns-bench-")
    names_path = os.path.join(work, "names.txt")
    expected_path = os.path.join(work, "names-expected.txt")
    dnsperf_path = os.path.join(work, "names-dnsperf.txt")
    with open(names_path, "w") as f:
        f.write(names_text(args.names))
    with open(expected_path, "w") as f:
        f.write(expected_text(args.names))
    with open(dnsperf_path, "w") as f:
        f.write("".join(f"h{i}.bench.test A\n" for i in range(args.names)))
    out_path = os.path.join(work, "out.txt")

    port = nrtest.free_port("both")
    c = str(args.concurrency)
    results = {"names": args.names, "concurrency": args.concurrency, "bulk": {}, "rss_kib": {}, "single_ms": {},
               "load_average_start": os.getloadavg()[0], "ncpu": os.cpu_count()}
    # Unpinned, the scheduler now and then runs NSD on the client's CPU, where each burst of answers
    # preempts the client: the same binary then costs 0.5-1 us more per answer (thousands of
    # involuntary context switches instead of tens), for whichever client's turn it is. Pinned, NSD
    # and the measured client each have a CPU: children inherit this process's affinity.
    every_cpu = os.sched_getaffinity(0)
    pin = not args.no_pin and len(every_cpu) >= 2
    results["pinned"] = pin
    if pin:
        os.sched_setaffinity(0, {max(every_cpu)})  # NSD's, inherited when it starts
    with Nsd({"bench.test": zone_text(args.names)}, port, timeout=60) as nsd:
        server = nsd.server
        if pin:
            os.sched_setaffinity(0, {min(every_cpu)})  # the clients'

        def run_nr(binary):
            status, secs, _, cpu = spawn_wait([binary, "-s", server, "-f", names_path, "-t", "A", "-c", c], out_path,
                                              with_cpu=True)
            lost, wrong, _ = check_nr_resolve(out_path, args.names, args.names)
            return secs, cpu, lost, wrong + (status != 0)

        def run_reference():
            status, secs, _, cpu = spawn_wait([reference, "127.0.0.1", str(port), expected_path, c], out_path, with_cpu=True)
            with open(out_path) as f:
                ref = json.loads(f.read())
            return secs, cpu, args.names - ref["answered"] + ref["failed"], ref["mismatched"]

        def run_dnsperf():
            # -b: a 4 MiB socket buffer like the two others (the default loses answers in bursts).
            status, secs, _, cpu = spawn_wait([dnsperf, "-s", "127.0.0.1", "-p", str(port), "-d", dnsperf_path, "-n", "1",
                                               "-q", c, "-c", "1", "-T", "1", "-b", "4096", "-t", "2"], out_path,
                                              with_cpu=True)
            lost, wrong, _ = check_dnsperf(out_path, args.names)
            return secs, cpu, lost, wrong

        def run_dig():
            status, secs, _, cpu = spawn_wait([dig, "-p", str(port), "@127.0.0.1", "-f", names_path, "+noall", "+answer",
                                               "+tries=1", "+time=2"], out_path, with_cpu=True)
            lost, wrong = check_dig(out_path, args.names, args.names)
            return secs, cpu, lost, wrong

        clients = {"c-ares loop": run_reference, "nr-resolve": lambda: run_nr(tool)}
        if dnsperf:
            clients["dnsperf"] = run_dnsperf
        for i, baseline in enumerate(args.baseline_tool):
            label = "nr-resolve (baseline)" if i == 0 else f"nr-resolve (baseline {i + 1})"
            clients[label] = lambda baseline=baseline: run_nr(baseline)
        if dig:
            clients["dig -f"] = run_dig
        runs = {k: {"rate": [], "cpu_us": [], "user_us": [], "lost": 0, "wrong": 0} for k in clients}
        started = time.monotonic()
        order = list(clients)
        for round_no in range(args.runs):
            if time.monotonic() - started > args.max_seconds:
                break
            # The first client rotates, so no one always runs on a warm (or cold) server.
            for name in order[round_no % len(order):] + order[:round_no % len(order)]:
                secs, cpu, lost, wrong = clients[name]()
                r = runs[name]
                r["rate"].append(args.names / secs)
                r["cpu_us"].append(sum(cpu) / args.names * 1e6)
                r["user_us"].append(cpu[0] / args.names * 1e6)
                r["lost"] += lost
                r["wrong"] += wrong
        results["rounds"] = len(runs["nr-resolve"]["rate"])
        ref_rate = median(runs["c-ares loop"]["rate"])
        ref_cpu = median(runs["c-ares loop"]["cpu_us"])
        dp_rate = median(runs["dnsperf"]["rate"]) if dnsperf else float("nan")
        for name, r in runs.items():
            if not r["rate"]:
                continue
            # Ratios per round (same moment of the machine), then their median.
            n = len(r["rate"])
            rate_ratios = [r["rate"][i] / runs["c-ares loop"]["rate"][i] for i in range(n)]
            cpu_ratios = [r["cpu_us"][i] / runs["c-ares loop"]["cpu_us"][i] for i in range(n)]
            entry = {"names_per_s_median": round(median(r["rate"])), "names_per_s_runs": [round(x) for x in r["rate"]],
                     "cpu_us_per_answer_median": round(median(r["cpu_us"]), 2),
                     "cpu_us_per_answer_runs": [round(x, 2) for x in r["cpu_us"]],
                     "user_us_per_answer_median": round(median(r["user_us"]), 2),
                     "rate_vs_loop": round(median(rate_ratios), 2), "cpu_vs_loop": round(median(cpu_ratios), 2),
                     "lost": r["lost"], "wrong": r["wrong"]}
            if dnsperf:
                entry["rate_vs_dnsperf"] = round(median([r["rate"][i] / runs["dnsperf"]["rate"][i] for i in range(n)]), 2)
                entry["cpu_vs_dnsperf"] = round(median([r["cpu_us"][i] / runs["dnsperf"]["cpu_us"][i] for i in range(n)]), 2)
            results["bulk"][name] = entry
        del ref_rate, ref_cpu, dp_rate

        shard_counts = [int(x) for x in args.shards.split(",") if x]
        parallel = shutil.which("parallel")
        if shard_counts and parallel:
            os.sched_setaffinity(0, every_cpu)  # shards spread over the CPUs, as a user's would
            shard_rates = {k: [] for k in shard_counts}
            for round_no in range(args.runs):
                for k in shard_counts:
                    per = -(-args.names // k)
                    command = (f"{tool} -s {server} -f - -t A -c {c} --ordered --id-offset $(( ({{#}} - 1) * {per} ))")
                    fd_in = os.open(names_path, os.O_RDONLY)
                    start = time.perf_counter_ns()
                    with open(out_path, "wb") as out:
                        subprocess.run([parallel, "--will-cite", "--pipe", "-k", "-N", str(per), "-j", str(k), command],
                                       stdin=fd_in, stdout=out, stderr=subprocess.DEVNULL, check=False)
                    secs = (time.perf_counter_ns() - start) / 1e9
                    os.close(fd_in)
                    lost, wrong, _ = check_nr_resolve(out_path, args.names, args.names)
                    if lost or wrong:
                        print(f"shards {k}: lost {lost} wrong {wrong}", file=sys.stderr)
                    shard_rates[k].append(args.names / secs)
            results["shards"] = {str(k): {"names_per_s_median": round(median(v)), "names_per_s_runs": [round(x) for x in v]}
                                 for k, v in shard_rates.items()}
            if pin:
                os.sched_setaffinity(0, {min(every_cpu)})

        if not args.bulk_only:
            for size in [int(s) for s in args.rss_sizes.split(",") if s]:
                path = os.path.join(work, f"names-{size}.txt")
                with open(path, "w") as f:
                    f.write(names_text(size, args.names))
                status, secs, rss = spawn_wait([tool, "-s", server, "-f", path, "-t", "A", "-c", c], out_path,
                                               sample_rss=True)
                lost, wrong, _ = check_nr_resolve(out_path, size, args.names)
                results["rss_kib"][str(size)] = {"peak_rss_kib": rss, "names_per_s": round(size / secs), "lost": lost,
                                                 "wrong": wrong}
                os.unlink(path)

            single = {"nr-resolve": [], "dig": []}
            argv_tool = [tool, "-s", server, "h1.bench.test"]
            dig_path = shutil.which("dig")
            argv_dig = [dig_path, "-p", str(port), "@127.0.0.1", "h1.bench.test", "+tries=1", "+time=2"] if dig_path else None
            spawn_wait(argv_tool)
            for _ in range(args.single_runs):
                status, secs, _ = spawn_wait(argv_tool, out_path)
                with open(out_path) as f:
                    assert json.loads(f.read())["addresses"] == [address(1)], "single lookup gave a wrong answer"
                single["nr-resolve"].append(secs * 1000)
                if argv_dig:
                    status, secs, _ = spawn_wait(argv_dig)
                    single["dig"].append(secs * 1000)
            for name, ms in single.items():
                if ms:
                    ms.sort()
                    results["single_ms"][name] = {"median": round(median(ms), 2), "p10": round(ms[len(ms) // 10], 2),
                                                  "p90": round(ms[len(ms) * 9 // 10], 2), "min": round(ms[0], 2)}
    shutil.rmtree(work, ignore_errors=True)
    results["load_average"] = os.getloadavg()[0]

    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"Bulk: {args.names} names, type A, NSD on loopback, concurrency {args.concurrency}, "
          f"{results['rounds']} interleaved rounds; ratios: median over rounds of (client / c-ares loop of the same round)")
    print(f"  {'client':22} {'names/s':>9} {'CPU us/ans':>10} {'rate/loop':>9} {'CPU/loop':>8} {'rate/dnsperf':>12}  lost wrong  runs")
    for name, r in results["bulk"].items():
        print(f"  {name:22} {r['names_per_s_median']:>9} {r['cpu_us_per_answer_median']:>10} {r['rate_vs_loop']:>9} "
              f"{r['cpu_vs_loop']:>8} {r.get('rate_vs_dnsperf', float('nan')):>12}  {r['lost']:>4} {r['wrong']:>5}  "
              f"{r['names_per_s_runs']} / {r['cpu_us_per_answer_runs']}")
    for k, r in results.get("shards", {}).items():
        print(f"  {k} local shard(s) under GNU parallel: {r['names_per_s_median']} names/s (runs {r['names_per_s_runs']})")
    if results["rss_kib"]:
        print("Peak RSS of nr-resolve by input size:")
    for size, r in results["rss_kib"].items():
        print(f"  {size:>8} names  {r['peak_rss_kib']:>7} KiB  {r['names_per_s']:>9} names/s  lost {r['lost']}  wrong {r['wrong']}")
    if results["single_ms"]:
        print(f"Single lookup, start to exit ({args.single_runs} runs):")
    for name, r in results["single_ms"].items():
        print(f"  {name:12} median {r['median']} ms  p10 {r['p10']}  p90 {r['p90']}  min {r['min']}")
    print(f"load average {results['load_average_start']:.1f} at the start, {results['load_average']:.1f} at the end "
          f"({results['ncpu']} CPUs)")


if __name__ == "__main__":
    main()
