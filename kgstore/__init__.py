"""kgstore: the RDF store (embedded Oxigraph or a SPARQL endpoint), safe SPARQL, provenance,
the metadata/audit database and the settings every layer shares. Imports no other kgassist package."""

from .errors import (ConfigError, DatabaseError, KGAssistError, ModelNotAvailableError, QueryTimeoutError,
                     ReadOnlyError, StoreError, UnsafeQueryError)
from .provenance import PROVENANCE_QUERY, DocumentInfo, Statement, Provenance
from .settings import Settings, choices, load_settings
from .sparql import QueryResult
from .backends import open_store
from .store import Assertion, Edge, EntityMatch, KGStore, ProvenanceRecord, StoreStats

__all__ = [
    "ConfigError", "DatabaseError", "KGAssistError", "ModelNotAvailableError", "QueryTimeoutError", "ReadOnlyError", "StoreError",
    "UnsafeQueryError", "PROVENANCE_QUERY", "DocumentInfo", "Statement", "Provenance", "Settings", "choices",
    "load_settings", "QueryResult",
    "Assertion", "Edge", "EntityMatch", "KGStore", "ProvenanceRecord", "StoreStats", "open_store",
]
