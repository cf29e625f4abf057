"""DuckDB storage: the raw store of record, and the published analyst warehouse built from it."""
