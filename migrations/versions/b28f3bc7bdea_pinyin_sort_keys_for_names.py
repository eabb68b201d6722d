"""Pinyin sort keys for names: lists and forms sort Chinese names by pinyin, not code point.

Revision ID: b28f3bc7bdea
Revises: 1d0197b73612
Create Date: 2026-12-01 12:42:04.799252

"""
from alembic import op
import sqlalchemy as sa

from app.data.collation import sort_key

# revision identifiers, used by Alembic.
revision = 'b28f3bc7bdea'
down_revision = '1d0197b73612'
branch_labels = None
depends_on = None

TABLES = ("zb_committee", "zb_general_branch", "zb_branch", "zb_member", "zb_contact_cadre")
BATCH = 5000


def _key_column():
    return sa.Column('name_key', sa.String(length=255).with_variant(sa.String(length=255, collation='C'), 'postgresql'),
                     server_default='', nullable=False)


def upgrade():
    bind = op.get_bind()
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(_key_column())
            batch_op.create_index(batch_op.f(f'ix_{name}_name_key'), ['name_key'], unique=False)
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("name", sa.String),
                         sa.column("name_key", sa.String))
        rows = bind.execute(sa.select(table.c.id, table.c.name)).all()
        update = table.update().where(table.c.id == sa.bindparam("_id")).values(name_key=sa.bindparam("_key"))
        for start in range(0, len(rows), BATCH):
            bind.execute(update, [{"_id": i, "_key": sort_key(n)} for i, n in rows[start:start + BATCH]])


def downgrade():
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_name_key'))
            batch_op.drop_column('name_key')
