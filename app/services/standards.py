"""Seed the standards of 附表1/附表2 into the per-category table (once; edits are kept)."""
from sqlalchemy import select

from app.data.standards import CATEGORY_STANDARD_SET, standards_for
from app.extensions import db
from app.models import StandardItem


def seed_standards() -> int:
    """Insert the five standards for every category that has none yet; returns rows added."""
    have = set(db.session.scalars(select(StandardItem.category).distinct()))
    added = 0
    for category in CATEGORY_STANDARD_SET:
        if category in have:
            continue
        for std in standards_for(category):
            db.session.add(StandardItem(category=category, number=std.number, title=std.title,
                                        connotation=std.connotation, elements=std.elements_text))
            added += 1
    db.session.commit()
    return added
