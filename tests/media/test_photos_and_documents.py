"""现场照片 and milestone documents through the pages: cleaned (GPS gone, date kept), limited,
refused whole when any file is bad, served only to logged-in users, removed with their rows."""
import io
import subprocess
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.progress.models import Milestone, MilestoneDocument, MilestoneKind, ProgressPhoto, ProgressReport
from portfolio.registry.models import Project
from tests.factories import csrf_token, login
from tests.oc4ids import oc4ids_errors
from tests.pdf import joined, pdf_text

OWN = "山阳区黄龙山体育公园项目"


def jpeg(size=(1200, 900), taken="2026:09:12 10:30:00", gps=True, colour="green") -> bytes:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x0132] = taken  # DateTime
    exif.get_ifd(0x8769)[36867] = taken  # DateTimeOriginal
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (35.0, 14.0, 2.5), 3: "E", 4: (113.0, 14.0, 30.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (64, 48)).save(buffer, "GIF")
    return buffer.getvalue()


def png(size=(800, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def png_bomb() -> bytes:
    """A small PNG whose zTXt chunk inflates to 64 MB."""
    body = png((10, 10))
    payload = b"Comment\x00\x00" + zlib.compress(b"\x00" * 64 * 1024 * 1024, 9)
    chunk = len(payload).to_bytes(4, "big") + b"zTXt" + payload + zlib.crc32(b"zTXt" + payload).to_bytes(4, "big")
    return body[:33] + chunk + body[33:]


def huge_png() -> bytes:
    """A 100-megapixel PNG header (10000 × 10000) with a tiny, valid-looking body."""
    body = png((1, 1))
    header = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR"
    ihdr = (10000).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return header + ihdr + zlib.crc32(b"IHDR" + ihdr).to_bytes(4, "big") + body[33:]


def pdf(javascript: bool = False, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if javascript:
        action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('hi');")})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_folder(app, tmp_path, monkeypatch):
    """Each test its own, empty media folder."""
    monkeypatch.setitem(app.config, "MEDIA_DIR", tmp_path / "media")


@pytest.fixture
def report(in_app, seeded):
    def make(session):
        project = session.scalar(select(Project).where(Project.name == OWN))
        row = ProgressReport(project=project, year=2026, quarter=3, cumulative_investment=Decimal(100),
                             quarter_investment=Decimal(100), physical_progress=Decimal(10))
        session.add(row)
        session.add(Milestone(project=project, kind=MilestoneKind.FEASIBILITY_APPROVAL, actual_date=date(2025, 3, 1)))
        session.commit()
        return project.id, row.id

    return in_app(make)


def _upload(client, project_id, report_id, files, caption=""):
    url = f"/projects/{project_id}/progress/{report_id}/edit"
    data = {"csrf_token": csrf_token(client, url), "caption": caption,
            "photos": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/projects/{project_id}/progress/{report_id}/photos", data=data,
                       content_type="multipart/form-data", follow_redirects=True)


def _media_files(app) -> list[Path]:
    folder = Path(app.config["MEDIA_DIR"])
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def _count(in_app, model) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(model)))


def test_a_county_attaches_three_photos_gps_gone_date_kept(app, seeded, report, in_app, make_user):
    project_id, report_id = report
    county = app.test_client()
    login(county, make_user("county-sy", Role.COUNTY, "山阳区"))
    page = _upload(county, project_id, report_id, [("IMG_0001.JPG", jpeg()), ("b.png", png()),
                                                  ("c.jpg", jpeg(taken="2026:08:01 08:00:00", colour="blue"))],
                   caption="主体结构施工")
    assert "已上传3张照片" in page.get_data(as_text=True)
    photos = in_app(lambda s: s.scalars(select(ProgressPhoto).order_by(ProgressPhoto.id)).all())
    assert [(p.caption, p.taken_on) for p in photos] == [("主体结构施工", date(2026, 9, 12)), ("主体结构施工", None),
                                                        ("主体结构施工", date(2026, 8, 1))]
    stored = county.get(f"/media/photos/{photos[0].id}.jpg")
    assert stored.headers["Cache-Control"] == "private, max-age=86400"
    image = Image.open(io.BytesIO(stored.data))
    assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info, "all metadata removed"
    assert b"Exif" not in stored.data
    assert max(Image.open(io.BytesIO(county.get(f"/media/photos/{photos[0].id}/thumbnail.jpg").data)).size) == 320
    assert all(not path.is_relative_to(Path(app.static_folder)) for path in _media_files(app))
    listed = county.get("/projects/?q=黄龙山").get_data(as_text=True)
    assert f'class="list-thumb" src="/media/photos/{photos[2].id}/thumbnail.jpg"' in listed, "the newest, in the list"
    gallery = county.get(f"/projects/{project_id}").get_data(as_text=True)
    assert "2026年第3季度" in gallery and f"/media/photos/{photos[0].id}/thumbnail.jpg" in gallery
    assert app.test_client().get(f"/media/photos/{photos[0].id}.jpg").status_code == 302, "login first"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.jpg", b"just some text, not an image", "不是JPEG、PNG 或 WebP 图片"),
    ("drawing.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "不是JPEG、PNG 或 WebP 图片"),
    ("cut.jpg", jpeg()[:4000], "已损坏或不完整"),
    ("huge.png", huge_png(), "像素过多"),
    ("bomb.png", png_bomb(), "已损坏或不完整"),
    ("scan.gif", b"GIF89a" + b"\x00" * 100, "不是JPEG、PNG 或 WebP 图片"),
    ("real.gif", gif(), "是GIF图片，只能上传JPEG、PNG 或 WebP 图片"),
])
def test_bad_photos_are_refused_and_nothing_is_stored(app, client, report, in_app, name, content, message):
    project_id, report_id = report
    page = _upload(client, project_id, report_id, [("good.jpg", jpeg()), (name, content)]).get_data(as_text=True)
    assert "未上传任何照片" in page and message in page
    assert _count(in_app, ProgressPhoto) == 0 and _media_files(app) == []


