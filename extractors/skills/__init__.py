"""Skill extraction: a versioned taxonomy (data) and a spaCy rule-based matcher (code)."""
