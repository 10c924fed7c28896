"""Helpers for bundle tests: write specs, collect for real, read what landed in the zip."""

from __future__ import annotations

import json
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitrep.bundle import BundleResult, CollectOptions, Limits, collect, load_spec

MB = 1024 * 1024


def write_spec(folder: Path, body: str, name: str = "spec.yaml") -> Path:
    """Write a spec file (dedented) and return its path."""
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip())
    return path


def host_spec(collectors: str, analyzers: str = "", api: str = "sitrep.dev/v1") -> str:
    """Return a one-document spec with the given (already indented) YAML list bodies."""
    text = f"apiVersion: {api}\nkind: SupportBundle\nspec:\n  hostCollectors:\n{collectors}"
    if analyzers:
        text += f"  hostAnalyzers:\n{analyzers}"
    return text


def manifest(zip_path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(zip_path) as archive:
        return json.loads(archive.read("manifest.json"))


def member(zip_path: Path, name: str) -> bytes:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(name)


@pytest.fixture
def bundle(tmp_path: Path) -> Callable[..., tuple[BundleResult, Path]]:
    """Collect a spec text into tmp_path/out.zip and return (result, zip path)."""

    def run(
        spec_text: str, env: dict[str, str] | None = None, max_file_mb: float = 100, **kw: Any
    ) -> tuple[BundleResult, Path]:
        spec = load_spec(write_spec(tmp_path, spec_text), env=env or {})
        limits = Limits(
            max_file_bytes=int(max_file_mb * MB),
            max_total_bytes=int(kw.pop("max_total_mb", 2048) * MB),
            since_days=kw.pop("since_days", None),
        )
        out = tmp_path / "out.zip"
        result = collect(spec, out, CollectOptions(limits=limits, env=env or {}, **kw))
        return result, out

    return run