def test_at_most_nine_photos_a_quarter(app, client, report, in_app):
    project_id, report_id = report
    page = _upload(client, project_id, report_id, [(f"{n}.jpg", jpeg(colour=(n * 20, 0, 0))) for n in range(10)])
    assert "每个季度进展最多9张照片" in page.get_data(as_text=True)
    assert _count(in_app, ProgressPhoto) == 0 and _media_files(app) == []


def test_a_photo_for_another_countys_project_is_refused(app, report, in_app, make_user):
    project_id, report_id = report
    other = app.test_client()
    login(other, make_user("county-mz", Role.COUNTY, "孟州市"))
    response = other.post(f"/projects/{project_id}/progress/{report_id}/photos",
                          data={"csrf_token": csrf_token(other, "/"), "photos": [(io.BytesIO(jpeg()), "a.jpg")]},
                          content_type="multipart/form-data")
    assert response.status_code == 403 and _count(in_app, ProgressPhoto) == 0


def test_an_approved_report_takes_no_photos_from_its_county(app, report, in_app, make_user):
    project_id, report_id = report
    from portfolio.progress.models import ReviewState

    in_app(lambda s: setattr(s.get(ProgressReport, report_id), "review_state", ReviewState.SUBMITTED) or s.commit())
    county = app.test_client()
    login(county, make_user("county-sy2", Role.COUNTY, "山阳区"))
    page = _upload(county, project_id, report_id, [("a.jpg", jpeg())]).get_data(as_text=True)
    assert "不能上传照片" in page and _count(in_app, ProgressPhoto) == 0


def test_deleting_a_photo_or_its_report_removes_the_files(app, client, report, in_app):
    project_id, report_id = report
    same = jpeg()
    _upload(client, project_id, report_id, [("a.jpg", same), ("b.jpg", jpeg(colour="red"))])
    assert len(_media_files(app)) == 4
    first = in_app(lambda s: s.scalar(select(ProgressPhoto.id).order_by(ProgressPhoto.id).limit(1)))
    client.post(f"/projects/{project_id}/photos/{first}/delete",
                data={"csrf_token": csrf_token(client, f"/projects/{project_id}/progress/{report_id}/edit")})
    assert len(_media_files(app)) == 2
    url = f"/projects/{project_id}/progress/{report_id}/delete"
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert _media_files(app) == [] and _count(in_app, ProgressPhoto) == 0


