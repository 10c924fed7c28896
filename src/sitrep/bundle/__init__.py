"""Support bundles: collect what a vendor's spec names, redact it, zip it, analyse it.

Customer-side code: it must never import FastAPI or ``sitrep.desk``.

    spec = load_spec("default")                       # or a path; raises SpecError
    result = collect(spec, Path("out.zip"), CollectOptions(profile="standard"))
    result.exit_code                                   # 0 pass, 3 fail, 4 warn
"""

from sitrep.bundle.collection import BundleResult, CollectOptions, collect, plan
from sitrep.bundle.collectors.context import Limits
from sitrep.bundle.spec import Spec, load_spec

__all__ = ["BundleResult", "CollectOptions", "Limits", "Spec", "collect", "load_spec", "plan"]
