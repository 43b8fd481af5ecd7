"""Which keys may have a row in the history file: a Bloom filter of fixed size.

Most lookups on the request path are for keys that were never written (a new intent's
id, a new idempotency key), and asking the file costs a query each time. The filter
answers "certainly not" for most of them from memory, in a fixed amount of it (`BITS`
bits, 512 KiB, once the first key is written); it can only answer "maybe" wrongly
(about 5 % of the time after half a million keys, more after that), and then the file
is asked after all.
"""

BITS = 1 << 22
_MASK = BITS - 1


class KeyFilter:
    def __init__(self) -> None:
        self._bits: bytearray | None = None

    def add(self, key: str) -> None:
        if self._bits is None:
            self._bits = bytearray(BITS // 8)
        for bit in _bits_of(key):
            self._bits[bit >> 3] |= 1 << (bit & 7)

    def may_hold(self, key: str) -> bool:
        bits = self._bits
        if bits is None:
            return False
        return all(bits[bit >> 3] & (1 << (bit & 7)) for bit in _bits_of(key))

    def clear(self) -> None:
        self._bits = None


def _bits_of(key: str) -> tuple[int, int]:
    """Two positions from one string hash (randomized per process, as the file is)."""
    digest = hash(key)
    return digest & _MASK, (digest >> 22) & _MASK
