"""What an import would do, row by row: shown as a preview, applied only when nothing is wrong."""
from dataclasses import dataclass, field


@dataclass
class RowOutcome:
    line: int
    name: str
    action: str = "create"
    """create, update, unchanged, skip (nothing filled in) or error."""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)

    @property
    def action_label(self) -> str:
        return {"create": "新增", "update": "更新", "unchanged": "无变化", "error": "有错误", "skip": "跳过"}[self.action]


@dataclass
class ImportPreview:
    rows: list[RowOutcome]
    notes: list[str]

    @property
    def ok(self) -> bool:
        return not any(row.errors for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def error_lines(self, filename: str) -> list[str]:
        return [f"{filename} 第{row.line}行：{error}" for row in self.rows for error in row.errors]

    def shown_rows(self, first: int) -> list[RowOutcome]:
        """The rows a page lists: every one with an error or a change, and the first `first` of the others."""
        return [row for index, row in enumerate(self.rows) if index < first or row.errors or row.changes]

    def outline(self) -> dict:
        """What a page shows of the preview, as JSON (kept beside the upload; no values)."""
        return {"notes": self.notes, "rows": [[row.line, row.name, row.action, row.changes, row.errors]
                                              for row in self.rows]}

    @classmethod
    def from_outline(cls, outline: dict) -> "ImportPreview":
        return cls([RowOutcome(line, name, action, [tuple(change) for change in changes], errors)
                    for line, name, action, changes, errors in outline["rows"]], outline["notes"])
