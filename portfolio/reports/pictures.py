"""The report's pictures as PNG, drawn with Pillow from the pages' own geometry (the dashboard's
charts, the county map, the timeline), so the PDF and the Word file show what the pages show."""
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from portfolio.core.formatting import format_date
from portfolio.dashboard.charts import BarChart
from portfolio.maps.geometry import NO_PROJECTS, CountyMap
from portfolio.reports.fonts import PdfFont
from portfolio.timeline.geometry import LATE_COLOUR, ON_TIME_COLOUR, Timeline


def _face(font: PdfFont, size: int):
    return ImageFont.truetype(font.path, size) if font.path else ImageFont.load_default(size)


def _png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "PNG", compress_level=6)
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


def map_png(county_map: CountyMap, font: PdfFont, scale: int = 2) -> bytes:
    """The dashboard's county map (`maps/geometry.py`) with its legend and its separate sites' figures
    beside it, as a PNG."""
    side = 300
    width, height = county_map.width + side, max(county_map.height, 60 + 20 * (len(county_map.legend)
                                                                             + len(county_map.separate) + 4))
    image = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(image)
    for area in county_map.areas:
        for ring in area.rings:
            draw.polygon([(x * scale, y * scale) for x, y in ring], fill=area.colour, outline="white", width=scale)
    for area in county_map.areas:
        draw.text((area.label_x * scale, area.label_y * scale), area.name, font=_face(font, area.label_size * scale),
                  fill="#1f2933", anchor="mm", stroke_width=scale, stroke_fill="white")
    for dot in county_map.dots:
        r = 5 * scale
        draw.ellipse([dot.x * scale - r, dot.y * scale - r, dot.x * scale + r, dot.y * scale + r], fill=dot.colour,
                     outline="white", width=scale)
    face = _face(font, 12 * scale)
    left, top = (county_map.width + 10) * scale, 10 * scale
    lines = [(step.colour, step.label) for step in county_map.legend] + [(NO_PROJECTS, "无项目")]
    for colour, label in lines:
        draw.rectangle([left, top, left + 20 * scale, top + 12 * scale], fill=colour, outline="#cbd2d9")
        draw.text((left + 26 * scale, top + 6 * scale), label, font=face, fill="black", anchor="lm")
        top += 20 * scale
    if county_map.separate:
        top += 10 * scale
        draw.text((left, top), "单列地点（不在地图上）：", font=face, fill="#616e7c")
        for row in county_map.separate:
            top += 20 * scale
            draw.text((left, top), f"{row.label}　{row.count}个　{county_map.value_label(row)}", font=face, fill="black")
    return _png(image)


def timeline_png(timeline: Timeline, font: PdfFont, scale: int = 2) -> bytes:
    """The timeline page's Gantt chart (`timeline/geometry.py`) as a PNG: names, bars, milestones
    (hollow planned, filled reached, red late) and the as-of date's line."""
    image = Image.new("RGB", (timeline.width * scale, timeline.height * scale), "white")
    draw = ImageDraw.Draw(image)
    face, small = _face(font, 12 * scale), _face(font, 11 * scale)
    for tick, following in zip(timeline.years, timeline.years[1:]):
        draw.text(((tick.x + following.x) / 2 * scale, (timeline.axis_height - 12) * scale), str(tick.year),
                  font=small, fill="#616e7c", anchor="ms")
    for tick in timeline.years:
        draw.line([(tick.x * scale, (timeline.axis_height - 6) * scale), (tick.x * scale, timeline.height * scale)],
                  fill="#d9e2ec", width=scale)
    for row in timeline.rows:
        middle = (row.y + timeline.row_height / 2) * scale
        draw.text((4 * scale, middle), row.project.short_name, font=face, fill="#1f2933", anchor="lm")
        top, bottom = (row.y + 9) * scale, (row.y + timeline.row_height - 9) * scale
        colour = Image.new("RGB", (1, 1), row.colour).getpixel((0, 0))
        tint = tuple(round(255 - (255 - c) * 0.35) for c in colour)
        draw.rounded_rectangle([row.bar_x * scale, top, (row.bar_x + row.bar_width) * scale, bottom], radius=3 * scale,
                               fill=tint, outline=row.colour, width=scale)
        for marker in row.markers:
            colour = LATE_COLOUR if marker.late else ON_TIME_COLOUR
            x, r = marker.x * scale, 6 * scale
            draw.polygon([(x, middle - r), (x + r, middle), (x, middle + r), (x - r, middle)],
                         fill=colour if marker.actual else "white", outline=colour, width=max(1, scale * 3 // 2))
    x = timeline.today_x * scale
    for top in range((timeline.axis_height - 8) * scale, timeline.height * scale, 7 * scale):
        draw.line([(x, top), (x, min(top + 4 * scale, timeline.height * scale))], fill="#b3261e", width=2 * scale)
    draw.text((x - 3 * scale, (timeline.axis_height - 24) * scale), format_date(timeline.as_of), font=small,
              fill="#b3261e", anchor="rs")
    return _png(image)
