"""The Jira Service Management connector: JSM's customer REST API over httpx.

It speaks to a real JSM site (API-token Basic auth, ``email:token``) and, unchanged, to
the Sitrep desk's JSM-compatible API (Bearer token). Uploading is JSM's two steps:
``attachTemporaryFile``, then attach the temporary ids to a request.

Reads retry with backoff. Creating a request sends an ``Idempotency-Key`` (the desk
returns the first request when it sees the key again) and is retried only when the
server cannot have acted on it (connection refused) or asks to be retried (429, 503).
"""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from sitrep.client.upload import raise_for_answer
from sitrep.errors import NotFound, RemoteError

API = "/rest/servicedeskapi"
DEFAULT_DESK = "SUP"
DEFAULT_REQUEST_TYPE = "Report a problem"
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class JsmClient:
    """A small client for the JSM REST API: desks, request types, requests, attachments."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        retries: int = 4,
        backoff: float = 0.5,
        timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=timeout,
        )

    @classmethod
    def with_api_token(cls, base_url: str, email: str, api_token: str, **kwargs: Any) -> JsmClient:
        """Return a client for a JSM site, authenticated as JSM Cloud wants (Basic email:token)."""
        return cls(base_url, auth=(email, api_token), **kwargs)

    # --- transport --------------------------------------------------------------------------

    def _send(self, method: str, path: str, *, safe: bool, **kwargs: Any) -> httpx.Response:
        """Send with retries; an unsafe request is repeated only if it cannot have been acted on."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = self.http.request(method, path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last:
                    raise RemoteError(f"Cannot reach {self.base_url}: {exc}.") from None
            except httpx.TransportError as exc:
                if not safe or last:
                    raise RemoteError(f"The connection to {self.base_url} broke: {exc}.") from None
            else:
                if response.status_code not in RETRY_STATUSES or last:
                    return response
            time.sleep(min(self.backoff * 2**attempt, 30.0) * random.uniform(0.5, 1.0))
        raise AssertionError("unreachable")

    def _json(self, method: str, path: str, what: str, *, safe: bool = True, **kwargs: Any) -> Any:
        response = self._send(method, path, safe=safe, **kwargs)
        raise_for_answer(response, what)
        return response.json() if response.content else None

    # --- desks and request types ----------------------------------------------------------------

    def service_desk_id(self, ref: str | None = None) -> str:
        """Return the id of the desk with this id or key (default ``SUP``, else the first)."""
        desks = self._json("GET", f"{API}/servicedesk", "Listing service desks")["values"]
        wanted = (ref or DEFAULT_DESK).upper()
        for desk in desks:
            if wanted in (str(desk["id"]), str(desk.get("projectKey", "")).upper()):
                return str(desk["id"])
        if ref is None and desks:
            return str(desks[0]["id"])
        raise NotFound(
            f"No service desk '{ref or DEFAULT_DESK}' at {self.base_url}.",
            fix="Pass --service-desk with a desk id or project key.",
        )

    def request_type_id(self, desk_id: str, ref: str | None = None) -> str:
        """Return the id of the request type with this id or name (default "Report a problem")."""
        path = f"{API}/servicedesk/{desk_id}/requesttype"
        types = self._json("GET", path, "Listing request types")["values"]
        wanted = (ref or DEFAULT_REQUEST_TYPE).casefold()
        for rtype in types:
            if wanted in (str(rtype["id"]), str(rtype["name"]).casefold()):
                return str(rtype["id"])
        if ref is None and types:
            return str(types[0]["id"])
        raise NotFound(
            f"No request type '{ref or DEFAULT_REQUEST_TYPE}' on desk {desk_id}.",
            fix="Pass --request-type with a request type id or name.",
        )

    # --- requests and attachments ---------------------------------------------------------------

    def attach_temporary_file(self, desk_id: str, path: Path, filename: str | None = None) -> str:
        """Upload one file with ``attachTemporaryFile``; return its temporary attachment id."""
        with path.open("rb") as fh:
            # httpx streams a file object in a multipart body instead of reading it whole.
            response = self._send(
                "POST",
                f"{API}/servicedesk/{desk_id}/attachTemporaryFile",
                safe=False,
                files={"file": (filename or path.name, fh, "application/octet-stream")},
                headers={"X-Atlassian-Token": "no-check"},
            )
        raise_for_answer(response, "Uploading the file")
        return str(response.json()["temporaryAttachments"][0]["temporaryAttachmentId"])

    def create_request(
        self,
        *,
        desk_id: str,
        request_type_id: str,
        summary: str,
        description: str,
        on_behalf_of: str,
    ) -> dict[str, Any]:
        """Raise a request on behalf of ``on_behalf_of`` (an email); return JSM's request."""
        body = {
            "serviceDeskId": desk_id,
            "requestTypeId": request_type_id,
            "requestFieldValues": {"summary": summary, "description": description},
            "raiseOnBehalfOf": on_behalf_of,
        }
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        return dict(
            self._json(
                "POST",
                f"{API}/request",
                "Raising the request",
                safe=False,
                json=body,
                headers=headers,
            )
        )

    def attach(
        self, key: str, temp_ids: list[str], *, public: bool = True, comment: str | None = None
    ) -> dict[str, Any]:
        """Attach temporary files to request ``key``; return JSM's answer."""
        body = {
            "temporaryAttachmentIds": temp_ids,
            "public": public,
            "additionalComment": {"body": comment},
        }
        return dict(
            self._json(
                "POST",
                f"{API}/request/{key}/attachment",
                "Attaching the file",
                safe=False,
                json=body,
            )
        )

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()
