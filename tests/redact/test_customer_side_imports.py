"""The redaction engine is customer-side code: it must not pull in the desk's server stack."""

from __future__ import annotations

import subprocess
import sys


def test_importing_and_using_the_engine_loads_no_server_modules() -> None:
    code = (
        "import sys\n"
        "from sitrep.redact import Redactor\n"
        "import sitrep.redact.pool, sitrep.cli.redact\n"
        "Redactor().learn_buffer(b'password=x')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'uvicorn')"
        " or m.startswith('sitrep.desk')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
