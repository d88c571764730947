import http.server, json, os

import certifi  # from requirements.txt: the image must have it


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 404)
            self.end_headers()
            self.wfile.write(json.dumps({"service": "users"}).encode())
    http.server.HTTPServer(("", port), Handler).serve_forever()
