"""Substring search in case titles and descriptions that an index answers, in Chinese
and in traditional Mongolian as in Latin script: trigram indexes (PostgreSQL's
``pg_trgm`` GIN indexes; on SQLite an FTS5 table with the trigram tokenizer, kept in
step by triggers). An unindexed ``LIKE '%…%'`` read every case (0.4–3.3 s at 1,000,000
cases, with or without a hit).

The DDL runs when the ``cases`` table is created (``create_all``) and in migration 0013,
so both build the same schema; these objects are not in the SQLAlchemy metadata
(``SEARCH_OBJECTS`` lists them for schema comparisons)."""

from sqlalchemy import DDL, event, literal_column, select, text

from app.models.cases import Case

# fewer characters than this give no trigram: such a search reads the table as before
MIN_INDEXED = 3

SEARCH_OBJECTS = {
    "cases_fts", "cases_fts_data", "cases_fts_idx", "cases_fts_docsize", "cases_fts_config",
    "ix_case_title_trgm", "ix_case_description_trgm",
}

SQLITE_DDL = [
    "CREATE VIRTUAL TABLE cases_fts USING fts5(title, description, content='cases', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER cases_fts_ai AFTER INSERT ON cases BEGIN "
    "INSERT INTO cases_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER cases_fts_ad AFTER DELETE ON cases BEGIN "
    "INSERT INTO cases_fts(cases_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER cases_fts_au AFTER UPDATE OF title, description ON cases BEGIN "
    "INSERT INTO cases_fts(cases_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO cases_fts(rowid, title, description) "
    "VALUES (new.id, new.title, new.description); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_fts_au", "DROP TRIGGER IF EXISTS cases_fts_ad",
    "DROP TRIGGER IF EXISTS cases_fts_ai", "DROP TABLE IF EXISTS cases_fts",
]
POSTGRESQL_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_case_title_trgm ON cases USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_case_description_trgm ON cases USING gin (description gin_trgm_ops)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS ix_case_description_trgm", "DROP INDEX IF EXISTS ix_case_title_trgm",
]

for _statement in SQLITE_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_DDL:
    event.listen(Case.__table__, "after_create",
                 DDL(_statement).execute_if(dialect="postgresql"))


def contains_clause(column, value: str, dialect: str):
    """``column`` contains ``value`` (case-insensitive), as an indexed condition."""
    pattern = f"%{value}%"
    if dialect == "sqlite" and len(value) >= MIN_INDEXED and column.key in ("title",
                                                                            "description"):
        matches = (select(literal_column("rowid")).select_from(text("cases_fts"))
                   .where(literal_column(f"cases_fts.{column.key}").like(pattern)))
        return Case.id.in_(matches)
    return column.ilike(pattern)
