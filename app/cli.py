"""`flask --app app zhibu ...` commands.

A command that changes records runs as a named user (`--as USERNAME`: that user's rules and
scope) or as a named system actor; a refusal of the rules is one line and exit status 1.
"""
import click
from flask.cli import AppGroup, with_appcontext

from app.cli_imports import import_command
from app.cli_peers import peers_cli
from app.cli_support import actor_for, current_user_row, refusals_exit_1  # noqa: F401 (the commands below)

# Commands that bring a database into being, replace it, or copy it as it is (an outdated
# one too) check the database themselves.
OWN_DATABASE_CHECK = {"init", "demo", "restore", "backup"}


@click.group("zhibu", cls=AppGroup, help="zhibu (支部) administration commands.")
@with_appcontext
def zhibu_cli():
    """Every other command first asks whether the database is there and current
    (app/services/dbstate.py): if not, one line naming the command to run, exit status 1."""
    from app.services.dbstate import database_problem

    if click.get_current_context().invoked_subcommand in OWN_DATABASE_CHECK:
        return
    problem = database_problem()
    if problem is not None:
        raise click.ClickException(problem.bilingual())


zhibu_cli.add_command(import_command)
zhibu_cli.add_command(peers_cli)


@zhibu_cli.command("init")
def init_command():
    """Apply migrations and create the roles and permissions (idempotent)."""
    from app.services.setup import initialize

    initialize()
    click.echo("数据库与角色权限已就绪 / database and roles are ready")


@zhibu_cli.command("backup")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The backup file (SQLite: a database file; PostgreSQL: a pg_dump custom archive).")
@refusals_exit_1
def backup_command(output):
    """Write the whole database to one file while the app keeps running."""
    from app.services.backup import backup

    version = backup(output)
    click.echo(f"已备份（结构版本 {version}）/ backed up (schema version {version}) -> {output}")


@zhibu_cli.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Overwrite a database that is not empty.")
@refusals_exit_1
def restore_command(backup_file, yes):
    """Replace every table of the database with the backup's (same schema version only)."""
    from app.security.scope import system_actor
    from app.services.backup import restore

    # pg_restore and SQLite's backup API write below the ORM, where the record-rule guard
    # cannot check rows: the restore is the named system actor's, and no one else's.
    with system_actor("restore"):
        restored = restore(backup_file, overwrite=yes)
    click.echo(f"已恢复 {restored.tables} 张表（结构版本 {restored.version}）/ "
               f"restored {restored.tables} tables (schema version {restored.version})")


@zhibu_cli.command("demo")
@click.option("--password", default=None, help="Password for every demo account (default: random, printed).")
@refusals_exit_1
def demo_command(password):
    """Load the demo university (idempotent) and print the accounts."""
    from app.services.demo import load_demo
    from app.services.setup import initialize

    initialize()
    report = load_demo(password=password, progress=click.echo)
    click.echo(report.accounts_table())


