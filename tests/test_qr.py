"""
QR rendering (``mtcore.qr``, re-exported by ``mtcore.login``) and the
``python -m mtcore qr`` command.

Every image is read back by a real decoder, zxing-cpp, which must return
the exact URL: the PNG through Pillow, the SVG through a small rasterizer
of the path it draws, the terminal text by turning each half-block
character into two pixels in the colours of a dark or a light terminal.
The decoder runs with ``try_invert=False``, so a code drawn in the wrong
polarity for its terminal does not read (checked as a negative control
where zxing-cpp has the option: not in 2.3.0, Python 3.9's newest).

segno, zxing-cpp, Pillow and numpy come with the ``test`` extra; without
them the module is skipped.  Without segno the functions must raise
``MissingExtra`` (checked by hiding segno).
"""

from __future__ import annotations

import io
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

segno = pytest.importorskip("segno")
zxingcpp = pytest.importorskip("zxingcpp")
np = pytest.importorskip("numpy")
Image = pytest.importorskip("PIL.Image")

from test_login import STEPS, URL_VECTORS

import mtcore.login
import mtcore.qr
from mtcore.__main__ import main
from mtcore.exceptions import (
    ArgumentTypeError,
    ArgumentValueError,
    MissingExtra,
    MtcoreError,
)
from mtcore.login import login_url, qr_png, qr_svg, qr_terminal

URLS = [
    *(v["url"] for v in URL_VECTORS),
    next(s["url"] for s in STEPS if "url" in s),
    login_url(bytes(range(32))),
    login_url(bytes(range(256)) * 2),  # a long token: a large code
]
URL_IDS = [f"{len(u)}-chars" for u in URLS]

# Grey levels of the text (ink) and background of two terminal themes.
DARK_TERMINAL = (230, 30)
LIGHT_TERMINAL = (20, 255)

_HALVES = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
_ANSI = re.compile(r"\x1b\[([0-9;]*)m")


def _reads_inverted() -> bool:
    # zxing-cpp 2.3.0, the last release with wheels for Python 3.9, has no
    # try_invert option.
    try:
        zxingcpp.read_barcodes(np.zeros((8, 8), dtype=np.uint8), try_invert=False)
    except TypeError:
        return True
    return False


# Whether this zxing-cpp always tries the inverted image too.
READS_INVERTED = _reads_inverted()


def decode(pixels: Any) -> list[str]:
    """
    The QR codes zxing-cpp finds in a greyscale image (dark on light only,
    where the decoder has the option).
    """
    options = {} if READS_INVERTED else {"try_invert": False}
    results = zxingcpp.read_barcodes(
        np.ascontiguousarray(pixels, dtype=np.uint8),
        formats=zxingcpp.BarcodeFormat.QRCode,
        **options,
    )
    return [r.text for r in results]


def upscale(pixels: Any, factor: int) -> Any:
    return np.kron(pixels, np.ones((factor, factor), dtype=np.uint8))


def terminal_image(text: str, theme: tuple[int, int], scale: int = 4) -> Any:
    """
    ``text`` as a terminal would show it: each character cell two pixels
    high (top and bottom half) and one wide, upper/lower half blocks and
    full blocks in the ink colour, spaces in the background colour, and a
    margin of background around it (the rest of the window).  ANSI colour
    codes (only ``30;107`` and ``0``) switch to black ink on white.
    """
    ink, ground = theme
    rows: list[list[int]] = []
    for line in text.split("\n"):
        top: list[int] = []
        bottom: list[int] = []
        colours = (ink, ground)
        pos = 0
        for m in _ANSI.finditer(line + "\x1b[m"):
            for ch in line[pos : m.start()]:
                t, b = _HALVES[ch]
                top.append(colours[0] if t else colours[1])
                bottom.append(colours[0] if b else colours[1])
            codes = m.group(1)
            if codes == "30;107":
                colours = (0, 255)
            elif codes in ("0", ""):
                colours = (ink, ground)
            else:  # pragma: no cover - the renderer emits no other codes
                raise AssertionError(f"unexpected SGR {codes!r}")
            pos = m.end()
        rows += [top, bottom]
    assert len({len(r) for r in rows}) == 1, "ragged lines"
    pixels = np.array(rows, dtype=np.uint8)
    pixels = np.pad(pixels, 6, constant_values=ground)
    return upscale(pixels, scale)


