"""
The report: the tables printed after a run.
"""

from __future__ import annotations

from typing import Any, TextIO

from mtcore._bench.registry import size_label, total_bytes
from mtcore._bench.run import Case


def _format_time(ns: float) -> str:
    if ns < 1e3:
        return f"{ns:.0f} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.2f} us"
    return f"{ns / 1e6:.2f} ms"


def _format_rate(mb: float) -> str:
    return f"{mb:,.0f} MB/s" if mb >= 10 else f"{mb:.2f} MB/s"


def _memory_note(case: Case) -> str | None:
    if not case.memory:
        return None
    parts = []
    for name, m in case.memory.items():
        mult = "-" if m["multiple"] is None else f"{m['multiple']:.1f}x"
        parts.append(f"{name} {mult} ({m['peak_bytes'] / 1e3:,.0f} kB)")
    return (
        "peak memory allocated by one call, result included (tracemalloc), "
        "as a multiple of the input size: " + ", ".join(parts)
    )


def _table(cases: list[Case], out: TextIO) -> None:
    by_op: dict[str, list[Case]] = {}
    for case in cases:
        by_op.setdefault(case.op.name, []).append(case)
    width = max(
        [len(r.contender) for case in cases for r in case.results] + [len("contender")]
    )
    for op_cases in by_op.values():
        op = op_cases[0].op
        print(f"\n{op.title}", file=out)
        for note in op.notes:
            print(f"  ({note})", file=out)
        for case in op_cases:
            mem = _memory_note(case)
            if mem is not None:
                label = f"{size_label(case.size)}: " if len(op_cases) > 1 else ""
                print(f"  ({label}{mem})", file=out)
        skipped: dict[str, str] = {}
        for case in op_cases:
            for name, reason in case.skipped.items():
                skipped.setdefault(name, reason)
        if skipped:
            print(
                "  (not timed: "
                + "; ".join(f"{name}: {reason}" for name, reason in skipped.items())
                + ")",
                file=out,
            )
        lw = max(8, *(len(size_label(case.size)) for case in op_cases))
        print(
            f"  {'size':<{lw}} {'contender':<{width}} {'per call':>10} "
            f"{'throughput':>13} {'vs mtcore':>10} {'spread':>7}",
            file=out,
        )
        for case in op_cases:
            label = size_label(case.size)
            for r in case.results:
                ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
                print(
                    f"  {label:<{lw}} {r.contender:<{width}} "
                    f"{_format_time(r.median_ns):>10} "
                    f"{_format_rate(r.mb_per_s(total_bytes(case.size))):>13} "
                    f"{ratio:>10} {r.spread():>6.0%}",
                    file=out,
                )
                label = ""
            for name, err in case.errors.items():
                print(f"  {label:<{lw}} {name:<{width}} NOT TIMED: {err}", file=out)
                label = ""


def _threads_table(threads: list[dict[str, Any]], out: TextIO) -> None:
    if not threads:
        return
    print(
        "\nTwo threads vs one (IGE encrypt; each thread its own inputs; "
        "2.00x is perfect on 2 cores;\n  the hashlib control, which releases "
        "the GIL, shows what the machine allowed during the run)",
        file=out,
    )
    print(
        f"  {'size':<8} {'contender':<24} {'1 thread':>13} {'2 threads':>13} {'speedup':>8}",
        file=out,
    )
    for entry in threads:
        label = size_label(entry["size"])
        for r in entry["results"]:
            print(
                f"  {label:<8} {r['contender']:<24} "
                f"{_format_rate(r['one_thread_mb_per_s']):>13} "
                f"{_format_rate(r['two_threads_mb_per_s']):>13} "
                f"{r['speedup']:>7.2f}x",
                file=out,
            )
            label = ""
        for name, reason in entry["skipped"].items():
            print(f"  {label:<8} {name:<24} skipped: {reason}", file=out)
            label = ""


def _header(info: dict[str, Any], samples: int, target_ns: int, overhead: float) -> str:
    b = info["backend"]
    peers = (
        ", ".join(f"{name} {v}" for name, v in info["peers"].items() if v is not None)
        or "none installed"
    )
    missing = [name for name, v in info["peers"].items() if v is None]
    ext = info["extension"]
    built = (
        f"; extension built {ext['built']}, sha256 {ext['sha256'][:12]}" if ext else ""
    )
    openssl = f"; {info['openssl']}" if info["openssl"] else ""
    kernels = ", ".join(b["aes_kernels"])
    lines = [
        f"mtcore {info['mtcore']}: {b['implementation']} implementation, "
        + f"AES kernel {b['aes']} (available: {kernels})",
        f"{info['cpu']}, {info['cpus']} CPUs; {info['python']}; {info['date']}{built}",
        f"peers: {peers}{openssl}",
    ]
    if missing:
        lines.append(f"not installed (skipped): {', '.join(missing)}")
    lines.append(
        f"Medians of {samples} samples of ~{target_ns / 1e6:.0f} ms per contender, "
        "contenders timed round-robin in one run."
    )
    lines.append(
        "'vs mtcore' = contender time / mtcore time (above 1: mtcore is faster); "
        "'spread' = (slowest - fastest sample) / median; MB = 10^6 bytes."
    )
    lines.append(f"Harness cost per call, included in every figure: {overhead:.0f} ns.")
    return "\n".join(lines)


def _verification_summary(cases: list[Case]) -> list[str]:
    checked = sum(len(c.verified) + len(c.errors) for c in cases)
    lines = []
    errors = [(c, n, e) for c in cases for n, e in c.errors.items()]
    checked_ops = sorted({c.op.name for c in cases if c.op.check is not None})
    how = (
        f" ({', '.join(checked_ops)}: each output checked on its own, as the notes say)"
        if checked_ops
        else ""
    )
    if not errors:
        lines.append(
            f"Outputs verified before timing: all {checked} contender/case "
            f"pairs agree with mtcore{how}."
        )
    else:
        lines.append(
            f"Outputs verified before timing: {len(errors)} of {checked} "
            f"contender/case pairs DISAGREE with mtcore{how} and were not timed:"
        )
        for case, name, err in errors:
            lines.append(f"  {case.key} {name}: {err}")
        for case in cases:
            peers = [
                n
                for n in case.verified + list(case.errors)
                if not n.startswith("mtcore")
            ]
            if peers and all(n in case.errors for n in peers):
                lines.append(
                    f"  {case.key}: every peer disagrees with mtcore: suspect mtcore"
                )
    seen = set()
    for case in cases:
        for name, warning in case.warnings.items():
            if (name, warning, case.op.name) not in seen:
                seen.add((name, warning, case.op.name))
                lines.append(f"Note: {name} {case.op.name} {warning}.")
    return lines
