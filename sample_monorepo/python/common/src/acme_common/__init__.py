"""Helpers shared by acme Python services."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["health_payload", "json_bytes"]
__version__ = "0.1.0"


def health_payload(service: str) -> dict[str, str]:
    """Return the standard health-check body for ``service``."""
    return {"status": "ok", "service": service}


def json_bytes(body: Any) -> bytes:
    """Serialise ``body`` as compact UTF-8 JSON."""
    return json.dumps(body, separators=(",", ":")).encode("utf-8")
