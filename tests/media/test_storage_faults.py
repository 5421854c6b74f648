"""A full disk and a read-only folder, for real: the media folder on a tiny tmpfs, filled up or
mounted read-only (needs the right to mount, as root in CI has). The user gets a Chinese page
(存储空间不足…), nothing is written half (no row, no file, no temporary file), the administrator
finds it in the log, and the 系统 page shows the free space with a warning."""
import io
import logging
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portfolio.progress.models import ProgressPhoto, ProgressReport
from portfolio.registry.models import Project
from tests.factories import csrf_token
from tests.media.test_photos_and_documents import jpeg

OWN = "山阳区黄龙山体育公园项目"


def _mount(folder: Path, *options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=256k", *options)), "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def small_disk(app, tmp_path, monkeypatch):
    """The media folder on its own 256 KB file system; `fill()` leaves it almost no room, `read_only()`
    remounts it read-only."""
    folder = tmp_path / "media"
    _mount(folder)
    monkeypatch.setitem(app.config, "MEDIA_DIR", folder)

    class Disk:
        path = folder

        @staticmethod
        def fill():
            handle = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
            with pytest.raises(OSError):
                while True:
                    os.write(handle, b"\0" * 4096)
            os.close(handle)

        @staticmethod
        def read_only():
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)

    yield Disk
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def report(in_app, seeded):
    def make(session):
        project = session.scalar(select(Project).where(Project.name == OWN))
        row = ProgressReport(project=project, year=2026, quarter=3, cumulative_investment=Decimal(100),
                             quarter_investment=Decimal(100), physical_progress=Decimal(10))
        session.add(row)
        session.commit()
        return project.id, row.id

    return in_app(make)


def _upload(client, project_id, report_id):
    url = f"/projects/{project_id}/progress/{report_id}/edit"
    return client.post(f"/projects/{project_id}/progress/{report_id}/photos", content_type="multipart/form-data",
                       data={"csrf_token": csrf_token(client, url), "caption": "主体结构",
                             "photos": [(io.BytesIO(jpeg(colour=(n * 40, 90, 0), size=(1600, 1200))), f"{n}.jpg")
                                        for n in range(3)]})


def _files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file() and path.name != "filler")


@pytest.mark.parametrize(("fault", "message"), [("fill", "存储空间不足"), ("read_only", "存储目录无法写入")])
def test_a_photo_upload_on_a_full_or_read_only_disk_says_so_and_keeps_nothing(app, client, report, in_app,
                                                                              small_disk, caplog, fault, message):
    project_id, report_id = report
    getattr(small_disk, fault)()
    with caplog.at_level(logging.ERROR, logger="portfolio.storage"):
        response = _upload(client, project_id, report_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 507 and message in page and "请联系管理员" in page and "服务器出错" not in page
    assert in_app(lambda s: s.scalar(select(func.count(ProgressPhoto.id)))) == 0
    assert _files(small_disk.path) == [], "no file and no temporary file left"
    assert any("storage_unavailable" in record.getMessage() for record in caplog.records), "logged for the administrator"


def test_the_system_page_shows_free_space_and_warns_when_low(app, client, small_disk, monkeypatch):
    monkeypatch.setitem(app.config, "DISK_FREE_WARNING_MB", 1)
    page = client.get("/admin/system").get_data(as_text=True)
    assert "剩余空间（照片和文件）" in page and "剩余空间（上传、任务文件和备份记录）" in page
    assert "剩余空间不足 1 MB" in page, "a 256 KB disk is below the warning"
    monkeypatch.setitem(app.config, "DISK_FREE_WARNING_MB", 0)
    assert "剩余空间不足" not in client.get("/admin/system").get_data(as_text=True)


def test_an_upload_that_fits_is_stored_whole(app, client, report, in_app, small_disk):
    project_id, report_id = report
    assert _upload(client, project_id, report_id).status_code == 302
    assert in_app(lambda s: s.scalar(select(func.count(ProgressPhoto.id)))) == 3
    assert len(_files(small_disk.path)) == 6 and not any(".partial-" in name for name in _files(small_disk.path))
