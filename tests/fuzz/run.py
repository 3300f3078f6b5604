"""
Run the fuzz targets of this folder under atheris (``pip install
'mtcore[fuzz]'``), each for a bounded time starting from its committed
corpus; exit 1 if any target finds something (the input is saved and its
path printed).

    python tests/fuzz/run.py --seconds 10                 # CI's smoke run
    nice -n 19 python tests/fuzz/run.py --seconds 3600 --work ~/mtcore-fuzz

Without ``--work`` the inputs a run finds are thrown away; with it, each
target keeps its grown corpus in ``WORK/<target>/corpus`` (read again by
the next run) and what it found in ``WORK/<target>/``.  ``--jobs N`` runs
N targets at a time.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fuzzlib import CORPUS, HERE

TARGETS = sorted(p.stem[len("fuzz_") :] for p in HERE.glob("fuzz_*.py"))
# A single input that runs this long is a finding (a hang).
INPUT_TIMEOUT = 20


def fuzz(target: str, seconds: int, work: Path) -> tuple[str, bool, str]:
    """
    Fuzz one target; returns its name, whether it passed and a summary.
    """
    out = work / target
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    log = out / "fuzz.log"
    cmd = [
        sys.executable,
        str(HERE / f"fuzz_{target}.py"),
        str(out / "corpus"),  # new inputs go to the first folder
        str(CORPUS / target),
        f"-max_total_time={seconds}",
        f"-timeout={INPUT_TIMEOUT}",
        "-rss_limit_mb=2048",
        f"-artifact_prefix={out}/",
        "-print_final_stats=1",
    ]
    start = time.monotonic()
    with log.open("w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=HERE)
    took = time.monotonic() - start
    text = log.read_text(errors="replace")
    stats = dict(re.findall(r"stat::(\w+):\s+(\d+)", text))
    summary = (
        f"{target}: {took:.0f} s, {stats.get('number_of_executed_units', '?')} "
        f"runs, {stats.get('average_exec_per_sec', '?')} exec/s, "
        f"{stats.get('new_units_added', '?')} new inputs"
    )
    if rc == 0:
        return target, True, summary
    found = sorted(str(p) for p in out.iterdir() if p.name != "corpus" and p != log)
    tail = "\n".join(text.splitlines()[-40:])
    return target, False, f"{summary}\nFAILED (exit {rc}), saved: {found}\n{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"of {', '.join(TARGETS)} (all)")
    parser.add_argument("--seconds", type=int, default=10, help="per target")
    parser.add_argument("--jobs", type=int, default=1, help="targets at a time")
    parser.add_argument("--work", type=Path, help="keep corpora and findings here")
    args = parser.parse_args()
    targets = args.targets or TARGETS
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets {sorted(unknown)}")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work.expanduser() if args.work else Path(tmp)
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(lambda t: fuzz(t, args.seconds, work), targets))
    for _, ok, summary in results:
        print(summary)
    failed = [t for t, ok, _ in results if not ok]
    print(f"fuzz: {len(targets) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
