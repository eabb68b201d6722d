"""After a campaign, every table of the database is read: nothing links a vote to its code,
to a person or to an address, and votes carry their day only (DOMAIN.md "Ballots")."""
import re

from sqlalchemy import inspect, select, text

from app.models import Ballot
from tests.support.ballots import Voter, members_answers, open_campaign

VOTER_ADDRESS = "203.0.113.77"
BALLOT_COLUMNS = {"id", "campaign_id", "cast_on", "s1", "s2", "s3", "s4", "s5", "secretary", "role"}
CODE_COLUMNS = {"id", "campaign_id", "digest", "used"}


def _all_rows(session):
    """table name -> (column names, rows) for every table in the database."""
    engine = session.get_bind()
    insp = inspect(engine)
    out = {}
    for table in insp.get_table_names():
        columns = [c["name"] for c in insp.get_columns(table)]
        rows = session.execute(text(f'SELECT * FROM "{table}"')).all()
        out[table] = (columns, rows)
    return insp, out


def test_no_table_links_a_vote_to_a_code_a_user_or_an_address(app, login_as, db_session):
    organizer = login_as("gb01")
    _campaign, codes = open_campaign(organizer, db_session, "gb01-b01", "members", count=6)
    voter = Voter(app, VOTER_ADDRESS)
    for i, code in enumerate(codes[:5]):
        assert voter.vote(code, members_answers((10 + i,) * 5, "satisfied")).status_code == 200
    # a logged-in user voting with a code leaves no trace of the login on the vote either
    member = login_as("gb01-b01")
    page = member.get(f"/ballot/{codes[5]}")
    assert page.status_code == 200
    from tests.support.clients import csrf_token

    response = member.client.post(f"/ballot/{codes[5]}", data={
        **members_answers((19,) * 5, "basic"), "csrf_token": csrf_token(page.text)},
        environ_base={"REMOTE_ADDR": VOTER_ADDRESS})
    assert response.status_code == 200
    # and someone tried a wrong code from the same address
    assert voter.get("ABCD-EFGH-JKMN").status_code == 404

    db_session.rollback()
    insp, tables = _all_rows(db_session)

    # the vote table: answers, its campaign and its day; no other column, no other reference
    assert {c["name"] for c in insp.get_columns("zb_ballot")} == BALLOT_COLUMNS
    assert [fk["referred_table"] for fk in insp.get_foreign_keys("zb_ballot")] == ["zb_ballot_campaign"]
    # the code table: its hash and whether it was used, nothing about when or by which vote
    assert {c["name"] for c in insp.get_columns("zb_ballot_code")} == CODE_COLUMNS
    assert [fk["referred_table"] for fk in insp.get_foreign_keys("zb_ballot_code")] == ["zb_ballot_campaign"]
    # no table points at a vote or a code
    for table in tables:
        for fk in insp.get_foreign_keys(table):
            assert fk["referred_table"] not in ("zb_ballot", "zb_ballot_code"), table

    columns, votes = tables["zb_ballot"]
    assert len(votes) == 6
    cast = columns.index("cast_on")
    for vote in votes:  # the day, nothing finer
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(vote[cast])), vote[cast]

    plain = {c for code in codes for c in (code, code.replace("-", ""))}
    from app.services.ballots import digest, normalise

    with app.app_context():
        digests = {digest(normalise(c)) for c in codes}
    for table, (columns, rows) in tables.items():
        for row in rows:
            for column, value in zip(columns, row):
                if value is None:
                    continue
                cell = str(value)
                assert not any(c in cell for c in plain), f"a plain code in {table}.{column}"
                assert VOTER_ADDRESS not in cell, f"the voter's address in {table}.{column}"
                if cell in digests:
                    assert (table, column) == ("zb_ballot_code", "digest"), f"a code's hash in {table}.{column}"
    # nothing about votes in the audit trail
    columns, rows = tables["zb_audit_log"]
    names = columns.index("table_name")
    # (the organizer's campaign is audited like any record; a vote, a code, the voting never)
    assert not [r for r in rows if r[names] in ("zb_ballot", "zb_ballot_code", "zb_ballot_throttle")]
    assert not [r for r in rows if r[columns.index("actor")] == "ballot"]
    # the failed look-up is counted under a keyed hash of the address, not the address
    columns, rows = tables["zb_ballot_throttle"]
    assert len(rows) == 1 and re.fullmatch(r"[0-9a-f]{64}", rows[0][columns.index("client")])
    assert db_session.scalar(select(Ballot.id).where(Ballot.secretary == "basic")) is not None
