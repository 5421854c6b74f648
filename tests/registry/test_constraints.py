"""Constraints live in the database, not only in the forms: projects. (Progress: tests/progress/test_constraints.py.)"""
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import refused


def test_project_checks(make_project, session):
    project = make_project()
    for column, value in [("planned_investment", Decimal("-1")), ("end_year", 2021), ("start_year", 1900)]:
        refused(session, lambda c=column, v=value: setattr(project, c, v))
        session.refresh(project)


def test_one_project_name_per_plan(make_project, session):
    make_project(name="同名项目")
    refused(session, lambda: make_project(name="同名项目"))


def test_foreign_keys_are_enforced(make_project, session):
    project = make_project()
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.execute(text("UPDATE projects SET region_id = 999999 WHERE id = :id"), {"id": project.id})


def test_money_keeps_two_decimals_exactly(make_project, session):
    project = make_project(planned_investment=Decimal("123456789012.34"))
    session.commit()
    session.expire_all()
    assert project.planned_investment == Decimal("123456789012.34")