@zhibu_cli.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["committee", "general_branch", "branch"]))
@click.option("--org", "org_name", required=True, help="Name of the organization the user belongs to.")
@click.option("--first-name", default=None)
@click.option("--last-name", default="")
def create_user_command(username, password, role, org_name, first_name, last_name):
    """Create a login bound to one organization."""
    from app.errors import DomainError
    from app.services.accounts import AccountError, create_user

    try:
        create_user(username, password, role, org_name, first_name=first_name or username, last_name=last_name)
    except (AccountError, DomainError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已创建用户 {username} / created user {username}")


@zhibu_cli.command("unlock")
@click.argument("username")
def unlock_command(username):
    """Lift the lock that repeated failed logins put on an account."""
    from app.services.accounts import AccountError, unlock

    try:
        unlock(username)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已解除用户 {username} 的登录锁定 / unlocked {username}")


@zhibu_cli.command("score")
@click.option("--round", "round_id", required=True, type=int, help="Id of the assessment round.")
@click.option("--as", "username", default=None, help="Run as this user (default: the system actor 'cli').")
@refusals_exit_1
def score_command(round_id, username):
    """Recompute every assessment of a round and print the grade counts (a closed round refuses)."""
    from app.extensions import db
    from app.models import AssessmentRound
    from app.security.scope import acting_as
    from app.services.assessment import recompute

    with acting_as(actor_for(username, "cli")) as actor:
        round_ = db.session.get(AssessmentRound, round_id)
        if round_ is None:
            raise click.ClickException(f"找不到考评批次 {round_id} / no assessment round {round_id}")
        counts = recompute(round_, progress=click.echo, actor=actor)
    click.echo(f"{round_.name}: 好 {counts['A']}  较好 {counts['B']}  一般 {counts['C']}  较差 {counts['D']}"
               f"  未评定 {counts[None]}")


@zhibu_cli.command("export")
@click.argument("form", type=click.Choice(["annex2", "annex3"]))
@click.option("--round", "round_id", required=True, type=int, help="Id of the assessment round.")
@click.option("--general-branch", "general_branch_id", type=int, default=None, help="Only this general branch.")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Where to write the xlsx.")
@click.option("--person", default=None, help="填报人 printed in the header (default: left blank for a pen).")
@click.option("--phone", default=None, help="联系电话 printed in the header (default: the general branch's).")
def export_command(form, round_id, general_branch_id, output, person, phone):
    """Write 附件2 or 附件3 of a round, as its committee hands it in."""
    from app.errors import InvalidValue
    from app.extensions import db
    from app.models import AssessmentRound
    from app.security.scope import OrgRef, acting_as
    from app.services.forms import FormNotFound, export_annex2, export_annex3, signer

    signed = None
    if person is not None or phone is not None:
        try:
            signed = signer(person, phone)
        except InvalidValue as exc:
            raise click.BadParameter(str(exc), param_hint="--person/--phone") from exc

    round_ = db.session.get(AssessmentRound, round_id)
    if round_ is None:
        raise click.ClickException(f"找不到考评批次 {round_id} / no assessment round {round_id}")
    org = OrgRef("committee", committee_id=round_.committee_id, name="cli")
    builder = export_annex2 if form == "annex2" else export_annex3
    try:
        with acting_as(org):
            export = builder(org, None, round_id, general_branch_id, signed=signed)
    except FormNotFound as exc:
        raise click.ClickException(f"找不到该党总支 / no such general branch: {general_branch_id}") from exc
    with open(output, "wb") as fh:
        fh.write(export.data)
    click.echo(f"{export.filename} -> {output}")


@zhibu_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@refusals_exit_1
def worker_command(burst):
    """Run background jobs from RQ on ZHIBU_REDIS_URL (imports, exports, recomputes)."""
    from app.services.jobs import run_worker

    run_worker(burst=burst)


@zhibu_cli.command("notices")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Make the notices due on this day (default: today), YYYY-MM-DD.")
@refusals_exit_1
def notices_command(day):
    """Make the day's notices for every user (idempotent) and mail the new ones if mail is on."""
    from app.services.notices import generate_notices, mail_enabled, send_notice_mail

    made = generate_notices(day.date() if day else None)
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(made.items()))
    click.echo(f"新提醒 / new notices: {sum(made.values())}" + (f" ({kinds})" if kinds else ""))
    if mail_enabled():
        click.echo(f"已发送邮件 / mails sent: {send_notice_mail()}")
    else:
        click.echo("邮件未开启（ZHIBU_MAIL_SERVER 未设置） / mail is off (ZHIBU_MAIL_SERVER is not set)")


ballots_cli = AppGroup("ballots", help="Anonymous ballot campaigns (党员评议, 群众满意度).")
zhibu_cli.add_command(ballots_cli)


@ballots_cli.command("issue")
@click.option("--round", "round_id", required=True, type=int, help="Id of the assessment round.")
@click.option("--branch", "branch_id", required=True, type=int, help="Id of the branch being judged.")
@click.option("--kind", required=True, type=click.Choice(["members", "masses"]))
@click.option("--min-turnout", default=5, show_default=True, type=click.IntRange(1, 10000),
              help="Fewer ballots than this leave the figure missing.")
