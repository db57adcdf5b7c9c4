"""Metadata and audit database: SQLAlchemy 2 models, Alembic migrations, sessions."""

from __future__ import annotations

from .database import Database, open_database, upgrade
from .models import (Answer, AnswerQuery, AuditHead, Base, Chunk, ClaimCheck, Document, EntityMerge, IngestionRun,
                     RetrievedChunk, find_document)

__all__ = ["Database", "open_database", "upgrade", "Answer", "AnswerQuery", "AuditHead", "Base", "Chunk",
           "ClaimCheck", "Document", "EntityMerge", "IngestionRun", "RetrievedChunk", "find_document"]
