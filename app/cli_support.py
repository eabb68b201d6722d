"""What every command that changes records shares: its actor, and a refusal as one line.

A command runs as a named user (`--as USERNAME`: that user's rules and scope) or as a named
system actor; a refusal of the rules is one line and exit status 1.
"""
import functools

import click


def actor_for(username: str | None, system_name: str):
    """The actor of a command: the named active user, else the named system actor."""
    from flask import current_app

    from app.security.scope import org_of_user, system

    if not username:
        return system(system_name)
    user = current_app.appbuilder.sm.find_user(username=username)
    if user is None or not user.is_active:
        raise click.ClickException(f"找不到用户 {username} / no active user {username}")
    org = org_of_user(user)
    if org is None:
        raise click.ClickException(f"用户 {username} 不属于任何组织 / user {username} belongs to no organization")
    return org


def refusals_exit_1(command):
    """A DomainError (record rule, closed round, bad value) is one line and exit status 1."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        from app.errors import DomainError

        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(str(exc)) from exc
    return run


def current_user_row(username):
    from flask import current_app

    return current_app.appbuilder.sm.find_user(username=username)
