"""`python -m tests.bench`: the whole benchmark suite (what `make bench` runs)."""

from __future__ import annotations

import sys

from tests.bench.suite import main

if __name__ == "__main__":
    sys.exit(main())
