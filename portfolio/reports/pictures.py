"""The report's pictures as PNG, drawn with Pillow from the pages' own geometry (the dashboard's
charts, the county map, the timeline), so the PDF and the Word file show what the pages show."""
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from portfolio.dashboard.charts import BarChart
from portfolio.reports.fonts import PdfFont


def _face(font: PdfFont, size: int):
    return ImageFont.truetype(font.path, size) if font.path else ImageFont.load_default(size)


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def chart_png(chart: BarChart, font: PdfFont, scale: int = 2) -> bytes:
    """The dashboard's bar chart geometry (`dashboard/charts.py`) drawn as a PNG with the PDF's font."""
    image = Image.new("RGB", (chart.width * scale, chart.height * scale), "white")
    draw = ImageDraw.Draw(image)
    size = 11 * scale
    face = _face(font, size)
    colours = ("#2b6cb0", "#38a169")
    for number, name in enumerate(chart.series):
        left = (chart.label_width + number * 150) * scale
        draw.rectangle([left, 6 * scale, left + 12 * scale, 18 * scale], fill=colours[number])
        draw.text((left + 16 * scale, 5 * scale), name, font=face, fill="black")
    for group in chart.groups:
        draw.text(((chart.label_width - 6) * scale, (group.y + chart.bar_height) * scale), group.label, font=face,
                  fill="black", anchor="rs")
        for number, bar in enumerate(group.bars):
            top = bar.y * scale
            right = (chart.label_width + bar.width) * scale
            draw.rectangle([chart.label_width * scale, top, max(right, chart.label_width * scale + 1),
                            top + (chart.bar_height - 2) * scale], fill=colours[number])
            draw.text((right + 4 * scale, top + (chart.bar_height - 3) * scale), bar.value_label, font=face,
                      fill="#333333", anchor="ls")
    return _png(image)
