"""A tiny loopback reverse proxy for bench/run.py's two-server run: round-robin over the
given backends, one request at a time per connection (no keep-alive), every header and
Set-Cookie passed through. Stands in for nginx on a machine without it.

    python bench/proxy.py 8700 127.0.0.1:8701 127.0.0.1:8702"""

import http.client
import itertools
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
       "te", "trailer"}


def serve(port: int, backends: list[str]) -> ThreadingHTTPServer:
    turn = itertools.cycle(backends)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, *args):
            pass

        def _forward(self):
            with lock:
                backend = next(turn)
            host, port_ = backend.split(":")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["X-Forwarded-For"] = self.client_address[0]
            conn = http.client.HTTPConnection(host, int(port_), timeout=120)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except OSError:
                self.send_error(502)
                return
            finally:
                conn.close()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Backend", backend)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2:]).serve_forever()
