"""Helpers shared by the services (orjson: a compiled wheel)."""

import orjson


def payload(name: str) -> bytes:
    return orjson.dumps({"status": "ok", "service": name})
