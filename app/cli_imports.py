"""`flask --app app zhibu import members|branches|appraisals|trainings FILE [--dry-run] --as USERNAME`.

Runs with the scope and role of USERNAME, through the same service as the web pages, and
prints the same summary and errors. Exit status: 0 imported (or a clean dry run), 1 errors.
"""
import os

import click
from flask.cli import with_appcontext


@click.command("import")
@click.argument("kind", type=click.Choice(["members", "branches", "appraisals", "trainings"]))
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; change nothing.")
@click.option("--as", "username", required=True, help="Import as this user (their organization is the scope).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages.")
@with_appcontext
def import_command(kind, path, dry_run, username, lang):
    """Import a member or branch roster (xlsx): dry run, then apply all rows or none."""
    from flask import current_app

    from app.imports import ImportFileError
    from app.services import imports as service

    user = current_app.appbuilder.sm.find_user(username=username)
    if user is None or not user.is_active:
        raise click.ClickException(f"找不到用户 {username} / no active user {username}")
    with open(path, "rb") as fh:
        data = fh.read(service.max_import_bytes() + 1)
    from app.errors import DomainError
    from app.security.scope import acting_as, org_of_user

    try:
        with acting_as(org_of_user(user)):
            outcome = service.dry_run(user, kind, os.path.basename(path), data)
            if outcome.ok and not dry_run:
                outcome = service.apply(user, outcome.record.id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    except ImportFileError as exc:
        raise click.ClickException(exc.message(lang)) from exc
    _print(outcome, lang, dry_run)
    if not outcome.ok:
        raise SystemExit(1)


def _print(outcome, lang: str, dry_run: bool) -> None:
    s = outcome.summary
    en = lang == "en"
    click.echo(f"{'import' if en else '导入记录'} #{outcome.record.id}: {outcome.record.filename}")
    click.echo(("new {new}  updated {updated}  unchanged {unchanged}  errors {errors}" if en else
                "新增 {new}  更新 {updated}  未变 {unchanged}  错误 {errors}").format(**s))
    if s.get("ignored_columns"):
        names = ", ".join(s["ignored_columns"])
        click.echo(f"ignored columns: {names}" if en else f"已忽略的列：{names}")
    for error in outcome.errors:
        click.echo(error.message(lang))
    if not outcome.ok:
        click.echo("Nothing was imported." if en else "有错误，未导入任何数据。")
    elif outcome.applied:
        click.echo("Imported." if en else "已导入。")
    elif dry_run:
        click.echo("Dry run: nothing was changed." if en else "预检完成，未做任何修改。")
