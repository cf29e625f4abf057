"""Building and publishing the warehouse from the raw store and the taxonomy."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from extractors.skills.taxonomy import Taxonomy
from warehouse import raw_store
from warehouse.build import BuildResult, build_warehouse
from warehouse.paths import WarehousePaths
from warehouse.seeds import Seed


def taxonomy_seeds(taxonomy: Taxonomy, run_id: str) -> dict[str, Seed]:
    """The taxonomy and build facts as tables the SQL models read."""
    skills = list(taxonomy.skills.values())
    return {
        "raw_skills": Seed(
            (
                ("skill_id", "varchar"),
                ("name", "varchar"),
                ("category", "varchar"),
                ("roadmap_area", "varchar"),
                ("in_article", "boolean"),
                ("article_area", "varchar"),
                ("parent_ids", "varchar[]"),
                ("is_ambiguous", "boolean"),
            ),
            tuple(
                (
                    s.id,
                    s.name,
                    s.category,
                    s.roadmap_area,
                    s.in_article,
                    s.article_area,
                    list(s.parents),
                    s.ambiguous,
                )
                for s in skills
            ),
        ),
        "raw_skill_ancestors": Seed(
            (("skill_id", "varchar"), ("ancestor_id", "varchar")),
            tuple(
                (s.id, ancestor)
                for s in skills
                for ancestor in sorted({s.id} | taxonomy.ancestors(s.id))
            ),
        ),
        "raw_build_info": Seed(
            (("run_id", "varchar"), ("taxonomy_version", "varchar"), ("built_at", "timestamptz")),
            ((run_id, taxonomy.version, datetime.now(UTC)),),
        ),
    }


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