def png_pixels(data: bytes) -> Any:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return np.array(im.convert("L"))


def svg_pixels(data: bytes) -> Any:
    """
    Rasterize the SVG segno writes: a white ground path (``M0 0hNvNh-Nz``)
    and one stroked path of horizontal runs (``M``/``m`` moves, ``h``
    lines, stroke width 1 centred on the y of the move), in module units
    under ``scale(s)``.  Anything else fails the test.
    """
    root = ET.fromstring(data)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    width, height = int(float(root.get("width"))), int(float(root.get("height")))
    paths = list(root.iter(f"{ns}path"))
    group = root.find(f"{ns}g")
    scale = 1.0
    for node in (group, *paths):
        if node is not None and node.get("transform"):
            (s,) = re.fullmatch(r"scale\(([\d.]+)\)", node.get("transform")).groups()
            scale = float(s)
    size = round(width / scale)
    assert round(height / scale) == size
    grid = np.zeros((size, size), dtype=np.uint8)  # 0: not painted (transparent)
    for path in paths:
        d = path.get("d")
        if path.get("fill") is not None:
            assert path.get("fill") == "#fff"
            ground = re.fullmatch(r"M0 0h([\d.]+)v([\d.]+)h-([\d.]+)z", d)
            assert ground and {float(v) for v in ground.groups()} == {size}
            grid[grid == 0] = 255
            continue
        assert path.get("stroke") == "#000"
        assert re.fullmatch(r"(?:[MmHh][-\d.\s]+)+", d), "unexpected path commands"
        x = y = 0.0
        for cmd, nums in re.findall(r"([MmHh])\s*([-\d.\s]+)", d):
            values = [float(v) for v in nums.split()]
            if cmd == "M":
                x, y = values
            elif cmd == "m":
                x, y = x + values[0], y + values[1]
            else:
                end = values[0] if cmd == "H" else x + values[0]
                row = int(y - 0.5)
                assert y - 0.5 == row, "a run not centred on a module row"
                grid[row, int(x) : int(end)] = 1
                x = end
    assert (grid != 0).all(), "part of the image is transparent"
    grid = np.where(grid == 1, 0, 255).astype(np.uint8)
    return upscale(grid, 4)


# --- PNG ---------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS, ids=URL_IDS)
def test_png_decodes_to_the_url(url):
    data = qr_png(url)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode(png_pixels(data)) == [url]


@pytest.mark.parametrize("scale, border", [(1, 4), (3, 2), (8, 4), (10, 8)])
def test_png_geometry(scale, border):
    url = URLS[3]
    pixels = png_pixels(qr_png(url, scale=scale, border=border))
    modules = segno.make_qr(url, error="m", boost_error=True).symbol_size(border=0)[0]
    side = (modules + 2 * border) * scale
    assert pixels.shape == (side, side)
    assert set(np.unique(pixels)) == {0, 255}
    # The quiet zone is white.
    q = border * scale
    assert (pixels[:q] == 255).all() and (pixels[:, :q] == 255).all()
    assert (pixels[side - q :] == 255).all() and (pixels[:, side - q :] == 255).all()
    if scale >= 2:
        assert decode(upscale(pixels, 2)) == [url]


def test_png_to_file(tmp_path):
    url = URLS[3]
    data = qr_png(url)
    path = tmp_path / "qr.png"
    assert qr_png(url, path) is None
    assert path.read_bytes() == data
    assert qr_png(url, str(tmp_path / "qr2.png")) is None
    assert (tmp_path / "qr2.png").read_bytes() == data
    buf = io.BytesIO()
    assert qr_png(url, buf) is None
    assert buf.getvalue() == data
    with open(tmp_path / "qr3.png", "wb") as f:
        qr_png(url, f)
    assert (tmp_path / "qr3.png").read_bytes() == data


def test_png_to_text_file_is_refused(tmp_path):
    with pytest.raises(
        ArgumentTypeError, match="file must be opened in binary mode to take PNG data"
    ):
        qr_png(URLS[0], io.StringIO())


# --- SVG ---------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS, ids=URL_IDS)
def test_svg_decodes_to_the_url(url):
    data = qr_svg(url)
    assert data.startswith(b"<?xml")
    assert decode(svg_pixels(data)) == [url]


