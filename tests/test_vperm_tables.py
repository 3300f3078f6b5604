"""
The tables of the vector-permute AES kernels
(``src_c/aes_vp_tables.h``, written by ``tools/gen_vperm_tables.py``):
up to date with the script, whose derivation holds on every byte (the
tower-field inversion, the S-box and its inverse, the MixColumns factors,
every lookup index one where NEON ``tbl`` and SSSE3 ``pshufb`` agree) and
whose model of the kernels' rounds and key layout gives FIPS-197's AES-256
example.  The kernels themselves are tested wherever a test takes a kernel
(``ssse3vp`` on x86-64, ``neonvp`` on AArch64).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen_vperm_tables.py"


@pytest.fixture(scope="module")
def gen() -> Any:
    if not TOOL.exists():
        pytest.skip("tools/gen_vperm_tables.py is not in this tree")
    spec = importlib.util.spec_from_file_location("gen_vperm_tables", TOOL)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_header_is_up_to_date(gen: Any) -> None:
    # --check derives the tables, checks them (as below) and compares.
    assert gen.main(["--check"]) == 0


def test_model_of_the_rounds(gen: Any) -> None:
    # FIPS-197 appendix C.3, and a second key and block against the first
    # model's own inverse.
    t = gen.tables()
    key = bytes(range(32))
    pt = bytes.fromhex("00112233445566778899aabbccddeeff")
    ct = bytes.fromhex("8ea2b7ca516745bfeafc49904b496089")
    assert gen.model_encrypt(t, key, pt) == ct
    assert gen.model_encrypt(t, key, pt, chained=True) == ct
    assert gen.model_decrypt(t, key, ct) == pt
    key2 = bytes(range(100, 132))
    assert gen.model_decrypt(t, key2, gen.model_encrypt(t, key2, ct)) == ct


def test_a_wrong_table_is_caught(gen: Any) -> None:
    # The check is not vacuous: one changed entry fails it.
    t = gen.tables()
    t["AK"] = [t["AK"][0], t["AK"][2], t["AK"][1], *t["AK"][3:]]
    with pytest.raises(AssertionError):
        gen.check(t)
