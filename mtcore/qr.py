"""
QR codes of login URLs (:func:`mtcore.login.login_url`): in a terminal, as
SVG and as PNG.

Drawing needs `segno <https://pypi.org/project/segno/>`_, a small
pure-Python QR encoder, from the optional extra ``qr``::

    pip install segno        # the ``qr`` extra of mtcore

Without it the functions raise :class:`~mtcore.exceptions.MissingExtra`
(an ``ImportError``) that says so.  Codes use error correction level M or
higher (segno raises the level where the size allows) and a quiet zone of
``border`` modules (4 by default, as ISO/IEC 18004 asks).
"""

from __future__ import annotations

import io
import os
from typing import IO, Any, Union, overload

from mtcore import _errors
from mtcore._args import int_at_least

__all__ = ["qr_png", "qr_svg", "qr_terminal"]

#: Where an image may go: a path, or a file object open for writing
#: (binary; text is accepted for SVG).
FileArg = Union[str, "os.PathLike[str]", IO[bytes], IO[str]]

# Upper and lower half blocks, full block: one character is two modules,
# the top one and the bottom one.
_CELLS = {
    (False, False): " ",
    (True, False): "\u2580",
    (False, True): "\u2584",
    (True, True): "\u2588",
}
# Black on bright white (SGR 30 and 107), then reset.
_ANSI_ON = "\x1b[30;107m"
_ANSI_OFF = "\x1b[0m"


def _segno() -> Any:
    try:
        import segno
    except ImportError:
        raise _errors.missing_extra("QR rendering", "segno", "qr") from None
    return segno


def _make(url: object) -> Any:
    if not isinstance(url, str):
        raise _errors.not_str("url", url)
    if not url:
        raise _errors.empty_str("url")
    return _segno().make_qr(url, error="m", boost_error=True)


def _check_border(border: object) -> int:
    if not isinstance(border, int) or isinstance(border, bool):
        raise _errors.not_int("border", border)
    if border < 0:
        raise _errors.negative("border", border)
    return border


def _check_scale(scale: object, integer: bool) -> Any:
    if integer:
        return int_at_least("scale", scale, 1)
    if not isinstance(scale, (int, float)) or isinstance(scale, bool):
        raise _errors.not_number("scale", scale)
    if not scale > 0:  # also refuses NaN
        raise _errors.not_positive("scale", scale)
    return scale


def qr_terminal(
    url: str, *, dark_background: bool = True, ansi: bool = False, border: int = 4
) -> str:
    """
    The QR code of ``url`` as text for a terminal: Unicode half blocks,
    two modules per character cell, so it is about as wide as it is tall.

    A scanner needs dark modules on a light ground, so the glyphs must
    draw whichever of the two the terminal's text colour is:

    * ``dark_background=True`` (the default; light text on a dark
      terminal): the glyphs draw the light modules and the quiet zone;
    * ``dark_background=False`` (dark text on a light terminal): the
      glyphs draw the dark modules;
    * ``ansi=True``: the lines carry ANSI colours (black on bright white),
      so the code reads the same on any terminal that shows colours;
      ``dark_background`` is then ignored.

    :param url: The text to encode, e.g. :func:`mtcore.login.login_url`.
    :param border: The quiet zone, in modules (4 is the standard's).
    :returns: The lines joined by ``"\\n"``, without a final newline.
    :raises mtcore.exceptions.MissingExtra: If segno is not installed.
    """
    border = _check_border(border)
    # matrix_iter: one row of 0/1 (1 = dark) per module row, border included.
    rows = _make(url).matrix_iter(scale=1, border=border)
    ink = bool(ansi or not dark_background)
    painted = [[bool(m) is ink for m in r] for r in rows]
    if len(painted) % 2:
        # A half row below the code, left in the terminal's background.
        painted.append([False] * len(painted[0]))
    lines = []
    for top, bottom in zip(painted[::2], painted[1::2]):
        line = "".join(_CELLS[t, b] for t, b in zip(top, bottom))
        lines.append(_ANSI_ON + line + _ANSI_OFF if ansi else line)
    return "\n".join(lines)


@overload
def qr_svg(
    url: str, file: None = None, *, scale: float = 4, border: int = 4
) -> bytes: ...
@overload
def qr_svg(url: str, file: FileArg, *, scale: float = 4, border: int = 4) -> None: ...
def qr_svg(
    url: str, file: FileArg | None = None, *, scale: float = 4, border: int = 4
) -> bytes | None:
    """
    The QR code of ``url`` as an SVG image: black modules on a white
    ground (the ground is drawn, so the code reads on dark pages too).

    :param url: The text to encode.
    :param file: None to get the bytes; else a path to write, or a file
        object open for writing (binary, or text for the UTF-8 SVG).
    :param scale: The size of a module in SVG user units (> 0).
    :param border: The quiet zone, in modules.
    :returns: The SVG document (UTF-8 bytes), or None if written to file.
    :raises mtcore.exceptions.MissingExtra: If segno is not installed.
    """
    scale = _check_scale(scale, integer=False)
    border = _check_border(border)
    out = io.BytesIO()
    _make(url).save(
        out, kind="svg", scale=scale, border=border, dark="#000", light="#fff"
    )
    return _output(out.getvalue(), file, "SVG")


@overload
def qr_png(
    url: str, file: None = None, *, scale: int = 8, border: int = 4
) -> bytes: ...
@overload
def qr_png(url: str, file: FileArg, *, scale: int = 8, border: int = 4) -> None: ...
def qr_png(
    url: str, file: FileArg | None = None, *, scale: int = 8, border: int = 4
) -> bytes | None:
    """
    The QR code of ``url`` as a PNG image: black on white, ``scale``
    pixels per module.

    :param url: The text to encode.
    :param file: None to get the bytes; else a path to write, or a file
        object open for binary writing.
    :param scale: Pixels per module (an int >= 1).
    :param border: The quiet zone, in modules.
    :returns: The PNG bytes, or None if written to file.
    :raises mtcore.exceptions.MissingExtra: If segno is not installed.
    """
    scale = _check_scale(scale, integer=True)
    border = _check_border(border)
    out = io.BytesIO()
    _make(url).save(
        out, kind="png", scale=scale, border=border, dark="#000", light="#fff"
    )
    return _output(out.getvalue(), file, "PNG")


def _output(data: bytes, file: FileArg | None, kind: str) -> bytes | None:
    if file is None:
        return data
    if isinstance(file, (str, os.PathLike)):
        with open(file, "wb") as f:
            f.write(data)
        return None
    if not callable(getattr(file, "write", None)):
        raise _errors.not_file("file", file)
    if isinstance(file, io.TextIOBase):
        if kind != "SVG":
            raise _errors.text_file("file", f"{kind} data")
        file.write(data.decode("utf-8"))
    else:
        file.write(data)  # type: ignore[arg-type]
    return None
