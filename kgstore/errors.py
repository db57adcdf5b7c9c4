"""Exception types shared by every kgassist layer; messages tell the user what to do next."""

from __future__ import annotations


class KGAssistError(Exception):
    """Base class: the CLI prints these without a traceback."""


class ConfigError(KGAssistError):
    """Settings are missing or inconsistent."""


class ModelNotAvailableError(ConfigError):
    """A configured model is not on disk, or its folder holds no model (nothing is downloaded)."""


class StoreError(KGAssistError):
    """The RDF store could not be opened, read or written."""


class StoreBusyError(StoreError):
    """The embedded store is open in another process that does not share it."""


class UnsafeQueryError(KGAssistError):
    """A query was refused by the safe SPARQL layer (update, SERVICE, bad syntax, over the cap)."""


class QueryTimeoutError(KGAssistError):
    """A query ran past the configured timeout."""


class DatabaseError(KGAssistError):
    """The metadata/audit database could not be opened or migrated."""


class ReadOnlyError(KGAssistError):
    """A write was attempted while kgassist runs in read-only mode."""
