"""The ledger and the 督办单 list ask the database the same number of questions for 3 rows as for 30."""
from datetime import date

from portfolio.problems import operations
from portfolio.problems.models import ProblemKind
from tests.factories import ProjectBuilder, add_problem
from tests.test_query_counts import counted


def _add(session, first: int, count: int) -> None:
    builder = ProjectBuilder(session)
    for number in range(first, first + count):
        project = builder(name=f"计数项目{number:03d}", region="山阳区" if number % 2 else "孟州市")
        problem = add_problem(session, project, kind=list(ProblemKind)[number % 6],
                              description=f"计数问题{number}")
        operations.issue_notice(session, {"problem_ids": [problem.id], "region_id": problem.project.region_id,
                                          "reply_deadline": date(2026, 1, 10), "requirement": "请落实"},
                                "市发改委", date(2026, 1, 5))
    session.commit()


def test_ledger_and_notices_do_not_query_per_row(app, client, in_app):
    sizes = {}
    for first, count in ((0, 3), (3, 27)):
        in_app(lambda s: _add(s, first, count))
        with counted(app) as statements:
            for url in ("/problems/", "/problems/notices/"):
                assert client.get(url).status_code == 200
        sizes[first] = len(statements)
    assert sizes[0] == sizes[3]
