"""Rendering: rows in, text out. Never loads or filters."""
