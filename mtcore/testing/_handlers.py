"""
The built-in handlers of the test server: what a client needs to connect,
log in by QR code (with 2FA and DC migration), look at itself and move
files.  Each is ``handler(ctx, request)`` as :meth:`TestServer.handler`
describes; errors are Telegram's (core.telegram.org/api/errors and each
method's page).
"""

from __future__ import annotations

import hmac
import struct
from typing import TYPE_CHECKING, Any, Callable

from mtcore import tl
from mtcore.exceptions import MtcoreError, RpcError
from mtcore.handshake import verify_bind_temp_auth_key

if TYPE_CHECKING:
    from mtcore.testing._accounts import Account
    from mtcore.testing._server import Context, _Key

T = tl.types
BUILTIN: dict[str, Callable[..., Any]] = {}

#: A handler's result meaning "no rpc_result" (it answered otherwise).
NO_REPLY = object()

_MAX_PART = 512 * 1024  # the largest upload part (core.telegram.org/api/files)
_MAX_PARTS = 4000  # parts of a file (8000 for premium users; one limit here)
_MIB = 1 << 20
_LONG = struct.Struct("<q")
# The longest chain of invokeWith* wrappers unwrapped.
_MAX_WRAPPERS = 8


def _builtin(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        BUILTIN[name] = fn
        return fn

    return register


def unwrap(key: _Key, query: Any) -> Any:
    """
    The query inside ``invokeWithLayer``, ``initConnection`` and the other
    ``invoke*`` wrappers (whose layer and connection fields are kept on
    the key).
    """
    for _ in range(_MAX_WRAPPERS):
        name = query.tl_name
        if name == "invokeWithLayer":
            key.layer = query.layer
        elif name == "initConnection":
            key.init = {k: v for k, v in query if k != "query"}
        elif not (name.startswith("invoke") and hasattr(query, "query")):
            return query
        query = query.query
    raise RpcError(400, "INPUT_REQUEST_TOO_LONG")


def _authorization(user: Account) -> Any:
    return T.auth.authorization(user=user.to_tl(is_self=True))


def _log_in(ctx: Context, user: Account) -> Any:
    # The end of a QR login on the user's DC: done, or the password first.
    holder = ctx._perm()
    if user.has_password:
        holder.password_user = user
        raise RpcError(401, "SESSION_PASSWORD_NEEDED")
    ctx.authorize(user)
    return T.auth.loginTokenSuccess(authorization=_authorization(user))


# --- connection ------------------------------------------------------------------------


@_builtin("help.getConfig")
def get_config(ctx: Context, request: Any) -> Any:
    now = int(ctx.now)
    options = [
        T.dcOption(ipv6=":" in server.host, id=dc, ip_address=server.host, port=server.port)
        for dc, server in sorted(ctx.cluster.servers.items())
    ]
    return T.config(
        date=now,
        expires=now + 3600,
        test_mode=False,
        this_dc=ctx.dc_id,
        dc_options=options,
        dc_txt_domain_name="",
        chat_size_max=200,
        megagroup_size_max=200000,
        forwarded_count_max=100,
        online_update_period_ms=210000,
        offline_blur_timeout_ms=5000,
        offline_idle_timeout_ms=30000,
        online_cloud_timeout_ms=300000,
        notify_cloud_delay_ms=30000,
        notify_default_delay_ms=1500,
        push_chat_period_ms=60000,
        push_chat_limit=2,
        edit_time_limit=172800,
        revoke_time_limit=2147483647,
        revoke_pm_time_limit=2147483647,
        rating_e_decay=2419200,
        stickers_recent_limit=200,
        channels_read_media_period=604800,
        call_receive_timeout_ms=20000,
        call_ring_timeout_ms=90000,
        call_connect_timeout_ms=30000,
        call_packet_timeout_ms=10000,
        me_url_prefix="https://t.me/",
        caption_length_max=1024,
        message_length_max=4096,
        webfile_dc_id=ctx.dc_id,
    )


@_builtin("help.getNearestDc")
def get_nearest_dc(ctx: Context, request: Any) -> Any:
    return T.nearestDc(country="ZZ", this_dc=ctx.dc_id, nearest_dc=ctx.dc_id)


@_builtin("ping")
@_builtin("ping_delay_disconnect")
def ping(ctx: Context, request: Any) -> Any:
    # A ping wrapped in invokeWithoutUpdates & co. comes here as a query
    # (a bare one is answered by the session).
    if request.tl_name == "ping_delay_disconnect":
        ctx._session.disconnect_at = ctx.now + request.disconnect_delay
    return T.pong(msg_id=ctx.msg_id, ping_id=request.ping_id)


@_builtin("destroy_session")
def destroy_session(ctx: Context, request: Any) -> Any:
    # Answered by a message of its own, not an rpc_result (as Telegram
    # does, and Telethon expects).
    others = [s for _, s in ctx.server._sessions_of(ctx.auth_key_id) if s is not ctx._session]
    found = any(s.session_id == request.session_id for s in others)
    answer = T.destroy_session_ok if found else T.destroy_session_none
    ctx.push(answer(session_id=request.session_id))
    return NO_REPLY


@_builtin("rpc_drop_answer")
def rpc_drop_answer(ctx: Context, request: Any) -> Any:
    # Every answer is sent as soon as it is made: nothing left to drop.
    return T.rpc_answer_unknown()


@_builtin("auth.bindTempAuthKey")
def bind_temp_auth_key(ctx: Context, request: Any) -> Any:
    key = ctx._key
    if key.expires_at is None:
        raise RpcError(400, "TEMP_AUTH_KEY_EMPTY")
    if key.perm is not None:
        raise RpcError(400, "TEMP_AUTH_KEY_ALREADY_BOUND")
    perm = ctx.server._keys.get(_LONG.pack(request.perm_auth_key_id))
    if perm is None or perm.expires_at is not None:
        raise RpcError(400, "ENCRYPTED_MESSAGE_INVALID")
    try:
        expires_at = verify_bind_temp_auth_key(
            request,
            perm.auth_key,
            temp_key=key.auth_key,
            temp_session_id=ctx.session_id,
            msg_id=ctx.msg_id,
        )
    except MtcoreError:
        raise RpcError(400, "ENCRYPTED_MESSAGE_INVALID") from None
    key.perm = perm
    key.expires_at = min(key.expires_at, expires_at)
    return True


# --- QR login ------------------------------------------------------------------------


@_builtin("auth.exportLoginToken")
def export_login_token(ctx: Context, request: Any) -> Any:
    holder = ctx._perm()
    if request.api_id <= 0 or not request.api_hash:
        raise RpcError(400, "API_ID_INVALID")
    store = ctx.cluster._store
    tok = holder.login_token
    if tok is not None and tok.user is not None:
        # Accepted since: logged in here, or off to the user's DC.
        holder.login_token = None
        store.consume(tok)
        user = tok.user
        if user.dc != ctx.dc_id:
            moved = store.issue(user.dc, ctx.auth_key_id, user=user)
            return T.auth.loginTokenMigrateTo(dc_id=user.dc, token=moved.token)
        return _log_in(ctx, user)
    if holder.user is not None:
        return T.auth.loginTokenSuccess(authorization=_authorization(holder.user))
    tok = store.issue(ctx.dc_id, ctx.auth_key_id, except_ids=frozenset(request.except_ids))
    holder.login_token = tok
    ctx.cluster._issued(tok)
    return T.auth.loginToken(expires=tok.expires, token=tok.token)


@_builtin("auth.importLoginToken")
def import_login_token(ctx: Context, request: Any) -> Any:
    ctx._perm()
    store = ctx.cluster._store
    tok = store.token(request.token)
    if not tok.migrate or tok.user is None:
        raise RpcError(400, "AUTH_TOKEN_INVALID")
    if tok.user.dc != ctx.dc_id:
        return T.auth.loginTokenMigrateTo(dc_id=tok.user.dc, token=tok.token)
    store.consume(tok)
    return _log_in(ctx, tok.user)


@_builtin("auth.acceptLoginToken")
def accept_login_token(ctx: Context, request: Any) -> Any:
    user = ctx.require_user()
    tok = ctx.cluster._accept(request.token, user)
    return ctx.cluster._authorization_of(tok)


@_builtin("account.getPassword")
def get_password(ctx: Context, request: Any) -> Any:
    holder = ctx._perm()
    user = holder.password_user or holder.user
    if user is None:
        raise RpcError(401, "AUTH_KEY_UNREGISTERED")
    return user.password_info()


@_builtin("auth.checkPassword")
def check_password(ctx: Context, request: Any) -> Any:
    holder = ctx._perm()
    user = holder.password_user or holder.user
    if user is None:
        raise RpcError(401, "AUTH_KEY_UNREGISTERED")
    user.check_password(request.password)
    ctx.authorize(user)
    return _authorization(user)


@_builtin("auth.exportAuthorization")
def export_authorization(ctx: Context, request: Any) -> Any:
    user = ctx.require_user(home=False)
    if request.dc_id == ctx.dc_id or request.dc_id not in ctx.cluster.servers:
        raise RpcError(400, "DC_ID_INVALID")
    ident, data = ctx.cluster._store.export(user, request.dc_id)
    return T.auth.exportedAuthorization(id=ident, bytes=data)


@_builtin("auth.importAuthorization")
def import_authorization(ctx: Context, request: Any) -> Any:
    ctx._perm()
    user = ctx.cluster._store.import_(request.id, request.bytes, ctx.dc_id)
    ctx.authorize(user)
    return _authorization(user)


@_builtin("auth.logOut")
def log_out(ctx: Context, request: Any) -> Any:
    ctx.require_user(home=False)
    ctx.authorize(None)
    return T.auth.loggedOut()


#: The built-in methods a bot may not call (core.telegram.org/method/...:
#: none of these says "Bots can use this method"), with a few common
#: user-only methods that clients call after logging in.
USER_ONLY = frozenset(
    (
        "auth.exportLoginToken",
        "auth.importLoginToken",
        "auth.acceptLoginToken",
        "account.getPassword",
        "auth.checkPassword",
        "auth.sendCode",
        "auth.signIn",
        "messages.getDialogs",
        "contacts.getContacts",
    )
)


@_builtin("auth.importBotAuthorization")
def import_bot_authorization(ctx: Context, request: Any) -> Any:
    ctx._perm()
    if request.api_id <= 0 or not request.api_hash:
        raise RpcError(400, "API_ID_INVALID")
    ident, _, _ = request.bot_auth_token.partition(":")
    bot = ctx.cluster._store.accounts.get(int(ident)) if ident.isdigit() else None
    if bot is None or bot.bot_token is None or not hmac.compare_digest(
        bot.bot_token.encode(), request.bot_auth_token.encode()
    ):
        raise RpcError(400, "ACCESS_TOKEN_INVALID")
    if bot.dc != ctx.dc_id:
        raise RpcError(303, f"USER_MIGRATE_{bot.dc}")
    ctx.authorize(bot)
    return _authorization(bot)


# --- the user ------------------------------------------------------------------------


def _input_user(ctx: Context, me: Account, input_user: Any) -> Account | None:
    name = input_user.tl_name
    if name == "inputUserSelf":
        return me
    if name in ("inputUser", "inputUserFromMessage"):
        return ctx.cluster._store.accounts.get(input_user.user_id)
    return None


@_builtin("users.getUsers")
def get_users(ctx: Context, request: Any) -> Any:
    me = ctx.require_user()
    found = (_input_user(ctx, me, u) for u in request.id)
    return [user.to_tl(is_self=user is me) for user in found if user is not None]


@_builtin("users.getFullUser")
def get_full_user(ctx: Context, request: Any) -> Any:
    me = ctx.require_user()
    user = _input_user(ctx, me, request.id)
    if user is None:
        raise RpcError(400, "USER_ID_INVALID")
    full = T.userFull(
        id=user.id,
        settings=T.peerSettings(),
        notify_settings=T.peerNotifySettings(),
        common_chats_count=0,
    )
    return T.users.userFull(full_user=full, chats=[], users=[user.to_tl(is_self=user is me)])


@_builtin("updates.getState")
def get_state(ctx: Context, request: Any) -> Any:
    ctx.require_user()
    return T.updates.state(pts=1, qts=0, date=int(ctx.now), seq=0, unread_count=0)


@_builtin("updates.getDifference")
def get_difference(ctx: Context, request: Any) -> Any:
    ctx.require_user()
    return T.updates.differenceEmpty(date=int(ctx.now), seq=0)


# --- files ------------------------------------------------------------------------


def _save_part(ctx: Context, request: Any, total: int) -> Any:
    ctx.require_user(home=False)
    if not 0 <= request.file_part < min(total, _MAX_PARTS):
        raise RpcError(400, "FILE_PART_INVALID")
    if not request.bytes:
        raise RpcError(400, "FILE_PART_EMPTY")
    if len(request.bytes) > _MAX_PART:
        raise RpcError(400, "FILE_PART_TOO_BIG")
    ctx.cluster._store.save_part(ctx.dc_id, request.file_id, request.file_part, request.bytes)
    return True


@_builtin("upload.saveFilePart")
def save_file_part(ctx: Context, request: Any) -> Any:
    return _save_part(ctx, request, _MAX_PARTS)


@_builtin("upload.saveBigFilePart")
def save_big_file_part(ctx: Context, request: Any) -> Any:
    if not 0 < request.file_total_parts <= _MAX_PARTS:
        raise RpcError(400, "FILE_PARTS_INVALID")
    return _save_part(ctx, request, request.file_total_parts)


@_builtin("upload.getFile")
def get_file(ctx: Context, request: Any) -> Any:
    # An uploaded file is read as inputDocumentFileLocation(id=file_id).
    ctx.require_user(home=False)
    location = request.location
    if location.tl_name != "inputDocumentFileLocation":
        raise RpcError(400, "LOCATION_INVALID")
    found = ctx.cluster._store.file(location.id)
    if found is None:
        raise RpcError(400, "LOCATION_INVALID")
    dc, data = found
    if dc != ctx.dc_id:
        raise RpcError(303, f"FILE_MIGRATE_{dc}")
    # The rules of core.telegram.org/api/files ("Downloading files").
    offset, limit = request.offset, request.limit
    align = 1024 if request.precise else 4096
    if not 0 < limit <= _MIB or limit % align or (not request.precise and _MIB % limit):
        raise RpcError(400, "LIMIT_INVALID")
    if offset < 0 or offset % align:
        raise RpcError(400, "OFFSET_INVALID")
    if not request.precise and offset // _MIB != (offset + limit - 1) // _MIB:
        raise RpcError(400, "LIMIT_INVALID")
    return T.upload.file(
        type=T.storage.filePartial(), mtime=int(ctx.now), bytes=data[offset : offset + limit]
    )
