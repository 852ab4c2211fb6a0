"""Whole-number settings read from the environment at the moment they are needed (a job's chunk size, the jobs at
once, the smallest group shown), each refused with a message naming its variable when it is not one."""

from __future__ import annotations

import os
from collections.abc import Mapping


def positive_whole_number(name: str, default: int, unit: str, environ: Mapping[str, str] | None = None) -> int:
    """``environ[name]`` (default: the process environment) as a positive whole number, or ``default`` when unset
    or empty.

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive whole number (the message names it and its ``unit``).
    """
    env = os.environ if environ is None else environ
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name}={text!r} must be a positive whole number of {unit}")
    return int(text)
