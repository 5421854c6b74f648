"""The suite's own isolation: what a test commits through the app is gone after it, on both databases,
and the seeded database keeps exactly the seed."""
from sqlalchemy import func, select

from portfolio.accounts.models import User
from portfolio.core.db import db
from portfolio.registry.models import Project
from tests.conftest import _rolled_back
from tests.factories import build_user, login


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_what_a_test_commits_is_rolled_back(apps):
    for app in apps.values():
        before = _count(app, User)
        with _rolled_back(app):
            with app.app_context():
                build_user(db.session, "rolled-back")
                db.session.commit()
            assert login(app.test_client(), "rolled-back").status_code == 302  # a request sees the commit
            assert _count(app, User) == before + 1
        assert _count(app, User) == before


def test_the_seeded_database_holds_the_seed_and_the_empty_one_nothing(apps):
    assert _count(apps["seeded"], Project) == 13 and _count(apps["empty"], Project) == 0
