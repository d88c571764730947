"""The one TOML parser of bakegen: tomli, whose compiled wheels read the thousands of
manifests of a large monorepo 2-3x faster than the standard library's pure-Python
`tomllib` (the same parser, so the same results and messages); `tomllib` where tomli is
missing."""

from __future__ import annotations

try:
    import tomli as _parser
except ModuleNotFoundError:  # pragma: no cover - tomli is a dependency
    import tomllib as _parser  # type: ignore[no-redef]

loads = _parser.loads
TOMLDecodeError = _parser.TOMLDecodeError
