"""In-memory search structures and their saved files: BM25, ranking, vectors (never SQLite)."""
