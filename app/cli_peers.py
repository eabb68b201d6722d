"""`flask --app app zhibu peers generate|add ...`: 分类互评 assignments from the command line.

Runs as a named user (`--as USERNAME`: that user's rules and scope) through the same service
as the web pages and the REST API (app/services/peers.py); a refusal is one line, exit status 1.
"""
import click
from flask.cli import AppGroup

peers_cli = AppGroup("peers", help="分类互评 assignments: who reviews whom in a round.")


def _found(model, pk, what):
    from app.extensions import db

    row = db.session.get(model, pk)   # scoped: a foreign id is not found
    if row is None:
        raise click.ClickException(f"找不到{what[0]} {pk} / no {what[1]} {pk}")
    return row


@peers_cli.command("generate")
@click.option("--round", "round_id", required=True, type=int, help="Id of the assessment round.")
@click.option("--general-branch", "general_branch_id", required=True, type=int, help="Id of the general branch.")
@click.option("--reviewers", default=2, show_default=True, type=int, help="Peers reviewing each branch.")
@click.option("--as", "username", required=True, help="The organizer (general branch or committee user).")
def generate_command(round_id, general_branch_id, reviewers, username):
    """Generate a general branch's own pairs (existing ones kept); print what was made."""
    from app.cli_support import actor_for, current_user_row, refusals_exit_1
    from app.models import AssessmentRound, GeneralBranch
    from app.security.scope import acting_as
    from app.services.peers import assign_peers

    @refusals_exit_1
    def run():
        with acting_as(actor_for(username, "cli")) as actor:
            round_ = _found(AssessmentRound, round_id, ("考评批次", "assessment round"))
            gb = _found(GeneralBranch, general_branch_id, ("党总支", "general branch"))
            done = assign_peers(round_, gb, reviewers, actor, current_user_row(username))
        click.echo(f"新增 / created {done.created}  保留 / kept {done.kept}")
        for group, branch in done.single:
            click.echo(f"需党委跨党总支安排 / needs the committee: {branch} ({group})")
    run()


@peers_cli.command("add")
@click.option("--round", "round_id", required=True, type=int, help="Id of the assessment round.")
@click.option("--branch", "branch_id", required=True, type=int, help="Id of the branch reviewed.")
@click.option("--rater", "rater_id", required=True, type=int, help="Id of the rater branch.")
@click.option("--as", "username", required=True, help="A general branch or committee user.")
def add_command(round_id, branch_id, rater_id, username):
    """Add one assignment (the committee's cross assignments among them); print its id."""
    from app.cli_support import actor_for, current_user_row, refusals_exit_1
    from app.models import AssessmentRound, Branch
    from app.security.scope import acting_as
    from app.services.peers import add_pair

    @refusals_exit_1
    def run():
        with acting_as(actor_for(username, "cli")) as actor:
            round_ = _found(AssessmentRound, round_id, ("考评批次", "assessment round"))
            branch = _found(Branch, branch_id, ("党支部", "branch"))
            rater = _found(Branch, rater_id, ("党支部", "branch"))
            click.echo(add_pair(round_, branch, rater, actor, current_user_row(username)).id)
    run()
