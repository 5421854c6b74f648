"""What the API answers, as JSON: money as decimal strings with two places (万元), rates as
fractions with four places, dates in ISO form, and beside every code its Chinese label."""
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from portfolio.progress.models import ProgressReport
from portfolio.registry.models import FundingSource, Plan, Project, Region
from portfolio.rules import MILESTONE_ORDER, Assessment
from portfolio.rules.totals import CENT, GroupFigures, funding_lines

RATE = Decimal("0.0001")


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount.quantize(CENT):f}"


def rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(RATE):f}"


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def labelled(member: Enum | None) -> dict | None:
    return None if member is None else {"code": member.value, "label": member.label}


def period_code(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def etag_of(report: ProgressReport) -> str:
    return f'"{report.version}"'


def region(item: Region) -> dict:
    return {"id": item.id, "name": item.name, "full_name": item.full_name, "city": item.city,
            "kind": labelled(item.kind)}


def plan(item: Plan) -> dict:
    return {"id": item.id, "title": item.title, "city": item.city, "start_year": item.start_year,
            "end_year": item.end_year,
            "programmes": [{"id": programme.id, "number": programme.number, "title": programme.title}
                           for programme in item.programmes]}


def judgement(assessment: Assessment, as_of: date) -> dict:
    return {
        "as_of": day(as_of),
        "light": labelled(assessment.light),
        "status": labelled(assessment.status),
        "warnings": [{"kind": labelled(warning.kind), "light": labelled(warning.light), "reason": warning.reason}
                     for warning in assessment.warnings],
        "cumulative_investment": money(assessment.cumulative_investment),
        "completion_rate": rate(assessment.completion_rate),
        "over_budget": assessment.over_budget,
        "year_investment": money(assessment.year_investment),
        "annual_plan": money(assessment.annual_plan),
        "quarter_investment": money(assessment.quarter_investment),
    }


def project_summary(project: Project, assessment: Assessment, as_of: date) -> dict:
    return {
        "id": project.id,
        "project_code": project.project_code,
        "name": project.name,
        "region": {"id": project.region.id, "name": project.region.name},
        "plan": {"id": project.plan.id, "title": project.plan.title},
        "sector": labelled(project.sector),
        "site": project.site,
        "planned_investment": money(project.planned_investment),
        "start_year": project.start_year,
        "end_year": project.end_year,
        "archived_on": day(project.archived_on),
        "judgement": judgement(assessment, as_of),
    }


def progress(report: ProgressReport) -> dict:
    return {
        "period": period_code(report.year, report.quarter),
        "year": report.year,
        "quarter": report.quarter,
        "cumulative_investment": money(report.cumulative_investment),
        "quarter_investment": money(report.quarter_investment),
        "physical_progress": money(report.physical_progress),  # a percentage, with the same two places
        "works_status": report.works_status or "",
        "problems": report.problems or "",
        "next_steps": report.next_steps or "",
        "review_state": labelled(report.review_state),
        "review_comment": report.review_comment,
        "version": report.version,
    }


def project_detail(project: Project, assessment: Assessment, as_of: date) -> dict:
    return project_summary(project, assessment, as_of) | {
        "content": project.content,
        "status": labelled(project.status),
        "nature": labelled(project.nature),
        "programme": None if project.programme is None else {"id": project.programme.id,
                                                             "number": project.programme.number,
                                                             "title": project.programme.title},
        "responsible_unit": project.responsible_unit,
        "owner_unit": project.owner_unit,
        "responsible_leader": project.responsible_leader,
        "contact_person": project.contact_person,
        "contact_phone": project.contact_phone,
        "longitude": None if project.longitude is None else f"{project.longitude:f}",
        "latitude": None if project.latitude is None else f"{project.latitude:f}",
        "archive_reason": project.archive_reason,
        "version": project.version,
        "funding": [{"source": labelled(source), "amount": money(amount)} for source in FundingSource
                    if (amount := project.funding_by_source.get(source)) is not None],
        "milestones": [{"kind": labelled(item.kind), "planned_date": day(item.planned_date),
                        "actual_date": day(item.actual_date), "note": item.note}
                       for item in sorted(project.milestones, key=lambda item: MILESTONE_ORDER[item.kind])],
        "annual_plans": [{"year": item.year, "planned_investment": money(item.planned_investment)}
                         for item in sorted(project.annual_plans, key=lambda item: item.year)],
        "progress": [progress(report) for report in sorted(project.progress_reports,
                                                           key=lambda report: (report.year, report.quarter))],
    }


def figures(group: GroupFigures) -> dict:
    """A group's figures from the one roll-up (`rules.totals`), as every other output shows them."""
    return {
        "key": str(group.key),
        "label": group.label,
        "count": group.count,
        "planned_investment": money(group.planned_investment),
        "cumulative_investment": money(group.cumulative_investment),
        "completion_rate": rate(group.completion_rate),
        "annual_count": group.annual_count,
        "annual_plan": money(group.annual_plan),
        "annual_completed": money(group.annual_completed),
        "annual_rate": rate(group.annual_rate),
        "other_year_completed": money(group.other_year_completed),
        "quarter_investment": money(group.quarter_investment),
        "lights": {"red": group.red, "yellow": group.yellow, "green": group.green, "done": group.done},
        "warnings": {"overdue": group.overdue, "late_start": group.late_start, "late_milestone": group.late_milestone,
                     "investment_lag": group.investment_lag, "not_reported": group.not_reported},
        "cancelled": {"count": group.cancelled_count, "planned_investment": money(group.cancelled_planned)},
        "funding": [{"source": labelled(line.source), "label": line.label, "amount": money(line.amount),
                     "share": rate(line.share)} for line in funding_lines(group)],
    }
