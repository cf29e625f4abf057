"""The HTML trend report, rendered from the published warehouse alone, read-only."""
