"""The version a retrained candidate (make retrain) is published under, and how to recognise one.

The next patch's dev release, numbered by the UTC time it was trained: 0.2.0 ->
0.2.1.dev20261130221500. It sorts above the current release and below any hand-made next one,
and never collides with one (a hand-made VERSION is never a dev release). pip takes a dev release
for ==X.Y.Z, >= or ~= only when no release matches, so only an exact pin asks for it; a local
version (0.2.0+x) would satisfy ==0.2.0 and a post release (0.2.0.post1) >=0.2.0
(docs/releasing.md).
"""

from datetime import datetime

from packaging.version import InvalidVersion, Version


def _next_patch(current: str) -> str:
    major, minor, micro = (*Version(current).release, 0, 0)[:3]
    return f"{major}.{minor}.{micro + 1}"


def candidate_version(current: str, trained_at: datetime) -> str:
    """The candidate's version when retrained from `current` at `trained_at` (UTC)."""
    return f"{_next_patch(current)}.dev{trained_at:%Y%m%d%H%M%S}"


def is_retrained_candidate(version: str, current: str) -> bool:
    """Whether `version` is a name make retrain gives a candidate of `current`."""
    try:
        candidate = Version(version)
    except InvalidVersion:
        return False
    return candidate.is_devrelease and candidate.base_version == _next_patch(current)
