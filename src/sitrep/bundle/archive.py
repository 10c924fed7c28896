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
from typing import IO, Any

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
        """Stream a JSON document into the zip (``listed`` adds it to the manifest's files).

        The redaction report of a big bundle lists millions of line numbers, so the
        document is encoded piece by piece instead of as one string in memory.
        """
        with self._zip.open(name, "w", force_zip64=True) as target:
            sink = _HashingWriter(target)
            json.dump(data, sink, indent=2, default=str)
            sink.write("\n")
            sink.flush()
        if listed:
            entry = {"path": name, "size": sink.size, "sha256": sink.digest.hexdigest()}
            self.entries.append({**entry, "collector": "sitrep"})

    def close(self) -> None:
        """Write the central directory and close the file."""
        self._zip.close()

    def abort(self) -> None:
        """Close without caring about errors (the caller removes the partial file)."""
        try:
            self._zip.close()
        except OSError:
            pass


class _HashingWriter:
    """A text sink for ``json.dump`` that hashes and counts what it passes on in 1 MB writes."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest, self.size = target, hashlib.sha256(), 0
        self._buffer: list[bytes] = []
        self._buffered = 0

    def write(self, text: str) -> None:
        data = text.encode()
        self.digest.update(data)
        self.size += len(data)
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.target.write(b"".join(self._buffer))
        self._buffer, self._buffered = [], 0


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
