"""Persistence: the library folder, the record store (SQLite) and the annotations store (TinyDB)."""
