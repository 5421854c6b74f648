"""Checking and cleaning uploaded images and documents before anything is stored.

An image must really be a JPEG, PNG or WebP (Pillow identifies it from its content, not its
name); one of more than `MAX_PIXELS` is refused as a decompression bomb, as is a PNG whose text
chunks expand beyond Pillow's limits; a truncated file is refused. The date it was taken is read
from its EXIF, then the picture is turned upright and re-encoded as a JPEG of at most 2048 px on
the long side, with no metadata at all (no GPS position), plus a thumbnail.

A document is a PDF (opened with pypdf: refused when encrypted, broken, or carrying JavaScript or
actions that run on opening), or a JPEG or PNG scan, checked as above but kept as uploaded.
"""
import io
import warnings
from dataclasses import dataclass
from datetime import date, datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_PIXELS = 64_000_000
"""About a 64-megapixel photo; a phone's 12–50 MP pass, a 100-megapixel PNG does not."""
LONG_SIDE = 2048
THUMB_SIDE = 320
FORMATS = {"JPEG", "PNG", "WEBP"}
EXIF_IFD = 0x8769
DATE_TAGS = (36867, 36868, 306)
"""DateTimeOriginal, DateTimeDigitized (in the Exif IFD), DateTime (in the main IFD)."""
PDF_ACTIONS = ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles")


class FileRefused(ValueError):
    """Why an upload cannot be kept, in Chinese."""


@dataclass(frozen=True)
class CleanImage:
    jpeg: bytes
    thumbnail: bytes
    width: int
    height: int
    taken_on: date | None


Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _open(data: bytes, name: str, formats: set[str] = FORMATS, kinds: str = "JPEG、PNG 或 WebP 图片") -> Image.Image:
    """The image in `data`, of one of `formats` (else refused, naming `kinds`)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            known = image.format in formats
            if known:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FileRefused(f"“{name}”像素过多（超过{MAX_PIXELS // 1_000_000}百万像素），请缩小后再上传") from None
    except UnidentifiedImageError:
        raise FileRefused(f"“{name}”不是{kinds}") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise FileRefused(f"“{name}”已损坏或不完整，无法读取，请重新导出或扫描后再上传") from None
    if not known:
        raise FileRefused(f"“{name}”是{image.format or '未知格式的'}图片，只能上传{kinds}")
    return image


def _taken_on(image: Image.Image) -> date | None:
    exif = image.getexif()
    values = {**exif, **exif.get_ifd(EXIF_IFD)}
    for tag in DATE_TAGS:
        text = values.get(tag)
        if isinstance(text, str):
            try:
                return datetime.strptime(text.strip()[:19], "%Y:%m:%d %H:%M:%S").date()
            except ValueError:
                continue
    return None


def _jpeg(image: Image.Image, side: int, quality: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side))
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue(), copy.width, copy.height


def clean_photo(data: bytes, name: str) -> CleanImage:
    image = _open(data, name)
    taken_on = _taken_on(image)
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, "white")
        background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
        upright = background
    jpeg, width, height = _jpeg(upright, LONG_SIDE, 85)
    thumbnail, _, _ = _jpeg(upright, THUMB_SIDE, 75)
    return CleanImage(jpeg, thumbnail, width, height, taken_on)


def for_print(jpeg: bytes, side: int = 900) -> bytes:
    """A stored photo made smaller for a printed report (about 7.5 cm wide at 300 dpi)."""
    image = Image.open(io.BytesIO(jpeg))
    return _jpeg(image, side, 70)[0]


def check_document(data: bytes, name: str) -> tuple[str, bytes]:
    """The document's media type and the content to store (a PDF as it came, an image without its
    metadata), after checking it; `FileRefused` says why not."""
    if data.startswith(b"%PDF-"):
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise FileRefused(f"“{name}”有密码保护，请上传未加密的 PDF")
            pages = len(reader.pages)
            catalog = reader.trailer["/Root"]
            names = catalog.get("/Names")
            active = [key for key in PDF_ACTIONS if key in catalog or (names is not None and key in names.get_object())]
            for page in reader.pages:
                active += ["/AA"] if "/AA" in page else []
                for annotation in page.get("/Annots") or []:
                    action = (annotation.get_object().get("/A") or {})
                    if hasattr(action, "get_object"):
                        action = action.get_object()
                    if action.get("/S") in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                        active.append(str(action.get("/S")))
        except FileRefused:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise FileRefused(f"“{name}”不是完好的 PDF 文件，无法打开，请重新导出或扫描后再上传") from None
        if not pages:
            raise FileRefused(f"“{name}”没有页面")
        if active:
            raise FileRefused(f"“{name}”含有脚本或自动执行的动作（{'、'.join(sorted(set(active)))}），已拒收")
        return "application/pdf", data
    image = _open(data, name, {"JPEG", "PNG"}, "PDF 文件或 JPEG、PNG 扫描件")
    return "image/jpeg" if image.format == "JPEG" else "image/png", _without_metadata(image)


def _without_metadata(image: Image.Image) -> bytes:
    """A scanned document's image at full size, turned upright, saved again without its EXIF (GPS,
    camera) or other metadata — as photos are (`clean_photo`)."""
    upright = ImageOps.exif_transpose(image)
    buffer = io.BytesIO()
    if image.format == "JPEG":
        upright.convert("RGB" if upright.mode not in ("RGB", "L") else upright.mode).save(buffer, "JPEG", quality=92)
    else:
        upright.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
