"""Helpers shared by the services."""

import json


def payload(name: str) -> bytes:
    return json.dumps({"status": "ok", "service": name}).encode()