@pytest.mark.parametrize("scale", [1, 2.5, 10])
def test_svg_scale(scale):
    url = URLS[3]
    data = qr_svg(url, scale=scale, border=4)
    root = ET.fromstring(data)
    modules = segno.make_qr(url, error="m", boost_error=True).symbol_size(border=4)[0]
    assert float(root.get("width")) == pytest.approx(modules * scale)
    assert decode(svg_pixels(data)) == [url]


def test_svg_to_file(tmp_path):
    url = URLS[3]
    data = qr_svg(url)
    path = tmp_path / "qr.svg"
    assert qr_svg(url, path) is None
    assert path.read_bytes() == data
    buf = io.BytesIO()
    qr_svg(url, buf)
    assert buf.getvalue() == data
    text = io.StringIO()
    qr_svg(url, text)
    assert text.getvalue() == data.decode("utf-8")
    with open(tmp_path / "qr2.svg", "w", encoding="utf-8") as f:
        qr_svg(url, f)
    assert (tmp_path / "qr2.svg").read_bytes() == data


# --- terminal --------------------------------------------------------------


@pytest.mark.parametrize("url", URLS, ids=URL_IDS)
@pytest.mark.parametrize(
    "options, theme",
    [
        ({}, DARK_TERMINAL),
        ({"dark_background": True}, DARK_TERMINAL),
        ({"dark_background": False}, LIGHT_TERMINAL),
        ({"ansi": True}, DARK_TERMINAL),
        ({"ansi": True}, LIGHT_TERMINAL),
        ({"ansi": True, "dark_background": False}, DARK_TERMINAL),
    ],
    ids=[
        "default-dark",
        "dark",
        "light",
        "ansi-on-dark",
        "ansi-on-light",
        "ansi-ignores",
    ],
)
def test_terminal_decodes_to_the_url(url, options, theme):
    text = qr_terminal(url, **options)
    assert decode(terminal_image(text, theme)) == [url]


@pytest.mark.parametrize(
    "options, theme",
    [
        ({"dark_background": True}, LIGHT_TERMINAL),
        ({"dark_background": False}, DARK_TERMINAL),
    ],
    ids=["dark-code-on-light-terminal", "light-code-on-dark-terminal"],
)
@pytest.mark.skipif(
    READS_INVERTED,
    reason="this zxing-cpp (Python 3.9's newest, 2.3.0) always tries the inverted "
    "image; the negative control runs with CI's 3.11 and 3.13",
)
def test_terminal_wrong_polarity_does_not_read(options, theme):
    # The negative control: the option is what makes the code readable.
    url = URLS[5]
    text = qr_terminal(url, **options)
    assert decode(terminal_image(text, theme)) == []
    inverted = 255 - terminal_image(text, theme)
    assert decode(inverted) == [url]


@pytest.mark.parametrize("border", [0, 1, 2, 3, 4, 7])
@pytest.mark.parametrize("dark_background", [True, False])
def test_terminal_layout(border, dark_background):
    url = URLS[3]
    qr = segno.make_qr(url, error="m", boost_error=True)
    side = qr.symbol_size(border=border)[0]
    text = qr_terminal(url, border=border, dark_background=dark_background)
    lines = text.split("\n")
    assert not text.endswith("\n")
    assert len(lines) == (side + 1) // 2
    assert {len(line) for line in lines} == {side}
    assert set(text) <= set(_HALVES) | {"\n"}
    # Each half block is one module of segno's matrix (dark = 1), painted
    # when it is light on a dark terminal and dark on a light one.
    matrix = [list(r) for r in qr.matrix_iter(scale=1, border=border)]
    if side % 2:
        matrix.append([None] * side)
    for i, line in enumerate(lines):
        for j, ch in enumerate(line):
            for half, module in zip(
                _HALVES[ch], (matrix[2 * i][j], matrix[2 * i + 1][j])
            ):
                if module is None:
                    assert half == 0  # below the code: terminal background
                else:
                    assert half == (module == (0 if dark_background else 1))


def test_terminal_quiet_zone_is_painted_on_dark():
    # On a dark terminal the light quiet zone must be drawn: full blocks.
    lines = qr_terminal(URLS[0], border=4).split("\n")
    assert lines[0] == lines[1] == "\u2588" * len(lines[0])
    assert all(
        line.startswith("\u2588" * 4) and line.endswith("\u2588" * 4)
        for line in lines[:-1]
    )
    light = qr_terminal(URLS[0], border=4, dark_background=False).split("\n")
    assert light[0] == " " * len(light[0])


