import http.server
import os


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b"proxy\n")


http.server.HTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler).serve_forever()
