"""Large buffers go back to the system when freed (shared.large_buffers)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# In a fresh process: a 30 MB buffer freed, then how much of a 2 MB one glibc maps on its
# own (mallinfo2's hblkhd: bytes in mmapped chunks), rather than carving it from the heap.
_PROBE = """
import ctypes, sys
from shared.large_buffers import return_large_buffers
if sys.argv[1] == "fixed":
    assert return_large_buffers()
FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS.split()]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
big = bytearray(30 << 20)
del big
before = libc.mallinfo2().hblkhd
buffer = bytearray(2 << 20)
print(libc.mallinfo2().hblkhd - before)
"""


def _mapped_bytes_of_a_2_mb_buffer(mode: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_buffer_over_a_megabyte_is_mapped_on_its_own_even_after_a_larger_one_was_freed() -> None:
    # Without the fix glibc's threshold rose to 30 MB with the free: the 2 MB came from the
    # heap, where a freed hole stays resident.
    assert _mapped_bytes_of_a_2_mb_buffer("default") == 0
    assert _mapped_bytes_of_a_2_mb_buffer("fixed") >= 2 << 20
