"""
Generate ``src_c/aes_vp_tables.h``: the 16-byte tables of the
vector-permute AES kernels (``src_c/aes_vp*.c``: neonvp on AArch64, ssse3vp
on x86-64), the technique of M. Hamburg, "Accelerating AES with Vector
Permute Instructions" (CHES 2009): every byte operation of AES is a lookup
of its two 4-bit halves in 16-entry tables, which a vector permute (NEON
``tbl``, SSSE3 ``pshufb``) does for 16 bytes at once with no memory access
indexed by data.  The tables here are derived
from the field arithmetic below, not taken from any implementation.

The field.  GF(2^8) (AES's, modulo x^8 + x^4 + x^3 + x + 1) is built as
GF(16)[t]/(t^2 + t + ZETA), GF(16) modulo x^4 + x + 1: an element
x = a1 t + a0 is kept as the byte (i << 4) | k with i = ZETA a1 and k = a0
(the map T, linear over GF(2)).  With j = i + k, its inverse is

    io = j + 1/(1/i + ZETA^-1/k),    jo = i + 1/(1/j + ZETA^-1/k),
    x^-1 = (ZETA/jo + (ZETA + 1)/io) t + 1/io,

five lookups of nibbles and XORs (the norm N = a1^2 ZETA + a1 a0 + a0^2
gives io = N / (a0 + a1), jo = N / (a0 + a1 + a0 / ZETA)).  1/0 is the
entry 0x80 of the inverse table: ``tbl`` gives 0 for an index of 16 or
more, and ``pshufb`` for an index with its top bit set, so a zero anywhere
takes the path that yields the right value (all 256 inputs are checked
below).  Every index the kernel looks up is under 16 or has its top bit
set (XORs of nibbles and 0x80), where the two instructions agree; the
model's lookups check that.  The output tables then give any linear
function of x^-1 as F[io] ^ G[jo].

The rounds.  Encryption keeps the state in the coordinates T: F1/G1,
F2/G2 and F3/G3 give T(S(x)), T(2 S(x)) and T(3 S(x)) without S's
constant 0x63 (which would be lost where io or jo is out of range);
MixColumns, 2 a + 3 b + c + d over a column, is u ^ R1(u) ^ R3(a) with
u = 2 a ^ R1(a) for blocks side by side (three byte permutations and four
lookups: there the vector pipes bound the time), and 2 a ^ R1(3 b) ^
R2(c) ^ R3(d) for a block on its own (six lookups, the permutes side by
side and one less deep: there the chain does); the constant goes into the
round keys (MixColumns maps a column of equal bytes to itself).  ShiftRows is never applied: a byte-wise S-box
commutes with it, so after round r the state is held as ISR^r of AES's,
each round takes the row rotations conjugated to that layout (ERn_q), the
round keys are stored in it, and the last round applies the rest, SR^14 =
SR2.  FO/GO give S(x) in AES's own basis for the last round and the key
schedule.  Decryption (the equivalent inverse cipher) keeps the state in
L = T o A^-1 (A^-1 the linear part of the inverse affine map), plus the
constant T(0x05) in the keys, held as SR^r of AES's: F9/G9 .. F14/G14 give
L(m x^-1) for InvMixColumns' factors, 14 a ^ R1(11 b) ^ R2(13 c) ^ R3(9 d)
with the rotations DRn_q, all side by side; FZ/GZ give x^-1 itself for the
last round, and FL/GL L(x^-1): IGE decryption's next input, in the
kernel's coordinates, straight from the last round.

Usage, from the repository root::

    python tools/gen_vperm_tables.py          # (re)write the header
    python tools/gen_vperm_tables.py --check  # exit 1 if it is stale

``tests/test_vperm_tables.py`` checks that the committed header is up to
date, and the constructions by brute force.
"""

from __future__ import annotations

import argparse
import functools
import operator
import sys
from pathlib import Path
from typing import Callable

OUT = Path(__file__).resolve().parent.parent / "src_c" / "aes_vp_tables.h"

AES_MOD = 0x11B
GF16_MOD = 0x13
ZETA = 8  # x^3 in GF(16): t^2 + t + 8 is irreducible over it
SENTINEL = 0x80  # an index tbl and pshufb map to 0


def gmul(a: int, b: int, mod: int, bits: int) -> int:
    """The product of a and b in GF(2^bits) modulo mod."""
    r = 0
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a >> bits:
            a ^= mod
    return r


