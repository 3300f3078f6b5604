"""
The newcomer's path (issue 12): the ``mtcore`` console script, ``mtcore
info``, and a compiled extension that fails to import never passing
silently for mtcore (a warning that says why, ``backend_info()`` carrying
the reason, ``mtcore bench`` refusing to present the pure twin).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mtcore
from mtcore import __main__ as cli
from mtcore import _backend

ROOT = Path(mtcore.__file__).resolve().parent.parent
# The checkout these tests are in (its pyproject.toml).
CHECKOUT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTCORE_")}
    env.update(extra)
    return env


def test_version_and_info(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mtcore {mtcore.__version__}"
    assert cli.main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info == json.loads(json.dumps(mtcore.backend_info()))
    assert cli.main(["info"]) == 0
    text = capsys.readouterr().out
    assert f"version:        {mtcore.__version__}" in text
    assert f"AES kernel:     {info['aes']}" in text
    assert info["package_dir"] in text


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "usage: mtcore" in capsys.readouterr().out


def test_console_script_is_declared():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"mtcore": "mtcore.__main__:main"}


def test_console_script_from_the_checkout():
    # Where the README runs it: in the checkout.  The console script (unlike
    # "python -m mtcore" there) imports the installed package.
    script = shutil.which("mtcore", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.fail(
            "no mtcore console script beside this Python: mtcore is not "
            "installed with its entry points (pip install .)"
        )
    proc = subprocess.run(
        [script, "info", "--json"], cwd=ROOT, env=_env(), capture_output=True,
        text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["version"] == mtcore.__version__
    if _backend.IMPLEMENTATION == "c":
        assert info["implementation"] == "c", info
        assert info["extension_error"] is None


_BROKEN = textwrap.dedent(
    """
    import importlib.abc, json, sys, warnings

    class Block(importlib.abc.MetaPathFinder):
        # the compiled extension "fails to import", as a broken build does
        def find_spec(self, name, path=None, target=None):
            if name == "mtcore._cmtcore":
                raise ImportError("undefined symbol: mtc_example (simulated)")

    sys.meta_path.insert(0, Block())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import mtcore
    from mtcore import __main__ as cli
    status = cli.main(["bench", "--quick", "--filter", "sha1/64"])
    print(json.dumps({
        "warnings": [(w.category.__name__, str(w.message)) for w in caught],
        "info": mtcore.backend_info(),
        "bench": status,
    }))
    """
)


def test_broken_extension_is_not_silent():
    proc = subprocess.run(
        [sys.executable, "-c", _BROKEN], cwd=ROOT.parent, env=_env(),
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    (category, message), = [w for w in got["warnings"] if "mtcore" in w[1]]
    assert category == "RuntimeWarning"
    assert "undefined symbol: mtc_example (simulated)" in message
    assert "MTCORE_PUREPYTHON=1" in message
    assert got["info"]["implementation"] == "python"
    assert "undefined symbol: mtc_example" in got["info"]["extension_error"]
    # bench refuses, saying why, before measuring anything
    assert got["bench"] == 2
    first = proc.stderr.strip().splitlines()[0]
    assert first.startswith("mtcore bench: refusing to run: mtcore here is the pure-Python twin")
    assert "undefined symbol: mtc_example" in first and "--pure" in first


def test_required_extension_that_does_not_import_is_an_error():
    proc = subprocess.run(
        [sys.executable, "-c", _BROKEN], cwd=ROOT.parent,
        env=_env(MTCORE_REQUIRE_COMPILED="1"), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: mtcore: the compiled extension did not import, "
                           "and MTCORE_REQUIRE_COMPILED is set: ImportError: undefined symbol")


def test_pure_request_is_silent_and_bench_needs_the_flag():
    code = textwrap.dedent(
        """
        import json, warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import mtcore
        from mtcore import __main__ as cli
        status = cli.main(["bench", "--filter", "no-such-case"])
        print(json.dumps([[str(w.message) for w in caught], status,
                          mtcore.backend_info()["extension_error"]]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT.parent,
        env=_env(MTCORE_PUREPYTHON="1"), capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    caught, status, error = json.loads(proc.stdout.splitlines()[-1])
    assert [w for w in caught if "mtcore" in w] == []
    assert status == 2 and error is None
    assert "(MTCORE_PUREPYTHON is set). Pass --pure" in proc.stderr


def test_public_submodules_are_attributes_imported_lazily():
    # "import mtcore; mtcore.login" works, and importing mtcore does not
    # import the TL codec, the login layer or the drop-ins yet.
    code = textwrap.dedent(
        """
        import json, sys
        import mtcore
        lazy = ("tl", "login", "qr", "auth", "compat")
        before = [m for m in lazy if f"mtcore.{m}" in sys.modules]
        got = {m: getattr(mtcore, m).__name__ for m in lazy}
        print(json.dumps([before, got, sorted(set(lazy) - set(dir(mtcore)))]))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT.parent, env=_env(),
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    before, got, missing = json.loads(proc.stdout)
    assert before == [] and missing == []
    assert got == {m: f"mtcore.{m}" for m in ("tl", "login", "qr", "auth", "compat")}
    with pytest.raises(AttributeError, match="module 'mtcore' has no attribute 'nothing'"):
        mtcore.nothing  # noqa: B018


def test_compiled_backend_runs_without_cryptography():
    # cryptography has no wheel for some interpreters (3.13t): the compiled
    # backend must import and work without it, and the pure twin must say
    # what is missing when asked for AES.
    code = textwrap.dedent(
        """
        import json, sys, importlib.abc

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "cryptography":
                    raise ImportError("No module named 'cryptography'")

        sys.meta_path.insert(0, Block())
        import mtcore, mtcore.compat.tgcrypto, mtcore.login, mtcore.tl
        from mtcore import aes, mtproto, tl
        from mtcore import _py
        out = {"impl": mtcore.backend_info()["implementation"]}
        out["ige"] = aes.ige_encrypt(bytes(16), bytes(32), bytes(32)).hex()
        out["tl"] = len(bytes(tl.functions.ping(ping_id=1)))
        try:
            _py.ige_encrypt(bytes(16), bytes(32), bytes(32))
        except ImportError as exc:
            out["pure"] = [type(exc).__name__, str(exc)]
        from mtcore import handshake
        client = handshake.ClientHandshake(handshake.PRODUCTION_KEYS, dc_id=2)
        out["start"] = len(client.start())
        try:
            handshake.RSAPrivateKey.generate()
        except ImportError as exc:
            out["rsa"] = [type(exc).__name__, str(exc)]
        print(json.dumps(out))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT.parent, env=_env(),
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])
    assert got["tl"] == 12
    assert got["pure"] == [
        "MissingExtra",
        "mtcore's pure-Python AES needs the optional package 'cryptography' "
        "(mtcore's 'pure' extra), which is not installed: pip install cryptography",
    ]
    # the key exchange itself needs only the numbers; new keys and PEM text
    # are cryptography's
    assert got["start"] == 40  # req_pq_multi, unencrypted
    assert got["rsa"] == [
        "MissingExtra",
        "RSA keys from PEM text and new RSA keys needs the optional package "
        "'cryptography' (mtcore's 'rsa' extra), which is not installed: pip install cryptography",
    ]
    if _backend.IMPLEMENTATION == "c":
        assert got["impl"] == "c"
        assert got["ige"] == mtcore.aes.ige_encrypt(bytes(16), bytes(32), bytes(32)).hex()


def test_cryptography_is_required_only_where_the_pure_twin_runs():
    # The compiled backend runs without cryptography (above), which has no
    # wheel for some interpreters (3.13t): CPython installs need it only
    # through the "pure" extra, other interpreters (which run the twin)
    # always.
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    project = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]

    def needed(reqs, implementation):
        env = {"platform_python_implementation": implementation}
        return [
            r.name for r in map(Requirement, reqs)
            if r.marker is None or r.marker.evaluate(env)
        ]

    assert needed(project["dependencies"], "CPython") == []
    assert needed(project["dependencies"], "PyPy") == ["cryptography"]
    assert needed(project["optional-dependencies"]["pure"], "CPython") == ["cryptography"]
