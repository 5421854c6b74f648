"""The CJK font for PDFs: an embedded TrueType font when one is found, else ReportLab's STSong-Light.

ReportLab's base fonts have no Chinese glyphs. A TrueType font (e.g. Debian's
fonts-wqy-microhei) is embedded as a subset, so the PDF reads the same on any machine;
STSong-Light is a CID font the PDF viewer must supply, used only when no TrueType font is
available so that a fresh machine still produces a readable report.
"""
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

FALLBACK = "STSong-Light"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass(frozen=True)
class PdfFont:
    name: str
    path: str | None
    """None for the built-in CID font."""

    @property
    def embedded(self) -> bool:
        return self.path is not None

    def describe(self) -> str:
        return f"{self.name}(嵌入 {self.path})" if self.path else f"{FALLBACK}(内置 CID 字体，未嵌入)"


def register_font(configured: str | None = None, candidates: tuple[str, ...] = CANDIDATES) -> PdfFont:
    """Register and return the font: `configured` if given (an error if unusable), else the first candidate found."""
    paths = [configured] if configured else [path for path in candidates if Path(path).is_file()]
    for path in paths:
        name = "CJK-" + Path(path).stem
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            except (TTFError, OSError) as error:
                raise ValueError(f"PDF 字体 {path} 无法使用：{error}") from None
        return PdfFont(name, path)
    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return PdfFont(FALLBACK, None)
