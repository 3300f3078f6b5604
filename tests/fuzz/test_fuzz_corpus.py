"""
The fuzz corpus as a regression suite: every committed input of
``corpus/<target>/`` goes through its target function (compiled and pure
side by side where the target compares them; the pure side alone under
``MTCORE_PUREPYTHON=1``), without atheris.  The seeds are what
``make_corpus.py`` writes, and every target has its corpus.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from fuzzlib import CORPUS, HERE

TARGETS = sorted(p.stem[len("fuzz_") :] for p in HERE.glob("fuzz_*.py"))


def _inputs() -> list[Any]:
    return [
        pytest.param(target, path, id=f"{target}/{path.name}")
        for target in TARGETS
        for path in sorted((CORPUS / target).glob("*"))
    ]


@pytest.mark.parametrize("target, path", _inputs())
def test_corpus_input(target: str, path: Path) -> None:
    module = importlib.import_module(f"fuzz_{target}")
    module.target(path.read_bytes())


def test_every_target_has_a_corpus() -> None:
    assert len(TARGETS) >= 5, TARGETS
    assert sorted(p.name for p in CORPUS.iterdir()) == TARGETS
    for target in TARGETS:
        assert len(list((CORPUS / target).iterdir())) >= 5, target


def test_seeds_are_committed() -> None:
    make_corpus = importlib.import_module("make_corpus")
    for target, files in make_corpus.seeds().items():
        for name, content in files.items():
            path = CORPUS / target / name
            assert path.is_file(), f"{path} missing: run tests/fuzz/make_corpus.py"
            assert path.read_bytes() == content, f"{path} is stale: run make_corpus.py"