def mul16(a: int, b: int) -> int:
    return gmul(a, b, GF16_MOD, 4)


def mul(a: int, b: int) -> int:
    return gmul(a, b, AES_MOD, 8)


def inverse(a: int, m: Callable[[int, int], int]) -> int:
    """a^-1 under the multiplication m (0 for 0), by search."""
    if a == 0:
        return 0
    return next(b for b in range(1, 256) if m(a, b) == 1)


INV16 = [inverse(a, mul16) for a in range(16)]
INV256 = [inverse(a, mul) for a in range(256)]


def tbl(table: list[int], index: int) -> int:
    """
    NEON tbl (out-of-range indices give 0) and SSSE3 pshufb (indices with
    the top bit set give 0, others index by their low four bits) on one
    byte, where they agree, which the index must be in.
    """
    assert index < 16 or index & 0x80, index
    return table[index] if index < 16 else 0


def rotl8(x: int, n: int) -> int:
    return ((x << n) | (x >> (8 - n))) & 0xFF


def affine_linear(x: int) -> int:
    """The linear part of the S-box's affine map (FIPS-197 5.1.1)."""
    return x ^ rotl8(x, 1) ^ rotl8(x, 2) ^ rotl8(x, 3) ^ rotl8(x, 4)


def sbox(x: int) -> int:
    return affine_linear(INV256[x]) ^ 0x63


AFFINE_INVERSE = [
    next(y for y in range(256) if affine_linear(y) == x) for x in range(256)
]


def embed16(a: int, w: int) -> int:
    """The GF(16) element a (bits over x^4 + x + 1) at the root w in GF(2^8)."""
    r, p = 0, 1
    for bit in range(4):
        if a >> bit & 1:
            r ^= p
        p = mul(p, w)
    return r


# A root of x^4 + x + 1 in GF(2^8), then a root of t^2 + t + ZETA(w).
W = next(w for w in range(2, 256) if mul(mul(mul(w, w), w), w) ^ w ^ 1 == 0)
ZETA_A = embed16(ZETA, W)
T_A = next(t for t in range(256) if mul(t, t) ^ t ^ ZETA_A == 0)


def phi(a1: int, a0: int) -> int:
    """The tower element a1 t + a0 as a byte of AES's field."""
    return mul(embed16(a1, W), T_A) ^ embed16(a0, W)


PHI_INV = {phi(a1, a0): (a1, a0) for a1 in range(16) for a0 in range(16)}


def to_t(x: int) -> int:
    """T: an AES field byte to the kernel's coordinates (i << 4) | k."""
    a1, a0 = PHI_INV[x]
    return (mul16(ZETA, a1) << 4) | a0


def to_l(y: int) -> int:
    """L = T o A^-1 (A^-1 linear): the coordinates of decryption."""
    return to_t(AFFINE_INVERSE[y])


INV = [SENTINEL] + INV16[1:]
AK = [SENTINEL] + [mul16(INV16[ZETA], INV16[k]) for k in range(1, 16)]


def inverse_halves(x: int) -> tuple[int, int]:
    """(io, jo) of the byte x in T's coordinates, as the kernel finds them."""
    i, k = x >> 4, x & 15
    j = i ^ k
    ak = tbl(AK, k)
    return j ^ tbl(INV, tbl(INV, i) ^ ak), i ^ tbl(INV, tbl(INV, j) ^ ak)


def part_io(n: int) -> int:
    """The part of x^-1 (AES basis) that io = n gives."""
    r = INV16[n]
    return phi(mul16(ZETA ^ 1, r), r)


def part_jo(n: int) -> int:
    return phi(mul16(ZETA, INV16[n]), 0)


def compose(*perms: list[int]) -> list[int]:
    """
    The tbl indices of the permutations applied right to left: tbl(x, c)
    = tbl(tbl(x, perms[-1]), ...) with the first applied last.
    """
    out = list(range(16))
    for perm in perms:
        out = [perm[p] for p in out]
    return out


def power(perm: list[int], n: int) -> list[int]:
    return compose(*([perm] * n))


