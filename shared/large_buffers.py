"""Large buffers go back to the system when freed (glibc's malloc).

glibc serves an allocation over its mmap threshold (128 KB at first) with a mapping of its
own, unmapped on free; but each such free raises the threshold to the freed size (up to
32 MB), so from then on recordings and their samples come from the heap and its per-thread
arenas, whose freed holes stay resident. An API process that took 40 uploads of 25 MB at
once, three times, stood at 424, 574 and 694 MB after the rounds (peaks 524-769 MB); with
the threshold fixed at 1 MB, at 144 MB after each (peaks 268-291 MB). Fixing it turns the
rise off; small allocations are unaffected. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger("voicepipe")

# mallopt's parameter number for the mmap threshold (malloc.h).
_M_MMAP_THRESHOLD = -3
THRESHOLD_BYTES = 1 << 20


def return_large_buffers() -> bool:
    """Fix glibc's mmap threshold at THRESHOLD_BYTES in this process (and the processes it
    forks); whether it was."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False  # not glibc (musl has no mallopt)
    done = bool(mallopt(_M_MMAP_THRESHOLD, THRESHOLD_BYTES))
    if not done:
        log.warning("could not fix malloc's mmap threshold; large buffers may stay resident")
    return done
