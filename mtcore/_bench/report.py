"""
The report of a run, rendered from its JSON document (what ``--json``
writes and ``--load`` reads back): as text (the summary table first, then
the per-call cost of the hot entry points, then every case), as Markdown
(``--markdown``, and the README's tables through
``tools/bench_readme.py``), as a comparison with another run
(``--compare``) and as a plot of the summary (``--plot``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from mtcore._bench.limits import ROW as LIMIT
from mtcore._bench.registry import Batch, size_label

#: The hot entry points whose per-call cost the report shows against the
#: limit row and hypercrypto (at their smallest sizes), where measured.
HOT_CALLS = (
    "ige_encrypt/16B",
    "ige_encrypt/64B",
    "ige_decrypt/64B",
    "cbc_encrypt/16B",
    "ctr/16B",
    "mtproto_encrypt/64B",
    "mtproto_decrypt/64B",
    "sha256/52B",
)

#: The rival the per-call table names (the strongest on PERF goals).
HOT_RIVAL = "hypercrypto"

#: Rates are shown from this many bytes per call on.
RATE_FROM = 16 * 1024


# --- figures ---------------------------------------------------------------


def format_time(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} us"
    return f"{ns / 1e6:.2f} ms"


def format_rate(mb: float) -> str:
    if mb >= 10_000:
        return f"{mb / 1e3:.1f} GB/s"
    return f"{mb:,.0f} MB/s" if mb >= 10 else f"{mb:.2f} MB/s"


def figure(ns: float, nbytes: int) -> str:
    """
    A time per call, with the rate for large calls.
    """
    if nbytes >= RATE_FROM:
        return f"{format_time(ns)} ({format_rate(nbytes / ns * 1e3)})"
    return format_time(ns)


def label(case: dict[str, Any]) -> str:
    """
    A case's size: ``64 B``, ``16 x 512 KiB``.
    """
    if "count" in case:
        return size_label(Batch(case["count"], case["item_size"]))
    return size_label(case["size"])


def _key(case: dict[str, Any]) -> str:
    # Runs saved before the cases carried their key have none.
    if "key" in case:
        return str(case["key"])
    return f"{case['operation']}/{label(case).replace(' ', '')}"


def _row(case: dict[str, Any], name: str) -> dict[str, Any] | None:
    for r in case["results"]:
        if r["contender"] == name:
            row: dict[str, Any] = r
            return row
    return None


def _is_rival(name: str) -> bool:
    return not name.startswith("mtcore") and name != LIMIT


# --- the summary and the hot calls -------------------------------------------


def summary_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """
    One row per headline case that was timed: mtcore's median, the best
    rival (the lowest rival / mtcore ratio, each against mtcore in the
    rival's own process) and the limit row, with mtcore's share of the
    limit (limit time / mtcore time).
    """
    rows = []
    for case in doc["cases"]:
        if not case.get("headline") or not case["results"]:
            continue
        mtcore = case["results"][0]
        rivals = [r for r in case["results"] if _is_rival(r["contender"])]
        best = min(rivals, key=lambda r: r["ratio"]) if rivals else None
        limit = _row(case, LIMIT)
        rows.append(
            {
                "key": case["key"],
                "operation": case["operation"],
                "size": label(case),
                "bytes": case["size"],
                "mtcore_ns": mtcore["median_ns"],
                "rival": best and best["contender"],
                "rival_ns": best and best["median_ns"],
                "ratio": best and best["ratio"],
                "limit_ns": limit and limit["median_ns"],
                "of_limit": limit and limit["median_ns"] / mtcore["median_ns"],
                "noisy": any(
                    r is not None and r["noisy"] for r in (mtcore, best, limit)
                ),
            }
        )
    return rows


def hot_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """
    The hot entry points that were timed: mtcore, the limit, the cost of
    the Python call (mtcore - limit) and hypercrypto.
    """
    by_key = {c["key"]: c for c in doc["cases"]}
    rows = []
    for key in HOT_CALLS:
        case = by_key.get(key)
        if case is None or not case["results"]:
            continue
        first = case["results"][0]
        mtcore = first["median_ns"]
        limit = _row(case, LIMIT)
        rival = _row(case, HOT_RIVAL)
        rows.append(
            {
                "key": key,
                "mtcore_ns": mtcore,
                "limit_ns": limit and limit["median_ns"],
                "call_ns": limit and mtcore - limit["median_ns"],
                "rival_ns": rival and rival["median_ns"],
                "ratio": rival and rival["ratio"],
                "noisy": any(
                    r is not None and r["noisy"] for r in (first, limit, rival)
                ),
            }
        )
    return rows


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _ratio(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}x"


def _summary_table(doc: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = "operation|size|mtcore|best rival|rival/mtcore|C limit|of limit|".split("|")
    rows = [
        [
            r["operation"],
            r["size"],
            figure(r["mtcore_ns"], r["bytes"]),
            "-"
            if r["rival"] is None
            else f"{r['rival']} {figure(r['rival_ns'], r['bytes'])}",
            _ratio(r["ratio"]),
            "-" if r["limit_ns"] is None else figure(r["limit_ns"], r["bytes"]),
            _pct(r["of_limit"]),
            "noisy" if r["noisy"] else "",
        ]
        for r in summary_rows(doc)
    ]
    return head, rows


def _hot_table(doc: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = (
        f"call|mtcore|C limit|Python call (mtcore - limit)|{HOT_RIVAL}|"
        f"{HOT_RIVAL}/mtcore|".split("|")
    )

    def t(ns: float | None) -> str:
        return "-" if ns is None else format_time(ns)

    rows = [
        [
            r["key"],
            t(r["mtcore_ns"]),
            t(r["limit_ns"]),
            t(r["call_ns"]),
            t(r["rival_ns"]),
            _ratio(r["ratio"]),
            "noisy" if r["noisy"] else "",
        ]
        for r in hot_rows(doc)
    ]
    return head, rows


# --- layout ------------------------------------------------------------------


def _grid(head: Sequence[str], rows: list[list[str]], indent: str = "  ") -> str:
    # Left-aligned first two columns, the rest right-aligned.
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return (indent + " ".join(parts)).rstrip()

    return "\n".join([line(head), *(line(r) for r in rows)])


def _md(head: Sequence[str], rows: list[list[str]]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(head), "|" + "---|" * len(head), *(line(r) for r in rows)])


# --- text ----------------------------------------------------------------------


def _rival_lines(doc: dict[str, Any]) -> list[str]:
    here, own, absent, failed = [], [], [], []
    for r in doc.get("rivals", ()):
        v = f" {r['version']}" if r.get("version") else ""
        if r["status"] == "here":
            here.append(f"{r['name']}{v}")
        elif r["status"] == "own process":
            own.append(f"{r['name']}{v}")
        elif r["status"] == "not installed":
            absent.append(r["name"])
        else:
            failed.append(f"{r['name']} ({r['status']}: {r.get('reason')})")
    lines = []
    if here:
        lines.append(f"rivals timed in this process: {', '.join(here)}")
    if own:
        lines.append(
            f"rivals timed each in its own process beside mtcore (rows marked *): "
            f"{', '.join(own)}"
        )
    if absent:
        lines.append(
            f"rivals not installed here (--rivals all installs them in a cache): "
            f"{', '.join(absent)}"
        )
    for f in failed:
        lines.append(f"rival not timed: {f}")
    return lines


def _header(doc: dict[str, Any]) -> list[str]:
    info, cfg = doc["machine"], doc["config"]
    b = info["backend"]
    peers = ", ".join(
        f"{name} {v}" for name, v in info["peers"].items() if v is not None
    )
    ext = info["extension"]
    built = (
        f"; extension built {ext['built']}, sha256 {ext['sha256'][:12]}" if ext else ""
    )
    openssl = f"; {info['openssl']}" if info["openssl"] else ""
    quick = " (--quick: the headline sizes)" if cfg.get("quick") else ""
    lines = [
        f"mtcore {info['mtcore']}: {b['implementation']} implementation, "
        f"AES kernel {b['aes']} (available: {', '.join(b['aes_kernels'])})",
        f"{info['cpu']}, {info['cpus']} CPUs; {info['python']}; {info['date']}{built}",
        f"peers: {peers or 'none installed'}{openssl}",
        *_rival_lines(doc),
        f"Medians of {cfg['samples']} samples of ~{cfg['target_ns'] / 1e6:.0f} ms "
        f"per contender, contenders timed round-robin in one run{quick}.",
        "'vs mtcore' = contender time / mtcore time (above 1: mtcore is faster); "
        "'spread' = (slowest - fastest sample) / median; MB = 10^6 bytes.",
        f"Harness cost per call, included in every figure: "
        f"{doc['harness_overhead_ns']:.0f} ns.",
    ]
    lim = doc.get("limits", {})
    if lim.get("kernels"):
        lines.append(
            f"'{LIMIT}': this machine's limit, a C loop over the {lim['kernels']} "
            "kernels with no Python call, timed round-robin with the contenders "
            "(see each case's note); 'of limit' = limit time / mtcore time."
        )
    elif lim:
        lines.append(f"Limits unavailable: {lim.get('reason')}.")
    lines.extend(_noise_lines(doc))
    return lines


def _noise_lines(doc: dict[str, Any]) -> list[str]:
    n = doc.get("noise")
    if not n or not n["rows"]:
        return []
    text = (
        f"{n['noisy_rows']} of {n['rows']} rows are noisy (spread above "
        f"{n['threshold']:.0%}, marked 'noisy')"
    )
    if n["noisy"]:
        return [
            f"NOISY RUN: {text}: the machine was busy; compare ratios, not "
            "figures, or run again with --until-stable N."
        ]
    return [f"{text}."]


def _verification(doc: dict[str, Any]) -> list[str]:
    cases = doc["cases"]
    checked = sum(len(c["verified"]) + len(c["errors"]) for c in cases)
    errors = [(c, n, e) for c in cases for n, e in c["errors"].items()]
    own = sorted({c["operation"] for c in cases if c.get("own_check")})
    how = (
        f" ({', '.join(own)}: each output checked on its own, as the notes say)"
        if own
        else ""
    )
    if not errors:
        lines = [
            f"Outputs verified before timing: all {checked} contender/case "
            f"pairs agree with mtcore{how}."
        ]
    else:
        lines = [
            f"Outputs verified before timing: {len(errors)} of {checked} "
            f"contender/case pairs DISAGREE with mtcore{how} and were not timed:"
        ]
        lines += [f"  {c['key']} {n}: {e}" for c, n, e in errors]
        for c in cases:
            peers = [n for n in c["verified"] + list(c["errors"]) if _is_rival(n)]
            if peers and all(n in c["errors"] for n in peers):
                lines.append(
                    f"  {c['key']}: every peer disagrees with mtcore: suspect mtcore"
                )
    seen = set()
    for c in cases:
        for name, warning in c["warnings"].items():
            if (name, warning, c["operation"]) not in seen:
                seen.add((name, warning, c["operation"]))
                lines.append(f"Note: {name} {c['operation']} {warning}.")
    return lines


def _absent(doc: dict[str, Any]) -> set[str]:
    # Rivals summed up in the header: not repeated under every table.
    return {r["name"] for r in doc.get("rivals", ()) if r["status"] == "not installed"}


def _memory_note(case: dict[str, Any]) -> str | None:
    if not case.get("memory"):
        return None
    parts = []
    for name, m in case["memory"].items():
        mult = "-" if m["multiple"] is None else f"{m['multiple']:.1f}x"
        parts.append(f"{name} {mult} ({m['peak_bytes'] / 1e3:,.0f} kB)")
    return (
        "peak memory allocated by one call, result included (tracemalloc), "
        "as a multiple of the input size: " + ", ".join(parts)
    )


def _limit_note(case: dict[str, Any]) -> str | None:
    lim = case.get("limit")
    if lim is None:
        return None
    if lim["lanes"] > 1:
        what = (
            f"{lim['what']} over {lim['lanes']} x {size_label(lim['size'])} "
            "L1-resident lanes, scaled to the case's bytes"
        )
    else:
        what = "the same call"
    return f"{LIMIT}: {what} in a C loop over the {lim['kernels']} kernels"


def _by_operation(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_op: dict[str, list[dict[str, Any]]] = {}
    for case in doc["cases"]:
        by_op.setdefault(case["operation"], []).append(case)
    return by_op


def _detail(doc: dict[str, Any], out: TextIO) -> None:
    absent = _absent(doc)
    for op_cases in _by_operation(doc).values():
        first = op_cases[0]
        print(f"\n{first['title']}", file=out)
        notes = list(first["notes"])
        for case in op_cases:
            for note in (_memory_note(case), _limit_note(case)):
                if note is not None and note not in notes:
                    same = all(
                        note in (_memory_note(c), _limit_note(c)) for c in op_cases
                    )
                    notes.append(note if same else f"{label(case)}: {note}")
        skipped: dict[str, str] = {}
        for case in op_cases:
            for name, reason in case["skipped"].items():
                if name not in absent:
                    skipped.setdefault(name, reason)
        if skipped:
            notes.append(
                "not timed: "
                + "; ".join(f"{name}: {reason}" for name, reason in skipped.items())
            )
        for note in notes:
            print(f"  ({note})", file=out)
        rows = []
        for case in op_cases:
            size = label(case)
            for r in case["results"]:
                own = " *" if r.get("process") == "own" else ""
                rows.append(
                    [
                        size,
                        r["contender"] + own,
                        format_time(r["median_ns"]),
                        format_rate(r["mb_per_s"]),
                        _ratio(r["ratio"]),
                        f"{r['spread']:.0%}",
                        "noisy" if r["noisy"] else "",
                    ]
                )
                size = ""
            for name, err in case["errors"].items():
                rows.append([size, name, "NOT TIMED:", err, "", "", ""])
                size = ""
        head = [
            "size",
            "contender",
            "per call",
            "throughput",
            "vs mtcore",
            "spread",
            "",
        ]
        print(_grid(head, rows), file=out)


_THREAD_HEAD = ["size", "contender", "1 thread", "2 threads", "speedup"]


def _thread_rows(doc: dict[str, Any], skipped: bool) -> list[list[str]]:
    rows = []
    for entry in doc.get("threads") or ():
        size = size_label(entry["size"])
        for r in entry["results"]:
            rows.append(
                [
                    size,
                    r["contender"],
                    format_rate(r["one_thread_mb_per_s"]),
                    format_rate(r["two_threads_mb_per_s"]),
                    f"{r['speedup']:.2f}x",
                ]
            )
            size = ""
        for name, reason in entry["skipped"].items() if skipped else ():
            rows.append([size, name, "skipped:", reason, ""])
            size = ""
    return rows


def _threads(doc: dict[str, Any], out: TextIO) -> None:
    if not doc.get("threads"):
        return
    print(
        "\nTwo threads vs one (IGE encrypt; each thread its own inputs; "
        "2.00x is perfect on 2 cores;\n  the hashlib control, which releases "
        "the GIL, shows what the machine allowed during the run)",
        file=out,
    )
    print(_grid(_THREAD_HEAD, _thread_rows(doc, skipped=True)), file=out)


_E2E_HEAD = ["client", "workload", "rate", "wall/msg", "CPU/msg"]


def _e2e_rows(doc: dict[str, Any], skipped: bool) -> list[list[str]]:
    section = doc.get("e2e") or {}
    rows = []
    for r in section.get("rows", ()):
        rows.append(
            [
                r["contender"],
                r["workload"],
                f"{r['per_s']:.0f} {r['unit']}",
                format_time(r["wall_us_per_msg"] * 1e3),
                format_time(r["cpu_us_per_msg"] * 1e3),
            ]
        )
    for name, reason in section.get("skipped", {}).items() if skipped else ():
        rows.append([name, "skipped:", reason, "", ""])
    return rows


_E2E_RATIO_HEAD = ["comparison", "workload", "wall", "client CPU"]


def _e2e_ratio_rows(doc: dict[str, Any]) -> list[list[str]]:
    return [
        [r["what"], r["workload"], f"{r['wall']:.2f}x", f"{r['cpu']:.2f}x"]
        for r in (doc.get("e2e") or {}).get("ratios", ())
    ]


def _e2e(doc: dict[str, Any], out: TextIO) -> None:
    section = doc.get("e2e")
    if not section:
        return
    print(
        "\nEnd to end: clients logged in to a test cluster on loopback "
        "(each client and the\n  cluster in a process of its own; CPU is the "
        f"client process's; best of {section['repeats']} runs,\n  the clients taking turns)",
        file=out,
    )
    print(_grid(_E2E_HEAD, _e2e_rows(doc, skipped=True)), file=out)
    if section["ratios"]:
        print("  How many times faster per message (above 1: the first is faster):", file=out)
        print(_grid(_E2E_RATIO_HEAD, _e2e_ratio_rows(doc)), file=out)


def text(doc: dict[str, Any], out: TextIO) -> None:
    """
    The whole report: header, verification, summary, per-call cost, every
    case, the two-thread check.
    """
    for line in _header(doc) + _verification(doc):
        print(line, file=out)
    head, rows = _summary_table(doc)
    if rows:
        print(
            "\nSummary: mtcore against the fastest rival, and against this "
            "machine's limit",
            file=out,
        )
        print(_grid(head, rows), file=out)
    head, rows = _hot_table(doc)
    if rows:
        print("\nPer-call cost of the hot entry points", file=out)
        print(_grid(head, rows), file=out)
    _detail(doc, out)
    _threads(doc, out)
    _e2e(doc, out)
    if "elapsed_s" in doc:
        print(f"\nTotal time {doc['elapsed_s']:.1f} s.", file=out)


# --- Markdown ------------------------------------------------------------------


def pivot(
    doc: dict[str, Any],
    operations: Iterable[str],
    variants: Iterable[str] | None = (),
    skip: Iterable[str] = (),
) -> str:
    """
    A Markdown table of the cases of ``operations``: a row per case, with
    mtcore's figure, its share of the limit (where measured) and each other
    contender's time / mtcore's (above 1: mtcore is faster).  mtcore's
    other rows (``mtcore-...``) are left out but for ``variants`` (all of
    them are kept when it is ``None``); ``skip`` leaves out other
    contenders.
    """
    ops = list(operations)
    keep = None if variants is None else set(variants)
    cases = [c for c in doc["cases"] if c["operation"] in ops and c["results"]]
    names: list[str] = []
    for c in cases:
        for r in c["results"][1:]:
            n = r["contender"]
            mine = n.startswith("mtcore") and keep is not None and n not in keep
            wanted = not mine and n not in skip
            if n != LIMIT and wanted and n not in names:
                names.append(n)
    limited = any(_row(c, LIMIT) for c in cases)
    head = ["operation", "size", "mtcore", *(["of limit"] if limited else []), *names]
    rows = []
    for c in cases:
        mtcore = c["results"][0]
        limit = _row(c, LIMIT)
        cells = [c["operation"], label(c), figure(mtcore["median_ns"], c["size"])]
        if limited:
            share = None if limit is None else limit["median_ns"] / mtcore["median_ns"]
            cells.append(_pct(share))
        for n in names:
            r = _row(c, n)
            cells.append("-" if r is None else _ratio(r["ratio"]))
        rows.append(cells)
    return _md(head, rows)


def _without_flags(table: tuple[list[str], list[list[str]]]) -> str:
    # The last column ("noisy") stays in the text report.
    head, rows = table
    return _md(head[:-1], [r[:-1] for r in rows])


def summary_markdown(doc: dict[str, Any]) -> str:
    return _without_flags(_summary_table(doc))


def calls_markdown(doc: dict[str, Any]) -> str:
    return _without_flags(_hot_table(doc))


def threads_markdown(doc: dict[str, Any]) -> str:
    return _md(_THREAD_HEAD, _thread_rows(doc, skipped=False))


def e2e_markdown(doc: dict[str, Any]) -> str:
    """
    The end-to-end section: a row a client and workload, then the ratios.
    """
    parts = [_md(_E2E_HEAD, _e2e_rows(doc, skipped=False))]
    if _e2e_ratio_rows(doc):
        parts.append(_md(_E2E_RATIO_HEAD, _e2e_ratio_rows(doc)))
    return "\n\n".join(parts)


def markdown(doc: dict[str, Any]) -> str:
    """
    The report in Markdown: what ran, the summary, the per-call cost, a
    table per operation and the two-thread check.
    """
    parts = [
        "\n".join(f"    {line}" for line in _header(doc)),
        summary_markdown(doc),
        calls_markdown(doc),
    ]
    for op, op_cases in _by_operation(doc).items():
        parts.append(f"{op_cases[0]['title']}\n\n{pivot(doc, [op], variants=None)}")
    if doc.get("threads"):
        parts.append(threads_markdown(doc))
    if doc.get("e2e"):
        parts.append(e2e_markdown(doc))
    return "\n\n".join(parts) + "\n"


# --- comparison with a saved run ---------------------------------------------


def compare(new: dict[str, Any], old: dict[str, Any], out: TextIO) -> None:
    """
    Every row timed in both runs: its median then and now, and then / now
    (above 1: faster now).  The limit rows show how much the machine
    itself moved between the runs.
    """
    for name, doc in (("then", old), ("now", new)):
        m = doc["machine"]
        print(f"{name}: {m['date']}, mtcore {m['mtcore']}, {m['cpu']}", file=out)
    then = {(_key(c), r["contender"]): r for c in old["cases"] for r in c["results"]}
    rows = []
    for case in new["cases"]:
        for r in case["results"]:
            before = then.get((_key(case), r["contender"]))
            if before is None:
                continue
            rows.append(
                [
                    _key(case),
                    r["contender"],
                    format_time(before["median_ns"]),
                    format_time(r["median_ns"]),
                    _ratio(before["median_ns"] / r["median_ns"]),
                    _ratio(before["ratio"]),
                    _ratio(r["ratio"]),
                ]
            )
    if not rows:
        print("No row was timed in both runs.", file=out)
        return
    print(
        "\nThen / now per row (above 1: faster now; the C limit rows show the "
        "machine's own drift), and each row's time / mtcore's in each run",
        file=out,
    )
    head = ["case", "contender", "then", "now", "then/now", "vs mtcore then", "now"]
    print(_grid(head, rows), file=out)


# --- plot ----------------------------------------------------------------------


def plot(doc: dict[str, Any], path: str) -> None:
    """
    The summary as a figure in ``path`` (its extension picks the format):
    the best rival's time / mtcore's per headline case, and mtcore's share
    of this machine's limit.  Needs matplotlib (the ``plot`` extra).
    """
    import importlib

    from mtcore import _errors

    try:
        # through importlib: a type checker need not find the optional extra
        importlib.import_module("matplotlib").use("Agg")
        plt = importlib.import_module("matplotlib.pyplot")
    except ImportError:
        raise _errors.missing_extra(
            "mtcore bench --plot", "matplotlib", "plot"
        ) from None
    rows = summary_rows(doc)
    names = [f"{r['operation']} {r['size']}" for r in rows]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, 0.35 * len(rows) + 1.5), sharey=True
    )
    y = list(range(len(rows)))
    left.barh(y, [r["ratio"] or 0 for r in rows], color="tab:blue")
    left.axvline(1.0, color="black", linewidth=0.8)
    left.set_xscale("log")
    left.set_xlabel("fastest rival's time / mtcore's (above 1: mtcore is faster)")
    left.set_yticks(y, names)
    left.invert_yaxis()
    for i, r in enumerate(rows):
        if r["rival"]:
            left.annotate(f" {r['rival']}", (r["ratio"], i), va="center", fontsize=7)
    right.barh(y, [100 * (r["of_limit"] or 0) for r in rows], color="tab:green")
    right.axvline(100, color="black", linewidth=0.8)
    right.set_xlabel("mtcore's share of this machine's C limit (%)")
    m = doc["machine"]
    fig.suptitle(f"mtcore {m['mtcore']} on {m['cpu']} ({m['date'][:10]})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
