"""Solana addresses for the scenario generators: base58 as Solana writes them (Bitcoin's
alphabet; each leading zero byte is a '1'), and whether 32 bytes are a point on the Ed25519
curve (a program-derived address must not be).

Shared by the scenario generators (scripts/solana-probe, scripts/solana-system,
tests/data/solana/cpi), which import it after putting this folder on sys.path.
"""

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(raw):
    """The base58 text of `raw` bytes."""
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


def b58decode(text):
    """The bytes base58 `text` encodes."""
    n = 0
    for c in text:
        n = n * 58 + ALPHABET.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


# Ed25519 in Edwards form over GF(2^255 - 19): -x^2 + y^2 = 1 + d x^2 y^2.
P25519 = 2**255 - 19
D25519 = (-121665 * pow(121666, P25519 - 2, P25519)) % P25519


def on_curve(raw):
    """Whether the 32 bytes `raw` decompress to a curve point (x^2 exists for their y)."""
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= P25519:
        return False
    u = (y * y - 1) % P25519
    v = (D25519 * y * y + 1) % P25519
    x2 = u * pow(v, P25519 - 2, P25519) % P25519
    return x2 == 0 or pow(x2, (P25519 - 1) // 2, P25519) == 1
