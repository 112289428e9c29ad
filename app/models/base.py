"""Mixins and helpers shared by the models."""

from sqlalchemy import Column, String

from app.i18n import localized

# INTEGER columns (every id among them) hold 32 bits: a number outside this range names
# no row and is refused before it reaches the database (SQLite's driver overflows on it,
# PostgreSQL refuses it)
MIN_INTEGER, MAX_INTEGER = -(2**31), 2**31 - 1


class BilingualName:
    """A record named in Chinese and in traditional Mongolian."""

    name_zh = Column(String(200), nullable=False)
    name_mn = Column(String(400), nullable=True)

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_mn)

    def __str__(self) -> str:
        return self.name
