#!/usr/bin/python3
"""Renders the benchmark figures as SVG plots with gnuplot (Debian gnuplot-nox).

By default the figures are read from the result tables of docs/benchmarks.md,
so the plots always show the published numbers; a benchmark's own JSON can be
given instead (--sntp-json: the output of `bench/sntp/run_bench.py --json`;
--echo-json: the file written by `bench/echo/run_bench.py --json FILE`). One SVG
per comparison goes to bench/plots/; a section whose table is not there yet is
skipped (and said so on stderr).

    python3 bench/plot.py [--doc docs/benchmarks.md] [--out bench/plots]
                          [--sntp-json FILE] [--echo-json FILE]
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TERMINAL = ("set terminal svg size {w},{h} dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'\n"
            "set pointintervalbox 0")
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]


# ---------------------------------------------------------------- reading the tables

def tables(markdown):
    """Every Markdown table: (section title, header cells, rows of cells)."""
    out, section, lines = [], "", markdown.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-:| ]+\|$", lines[i + 1].strip()):
            header = cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(cells(lines[i]))
                i += 1
            out.append((section, header, rows))
            continue
        i += 1
    return out


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def number(text):
    """'4.46 ms' -> 4.46, '54,349' -> 54349.0, '**19.9**' -> 19.9, '6,540 KiB' -> 6540.0."""
    match = re.search(r"-?[0-9][0-9,]*(\.[0-9]+)?", text.replace("*", ""))
    if not match:
        raise ValueError(f"no number in {text!r}")
    return float(match.group(0).replace(",", ""))


def columns(header):
    """{first word of a header cell, lower case: its index}, the first cell of each name winning."""
    col = {}
    for i, h in enumerate(header):
        col.setdefault(h.split()[0].lower() if h else "", i)
    return col


def find(all_tables, section, first_header):
    for sec, header, rows in all_tables:
        if sec == section and header and header[0].lower().startswith(first_header):
            return header, rows
    return None


# ---------------------------------------------------------------- gnuplot

def gnuplot(script, data, path):
    """Runs gnuplot on `script`, with `data` ({name: text}) written to files it can read as $name."""
    with tempfile.TemporaryDirectory(prefix="nr-plot-") as tmp:
        for name, text in data.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        full = f"cd '{tmp}'\nset output '{os.path.abspath(path)}'\n{script}\n"
        subprocess.run(["gnuplot"], input=full.encode(), check=True)
    # gnuplot stamps nothing variable into SVG but its version; keep the file as written.
    print(f"wrote {os.path.relpath(path, ROOT)}", file=sys.stderr)


def quoted(label):
    return '"' + label.replace('"', "'") + '"'


def bars_with_range(rows, path, title, ylabel, logscale=False, note=""):
    """rows: (label, median, low, high): bars for the median, a p10-p90 whisker."""
    data = "".join(f"{i} {quoted(label)} {median} {low} {high}\n" for i, (label, median, low, high) in enumerate(rows))
    script = f"""{TERMINAL.format(w=760, h=380)}
set title {quoted(title)}
set ylabel {quoted(ylabel)}
set style fill solid 0.8 border rgb 'black'
set boxwidth 0.6
set grid ytics lc rgb '#dddddd'
set xtics nomirror
set ytics nomirror
set border 3
set key top left
{"set logscale y" if logscale else "set yrange [0:*]"}
set xrange [-0.6:{len(rows) - 0.4}]
{f"set label 1 {quoted(note)} at graph 0.02, graph -0.16 font ',10'" if note else ""}
set bmargin 5
plot 'data' using 1:3:xtic(2) with boxes lc rgb '{COLORS[0]}' title 'median', \\
     '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 7 ps 0.4 lw 1.5 title 'p10 - p90', \\
     '' using ($1 + 0.32):3:(sprintf('%.3g', $3)) with labels left nopoint font ',10' notitle