def test_caption_and_date_can_be_corrected(app, client, report, in_app):
    project_id, report_id = report
    _upload(client, project_id, report_id, [("a.jpg", jpeg(gps=False))])
    photo_id = in_app(lambda s: s.scalar(select(ProgressPhoto.id)))
    edit = f"/projects/{project_id}/progress/{report_id}/edit"
    client.post(f"/projects/{project_id}/photos/{photo_id}",
                data={"csrf_token": csrf_token(client, edit), "caption": "基础施工", "taken_on": "2026-09-01"})
    assert in_app(lambda s: (s.get(ProgressPhoto, photo_id).caption, s.get(ProgressPhoto, photo_id).taken_on)) == (
        "基础施工", date(2026, 9, 1))


def _document(client, project_id, milestone_id, name, content, title="可研批复文件"):
    url = f"/projects/{project_id}"
    return client.post(f"/projects/{project_id}/documents", content_type="multipart/form-data", follow_redirects=True,
                       data={"csrf_token": csrf_token(client, url), "milestone_id": str(milestone_id),
                             "title": title, "document": (io.BytesIO(content), name)})


def test_a_milestone_carries_a_pdf_downloaded_as_an_attachment(app, client, report, in_app):
    project_id, _ = report
    milestone_id = in_app(lambda s: s.scalar(select(Milestone.id)))
    page = _document(client, project_id, milestone_id, "../../可研批复<1>.pdf", pdf()).get_data(as_text=True)
    assert "已为“可研批复”上传“可研批复文件”" in page
    document = in_app(lambda s: s.scalar(select(MilestoneDocument)))
    assert document.filename == "可研批复1.pdf" and document.media_type == "application/pdf"
    response = client.get(f"/media/documents/{document.id}")
    assert response.data == pdf() or response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, max-age=86400"


def test_a_scanned_jpeg_document_loses_its_gps_and_keeps_its_size(app, client, report, in_app):
    project_id, _ = report
    milestone_id = in_app(lambda s: s.scalar(select(Milestone.id)))
    scan = jpeg(size=(2480, 3508))
    assert b"Exif" in scan and Image.open(io.BytesIO(scan)).getexif().get_ifd(0x8825), "the upload has GPS"
    assert "已为“可研批复”上传" in _document(client, project_id, milestone_id, "批复.jpg", scan).get_data(as_text=True)
    document = in_app(lambda s: s.scalar(select(MilestoneDocument)))
    stored = client.get(f"/media/documents/{document.id}").data
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (2480, 3508) and not image.getexif() and b"Exif" not in stored
    assert document.size == len(stored)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("script.pdf", pdf(javascript=True), "含有脚本或自动执行的动作"),
    ("locked.pdf", pdf(password="secret"), "有密码保护"),
    ("broken.pdf", b"%PDF-1.7\n" + b"garbage" * 100, "不是完好的 PDF 文件"),
    ("notes.pdf", b"plain text", "不是PDF 文件或 JPEG、PNG 扫描件"),
    ("big.pdf", b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024), "超过20MB"),
])
def test_bad_documents_are_refused(app, client, report, in_app, name, content, message):
    project_id, _ = report
    milestone_id = in_app(lambda s: s.scalar(select(Milestone.id)))
    page = _document(client, project_id, milestone_id, name, content).get_data(as_text=True)
    assert "未上传" in page and message in page
    assert _count(in_app, MilestoneDocument) == 0 and _media_files(app) == []


def test_the_q3_report_with_photos_shows_them_in_its_appendix(app, client, report, in_app, tmp_path):
    project_id, report_id = report
    _upload(client, project_id, report_id, [("a.jpg", jpeg(size=(4000, 3000))), ("b.jpg", jpeg(colour="blue")),
                                            ("c.jpg", jpeg(colour="red"))], caption="主体结构施工")
    without = client.get("/reports/quarterly.pdf?year=2026&quarter=3").data
    response = client.get("/reports/quarterly.pdf?year=2026&quarter=3&photos=y")
    assert response.mimetype == "application/pdf"
    text = joined(pdf_text(response.data, tmp_path))
    assert joined("附：项目现场照片") in text and joined(f"{OWN}（山阳区），2026年第3季度，主体结构施工，摄于2026年9月12日") in text
    assert joined("附：项目现场照片") not in joined(pdf_text(without, tmp_path))
    path = tmp_path / "photos.pdf"
    path.write_bytes(response.data)
    (tmp_path / "without.pdf").write_bytes(without)

    def images_of(pdf):  # the report's own pictures (charts, map, timeline) come first, the photos last
        listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
        return [line.split() for line in listed.splitlines()[2:]]

    pictures = len(images_of(tmp_path / "without.pdf"))
    images = images_of(path)[pictures:]
    assert len(images) == 2, "the two newest photos of the project, each embedded once"
    assert all(int(row[3]) <= 900 and int(row[4]) <= 900 for row in images), "downscaled for print"
    assert len(response.data) - len(without) < 400_000
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    last = sorted(tmp_path.glob("page-*.png"))[-1]
    colours = Image.open(last).convert("RGB").getcolors(1_000_000)
    assert any(r < 80 and g < 80 and b > 150 for _, (r, g, b) in colours), "the blue photo is drawn on the last page"


