"""What the named synthetic worlds share: checking a world's name and its own random stream.

Every generator draws the friendly world (its design's key assumption holds
exactly) from ``numpy.random.default_rng(seed)``. A hostile world changes the
generating process in a few places; the extra randomness it needs comes from a
separate stream (:func:`world_rng`), so the friendly world's draws, and hence
its bytes, never move when a hostile world is added or changed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

from ..errors import ConfigError

#: The world every generator draws by default: today's world, unchanged.
FRIENDLY = "friendly"


def check_world(programme: str, world: str, choices: Mapping[str, str]) -> str:
    """Return ``world`` if the programme's generator can build it, else a ConfigError.

    Parameters
    ----------
    programme : str
        Programme slug, for the message.
    world : str
        Requested world name.
    choices : mapping of str to str
        The generator's ``WORLDS`` (name to description).

    Returns
    -------
    str

    Examples
    --------
    >>> check_world("lsavi", "friendly", {"friendly": "today's world"})
    'friendly'
    """
    if not isinstance(world, str) or world not in choices:
        raise ConfigError(
            f"unknown {programme} synthetic world {world!r}; choose one of: {', '.join(choices)}"
        )
    return world


def world_rng(seed: int, world: str) -> np.random.Generator:
    """The random stream of a hostile world's own draws, fixed by the seed and world name.

    Parameters
    ----------
    seed : int
        The generator's seed (non-negative).
    world : str
        World name; each world gets a different stream for the same seed.

    Returns
    -------
    numpy.random.Generator

    Examples
    --------
    >>> a = world_rng(1, "frailty").random()
    >>> a == world_rng(1, "frailty").random(), a == world_rng(1, "shared_victims").random()
    (True, False)
    """
    return np.random.default_rng([int(seed), zlib.crc32(world.encode("utf-8"))])
