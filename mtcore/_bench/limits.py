"""
This machine's limits, measured in the same run as the contenders: plain
C loops over mtcore's default kernels with no Python call between two
calls (``src_c/bench_limits.c``, reached through ``_cmtcore._limit_ns``).
A case's limit row is timed round-robin with its contenders, so the
report can say what share of this machine's limit each figure reaches
whatever CPU it ran on.

What each loop measures, for a case of ``size`` bytes:

- IGE and CBC: one-shot calls on ``size`` bytes, the key expanded in each
  call, from one buffer into another reused from call to call (no fresh
  pages);
- CTR: a stream continued call after call, ``size`` bytes a call;
- the IGE batch: the case's number of lanes over buffers that together
  fit in the L1 data cache (:data:`L1_BATCH_BYTES`), in place: the
  compute ceiling, scaled to the case's bytes;
- MTProto encrypt: msg_key, the KDF, the key schedule and IGE of one
  message (no padding drawn); decrypt: the same with every receiver check;
- SHA-256 of ``size`` bytes.

The pure-Python twin has no limit loops: there the limits are reported as
unavailable, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mtcore import _backend
from mtcore._bench.available import backend_module
from mtcore._bench.registry import Batch, KiB, size_label
from mtcore._bench.timing import Timer

#: The bytes of all lanes of the batch limit together (L1-resident).
L1_BATCH_BYTES = 32 * KiB

#: The row's name in tables and JSON.
ROW = "C limit"

_ONE_STREAM = ("ige_encrypt", "ige_decrypt", "cbc_encrypt", "cbc_decrypt", "ctr")
_SAME_SIZE = (*_ONE_STREAM, "mtproto_encrypt", "mtproto_decrypt", "sha256")


@dataclass(frozen=True)
class Limit:
    """
    One limit loop for one case.

    :param what: the loop (a name of ``_cmtcore.LIMITS``).
    :param size: bytes a loop call (a lane's for a batch; the body for
        MTProto).
    :param lanes: the lanes of a batch call.
    :param scale: the case's bytes per call / the loop's.
    """

    what: str
    size: int
    lanes: int = 1
    scale: float = 1.0

    def describe(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "size": self.size,
            "lanes": self.lanes,
            "scale": self.scale,
            "kernels": kernels(),
        }

    def label(self) -> str:
        if self.lanes > 1:
            return (
                f"{self.what} over {self.lanes} x {size_label(self.size)} "
                f"L1-resident lanes"
            )
        return f"{self.what} {size_label(self.size)}"


def unavailable() -> str | None:
    """
    Why this run has no limit rows, or ``None``.
    """
    if _backend.IMPLEMENTATION != "c":
        return "the pure-Python twin has no C limit loops"
    if not hasattr(backend_module(), "_limit_ns"):
        return "this build of the extension has no limit loops"
    return None


def kernels() -> str:
    """
    The kernels the loops run: the default AES and SHA kernels.
    """
    impl = backend_module()
    return f"{impl.aes_kernel}+{impl.sha_kernel}"


def limit_for(op_name: str, size: int | Batch) -> Limit | None:
    """
    The limit loop of a case, or ``None`` where there is none.
    """
    if isinstance(size, Batch):
        if op_name != "ige_encrypt_many":
            return None
        lane = min(size.size, max(16, L1_BATCH_BYTES // size.count // 16 * 16))
        return Limit(op_name, lane, size.count, size.size / lane)
    if op_name in _SAME_SIZE:
        if op_name in _ONE_STREAM and op_name != "ctr" and size % 16:
            return None
        return Limit(op_name, size)
    return None


def timer(limit: Limit) -> Timer:
    """
    ``timed(n)``: the nanoseconds of n calls of the case at this machine's
    limit (the loop's time, scaled to the case's bytes).
    """
    loop = backend_module()._limit_ns

    def timed(n: int) -> int:
        ns: int = loop(limit.what, limit.size, n, limit.lanes)
        return round(ns * limit.scale)

    return timed
