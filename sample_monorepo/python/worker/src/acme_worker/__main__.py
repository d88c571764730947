"""Entry point: ``acme-worker`` / ``python -m acme_worker``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from acme_common import health_payload, json_bytes

from . import SERVICE, __version__

DEFAULT_PORT = 8000


class Handler(BaseHTTPRequestHandler):
    server_version = f"acme-worker/{__version__}"

    def _send_json(self, status: int, body: object) -> None:
        data = json_bytes(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self._send_json(200, health_payload(SERVICE))
        else:
            self._send_json(404, {"error": "not found"})

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        sys.stderr.write(f"{SERVICE}: {self.address_string()} {format % args}\n")


def default_port() -> int:
    try:
        return int(os.environ.get("PORT", DEFAULT_PORT))
    except ValueError:
        return DEFAULT_PORT


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="acme-worker",
        description="Run the acme worker service (HTTP health endpoint on /health).",
    )
    parser.add_argument(
        "--host", default="0.0.0.0", help="interface to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=default_port(),
        help="port to listen on (default: $PORT or %d)" % DEFAULT_PORT,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


def _stop(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    # Exit cleanly on `docker stop` (SIGTERM) and Ctrl-C, even when SIGINT
    # was inherited as ignored (e.g. started in the background by a shell).
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"{SERVICE} listening on :{args.port}", flush=True)
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
