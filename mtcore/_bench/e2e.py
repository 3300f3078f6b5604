"""
The end-to-end section of ``mtcore bench``: real clients logged in to the
test cluster (:mod:`mtcore.testing`) over loopback, timing small RPCs
(``help.getNearestDc``, one at a time and all at once) and uploads
(``upload.saveFilePart``, 512 KiB parts).

Contenders: mtcore's :class:`~mtcore.client.Client`; Telethon on cryptg
and on mtcore (``mtcore.compat.telethon.install()``); Pyrogram on tgcrypto
and on mtcore (``mtcore.compat.install()``).  Each runs in a child process
of its own (a client keeps the backend it imported first), and the cluster
in another, so that a contender's CPU time (``time.process_time()`` of its
process: its client and its event loop) is its own; wall time is bounded by
the slower of client and server.  The contenders run side by side, one
workload run each in turn, ``repeats`` rounds (so that a slow spell of the
machine falls on all of them); each figure is the best of its runs, wall
time and CPU time each.  Every client starts with a key exchange and a QR login (the cluster
accepts every token at once).

Processes talk in JSON lines: the cluster prints its address and key, then
answers ``stats``; a contender prints ``ready``, then answers ``rpc N``,
``rpc_par N`` and ``upload N`` with ``{"n", "wall", "cpu"}``
(``python -m mtcore._bench.e2e serve|client ...`` are the children).

:func:`run` is the section (its ``--filter`` keys are
``e2e/<workload>/<contender>``); ``benches/bench_e2e.py`` times the same
commands with pytest-benchmark.
"""


from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import importlib.util
import io
import json
import os
import struct
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

API_ID = 94575
API_HASH = "a3406de8d171bb422bb6ddf3bbd800e2"
#: The one DC of the benchmark cluster: 2, where Pyrogram always starts.
DC = 2
PART = 512 * 1024

#: name -> (library, backend), in the order of the table.
CONTENDERS = {
    "mtcore": ("mtcore.client", "mtcore"),
    "telethon+cryptg": ("telethon", "cryptg"),
    "telethon+mtcore": ("telethon", "mtcore"),
    "pyrogram+tgcrypto": ("pyrogram", "tgcrypto"),
    "pyrogram+mtcore": ("pyrogram", "mtcore"),
}

#: (command, count, quick count): what each contender is timed on.
WORKLOADS = (
    ("rpc", 300, 100),  # sequential: each awaited before the next
    ("rpc_par", 2000, 500),  # all in flight at once
    ("upload", 48, 16),  # sequential 512 KiB parts
)


# --- child processes ------------------------------------------------------


_C = TypeVar("_C", bound="_Child")


class _Child:
    # A child process speaking JSON lines on stdin/stdout.

    def __init__(self, args: Sequence[str], env: Optional[dict[str, str]] = None) -> None:
        import mtcore

        self.args = list(args)
        # "-m" puts the working directory first on the child's path: the
        # directory of this mtcore, so that the child runs the same one (from
        # a source checkout's root, its ./mtcore without a built extension
        # would be the pure twin).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mtcore._bench.e2e", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=Path(mtcore.__file__).resolve().parent.parent,
        )
        self.hello = self._read()

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait(30)
            raise RuntimeError(f"the benchmark child {self.args[:2]} ended (exit code {code})")
        return json.loads(line)

    def ask(self, command: str) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.ask("quit")
            except (OSError, RuntimeError, ValueError):
                pass
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _no_cryptography() -> Exception:
    # The cluster's RSA key is cryptography's (pip install 'mtcore[bench]').
    from mtcore import _errors

    return _errors.missing_extra("the test cluster (its RSA key)", "cryptography", "bench")


class ClusterProcess(_Child):
    """
    A test cluster of DCs ``dcs`` in a child process, with one account
    that accepts every login token at once.  :attr:`hello` holds
    ``{"dcs": {id: [host, port]}, "pem": ..., "user": id}``; :meth:`stats`
    the server's connections, tasks and (with ``trace=True``) the bytes
    ``tracemalloc`` sees allocated.
    """

    def __init__(self, dcs: Iterable[int] = (DC,), *, trace: bool = False) -> None:
        if importlib.util.find_spec("cryptography") is None:
            raise _no_cryptography()
        super().__init__(["serve", json.dumps({"dcs": list(dcs), "trace": trace})])

    def stats(self) -> dict[str, Any]:
        return self.ask("stats")  # type: ignore[no-any-return]


