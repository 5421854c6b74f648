"""Finding plans, regions and sectors by the names people type on the command line."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.registry.models import Plan, Region, Sector


def find_plan(session: Session, text: str) -> Plan:
    plans = session.scalars(select(Plan).where(Plan.title.contains(text, autoescape=True))).all()
    exact = [plan for plan in plans if plan.title == text]
    if len(exact) == 1 or len(plans) == 1:
        return (exact or plans)[0]
    if not plans:
        raise LookupError(f"没有名称包含“{text}”的规划")
    raise LookupError(f"“{text}”对应多个规划：{'、'.join(p.title for p in plans)}")


def find_region(session: Session, text: str) -> Region:
    """By name (山阳区), or city and name (焦作市山阳区) where two cities share a name."""
    regions = [r for r in session.scalars(select(Region)) if text in (r.name, f"{r.city}{r.name}", r.full_name)]
    if len(regions) == 1:
        return regions[0]
    if not regions:
        raise LookupError(f"未知的县(市、区): {text}")
    raise LookupError(f"“{text}”对应多个县(市、区)，请加上城市名，如 {regions[0].city}{regions[0].name}")


def find_sector(text: str) -> Sector:
    try:
        return Sector.from_text(text)
    except ValueError:
        raise LookupError(f"未知的领域：{text}(可选：{'、'.join(s.label for s in Sector)})") from None
