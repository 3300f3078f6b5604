"""
mtcore.compat.install(): ``sys.modules`` aliases for ``tgcrypto`` and
``cryptg``, only where the name is not imported yet.  Each test runs with
both names taken out of ``sys.modules`` and puts back afterwards exactly
what was there, so no alias leaks into other tests.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest
from compat_utils import MTCORE_ROOT, run_json
from utils import import_pyrogram

import mtcore.compat
from mtcore.compat import cryptg as compat_cryptg
from mtcore.compat import tgcrypto as compat_tgcrypto
from mtcore.exceptions import ArgumentValueError

NAMES = ("tgcrypto", "cryptg")


@pytest.fixture
def clean_modules(monkeypatch):
    for name in NAMES:
        # setitem records what was there, or that nothing was (delitem would
        # record nothing for an absent name, and an alias made by the test
        # would stay); the undo puts that back.
        monkeypatch.setitem(sys.modules, name, None)
        del sys.modules[name]


_IMPORT_ONLY = """
import json, sys
import mtcore.compat, mtcore.compat.tgcrypto, mtcore.compat.cryptg
import mtcore.compat.telethon
print(json.dumps([n for n in ("tgcrypto", "cryptg", "telethon") if n in sys.modules]))
"""


def test_nothing_happens_on_import():
    assert run_json(_IMPORT_ONLY) == []


def test_install_aliases_both(clean_modules):
    assert mtcore.compat.install() == ("tgcrypto", "cryptg")
    import cryptg
    import tgcrypto

    assert tgcrypto is compat_tgcrypto
    assert cryptg is compat_cryptg
    assert mtcore.compat.installed() == ("tgcrypto", "cryptg")
    assert tgcrypto.ige256_encrypt(bytes(16), bytes(32), bytes(32)) == (
        cryptg.encrypt_ige(bytes(16), bytes(32), bytes(32))
    )


def test_install_is_idempotent(clean_modules):
    assert mtcore.compat.install() == ("tgcrypto", "cryptg")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mtcore.compat.install() == ("tgcrypto", "cryptg")


@pytest.mark.parametrize("names", ["cryptg", ["cryptg"], ("cryptg",)])
def test_install_some(clean_modules, names):
    assert mtcore.compat.install(names) == ("cryptg",)
    assert "tgcrypto" not in sys.modules
    assert mtcore.compat.installed() == ("cryptg",)


def test_unknown_name(clean_modules):
    with pytest.raises(ArgumentValueError, match="no drop-in for 'pyaes'"):
        mtcore.compat.install(["cryptg", "pyaes"])
    assert mtcore.compat.installed() == ()  # checked before any alias


def test_imported_module_is_left_alone(clean_modules):
    real = pytest.importorskip("tgcrypto")
    assert real is not compat_tgcrypto
    with pytest.warns(RuntimeWarning, match="tgcrypto is already imported") as record:
        assert mtcore.compat.install() == ("cryptg",)
    assert record[0].filename == __file__  # points at the caller
    assert sys.modules["tgcrypto"] is real
    assert mtcore.compat.installed() == ("cryptg",)


def test_blocked_import_is_left_alone(clean_modules):
    sys.modules["cryptg"] = None  # type: ignore[assignment]
    with pytest.warns(RuntimeWarning, match="cryptg is already imported"):
        assert mtcore.compat.install() == ("tgcrypto",)
    assert sys.modules["cryptg"] is None


def test_uninstall(clean_modules):
    mtcore.compat.install()
    assert mtcore.compat.uninstall(["tgcrypto"]) == ("tgcrypto",)
    assert mtcore.compat.installed() == ("cryptg",)
    assert mtcore.compat.uninstall() == ("cryptg",)
    assert mtcore.compat.uninstall() == ()
    assert not any(name in sys.modules for name in NAMES)


def test_uninstall_leaves_real_modules(clean_modules):
    real = pytest.importorskip("cryptg")
    assert mtcore.compat.uninstall() == ()
    assert sys.modules["cryptg"] is real


def test_no_top_level_package_is_shipped():
    # The aliases exist only at run time: the distribution has no
    # tgcrypto or cryptg module of its own.  Installed (as in CI): its
    # recorded files; run from a checkout: what pyproject.toml packages.
    from importlib import metadata

    try:
        dist = metadata.distribution("mtcore")
    except metadata.PackageNotFoundError:
        dist = None
    # (A wheel install has a RECORD; a checkout's stale egg-info has not.)
    if dist is not None and dist.read_text("RECORD") is not None:
        files = [str(f) for f in dist.files or ()]
        assert "mtcore/compat/tgcrypto.py" in files
        tops = {f.split("/")[0] for f in files}
        for name in NAMES:
            assert name not in tops and f"{name}.py" not in tops
        return
    tomllib = pytest.importorskip("tomllib")
    root = Path(MTCORE_ROOT)
    with open(root / "pyproject.toml", "rb") as f:
        packages = tomllib.load(f)["tool"]["setuptools"]["packages"]
    assert "mtcore.compat" in packages
    assert all(p == "mtcore" or p.startswith("mtcore.") for p in packages)
    for name in NAMES:
        assert not (root / name).exists() and not (root / f"{name}.py").exists()

_PYROGRAM_FIRST = """
import json, sys
import importlib.abc

class NoTgcrypto(importlib.abc.MetaPathFinder):
    # as on a machine without tgcrypto: Pyrogram falls back to pyaes
    def find_spec(self, name, path=None, target=None):
        if name == "tgcrypto":
            raise ImportError("No module named 'tgcrypto'")

sys.meta_path.insert(0, NoTgcrypto())
import logging
logging.disable(logging.WARNING)  # Pyrogram's "TgCrypto is missing!"
from pyrogram.crypto import aes
slow = aes.ige256_encrypt
sys.meta_path.pop(0)

import mtcore.compat
from mtcore import aes as mtcore_aes
done = mtcore.compat.install()
key, iv = bytes(range(32)), bytes(range(32, 64))
data = bytes(range(64))
iv16, state = bytearray(iv[:16]), bytearray(1)
ctr = aes.ctr256_encrypt(data, key, iv16, state)
print(json.dumps({
    "done": list(done),
    "ige": aes.ige256_encrypt(data, key, iv) == mtcore_aes.ige_encrypt(data, key, iv),
    "ours": aes.ige256_encrypt is not slow and aes.tgcrypto is sys.modules["tgcrypto"],
    "ctr": ctr == mtcore_aes.Ctr(key, iv[:16]).update(data) and state == bytearray(1),
    "removed": list(mtcore.compat.uninstall()),
    "restored": aes.ige256_encrypt is slow and not hasattr(aes, "tgcrypto"),
}))
"""


def test_install_after_pyrogram_fell_back():
    # Pyrogram binds its crypto when imported: one imported before
    # install() without tgcrypto runs pyaes, and install() must fix it.
    import_pyrogram()
    got = run_json(_PYROGRAM_FIRST)
    assert got == {
        "done": ["tgcrypto", "cryptg", "pyrogram.crypto.aes"],
        "ige": True,
        "ours": True,
        "ctr": True,
        "removed": ["tgcrypto", "cryptg", "pyrogram.crypto.aes"],
        "restored": True,
    }
