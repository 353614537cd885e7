"""Base58 as Solana writes addresses (Bitcoin's alphabet; each leading zero byte is a '1').

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
