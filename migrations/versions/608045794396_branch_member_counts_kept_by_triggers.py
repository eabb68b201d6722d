"""A branch's formal and probationary member counts as stored columns, kept by database triggers.

City scale (issue 12): the committee home, the health check and the branch list counted the
roster (1,000,000 zb_member rows) on every request. zb_branch.formal_count and
zb_branch.probationary_count hold the counts; triggers on zb_member keep them exact for every
writer — the ORM, bulk UPDATE/DELETE statements, imports, `zhibu synth`'s executemany and
PostgreSQL COPY, raw SQL — since they run inside the statement that changes the roster:

- SQLite: a row trigger per INSERT, DELETE and UPDATE OF member_type, branch_id (the update
  one only when either changed) adds or takes one from the branch's count.
- PostgreSQL: statement triggers with transition tables, one grouped UPDATE of zb_branch per
  statement (a COPY of a million members updates each branch once, not once per member). An
  UPDATE trigger with a transition table cannot name columns: it fires on every UPDATE of
  zb_member and counts the rows whose type or branch changed.

Not covered: TRUNCATE zb_member (no app path does it) and, on SQLite, the rows an INSERT OR
REPLACE deletes (no app path uses REPLACE). On SQLite a later migration that rebuilds a table
in batch mode (copy, drop, rename) must mind them: rebuilding zb_member drops its triggers with
the old table (create them again; tests/integration/test_branch_counts.py checks they exist at
the head), and rebuilding zb_branch fails at the rename ("error in trigger ...: no such table")
unless the triggers are dropped first and created again after, as downgrade() does.

The triggers are created before the backfill, in the same transaction: no write between the
two is lost.

Revision ID: 608045794396
Revises: c4e1a9d27b35
Create Date: 2026-12-01 19:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '608045794396'
down_revision = 'c4e1a9d27b35'
branch_labels = None
depends_on = None

TRIGGERS = ("zb_member_counts_insert", "zb_member_counts_delete", "zb_member_counts_update")
PG_FUNCTION = "zb_member_counts"


def _sqlite_delta(row: str, sign: str) -> str:
    return (f"UPDATE zb_branch SET formal_count = formal_count {sign} ({row}.member_type = 'formal'), "
            f"probationary_count = probationary_count {sign} ({row}.member_type = 'probationary') "
            f"WHERE id = {row}.branch_id;")


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER zb_member_counts_insert AFTER INSERT ON zb_member BEGIN {_sqlite_delta('NEW', '+')} END",
    f"CREATE TRIGGER zb_member_counts_delete AFTER DELETE ON zb_member BEGIN {_sqlite_delta('OLD', '-')} END",
    "CREATE TRIGGER zb_member_counts_update AFTER UPDATE OF member_type, branch_id ON zb_member "
    "WHEN OLD.member_type IS NOT NEW.member_type OR OLD.branch_id IS NOT NEW.branch_id "
    f"BEGIN {_sqlite_delta('OLD', '-')} {_sqlite_delta('NEW', '+')} END",
]

# the rows of an UPDATE whose branch or type changed: old (o) beside new (w), by id
PG_MOVED = ("FROM old_rows AS o JOIN new_rows AS w ON w.id = o.id "
            "WHERE o.branch_id IS DISTINCT FROM w.branch_id OR o.member_type IS DISTINCT FROM w.member_type")


def _pg_update(source: str) -> str:
    """One grouped UPDATE of zb_branch from a (branch_id, member_type, n) source."""
    return f"""
        UPDATE zb_branch AS b
           SET formal_count = b.formal_count + d.formal,
               probationary_count = b.probationary_count + d.probationary
          FROM (SELECT branch_id,
                       COALESCE(SUM(n) FILTER (WHERE member_type = 'formal'), 0) AS formal,
                       COALESCE(SUM(n) FILTER (WHERE member_type = 'probationary'), 0) AS probationary
                  FROM ({source}) AS changes GROUP BY branch_id) AS d
         WHERE b.id = d.branch_id AND (d.formal <> 0 OR d.probationary <> 0);"""


PG_FUNCTION_SQL = f"""
CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_update("SELECT branch_id, member_type, 1 AS n FROM new_rows")}
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_update("SELECT branch_id, member_type, -1 AS n FROM old_rows")}
    ELSE
        {_pg_update(f"SELECT o.branch_id, o.member_type, -1 AS n {PG_MOVED} "
                    f"UNION ALL SELECT w.branch_id, w.member_type, 1 AS n {PG_MOVED}")}
    END IF;
    RETURN NULL;
END
$$
"""

PG_TRIGGERS = [
    f"CREATE TRIGGER zb_member_counts_insert AFTER INSERT ON zb_member REFERENCING NEW TABLE AS new_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    f"CREATE TRIGGER zb_member_counts_delete AFTER DELETE ON zb_member REFERENCING OLD TABLE AS old_rows "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    f"CREATE TRIGGER zb_member_counts_update AFTER UPDATE ON zb_member "
    f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
]

# every branch's counts from the roster (the index on zb_member(branch_id, member_type) answers it)
SQLITE_BACKFILL = (
    "UPDATE zb_branch SET "
    "formal_count = (SELECT COUNT(*) FROM zb_member m WHERE m.branch_id = zb_branch.id AND m.member_type = 'formal'), "
    "probationary_count = (SELECT COUNT(*) FROM zb_member m WHERE m.branch_id = zb_branch.id "
    "AND m.member_type = 'probationary')"
)
PG_BACKFILL = """
    UPDATE zb_branch AS b SET formal_count = d.formal, probationary_count = d.probationary
      FROM (SELECT branch_id, COUNT(*) FILTER (WHERE member_type = 'formal') AS formal,
                   COUNT(*) FILTER (WHERE member_type = 'probationary') AS probationary
              FROM zb_member GROUP BY branch_id) AS d
     WHERE b.id = d.branch_id
"""


def upgrade():
    dialect = op.get_bind().dialect.name
    # a plain ADD COLUMN (no table rebuild): both take a NOT NULL column with a constant default
    op.add_column('zb_branch', sa.Column('formal_count', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('zb_branch', sa.Column('probationary_count', sa.Integer(), server_default=sa.text('0'),
                                         nullable=False))
    if dialect == 'postgresql':
        op.execute(PG_FUNCTION_SQL)
        for sql in PG_TRIGGERS:
            op.execute(sql)
        op.execute(PG_BACKFILL)
    elif dialect == 'sqlite':
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)
        op.execute(SQLITE_BACKFILL)
    else:
        raise NotImplementedError(f"member count triggers for {dialect}: SQLite and PostgreSQL only")


def downgrade():
    dialect = op.get_bind().dialect.name
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON zb_member" if dialect == 'postgresql'
                   else f"DROP TRIGGER IF EXISTS {name}")
    if dialect == 'postgresql':
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    with op.batch_alter_table('zb_branch', schema=None) as batch_op:
        batch_op.drop_column('probationary_count')
        batch_op.drop_column('formal_count')
