"""The bundle zip: streamed one file at a time (ZIP64), with a sha256 per file.

Memory stays bounded whatever the input size: each file is read and compressed in 1 MB
chunks, and only its digest and size are kept. Entries are written in sorted order and
``manifest.json`` lists them sorted too, so two bundles of the same data list the same
files in the same order.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

CHUNK = 1024 * 1024
COMPRESS_LEVEL = 6


class BundleWriter:
    """Write bundle members into a ZIP64 archive and remember their digests."""

    def __init__(self, path: Path, level: int = COMPRESS_LEVEL) -> None:
        self.path = path
        self.entries: list[dict[str, Any]] = []
        self._level = level
        self._zip = zipfile.ZipFile(
            path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level, allowZip64=True
        )

    def add_file(self, name: str, src: Path, **extra: Any) -> dict[str, Any]:
        """Stream ``src`` into the zip as ``name``; return its manifest entry."""
        digest, size = hashlib.sha256(), 0
        with open(src, "rb") as fin, self._zip.open(name, "w", force_zip64=True) as fout:
            while chunk := fin.read(CHUNK):
                digest.update(chunk)
                fout.write(chunk)
                size += len(chunk)
        entry = {"path": name, "size": size, "sha256": digest.hexdigest(), **extra}
        self.entries.append(entry)
        return entry

    def add_json(self, name: str, data: Any, listed: bool = True) -> None:
        """Write a JSON document (``listed`` adds it to the manifest's files)."""
        raw = (json.dumps(data, indent=2, sort_keys=False, default=str) + "\n").encode()
        self._zip.writestr(name, raw)
        if listed:
            self.entries.append(
                {
                    "path": name,
                    "size": len(raw),
                    "sha256": hashlib.sha256(raw).hexdigest(),
                    "collector": "sitrep",
                }
            )

    def close(self) -> None:
        """Write the central directory and close the file."""
        self._zip.close()

    def abort(self) -> None:
        """Close without caring about errors (the caller removes the partial file)."""
        try:
            self._zip.close()
        except OSError:
            pass


def verify(path: Path) -> list[str]:
    """Return the problems found when checking a bundle's files against its manifest."""
    problems = []
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            digest = hashlib.sha256()
            with archive.open(entry["path"]) as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != entry["sha256"]:
                problems.append(f"{entry['path']}: sha256 mismatch")
        listed = {e["path"] for e in manifest["files"]} | {"manifest.json"}
        problems.extend(f"{n}: not in the manifest" for n in archive.namelist() if n not in listed)
    return problems
