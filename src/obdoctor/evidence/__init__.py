"""Evidence: typed records with provenance, the one interface rules read."""

from obdoctor.evidence.provenance import Provenance
from obdoctor.evidence.rows import Row, TableResult
from obdoctor.evidence.logquery import LogFamily, LogQuery, LogSearchResult
from obdoctor.evidence.source import EvidenceSource, SourceInfo
from obdoctor.evidence.evidence import Evidence, Found

__all__ = [
    "Evidence", "EvidenceSource", "Found", "LogFamily", "LogQuery", "LogSearchResult",
    "Provenance", "Row", "SourceInfo", "TableResult",
]
