"""
The rivals: mtcore's peers on PyPI, each a distribution, the module it is
imported as and the call shapes it offers (the families build its rows
from those).  Several ship a module named ``tgcrypto`` and cannot share an
environment, so a row checks that the module it imports belongs to its
own distribution.

A rival installed in this environment is timed in this process.  ``mtcore
bench --rivals all`` (or ``--rivals NAME,...``) also installs the others,
each into its own directory of a cache outside the source tree (``pip
install --target``, wheels only, no dependencies), and times each in a
child process (:mod:`mtcore._bench.worker`) beside mtcore, which is timed
again there: a rival's ratio is always against mtcore in its own process.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from mtcore._bench.available import import_peer
from mtcore._bench.registry import Contender, Unavailable

#: How long one rival may take to install, and one child process to run.
INSTALL_TIMEOUT_S = 300
WORKER_TIMEOUT_S = 1800


@dataclass(frozen=True)
class Rival:
    """
    One peer on PyPI.

    :param name: the row label; the distribution on PyPI unless ``dist``.
    :param module: what it is imported as.
    :param offers: the call shapes the families know: ``ige``
        (``ige256_encrypt/decrypt(data, key, iv)``), ``ige_cryptg``
        (``encrypt_ige/decrypt_ige``), ``ctr`` (``ctr256_encrypt(data, key,
        iv, state)`` continuing a stream in ``iv`` and ``state``), ``cbc``
        (``cbc256_encrypt/decrypt``, the next IV written into ``iv``, which
        is then a bytearray), ``cbc_bytes`` (the same taking ``iv`` as
        ``bytes`` only),
        ``mtproto_hypercrypto`` (``pack_message(auth_key, plaintext,
        from_client)``), ``mtproto_pyrogram`` (``pack_message(msg_id,
        seq_no, body, salt, session_id, auth_key, auth_key_id)``, as
        Pyrogram's), ``sha256`` (``sha256(data)``).
    :param dist: the distribution, where it is not ``name``.
    """

    name: str
    module: str
    offers: frozenset[str]
    dist: str = ""

    @property
    def distribution(self) -> str:
        return self.dist or self.name


def _rival(name: str, module: str, *offers: str, dist: str = "") -> Rival:
    return Rival(name, module, frozenset(offers), dist)


#: Every rival, in table order: the first three are test extras of
#: mtcore (installed with it for the tests); the rest are found on PyPI.
RIVALS = {
    r.name: r
    for r in (
        _rival("tgcrypto", "tgcrypto", "ige", "ctr", "cbc", dist="TgCrypto"),
        _rival("cryptg", "cryptg", "ige_cryptg"),
        _rival(
            "hypercrypto",
            "hypercrypto",
            "ige",
            "ctr",
            "mtproto_hypercrypto",
            "sha256",
        ),
        _rival("tgcrypto-zig", "tgcrypto", "ige", "ctr"),
        _rival("warpcrypto", "warpcrypto", "ige", "ctr", "mtproto_pyrogram"),
        _rival("harukacrypto", "harukacrypto", "ige", "ctr", "mtproto_pyrogram"),
        _rival("tgcrypto-rs", "tgcrypto", "ige", "ctr", "cbc"),
        _rival("tgcryptorust", "tgcrypto", "ige", "ctr", "cbc_bytes"),
        _rival("tgcrypto2", "tgcrypto", "ige", "ctr", "cbc"),
        _rival("cryptogram", "cryptogram", "ige", "ctr", "cbc"),
    )
}


def rival_rows(**shapes: Callable[[Rival], Contender]) -> list[Contender]:
    """
    One row per rival that offers one of the call shapes (the first that
    it offers, in the order given), built by that shape's function; in
    table order.
    """
    rows = []
    for rival in RIVALS.values():
        for shape, row in shapes.items():
            if shape in rival.offers:
                rows.append(row(rival))
                break
    return rows


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


@functools.cache
def owner(module: str) -> str | None:
    """
    The distribution (normalized name) whose files hold the module that
    ``import module`` gives here, or ``None`` (not installed, or no
    record of it).
    """
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    origin = Path(spec.origin).resolve()
    # packages_distributions() narrows the search (Python 3.10+).
    by_module = getattr(metadata, "packages_distributions", None)
    names = by_module().get(module) if by_module is not None else None
    dists = (
        [metadata.distribution(n) for n in names] if names else metadata.distributions()
    )
    for d in dists:
        for f in d.files or ():
            if Path(str(d.locate_file(f))).resolve() == origin:
                return _normal(d.metadata["Name"])
    return None


def rival_missing(rival: Rival) -> Callable[[], str | None]:
    """
    Why the rival cannot run in this process, or ``None``: it is not
    installed, or its module name belongs to another distribution here.
    """

    def check() -> str | None:
        got = owner(rival.module)
        if got is None:
            return f"{rival.name} is not installed here"
        if got != _normal(rival.distribution):
            return f"{rival.module} here is {got}'s, not {rival.name}'s"
        return None

    return check


def rival_module(rival: Rival) -> Any:
    """
    The rival's module, or :class:`Unavailable`.
    """
    reason = rival_missing(rival)()
    if reason is not None:
        raise Unavailable(reason)
    return import_peer(rival.module)


def version(rival: Rival) -> str | None:
    try:
        return metadata.version(rival.distribution)
    except metadata.PackageNotFoundError:
        return None


# --- the rivals that are not installed here -------------------------------


def cache_dir() -> Path:
    """
    Where the rivals are installed: one directory per interpreter and
    platform under ``$MTCORE_BENCH_CACHE``, else the user's cache.
    """
    root = os.environ.get("MTCORE_BENCH_CACHE")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache"
        )
        root = os.path.join(base, "mtcore", "bench-rivals")
    tag = f"{sys.implementation.cache_tag}-{sysconfig.get_platform()}"
    return Path(root) / tag


def install(rival: Rival) -> tuple[Path | None, str | None]:
    """
    The rival installed in its own directory of the cache (a wheel from
    PyPI, no dependencies; done once): ``(directory, None)``, or ``(None,
    why not)``.
    """
    target = cache_dir() / rival.name
    done = target / ".installed"
    if done.exists():
        return target, None
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--target",
        str(target),
        rival.distribution,
    ]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"pip did not finish ({type(exc).__name__}: {exc})"
    if proc.returncode != 0:
        errors = [
            line.strip()
            for line in (proc.stderr + proc.stdout).splitlines()
            if line.startswith("ERROR:")
        ]
        why = errors[0] if errors else f"pip exited with {proc.returncode}"
        return None, f"pip install --only-binary=:all: failed: {why}"
    done.write_text(" ".join(cmd) + "\n", encoding="utf-8")
    return target, None


def installed_version(rival: Rival, target: Path) -> str | None:
    for d in metadata.distributions(path=[str(target)]):
        if _normal(d.metadata["Name"]) == _normal(rival.distribution):
            return str(d.version)
    return None


def run_worker(rival: Rival, target: Path, request: dict[str, Any]) -> dict[str, Any]:
    """
    Time the rival beside mtcore in a child process whose module path
    starts with the rival's directory, then mtcore's: the child's
    document (``cases``), or ``{"error": why}``.
    """
    import mtcore

    root = str(Path(mtcore.__file__).resolve().parent.parent)
    boot = (
        "import sys; sys.path[:0] = sys.argv[1:3]; "
        "from mtcore._bench import worker; sys.exit(worker.main())"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", boot, str(target), root],
            input=json.dumps({**request, "rival": rival.name}),
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_S,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": f"the child process did not finish ({exc})"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"the child process failed ({proc.returncode}): {tail}"}
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc
