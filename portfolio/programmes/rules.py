"""A 专栏 task's progress: a pure function of its target and its newest entry."""
from dataclasses import dataclass
from decimal import Decimal

from portfolio.core.formatting import format_rate
from portfolio.indicators.rules import format_value


@dataclass(frozen=True)
class TaskState:
    done: Decimal | None
    """The newest entry's cumulative quantity (None: nothing recorded)."""
    share: Decimal | None
    """done ÷ target, not capped (over-achievement is shown as it is)."""
    words: str

    @property
    def bar_percent(self) -> int:
        """The progress bar's width, 0–100."""
        return 0 if self.share is None else int(min(self.share, Decimal(1)) * 100)


def task_state(target: Decimal, unit: str, done: Decimal | None) -> TaskState:
    """“已完成17所中的12所（70.6%）”; “尚未填报进展”; over the target, by how much."""
    goal = format_value(target, unit)
    if done is None:
        return TaskState(None, None, f"目标{goal}，尚未填报进展")
    share = done / target if target > 0 else None
    words = f"已完成{goal}中的{format_value(done, unit)}（{format_rate(share)}）"
    if done > target:
        words += f"，超过目标{format_value(done - target, unit)}"
    elif done == target:
        words += "，已完成目标"
    return TaskState(done, share, words)
