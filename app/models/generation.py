"""The generation of what each process keeps between requests (app/generation.py): one
row, whose random token every write to a watched table replaces."""

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, Integer, String, event


class CacheGeneration(Model):
    __tablename__ = "cache_generation"
    __table_args__ = (CheckConstraint("id = 1", name="ck_cache_generation_one_row"),)

    id = Column(Integer, primary_key=True, autoincrement=False)
    token = Column(String(32), nullable=False)


@event.listens_for(CacheGeneration.__table__, "after_create")
def _first_generation(table, connection, **kw):
    from app import generation  # (it imports this module)

    generation.bump(connection)
