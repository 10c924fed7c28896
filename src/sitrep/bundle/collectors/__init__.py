"""The collector registry: one module per collector kind, one line each here.

Every collector module has the same shape (see CONTRIBUTING.md, "Add a collector"):
``KIND``, ``EXTENSION`` (True for sitrep.dev/v1 kinds), ``FIELDS`` (name -> type),
``REQUIRED``, ``DEFAULT_TIMEOUT``, ``collect(params, ctx)``, and optionally
``check(values, params, where)`` (extra spec validation) and ``plan(params, name, limits)``
(what ``--dry-run`` shows).
"""

from __future__ import annotations

from types import ModuleType

from sitrep.bundle.collectors import (
    copy,
    cpu,
    disk_usage,
    files,
    host_os,
    http,
    memory,
    python,
    run,
    sql,
    tcp_port_status,
    time,
)

REGISTRY: dict[str, ModuleType] = {
    module.KIND: module
    for module in (
        copy,
        run,
        http,
        cpu,
        memory,
        disk_usage,
        host_os,
        time,
        tcp_port_status,
        files,
        sql,
        python,
    )
}
