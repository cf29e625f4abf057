"""The one conftest: shared fixtures. Append new fixtures at the end; keep them cheap."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def small_taxonomy_path() -> Path:
    """A nine-skill taxonomy with parents, case-sensitive forms and in-article skills."""
    return FIXTURES / "taxonomy_small.toml"


@pytest.fixture(scope="session")
def small_taxonomy(small_taxonomy_path: Path):  # type: ignore[no-untyped-def]
    from extractors.skills.taxonomy import load_taxonomy

    return load_taxonomy(small_taxonomy_path)
