"""The branches whose stored member counts (kept by triggers on zb_member) differ from the roster."""
from sqlalchemy import text

# (id, stored formal, stored probationary, counted formal, counted probationary) of each such branch
MISMATCHES = text("""
    SELECT b.id, b.formal_count, b.probationary_count, f.n, p.n FROM zb_branch b
      JOIN (SELECT b2.id, COUNT(m.id) AS n FROM zb_branch b2
              LEFT JOIN zb_member m ON m.branch_id = b2.id AND m.member_type = 'formal' GROUP BY b2.id) f
        ON f.id = b.id
      JOIN (SELECT b3.id, COUNT(m.id) AS n FROM zb_branch b3
              LEFT JOIN zb_member m ON m.branch_id = b3.id AND m.member_type = 'probationary' GROUP BY b3.id) p
        ON p.id = b.id
     WHERE b.formal_count <> f.n OR b.probationary_count <> p.n
""")


def count_mismatches(session) -> list:
    return session.execute(MISMATCHES).all()


def trigger_names(session) -> set:
    """The names of the database's own triggers (SQLite's or PostgreSQL's non-internal ones)."""
    sql = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if session.get_bind().dialect.name == "sqlite"
           else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return set(session.scalars(text(sql)).all())
