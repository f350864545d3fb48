"""Settings for the whole suite."""

import os


def pytest_configure(config):
    """One BLAS thread per parallel test worker.

    ``make test`` runs one worker per core (``pytest -n 2``); a BLAS that also threads each
    worker's linear algebra puts two threads on every core, and the simulation studies run
    slower, not faster (the power fast path measured 2.5x slower per replication that way).
    A run without workers keeps the BLAS's own choice.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        from threadpoolctl import threadpool_limits

        config._blas_limit = threadpool_limits(limits=1)
