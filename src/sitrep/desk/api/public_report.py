"""The public "report a problem" API, for the vendor's marketplace listing page.

Anyone may post a report; it becomes a request only after the link mailed to the
address is opened. The answer never says whether the address is known.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi import Request as HttpRequest
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sitrep.desk import policy
from sitrep.desk.auth import ANONYMOUS
from sitrep.desk.deps import get_session
from sitrep.desk.services import public_reports

router = APIRouter(prefix="/api/v1/public", tags=["public"])


class PublicReport(BaseModel):
    """A problem report from the public page."""

    email: str = Field(max_length=320)
    summary: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=20000)
    app: str | None = Field(None, max_length=100)
    app_version: str | None = Field(None, max_length=100)
    host_product: str | None = Field(None, max_length=100)
    host_version: str | None = Field(None, max_length=100)


class Pending(BaseModel):
    status: str = "pending"
    message: str


class Confirmed(BaseModel):
    status: str = "confirmed"
    issueKey: str


@router.post(
    "/reports", status_code=202, response_model=Pending, **policy.route_action("public.report")
)
def report_problem(
    body: PublicReport, http: HttpRequest, session: Session = Depends(get_session, scope="function")
) -> Pending:
    """Accept a report and mail a confirmation link to its address."""
    policy.check(ANONYMOUS, "public.report")
    address = http.client.host if http.client else "unknown"
    public_reports.submit_report(
        session=session,
        settings=http.app.state.settings,
        data=public_reports.PublicReportIn(**body.model_dump()),
        address=address,
    )
    session.commit()
    return Pending(message="Check your mail: the request is raised when you open the link.")


def _confirm(token: str, session: Session) -> Confirmed:
    policy.check(ANONYMOUS, "public.report")
    request = public_reports.confirm_report(session=session, token=token)
    session.commit()
    return Confirmed(issueKey=request.key)


@router.get(
    "/reports/confirm/{token}", response_model=Confirmed, **policy.route_action("public.report")
)
def confirm_by_link(
    token: str, session: Session = Depends(get_session, scope="function")
) -> Confirmed:
    """Confirm the address (the link in the mail) and raise the request."""
    return _confirm(token, session)


@router.post(
    "/reports/confirm/{token}", response_model=Confirmed, **policy.route_action("public.report")
)
def confirm(token: str, session: Session = Depends(get_session, scope="function")) -> Confirmed:
    """Confirm the address and raise the request (for pages that POST)."""
    return _confirm(token, session)
