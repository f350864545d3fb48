"""Op Soteria Bluestone: the across-forces figures, each drawn only where its design exists."""

from __future__ import annotations

from matplotlib.figure import Figure

from ... import plots
from .designs import AcrossForces, synthetic_control_series


def across_forces_figures(forces: AcrossForces, source: str) -> list[Figure]:
    """The event study of the staggered design and Dorset against its synthetic control.

    Empty where neither could be made (the report says why in words).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.data import load_reference
    >>> from analysis.synthetic import generate
    >>> from analysis.programmes.soteria.designs import across_forces
    >>> synth = generate("soteria", seed=1, scale=0.5)
    >>> forces = across_forces(synth.tables["force_outcomes"],
    ...                        load_reference("soteria_adoption"), pd.Timestamp("2023-07-01"))
    >>> len(across_forces_figures(forces, "synthetic data"))
    1
    """
    figures = []
    if forces.staggered is not None:
        figures.append(
            plots.plot_event_study(
                forces.staggered,
                title="Charge share of earlier waves, quarters from adoption",
                source=source,
                ylabel="Change in charge share",
                xlabel="Quarters relative to adoption",
            )
        )
    if forces.synthetic is not None:
        figures.append(
            plots.plot_its(
                synthetic_control_series(forces.synthetic),
                title="Dorset's charge share against its synthetic control",
                source=source,
                ylabel="Share of adult rape outcomes charged",
                xlabel="Quarter",
            )
        )
    return figures