def test_terminal_ansi_lines():
    text = qr_terminal(URLS[0], ansi=True)
    for line in text.split("\n"):
        assert line.startswith("\x1b[30;107m") and line.endswith("\x1b[0m")
    plain = _ANSI.sub("", text)
    assert plain == qr_terminal(URLS[0], dark_background=False)


# --- bad arguments -----------------------------------------------------------

RENDERERS = [
    pytest.param(qr_terminal, id="terminal"),
    pytest.param(qr_svg, id="svg"),
    pytest.param(qr_png, id="png"),
]


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize(
    "url, error, message",
    [
        (None, ArgumentTypeError, "url must be a str, not 'NoneType'"),
        (b"tg://login?token=-w", ArgumentTypeError, "url must be a str, not 'bytes'"),
        ("", ArgumentValueError, "url must not be empty"),
    ],
)
def test_bad_url(render, url, error, message):
    with pytest.raises(error, match=message):
        render(url)


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize(
    "border, error, message",
    [
        (-1, ArgumentValueError, "border must be >= 0, got -1"),
        (1.5, ArgumentTypeError, "border must be an int, not 'float'"),
        (True, ArgumentTypeError, "border must be an int, not 'bool'"),
        (None, ArgumentTypeError, "border must be an int, not 'NoneType'"),
    ],
)
def test_bad_border(render, border, error, message):
    with pytest.raises(error, match=message):
        render(URLS[0], border=border)


@pytest.mark.parametrize(
    "render, scale, error, message",
    [
        (qr_png, 0, ArgumentValueError, "scale must be >= 1, got 0"),
        (qr_png, -3, ArgumentValueError, "scale must be >= 1, got -3"),
        (qr_png, 2.0, ArgumentTypeError, "scale must be an int, not 'float'"),
        (qr_png, True, ArgumentTypeError, "scale must be an int, not 'bool'"),
        (qr_svg, 0, ArgumentValueError, "scale must be > 0, got 0"),
        (qr_svg, -0.5, ArgumentValueError, "scale must be > 0, got -0.5"),
        (qr_svg, float("nan"), ArgumentValueError, "scale must be > 0, got nan"),
        (qr_svg, "2", ArgumentTypeError, "scale must be an int or a float, not 'str'"),
    ],
)
def test_bad_scale(render, scale, error, message):
    with pytest.raises(error, match=message):
        render(URLS[0], scale=scale)


@pytest.mark.parametrize("render", [qr_svg, qr_png], ids=["svg", "png"])
@pytest.mark.parametrize(
    "file", [5, object(), b"qr.png"], ids=["int", "object", "bytes"]
)
def test_bad_file(render, file):
    with pytest.raises(
        ArgumentTypeError, match="file must be a path or a file object with write()"
    ):
        render(URLS[0], file)


def test_too_long_for_a_qr_code():
    with pytest.raises(ValueError):
        qr_png("tg://login?token=" + "A" * 5000)


def test_login_reexports_the_renderers():
    assert mtcore.login.qr_png is mtcore.qr.qr_png
    assert mtcore.login.qr_svg is mtcore.qr.qr_svg
    assert mtcore.login.qr_terminal is mtcore.qr.qr_terminal


# --- without segno -----------------------------------------------------------


@pytest.fixture
def no_segno(monkeypatch):
    # An entry of None makes "import segno" raise ImportError.
    monkeypatch.setitem(sys.modules, "segno", None)


@pytest.mark.parametrize("render", RENDERERS)
def test_missing_segno(no_segno, render):
    with pytest.raises(MissingExtra) as info:
        render(URLS[0])
    exc = info.value
    assert isinstance(exc, ImportError)
    assert isinstance(exc, MtcoreError)
    assert exc.name == "segno"
    assert str(exc) == (
        "QR rendering needs the optional package 'segno' (mtcore's 'qr' "
        "extra), which is not installed: pip install segno"
    )


