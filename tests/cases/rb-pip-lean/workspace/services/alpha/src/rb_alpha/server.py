"""HTTP service answering /health with its own third-party dependency loaded."""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from rb_common import payload


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        ok = self.path == "/health"
        body = payload("alpha", requests.__version__) if ok else b"{}"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    port = int(os.environ.get("PORT", "3931"))
    print(f"alpha listening on :{port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
