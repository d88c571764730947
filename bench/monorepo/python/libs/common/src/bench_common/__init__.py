"""Shared pieces of the bench's Python services: settings, logging, the health answer."""

from __future__ import annotations

import os

import structlog
from pydantic import BaseModel


class Health(BaseModel):
    status: str = "ok"
    service: str


def health(service: str) -> dict[str, str]:
    """The body every service answers on /health."""
    return Health(service=service).model_dump()


def port(default: int = 8000) -> int:
    return int(os.environ.get("PORT", default))


log = structlog.get_logger()
