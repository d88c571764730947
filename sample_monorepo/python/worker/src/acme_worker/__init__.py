"""acme worker service."""

SERVICE = "worker"
__version__ = "0.1.0"
