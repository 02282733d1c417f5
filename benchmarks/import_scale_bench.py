"""`reader import` of a large JSONL dump read in one process and by worker processes, side by side
with what sqlite-utils alone needs for the same rows (issue 16, speed at scale).

It writes only databases in a scratch folder of its own and prints numbers and ratios; nothing passes or fails.
"""

#     python benchmarks/generate_corpus.py 100000 /tmp/scale/gen --jsonl && cat /tmp/scale/gen/*.jsonl > /tmp/scale/100k.jsonl
#     python benchmarks/import_scale_bench.py /tmp/scale/100k.jsonl
#     python benchmarks/import_scale_bench.py /tmp/scale/100k.jsonl --crossover 250,1000,4000,16000
#
# Each run is a fresh process into an empty database: wall time, the CPU time of the process and
# its workers, and the peak resident memory of the largest of them (ru_maxrss of os.wait4).
# --crossover imports the first N records of the dump for each N, read here and by the workers,
# to find the size from which the workers pay for their start (reading.PARALLEL_FROM_BYTES).

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def timed(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall s, CPU s of the process and its children, peak RSS MB) of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{process.stderr.read().decode(errors='replace')}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def reader_import(dump: Path, scratch: Path, workers: int) -> tuple[float, float, float]:
    database = scratch / f"reader-{workers}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    (scratch / "config.yaml").write_text("load_samples: false\n", encoding="utf-8")
    return timed([sys.executable, "-m", "reader", "--config", str(scratch / "config.yaml"), "--db", str(database),
                  "import", "--workers", str(workers), str(dump)], scratch)


def baseline(dump: Path, scratch: Path, triggers: bool) -> tuple[float, float, float]:
    command = [sys.executable, str(ROOT / "benchmarks" / "sqlite_utils_baseline.py"), str(dump), str(scratch / "baseline.db")]
    return timed(command + (["--triggers"] if triggers else []), scratch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path, help="a JSONL file (benchmarks/generate_corpus.py --jsonl)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-serial", action="store_true", help="leave out the import read in one process")
    parser.add_argument("--crossover", metavar="N,N,...", help="first N records of the dump, read here and by workers")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="import-scale-"))
    try:
        if args.crossover:
            print("| records | MB | read here | by workers | ratio | load |\n|---:|---:|---:|---:|---:|---|")
            for count in [int(value) for value in args.crossover.split(",")]:
                part = scratch / f"first-{count}.jsonl"
                with args.dump.open("rb") as source, part.open("wb") as out:
                    for _, line in zip(range(count), source):
                        out.write(line)
                here = reader_import(part, scratch, 0)[0]
                workers = reader_import(part, scratch, args.workers)[0]
                print(f"| {count:,} | {part.stat().st_size / 1e6:.1f} | {here:.2f} s | {workers:.2f} s | "
                      f"{workers / here:.2f} | {load()} |", flush=True)
            return
        size = args.dump.stat().st_size / 1e6
        print(f"{args.dump} ({size:,.0f} MB); load before: {load()}")
        rows = []
        for label, run in [
            ("sqlite-utils: insert, then index", lambda: baseline(args.dump, scratch, False)),
            ("sqlite-utils: insert with index triggers", lambda: baseline(args.dump, scratch, True)),
            (f"reader import, {args.workers} workers", lambda: reader_import(args.dump, scratch, args.workers)),
            *([] if args.skip_serial else [("reader import, read in one process", lambda: reader_import(args.dump, scratch, 0))]),
        ]:
            wall, cpu, peak = run()
            rows.append((label, wall, cpu, peak))
            print(f"  {label}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MB (load {load()})", flush=True)
        yardstick = rows[0][1]
        print("\n| run | wall | CPU | peak memory | wall / sqlite-utils |\n|---|---:|---:|---:|---:|")
        for label, wall, cpu, peak in rows:
            print(f"| {label} | {wall:.1f} s | {cpu:.1f} s | {peak:.0f} MB | {wall / yardstick:.1f} |")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
