"""Members carry their number's match key (app/imports/values.match_key), indexed with the
committee: the roster import looks up the file's numbers instead of reading the whole scope
(a committee's million members at city scale, issue 12).

The key is computed in Python (NFKC, no white space, case-blind), so the backfill reads the
members in id order, BATCH at a time, and writes the keys back: an executemany by id on SQLite,
one UPDATE ... FROM unnest(ids, keys) per batch on PostgreSQL. The index is built after the
backfill (one sort instead of a million index updates), then analyzed where the database keeps
statistics (see _analyze).

Revision ID: c4e1d9a27b35
Revises: c4d2e8a91f07
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.imports.values import match_key

# revision identifiers, used by Alembic.
revision = 'c4e1d9a27b35'
down_revision = 'c4d2e8a91f07'
branch_labels = None
depends_on = None

BATCH = 20_000
NUMBER_KEY_LENGTH = 255      # app/models/naming.py, as of this revision


def number_key(number: str) -> str:
    return match_key(number)[:NUMBER_KEY_LENGTH]

MEMBER = sa.table("zb_member", sa.column("id", sa.Integer), sa.column("number", sa.String),
                  sa.column("number_key", sa.String))


def _key_column():
    return sa.Column('number_key', sa.String(length=NUMBER_KEY_LENGTH).with_variant(
        sa.String(length=NUMBER_KEY_LENGTH, collation='C'), 'postgresql'), server_default='', nullable=False)


def _write(bind, rows) -> None:
    """Store the key of each (id, number)."""
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(
            "UPDATE zb_member AS m SET number_key = v.k FROM unnest(:ids, :keys) AS v(id, k) WHERE m.id = v.id"
        ).bindparams(sa.bindparam("ids", type_=postgresql.ARRAY(sa.Integer)),
                     sa.bindparam("keys", type_=postgresql.ARRAY(sa.String))),
            {"ids": [i for i, _n in rows], "keys": [number_key(n) for _i, n in rows]})
        return
    update = MEMBER.update().where(MEMBER.c.id == sa.bindparam("_id")).values(number_key=sa.bindparam("_key"))
    bind.execute(update, [{"_id": i, "_key": number_key(n)} for i, n in rows])


def upgrade():
    with op.batch_alter_table('zb_member', schema=None) as batch_op:
        batch_op.add_column(_key_column())
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.select(MEMBER.c.id, MEMBER.c.number).where(MEMBER.c.id > last)
                            .order_by(MEMBER.c.id).limit(BATCH)).all()
        if not rows:
            break
        _write(bind, rows)
        last = rows[-1][0]
    with op.batch_alter_table('zb_member', schema=None) as batch_op:
        batch_op.create_index('ix_zb_member_committee_number_key', ['committee_id', 'number_key'], unique=False)
    _analyze(bind)


def _analyze(bind) -> None:
    """Planner statistics for the new index where the database keeps them. SQLite, without a row
    for it in sqlite_stat1, takes `committee_id = ?` on this index for a few rows and prefers it
    to the analyzed ones: a committee's roster sorted by number (the list's order) went from
    the unique index's walk to sorting a million rows."""
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("ANALYZE zb_member"))
    elif bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        bind.execute(sa.text("ANALYZE ix_zb_member_committee_number_key"))


def downgrade():
    with op.batch_alter_table('zb_member', schema=None) as batch_op:
        batch_op.drop_index('ix_zb_member_committee_number_key')
        batch_op.drop_column('number_key')