@click.option("--count", required=True, type=click.IntRange(1, 500), help="How many one-time codes to issue.")
@click.option("--as", "username", required=True, help="The organizer (general branch or committee user).")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="File for the codes, one per line (the only copy: only hashes are stored).")
@refusals_exit_1
def ballots_issue_command(round_id, branch_id, kind, min_turnout, count, username, output):
    """Open a campaign (or add codes to the open one) and write its new codes; prints the campaign id."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AssessmentRound, BallotCampaign, Branch
    from app.security.scope import acting_as
    from app.services import ballots

    with acting_as(actor_for(username, "cli")) as actor:
        round_ = db.session.get(AssessmentRound, round_id)  # scoped: a foreign id is not found
        branch = db.session.get(Branch, branch_id)
        if round_ is None:
            raise click.ClickException(f"找不到考评批次 {round_id} / no assessment round {round_id}")
        if branch is None:
            raise click.ClickException(f"找不到党支部 {branch_id} / no branch {branch_id}")
        campaign = db.session.scalar(select(BallotCampaign).where(
            BallotCampaign.round_id == round_id, BallotCampaign.branch_id == branch_id, BallotCampaign.kind == kind))
        if campaign is None:
            user = current_user_row(username)
            campaign = ballots.open_campaign(round_, branch, kind, min_turnout, actor, user)
        codes = ballots.issue_codes(campaign, count, actor)
        with open(output, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{code}\n" for code in codes))
        click.echo(campaign.id)


@ballots_cli.command("close")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--as", "username", required=True, help="The organizer (general branch or committee user).")
@refusals_exit_1
def ballots_close_command(campaign_id, username):
    """Close a campaign: its tally is final."""
    from app.extensions import db
    from app.models import BallotCampaign
    from app.security.scope import acting_as
    from app.services import ballots

    with acting_as(actor_for(username, "cli")) as actor:
        campaign = db.session.get(BallotCampaign, campaign_id)  # scoped
        if campaign is None:
            raise click.ClickException(f"找不到测评 {campaign_id} / no ballot campaign {campaign_id}")
        ballots.close_campaign(campaign, actor)
        click.echo(f"测评 {campaign_id} 已结束 / ballot campaign {campaign_id} closed")


@zhibu_cli.command("health")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), help="The year checked.")
@click.option("--general-branch", "general_branch_id", type=int, default=None, help="Only this general branch.")
@click.option("--as", "username", default=None,
              help="Check as this user (their scope); default: the system actor, every committee.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {branch_id, branch, rule, status, evidence}.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day of the check (default: today); what is due by then fails, the rest warns.")
@click.option("--refresh", is_flag=True,
              help="Bring the committees' kept summary of the year up to date for today and print what was "
                   "recomputed (a nightly job: the committee's first view of the day then reads it).")
@refusals_exit_1
def health_command(year, general_branch_id, username, as_json, as_of, refresh):
    """Health check H1–H11 of every branch in scope (支部体检)."""
    import json

    from app.extensions import db
    from app.models import GeneralBranch
    from app.security.scope import acting_as
    from app.services.health import health_report

    if refresh:
        from app.services.health_summary import refresh_all

        with acting_as(actor_for(username, "health")):
            for committee_id, done in refresh_all(year).items():
                click.echo(f"{committee_id}\t{'all' if done == 'all' else done}")
        return
    with acting_as(actor_for(username, "cli")):
        if general_branch_id is not None and db.session.get(GeneralBranch, general_branch_id) is None:
            raise click.ClickException(f"找不到党总支 {general_branch_id} / no general branch {general_branch_id}")
        report = health_report(year, as_of=as_of.date() if as_of else None, general_branch_id=general_branch_id)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
        return
    for b in report.branches:
        line = " ".join(f"{rule}:{b.results[rule].status}" for rule in b.results)
        click.echo(f"{b.branch_id}\t{b.name}\t{line}")


@zhibu_cli.command("synth")
@click.option("--committees", default=90, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--general-branches", default=2000, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--branches", default=50_000, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--members", default=1_000_000, show_default=True, type=click.IntRange(0, 100_000_000))
@click.option("--meetings", default=4, show_default=True, type=click.IntRange(0, 1000), help="Meetings per branch.")
@click.option("--training", default=1, show_default=True, type=click.IntRange(0, 1000),
              help="Training records per branch.")
@click.option("--seed", default=12, show_default=True, type=int)
@click.option("--one-committee", is_flag=True, help="Everything under the first committee (the worst case).")
@click.option("--password", default=None,
              help="Password of the accounts synth-committee, synth-gb and synth-branch (default: random, printed).")
def synth_command(committees, general_branches, branches, members, meetings, training, seed, one_committee,
                  password):
    """Generate a deterministic city-scale data set through bulk inserts (benchmarks)."""
    import secrets
    import time

    from app.extensions import db
    from app.models import Branch, Committee, GeneralBranch
    from app.security.scope import system_actor
    from app.services.accounts import ensure_user
    from app.services.setup import initialize
    from app.services.synth import SynthOptions, synthesize

    initialize()
    start = time.perf_counter()
    opts = SynthOptions(committees=committees, general_branches=general_branches, branches=branches,
                        members=members, meetings=meetings, training=training, seed=seed,
                        one_committee=one_committee)
    with system_actor("synth"):
        report = synthesize(opts, progress=lambda msg: click.echo(f"{time.perf_counter() - start:6.1f} s  {msg}"))
        password = password or secrets.token_urlsafe(12)
        for username, role, model, pk in (("synth-committee", "committee", Committee, report.committee_id),
                                          ("synth-gb", "general_branch", GeneralBranch, report.general_branch_id),
                                          ("synth-branch", "branch", Branch, report.branch_id)):
            if pk is not None:
                ensure_user(username, password, role, db.session.get(model, pk))
    click.echo(" ".join(f"{name}={count}" for name, count in report.counts.items()))
    click.echo(f"rounds {report.round_ids}; accounts synth-committee, synth-gb, synth-branch, password {password}")
    click.echo(f"done in {time.perf_counter() - start:.1f} s")
