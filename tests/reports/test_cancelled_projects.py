"""Cancelled projects, one definition everywhere: the status on the report's date. A manual status
change carries the date it took effect (the project form asks for it, default today, never in the
future, audited), so a report made again later says what it said before; cancelled projects stand
outside the count, the breakdown and the county rows, listed apart."""
import json
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portfolio.core.audit import AuditEntry
from portfolio.registry.models import Project, ProjectStatus, StatusChange
from portfolio.reports.data import ReportFilters, build_quarterly_report
from portfolio.reports.tables import cancelled_table, details_table, facts_table
from tests.factories import form_fields

EARLY, LATE = "孟州市全民健身中心", "山阳区黄龙山体育公园项目"


def _edit(client, in_app, name: str, **changes):
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == name)))
    url = f"/projects/{project_id}/edit"
    fields = form_fields(client.get(url).get_data(as_text=True))
    return client.post(url, data=fields | changes)


def _q3(session):
    return build_quarterly_report(session, 2026, 3, ReportFilters(), "测试", datetime(2026, 12, 4), date.today())


def test_a_cancellation_dated_back_counts_from_its_date_and_stands_apart(client, seeded, in_app):
    assert _edit(client, in_app, EARLY, status="cancelled", status_date="2026-09-01").status_code == 302
    assert _edit(client, in_app, LATE, status="cancelled").status_code == 302  # from today: after Q3
    report = in_app(_q3)
    facts = dict(facts_table(report).rows)
    assert facts["项目数"].startswith("12个（") and "已取消" not in facts["项目数"], facts["项目数"]
    breakdown = facts["项目数"][4:-1].split("、")
    assert sum(int(part.rstrip("个").lstrip("前期在建已竣工投用暂停")) for part in breakdown) == 12
    assert facts["已取消"].startswith("1个，计划投资")
    assert any("另有已取消项目1个" in sentence for sentence in report.summary)
    assert [row[1] for row in cancelled_table(report).rows] == [EARLY]
    listed = [row[1] for row in details_table(report).rows]
    assert EARLY not in listed and LATE in listed and len(listed) == 12
    assert sum(region.count for region in report.by_region) == 12
    assert in_app(lambda s: s.scalar(select(StatusChange.since).where(
        StatusChange.source == "manual", StatusChange.project_id == select(Project.id).where(
            Project.name == EARLY).scalar_subquery()))) == date(2026, 9, 1)
    trail = in_app(lambda s: [json.loads(e.changes) for e in s.scalars(select(AuditEntry).where(AuditEntry.table_name == "projects",
                                                                                    AuditEntry.action == "update"))])
    assert any(changes.get("status_since") == [None, "2026-09-01"] for changes in trail), trail


def test_a_status_date_in_the_future_or_before_the_last_change_is_refused(client, seeded, in_app):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    refused = _edit(client, in_app, EARLY, status="suspended", status_date=tomorrow, responsible_unit="市体育局")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "状态变更日期不能晚于今天" in page and 'value="市体育局"' in page
    assert _edit(client, in_app, EARLY, status="suspended", status_date="2026-06-01").status_code == 302
    earlier = _edit(client, in_app, EARLY, status="under_way", status_date="2026-05-01")
    assert earlier.status_code == 422 and "不能早于上次状态变更的日期（2026年6月1日）" in earlier.get_data(as_text=True)
    assert in_app(lambda s: s.scalar(select(Project.status).where(Project.name == EARLY))) is ProjectStatus.SUSPENDED
