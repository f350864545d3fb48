"""``python -m analysis``: see :mod:`analysis.cli`."""

import gc
import sys

from .cli import main

if __name__ == "__main__":
    status = main()
    # Leaving, Python collects every object the command made: with pandas, matplotlib and
    # the report templates loaded that took 0.4 to 0.6 s after a run's last report. The
    # work is done and written, so what is left is frozen instead (exit in 0.05 s).
    gc.freeze()
    sys.exit(status)
