"""The audit trail of every change: one row per record change, its fields as JSON, its org

Revision ID: a7c3e9d2b410
Revises: b28f3bc7bdea
Create Date: 2026-12-01 12:50:00

The old trail held one row per field (grade overrides and reopenings only); each becomes one
change row of the new shape, its org columns taken from the assessment or round it names.
"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'a7c3e9d2b410'
down_revision = 'b28f3bc7bdea'
branch_labels = None
depends_on = None

NEW_COLUMNS = (
    ('actor', sa.String(length=100), ""), ('address', sa.String(length=45), None),
    ('action', sa.String(length=10), "update"), ('label', sa.String(length=200), ""),
    ('changes', sa.Text(), "{}"), ('highlight', sa.String(length=20), None),
    ('committee_id', sa.Integer(), None), ('general_branch_id', sa.Integer(), None), ('branch_id', sa.Integer(), None),
)


def upgrade():
    with op.batch_alter_table('zb_audit_log') as batch:
        for name, type_, default in NEW_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    conn = op.get_bind()
    log = sa.table('zb_audit_log', *(sa.column(c) for c in (
        'id', 'user_id', 'table_name', 'record_id', 'field', 'old_value', 'new_value',
        'actor', 'action', 'label', 'changes', 'highlight', 'committee_id', 'general_branch_id', 'branch_id')))
    users = dict(conn.execute(sa.text("SELECT id, username FROM ab_user")).all())
    for row in conn.execute(sa.select(log)).mappings().all():
        org = _org(conn, row['table_name'], row['record_id'])
        field = 'override_grade' if row['field'] == 'final_grade' else row['field']
        highlight = 'override' if row['table_name'] == 'zb_assessment' else (
            'reopen' if (row['table_name'], row['new_value']) == ('zb_round', 'open') else None)
        conn.execute(log.update().where(log.c.id == row['id']).values(
            actor=users.get(row['user_id'], ""), action='update', label=f"#{row['record_id']}",
            changes=json.dumps({field: [row['old_value'], row['new_value']]}, ensure_ascii=False),
            highlight=highlight, committee_id=org[0], general_branch_id=org[1], branch_id=org[2]))
    with op.batch_alter_table('zb_audit_log') as batch:
        for name, type_, default in NEW_COLUMNS:
            if default is not None:
                batch.alter_column(name, existing_type=type_, nullable=False)
        batch.drop_column('field')
        batch.drop_column('old_value')
        batch.drop_column('new_value')
        batch.create_index('ix_zb_audit_log_record', ['table_name', 'record_id'])
        for name in ('at', 'user_id', 'committee_id', 'general_branch_id', 'branch_id'):
            batch.create_index(f'ix_zb_audit_log_{name}', [name])


def _org(conn, table, record_id):
    """(committee, general branch, branch) of an audited assessment or round."""
    if table == 'zb_round':
        committee = conn.execute(sa.text("SELECT committee_id FROM zb_round WHERE id = :i"), {"i": record_id}).scalar()
        return committee, None, None
    if table == 'zb_assessment':
        row = conn.execute(sa.text(
            "SELECT g.committee_id, b.general_branch_id, b.id FROM zb_assessment a "
            "JOIN zb_branch b ON b.id = a.branch_id JOIN zb_general_branch g ON g.id = b.general_branch_id "
            "WHERE a.id = :i"), {"i": record_id}).first()
        return tuple(row) if row else (None, None, None)
    return None, None, None


def downgrade():
    with op.batch_alter_table('zb_audit_log') as batch:
        batch.add_column(sa.Column('field', sa.String(length=60), nullable=True))
        batch.add_column(sa.Column('old_value', sa.Text(), nullable=True))
        batch.add_column(sa.Column('new_value', sa.Text(), nullable=True))
    conn = op.get_bind()
    log = sa.table('zb_audit_log', sa.column('id'), sa.column('changes'), sa.column('field'),
                   sa.column('old_value'), sa.column('new_value'))
    for row in conn.execute(sa.select(log.c.id, log.c.changes)).all():
        changes = json.loads(row.changes or "{}") or {"": [None, None]}
        field, (old, new) = next(iter(changes.items()))
        conn.execute(log.update().where(log.c.id == row.id).values(
            field=field[:60], old_value=None if old is None else str(old), new_value=None if new is None else str(new)))
    with op.batch_alter_table('zb_audit_log') as batch:
        batch.alter_column('field', existing_type=sa.String(length=60), nullable=False)
        batch.drop_index('ix_zb_audit_log_record')
        for name in ('at', 'user_id', 'committee_id', 'general_branch_id', 'branch_id'):
            batch.drop_index(f'ix_zb_audit_log_{name}')
        for name, _type, _default in NEW_COLUMNS:
            batch.drop_column(name)
