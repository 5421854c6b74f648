"""Writing 现场照片 and milestone documents. Every file is checked and cleaned before any is
stored, so a refused upload stores nothing; operations flush, the view commits and then removes
the files no row refers to any more."""
from datetime import date

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from portfolio.core import media
from portfolio.core.images import FileRefused, check_document, clean_photo
from portfolio.core.parsing import text_problem
from portfolio.progress.models import Milestone, MilestoneDocument, ProgressPhoto, ProgressReport

MAX_PHOTOS = 9
"""Per quarter's report."""
CAPTION_LENGTH = 200
TITLE_LENGTH = 200


def add_photos(session: Session, report: ProgressReport, files: list[tuple[str, bytes]], caption: str,
               uploaded_by: str, max_bytes: int) -> list[ProgressPhoto]:
    """Check every file, then store them all; `FileRefused` (nothing stored) says why not."""
    if not files:
        raise FileRefused("请选择要上传的照片")
    if len(report.photos) + len(files) > MAX_PHOTOS:
        raise FileRefused(f"每个季度进展最多{MAX_PHOTOS}张照片：已有{len(report.photos)}张，本次选择了{len(files)}张")
    if problem := text_problem("说明", caption, CAPTION_LENGTH):
        raise FileRefused(problem)
    cleaned = []
    for name, data in files:
        if len(data) > max_bytes:
            raise FileRefused(f"“{name}”超过{max_bytes // (1024 * 1024)}MB")
        cleaned.append(clean_photo(data, name))
    report.version += 1  # two uploads at once: the later one's flush fails instead of passing nine photos
    photos = []
    for image in cleaned:
        photo = ProgressPhoto(report=report, project_id=report.project_id, digest=media.digest(image.jpeg),
                              thumbnail_digest=media.digest(image.thumbnail), width=image.width, height=image.height,
                              caption=(caption or "").strip(), taken_on=image.taken_on, uploaded_by=uploaded_by)
        session.add(photo)
        photos.append(photo)
    session.flush()  # refused here (a concurrent upload): nothing is on disk yet
    media.store_all(content for image in cleaned for content in (image.jpeg, image.thumbnail))
    return photos


def update_photo(session: Session, photo: ProgressPhoto, caption: str, taken_on: date | None) -> None:
    photo.caption, photo.taken_on = (caption or "").strip(), taken_on
    session.flush()


def add_document(session: Session, milestone: Milestone, name: str, data: bytes, title: str, uploaded_by: str,
                 max_bytes: int) -> MilestoneDocument:
    if not data:
        raise FileRefused("请选择要上传的文件")
    if len(data) > max_bytes:
        raise FileRefused(f"“{name}”超过{max_bytes // (1024 * 1024)}MB")
    if not (title or "").strip():
        raise FileRefused("请填写文件标题（如：可研批复文件）")
    if problem := text_problem("标题", title.strip(), TITLE_LENGTH, one_line=True):
        raise FileRefused(problem)
    media_type, content = check_document(data, name)
    document = MilestoneDocument(milestone=milestone, project_id=milestone.project_id, digest=media.store(content),
                                 title=title.strip(), filename=safe_filename(name, media_type), media_type=media_type,
                                 size=len(content), uploaded_by=uploaded_by)
    session.add(document)
    session.flush()
    return document


SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def safe_filename(name: str, media_type: str) -> str:
    """The uploaded name without any folder or odd characters, with the suffix its content has."""
    stem = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
                   if ch.isalnum() or ch in "-_（）()")[:80] or "文件"
    return stem + SUFFIXES[media_type]


def files_of(rows) -> set[str]:
    """The media files rows (photos, documents) refer to."""
    digests = set()
    for row in rows:
        digests.add(row.digest)
        if isinstance(row, ProgressPhoto):
            digests.add(row.thumbnail_digest)
    return digests


def referenced(session: Session, digests: set[str]) -> set[str]:
    """Which of `digests` some photo or document still refers to."""
    if not digests:
        return set()
    query = union(select(ProgressPhoto.digest).where(ProgressPhoto.digest.in_(digests)),
                  select(ProgressPhoto.thumbnail_digest).where(ProgressPhoto.thumbnail_digest.in_(digests)),
                  select(MilestoneDocument.digest).where(MilestoneDocument.digest.in_(digests)))
    return set(session.scalars(query))


def remove_unreferenced(session: Session, digests: set[str]) -> int:
    """After a commit that removed rows: delete their files unless another row refers to them."""
    return media.remove_unreferenced(digests, referenced(session, digests))