"""
    gnuplot(script, {"data": data}, path)


# ---------------------------------------------------------------- the comparisons

def sntp_rows_from_doc(all_tables):
    found = find(all_tables, "SNTP", "client")
    if not found:
        return None
    header, rows = found
    col = columns(header)
    return [(r[0], number(r[col["median"]]), number(r[col["p10"]]), number(r[col["p90"]])) for r in rows]


def sntp_rows_from_json(path):
    with open(path) as f:
        results = json.load(f)["results"]
    return [(name, r["median_ms"], r["p10_ms"], r["p90_ms"]) for name, r in results.items()]


def plot_sntp(rows, out):
    bars_with_range(rows, os.path.join(out, "sntp-start-to-exit.svg"),
                    "SNTP: one query, process start to exit (lower is better)", "milliseconds (log scale)",
                    logscale=True, note="bars: median of the runs; whiskers: p10 to p90")


def plot_dns(all_tables, out):
    done = False
    bulk = find(all_tables, "DNS", "bulk")
    if bulk:
        header, rows = bulk
        col = {h: k for k, h in enumerate(header)}

        def column(starts):
            return next(k for h, k in col.items() if h.lower().startswith(starts))

        rate, runs_col = column("names/s (median"), column("runs")
        # label, median, then the slowest and fastest run
        data = ""
        for i, r in enumerate(rows):
            runs = [number(x) for x in r[runs_col].split()]
            data += f"{i} {quoted(r[0])} {number(r[rate])} {min(runs)} {max(runs)}\n"
        script = f"""{TERMINAL.format(w=760, h=380)}
set title {quoted("DNS bulk: " + header[0].split(",", 1)[-1].strip() + " against NSD on loopback (higher is better)")}
set ylabel 'names per second'
set style fill solid 0.8 border rgb 'black'
set boxwidth 0.6
set grid ytics lc rgb '#dddddd'
set border 3
set xtics nomirror
set ytics nomirror
set format y '%.0s%c'
set yrange [0:*]
set xrange [-0.6:{len(rows) - 0.4}]
set key top right
plot 'data' using 1:3:xtic(2) with boxes lc rgb '{COLORS[0]}' title 'median of the runs', \\
     '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 7 ps 0.4 lw 1.5 title 'slowest - fastest run', \\
     '' using ($1 + 0.32):3:(sprintf('%.0f', $3)) with labels left nopoint font ',10' notitle
"""
        gnuplot(script, {"data": data}, os.path.join(out, "dns-bulk.svg"))
        plot_dns_ratios(rows, column("names/s ÷ c-ares"), column("cpu ÷ c-ares"), column("names/s ÷ dnsperf"), out)
        done = True
    rss = find(all_tables, "DNS", "input names")
    if rss:
        _, rows = rss
        data = "".join(f"{number(r[0])} {number(r[1]) / 1024}\n" for r in rows)
        script = f"""{TERMINAL.format(w=760, h=380)}
set title 'nr-resolve -f: peak memory by input size (flat: the input is read lazily)'
set xlabel 'names in the input file'
set ylabel 'peak RSS, MiB'
set grid lc rgb '#dddddd'
set border 3
set xtics nomirror
set ytics nomirror
set logscale x
set format x '%.0s%c'
set yrange [0:*]
set xrange [5000:2000000]
set key off
plot 'data' using 1:2 with linespoints lw 2 pt 7 ps 1.2 lc rgb '{COLORS[0]}', \\
     '' using 1:2:(sprintf('%.1f MiB', $2)) with labels nopoint offset 0,1.2 font ',10'
"""
        gnuplot(script, {"data": data}, os.path.join(out, "dns-rss.svg"))
        done = True
    single = find(all_tables, "DNS", "single lookup")
    if single:
        header, rows = single
        col = columns(header)
        bars_with_range([(r[0], number(r[col["median"]]), number(r[col["p10"]]), number(r[col["p90"]]))
                         for r in rows],
                        os.path.join(out, "dns-single-lookup.svg"),
                        "DNS: one lookup, process start to exit (lower is better)", "milliseconds (log scale)",
                        logscale=True, note="bars: median of the runs; whiskers: p10 to p90")
        done = True
    return done


def plot_dns_ratios(rows, rate_vs_loop, cpu_vs_loop, rate_vs_dnsperf, out):
    """Each client's names/s and CPU per answer as ratios to the bare c-ares loop
    of the same rounds, and its names/s to dnsperf's, beside the issue's goals."""
    rows = [r for r in rows if not r[0].lower().startswith("c-ares")]
    def two_lines(label):  # "nr-resolve, this change" -> two lines under its bars
        return label.replace(", ", "\\n", 1).replace(" (", "\\n(", 1)

    data = "".join(f"{quoted(two_lines(r[0]))} {number(r[rate_vs_loop])} {number(r[cpu_vs_loop])} {number(r[rate_vs_dnsperf])}\n"
                   for r in rows)
    script = f"""{TERMINAL.format(w=960, h=440)}
