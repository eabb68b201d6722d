"""A general branch's branches, members and secretary records as stored columns, kept by triggers.

City scale (issue 12): the committee's home counted its 50,000 branches (with their kept member
counts) and its 50,000 secretary records on every request, 120 ms of SQL on PostgreSQL at L.
zb_general_branch.branch_count, formal_count, probationary_count and secretary_count hold them;
a committee sums its general branches' rows (2,000), a general branch reads its own. Signed
deltas, inside the statement that makes the change:

- zb_branch INSERT / DELETE: the branch and its member counts added to / taken from its general
  branch; UPDATE: a branch's member counts changed (by the zb_member triggers: a roster change
  reaches its general branch in the same statement) or the branch moved (its counts and its
  secretary records go with it);
- zb_secretary INSERT / DELETE / UPDATE of branch_id: one record added, taken away or moved.

SQLite: row triggers (the member triggers' UPDATE of zb_branch fires the branch one: triggers
nest). PostgreSQL: statement triggers over the transition tables, one grouped UPDATE of
zb_general_branch per statement (a COPY of a million members updates each branch once, and then
each of their general branches once). A branch or a secretary record is deleted only without
rows that hang on it (ON DELETE RESTRICT), so no cascade runs between these tables. Not covered:
TRUNCATE (no app path does it). A later SQLite batch rebuild of zb_branch, zb_secretary or
zb_general_branch must drop and create these triggers again.

Revision ID: 8a3d5c7e9b10
Revises: 2f6c8e41d7a3
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a3d5c7e9b10'
down_revision = '2f6c8e41d7a3'
branch_labels = None
depends_on = None

COLUMNS = ("branch_count", "formal_count", "probationary_count", "secretary_count")
TRIGGERS = {
    "zb_gb_counts_branch_insert": "zb_branch", "zb_gb_counts_branch_delete": "zb_branch",
    "zb_gb_counts_branch_update": "zb_branch", "zb_gb_counts_secretary_insert": "zb_secretary",
    "zb_gb_counts_secretary_delete": "zb_secretary", "zb_gb_counts_secretary_update": "zb_secretary",
}
PG_FUNCTIONS = ("zb_gb_counts_branch", "zb_gb_counts_secretary")


def _secretaries(branch: str) -> str:
    return f"(SELECT COUNT(*) FROM zb_secretary AS s WHERE s.branch_id = {branch}.id)"


# -- SQLite: one UPDATE of the general branch per changed row ----------------------------------

def _sqlite_branch(row: str, sign: str, secretaries: str = "0") -> str:
    return (f"UPDATE zb_general_branch SET branch_count = branch_count {sign} 1, "
            f"formal_count = formal_count {sign} {row}.formal_count, "
            f"probationary_count = probationary_count {sign} {row}.probationary_count, "
            f"secretary_count = secretary_count {sign} {secretaries} WHERE id = {row}.general_branch_id;")


def _sqlite_secretary(row: str, sign: str) -> str:
    return (f"UPDATE zb_general_branch SET secretary_count = secretary_count {sign} 1 "
            f"WHERE id = (SELECT general_branch_id FROM zb_branch WHERE id = {row}.branch_id);")


# a moved branch takes its secretary records along (counted once: the records do not change here)
_MOVED = "CASE WHEN OLD.general_branch_id IS NOT NEW.general_branch_id THEN {0} ELSE 0 END"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER zb_gb_counts_branch_insert AFTER INSERT ON zb_branch BEGIN {_sqlite_branch('NEW', '+')} END",
    f"CREATE TRIGGER zb_gb_counts_branch_delete AFTER DELETE ON zb_branch BEGIN {_sqlite_branch('OLD', '-')} END",
    "CREATE TRIGGER zb_gb_counts_branch_update AFTER UPDATE OF general_branch_id, formal_count, probationary_count "
    "ON zb_branch WHEN OLD.general_branch_id IS NOT NEW.general_branch_id OR OLD.formal_count IS NOT NEW.formal_count "
    "OR OLD.probationary_count IS NOT NEW.probationary_count "
    f"BEGIN {_sqlite_branch('OLD', '-', _MOVED.format(_secretaries('OLD')))} "
    f"{_sqlite_branch('NEW', '+', _MOVED.format(_secretaries('NEW')))} END",
    f"CREATE TRIGGER zb_gb_counts_secretary_insert AFTER INSERT ON zb_secretary BEGIN {_sqlite_secretary('NEW', '+')} END",
    f"CREATE TRIGGER zb_gb_counts_secretary_delete AFTER DELETE ON zb_secretary BEGIN {_sqlite_secretary('OLD', '-')} END",
    "CREATE TRIGGER zb_gb_counts_secretary_update AFTER UPDATE OF branch_id ON zb_secretary "
    "WHEN OLD.branch_id IS NOT NEW.branch_id "
    f"BEGIN {_sqlite_secretary('OLD', '-')} {_sqlite_secretary('NEW', '+')} END",
]


# -- PostgreSQL: one grouped UPDATE per statement ------------------------------------------------

def _pg_update(source: str) -> str:
    """Add a (general_branch_id, branch_count, formal_count, probationary_count, secretary_count)
    source, summed per general branch, to the general branches."""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COLUMNS)
    sets = ", ".join(f"{c} = g.{c} + d.{c}" for c in COLUMNS)
    return f"""
        UPDATE zb_general_branch AS g SET {sets}
          FROM (SELECT general_branch_id, {sums} FROM ({source}) AS changes
                 GROUP BY general_branch_id) AS d
         WHERE g.id = d.general_branch_id AND ({' OR '.join(f'd.{c} <> 0' for c in COLUMNS)});"""


def _pg_branch_rows(row: str, sign: int, secretaries: str = "0") -> str:
    return (f"SELECT {row}.general_branch_id, {sign} AS branch_count, {sign} * {row}.formal_count AS formal_count, "
            f"{sign} * {row}.probationary_count AS probationary_count, {sign} * {secretaries} AS secretary_count")


_PG_MOVED = "CASE WHEN o.general_branch_id IS DISTINCT FROM w.general_branch_id THEN {0} ELSE 0 END"
_PG_PAIRS = ("FROM old_rows AS o JOIN new_rows AS w ON w.id = o.id WHERE o.general_branch_id IS DISTINCT FROM "
             "w.general_branch_id OR o.formal_count <> w.formal_count OR o.probationary_count <> w.probationary_count")


def _pg_secretary_rows(row: str, sign: int) -> str:
    return (f"SELECT b.general_branch_id, 0 AS branch_count, 0 AS formal_count, 0 AS probationary_count, "
            f"{sign} AS secretary_count FROM {row} JOIN zb_branch AS b ON b.id = {row}.branch_id")


def _pg_function(name: str, body: str) -> str:
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{body}\nRETURN NULL;\nEND\n$$"


PG_FUNCTION_SQL = [
    _pg_function("zb_gb_counts_branch", f"""
    IF TG_OP = 'INSERT' THEN
        {_pg_update(_pg_branch_rows('n', 1) + ' FROM new_rows AS n')}
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_update(_pg_branch_rows('o', -1) + ' FROM old_rows AS o')}
    ELSE
        {_pg_update(_pg_branch_rows('o', -1, _PG_MOVED.format(_secretaries('o'))) + ' ' + _PG_PAIRS
                    + ' UNION ALL ' + _pg_branch_rows('w', 1, _PG_MOVED.format(_secretaries('w'))) + ' ' + _PG_PAIRS)}
    END IF;"""),
    _pg_function("zb_gb_counts_secretary", f"""
    IF TG_OP = 'INSERT' THEN
        {_pg_update(_pg_secretary_rows('new_rows', 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_update(_pg_secretary_rows('old_rows', -1))}
    ELSE
        {_pg_update(_pg_secretary_rows('old_rows', -1) + ' JOIN new_rows AS w ON w.id = old_rows.id '
                    'WHERE w.branch_id <> old_rows.branch_id UNION ALL '
                    + _pg_secretary_rows('new_rows', 1) + ' JOIN old_rows AS o ON o.id = new_rows.id '
                    'WHERE o.branch_id <> new_rows.branch_id')}
    END IF;"""),
]


def _pg_trigger(name: str, event: str, table: str, function: str) -> str:
    tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
              "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[event]
    return (f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")


PG_TRIGGERS = [_pg_trigger(name, name.rsplit("_", 1)[1].upper(), table,
                           "zb_gb_counts_branch" if table == "zb_branch" else "zb_gb_counts_secretary")
               for name, table in TRIGGERS.items()]

BACKFILL = """
    UPDATE zb_general_branch SET
        branch_count = (SELECT COUNT(*) FROM zb_branch AS b WHERE b.general_branch_id = zb_general_branch.id),
        formal_count = (SELECT COALESCE(SUM(b.formal_count), 0) FROM zb_branch AS b
                         WHERE b.general_branch_id = zb_general_branch.id),
        probationary_count = (SELECT COALESCE(SUM(b.probationary_count), 0) FROM zb_branch AS b
                               WHERE b.general_branch_id = zb_general_branch.id),
        secretary_count = (SELECT COUNT(*) FROM zb_secretary AS s JOIN zb_branch AS b ON b.id = s.branch_id
                            WHERE b.general_branch_id = zb_general_branch.id)
"""


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect not in ('postgresql', 'sqlite'):
        raise NotImplementedError(f"general branch count triggers for {dialect}: SQLite and PostgreSQL only")
    # a plain ADD COLUMN (no table rebuild): both take a NOT NULL column with a constant default
    for column in COLUMNS:
        op.add_column('zb_general_branch', sa.Column(column, sa.Integer(), server_default=sa.text('0'), nullable=False))
    # the triggers before the backfill, in the same transaction: no write between the two is lost
    for sql in (PG_FUNCTION_SQL + PG_TRIGGERS if dialect == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(sql)
    op.execute(BACKFILL)


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if dialect == 'postgresql'
                   else f"DROP TRIGGER IF EXISTS {name}")
    if dialect == 'postgresql':
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table('zb_general_branch', schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
