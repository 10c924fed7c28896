"""Sending a weekly report, and fetching an allow-list, over HTTP.

Only these two functions touch the network, and ``Telemetry`` calls them only when the
mode is ``on`` and the vendor configured an endpoint. The request carries the report
body and a fixed User-Agent, nothing else: no cookies, no installation id, no host name.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger("sitrep.telemetry")

HEADERS = {"User-Agent": "sitrep-telemetry", "Content-Type": "application/json"}
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


def encode(report: dict[str, Any]) -> bytes:
    """Return the exact bytes sent for ``report`` (compact JSON, keys in document order)."""
    return json.dumps(report, separators=(",", ":")).encode()


def send_report(
    endpoint: str,
    body: bytes,
    *,
    attempts: int = 3,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """POST a report; return ``sent``, ``rejected`` (4xx: never retried) or ``failed``.

    A 409 means the desk already has this report id (an earlier try got through but
    its answer was lost), so it counts as sent. Network errors, 408, 429 and 5xx are
    retried ``attempts`` times with doubling back-off; the week stays due after that.
    """
    url = endpoint.rstrip("/") + "/api/v1/telemetry/reports"
    for attempt in range(attempts):
        try:
            response = httpx.post(url, content=body, headers=HEADERS, timeout=10.0)
        except httpx.HTTPError as exc:
            log.warning("telemetry upload failed (%s)", type(exc).__name__)
        else:
            if response.is_success or response.status_code == 409:
                return "sent"
            if response.status_code not in RETRY_STATUSES:
                log.warning(
                    "telemetry report refused (%s): %s", response.status_code, _reason(response)
                )
                return "rejected"
            log.warning("telemetry upload got %s; will retry", response.status_code)
        if attempt + 1 < attempts:
            sleep(backoff * 2**attempt)
    return "failed"


def _reason(response: httpx.Response) -> str:
    """Return the desk's error message (it names counters, never personal data)."""
    try:
        return str(response.json().get("errorMessage", ""))[:300]
    except ValueError:
        return ""


def fetch_allowlist(url: str) -> Any:
    """GET an allow-list document (JSON) from the desk; raise httpx errors as they come."""
    response = httpx.get(url, headers={"User-Agent": HEADERS["User-Agent"]}, timeout=10.0)
    response.raise_for_status()
    return response.json()
