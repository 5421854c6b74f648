"""Money is exact on both databases: a SUM computed in SQL equals the Decimal sum to the fen."""
import random
from decimal import Decimal

from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select

from portfolio.core.db import db, money

AMOUNTS = [Decimal("0.01"), Decimal("0.10"), Decimal("12345.67"), Decimal("99999999.99")]


def test_sql_sum_of_100000_amounts_equals_the_decimal_sum(app):
    rng = random.Random(2026)
    amounts = [rng.choice(AMOUNTS) if n % 2 else Decimal(rng.randint(0, 9_999_999_999)) / 100 for n in range(100_000)]
    probe = Table("money_probe", MetaData(), Column("id", Integer, primary_key=True), Column("amount", money()))
    with app.app_context():
        probe.create(db.engine)
        try:
            with db.engine.begin() as connection:
                connection.execute(insert(probe), [{"amount": amount} for amount in amounts])
                total = connection.execute(select(func.sum(probe.c.amount))).scalar_one()
                stored = connection.execute(select(probe.c.amount).order_by(probe.c.id)).scalars().all()
        finally:
            probe.drop(db.engine)
    assert stored == amounts
    assert total == sum(amounts) and str(total) == f"{sum(amounts):.2f}"


def test_the_largest_amount_reads_back_exactly(session, make_project):
    project = make_project(planned_investment=Decimal("999999999999.99"))
    session.commit()
    session.expire_all()
    assert project.planned_investment == Decimal("999999999999.99")
