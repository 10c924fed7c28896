"""``sql`` (sitrep.dev/v1): one read-only query against the application's database.

The SQLAlchemy URL comes from an environment variable named by ``urlFromEnv`` and is
never written into the bundle, not even in an error message. ``query`` is one SELECT-like
statement, or a mapping from dialect name (``sqlite``, ``postgresql``, ``mysql``, ...) to
a statement, with ``default`` as fallback. The session is made read-only where the
database supports it and always rolled back.
"""

from __future__ import annotations

import re
from typing import Any

from sitrep.bundle.collectors.capture import Planned
from sitrep.bundle.collectors.context import CollectorSkipped, Context, Limits

KIND = "sql"
EXTENSION = True
FIELDS: dict[str, Any] = {"urlFromEnv": str, "query": (str, dict), "maxRows": int}
REQUIRED = ("urlFromEnv", "query")
DEFAULT_TIMEOUT = 15.0
_READ_ONLY = re.compile(r"^\s*(select|with|show|values|explain|pragma\s+\w+\s*$)", re.IGNORECASE)


def check(values: dict[str, Any], params: Any, where: Any) -> None:
    """Refuse anything but single read-only statements."""
    queries = values["query"] if isinstance(values["query"], dict) else {"default": values["query"]}
    for query in queries.values():
        body = str(query).strip().rstrip(";")
        if not _READ_ONLY.match(body) or ";" in body:
            raise where.fail(
                "`sql.query` must be one read-only statement (SELECT, WITH, SHOW, VALUES, EXPLAIN)",
                params.line_of("query"),
                fix="Remove writes and extra statements; the bundle only reads.",
            )


def collect(params: dict[str, Any], ctx: Context) -> None:
    """Run the query and write ``result.json`` with dialect, columns and rows."""
    url = ctx.env.get(params["urlFromEnv"])
    if not url:
        raise CollectorSkipped(f"{params['urlFromEnv']} is not set")
    # Imported here: SQLAlchemy costs every `sitrep` command (and each redaction worker)
    # about 20 MB and 0.1 s, and only this collector needs it.
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    try:
        result = _query(url, params, ctx.timeout)
    except (SQLAlchemyError, ArgumentError, ImportError, ValueError) as exc:
        raise RuntimeError(_safe_error(exc, url)) from None
    ctx.write_json("result.json", result)


def _query(url: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    dialect = make_url(url).get_backend_name()
    queries = params["query"] if isinstance(params["query"], dict) else {"default": params["query"]}
    query = queries.get(dialect, queries.get("default"))
    if query is None:
        raise ValueError(f"no query for the {dialect} dialect")
    limit = params.get("maxRows", 1000)
    engine = create_engine(url, poolclass=None, connect_args=_connect_args(dialect, timeout))
    try:
        with engine.connect() as conn:
            _make_read_only(conn, dialect)
            rows = conn.execute(text(query))
            columns = list(rows.keys())
            fetched = rows.fetchmany(limit + 1)
            conn.rollback()
    finally:
        engine.dispose()
    data = [[_cell(v) for v in row] for row in fetched[:limit]]
    return {"dialect": dialect, "columns": columns, "rows": data, "truncated": len(fetched) > limit}


def _connect_args(dialect: str, timeout: float) -> dict[str, Any]:
    if dialect == "postgresql":
        return {"connect_timeout": max(1, int(timeout))}
    if dialect == "sqlite":
        return {"timeout": timeout}
    return {}


def _make_read_only(conn: Any, dialect: str) -> None:
    if dialect == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")
    elif dialect in ("postgresql", "mysql", "mariadb"):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _cell(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)


def _safe_error(exc: Exception, url: str) -> str:
    """Describe a database error without the URL or its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    message = str(exc).split("\n", 1)[0]
    secrets = [url]
    try:
        password = make_url(url).password
        if password:
            secrets.append(str(password))
    except ArgumentError:
        pass
    for secret in secrets:
        message = message.replace(secret, "***")
    return f"{exc.__class__.__name__}: {message[:300]}"


def plan(params: dict[str, Any], name: str, limits: Limits) -> list[Planned]:  # noqa: ARG001
    """Name the query that would run (never the URL)."""
    return [Planned(name, f"sql query on ${params['urlFromEnv']}", None)]