set title 'DNS bulk: ratios to the references measured in the same rounds (median over rounds)'
set ylabel 'ratio (1 = as the reference)'
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border rgb 'black'
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set border 3
set xtics nomirror font ',10'
set ytics nomirror
set yrange [0:2.4]
set key top left Left reverse font ',10'
set bmargin 4
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb 'black' dt 2 lw 1
set arrow 2 from graph 0, first 0.9 to graph 1, first 0.9 nohead lc rgb '{COLORS[0]}' dt 3 lw 1.5
set arrow 3 from graph 0, first 1.15 to graph 1, first 1.15 nohead lc rgb '{COLORS[3]}' dt 3 lw 1.5
set xrange [-1.5:{len(rows) - 0.5}]
set label 1 'goal: names/s >= 0.9x the loop' at first -1.45, first 0.84 font ',9' tc rgb '{COLORS[0]}'
set label 2 'goal: CPU <= 1.15x the loop' at first -1.45, first 1.20 font ',9' tc rgb '{COLORS[3]}'
plot 'data' using 2:xtic(1) title 'names/s / c-ares loop (higher is better)' lc rgb '{COLORS[0]}', \\
     '' using 3 title 'CPU per answer / c-ares loop (lower is better)' lc rgb '{COLORS[3]}', \\
     '' using 4 title 'names/s / dnsperf (higher is better)' lc rgb '{COLORS[2]}', \\
     '' using ($0 - 0.3):2:(sprintf('%.2f', $2)) with labels font ',9' offset 0,0.6 notitle, \\
     '' using ($0):3:(sprintf('%.2f', $3)) with labels font ',9' offset 0,0.6 notitle, \\
     '' using ($0 + 0.3):4:(sprintf('%.2f', $4)) with labels font ',9' offset 0,0.6 notitle
"""
    gnuplot(script, {"data": data}, os.path.join(out, "dns-ratios.svg"))


def echo_rows_from_doc(all_tables):
    """[(proto, conns, size, in flight, epoll msg/s, libuv msg/s, nr msg/s, epoll us/msg, nr us/msg)]"""
    found = find(all_tables, "Echo server", "proto") or next(
        ((h, r) for s, h, r in all_tables if s.lower().startswith("echo") and h and h[0] == "proto"), None)
    if not found:
        return None
    header, rows = found
    index = {h: i for i, h in enumerate(header)}
    return [(r[index["proto"]], int(number(r[index["conns"]])), int(number(r[index["size"]])),
             int(number(r[index["in flight"]])), number(r[index["epoll msg/s"]]), number(r[index["libuv msg/s"]]),
             number(r[index["nr msg/s"]]), number(r[index["epoll us/msg"]]), number(r[index["nr us/msg"]]))
            for r in rows]


def echo_rows_from_json(path):
    with open(path) as f:
        rows = json.load(f)["rows"]
    out = []
    for row in rows:
        proto, conns, size, pipeline = row["cell"]
        uv = row["uv"]["messages_per_s"] if "uv" in row else float("nan")  # --servers without uv
        out.append((proto, conns, size, pipeline, row["epoll"]["messages_per_s"], uv,
                    row["nr"]["messages_per_s"], row["epoll"]["cpu_us_per_msg"] or 0, row["nr"]["cpu_us_per_msg"] or 0))
    return out


def echo_pairs_from_json(path):
    """{(proto, conns, size, in flight): row} of a run that had co and nr2 (the A/A control) beside nr."""
    with open(path) as f:
        rows = json.load(f)["rows"]
    if not rows or not {"nr", "co", "nr2"} <= set(rows[0]):
        return None
    return {tuple(row["cell"]): row for row in rows}


def size_label(size):
    return f"{size // 1024} KiB" if size >= 1024 else f"{size} B"


def plot_echo(rows, out):
    # Throughput by workload: one panel per protocol, clustered bars per cell.
    panels = ""
    protos = sorted({r[0] for r in rows})
    for k, proto in enumerate(protos):
        mine = [r for r in rows if r[0] == proto]
        data = "".join(f'"{r[1]}x{size_label(r[2])} p{r[3]}" {r[4]} {r[5]} {r[6]}\n' for r in mine)
        libuv = "" if all(math.isnan(r[5]) for r in rows) else f"'' using 3 title 'libuv (C)' lc rgb '{COLORS[2]}', "
        panels += f"""$d{k} << EOD
{data}EOD
set title '{proto.upper()}' font ',13'
plot $d{k} using 2:xtic(1) title 'raw epoll (C)' lc rgb '{COLORS[1]}', {libuv}\\
     '' using 4 title 'nr-echo-server' lc rgb '{COLORS[0]}'
