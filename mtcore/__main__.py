"""
``python -m mtcore bench [--quick] [--json FILE] [--filter SUBSTR]``: time
mtcore against the installed peers (see ``mtcore/_bench.py``).

``python -m mtcore qr (--url URL | --token-hex HEX) [--png FILE] [--svg FILE]``:
draw the QR code of a login URL in the terminal, or write it as images
(needs the extra ``qr``: ``pip install 'mtcore[qr]'``).
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
        print(f"python -m mtcore qr: {exc}", file=sys.stderr)
        return 1
    except ArgumentValueError as exc:
        parser.error(str(exc))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtcore")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = commands.add_parser(
        "bench",
        help="time mtcore against its peers (tgcrypto, cryptg, ...)",
        description="Time mtcore against the installed peers, side by side "
        "in one run, after checking that every contender's output equals "
        "mtcore's.",
    )
    qr = commands.add_parser(
        "qr",
        help="draw the QR code of a tg://login URL",
        description="Draw the QR code of a QR-login URL (or of the URL of a "
        "token) in the terminal, or write it as PNG/SVG images. "
        "Needs segno: pip install 'mtcore[qr]'.",
    )
    _add_qr_arguments(qr)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["qr"]:
        # The bench harness is not needed (nor imported) to draw a QR code.
        args = parser.parse_args(argv)
        return _qr_main(qr, args)
    from mtcore import _bench

    _bench.add_arguments(bench)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return _bench.main(args)


if __name__ == "__main__":
    sys.exit(main())
