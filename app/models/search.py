"""Substring search in case titles and descriptions that an index answers, in Chinese
and in traditional Mongolian as in Latin script: trigram indexes (PostgreSQL's
``pg_trgm`` GIN indexes; on SQLite an FTS5 table with the trigram tokenizer, kept in
step by triggers). An unindexed ``LIKE '%…%'`` read every case (0.4–3.3 s at 1,000,000
cases, with or without a hit).

The DDL runs when the ``cases`` table is created (``create_all``) and in migration 0013,
so both build the same schema; these objects are not in the SQLAlchemy metadata
(``SEARCH_OBJECTS`` lists them for schema comparisons)."""

from flask import g, has_request_context
from sqlalchemy import DDL, bindparam, event, func, literal_column, select, text

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
# the triggers above; Alembic's batch mode on SQLite copies a table to alter it and
# drops these with the old one: a migration that alters ``cases`` makes them again
# (0025 did, after 0014 and 0015; tests/test_migrations.py compares them)
SQLITE_TRIGGERS = ("cases_fts_ai", "cases_fts_ad", "cases_fts_au")
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in reversed(SQLITE_TRIGGERS)),
    "DROP TABLE IF EXISTS cases_fts",
]
def postgresql_ddl(connection) -> list[str]:
    """pg_trgm's GIN indexes, the operator class named with the schema the extension
    lives in (it may be installed in a schema that is not on this connection's
    search_path: one database, several schemas)."""
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema = connection.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'").scalar()
    opclass = f'"{schema}".gin_trgm_ops'
    return [
        f"CREATE INDEX ix_case_title_trgm ON cases USING gin (title {opclass})",
        f"CREATE INDEX ix_case_description_trgm ON cases USING gin (description {opclass})",
        # not search, but DDL outside the metadata too: a place determines its township,
        # so "a village AND the clerk's township" is as selective as the village alone.
        # Without it the planner multiplied the two, expected 91 of 4,000 rows and sorted
        # them all (409 ms); with it, the village's date index, 0.2 ms.
        "CREATE STATISTICS IF NOT EXISTS st_cases_place_township (dependencies) "
        "ON place_id, township_id FROM cases",
    ]


POSTGRESQL_DROP = [
    "DROP STATISTICS IF EXISTS st_cases_place_township",
    "DROP INDEX IF EXISTS ix_case_description_trgm", "DROP INDEX IF EXISTS ix_case_title_trgm",
]

for _statement in SQLITE_DDL:
    event.listen(Case.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))


@event.listens_for(Case.__table__, "after_create")
def _postgresql_search_indexes(target, connection, **kwargs):
    if connection.dialect.name == "postgresql":
        for statement in postgresql_ddl(connection):
            connection.exec_driver_sql(statement)


# A term at least this many cases contain is common: the newest of its cases are found
# sooner by walking the list's date index and testing each row (a page within a few
# thousand rows) than by fetching every match and sorting them (2 s for 66,000 matches).
COMMON = 2_000


def contains_clause(column, value: str, session):
    """``column`` contains ``value`` (case-insensitive), as a condition an index answers.
    On SQLite the FTS5 trigram table answers a phrase query (a substring of three or
    more characters, any script) without reading the rows; a common term (COMMON or
    more matches, counted by a bounded probe of that index) is tested row by row along
    the list's order instead. PostgreSQL's planner makes that choice itself with the
    pg_trgm GIN indexes."""
    if (session.get_bind().dialect.name != "sqlite" or len(value) < MIN_INDEXED
            or column.key not in ("title", "description")):
        return column.ilike(f"%{value}%")
    quoted = value.replace('"', '""')
    phrase = f'{column.key} : "{quoted}"'
    matches = (select(literal_column("rowid")).select_from(text("cases_fts"))
               .where(text("cases_fts MATCH :phrase").bindparams(
                   bindparam("phrase", phrase, unique=True))))
    memo = g.setdefault("daiban_search_probe", {}) if has_request_context() else {}
    if phrase not in memo:
        memo[phrase] = session.scalar(select(func.count()).select_from(
            matches.limit(COMMON).subquery()))
    if memo[phrase] >= COMMON:
        return column.like(f"%{value}%")  # SQLite's LIKE ignores case (ASCII)
    return Case.id.in_(matches)
