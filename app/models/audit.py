"""The audit trail: who did what, when, from where, to which record, with the values
before and after (personal information masked). Append-only: the ORM refuses to change
or delete an entry, and on PostgreSQL a trigger refuses it to any SQL, whoever runs it
(the same trigger guards case events)."""

import datetime

from flask_appbuilder import Model
from sqlalchemy import DDL, Column, DateTime, Index, Integer, String, Text, event, true

from app.models.cases import AppendOnlyError, CaseEvent


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class AuditEntry(Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_record", "model", "record_id"),
        Index("ix_audit_log_username", "username", "at"),
    )

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=_now)
    user_id = Column(Integer)  # no foreign key: an entry outlives its account
    username = Column(String(256))
    address = Column(String(64))
    action = Column(String(30), nullable=False)
    model = Column(String(60))
    record_id = Column(String(40))
    before = Column(Text)
    after = Column(Text)
    detail = Column(Text)

    def __repr__(self):
        return f"{self.action} {self.model or ''} {self.record_id or ''}".strip()

    @classmethod
    def scope_clause(cls, scope):
        # who may read the trail is a permission (the audit administrator's), not a place
        return true()


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnlyError("the audit trail is append-only")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError("the audit trail is append-only")


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION daiban_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def append_only_trigger(table: str) -> str:
    return (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION daiban_append_only()")


# tables built by metadata.create_all (tests, a fresh development database) get the
# same guard as those built by the migrations
for _table in (AuditEntry.__table__, CaseEvent.__table__):
    event.listen(_table, "after_create",  # DDL() formats its text with %: escape it
                 DDL(APPEND_ONLY_FUNCTION.replace("%", "%%")).execute_if(dialect="postgresql"))
    event.listen(_table, "after_create",
                 DDL(append_only_trigger(_table.name)).execute_if(dialect="postgresql"))
