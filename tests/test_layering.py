"""The customer side stays light: it never imports the desk's server stack.

Run in a fresh interpreter so that modules other tests imported do not hide a leak.
"""

import subprocess
import sys

CUSTOMER_SIDE = [
    "sitrep.bundle",
    "sitrep.redact",
    "sitrep.client",
    "sitrep.telemetry",
    "sitrep.cli",
]


def _imported_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, pkgutil, sys\n"
        f"for name in {modules!r}:\n"
        "    mod = importlib.import_module(name)\n"
        "    for info in pkgutil.walk_packages(getattr(mod, '__path__', []), name + '.'):\n"
        "        if '.tests' not in info.name:\n"
        "            importlib.import_module(info.name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_customer_side_code_never_imports_the_desk_or_fastapi():
    loaded = _imported_after(CUSTOMER_SIDE[:-1])
    leaks = sorted(
        m
        for m in loaded
        if m.split(".")[0] in {"fastapi", "starlette", "uvicorn", "alembic"}
        or m.startswith("sitrep.desk")
    )
    assert leaks == []


def test_the_cli_starts_without_importing_the_server_stack():
    code = (
        "import sys, sitrep.cli\n"
        "server = ('fastapi', 'sitrep.desk', 'uvicorn')\n"
        "print(sorted(m for m in sys.modules if m.startswith(server)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
