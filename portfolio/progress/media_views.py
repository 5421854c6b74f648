"""Serving 现场照片 and milestone documents from the media folder: only to logged-in users (every
page of the app requires a login, and every such user may read any project), never from a public
static path; cached privately."""
from io import BytesIO

from flask import Blueprint, abort, send_file

from portfolio.core import media
from portfolio.core.db import db
from portfolio.progress.models import MilestoneDocument, ProgressPhoto

bp = Blueprint("media", __name__, url_prefix="/media")
CACHE = "private, max-age=86400"


def _send(digest: str, mimetype: str, **kwargs):
    try:
        data = media.read(digest)
    except FileNotFoundError:
        abort(404)
    response = send_file(BytesIO(data), mimetype=mimetype, **kwargs)
    response.headers["Cache-Control"] = CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/photos/<int:photo_id>.jpg")
def photo(photo_id: int):
    return _send(db.get_or_404(ProgressPhoto, photo_id).digest, "image/jpeg")


@bp.get("/photos/<int:photo_id>/thumbnail.jpg")
def thumbnail(photo_id: int):
    return _send(db.get_or_404(ProgressPhoto, photo_id).thumbnail_digest, "image/jpeg")


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    """Always as a download, under its cleaned name (never shown inline)."""
    row = db.get_or_404(MilestoneDocument, document_id)
    return _send(row.digest, row.media_type, as_attachment=True, download_name=row.filename)