def test_install_hint_names_what_the_extra_brings(no_segno):
    # The hint must work as printed from a checkout, a wheel or an index:
    # it names the package the qr extra declares, not "mtcore[qr]" (no such
    # distribution may be reachable).
    tomllib = pytest.importorskip("tomllib")
    checkout = Path(__file__).resolve().parent.parent
    extra = tomllib.loads((checkout / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["qr"]
    with pytest.raises(MissingExtra) as info:
        qr_terminal(URLS[0])
    command = str(info.value).rpartition(": ")[2]
    assert command == "pip install segno"
    assert [re.split(r"[<>=!~ ;\[]", req)[0] for req in extra] == ["segno"]


def test_missing_segno_leaves_the_rest_working(no_segno):
    # URLs, requests and the flow do not need segno.
    assert mtcore.login.parse_login_url(URLS[0]) == b"\xfb"


def test_cli_missing_segno(no_segno, capsys):
    assert main(["qr", "--url", URLS[0]]) == 1
    err = capsys.readouterr().err
    assert "pip install segno" in err


# --- python -m mtcore qr ---------------------------------------------------------


def _cli_terminal(out: str) -> tuple[str, str]:
    # The code's lines, then the URL on the last line.
    *code, url = out.rstrip("\n").split("\n")
    return "\n".join(code), url


@pytest.mark.parametrize(
    "args, theme",
    [
        ([], DARK_TERMINAL),
        (["--light"], LIGHT_TERMINAL),
        (["--ansi"], DARK_TERMINAL),
        (["--border", "2"], DARK_TERMINAL),
    ],
)
def test_cli_terminal(capsys, args, theme):
    url = URLS[5]
    assert main(["qr", "--url", url, *args]) == 0
    code, printed = _cli_terminal(capsys.readouterr().out)
    assert printed == url
    assert decode(terminal_image(code, theme)) == [url]


def test_cli_token_hex(capsys):
    v = URL_VECTORS[3]
    assert main(["qr", "--token-hex", v["token"]]) == 0
    code, printed = _cli_terminal(capsys.readouterr().out)
    assert printed == v["url"]
    assert decode(terminal_image(code, DARK_TERMINAL)) == [v["url"]]
    assert code == qr_terminal(v["url"])


def test_cli_padded_url_is_drawn_canonical(capsys):
    v = URL_VECTORS[0]
    assert main(["qr", "--url", "TG://login?token=" + v["base64url_padded"]]) == 0
    code, printed = _cli_terminal(capsys.readouterr().out)
    assert printed == v["url"]
    assert decode(terminal_image(code, DARK_TERMINAL)) == [v["url"]]


def test_cli_images(tmp_path, capsys):
    url = URLS[5]
    png, svg = tmp_path / "code.png", tmp_path / "code.svg"
    assert (
        main(["qr", "--url", url, "--png", str(png), "--svg", str(svg), "--scale", "3"])
        == 0
    )
    out = capsys.readouterr().out
    assert out == f"wrote {png}\nwrote {svg}\n"
    assert decode(png_pixels(png.read_bytes())) == [url]
    assert decode(svg_pixels(svg.read_bytes())) == [url]
    assert png.read_bytes() == qr_png(url, scale=3)


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "one of the arguments --url --token-hex is required"),
        (["--url", "x", "--token-hex", "00"], "not allowed with argument"),
        (["--url", "https://t.me/login?token=-w"], "the scheme must be 'tg'"),
        (["--url", "tg://login?token=+w"], "standard base64, not base64url"),
        (["--token-hex", "zz"], "--token-hex: not a hex string"),
        (["--token-hex", ""], "token must not be empty"),
        (["--url", URLS[0], "--light", "--ansi"], "not allowed with argument"),
        (["--url", URLS[0], "--png", "x.png", "--scale", "0"], "scale must be >= 1"),
        (["--url", URLS[0], "--border", "-1"], "border must be >= 0"),
    ],
)
def test_cli_errors(capsys, args, message):
    with pytest.raises(SystemExit) as info:
        main(["qr", *args])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_qr_does_not_import_the_bench(monkeypatch, capsys):
    monkeypatch.delitem(sys.modules, "mtcore._bench", raising=False)
    assert main(["qr", "--url", URLS[0]]) == 0
    assert "mtcore._bench" not in sys.modules


def test_cli_bench_still_there(capsys):
    with pytest.raises(SystemExit) as info:
        main(["bench", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--quick" in out and "--filter" in out
    assert main([]) == 2
    assert "qr" in capsys.readouterr().out
