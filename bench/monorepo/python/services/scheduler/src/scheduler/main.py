"""The scheduler service: a small stdlib HTTP server beside its own libraries."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis  # noqa: F401 - loaded as the real service would
from apscheduler.schedulers.background import BackgroundScheduler

BackgroundScheduler().start()
from bench_common import health, log, port


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        if self.path != "/health":
            self.send_error(404)
            return
        body = json.dumps(health("scheduler")).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)


def run() -> None:
    log.info("listening", port=port())
    ThreadingHTTPServer(("0.0.0.0", port()), Handler).serve_forever()
