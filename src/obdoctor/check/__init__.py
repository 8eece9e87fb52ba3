"""``obdoctor check``: grade each tenant's backup health before it fails.

Checks read the same ``Evidence`` the rules read (a bundle or a live cluster) and return one
``CheckResult`` per check and tenant: ok, warning, critical or unknown, with a number, its
threshold and the rows that prove it. Like the rules, they never import sources, the CLI or
reports (import-linter).
"""

from obdoctor.check.model import CheckOptions, CheckReport, CheckResult, ProgressMark, SpaceProbe, Status
from obdoctor.check.runner import CHECK_IDS, run_checks

__all__ = ["CHECK_IDS", "CheckOptions", "CheckReport", "CheckResult", "ProgressMark", "SpaceProbe", "Status", "run_checks"]
