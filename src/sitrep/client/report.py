"""Raise a ticket on behalf of a user, with a bundle, in a Sitrep desk or in JSM.

The order is chosen so that a failure leaves as little behind as possible: the bundle is
checked locally first (the same validation the desk runs), then uploaded, and only then
is the request raised and the file attached. The local bundle is deleted only after the
server confirmed the attachment with the right size, and never with ``keep``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitrep.bundle.validate import check_zip
from sitrep.client.desk import DeskClient
from sitrep.client.jsm import JsmClient
from sitrep.client.upload import Progress
from sitrep.errors import RemoteError, ValidationError

COMMENT = "Support bundle attached by sitrep report."


@dataclass
class Report:
    """What the user asked to send."""

    email: str
    summary: str
    description: str = ""
    bundle: Path | None = None
    keep: bool = False
    service_desk: str | None = None
    request_type: str | None = None


@dataclass
class ReportResult:
    """What happened: the ticket key and link, and what became of the bundle."""

    key: str
    link: str | None
    system: str
    attached: list[str] = field(default_factory=list)
    bundle_deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "link": self.link,
            "system": self.system,
            "attached": self.attached,
            "bundleDeleted": self.bundle_deleted,
        }


AGE_MAGIC = b"age-encryption.org/v1"


def check_bundle(path: Path) -> None:
    """Refuse anything but a Sitrep bundle the desk would accept, before anything is sent.

    The file is deleted after a confirmed upload, so it must really be a bundle: a zip with
    a manifest that passes the desk's validation, or a bundle encrypted with age
    (``sitrep bundle collect --encrypt-to``), which only the vendor can open and check.
    """
    if not path.is_file():
        raise ValidationError(
            f"{path} does not exist or is not a file.",
            fix="Pass --bundle with the zip `sitrep bundle collect` wrote.",
        )
    with path.open("rb") as fh:
        head = fh.read(len(AGE_MAGIC))
    if head == AGE_MAGIC:
        return
    if not head.startswith(b"PK"):
        raise ValidationError(
            f"{path.name} is not a Sitrep bundle (neither a zip nor an age-encrypted bundle).",
            fix="Pass --bundle with the file `sitrep bundle collect` wrote.",
        )
    try:
        checked = check_zip(path)
    except ValidationError as exc:
        raise ValidationError(
            f"{path.name}: {exc.message}",
            fix="Collect a fresh bundle with `sitrep bundle collect`.",
        ) from None
    if not checked.is_bundle:
        raise ValidationError(
            f"{path.name} is a zip but not a Sitrep bundle (no manifest.json).",
            fix="Collect a bundle with `sitrep bundle collect`.",
        )


def report_to_desk(
    report: Report, *, desk_url: str, token: str, on_progress: Progress | None = None
) -> ReportResult:
    """Raise the ticket in a Sitrep desk; the bundle goes over a resumable tus upload."""
    client = DeskClient(desk_url, token)
    try:

        def upload(path: Path, _desk_id: str) -> str:
            state = path.with_name(f".{path.name}.upload")
            return client.upload(path, state_file=state, on_progress=on_progress).temporary_id

        return _raise(client.jsm, report, upload, system="desk")
    finally:
        client.close()


def report_to_jsm(report: Report, *, jsm_url: str, email: str, api_token: str) -> ReportResult:
    """Raise the ticket in Jira Service Management: attachTemporaryFile, request, attach."""
    client = JsmClient.with_api_token(jsm_url, email, api_token)
    try:

        def upload(path: Path, desk_id: str) -> str:
            return client.attach_temporary_file(desk_id, path)

        return _raise(client, report, upload, system="jsm")
    finally:
        client.close()


def _raise(
    jsm: JsmClient, report: Report, upload: Callable[[Path, str], str], *, system: str
) -> ReportResult:
    if report.bundle is not None:
        check_bundle(report.bundle)
    desk_id = jsm.service_desk_id(report.service_desk)
    type_id = jsm.request_type_id(desk_id, report.request_type)
    temp_id = upload(report.bundle, desk_id) if report.bundle is not None else None
    created = jsm.create_request(
        desk_id=desk_id,
        request_type_id=type_id,
        summary=report.summary,
        description=report.description,
        on_behalf_of=report.email,
    )
    key = str(created["issueKey"])
    result = ReportResult(key=key, link=created.get("_links", {}).get("web"), system=system)
    if temp_id is None or report.bundle is None:
        return result
    try:
        answer = jsm.attach(key, [temp_id], public=True, comment=COMMENT)
    except Exception as exc:
        raise RemoteError(
            f"Request {key} was raised, but attaching the bundle failed: {exc}",
            fix="The bundle was kept; attach it by hand or run the command again.",
        ) from None
    result.attached = [a["filename"] for a in answer.get("attachments", {}).get("values", [])]
    result.bundle_deleted = _delete_if_confirmed(report, answer)
    return result


def _delete_if_confirmed(report: Report, answer: dict[str, Any]) -> bool:
    """Delete the local bundle when the server lists it with the right size (unless keep)."""
    assert report.bundle is not None
    size = report.bundle.stat().st_size
    values = answer.get("attachments", {}).get("values", [])
    confirmed = any(a.get("size") == size for a in values)
    if report.keep or not confirmed:
        return False
    report.bundle.unlink()
    return True
