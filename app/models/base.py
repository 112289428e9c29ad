"""Mixins and helpers shared by the models."""

from sqlalchemy import Column, String

from app.i18n import localized


class BilingualName:
    """A record named in Chinese and in traditional Mongolian."""

    name_zh = Column(String(200), nullable=False)
    name_mn = Column(String(400), nullable=True)

    @property
    def name(self) -> str:
        return localized(self.name_zh, self.name_mn)

    def __str__(self) -> str:
        return self.name