"""
    script = f"""{TERMINAL.format(w=1300, h=420 * len(protos))}
set multiplot layout {len(protos)},1 title 'Echo server throughput by workload: connections x message size, p = messages in flight (higher is better)' font ',14'
set ylabel 'messages per second'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb 'black'
set boxwidth 0.9
set grid ytics lc rgb '#dddddd'
set border 3
set xtics nomirror rotate by 35 right font ',10'
set ytics nomirror
set logscale y
set format y '%.0s%c'
set key outside right top vertical
{panels}unset multiplot
"""
    gnuplot(script, {}, os.path.join(out, "echo-throughput.svg"))

    # Ratios to raw epoll as two heatmaps (see ratio_heatmaps).
    by_cell = {(r[0], r[1], r[2], r[3]): r for r in rows}
    ratio_heatmaps(by_cell, "nr-echo-server relative to raw epoll, each cell of bench/echo (same run; white = equal)",
                   [("messages/s, nr / epoll (blue: faster)", True, lambda r: r[6] / r[4] if r[4] else float("nan")),
                    ("server CPU per message, nr / epoll (red: more CPU)", False,
                     lambda r: r[8] / r[7] if r[7] else float("nan"))],
                   os.path.join(out, "echo-ratio.svg"))


def ratio_heatmaps(by_cell, title, panels, path):
    """Heatmaps of ratios over the echo grid, one panel per (title, higher_is_better, value(row)):
    rows protocol x connections, columns message size x messages in flight; each cell labelled,
    white at 1.0, the issues' bars (0.95, 1.05) where the colour turns."""
    # UDP's largest message is 65,507 bytes (the largest IPv4 datagram): the column of TCP's 64 KiB.
    def size_key(size):
        return 65536 if size == 65507 else size

    row_keys = sorted({(k[0], k[1]) for k in by_cell}, key=lambda k: (k[0] != "tcp", k[0], k[1]))
    col_keys = sorted({(size_key(k[2]), k[3]) for k in by_cell})
    cell = {(k[0], k[1], size_key(k[2]), k[3]): r for k, r in by_cell.items()}

    def matrix(value):
        lines = ""
        for y, (proto, conns) in enumerate(row_keys):
            for x, (size, flight) in enumerate(col_keys):
                r = cell.get((proto, conns, size, flight))
                v = value(r) if r else float("nan")
                lines += f"{x} {y} {v:.3f}\n"
            lines += "\n"
        return lines

    xtics = ", ".join(f'"{size_label(size)}\\np={flight}" {x}' for x, (size, flight) in enumerate(col_keys))
    ytics = ", ".join(f'"{proto.upper()} {conns}" {y}' for y, (proto, conns) in enumerate(row_keys))
    common = f"""set view map
set xtics ({xtics}) nomirror font ',10' scale 0
set ytics ({ytics}) nomirror font ',10' scale 0
set xrange [-0.5:{len(col_keys) - 0.5}]
set yrange [{len(row_keys) - 0.5}:-0.5]
set cbrange [0.75:1.25]
set border 0
set ylabel 'protocol, connections'
set xlabel 'message size (UDP: 65,507 B for 64 KiB), p = messages in flight' font ',10' offset 0,-1
set bmargin 5
"""
    good_high = "(0.75 '#b2182b', 0.95 '#f4a582', 1.0 '#f7f7f7', 1.05 '#92c5de', 1.25 '#2166ac')"
    good_low = "(0.75 '#2166ac', 0.95 '#92c5de', 1.0 '#f7f7f7', 1.05 '#f4a582', 1.25 '#b2182b')"
    columns = 2 if len(panels) > 1 else 1
    rows_of_panels = (len(panels) + columns - 1) // columns
    plots, data = "", {}
    for i, (panel_title, higher_is_better, value) in enumerate(panels):
        name = f"panel{i}"
        data[name] = matrix(value)
        plots += f"""set palette defined {good_high if higher_is_better else good_low}
set title '{panel_title}'
plot '{name}' using 1:2:3 with image notitle, '' using 1:2:(sprintf('%.2f', $3)) with labels font ',10' notitle
"""
    script = f"""{TERMINAL.format(w=1300, h=560 * rows_of_panels)}
set multiplot layout {rows_of_panels},{columns} title '{title}' font ',14'
{common}
{plots}unset multiplot
"""
    gnuplot(script, data, path)


