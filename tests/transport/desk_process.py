"""Run the desk as a real uvicorn subprocess, so a test can kill it and start it again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DeskProcess:
    """``python -m uvicorn --factory sitrep.desk.app:create_app`` on 127.0.0.1:port."""

    def __init__(self, *, database_url: str, data_dir: Path, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "SITREP_DATABASE_URL": database_url,
            "SITREP_DATA_DIR": str(data_dir),
            "SITREP_DEMO": "1",
            "SITREP_SECRET_KEY": "test-secret-key",
            "SITREP_SMTP_URL": "console://",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> DeskProcess:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "sitrep.desk.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(command, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the desk exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the desk did not start")

    def kill(self) -> None:
        """Kill the server at once (SIGKILL): no clean shutdown, no flushing."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
