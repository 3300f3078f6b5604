"""
Helpers shared by the tests: the JSON vector loader and small references.

Every expected value in the suite comes from a published vector (loaded
here from ``tests/vectors/``) or from an independent implementation
(``cryptography``/OpenSSL, tgcrypto, cryptg), never from mtcore itself.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import importlib.util
import json
import mmap
import os
import random
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

VECTORS_DIR = Path(__file__).parent / "vectors"

# Fields that hold hex strings in the vector files (see vectors/README.rst).
_HEX_FIELDS = frozenset(
    {
        "key",
        "iv",
        "initial_counter_block",
        "plaintext",
        "ciphertext",
        "iv_after",
        "expected_iv",
    }
)
_HEX_LIST_FIELDS = frozenset({"plaintext_parts", "ciphertext_parts", "counter_blocks"})


def _decode(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in entry.items():
        if field in _HEX_FIELDS:
            out[field] = bytes.fromhex(value)
        elif field in _HEX_LIST_FIELDS:
            out[field] = [bytes.fromhex(v) for v in value]
        elif field == "chunks":
            out[field] = [_decode(chunk) for chunk in value]
        else:
            out[field] = value
    return out


def load_vectors(
    filename: str, select: Optional[Callable[[dict[str, Any]], bool]] = None
) -> list[dict[str, Any]]:
    """
    The vectors of ``tests/vectors/<filename>``, hex fields decoded to bytes,
    optionally only those ``select`` accepts.
    """
    with open(VECTORS_DIR / filename, encoding="utf-8") as f:
        doc = json.load(f)
    vectors = [_decode(v) for v in doc["vectors"]]
    if select is not None:
        vectors = [v for v in vectors if select(v)]
    if not vectors:
        raise LookupError(f"no vectors selected from {filename}")
    return vectors


def blocks(data: bytes) -> Iterable[bytes]:
    for i in range(0, len(data), 16):
        yield data[i : i + 16]


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """
    data cut at the given (sorted) offsets.
    """
    parts, start = [], 0
    for cut in cuts:
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return parts


# --- independent references on pyca/cryptography (OpenSSL) ---------------


def _ciphers() -> Any:
    """
    cryptography's ciphers module.  A test whose oracle it is skips where
    it cannot be installed (3.13t), as tests skip without the other peers.
    """
    import pytest

    return pytest.importorskip("cryptography.hazmat.primitives.ciphers")


def _cipher(key: bytes, mode: Any) -> Any:
    c = _ciphers()
    return c.Cipher(c.algorithms.AES(bytes(key)), mode)


def ref_cbc(key: bytes, iv: bytes, data: bytes, decrypt: bool) -> bytes:
    cipher = _cipher(key, _ciphers().modes.CBC(bytes(iv)))
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(bytes(data)) + ctx.finalize()


def ref_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    return _cipher(key, _ciphers().modes.CTR(bytes(iv))).encryptor().update(bytes(data))


def _xor(a: bytes, b: bytes) -> bytes:
    n = int.from_bytes(a, "big") ^ int.from_bytes(b, "big")
    return n.to_bytes(len(a), "big")


def ref_ige(key: bytes, iv: bytes, data: bytes, decrypt: bool) -> bytes:
    """
    AES-256-IGE written from MTPROTO.md section 2.2 over OpenSSL's ECB:
    c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}; p_i = D(c_i ^ p_{i-1}) ^ c_{i-1};
    c_0 = iv[:16], p_0 = iv[16:].
    """
    cipher = _cipher(key, _ciphers().modes.ECB())
    block = (cipher.decryptor() if decrypt else cipher.encryptor()).update
    c_prev, p_prev = bytes(iv[:16]), bytes(iv[16:32])
    out = []
    for chunk in blocks(bytes(data)):
        if decrypt:
            p = _xor(block(_xor(chunk, p_prev)), c_prev)
            c_prev, p_prev = chunk, p
            out.append(p)
        else:
            c = _xor(block(_xor(chunk, c_prev)), p_prev)
            c_prev, p_prev = c, chunk
            out.append(c)
    return b"".join(out)


# Miller-Rabin with the first twelve primes as bases decides every n < 2^64
# (Jaeschke; Sorenson and Webster).  The rounds are mtcore._primes' (one
# home for them), held to a sieve by test_auth.test_is_prime_matches_a_sieve.
_BASES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)


def is_prime(n: int) -> bool:
    # mtcore imported here, not above: the fuzz targets import this module
    # before they import mtcore under atheris's instrumentation.
    from mtcore._primes import miller_rabin

    if n < 2:
        return False
    for p in _BASES:
        if n % p == 0:
            return n == p
    return miller_rabin(n, _BASES)


def random_prime(rng: random.Random, bits: int) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if is_prime(n):
            return n


class GuardedPages:
    """
    One readable page between two that are not: a message placed at either
    edge of the middle page is read out of bounds only at a crash.
    """

    def __init__(self) -> None:
        self.page = mmap.PAGESIZE
        self.map = mmap.mmap(-1, 3 * self.page)
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        base = ctypes.addressof(ctypes.c_char.from_buffer(self.map))
        for start in (base, base + 2 * self.page):
            if libc.mprotect(ctypes.c_void_p(start), self.page, 0) != 0:
                raise OSError(ctypes.get_errno(), "mprotect")
        self.view = memoryview(self.map)

    def at_start(self, data: bytes) -> memoryview:
        self.view[self.page : self.page + len(data)] = data
        return self.view[self.page : self.page + len(data)]

    def at_end(self, data: bytes) -> memoryview:
        end = 2 * self.page
        self.view[end - len(data) : end] = data
        return self.view[end - len(data) : end]


def run_mypy(tmp_path: Path, snippet: str, extra: Sequence[str] = ()) -> tuple[list[str], str]:
    """
    ``mypy --strict`` on a user's snippet that imports mtcore (installed,
    or this checkout through MYPYPATH), plus the files in extra when mtcore
    is not installed; returns the error lines and the whole report.
    """
    import mtcore

    path = tmp_path / "snippet.py"
    path.write_text(snippet, encoding="utf-8")
    env = dict(os.environ)
    root = Path(mtcore.__file__).resolve().parent.parent
    if {"site-packages", "dist-packages"} & set(root.parts):
        # An installed mtcore (py.typed) is found through the snippet's
        # import; naming a file under site-packages (or that folder in
        # MYPYPATH) would make mypy take all of site-packages for sources.
        targets: list[str] = []
    else:
        env["MYPYPATH"] = str(root)
        targets = list(extra)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(path),
            *targets,
        ],
        check=False,  # mypy exits 1 on planted errors
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    return errors, proc.stdout + proc.stderr


def TLLoops(label: str, module: Any) -> Any:
    """
    One backend's TL codec loops (``mtcore.tl.codec._Loops``: decode,
    encode and build with mtcore.tl's signatures), labelled for test ids.
    """
    from mtcore.tl.codec import _Loops

    loops = _Loops(module)
    loops.label = label  # type: ignore[attr-defined]
    loops.is_compiled = label == "c"  # type: ignore[attr-defined]
    return loops


def load_tool(path: Path, name: str) -> Any:
    """
    The script at ``path`` (one of ``tools/``) imported as module ``name``,
    or a skip where the tools are not in this tree (an installed copy).
    """
    import importlib.util

    import pytest

    if not path.exists():
        pytest.skip(f"tools/{path.name} is not in this tree")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # for its dataclasses
    try:
        spec.loader.exec_module(mod)
    finally:
        del sys.modules[spec.name]
    return mod


def import_pyrogram() -> None:
    """
    Import Pyrogram, or skip the test when it is not installed.  Its import
    asks asyncio for the current event loop (``pyrogram/sync.py``), which
    fails in a thread where ``asyncio.run()`` has ended one (the
    end-to-end tests run before): it then gets a loop of its own.
    """
    if "pyrogram" not in sys.modules and importlib.util.find_spec("pyrogram") is not None:
        asyncio.set_event_loop(asyncio.new_event_loop())
    pytest.importorskip("pyrogram")


README = Path(__file__).resolve().parent.parent / "README.md"


def readme_python(heading: str) -> str:
    """
    The first Python block of the README section ``heading`` (a ``###``
    title), as written there.
    """
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n### {heading}\n")
    end = text.find("\n#", start + 1)
    section = text[start : end if end != -1 else len(text)]
    block = section.index("```python\n") + len("```python\n")
    return section[block : section.index("```\n", block)]


async def run_snippet(code: str, **names: Any) -> dict[str, Any]:
    """
    Run ``code``, a README block with top-level ``await``, as the body of
    a coroutine function taking ``names``; returns its local names.
    """
    body = "".join(f"    {line}\n" for line in code.splitlines())
    source = f"async def snippet({', '.join(names)}):\n{body}    return locals()\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<README.md>", "exec"), namespace)  # noqa: S102 -- the README's own code
    result: dict[str, Any] = await namespace["snippet"](**names)
    return result