class ContenderProcess(_Child):
    """
    One contender, connected and logged in, in a child process:
    :meth:`run` times a workload there.
    """

    def __init__(self, name: str, cluster: dict[str, Any]) -> None:
        if name not in CONTENDERS:
            raise ValueError(f"unknown contender {name!r}; known: {', '.join(CONTENDERS)}")
        self.name = name
        super().__init__(["client", name, json.dumps(cluster)])

    def run(self, command: str, n: int) -> dict[str, float]:
        return self.ask(f"{command} {n}")  # type: ignore[no-any-return]


# --- the cluster child ----------------------------------------------------


def _lib(name: str) -> Any:
    # A module of Telethon or Pyrogram (neither ships type information).
    return importlib.import_module(name)


def speak_layer158(cluster: Any) -> None:
    """
    Answer clients of layer 158 (Pyrogram 2.0) in their layer where it
    matters: layer 229's ``user`` constructor is not theirs, so the results
    that carry users are re-encoded with Pyrogram's own classes for a key
    whose ``invokeWithLayer`` said 158.
    """
    from mtcore.testing._handlers import BUILTIN  # the handlers wrapped

    for name in ("auth.exportLoginToken", "auth.importLoginToken", "auth.checkPassword",
                 "users.getUsers"):
        builtin = BUILTIN[name]

        def handler(ctx: Any, request: Any, builtin: Any = builtin) -> Any:
            result = builtin(ctx, request)
            return _layer158(result) if ctx.layer == 158 else result

        cluster.handler(name)(handler)


def _layer158(value: Any) -> Any:
    if isinstance(value, list):
        return struct.pack("<Ii", 0x1CB5C415, len(value)) + b"".join(_layer158(v) for v in value)
    return _pyrogram_object(value).write()


def _pyrogram_object(obj: Any) -> Any:
    raw = _lib("pyrogram.raw")
    name = obj.tl_name
    if name == "user":
        return raw.types.User(
            id=obj.id, is_self=obj.self or None, access_hash=obj.access_hash,
            first_name=obj.first_name, last_name=obj.last_name, username=obj.username,
            phone=obj.phone, status=raw.types.UserStatusRecently(),
        )
    if name == "auth.authorization":
        return raw.types.auth.Authorization(user=_pyrogram_object(obj.user))
    if name == "auth.loginTokenSuccess":
        return raw.types.auth.LoginTokenSuccess(authorization=_pyrogram_object(obj.authorization))
    return raw.core.TLObject.read(io.BytesIO(bytes(obj)))


async def _lines() -> Any:
    # stdin, a line at a time, without blocking the event loop.
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line or line.strip() == "quit":
            return
        yield line.split()


