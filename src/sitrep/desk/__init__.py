"""The vendor-side desk: a JSM-compatible service desk, uploads, telemetry ingest.

Nothing on the customer side may import this package.
"""