def test_oc4ids_lists_photos_and_documents(app, client, report, in_app, monkeypatch):
    project_id, report_id = report
    _upload(client, project_id, report_id, [("a.jpg", jpeg())], caption="主体结构施工")
    milestone_id = in_app(lambda s: s.scalar(select(Milestone.id)))
    _document(client, project_id, milestone_id, "批复.pdf", pdf())
    package = client.get("/projects/export.json?q=黄龙山").get_json()
    assert oc4ids_errors(package) == []
    (project,) = package["projects"]
    assert [(d["documentType"], d["title"], "url" in d) for d in project["documents"]] == [
        ("physicalProgressReport", "现场照片（2026年第3季度）：主体结构施工", False),
        ("projectApproval", "可研批复：可研批复文件", False)]
    monkeypatch.setitem(app.config, "OC4IDS_DOCUMENT_BASE", "https://fgw.example.gov.cn/portfolio")
    published = client.get("/projects/export.json?q=黄龙山").get_json()["projects"][0]["documents"]
    assert published[0]["url"].startswith("https://fgw.example.gov.cn/portfolio/media/photos/")


def test_the_reviewer_sees_the_reports_photos(app, client, report, in_app):
    project_id, report_id = report
    _upload(client, project_id, report_id, [("a.jpg", jpeg())], caption="主体结构施工")
    from portfolio.progress.models import ReviewState

    in_app(lambda s: setattr(s.get(ProgressReport, report_id), "review_state", ReviewState.SUBMITTED) or s.commit())
    photo_id = in_app(lambda s: s.scalar(select(ProgressPhoto.id)))
    page = client.get("/reviews/?year=2026&quarter=3").get_data(as_text=True)
    assert f"/media/photos/{photo_id}/thumbnail.jpg" in page and "主体结构施工" in page


def test_a_pdf_with_a_scripted_link_is_refused(app, client, report, in_app):
    from pypdf.generic import ArrayObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    action = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x")})
    link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/A"): action})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    buffer = io.BytesIO()
    writer.write(buffer)
    project_id, _ = report
    milestone_id = in_app(lambda s: s.scalar(select(Milestone.id)))
    page_text = _document(client, project_id, milestone_id, "link.pdf", buffer.getvalue()).get_data(as_text=True)
    assert "含有脚本或自动执行的动作" in page_text and _count(in_app, MilestoneDocument) == 0


def test_two_uploads_at_once_cannot_pass_nine(committed, app, client, report, in_app):
    """The second of two uploads based on the same state of the report is refused (its version moved);
    the two sessions have connections of their own, so the test's writes are committed."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from portfolio.core.db import db
    from portfolio.progress import photos

    _, report_id = report
    with app.app_context():
        session_a = db.session
        row_a = session_a.get(ProgressReport, report_id)
        other = db.engine.connect()
        session_b = Session(bind=other)
        row_b = session_b.get(ProgressReport, report_id)
        photos.add_photos(session_a, row_a, [("a.jpg", jpeg())], "", "甲", 20 * 1024 * 1024)
        session_a.commit()
        with pytest.raises(StaleDataError):
            photos.add_photos(session_b, row_b, [("b.jpg", jpeg(colour="red"))], "", "乙", 20 * 1024 * 1024)
        session_b.rollback()
        session_b.close()
        other.close()
    assert _count(in_app, ProgressPhoto) == 1 and len(_media_files(app)) == 2
