"""The bundle package is customer-side: it must not pull in FastAPI or the desk."""

from __future__ import annotations

import subprocess
import sys


def test_importing_and_collecting_never_loads_fastapi_or_the_desk(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sitrep.bundle import CollectOptions, collect, load_spec\n"
        "import sitrep.cli.bundle\n"
        f"out = Path({str(tmp_path / 'o.zip')!r})\n"
        "collect(load_spec('default', env={}), out, CollectOptions(env={}))\n"
        "server = ('fastapi', 'starlette', 'uvicorn')\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m.split('.')[0] in server or m.startswith('sitrep.desk'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
