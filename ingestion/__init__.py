"""ingestion: documents to chunks, provenance-tracked triples and vectors."""
