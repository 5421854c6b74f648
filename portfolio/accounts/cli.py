"""`flask users …`: creating and listing accounts, and the first administrator."""
import secrets
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from portfolio.accounts.models import Role, User
from portfolio.accounts.operations import create_user
from portfolio.core.db import db
from portfolio.registry.lookup import find_region


@click.group("users")
def users_group() -> None:
    """Manage accounts."""


@users_group.command("create")
@click.option("--username", required=True, help="Login name.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True,
              help="admin (管理员), city (市级), county (县级，needs --region) or viewer (只读).")
@click.option("--region", help="The county/district of a county user, e.g. 山阳区.")
@click.option("--email", help="Where 催报 and 督办单 are e-mailed (optional).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@with_appcontext
def create_user_command(username: str, role: str, region: str | None, email: str | None,
                        password_stdin: bool) -> None:
    """Create an account; asks for the password twice unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    try:
        user = create_user(db.session, username, Role(role), find_region(db.session, region) if region else None,
                           password, email=email)
    except (LookupError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"已创建账户 {user.label}")


@users_group.command("list")
@with_appcontext
def list_users_command() -> None:
    """List the accounts."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        state = "启用" if user.is_enabled else "停用"
        click.echo(f"{user.id}\t{user.username}\t{user.role.label}\t{user.region.name if user.region else '-'}\t{state}")


@users_group.command("ensure-admin")
@with_appcontext
def ensure_admin_command() -> None:
    """Create a first administrator when there is no account, and print its one-time password once."""
    if db.session.scalar(select(func.count(User.id))):
        return
    password = secrets.token_urlsafe(12)
    create_user(db.session, "admin", Role.ADMIN, None, password, must_change_password=True)
    db.session.commit()
    click.echo(f"已创建管理员账户 admin，一次性密码：{password}（首次登录后必须修改；此密码不会再次显示）")


def register(app) -> None:
    app.cli.add_command(users_group)
