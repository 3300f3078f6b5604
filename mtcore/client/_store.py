"""
The client's session store: one SQLite database (stdlib ``sqlite3``) with
what a client must remember between runs.

Per DC: its address, the permanent auth key, the last server salt, the
server's clock offset and whether the key is logged in.  Once: the home
DC and the logged-in user (its TL bytes).  Every change is one
transaction (the write-ahead log of a file database, ``synchronous=FULL``):
a crash leaves the file as it was before or after the change, never in
between.  A file is created readable by its owner only (it holds auth
keys, which are as good as a password).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, replace
from typing import Any, Optional, Union

from mtcore import _errors, tl

__all__ = ["DCState", "SessionStore"]

#: The version of the database layout, in ``PRAGMA user_version``.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dcs (
    dc_id       INTEGER PRIMARY KEY,
    host        TEXT    NOT NULL,
    port        INTEGER NOT NULL,
    auth_key    BLOB,
    salt        INTEGER NOT NULL DEFAULT 0,
    time_offset REAL    NOT NULL DEFAULT 0,
    authorized  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS account (
    id      INTEGER PRIMARY KEY CHECK (id = 0),
    home_dc INTEGER,
    user    BLOB
);
INSERT OR IGNORE INTO account (id) VALUES (0);
"""

_COLUMNS = "dc_id, host, port, auth_key, salt, time_offset, authorized"


@dataclass(frozen=True)
class DCState:
    """
    What the store keeps of one DC.

    :param dc_id: The DC's id.
    :param host: Its address (an IP or a host name).
    :param port: Its TCP port.
    :param auth_key: The permanent auth key (256 bytes), or None before the
        key exchange.
    :param salt: The last server salt (a signed 64-bit int).
    :param time_offset: The server's clock minus ours, in seconds.
    :param authorized: Whether the key is logged in (by a login on this
        DC or an imported authorization).
    """

    dc_id: int
    host: str
    port: int
    auth_key: Optional[bytes] = None
    salt: int = 0
    time_offset: float = 0.0
    authorized: bool = False

    def __repr__(self) -> str:  # never the key
        key = "a key" if self.auth_key else "no key"
        login = ", authorized" if self.authorized else ""
        return f"DCState({self.dc_id}, {self.host}:{self.port}, {key}{login})"


class SessionStore:
    """
    A client's state in one SQLite database.

    :param path: The database file (created if missing, mode 0600), or
        ``":memory:"`` (the default) for a store that lives as long as
        the object.
    :raises mtcore.exceptions.ArgumentTypeError: If path is not a str or
        path-like.
    :raises mtcore.exceptions.ArgumentValueError: If the file is a database
        of a newer layout.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"] = ":memory:") -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise _errors.not_path("path", path)
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        if self.path != ":memory:" and not os.path.exists(self.path):
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        # Autocommit mode: every change below opens its own transaction.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _errors.store_version(self.path, version, SCHEMA_VERSION)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(
                f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;"
            )
        except BaseException:
            self._db.close()
            raise
        # The account row, read on every request: kept here too (this
        # object is its only writer).
        self._home, self._user = self._db.execute("SELECT home_dc, user FROM account").fetchone()
        self._user_obj: Any = None

    def __repr__(self) -> str:
        return f"<SessionStore {self.path!r}>"

    def _transaction(self) -> Any:
        return _Transaction(self)

    # DCs --------------------------------------------------------------------

    def dc(self, dc_id: int) -> Optional[DCState]:
        """
        What is stored of DC ``dc_id``, or None.
        """
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM dcs WHERE dc_id = ?", (dc_id,)).fetchone()
        return None if row is None else _state(row)

    def dcs(self) -> list[DCState]:
        """
        Every stored DC, by id.
        """
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM dcs ORDER BY dc_id").fetchall()
        return [_state(row) for row in rows]

    def save_dc(self, state: DCState) -> None:
        """
        Store ``state`` (replacing what was stored of that DC).
        """
        with self._transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO dcs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (state.dc_id, state.host, state.port, state.auth_key, state.salt,
                 float(state.time_offset), int(state.authorized)),
            )

    def update_dc(self, dc_id: int, **fields: Any) -> DCState:
        """
        Change some fields of a stored DC (the names of :class:`DCState`).

        :returns: The new state.
        """
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM dcs WHERE dc_id = ?", (dc_id,)).fetchone()
        if row is None:
            raise _errors.store_no_dc(dc_id)
        state = replace(_state(row), **fields)
        self.save_dc(state)
        return state

    # the account ------------------------------------------------------------

    @property
    def home_dc(self) -> Optional[int]:
        """
        The DC the account lives on (where requests go by default), or None.
        """
        return self._home  # type: ignore[no-any-return]

    def set_home_dc(self, dc_id: int) -> None:
        """
        Make ``dc_id`` the home DC.
        """
        with self._transaction() as db:
            db.execute("UPDATE account SET home_dc = ?", (dc_id,))
        self._home = dc_id

    @property
    def user(self) -> Any:
        """
        The logged-in user (a TL ``User``), or None.
        """
        if self._user is not None and self._user_obj is None:
            self._user_obj = tl.decode(self._user, type="User")
        return self._user_obj

    def save_login(self, user: Any, dc_id: int) -> None:
        """
        Record a login: the user, and ``dc_id`` as the home DC and
        authorized, in one transaction.
        """
        raw = bytes(user)
        with self._transaction() as db:
            db.execute("UPDATE account SET home_dc = ?, user = ?", (dc_id, raw))
            db.execute("UPDATE dcs SET authorized = 1 WHERE dc_id = ?", (dc_id,))
        self._home, self._user, self._user_obj = dc_id, raw, None

    def clear_login(self) -> None:
        """
        Forget the user and every DC's authorization (after a logout, or
        when the server says the key is no longer logged in).
        """
        with self._transaction() as db:
            db.execute("UPDATE account SET user = NULL")
            db.execute("UPDATE dcs SET authorized = 0")
        self._user = self._user_obj = None

    def close(self) -> None:
        """
        Close the database (a ``":memory:"`` store is then gone).
        """
        with self._lock:
            self._db.close()


class _Transaction:
    # BEGIN IMMEDIATE ... COMMIT under the store's lock; ROLLBACK on error.
    def __init__(self, store: SessionStore) -> None:
        self._store = store

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        try:
            self._store._db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._store._lock.release()
            raise
        return self._store._db

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        try:
            self._store._db.execute("ROLLBACK" if kind is not None else "COMMIT")
        finally:
            self._store._lock.release()


def _state(row: tuple[Any, ...]) -> DCState:
    dc_id, host, port, key, salt, offset, authorized = row
    return DCState(dc_id, host, port, None if key is None else bytes(key), salt, offset, bool(authorized))
