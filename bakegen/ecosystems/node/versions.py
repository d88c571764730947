"""Which Node major a repository asks for: version files, `volta`, and `engines.node` ranges.

Only the major matters: it picks the `node:<major>-...` image. A range yields the lowest
major that satisfies it (`>=20` -> 20, `^18.17` -> 18, `>20` -> 21), so the image matches
the oldest Node the lockfile's world was resolved for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: `lts/<codename>` in `.nvmrc`
LTS_CODENAMES = {
    "argon": 4, "boron": 6, "carbon": 8, "dubnium": 10, "erbium": 12, "fermium": 14,
    "gallium": 16, "hydrogen": 18, "iron": 20, "jod": 22, "krypton": 24,
}
_EXACT_MAJOR = re.compile(r"v?(\d+)(?:\.[\dxX*]+){0,2}(?:[-+][\w.+-]*)?")
_COMPARATOR = re.compile(
    r"(<=|>=|<|>|=|\^|~>|~)?\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+][\w.+-]*)?"
)
_HYPHEN = re.compile(r"^\s*(\S+)\s+-\s+(\S+)\s*$")

Version = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class _Bound:
    version: Version
    inclusive: bool


def major_from_version_file(text: str) -> str | None:
    """The major of an `.nvmrc` / `.node-version` (`v20.11.1`, `20`, `lts/iron`), if pinned."""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.lower().startswith("lts/"):
            major = LTS_CODENAMES.get(line[4:].lower())
            return str(major) if major else None
        match = _EXACT_MAJOR.fullmatch(line)
        return match.group(1) if match else major_from_range(line)
    return None


def major_from_tool_versions(text: str) -> str | None:
    """The Node major of an asdf `.tool-versions` (`nodejs 20.11.0`), if listed."""
    for raw in text.splitlines():
        fields = raw.split("#", 1)[0].split()
        if len(fields) >= 2 and fields[0] in ("nodejs", "node"):
            return major_from_version_file(fields[1])
    return None


def major_from_range(spec: str) -> str | None:
    """The lowest Node major satisfying a semver range (`>=18 <21 || 22`), or None.

    A range without a lower bound (`*`, `<20`) pins nothing, so it gives None; so does 0.x.
    """
    majors = [m for alt in spec.split("||") if (m := _lowest_major(alt)) is not None]
    return str(min(majors)) if majors else None


def _lowest_major(alternative: str) -> int | None:
    hyphen = _HYPHEN.match(alternative)
    if hyphen:
        alternative = f">={hyphen.group(1)} <={hyphen.group(2)}"
    lower: _Bound | None = None
    upper: _Bound | None = None
    for match in _COMPARATOR.finditer(alternative):
        low, high = _comparator_bounds(match)
        if low and (lower is None or _tighter_lower(low, lower)):
            lower = low
        if high and (upper is None or _tighter_upper(high, upper)):
            upper = high
    if lower is None or lower.version[0] == 0:
        return None
    if upper and (upper.version < lower.version or (
        upper.version == lower.version and not (upper.inclusive and lower.inclusive)
    )):
        return None
    return lower.version[0]


def _comparator_bounds(match: re.Match[str]) -> tuple[_Bound | None, _Bound | None]:
    """Lower and upper bound of one comparator; missing parts of the version are wildcards."""
    op = match.group(1) or "="
    nums: list[int] = []
    for part in match.group(2, 3, 4):
        if part is None or part in "xX*":
            break  # a wildcard cuts the version there: `1.x.3` means `1.x`
        nums.append(int(part))
    if not nums:
        return None, None
    base = _pad(nums)
    if op == ">=":
        return _Bound(base, True), None
    if op == "<=":
        return None, _Bound(_bump(nums), False) if len(nums) < 3 else _Bound(base, True)
    if op == ">":
        return (_Bound(_bump(nums), True) if len(nums) < 3 else _Bound(base, False)), None
    if op == "<":
        return None, _Bound(base, False)
    if op == "^":
        nonzero = next((i for i, n in enumerate(nums) if n), len(nums) - 1)
        return _Bound(base, True), _Bound(_bump(nums[: nonzero + 1]), False)
    if op in ("~", "~>"):
        return _Bound(base, True), _Bound(_bump(nums[:2] if len(nums) > 1 else nums), False)
    if len(nums) == 3:
        return _Bound(base, True), _Bound(base, True)
    return _Bound(base, True), _Bound(_bump(nums), False)


def _pad(nums: list[int]) -> Version:
    padded = [*nums, 0, 0, 0][:3]
    return padded[0], padded[1], padded[2]


def _bump(nums: list[int]) -> Version:
    """The first version after every version starting with `nums` (`[1, 2]` -> 1.3.0)."""
    return _pad([*nums[:-1], nums[-1] + 1])


def _tighter_lower(new: _Bound, old: _Bound) -> bool:
    return new.version > old.version or (new.version == old.version and not new.inclusive)


def _tighter_upper(new: _Bound, old: _Bound) -> bool:
    return new.version < old.version or (new.version == old.version and not new.inclusive)
