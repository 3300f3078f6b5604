"""
The child process that times one rival beside mtcore (see
:func:`mtcore._bench.rivals.run_worker`): its module path starts with the
rival's install directory.  It reads a request on stdin (``rival``,
``cases``: the case keys, ``config``: :class:`mtcore._bench.run.Config`
fields) and writes ``{"cases": [...]}`` on stdout, each case with mtcore's
row first and the rival's, verified against mtcore's output here first.
"""

from __future__ import annotations

import json
import sys

from mtcore._bench import run
from mtcore._bench.rivals import RIVALS


def main() -> int:
    request = json.load(sys.stdin)
    name = request["rival"]
    if name not in RIVALS:
        print(f"unknown rival {name!r}", file=sys.stderr)
        return 2
    config = run.Config(**request["config"])
    only = ("mtcore", name)
    cases = run.plan(keys=request["cases"], only=only)
    progress = run.Progress(None)
    for case in cases:
        run.run_case(case, config, progress, only=only)
    json.dump({"cases": [run.case_doc(c) for c in cases]}, sys.stdout)
    return 0
