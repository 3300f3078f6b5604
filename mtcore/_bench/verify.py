"""
Verification before timing: every contender's outputs against mtcore's
(or the operation's own check where outputs are random), its cross check,
and whether it wrote into its arguments.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from mtcore._bench.registry import (
    OPERATIONS,
    Batch,
    Contender,
    Operation,
    Unavailable,
)


@functools.lru_cache(maxsize=64)
def reference(op_name: str, size: int | Batch) -> tuple[bytes, ...]:
    """
    mtcore's outputs for the first ``verify_calls`` calls of a fresh
    instance.

    :raises Unavailable: mtcore's own row cannot run here.
    """
    op = OPERATIONS[op_name]
    mtc = op.contenders[0]
    reason = mtc.requires()
    if reason is not None:
        raise Unavailable(f"no reference: mtcore cannot run this here ({reason})")
    given = op.inputs(size).copy()
    fn = mtc.make(given)
    return tuple(mtc.result_bytes(given, fn()) for _ in range(op.verify_calls))


@dataclass
class Check:
    """
    The outcome of comparing one contender with mtcore on one case.
    """

    error: str | None = None  # the output is wrong or the call failed
    warning: str | None = None  # e.g. it wrote into its arguments


def verify(op: Operation, contender: Contender, size: int | Batch) -> Check:
    """
    Run a fresh instance of ``contender`` and compare its outputs with
    mtcore's (or apply the operation's own check), run the contender's
    cross check, and check that it left its arguments alone.
    """
    original = op.inputs(size)
    given = original.copy()
    want = None if op.check is not None else reference(op.name, size)
    try:
        fn = contender.make(given)
        outputs = [
            contender.result_bytes(original, fn()) for _ in range(op.verify_calls)
        ]
        cross = None if contender.cross is None else contender.cross(original.copy())
    except Unavailable:
        raise
    except Exception as exc:  # noqa: BLE001 -- a peer failing is a finding, not a crash
        return Check(error=f"raised {type(exc).__name__}: {exc}")
    check = Check()
    for n, got in enumerate(outputs, 1):
        if op.check is not None:
            problem = op.check(original, got)
            if problem is not None:
                check.error = f"call {n}: {problem}"
                break
            continue
        assert want is not None
        if got != want[n - 1]:
            check.error = (
                f"output of call {n} differs from mtcore's"
                if len(got) == len(want[n - 1])
                else f"call {n} returned {len(got)} bytes, expected {len(want[n - 1])}"
            )
            break
    if check.error is None and cross is not None:
        check.error = cross
    changed = [
        f.name
        for f in dataclasses.fields(original)
        if getattr(given, f.name) != getattr(original, f.name)
    ]
    if changed:
        check.warning = f"wrote into its {'/'.join(changed)} argument (bytes)"
    return check
