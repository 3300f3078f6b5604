"""
Render the README's performance tables from one saved benchmark run.

Every figure in the README's performance tables comes from one run of
``mtcore bench``, saved as JSON, and is written here between the
README's ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` markers;
nothing is typed by hand.  The run the README shows is committed beside
the benches (``benches/readme-run.json``), so the tables can be checked
against it.

The end-to-end blocks (``e2e_run``, ``e2e``) come from a run of that
section alone (``--e2e-run``, ``benches/readme-e2e-run.json`` by default),
or from the main run when it has that section and no other file is given.

Usage, from the repository root::

    mtcore bench --rivals all --until-stable 1 --json benches/readme-run.json
    mtcore bench --filter e2e --json benches/readme-e2e-run.json
    python tools/bench_readme.py benches/readme-run.json          # rewrite
    python tools/bench_readme.py benches/readme-run.json --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mtcore._bench import report

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
E2E_RUN = ROOT / "benches" / "readme-e2e-run.json"


def _run(doc: dict[str, Any]) -> str:
    m, cfg = doc["machine"], doc["config"]
    versions = ", ".join(
        f"{r['name']} {r['version']}"
        for r in doc.get("rivals", ())
        if r.get("version") and r["status"] in ("here", "own process")
    )
    others = ", ".join(
        f"{name} {v}"
        for name, v in m["peers"].items()
        if v is not None and name not in {r["name"] for r in doc.get("rivals", ())}
    )
    n = doc["noise"]
    lines = [
        f"One run of `mtcore bench{' --quick' if cfg['quick'] else ''}` on "
        f"{m['date'][:10]}: {m['cpu']}, {m['cpus']} CPUs (shared with other "
        f"work: figures move from run to run, ratios much less), {m['python']}, "
        f"mtcore {m['mtcore']} ({m['backend']['aes']} + {m['backend']['sha']} "
        f"kernels). Rivals: {versions}; other peers: {others}. Medians of "
        f"{cfg['samples']} samples, contenders round-robin; "
        f"{n['noisy_rows']} of {n['rows']} rows had a spread above "
        f"{n['threshold']:.0%}{' (a noisy run)' if n['noisy'] else ''}. "
        f"The run took {doc['elapsed_s'] / 60:.0f} minutes.",
    ]
    return "\n".join(lines)


def _e2e_run(doc: dict[str, Any]) -> str:
    m, section = doc["machine"], doc["e2e"]
    peers = ", ".join(
        f"{name} {m['peers'][name]}"
        for name in ("telethon", "cryptg", "pyrogram", "tgcrypto")
        if m["peers"].get(name)
    )
    counts = "; ".join(
        f"{workload}: {n}"
        for workload, n in {r["workload"]: r["n"] for r in section["rows"]}.items()
    )
    return (
        f"One run of `mtcore bench{' --quick' if doc['config']['quick'] else ''} "
        f"--filter {doc['config']['filter']}` on {m['date'][:10]}: {m['cpu']}, "
        f"{m['cpus']} CPUs (shared with other work), {m['python']}, mtcore "
        f"{m['mtcore']} ({m['backend']['aes']} + {m['backend']['sha']} kernels); "
        f"{peers}. Each figure is the best of {section['repeats']} runs, the clients "
        f"taking turns (messages a run: {counts}). The run took {doc['elapsed_s']:.0f} s."
    )


def _ops(*names: str, **kw: Any) -> Callable[[dict[str, Any]], str]:
    return lambda doc: report.pivot(doc, names, **kw)


#: Each README block and how it is drawn.
BLOCKS: dict[str, Callable[[dict[str, Any]], str]] = {
    "run": _run,
    "summary": report.summary_markdown,
    "calls": report.calls_markdown,
    "aes": _ops("ige_encrypt", "ige_decrypt", "ctr", "cbc_encrypt", "cbc_decrypt"),
    "mtproto": _ops("mtproto_encrypt", "mtproto_decrypt"),
    "batch": _ops(
        "ige_encrypt_many",
        "mtproto_encrypt_many",
        variants=("mtcore-out", "mtcore-loop", "mtcore-aesni"),
    ),
    "hashes": _ops("sha256", "sha1"),
    "tl": _ops(
        "tl_encode_login_token",
        "tl_encode_send_message",
        "tl_decode_messages",
        "tl_decode_message",
        "tl_build_login_token",
        "tl_build_send_message",
        variants=("mtcore-pure",),
    ),
    "compat": _ops(
        "compat_pyrogram_pack",
        "compat_pyrogram_unpack",
        "compat_pyrogram_ctr",
        "compat_telethon_encrypt",
        "compat_telethon_decrypt",
        "compat_telethon_ctr",
        "compat_tgcrypto_ctr",
        "compat_tgcrypto_ige",
        "compat_cryptg_ige",
        "compat_factorize",
        variants=("mtcore-compat",),
    ),
    "threads": report.threads_markdown,
    "e2e_run": _e2e_run,
    "e2e": report.e2e_markdown,
}
#: The blocks drawn from the end-to-end run.
E2E_BLOCKS = frozenset(("e2e_run", "e2e"))

_BLOCK = re.compile(r"(<!-- bench:(\w+) -->\n)(.*?)(<!-- /bench:\2 -->)", re.S)


def render(text: str, doc: dict[str, Any], e2e_doc: dict[str, Any] | None = None) -> str:
    """
    ``text`` with every bench block redrawn from ``doc``, the end-to-end
    ones from ``e2e_doc`` (default: ``doc``).
    """

    def block(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in BLOCKS:
            raise SystemExit(f"README block {name!r} is unknown to {__file__}")
        source = e2e_doc if name in E2E_BLOCKS and e2e_doc is not None else doc
        if name in E2E_BLOCKS and not source.get("e2e"):
            raise SystemExit(f"README block {name!r}: the run has no end-to-end section")
        return f"{m.group(1)}{BLOCKS[name](source)}\n{m.group(4)}"

    return _BLOCK.sub(block, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="the saved run (mtcore bench --json FILE)")
    parser.add_argument("--readme", default=str(README), help="default: README.md")
    parser.add_argument(
        "--e2e-run",
        help="the saved run of the end-to-end section (default: "
        "benches/readme-e2e-run.json if it exists, else RUN)",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the README is stale"
    )
    args = parser.parse_args(argv)
    with open(args.run, encoding="utf-8") as f:
        doc = json.load(f)
    e2e_path = args.e2e_run or (str(E2E_RUN) if E2E_RUN.exists() else None)
    e2e_doc = None
    if e2e_path is not None:
        with open(e2e_path, encoding="utf-8") as f:
            e2e_doc = json.load(f)
    path = Path(args.readme)
    old = path.read_text(encoding="utf-8")
    new = render(old, doc, e2e_doc)
    if args.check:
        if new != old:
            print(f"{path}: the bench tables differ from {args.run}", file=sys.stderr)
            return 1
        return 0
    path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
