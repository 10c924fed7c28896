"""Sitrep: support bundles, a JSM-compatible desk and anonymous usage counts."""

__version__ = "0.1.0"
