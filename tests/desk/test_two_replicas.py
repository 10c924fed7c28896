"""Scale-out: two real `sitrep desk serve` processes on one database. Concurrent creation
through both gives no duplicate keys, and each queued job (a mail) runs exactly once."""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.subjects: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        text = envelope.content.decode()
        self.subjects.append(next(x for x in text.splitlines() if x.startswith("Subject:")))
        return "250 OK"


def _staff_token(database_url: str) -> str:
    from sitrep.desk.db import make_engine, make_sessionmaker, transaction
    from sitrep.desk.services.identity import add_staff

    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, token = add_staff(session=session, email="sam@vendor.example", role="support")
    engine.dispose()
    return token


def _start(port: int, environ: dict[str, str], log: Path) -> subprocess.Popen:
    sitrep = str(Path(sys.executable).parent / "sitrep")
    with log.open("w") as out:
        return subprocess.Popen(
            [sitrep, "desk", "serve", "--port", str(port)],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(log.read_text())


@pytest.mark.slow
def test_two_serve_processes_share_one_database_without_duplicates(
    database_url, tmp_path, port_factory
):
    token = _staff_token(database_url)
    smtp_port = port_factory()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    environ.update(
        SITREP_DATABASE_URL=database_url,
        SITREP_DATA_DIR=str(tmp_path / "data"),
        SITREP_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        SITREP_SECRET_KEY="replica-test-secret",
    )
    ports = [port_factory(), port_factory()]
    procs = [_start(p, environ, tmp_path / f"replica{p}.log") for p in ports]
    try:
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        for url, proc, p in zip(urls, procs, ports, strict=True):
            _wait_healthy(url, proc, tmp_path / f"replica{p}.log")
        keys = _create_through_both(urls, token, count=40)
        assert sorted(keys, key=lambda k: int(k.split("-")[1])) == [
            f"SUP-{n}" for n in range(1, 41)
        ]
        deadline = time.monotonic() + 60
        while len(inbox.subjects) < 40 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # give a duplicate delivery the chance to show up
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        controller.stop()
    for port in ports:  # no access log: it would keep client addresses and link tokens
        assert (
            "POST /rest/servicedeskapi/request" not in (tmp_path / f"replica{port}.log").read_text()
        )
    delivered = Counter(inbox.subjects)
    assert delivered == Counter(
        {f"Subject: [SUP-{n}] We received your request": 1 for n in range(1, 41)}
    )


def _create_through_both(urls: list[str], token: str, count: int) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"}

    def create(n: int) -> str:
        body = {
            "serviceDeskId": "1",
            "requestTypeId": "1",
            "raiseOnBehalfOf": f"user{n % 7}@acme.example",
            "requestFieldValues": {"summary": f"Problem {n}"},
        }
        url = urls[n % 2]
        response = httpx.post(
            f"{url}/rest/servicedeskapi/request", json=body, headers=headers, timeout=60
        )
        assert response.status_code == 201, response.text
        return response.json()["issueKey"]

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        return list(pool.map(create, range(count)))
