"""How long the command line takes to answer: ``forecast --help`` and every command's ``--help``, each in a fresh
process (what a user waits for), median of ``--repeat`` runs, beside ``python -c pass`` (the interpreter's own
start-up) and the time to import the CLI.

Run: ``python benchmarks/cli_speed.py [--repeat 5]``. The target is under 0.5 s for every line on this machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def seconds(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    executable = shutil.which("forecast") or sys.exit("the forecast command is not installed (pip install -e .)")
    rows = [
        ("python -c pass", seconds([sys.executable, "-c", "pass"], args.repeat)),
        ("import forecast.cli.main", seconds([sys.executable, "-c", "import forecast.cli.main"], args.repeat)),
    ]
    from forecast.cli.main import command_paths

    rows += [
        (" ".join(["forecast", *cmd, "--help"]), seconds([executable, *cmd, "--help"], args.repeat))
        for cmd in command_paths()
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(
            f"{name:<{width}}  {value:6.3f} s" + ("" if value < 0.5 or name.startswith("python") else "  (over 0.5 s)")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
