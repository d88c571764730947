"""Shared by both services: a JSON health payload (six proves the library's own dependency)."""

import json

import six


def payload(service: str, detail: str) -> bytes:
    return json.dumps({"service": service, "ok": True, "py3": six.PY3, "detail": detail}).encode()
