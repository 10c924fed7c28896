"""Redaction and pseudonymisation. The customer-side engine every bundle passes through.

The contract the bundle collector relies on (keep it when the engine grows):

    engine = Redactor(profile="standard", key=None, redactor_specs=[])
    for src, name in files:            # pass 1: learn labelled secrets and identifiers
        engine.discover(src, name)
    for src, dst, name in files:       # pass 2: rewrite
        file_report = engine.redact_file(src, dst, name)
    engine.check_residual(dst, name)   # fail closed if a discovered value survived
    engine.report()                    # the redaction-report.json document
"""

from sitrep.redact.engine import FileReport, Redactor

__all__ = ["FileReport", "Redactor"]
