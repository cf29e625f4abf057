"""Building and publishing the warehouse from the raw store and the taxonomy."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd

from extractors.skills.taxonomy import Taxonomy
from warehouse import raw_store
from warehouse.build import BuildResult, build_warehouse
from warehouse.paths import WarehousePaths


def taxonomy_seeds(taxonomy: Taxonomy, run_id: str) -> dict[str, pd.DataFrame]:
    """The taxonomy and build facts as tables the SQL models read."""
    skills = pd.DataFrame(
        [
            {
                "skill_id": s.id,
                "name": s.name,
                "category": s.category,
                "roadmap_area": s.roadmap_area,
                "in_article": s.in_article,
                "article_area": s.article_area,
                "parent_ids": list(s.parents),
                "is_ambiguous": s.ambiguous,
            }
            for s in taxonomy.skills.values()
        ]
    )
    ancestors = pd.DataFrame(
        [
            {"skill_id": s.id, "ancestor_id": ancestor}
            for s in taxonomy.skills.values()
            for ancestor in sorted({s.id} | taxonomy.ancestors(s.id))
        ]
    )
    build_info = pd.DataFrame(
        [{"run_id": run_id, "taxonomy_version": taxonomy.version, "built_at": datetime.now(UTC)}]
    )
    return {"raw_skills": skills, "raw_skill_ancestors": ancestors, "raw_build_info": build_info}


class StaleExtractions(RuntimeError):
    """Stored texts lack mentions for the taxonomy being built; publishing would zero shares."""


def build(paths: WarehousePaths, run_id: str, taxonomy: Taxonomy) -> BuildResult:
    """Build and publish the warehouse, refusing when extraction lags the taxonomy."""
    if paths.raw.exists():
        con = duckdb.connect(str(paths.raw), read_only=True)
        try:
            missing = raw_store.count_pending(con, taxonomy.version)
        finally:
            con.close()
        if missing:
            raise StaleExtractions(
                f"{missing} stored posting texts have no extraction with taxonomy "
                f"{taxonomy.version}; run `skillpulse reextract --db {paths.db}` first"
            )
    return build_warehouse(paths, run_id, taxonomy_seeds(taxonomy, run_id))