def _say(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def _serve(options: dict[str, Any]) -> None:
    import tracemalloc

    from mtcore.testing import TestCluster

    if options["trace"]:
        tracemalloc.start()
    cluster = TestCluster(dcs=options["dcs"], max_connections=4096, max_file_bytes=256 << 20)
    user = cluster.add_user("Bench", dc=options["dcs"][0])
    cluster.auto_accept = user  # every fresh token accepted at once
    speak_layer158(cluster)
    async with cluster:
        _say({
            "dcs": {dc: list(s.address) for dc, s in cluster.servers.items()},
            "pem": cluster.public_pem,
            "user": user.id,
        })
        async for _ in _lines():
            await asyncio.sleep(0.2)  # let closed connections end
            gc.collect()
            servers = cluster.servers.values()
            _say({
                "connections": sum(s.connections for s in servers),
                "auth_keys": sum(s.auth_keys for s in servers),
                "tasks": len(asyncio.all_tasks()),
                "traced": tracemalloc.get_traced_memory()[0] if options["trace"] else None,
            })
    _say({"bye": True})


# --- the contender child ----------------------------------------------------


class _Harness:
    # A logged-in client: rpc() and upload(i, part) coroutines.
    rpc: Callable[[], Any]
    upload: Callable[[int, int, bytes], Any]
    close: Callable[[], Any]


async def _mtcore(cluster: dict[str, Any]) -> _Harness:
    from mtcore.client import Client

    host, port = cluster["dcs"][str(DC)]
    client = Client(None, API_ID, API_HASH, dc=(DC, host, port), rsa_keys=[cluster["pem"]])
    await client.connect()
    await client.qr_login(lambda url, expires: None, timeout=30)
    h = _Harness()
    h.rpc = client.help.getNearestDc
    h.upload = lambda f, i, part: client.upload.saveFilePart(file_id=f, file_part=i, bytes=part)
    h.close = client.close
    return h


async def _telethon(cluster: dict[str, Any], backend: str) -> _Harness:
    from mtcore.login import telethon_qr_login

    telethon = _lib("telethon")
    functions = _lib("telethon.tl.functions")

    if backend == "mtcore":
        import mtcore.compat.telethon

        mtcore.compat.telethon.install()
    elif telethon.crypto.aes.cryptg is None:
        raise RuntimeError("cryptg is not installed")
    _lib("telethon.crypto.rsa").add_key(cluster["pem"], old=False)
    host, port = cluster["dcs"][str(DC)]
    client = telethon.TelegramClient(_lib("telethon.sessions").MemorySession(), API_ID, API_HASH)
    client.session.set_dc(DC, host, port)
    await client.connect()
    await telethon_qr_login(client, lambda url, expires: None, timeout=30)
    h = _Harness()
    h.rpc = lambda: client(functions.help.GetNearestDcRequest())
    h.upload = lambda f, i, part: client(functions.upload.SaveFilePartRequest(f, i, part))
    h.close = client.disconnect
    return h


async def _pyrogram(cluster: dict[str, Any], backend: str) -> _Harness:
    if backend == "mtcore":
        import mtcore.compat

        mtcore.compat.install()
    from mtcore.handshake import RSAPublicKey
    from mtcore.login import pyrogram_qr_login

    pyrogram = _lib("pyrogram")
    raw = _lib("pyrogram.raw")
    rsa = _lib("pyrogram.crypto.rsa")
    if _lib("pyrogram.crypto.aes").tgcrypto is None:
        raise RuntimeError("tgcrypto is not installed")
    key = RSAPublicKey.from_pem(cluster["pem"])
    rsa.server_public_keys[key.fingerprint] = rsa.PublicKey(key.n, key.e)
    host, port = cluster["dcs"][str(DC)]
    _lib("pyrogram.connection.connection").DataCenter = lambda dc_id, test_mode, ipv6, media: (host, port)
    client = pyrogram.Client("bench", api_id=API_ID, api_hash=API_HASH, in_memory=True)
    await client.connect()
    await pyrogram_qr_login(client, lambda url, expires: None, timeout=30)
    h = _Harness()
    h.rpc = lambda: client.invoke(raw.functions.help.GetNearestDc())
    h.upload = lambda f, i, part: client.invoke(
        raw.functions.upload.SaveFilePart(file_id=f, file_part=i, bytes=part)
    )
    h.close = client.disconnect
    return h


async def _contend(name: str, cluster: dict[str, Any]) -> None:
    import logging

    logging.basicConfig(level=logging.ERROR)
    library, backend = CONTENDERS[name]
    if library == "mtcore.client":
        h = await _mtcore(cluster)
    elif library == "telethon":
        h = await _telethon(cluster, backend)
    else:
        h = await _pyrogram(cluster, backend)
    _say({"ready": name})
    part = os.urandom(PART)
    file_id = 0
    async for words in _lines():
        command, n = words[0], int(words[1])
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        if command == "rpc":
            for _ in range(n):
                await h.rpc()
        elif command == "rpc_par":
            await asyncio.gather(*(h.rpc() for _ in range(n)))
        elif command == "upload":
            file_id += 1
            for i in range(n):
                await h.upload(file_id, i, part)
        else:
            raise ValueError(command)
        _say({"n": n, "wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu})
    await h.close()
    _say({"bye": True})


# --- the section -------------------------------------------------------------------


def keys() -> list[str]:
    """
    The ``--filter`` keys of the section: ``e2e/<workload>/<contender>``.
    """
    return [f"e2e/{command}/{name}" for command, _, _ in WORKLOADS for name in CONTENDERS]


def missing(name: str) -> Optional[str]:
    """
    Why contender ``name`` cannot run here, or None.
    """
    if importlib.util.find_spec("cryptography") is None:
        return str(_no_cryptography())  # every contender needs the cluster
    library, backend = CONTENDERS[name]
    for module in dict.fromkeys((library, backend)):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed"
    return None


def run(
    pattern: Optional[str] = None,
    *,
    quick: bool = False,
    repeats: Optional[int] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> Optional[dict[str, Any]]:
    """
    Run the section: the contenders and workloads whose key contains
    ``pattern``, each workload the best of ``repeats`` runs (5, or 1 with
    ``quick``, which also sends fewer messages), the contenders taking
    turns.

    :returns: None when no key matches ``pattern``, else ``{"rows": [...],
        "skipped": {contender: reason}, "ratios": [...], "repeats": N}``;
        a row a contender and workload: ``key``, ``contender``,
        ``command``, ``workload``, ``n``, ``wall_s``, ``cpu_s``,
        ``per_s`` (RPCs or MiB a second of wall time), ``unit``,
        ``wall_us_per_msg``, ``cpu_us_per_msg``.
    """
    wanted = [k for k in keys() if pattern is None or pattern in k]
    if not wanted:
        return None
    repeats = (1 if quick else 5) if repeats is None else repeats
    names = [n for n in CONTENDERS if any(k.endswith(f"/{n}") for k in wanted)]
    skipped = {n: why for n in names if (why := missing(n)) is not None}
    names = [n for n in names if n not in skipped]
    out: list[dict[str, Any]] = []
    if names:
        with ClusterProcess() as cluster, contextlib.ExitStack() as stack:
            procs = {}
            for name in names:
                if progress is not None:
                    progress(f"end to end: {name} logs in")
                procs[name] = stack.enter_context(ContenderProcess(name, cluster.hello))
                procs[name].run("rpc", 20)  # warm up
            for command, count, quick_count in WORKLOADS:
                turn = [n for n in names if f"e2e/{command}/{n}" in wanted]
                if progress is not None and turn:
                    progress(f"end to end: {_WORKLOAD_TITLES[command]}")
                n = quick_count if quick else count
                runs: dict[str, list[dict[str, float]]] = {name: [] for name in turn}
                for _ in range(repeats):
                    for name in turn:
                        runs[name].append(procs[name].run(command, n))
                for name in turn:
                    best = {
                        "n": n,
                        "wall": min(r["wall"] for r in runs[name]),
                        "cpu": min(r["cpu"] for r in runs[name]),
                    }
                    out.append(_row(name, command, best))
    order = [command for command, _, _ in WORKLOADS]
    out.sort(key=lambda row: (names.index(row["contender"]), order.index(row["command"])))
    return {"rows": out, "skipped": skipped, "ratios": ratios(out), "repeats": repeats}


_WORKLOAD_TITLES = {
    "rpc": "small RPCs, one at a time",
    "rpc_par": "small RPCs, all at once",
    "upload": "saveFilePart 512 KiB",
}


def _row(name: str, command: str, m: dict[str, float]) -> dict[str, Any]:
    n, wall, cpu = m["n"], m["wall"], m["cpu"]
    upload = command == "upload"
    return {
        "key": f"e2e/{command}/{name}",
        "contender": name,
        "command": command,
        "workload": _WORKLOAD_TITLES[command],
        "n": n,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_s": (n * PART / (1 << 20) if upload else n) / wall,
        "unit": "MiB/s" if upload else "RPC/s",
        "wall_us_per_msg": wall / n * 1e6,
        "cpu_us_per_msg": cpu / n * 1e6,
    }


#: The comparisons the section reports: (label, faster, slower).
PAIRS = (
    ("mtcore client vs Telethon+cryptg", "mtcore", "telethon+cryptg"),
    ("Telethon: mtcore vs cryptg", "telethon+mtcore", "telethon+cryptg"),
    ("Pyrogram: mtcore vs tgcrypto", "pyrogram+mtcore", "pyrogram+tgcrypto"),
)


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """
    The comparisons of :data:`PAIRS` on each workload both sides ran:
    ``{"what", "workload", "wall", "cpu"}``, each ratio how many times
    faster the first contender is per message (above 1: faster).
    """
    by = {(r["contender"], r["command"]): r for r in rows}
    out = []
    for label, fast, slow in PAIRS:
        for command in _WORKLOAD_TITLES:
            a, b = by.get((fast, command)), by.get((slow, command))
            if a and b:
                out.append({
                    "what": label,
                    "workload": a["workload"],
                    "wall": b["wall_us_per_msg"] / a["wall_us_per_msg"],
                    "cpu": b["cpu_us_per_msg"] / a["cpu_us_per_msg"],
                })
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    # The child processes: the cluster, or one contender.
    parser = argparse.ArgumentParser(
        prog="python -m mtcore._bench.e2e",
        description="The child processes of mtcore bench's end-to-end section.",
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    sub.add_parser("serve").add_argument("options")
    child = sub.add_parser("client")
    child.add_argument("name")
    child.add_argument("cluster")
    args = parser.parse_args(argv)
    if args.mode == "serve":
        asyncio.run(_serve(json.loads(args.options)))
    else:
        asyncio.run(_contend(args.name, json.loads(args.cluster)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
