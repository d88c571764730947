"""HTTP service answering /health."""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg
import six
from rb_common import payload


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        ok = self.path == "/health"
        body = payload(six.ensure_str("jobs")) if ok else b"{}"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    port = int(os.environ.get("PORT", "3922"))
    # psycopg 3 without its binary extra is Python over the system's libpq: importing it
    # needs libpq5 in the image
    print(f"libpq {psycopg.pq.version()} ({psycopg.pq.__impl__})", flush=True)
    print(f"jobs listening on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
