"""
The benchmark suite (``mtcore._bench``, ``mtcore bench``): the registry
its families fill, the filter keys and ``--list``, the limit loops, the
summary and per-call tables, noisy rows and ``--until-stable``, saved runs
(``--load``, ``--compare``, ``--markdown``, ``--plot``), the rivals'
child process and the end-to-end section.  Nothing here asserts a speed: the runs are tiny and only
their shape is checked.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from utils import load_tool

from mtcore import _backend, _bench
from mtcore._bench import cli, e2e, limits, report, rivals, run
from mtcore._bench.registry import (
    OPERATIONS,
    Batch,
    Contender,
    Operation,
    make_inputs,
    register,
)
from mtcore._bench.timing import Result
from mtcore.exceptions import ArgumentValueError, InvalidLength, MissingExtra

COMPILED = _backend.IMPLEMENTATION == "c"


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args([*argv, *([] if COMPILED else ["--pure"])])


def _bench_main(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = cli.main(_args(*argv), out)
    return status, out.getvalue()


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """
    A real quick run of two small cases (one a headline case, with its
    limit row where the extension runs), saved as JSON.
    """
    path = tmp_path_factory.mktemp("bench") / "run.json"
    status, text = _bench_main("--quick", "--filter", "sha", "--json", str(path))
    assert status == 0, text
    return path


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


# --- the registry --------------------------------------------------------------


def test_every_family_registers_operations():
    homes = {op.inputs.__module__ for op in OPERATIONS.values()}
    assert homes == {f"mtcore._bench.{f}" for f in _bench.FAMILIES}
    for op in OPERATIONS.values():
        assert op.contenders[0].name == "mtcore"
        assert set(op.headline) <= set(op.sizes)
        names = [c.name for c in op.contenders]
        assert len(names) == len(set(names)), op.name


def test_filter_keys_are_unique_and_listed(capsys):
    keys = [c.key for c in run.plan()]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9_]+/\d+(x\d+)?([KM]i)?B", k) for k in keys)
    assert cli.main(_args("--list"), sys.stdout) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == keys + run.thread_keys(False) + e2e.keys()
    assert cli.main(_args("--list", "--quick"), sys.stdout) == 0
    quick = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert set(quick) < set(listed)
    for op in OPERATIONS.values():
        # --quick keeps the headline sizes, else the smallest and largest.
        want = op.headline or {min(op.sizes), max(op.sizes)}
        assert {k for k in quick if k.startswith(op.name + "/")} == {
            run.case_key(op.name, s) for s in want
        }


def test_register_refuses_a_second_name_and_foreign_headline_sizes():
    first = next(iter(OPERATIONS.values()))
    with pytest.raises(ValueError, match="already registered"):
        register(first)
    odd = Operation(
        "test_only_never_registered",
        "t",
        (16,),
        lambda size: make_inputs(size, 16),
        (Contender("mtcore", lambda i: bytes),),
        headline=(64,),
    )
    with pytest.raises(ValueError, match="headline size"):
        register(odd)
    assert odd.name not in OPERATIONS


def test_quick_leaves_out_contenders_that_take_seconds():
    telethon = OPERATIONS["compat_factorize"].contender("telethon")
    assert "without --quick" in (telethon.skip_reason(Batch(50, 8), True) or "")
    pyaes = OPERATIONS["compat_telethon_ctr"].contender("pyaes")
    reason = pyaes.skip_reason(512 * 1024, True) or ""
    assert "too slow for --quick" in reason or "not installed" in reason


# --- the limit loops -----------------------------------------------------------


@pytest.mark.c_extension
def test_limit_loops_run_and_take_time(c_backend):
    for what in c_backend.LIMITS:
        lanes = 4 if what == "ige_encrypt_many" else 1
        ns = c_backend._limit_ns(what, 1024, 20, lanes)
        assert isinstance(ns, int) and ns > 0, what
        assert c_backend._limit_ns(what, 64, 0, lanes) >= 0
    assert c_backend._limit_ns("mtproto_decrypt", 512 * 1024, 2) > 0


@pytest.mark.c_extension
def test_limit_loops_reject_bad_input(c_backend):
    with pytest.raises(ArgumentValueError, match="what must be one of"):
        c_backend._limit_ns("nothing", 16, 1)
    with pytest.raises(InvalidLength, match="multiple of 16, got 20"):
        c_backend._limit_ns("ige_encrypt", 20, 1)
    with pytest.raises(InvalidLength, match="multiple of 4, got 6"):
        c_backend._limit_ns("mtproto_encrypt", 6, 1)
    with pytest.raises(ArgumentValueError, match="lanes must be in 1..64, got 65"):
        c_backend._limit_ns("ige_encrypt_many", 16, 1, 65)
    with pytest.raises(ArgumentValueError, match="size must be in"):
        c_backend._limit_ns("sha256", -1, 1)
    assert c_backend._limit_ns("ctr", 5, 3) >= 0  # CTR takes any length


def test_limits_where_there_are_none():
    # The pure twin has no limit loops, and says so.
    from mtcore import _py

    assert not hasattr(_py, "_limit_ns")
    if COMPILED:
        assert limits.unavailable() is None
    else:
        assert limits.unavailable() == "the pure-Python twin has no C limit loops"
    assert limits.limit_for("tl_decode_messages", 24496) is None
    assert limits.limit_for("ige_encrypt", 20) is None
    batch = limits.limit_for("ige_encrypt_many", Batch(16, 512 * 1024))
    assert batch is not None and batch.lanes == 16
    assert batch.size * batch.lanes <= limits.L1_BATCH_BYTES
    assert batch.size * batch.scale == 512 * 1024


# --- the report of a saved run -----------------------------------------------


def test_saved_run_has_summary_and_limit_rows(saved_run):
    doc = _load(saved_run)
    assert [c["key"] for c in doc["cases"]] == ["sha256/52B", "sha1/256B"]
    headline = [c for c in doc["cases"] if c["headline"]]
    rows = report.summary_rows(doc)
    assert [r["key"] for r in rows] == [c["key"] for c in headline]
    (row,) = rows
    names = [r["contender"] for r in headline[0]["results"]]
    assert names[0] == "mtcore"
    rivals_here = [n for n in names if not n.startswith("mtcore") and n != "C limit"]
    if rivals_here:
        best = min(
            (r for r in headline[0]["results"] if r["contender"] in rivals_here),
            key=lambda r: r["ratio"],
        )
        assert row["rival"] == best["contender"]
        assert row["ratio"] == best["ratio"]
    if COMPILED:
        assert names[-1] == "C limit"
        limit = headline[0]["results"][-1]
        assert row["of_limit"] == limit["median_ns"] / row["mtcore_ns"]
        assert doc["limits"]["kernels"] is not None
        assert headline[0]["limit"]["what"] == "sha256"
    else:
        assert "C limit" not in names and row["of_limit"] is None
        assert "no C limit loops" in doc["limits"]["reason"]
    assert all(len(r["samples_ns"]) == 3 for c in doc["cases"] for r in c["results"])


def test_text_report_starts_with_the_summary(saved_run):
    status, text = _bench_main("--load", str(saved_run))
    assert status == 0
    summary = text.index("\nSummary: mtcore against the fastest rival")
    hot = text.index("\nPer-call cost of the hot entry points")
    detail = text.index("\nSHA-256 (52 B")
    assert summary < hot < detail
    head = text[summary:].splitlines()[2].split()
    assert head[:3] == ["operation", "size", "mtcore"]
    assert "of limit" in text[summary:hot]
    line = text[summary:hot].splitlines()[3]
    assert line.split()[:3] == ["sha256", "52", "B"]


def test_compare_two_saved_runs(saved_run, tmp_path):
    new = _load(saved_run)
    old = copy.deepcopy(new)
    for case in old["cases"]:
        for r in case["results"]:
            r["median_ns"] *= 2  # twice as slow then
    old["cases"][1]["results"] = old["cases"][1]["results"][:1]
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(old), encoding="utf-8")
    status, text = _bench_main("--load", str(saved_run), "--compare", str(old_path))
    assert status == 0
    table = text[text.index("Then / now per row") :].splitlines()[2:]
    rows = [line.split() for line in table if line.strip()]
    both = len(new["cases"][0]["results"]) + 1
    assert len(rows) == both
    assert all(r[-3] == "2.00x" for r in rows)
    assert all(r[-2] == r[-1] for r in rows)  # the same ratios in both runs
    assert rows[-1][:2] == ["sha1/256B", "mtcore"]


def test_markdown_and_plot_of_a_saved_run(saved_run, tmp_path, monkeypatch):
    md = tmp_path / "run.md"
    status, _ = _bench_main("--load", str(saved_run), "--markdown", str(md))
    assert status == 0
    text = md.read_text(encoding="utf-8")
    assert "| operation | size | mtcore | best rival | rival/mtcore |" in text
    assert "| sha256 | 52 B |" in text
    # Without matplotlib: a clear error naming the extra.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingExtra, match="'plot' extra"):
        report.plot(_load(saved_run), str(tmp_path / "x.png"))
    status, _ = _bench_main("--load", str(saved_run), "--plot", str(tmp_path / "y.png"))
    assert status == 1 and not (tmp_path / "y.png").exists()


def test_plot_draws_the_summary(saved_run, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    png = tmp_path / "summary.png"
    status, _ = _bench_main("--load", str(saved_run), "--plot", str(png))
    assert status == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- noisy rows ----------------------------------------------------------------


def _case(results: list[Result]) -> run.Case:
    case = run.Case(OPERATIONS["sha1"], 256)
    case.results = results
    return case


def test_noisy_rows_and_runs():
    steady = Result("mtcore", 10, [100.0, 101.0, 100.0])
    shaky = Result("hashlib", 10, [100.0, 140.0, 100.0])
    doc = run.case_doc(_case([steady, shaky]))
    assert [r["noisy"] for r in doc["results"]] == [False, True]
    one = run.noise([doc])
    assert one["noisy_rows"] == 1 and one["rows"] == 2 and one["noisy"]
    calm = run.case_doc(_case([steady, steady, steady, steady]))
    assert run.noise([calm, calm]) == {
        **one,
        "rows": 8,
        "noisy_rows": 0,
        "noisy": False,
    }
    assert not run.noise([doc, calm, calm])["noisy"]  # 1 of 10 rows
    text = io.StringIO()
    report._detail({"cases": [doc]}, text)
    assert text.getvalue().splitlines()[-1].endswith("40% noisy")


def test_until_stable_times_a_noisy_case_again(monkeypatch):
    spreads = iter([0.5, 0.3, 0.05, 0.9])
    calls = []

    def fake(timers, samples, target_ns, progress):
        calls.append(len(timers))
        s = next(spreads)
        return [Result(name, 1, [100.0, 100.0 + 100 * s, 100.0]) for name, _ in timers]

    monkeypatch.setattr(run, "time_contenders", fake)
    config = run.Config(samples=3, target_ns=1, stable=5, limits=False)
    case = run.plan(keys=["sha1/256B"], only=["mtcore"])[0]
    run.run_case(case, config, run.Progress(None), only=["mtcore"])
    assert case.attempts == 3 and len(calls) == 3
    assert case.results[0].spread() == pytest.approx(0.05)
    case = run.plan(keys=["sha1/256B"], only=["mtcore"])[0]
    run.run_case(
        case, run.Config(stable=0, limits=False), run.Progress(None), ["mtcore"]
    )
    assert case.attempts == 1


# --- the rivals ----------------------------------------------------------------


def test_rivals_are_told_apart_by_distribution():
    tgcrypto, zig = rivals.RIVALS["tgcrypto"], rivals.RIVALS["tgcrypto-zig"]
    assert tgcrypto.module == zig.module == "tgcrypto"
    here = rivals.owner("tgcrypto")
    if here is None:
        assert rivals.rival_missing(tgcrypto)() == "tgcrypto is not installed here"
    else:
        # Whichever distribution's tgcrypto is installed, the other's row
        # does not run on it.
        mine, other = (tgcrypto, zig) if here == "tgcrypto" else (zig, tgcrypto)
        assert rivals.rival_missing(mine)() is None
        assert rivals.rival_missing(other)() == (
            f"tgcrypto here is {here}'s, not {other.name}'s"
        )
    every = {c.name for op in OPERATIONS.values() for c in op.contenders}
    assert set(rivals.RIVALS) <= every


def test_rival_cache_is_outside_the_source_tree(monkeypatch, tmp_path):
    monkeypatch.setenv("MTCORE_BENCH_CACHE", str(tmp_path))
    assert rivals.cache_dir().parent == tmp_path
    monkeypatch.delenv("MTCORE_BENCH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert str(rivals.cache_dir()).startswith(str(tmp_path / "xdg" / "mtcore"))


def test_a_rival_in_its_own_process(tmp_path):
    # The child process path, with a rival that needs no install: an empty
    # directory first on its path, then mtcore's.
    rival = rivals.RIVALS["hypercrypto"]
    if rivals.rival_missing(rival)() is not None:
        import hypercrypto  # noqa: F401  (names the missing test extra)

        pytest.fail("hypercrypto (a test extra) is installed but unusable")
    config = {**vars(run.QUICK), "target_ns": 100_000, "limits": False}
    got = rivals.run_worker(
        rival, tmp_path, {"cases": ["sha256/52B"], "config": config}
    )
    assert "error" not in got, got
    (case,) = got["cases"]
    assert case["key"] == "sha256/52B"
    assert [r["contender"] for r in case["results"]] == ["mtcore", "hypercrypto"]
    assert case["verified"] == ["hypercrypto"]
    docs = [json.loads(json.dumps(case))]
    docs[0]["results"] = docs[0]["results"][:1]
    docs[0]["verified"] = []
    run._merge("hypercrypto", got["cases"], {c["key"]: c for c in docs})
    merged = docs[0]["results"][1]
    assert merged["process"] == "own"
    assert merged["mtcore_ns"] == case["results"][0]["median_ns"]
    assert docs[0]["verified"] == ["hypercrypto"]


# --- the end-to-end section ---------------------------------------------------


def test_end_to_end_section_of_a_run(tmp_path):
    # A real run of two clients (Pyrogram on tgcrypto and on mtcore) each
    # logged in to a cluster, uploading: the rows, their ratio and the
    # reports.  CI installs both (the test extra).
    for name in ("pyrogram+tgcrypto", "pyrogram+mtcore"):
        assert e2e.missing(name) is None, e2e.missing(name)
    path = tmp_path / "e2e.json"
    status, text = _bench_main("--quick", "--filter", "e2e/upload/pyrogram", "--json", str(path))
    assert status == 0, text
    doc = _load(path)
    assert doc["cases"] == [] and doc["threads"] == []
    section = doc["e2e"]
    assert section["skipped"] == {} and section["repeats"] == 1
    slow, fast = section["rows"]
    assert [slow["key"], fast["key"]] == ["e2e/upload/pyrogram+tgcrypto", "e2e/upload/pyrogram+mtcore"]
    quick_count = dict((c, q) for c, _, q in e2e.WORKLOADS)["upload"]
    for row in (slow, fast):
        assert row["n"] == quick_count and row["unit"] == "MiB/s"
        assert row["wall_s"] > 0 and row["cpu_s"] > 0
        assert row["per_s"] == pytest.approx(quick_count * 0.5 / row["wall_s"])
        assert row["cpu_us_per_msg"] == pytest.approx(row["cpu_s"] / quick_count * 1e6)
    (ratio,) = section["ratios"]
    assert ratio["what"] == "Pyrogram: mtcore vs tgcrypto"
    assert ratio["wall"] == pytest.approx(slow["wall_s"] / fast["wall_s"])
    assert ratio["cpu"] == pytest.approx(slow["cpu_s"] / fast["cpu_s"])
    section_text = text[text.index("\nEnd to end: clients logged in to a test cluster"):]
    assert "pyrogram+mtcore" in section_text and "Pyrogram: mtcore vs tgcrypto" in section_text
    markdown = report.markdown(doc)
    assert "| pyrogram+tgcrypto | saveFilePart 512 KiB |" in markdown
    assert f"| Pyrogram: mtcore vs tgcrypto | saveFilePart 512 KiB | {ratio['wall']:.2f}x |" in markdown


def test_end_to_end_keys_ratios_and_missing_clients(monkeypatch):
    assert e2e.run("no such key") is None
    monkeypatch.setattr(e2e, "missing", lambda name: f"{name} is absent")
    # Every client missing: nothing is started, each is named.
    got = e2e.run("e2e/rpc/", quick=True)
    assert got == {
        "rows": [],
        "skipped": {n: f"{n} is absent" for n in e2e.CONTENDERS},
        "ratios": [],
        "repeats": 1,
    }
    rows = [
        e2e._row("mtcore", "rpc", {"n": 10, "wall": 0.001, "cpu": 0.0005}),
        e2e._row("telethon+cryptg", "rpc", {"n": 20, "wall": 0.006, "cpu": 0.002}),
        e2e._row("telethon+mtcore", "upload", {"n": 4, "wall": 0.02, "cpu": 0.01}),
    ]
    assert e2e.ratios(rows) == [
        {
            "what": "mtcore client vs Telethon+cryptg",
            "workload": rows[0]["workload"],
            "wall": pytest.approx(3.0),
            "cpu": pytest.approx(2.0),
        }
    ]
    assert rows[2]["per_s"] == pytest.approx(4 * 0.5 / 0.02)


# --- the README's tables -------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
README_TOOL = ROOT / "tools" / "bench_readme.py"
README_RUN = ROOT / "benches" / "readme-run.json"


@pytest.fixture(scope="module")
def readme_tool() -> Any:
    return load_tool(README_TOOL, "bench_readme")


def test_readme_blocks_are_drawn_from_a_run(readme_tool, saved_run, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- bench:summary -->\nold\n<!-- /bench:summary -->\n"
        "<!-- bench:hashes -->\n<!-- /bench:hashes -->\nend\n",
        encoding="utf-8",
    )
    args = [str(saved_run), "--readme", str(readme)]
    assert readme_tool.main([*args, "--check"]) == 1
    assert readme_tool.main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and text.startswith("intro\n") and text.endswith("end\n")
    assert "| sha256 | 52 B |" in text
    assert "| sha1 | 256 B |" in text
    assert readme_tool.main([*args, "--check"]) == 0


def test_readme_tables_are_the_committed_run(readme_tool):
    # Every figure in the README's performance tables is this run's.
    assert README_RUN.exists(), "benches/readme-run.json is missing"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- bench:(\w+) -->", text)
    assert set(blocks) == set(readme_tool.BLOCKS)
    assert readme_tool.main([str(README_RUN), "--check"]) == 0
