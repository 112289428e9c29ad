"""Loads the starting dictionaries (app/seed_data.py); adds what is missing only."""

from sqlalchemy import select

from app import seed_data
from app.extensions import db
from app.models import Category, Channel, Department


def _ensure(model, code, **values):
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        row = model(code=code, **values)
        db.session.add(row)
    return row


def seed_dictionaries(banner) -> None:
    for order, (code, zh, mn) in enumerate(seed_data.SERVICE_CATEGORIES):
        _ensure(Category, code, name_zh=zh, name_mn=mn, list="service", sort_order=order)
    for order, (code, zh, mn, guide_zh, guide_mn) in enumerate(seed_data.EXCLUDED_CATEGORIES):
        _ensure(Category, code, name_zh=zh, name_mn=mn, list="excluded", sort_order=100 + order,
                guidance_zh=guide_zh, guidance_mn=guide_mn)
    for order, (code, zh, mn, form) in enumerate(seed_data.CHANNELS):
        _ensure(Channel, code, name_zh=zh, name_mn=mn, national_form=form, sort_order=order)
    for code, zh, mn, stationing in seed_data.DEPARTMENTS:
        _ensure(Department, code, name_zh=zh, name_mn=mn, stationing=stationing,
                place_id=banner.id)
    db.session.flush()
