"""
``python -m mtcore bench [--quick] [--json FILE] [--filter SUBSTR]``: time
mtcore against the installed peers (see ``mtcore/_bench.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtcore")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = commands.add_parser(
        "bench",
        help="time mtcore against its peers (tgcrypto, cryptg, ...)",
        description="Time mtcore against the installed peers, side by side "
        "in one run, after checking that every contender's output equals "
        "mtcore's.",
    )
    from mtcore import _bench

    _bench.add_arguments(bench)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return _bench.main(args)


if __name__ == "__main__":
    sys.exit(main())
