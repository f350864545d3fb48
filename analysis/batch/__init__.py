"""The batch: ``python -m analysis run``, every programme's notebook run and published, fast.

- :mod:`analysis.batch.runner`: runs the notebooks with papermill in parallel
  and publishes their reports, PDFs and the scorecard (``run_programmes``).
- :mod:`analysis.batch.kernels`: warm kernels, forked from a process that has
  already imported what the notebooks import.
- :mod:`analysis.batch.prefetch`: the notebooks' data, loaded ahead while the
  batch starts, and offered to ``analysis.data.load`` through
  :func:`analysis.data.dataset.set_preloaded`.

The batch sits above every other layer: it may import ``data``, ``programmes``
and ``reporting``; nothing imports it but the command line
(:mod:`analysis.cli`). The analyst's path (``load``, ``evaluate``) never
meets it. This package imports nothing itself, so that naming it costs nothing.
"""