def plot_echo_pairs(by_cell, out):
    """co-echo-server against nr-echo-server, beside the A/A control (a second nr-echo-server against
    the first): the control shows what noise alone paints in the same run."""
    def paired(a, b):
        def value(row):
            pairs = sorted(x["messages_per_s"] / y["messages_per_s"]
                           for x, y in zip(row[a]["runs"], row[b]["runs"]) if y["messages_per_s"])
            return pairs[len(pairs) // 2] if pairs else float("nan")
        return value

    def cpu(a, b):
        return lambda row: row[a]["cpu_us_per_msg"] / row[b]["cpu_us_per_msg"] if row[b]["cpu_us_per_msg"] else float("nan")

    ratio_heatmaps(by_cell, "co-echo-server / nr-echo-server, and the A/A control nr-echo-server / nr-echo-server "
                            "(same run; white = equal)",
                   [("messages/s paired by round, co / nr (blue: faster)", True, paired("co", "nr")),
                    ("server CPU per message, co / nr (red: more CPU)", False, cpu("co", "nr")),
                    ("A/A control: messages/s paired, nr2 / nr", True, paired("nr2", "nr")),
                    ("A/A control: server CPU per message, nr2 / nr", False, cpu("nr2", "nr"))],
                   os.path.join(out, "echo-co-ratio.svg"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "plots"))
    parser.add_argument("--sntp-json", help="output of bench/sntp/run_bench.py --json")
    parser.add_argument("--echo-json", help="file written by bench/echo/run_bench.py --json FILE")
    args = parser.parse_args()
    if shutil.which("gnuplot") is None:
        raise SystemExit("plot.py: needs gnuplot (Debian package gnuplot-nox)")
    os.makedirs(args.out, exist_ok=True)
    with open(args.doc) as f:
        all_tables = tables(f.read())

    sntp = sntp_rows_from_json(args.sntp_json) if args.sntp_json else sntp_rows_from_doc(all_tables)
    if sntp:
        plot_sntp(sntp, args.out)
    else:
        print("SNTP: no results table, skipped", file=sys.stderr)
    if not plot_dns(all_tables, args.out):
        print("DNS: no results table, skipped", file=sys.stderr)
    echo = echo_rows_from_json(args.echo_json) if args.echo_json else echo_rows_from_doc(all_tables)
    if echo:
        plot_echo(echo, args.out)
    else:
        print("Echo: no results table, skipped", file=sys.stderr)
    pairs = echo_pairs_from_json(args.echo_json) if args.echo_json else None
    if pairs:
        plot_echo_pairs(pairs, args.out)


if __name__ == "__main__":
    main()
