"""http and tcpPortStatus against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import host_spec, member


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/elsewhere")
            self.end_headers()
            return
        body = b'{"state": "RUNNING", "auth": "%s"}' % self.headers.get("X-Token", "").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "session=abc")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_http_keeps_status_headers_and_body_but_not_cookies(bundle, server):
    spec = host_spec(
        f"    - http: {{collectorName: status, get: {{url: 'http://127.0.0.1:{server}/status',"
        " headers: {X-Token: '${APP_TOKEN}'}}}\n",
        api="troubleshoot.sh/v1beta2",
    )
    result, out = bundle(spec, env={"APP_TOKEN": "tok"})
    response = json.loads(member(out, "status/response.json"))["response"]
    assert response["status"] == 200
    assert json.loads(response["body"])["state"] == "RUNNING"
    assert "Set-Cookie" not in response["headers"] and "set-cookie" not in response["headers"]
    assert result.collectors[0]["status"] == "ok"


def test_http_does_not_follow_redirects_to_hosts_the_spec_did_not_name(bundle, server):
    spec = host_spec(f"    - http: {{get: {{url: 'http://127.0.0.1:{server}/redirect'}}}}\n")
    _, out = bundle(spec)
    response = json.loads(member(out, "http/response.json"))["response"]
    assert response["status"] == 302


def test_http_to_a_closed_port_fails_only_its_collector(bundle, server):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    result, _ = bundle(
        host_spec(f"    - http: {{get: {{url: 'http://127.0.0.1:{closed}/'}}}}\n    - time: {{}}\n")
    )
    assert result.collectors[0]["status"] == "failed"
    assert "ConnectError" in result.collectors[0]["error"]
    assert result.collectors[1]["status"] == "ok"


def test_tcp_port_status_reports_connected_and_refused(bundle, server):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    spec = host_spec(
        f"    - tcpPortStatus: {{collectorName: up, port: {server}}}\n"
        f"    - tcpPortStatus: {{collectorName: down, port: {closed}}}\n"
    )
    _, out = bundle(spec)
    assert json.loads(member(out, "up/status.json"))["status"] == "connected"
    assert json.loads(member(out, "down/status.json"))["status"] == "connection-refused"
