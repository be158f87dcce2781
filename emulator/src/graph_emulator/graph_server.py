"""The Graph emulator's HTTP server: stdlib ThreadingHTTPServer on loopback, HTTP/1.1 keep-alive."""

from __future__ import annotations

import socket
import struct
import threading
import time

from .app import GraphApp
from .loopback import LoopbackServer, QuietHandler
from .shapes import TRANSPORT_HEADER

_MAX_BODY = 16 << 20


class _Handler(QuietHandler):
    """Hands each request to the server's GraphApp; always sends Content-Length."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are dropped after this

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > _MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(length) if length else b""

    def serve(self, method: str) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(400, "Bad request body")
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, out_headers, data = self.server.app.handle(method, self.path, headers, body)
        transport = out_headers.pop(TRANSPORT_HEADER, None)
        if transport == "drop":  # closed before any byte of the answer
            self.close_connection = True
            self._reset()
            return
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if transport == "reset":  # part of the body, then a TCP reset
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self._reset()
            return
        if transport == "slow":
            self.wfile.flush()
            time.sleep(self.server.app.planner.faults.slow_body_s)
        self.wfile.write(data)

    def _reset(self) -> None:
        """Close the socket with SO_LINGER 0, so the peer sees a reset rather than an orderly close."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


class _Server(LoopbackServer):
    def __init__(self, address: tuple[str, int], app: GraphApp) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def wrap(self, sock: socket.socket) -> socket.socket:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


class GraphServer:
    """Serves a GraphApp on http://HOST:PORT/v1.0 in a daemon thread."""

    def __init__(self, app: GraphApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind and serve; sets `url` (the Graph base URL, no trailing slash)."""
        if self._server is not None:
            raise RuntimeError("GraphServer already started")
        self._server = _Server((self.host, self.port), self.app)
        self.port = self._server.server_address[1]
        self.url = f"http://{self.host}:{self.port}/v1.0"
        self.app.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="etd-graph", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close open connections."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
