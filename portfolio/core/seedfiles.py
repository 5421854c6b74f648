"""Reading the seed CSV files: rows that know their file and line, so every check names them."""
import csv
from dataclasses import dataclass
from pathlib import Path

from portfolio.core.limits import FIRST_YEAR, LAST_YEAR


class SeedError(Exception):
    def __init__(self, file: str, line: int, reason: str):
        super().__init__(f"{file} 第{line}行：{reason}")
        self.file, self.line, self.reason = file, line, reason


@dataclass(frozen=True)
class SeedRow:
    """One CSV row with its line number, so every later check can name the line."""

    file: str
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def required(self, column: str, label: str) -> str:
        if not (value := self.get(column)):
            raise self.error(f"{label}({column})不能为空")
        return value

    def integer(self, column: str, label: str) -> int:
        text = self.required(column, label)
        try:
            return int(text)
        except ValueError:
            raise self.error(f"{label}({column})“{text}”不是整数") from None

    def year(self, column: str, label: str) -> int:
        value = self.integer(column, label)
        if not FIRST_YEAR <= value <= LAST_YEAR:
            raise self.error(f"{label}{value}不在{FIRST_YEAR}–{LAST_YEAR}之间")
        return value

    def choice(self, column: str, label: str, enum_cls, by_label: bool):
        text = self.required(column, label)
        try:
            return enum_cls.from_label(text) if by_label else enum_cls(text)
        except ValueError:
            allowed = "、".join(m.label if by_label else m.value for m in enum_cls)
            raise self.error(f"{label}“{text}”不是可选值之一({allowed})") from None

    def error(self, reason: str) -> SeedError:
        return SeedError(self.file, self.line, reason)


def read_rows(directory: Path, name: str, columns: tuple[str, ...]) -> list[SeedRow]:
    path = directory / name
    if not path.is_file():
        raise SeedError(name, 0, f"找不到文件 {path}")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in columns if column not in (reader.fieldnames or [])]
            if missing:
                raise SeedError(name, 1, f"表头缺少列：{', '.join(missing)}")
            rows = []
            for values in reader:
                if None in values:
                    raise SeedError(name, reader.line_num, "列数多于表头")
                rows.append(SeedRow(name, reader.line_num, values))
            return rows
    except UnicodeDecodeError:
        raise SeedError(name, 0, "文件不是 UTF-8 编码") from None
    except csv.Error as error:
        raise SeedError(name, 0, f"CSV 格式错误：{error}") from None
