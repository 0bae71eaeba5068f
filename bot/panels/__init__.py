"""Panels: reading panel YAML, validating it, caching the index, and ingesting transcripts into it."""
