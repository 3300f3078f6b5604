"""
mtcore.client.SessionStore: what it keeps, in a file and in memory; the
file's mode; a layout from a newer mtcore refused; and crash safety: a
writer killed at random moments leaves a database that passes SQLite's
integrity check and whose every change is whole.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from compat_utils import TESTS_DIR
from mtcore import tl
from mtcore.client import DCState, SessionStore
from mtcore.client._store import SCHEMA_VERSION
from mtcore.exceptions import ArgumentTypeError, ArgumentValueError

KEY = bytes(range(256))
USER = tl.types.user(id=777, first_name="Ann", self=True)


def _fill(store: SessionStore) -> None:
    store.save_dc(DCState(2, "127.0.0.1", 4430, KEY, salt=-5, time_offset=1.5))
    store.save_dc(DCState(4, "127.0.0.2", 4431))
    store.set_home_dc(2)


@pytest.mark.parametrize("where", ["memory", "file"])
def test_round_trip(tmp_path: Path, where: str) -> None:
    store = SessionStore() if where == "memory" else SessionStore(tmp_path / "s.session")
    assert store.home_dc is None and store.user is None and store.dcs() == []
    _fill(store)
    assert store.dc(2) == DCState(2, "127.0.0.1", 4430, KEY, -5, 1.5, False)
    assert store.dc(3) is None
    assert [s.dc_id for s in store.dcs()] == [2, 4]
    assert store.update_dc(4, auth_key=KEY[::-1], salt=9).auth_key == KEY[::-1]
    store.save_login(USER, 4)
    assert store.user == USER and store.home_dc == 4 and store.dc(4).authorized  # type: ignore[union-attr]
    assert not store.dc(2).authorized  # type: ignore[union-attr]
    store.clear_login()
    assert store.user is None and not any(s.authorized for s in store.dcs())
    assert store.home_dc == 4
    store.close()


def test_file_persists_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "s.session"
    store = SessionStore(str(path))
    _fill(store)
    store.save_login(USER, 2)
    store.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = SessionStore(path)
    assert again.home_dc == 2 and again.user == USER
    assert again.dc(2) == DCState(2, "127.0.0.1", 4430, KEY, -5, 1.5, True)
    again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_repr_hides_the_key() -> None:
    text = repr(DCState(2, "h", 1, KEY, authorized=True))
    assert text == "DCState(2, h:1, a key, authorized)" and KEY.hex() not in text


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ArgumentTypeError, match="^path must be a str or path-like object, not 'int'$"):
        SessionStore(5)  # type: ignore[arg-type]
    with pytest.raises(ArgumentValueError, match="^the session store has no DC 3$"):
        SessionStore().update_dc(3, salt=1)
    path = tmp_path / "new.session"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(ArgumentValueError, match="has layout version 2; this mtcore knows versions up to 1"):
        SessionStore(path)


# A writer that alternates two states, each written by one transaction
# that changes both tables: logged in (the user, its DC authorized, the
# salt = i) and logged out (no user, no DC authorized, the salt = -i).
_WRITER = textwrap.dedent(
    """
    import sys
    from mtcore import tl
    from mtcore.client import DCState, SessionStore
    store = SessionStore(sys.argv[1])
    user = tl.types.user(id=1, first_name="x" * 2000)
    store.save_dc(DCState(1, "h", 1, bytes(256)))
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        with store._transaction() as db:
            if i % 2:
                db.execute("UPDATE account SET user = ?, home_dc = 1", (bytes(user),))
                db.execute("UPDATE dcs SET authorized = 1, salt = ?", (i,))
            else:
                db.execute("UPDATE account SET user = NULL")
                db.execute("UPDATE dcs SET authorized = 0, salt = ?", (-i,))
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.45])
def test_killed_writer_leaves_whole_changes(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "crash.session"
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, text=True,
        cwd=TESTS_DIR,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = SessionStore(path)
    state = store.dc(1)
    assert state is not None
    if store.user is None:
        assert not state.authorized and state.salt <= 0
    else:
        assert state.authorized and state.salt > 0 and store.user.first_name == "x" * 2000
    store.close()
