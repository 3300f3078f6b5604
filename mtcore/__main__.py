"""
The command line, as the ``mtcore`` console script or ``python -m mtcore``:

``mtcore bench [--quick] [--filter SUBSTR] [--rivals all] [--json FILE]
[--markdown FILE] [--plot FILE] [--compare OLD] [--load FILE] [--list]
[--until-stable N] [--pure]``: time mtcore against its rivals and this
machine's limits, and report (see ``mtcore/_bench/``).

``mtcore info [--json]``: what runs here (:func:`mtcore.backend_info`).

``mtcore qr (--url URL | --token-hex HEX) [--png FILE] [--svg FILE]``:
draw the QR code of a login URL in the terminal, or write it as images
(needs the ``qr`` extra, which brings segno: ``pip install segno``).

``mtcore serve [--dcs N] [--host H] [--port BASE] [--user SPEC]... [--auto-accept]
[--key FILE]``: run an in-process test cluster (:mod:`mtcore.testing`) on
loopback until Ctrl-C, after printing each DC's address and the RSA key
clients must trust.

``mtcore --version``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _add_qr_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="a tg://login?token=... URL")
    source.add_argument(
        "--token-hex", metavar="HEX", help="the login token bytes, in hex"
    )
    parser.add_argument("--png", metavar="FILE", help="write a PNG image to FILE")
    parser.add_argument("--svg", metavar="FILE", help="write an SVG image to FILE")
    parser.add_argument(
        "--scale",
        type=int,
        default=8,
        help="pixels per module in the PNG, SVG units in the SVG (default: 8)",
    )
    parser.add_argument(
        "--border",
        type=int,
        default=4,
        help="quiet zone around the code, in modules (default: 4)",
    )
    colors = parser.add_mutually_exclusive_group()
    colors.add_argument(
        "--light",
        action="store_true",
        help="the terminal has dark text on a light background",
    )
    colors.add_argument(
        "--ansi",
        action="store_true",
        help="colour the code black on white with ANSI escapes (any terminal)",
    )


def _qr_main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from mtcore import login
    from mtcore.exceptions import ArgumentValueError, MissingExtra

    try:
        if args.url is not None:
            # Checked, then drawn in the canonical form (no padding).
            token = login.parse_login_url(args.url)
        else:
            try:
                token = bytes.fromhex(args.token_hex)
            except ValueError:
                parser.error("--token-hex: not a hex string")
        url = login.login_url(token)
        if args.png is None and args.svg is None:
            print(
                login.qr_terminal(
                    url,
                    dark_background=not args.light,
                    ansi=args.ansi,
                    border=args.border,
                )
            )
            print(url)
            return 0
        if args.png is not None:
            login.qr_png(url, args.png, scale=args.scale, border=args.border)
            print(f"wrote {args.png}")
        if args.svg is not None:
            login.qr_svg(url, args.svg, scale=args.scale, border=args.border)
            print(f"wrote {args.svg}")
    except MissingExtra as exc:
        print(f"mtcore qr: {exc}", file=sys.stderr)
        return 1
    except ArgumentValueError as exc:
        parser.error(str(exc))
    return 0


def _add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dcs", type=int, default=2, metavar="N",
                        help="how many DCs, ids 1..N (default: 2)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="the loopback address to listen on: 127.0.0.1 or ::1")
    parser.add_argument("--port", type=int, default=0, metavar="BASE",
                        help="DC i listens on BASE + i (default: ports the system picks)")
    parser.add_argument(
        "--user", action="append", default=[], metavar="NAME[:PASSWORD][@DC]",
        help="an account to create (repeatable), with a 2FA password and a home DC",
    )
    parser.add_argument("--auto-accept", action="store_true",
                        help="the first --user accepts every QR login token at once")
    parser.add_argument("--key", metavar="FILE",
                        help="the RSA private key (PEM) to serve with (default: a new one)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every connection")


def _user_spec(text: str) -> tuple[str, str | None, int | None]:
    # NAME[:PASSWORD][@DC]
    rest, _, dc = text.rpartition("@") if "@" in text else (text, "", "")
    name, _, password = rest.partition(":")
    if not name or (dc and not dc.isdigit()):
        raise ValueError(text)
    return name, password or None, int(dc) if dc else None


def _serve_main(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from mtcore.exceptions import ArgumentValueError, MissingExtra, MtcoreError
    from mtcore.testing import TestCluster

    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s")
    try:
        users = [_user_spec(u) for u in args.user]
    except ValueError as exc:
        parser.error(f"--user: expected NAME[:PASSWORD][@DC], got {exc}")
    if args.auto_accept and not users:
        parser.error("--auto-accept needs a --user")
    if args.dcs < 1:
        parser.error("--dcs must be 1 or more")
    key = None
    if args.key is not None:
        with open(args.key, "rb") as f:
            key = f.read()
    ports = {dc: args.port + dc for dc in range(1, args.dcs + 1)} if args.port else None
    try:
        cluster = TestCluster(dcs=args.dcs, host=args.host, ports=ports, rsa_key=key)
        accounts = [cluster.add_user(n, password=p, dc=dc) for n, p, dc in users]
    except ArgumentValueError as exc:
        parser.error(str(exc))
    except MissingExtra as exc:  # the RSA key needs cryptography
        parser.exit(1, f"mtcore serve: {exc}\n")
    if args.auto_accept:
        cluster.auto_accept = accounts[0]

    async def serve() -> None:
        async with cluster:
            for dc, server in sorted(cluster.servers.items()):
                host, port = server.address
                print(f"DC {dc}: {host}:{port}")
            fp = cluster.fingerprint
            print(f"RSA key fingerprint: {fp & 0xFFFFFFFFFFFFFFFF:016x} (as a TL long: {fp})")
            print(cluster.public_pem.strip())
            for account in accounts:
                extra = ", 2FA password" if account.has_password else ""
                accepts = ", accepts every login token" if account is cluster.auto_accept else ""
                print(f"user {account.id} {account.first_name!r} on DC {account.dc}{extra}{accepts}")
            print("Serving until Ctrl-C.", flush=True)
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    except (MtcoreError, OSError) as exc:
        print(f"mtcore serve: {exc}", file=sys.stderr)
        return 1
    return 0


def _info_main(args: argparse.Namespace) -> int:
    import json

    import mtcore

    info = mtcore.backend_info()
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    impl = {"c": "compiled extension", "python": "pure-Python twin"}
    lines = [
        ("version", info["version"]),
        ("implementation", impl[info["implementation"]]),
        ("AES kernel", f"{info['aes']} (available: {', '.join(info['aes_kernels'])})"),
        ("SHA kernel", f"{info['sha']} (available: {', '.join(info['sha_kernels'])})"),
        ("CPU features", ", ".join(info["cpu_features"]) or "-"),
        ("switches", _switches(info)),
        ("imported from", info["package_dir"]),
        ("build", _build_text(info["build"])),
    ]
    if info["extension_error"]:
        lines.append(("extension error", info["extension_error"]))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key + ':':<{width + 1}} {value}")
    return 0


def _switches(info: dict[str, object]) -> str:
    on = [
        name
        for name, key in (
            ("MTCORE_PUREPYTHON", "pure_requested"),
            ("MTCORE_FORCE_PORTABLE", "force_portable"),
        )
        if info[key]
    ]
    return ", ".join(on) or "none"


def _build_text(build: object) -> str:
    if not isinstance(build, dict):
        return "a source tree (no build record)"
    if build.get("pure"):
        return "pure-Python install (MTCORE_PUREPYTHON at build time)"
    flags = " ".join(build.get("cflags", ()))
    return f"compiled{' (debug)' if build.get('debug') else ''}: {flags}"


def main(argv: Sequence[str] | None = None) -> int:
    from mtcore import __version__

    parser = argparse.ArgumentParser(
        prog="mtcore", description="mtcore: fast, safe MTProto crypto and TL."
    )
    parser.add_argument("--version", action="version", version=f"mtcore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    info = commands.add_parser(
        "info",
        help="what runs here: implementation, kernels, CPU features, build",
        description="Print mtcore.backend_info(): the implementation and "
        "kernels in use, those available, the CPU features, the switches, "
        "where mtcore was imported from and how it was built.",
    )
    info.add_argument("--json", action="store_true", help="print it as JSON")
    bench = commands.add_parser(
        "bench",
        help="time mtcore against its peers (tgcrypto, cryptg, ...)",
        description="Time mtcore against its peers and this machine's limits "
        "(C loops with no Python call), side by side in one run, after "
        "checking that every contender's output equals mtcore's; the report "
        "opens with a summary table.",
    )
    qr = commands.add_parser(
        "qr",
        help="draw the QR code of a tg://login URL",
        description="Draw the QR code of a QR-login URL (or of the URL of a "
        "token) in the terminal, or write it as PNG/SVG images. "
        "Needs segno (the qr extra): pip install segno.",
    )
    _add_qr_arguments(qr)
    serve = commands.add_parser(
        "serve",
        help="run a test cluster of MTProto DCs on loopback",
        description="Run an in-process MTProto test cluster (mtcore.testing) "
        "on loopback until Ctrl-C: print each DC's address and the RSA "
        "public key clients must trust, create the accounts asked for, and "
        "serve key exchanges, QR login (with 2FA and DC migration) and the "
        "calls a client makes on connecting.",
    )
    _add_serve_arguments(serve)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["qr"], ["info"], ["serve"]) or not argv or argv[0].startswith("-"):
        # The bench harness is not needed (nor imported) for these.
        args = parser.parse_args(argv)
        if args.command == "qr":
            return _qr_main(qr, args)
        if args.command == "serve":
            return _serve_main(serve, args)
        if args.command == "info":
            return _info_main(args)
        parser.print_help()
        return 2
    from mtcore._bench import cli as bench_cli

    bench_cli.add_arguments(bench)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return bench_cli.main(args)


if __name__ == "__main__":
    sys.exit(main())
