"""Run `python -m MODULE ARGS...` in this process and write its peak resident set size to a file at exit (used by run.py).

It exists because a child's `ru_maxrss` on Linux starts at its parent's peak; it must not change what the module does.
"""

#     python benchmarks/peak_rss.py PEAK.txt -m reader --config CONFIG import DIR
#
# PEAK.txt gets VmHWM from /proc/self/status in MB: the peak of this process's own memory map,
# which exec started afresh.

from __future__ import annotations

import atexit
import runpy
import sys


def peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "-m":
        sys.exit("usage: peak_rss.py PEAK.txt -m MODULE [ARGS...]")
    target, module, args = sys.argv[1], sys.argv[3], sys.argv[4:]

    def write() -> None:
        with open(target, "w", encoding="ascii") as out:
            out.write(f"{peak_mb()}\n")

    atexit.register(write)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