def tables() -> dict[str, list[int]]:
    io_parts = [part_io(n) for n in range(16)]
    jo_parts = [part_jo(n) for n in range(16)]
    t = {
        "INV": INV,
        "AK": AK,
        "TLO": [to_t(n) for n in range(16)],
        "THI": [to_t(n << 4) for n in range(16)],
        "LLO": [to_l(n) for n in range(16)],
        "LHI": [to_l(n << 4) for n in range(16)],
        "FO": [affine_linear(p) for p in io_parts],
        "GO": [affine_linear(p) for p in jo_parts],
        "F1": [to_t(affine_linear(p)) for p in io_parts],
        "G1": [to_t(affine_linear(p)) for p in jo_parts],
        "F2": [to_t(mul(2, affine_linear(p))) for p in io_parts],
        "G2": [to_t(mul(2, affine_linear(p))) for p in jo_parts],
        "F3": [to_t(mul(3, affine_linear(p))) for p in io_parts],
        "G3": [to_t(mul(3, affine_linear(p))) for p in jo_parts],
        "FZ": io_parts,
        "GZ": jo_parts,
        "FL": [to_l(p) for p in io_parts],
        "GL": [to_l(p) for p in jo_parts],
    }
    for m in (9, 11, 13, 14):
        t[f"F{m}"] = [to_l(mul(m, p)) for p in io_parts]
        t[f"G{m}"] = [to_l(mul(m, p)) for p in jo_parts]
    # The decryption key schedule's L(m x) of a round key byte x by its
    # nibbles, for InvMixColumns' factors.
    for m in (9, 11, 13, 14):
        t[f"KL{m}LO"] = [to_l(mul(m, n)) for n in range(16)]
        t[f"KL{m}HI"] = [to_l(mul(m, n << 4)) for n in range(16)]
    # Byte permutations of the state (byte 4 c + r is row r of column c),
    # as tbl indices: out[p] = in[perm[p]].  SR: ShiftRows (row r from
    # column c + r); ISR: its inverse; SR2: SR SR, its own inverse.  Rn:
    # each byte from the row n below in its column (rows mod 4).  The
    # rounds never apply ShiftRows: after round r the state is held as
    # ISR^r (encryption) or SR^r (decryption) of AES's, and MixColumns'
    # row rotations Rn are taken conjugated to that layout: ERn_q =
    # ISR^q Rn SR^q and DRn_q = SR^q Rn ISR^q for round r = q mod 4.
    sr = [4 * ((p // 4 + p % 4) % 4) + p % 4 for p in range(16)]
    isr = [4 * ((p // 4 - p % 4) % 4) + p % 4 for p in range(16)]
    t["SR"] = sr
    t["ISR"] = isr
    t["SR2"] = compose(sr, sr)
    for n in (1, 2, 3):
        rn = [4 * (p // 4) + (p % 4 + n) % 4 for p in range(16)]
        t[f"R{n}"] = rn
        for q in range(4):
            t[f"ER{n}_{q}"] = compose(power(isr, q), rn, power(sr, q))
            t[f"DR{n}_{q}"] = compose(power(sr, q), rn, power(isr, q))
    return t


def check(t: dict[str, list[int]]) -> None:
    """The constructions against the field, on all 256 bytes."""
    for x in range(256):
        assert to_t(x ^ 0x5A) == to_t(x) ^ to_t(0x5A)  # T is linear
        tx = t["TLO"][x & 15] ^ t["THI"][x >> 4]
        assert tx == to_t(x)
        io, jo = inverse_halves(tx)
        inv = tbl([part_io(n) for n in range(16)], io) ^ tbl(
            [part_jo(n) for n in range(16)], jo
        )
        assert inv == INV256[x], x
        assert tbl(t["FO"], io) ^ tbl(t["GO"], jo) ^ 0x63 == sbox(x)
        assert tbl(t["F1"], io) ^ tbl(t["G1"], jo) == to_t(sbox(x) ^ 0x63)
        assert tbl(t["F2"], io) ^ tbl(t["G2"], jo) == to_t(mul(2, sbox(x) ^ 0x63))
        assert tbl(t["F3"], io) ^ tbl(t["G3"], jo) == to_t(mul(3, sbox(x) ^ 0x63))
        # Decryption: y's coordinates are L(y) ^ T(0x05); its inverse S-box
        # value is x^-1 of that element.
        ly = t["LLO"][x & 15] ^ t["LHI"][x >> 4] ^ to_t(0x05)
        io, jo = inverse_halves(ly)
        z = tbl(t["FZ"], io) ^ tbl(t["GZ"], jo)
        assert sbox(z) == x, x
        assert tbl(t["FL"], io) ^ tbl(t["GL"], jo) == to_l(z)
        for m in (9, 11, 13, 14):
            assert tbl(t[f"F{m}"], io) ^ tbl(t[f"G{m}"], jo) == to_l(mul(m, z))
    for x in range(256):
        for m in (9, 11, 13, 14):
            lm = t[f"KL{m}LO"][x & 15] ^ t[f"KL{m}HI"][x >> 4]
            assert lm == to_l(mul(m, x))
    assert [t["SR"][t["ISR"][p]] for p in range(16)] == list(range(16))
    # The rounds as the kernel runs them, on FIPS-197's AES-256 example
    # (appendix C.3).
    key = bytes(range(32))
    pt = bytes.fromhex("00112233445566778899aabbccddeeff")
    ct = bytes.fromhex("8ea2b7ca516745bfeafc49904b496089")
    for chained in (False, True):
        assert model_encrypt(t, key, pt, chained) == ct
    assert model_decrypt(t, key, ct) == pt


def expand_key(key: bytes) -> list[list[int]]:
    """The 15 round keys of AES-256 (FIPS-197 5.2), as 16-byte lists."""
    w = [list(key[4 * i : 4 * i + 4]) for i in range(8)]
    rcon = 1
    for i in range(8, 60):
        temp = list(w[i - 1])
        if i % 8 == 0:
            temp = [sbox(b) for b in temp[1:] + temp[:1]]
            temp[0] ^= rcon
            rcon = mul(rcon, 2)
        elif i % 8 == 4:
            temp = [sbox(b) for b in temp]
        w.append([a ^ b for a, b in zip(w[i - 8], temp)])
    return [sum(w[4 * r : 4 * r + 4], []) for r in range(15)]


def inv_mix_columns(s: list[int]) -> list[int]:
    out = []
    for c in range(4):
        col = s[4 * c : 4 * c + 4]
        out += [
            mul(14, col[r]) ^ mul(11, col[(r + 1) % 4]) ^ mul(13, col[(r + 2) % 4])
            ^ mul(9, col[(r + 3) % 4])
            for r in range(4)
        ]
    return out


# The model's vectors are lists of 16 bytes.


def _xor(*vs: list[int]) -> list[int]:
    return [functools.reduce(operator.xor, a) for a in zip(*vs)]


def _look(table: list[int], idx: list[int]) -> list[int]:
    """tbl(table, idx) on 16 bytes."""
    return [tbl(table, i) for i in idx]


def _halves(t: dict[str, list[int]], s: list[int]) -> tuple[list[int], list[int]]:
    """(io, jo) of every byte of s."""
    i = [b >> 4 for b in s]
    k = [b & 15 for b in s]
    j = _xor(i, k)
    a = _look(t["AK"], k)
    io = _xor(j, _look(t["INV"], _xor(_look(t["INV"], i), a)))
    jo = _xor(i, _look(t["INV"], _xor(_look(t["INV"], j), a)))
    return io, jo


def _map(lo: list[int], hi: list[int], block: list[int]) -> list[int]:
    """The byte-wise linear map of the tables lo and hi of the nibbles."""
    return _xor(_look(lo, [b & 15 for b in block]), _look(hi, [b >> 4 for b in block]))


def key_inv_mix(t: dict[str, list[int]], rk: list[int]) -> list[int]:
    """L(InvMixColumns(rk)) as the kernel's key schedule finds it."""
    lm = {m: _map(t[f"KL{m}LO"], t[f"KL{m}HI"], rk) for m in (9, 11, 13, 14)}
    out = _xor(lm[14], _look(lm[11], t["R1"]), _look(lm[13], t["R2"]),
               _look(lm[9], t["R3"]))
    assert out == [to_l(b) for b in inv_mix_columns(rk)]
    return out


def round_keys(t: dict[str, list[int]], key: bytes, decrypt: bool) -> list[list[int]]:
    """The kernel's 15 round keys of one direction (aes_vp.c)."""
    rk = expand_key(key)
    if decrypt:
        c05 = [to_t(0x05)] * 16
        return [
            _xor([to_l(b) for b in rk[14]], c05),
            *(_look(_xor(key_inv_mix(t, rk[14 - r]), c05), power(t["SR"], r))
              for r in range(1, 14)),
            _look(rk[0], t["SR2"]),
        ]
    return [
        [to_t(b) for b in rk[0]],
        *(_look([to_t(b ^ 0x63) for b in rk[r]], power(t["ISR"], r))
          for r in range(1, 14)),
        _look([b ^ 0x63 for b in rk[14]], t["SR2"]),
    ]


def model_rounds(t: dict[str, list[int]], k: list[list[int]], s: list[int],
                 decrypt: bool, chained: bool = False) -> list[int]:
    """
    Rounds 1 to 13 and the last on the state after the first step, the way
    the kernel runs them (mtc_vp_round, mtc_vp_last); chained: encryption's
    rounds of a block on its own.
    """
    for r in range(1, 14):
        io, jo = _halves(t, s)
        n = {m: _xor(_look(t[f"F{m}"], io), _look(t[f"G{m}"], jo))
             for m in ((14, 11, 13, 9) if decrypt else (1, 2, 3))}
        if decrypt:
            # InvMixColumns 14 a ^ R1(11 b) ^ R2(13 c) ^ R3(9 d).
            p = [t[f"DR{i}_{r % 4}"] for i in (1, 2, 3)]
            s = _xor(n[14], k[r], _look(n[11], p[0]), _look(n[13], p[1]),
                     _look(n[9], p[2]))
        elif chained:
            # MixColumns 2 a ^ R1(3 b) ^ R2(c) ^ R3(d).
            p = [t[f"ER{i}_{r % 4}"] for i in (1, 2, 3)]
            s = _xor(n[2], k[r], _look(n[3], p[0]), _look(n[1], p[1]),
                     _look(n[1], p[2]))
        else:
            # MixColumns 2 a + 3 b + c + d as u ^ R1(u) ^ R3(a), u = 2 a ^ R1(a).
            p1, p3 = t[f"ER1_{r % 4}"], t[f"ER3_{r % 4}"]
            u = _xor(n[2], _look(n[1], p1))
            s = _xor(_look(u, p1), u, _look(n[1], p3), k[r])
    io, jo = _halves(t, s)
    f, g = ("FZ", "GZ") if decrypt else ("FO", "GO")
    return _look(_xor(_look(t[f], io), k[14], _look(t[g], jo)), t["SR2"])


def model_encrypt(t: dict[str, list[int]], key: bytes, block: bytes,
                  chained: bool = False) -> bytes:
    """One block, the way the kernel encrypts it (chained: on its own)."""
    k = round_keys(t, key, False)
    s = _xor(_map(t["TLO"], t["THI"], list(block)), k[0])
    return bytes(model_rounds(t, k, s, False, chained))


def model_decrypt(t: dict[str, list[int]], key: bytes, block: bytes) -> bytes:
    """One block, the way the kernel decrypts it (equivalent inverse cipher)."""
    k = round_keys(t, key, True)
    s = _xor(_map(t["LLO"], t["LHI"], list(block)), k[0])
    return bytes(model_rounds(t, k, s, True))


def render(t: dict[str, list[int]]) -> str:
    lines = [
        "/*",
        " * aes_vp_tables.h: the tables of the vector-permute AES kernels",
        " * (aes_vp*.c), written by tools/gen_vperm_tables.py, which derives",
        " * them and says what each holds.  Do not edit: run the script.",
        " */",
        "#ifndef MTC_AES_VP_TABLES_H",
        "#define MTC_AES_VP_TABLES_H",
        "",
        "#include <stdint.h>",
        "",
        "/* T(0x05): the inverse affine map's constant in T's coordinates. */",
        f"#define MTC_VP_DEC_CONST 0x{to_t(0x05):02x}",
        "/* T(0x63): the S-box's constant in T's coordinates. */",
        f"#define MTC_VP_ENC_CONST 0x{to_t(0x63):02x}",
        "",
    ]
    for name, values in t.items():
        lines.append(f"static const uint8_t MTC_VP_{name}[16] = {{")
        for half in (values[:8], values[8:]):
            lines.append("    " + "".join(f"0x{v:02x}, " for v in half).rstrip())
        lines.append("};")
    lines += ["", "#endif /* MTC_AES_VP_TABLES_H */", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if stale")
    args = parser.parse_args(argv)
    t = tables()
    check(t)
    text = render(t)
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(
                f"{OUT} is stale: run python tools/gen_vperm_tables.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
