"""``http`` (troubleshoot.sh/v1beta2): GET one URL named in the spec and keep the answer.

Redirects are not followed, so no connection is opened to a host the spec did not name.
Request headers (which may hold credentials from ``${ENV}`` references) are never written
into the bundle, and ``Set-Cookie`` answers are dropped.
"""

from __future__ import annotations

from typing import Any

from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import MB, Context, Limits

KIND = "http"
EXTENSION = False
FIELDS: dict[str, Any] = {"get": dict}
REQUIRED = ("get",)
DEFAULT_TIMEOUT = 10.0
BODY_CAP = MB
_DROPPED_HEADERS = {"set-cookie", "authorization", "proxy-authenticate", "www-authenticate"}


def check(values: dict[str, Any], params: Any, where: Any) -> None:
    """Require ``get.url`` with an http(s) scheme; headers must be a mapping."""
    url = values["get"].get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise where.fail("`http.get.url` must be an http:// or https:// URL", params.line_of("get"))
    if not isinstance(values["get"].get("headers", {}), dict):
        raise where.fail("`http.get.headers` must be a mapping", params.line_of("get"))


def collect(params: dict[str, Any], ctx: Context) -> None:
    """GET the URL and write ``response.json`` (status, headers, body up to 1 MB)."""
    import httpx  # Only this collector needs it; every `sitrep` command would pay.

    get = params["get"]
    verify = not get.get("insecureSkipVerify", False)
    with httpx.Client(timeout=ctx.timeout, follow_redirects=False, verify=verify) as client:
        with client.stream("GET", get["url"], headers=get.get("headers") or {}) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk[: BODY_CAP - len(body)]
                if len(body) >= BODY_CAP:
                    break
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _DROPPED_HEADERS}
    ctx.write_json(
        "response.json",
        {
            "response": {
                "status": response.status_code,
                "headers": headers,
                "body": body.decode("utf-8", errors="replace"),
                "bodyTruncated": len(body) >= BODY_CAP,
            }
        },
    )


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:  # noqa: ARG001
    """Name the URL that would be fetched."""
    return [Planned(name, f"GET {params['get']['url']}", None, "response up to 1 MB")]
