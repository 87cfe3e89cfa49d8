#!/usr/bin/env python3
"""Grouping accuracy and speed of hwlog's template miner, compared with Drain3.

Every data set is a directory holding a ``*_structured*.csv`` (LogHub-2k layout) with at least
the columns ``Content`` (the message) and ``EventId`` (the true group). Drain3 runs in its
default configuration (no masking, no tuning), single process. With ``--hwlog`` the same
messages go through ``hwlog analyze patterns --input IN --output OUT``, whose OUT is a CSV
``line,template_id,template`` with one row per input line, in order.

Grouping accuracy (GA): a message is correct when the set of messages in its predicted group
equals the set of messages in its true group; GA = correct / total.

Python 3.11, standard library + drain3 (``pip install drain3==0.9.11``).

    python3 scripts/eval_templates.py --hwlog target/release/hwlog --json
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

csv.field_size_limit(sys.maxsize)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIRS = [
    Path("/work/shared/data/loghub-2k"),
    REPO_ROOT.parent / "shared" / "data" / "loghub-2k",
]


# --------------------------------------------------------------------------------------------
# data


class DataSet:
    def __init__(self, name: str, path: Path, contents: list[str], event_ids: list[str]):
        self.name = name
        self.path = path
        self.contents = contents
        self.event_ids = event_ids


def one_line(text: str) -> str:
    """The message as one line: embedded line breaks become spaces."""
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def find_structured_csv(directory: Path) -> Path | None:
    """The structured CSV of a data-set directory (corrected version preferred), or None."""
    candidates = sorted(directory.glob("*_structured*.csv"))
    candidates.sort(key=lambda p: (0 if "corrected" in p.name else 1, p.name))
    for path in candidates:
        with path.open(newline="", encoding="utf-8", errors="replace") as f:
            header = next(csv.reader(f), [])
        if "Content" in header and "EventId" in header:
            return path
    return None


def load_data_set(name: str, path: Path) -> DataSet:
    contents: list[str] = []
    event_ids: list[str] = []
    with path.open(newline="", encoding="utf-8", errors="replace") as f:
        for row in csv.DictReader(f):
            contents.append(one_line(row["Content"] or ""))
            event_ids.append(row["EventId"])
    return DataSet(name, path, contents, event_ids)


def discover(data_dirs: list[Path]) -> list[DataSet]:
    found: list[tuple[str, Path, Path]] = []  # (name, root, csv)
    for root in data_dirs:
        if not root.is_dir():
            sys.exit(f"error: --data {root}: not a directory")
        dirs = [root] + sorted(p for p in root.iterdir() if p.is_dir())
        for d in dirs:
            structured = find_structured_csv(d)
            if structured is not None:
                found.append((d.name, root, structured))
    names = [n for n, _, _ in found]
    sets = []
    for name, root, structured in found:
        if names.count(name) > 1:  # same name under two --data dirs
            name = f"{root.name}/{name}"
        sets.append(load_data_set(name, structured))
    return sets


# --------------------------------------------------------------------------------------------
# metric


def grouping_accuracy(predicted: list, truth: list) -> float:
    """Share of messages whose predicted group has exactly the members of their true group."""
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predictions for {len(truth)} messages")
    if not truth:
        return 0.0
    pred_groups: dict = {}
    true_groups: dict = {}
    for i, (p, t) in enumerate(zip(predicted, truth)):
        pred_groups.setdefault(p, []).append(i)
        true_groups.setdefault(t, []).append(i)
    correct = 0
    for members in pred_groups.values():
        # Every member of this predicted group has the same predicted group, so they are all
        # correct or all wrong: compare it with the true group of its first member.
        if members == true_groups[truth[members[0]]]:
            correct += len(members)
    return correct / len(truth)


# --------------------------------------------------------------------------------------------
# Drain3


def new_drain3():
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    # Default configuration: TemplateMinerConfig() is exactly what TemplateMiner() uses when no
    # drain3.ini exists; passing it keeps a stray drain3.ini in the working directory out.
    return TemplateMiner(config=TemplateMinerConfig())


def drain3_groups(lines: list[str]) -> list[int]:
    miner = new_drain3()
    # Cluster ids are stable while templates change, so the id returned for each line is its
    # group after all lines have been added.
    return [miner.add_log_message(line)["cluster_id"] for line in lines]


def drain3_speed(lines: list[str]) -> float:
    miner = new_drain3()
    add = miner.add_log_message
    start = time.perf_counter()
    for line in lines:
        add(line)
    elapsed = time.perf_counter() - start
    return len(lines) / elapsed if elapsed > 0 else float("inf")


def drain3_version() -> str:
    try:
        from importlib.metadata import version

        return version("drain3")
    except Exception:  # noqa: BLE001
        return "unknown"


# --------------------------------------------------------------------------------------------
# hwlog


def write_lines(lines: list[str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        for line in lines:
            f.write(line)
            f.write("\n")


def run_hwlog(hwlog: str, input_path: Path, output_path: Path) -> float:
    """Runs the analyzer; returns the wall time of the whole command in seconds."""
    cmd = [hwlog, "analyze", "patterns", "--input", str(input_path), "--output", str(output_path)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        sys.exit(f"error: {' '.join(cmd)} exited with {proc.returncode}")
    return elapsed


def read_hwlog_output(path: Path, expected: int, what: str) -> list[str]:
    if not path.exists():
        sys.exit(f"error: hwlog wrote no output file for {what} ({path})")
    with path.open(newline="", encoding="utf-8", errors="replace") as f:
        reader = csv.DictReader(f)
        missing = {"line", "template_id"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"error: hwlog output for {what} lacks columns {sorted(missing)}: "
                     f"header {reader.fieldnames}")
        ids: list[str] = []
        for n, row in enumerate(reader, start=1):
            if row["line"] is None or row["line"].strip() != str(n):
                sys.exit(f"error: hwlog output for {what}: row {n} has line={row['line']!r}, "
                         f"expected {n} (rows must follow the input, 1-based)")
            ids.append(row["template_id"])
    if len(ids) != expected:
        sys.exit(f"error: hwlog output for {what} has {len(ids)} rows, the input has "
                 f"{expected} lines")
    return ids


def hwlog_groups(hwlog: str, lines: list[str], tmp: Path, tag: str) -> list[str]:
    inp = tmp / f"{tag}.log"
    out = tmp / f"{tag}.patterns.csv"
    write_lines(lines, inp)
    run_hwlog(hwlog, inp, out)
    return read_hwlog_output(out, len(lines), tag)


def hwlog_speed(hwlog: str, lines: list[str], tmp: Path) -> float:
    inp = tmp / "speed.log"
    out = tmp / "speed.patterns.csv"
    write_lines(lines, inp)
    elapsed = run_hwlog(hwlog, inp, out)
    read_hwlog_output(out, len(lines), "speed input")
    return len(lines) / elapsed if elapsed > 0 else float("inf")


# --------------------------------------------------------------------------------------------


def fmt(x: float | None, digits: int = 4) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hwlog", help="path to the hwlog binary (omit to run Drain3 only)")
    ap.add_argument("--data", action="append", type=Path,
                    help="directory of data-set directories (repeatable; default: "
                         "/work/shared/data/loghub-2k or ../shared/data/loghub-2k)")
    ap.add_argument("--speed-repeat", type=int, default=20,
                    help="times all messages are repeated for the speed run (0: no speed run)")
    ap.add_argument("--json", action="store_true", help="also print one JSON object, last line")
    args = ap.parse_args(argv)

    if args.data:
        data_dirs = args.data
    else:
        data_dirs = [d for d in DEFAULT_DATA_DIRS if d.is_dir()][:1]
        if not data_dirs:
            sys.exit("error: no --data given and no default data directory found")
    if args.hwlog:
        hw = Path(args.hwlog)
        if not (hw.is_file() and os.access(hw, os.X_OK)):
            sys.exit(f"error: --hwlog {args.hwlog}: not an executable file")
        args.hwlog = str(hw.resolve())

    sets = discover(data_dirs)
    if not sets:
        sys.exit(f"error: no data sets (subdirectories with a *_structured*.csv holding Content "
                 f"and EventId) under {', '.join(map(str, data_dirs))}")

    results: dict[str, dict[str, float | None]] = {}
    with tempfile.TemporaryDirectory(prefix="hwlog-eval-") as tmpdir:
        tmp = Path(tmpdir)
        for i, ds in enumerate(sets):
            d3 = grouping_accuracy(drain3_groups(ds.contents), ds.event_ids)
            hw_ga = None
            if args.hwlog:
                groups = hwlog_groups(args.hwlog, ds.contents, tmp, f"set{i}")
                hw_ga = grouping_accuracy(groups, ds.event_ids)
            results[ds.name] = {"drain3": d3, "hwlog": hw_ga}

        speed = {"drain3": None, "hwlog": None}
        ratio = None
        n_speed = 0
        if args.speed_repeat > 0:
            all_lines = [line for ds in sets for line in ds.contents]
            speed_lines = all_lines * args.speed_repeat
            n_speed = len(speed_lines)
            speed["drain3"] = drain3_speed(speed_lines)
            if args.hwlog:
                speed["hwlog"] = hwlog_speed(args.hwlog, speed_lines, tmp)
                ratio = speed["hwlog"] / speed["drain3"]

    def mean(key: str) -> float | None:
        vals = [r[key] for r in results.values()]
        if any(v is None for v in vals):
            return None
        return sum(vals) / len(vals)

    average = {"drain3": mean("drain3"), "hwlog": mean("hwlog")}

    print(f"Drain3 {drain3_version()} (default configuration)"
          + (f" vs {args.hwlog}" if args.hwlog else ""))
    print()
    print("| data set | lines | Drain3 GA | hwlog GA |")
    print("|---|---:|---:|---:|")
    for ds in sets:
        r = results[ds.name]
        print(f"| {ds.name} | {len(ds.contents)} | {fmt(r['drain3'])} | {fmt(r['hwlog'])} |")
    total = sum(len(ds.contents) for ds in sets)
    print(f"| average | {total} | {fmt(average['drain3'])} | {fmt(average['hwlog'])} |")
    print()
    if args.speed_repeat > 0:
        print(f"speed over {n_speed} lines ({len(sets)} sets x {args.speed_repeat}):")
        print(f"  Drain3: {speed['drain3']:,.0f} lines/s")
        if args.hwlog:
            print(f"  hwlog:  {speed['hwlog']:,.0f} lines/s (whole command, wall time)")
            print(f"  ratio hwlog/Drain3: {ratio:.2f}")
    if args.json:
        print(json.dumps({
            "sets": results,
            "average": average,
            "speed_lines_per_s": speed,
            "ratio": ratio,
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
