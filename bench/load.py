"""Load benchmark: simulated users against gunicorn with 4 workers, on SQLite or PostgreSQL.

Generates 10,000 projects into a fresh database, starts `gunicorn --workers 4` on loopback (as
`make serve` does), then for a fixed time runs simulated users, each in its own thread with its
own login or token, pausing 0.5–1.5 s between requests as a person would:

  - county staff (30): read their region's list and one project, then submit the project's
    2026 Q4 progress through the API (the form's validation, review lock and audit trail);
  - city staff (18): the dashboard, list pages (filtered, paged, red light) and project pages;
  - 2 staff downloading a county's quarterly PDF report (built in the request, ~830 projects).

Prints requests, throughput and p50/p95/p99 per page, errors, and "database is locked" lines in
the server's log. Bounded: loopback only, a fixed number of users and seconds.

    .venv/bin/python bench/load.py                                   # SQLite
    (source .ci/postgres.sh && start_postgres && .venv/bin/python bench/load.py --database "$POSTGRES_URL")
"""
import argparse
import http.cookiejar
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.measure import OUT  # noqa: E402

PASSWORD = "bench-load-password-42"
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def prepare(database: str, projects: int, instance: Path) -> dict:
    """A fresh, migrated database with the projects, a city account and a county account and API
    token per region; returns what the users need."""
    from sqlalchemy import select

    from bench.generated import analyze, bench_app, generate
    from portfolio.accounts.models import Role, User
    from portfolio.accounts.operations import create_user
    from portfolio.api.tokens import create_token
    from portfolio.core.db import db
    from portfolio.registry.models import Project, Region

    app = bench_app(database, instance, empty=True)
    with app.app_context():
        generate(projects)
        create_user(db.session, "bench-city", Role.CITY, None, PASSWORD)
        regions = db.session.scalars(select(Region).order_by(Region.id)).all()
        counties = []
        for region in regions:
            create_user(db.session, f"bench-{region.id}", Role.COUNTY, region, PASSWORD)
            db.session.flush()
            user = db.session.scalar(select(User).where(User.username == f"bench-{region.id}"))
            project_ids = db.session.scalars(select(Project.id).where(Project.region_id == region.id)).all()
            counties.append({"region": region.id, "token": create_token(db.session, user, "load")[1],
                             "projects": project_ids})
        db.session.commit()
        analyze()
        db.engine.dispose()
    return {"regions": [region["region"] for region in counties], "counties": counties}


class Session:
    """One simulated person: a cookie jar (or a token), timings recorded per page."""

    def __init__(self, base: str, timings: dict, errors: list, token: str | None = None):
        self.base, self.timings, self.errors, self.token = base, timings, errors, token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, page: str, path: str, data: bytes | None = None, method: str = "GET",
             headers: dict | None = None, expected=(200,)) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        started = time.perf_counter()
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as error:
            response = error
        except OSError as error:
            self.errors.append(f"{page}: {error}")
            return 0, b"", {}
        with response:
            body = response.read()
        self.timings[page].append(time.perf_counter() - started)
        if response.status not in expected:
            self.errors.append(f"{page}: HTTP {response.status} {body[:200]!r}")
        return response.status, body, dict(response.headers)

    def login(self, username: str) -> None:
        _, page, _ = self.call("login page", "/login")
        token = CSRF.search(page.decode()).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD}).encode()
        self.call("login", "/login", form, "POST", {"Content-Type": "application/x-www-form-urlencoded"})


def county_user(session: Session, county: dict, rng: random.Random, until: float) -> None:
    region = county["region"]
    while time.monotonic() < until:
        session.call("API: region's projects", f"/api/v1/projects?region={region}&per_page=20")
        project_id = rng.choice(county["projects"])
        status, body, _ = session.call("API: project", f"/api/v1/projects/{project_id}")
        progress = json.loads(body)["progress"] if status == 200 else []
        q3 = next((report for report in progress if report["period"] == "2026Q3"), None)
        q4 = next((report for report in progress if report["period"] == "2026Q4"), None)
        if q3 is not None and json.loads(body)["archived_on"] is None:
            cumulative = float(q3["cumulative_investment"]) + rng.randint(1, 50)
            values = {"cumulative_investment": f"{cumulative:.2f}",
                      "quarter_investment": f"{cumulative - float(q3['cumulative_investment']):.2f}",
                      "physical_progress": q3["physical_progress"], "works_status": "负载测试"}
            headers = {"Content-Type": "application/json"} | ({"If-Match": f'"{q4["version"]}"'} if q4 else {})
            session.call("API: save Q4 progress", f"/api/v1/projects/{project_id}/progress/2026Q4",
                         json.dumps(values).encode(), "PUT", headers, expected=(200, 201, 409, 412, 403, 422))
        time.sleep(rng.uniform(0.5, 1.5))


def city_user(session: Session, regions: list[int], projects: int, rng: random.Random, until: float) -> None:
    session.login("bench-city")
    while time.monotonic() < until:
        choice = rng.random()
        if choice < 0.25:
            session.call("dashboard", "/")
        elif choice < 0.5:
            session.call("list (page)", f"/projects/?page={rng.randint(1, 400)}")
        elif choice < 0.7:
            session.call("list (region, red)", f"/projects/?region={rng.choice(regions)}&light=red")
        else:
            session.call("project page", f"/projects/{rng.randint(1, projects)}")
        time.sleep(rng.uniform(0.5, 1.5))


def report_user(session: Session, regions: list[int], rng: random.Random, until: float) -> None:
    session.login("bench-city")
    while time.monotonic() < until:
        session.call("quarterly PDF (one county)", f"/reports/quarterly.pdf?year=2026&quarter=3&region={rng.choice(regions)}")
        time.sleep(rng.uniform(0.5, 1.5))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL (emptied); default: an SQLite file under bench/out/")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    arguments = parser.parse_args()
    instance = OUT / "load"
    instance.mkdir(parents=True, exist_ok=True)
    database = arguments.database or f"sqlite:///{instance / 'load.sqlite3'}"
    if not arguments.database:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{instance / 'load.sqlite3'}{suffix}").unlink(missing_ok=True)
    from portfolio.core.settings import normalize_database_url

    database = normalize_database_url(database)
    print(f"preparing {arguments.projects:,} projects on {database.split(':')[0]} …", flush=True)
    world = prepare(database, arguments.projects, instance)
    port = free_port()
    log_path = instance / "gunicorn.log"
    environment = os.environ | {"DATABASE_URL": database, "PORTFOLIO_INSTANCE_PATH": str(instance),
                                "PORTFOLIO_API_RATE_PER_MINUTE": "100000", "PORTFOLIO_JOB_WORKER": "0",
                                "PORTFOLIO_LOGIN_ADDRESS_LIMIT": "100000"}
    with log_path.open("w") as log:
        server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", str(arguments.workers),
                                   "--bind", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
                                  cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5):
                break
        except OSError:
            time.sleep(0.5)
    timings, errors = defaultdict(list), []
    until = time.monotonic() + arguments.seconds
    threads = []
    for number in range(50):
        rng = random.Random(number)
        if number < 30:
            county = world["counties"][number % len(world["counties"])]
            session = Session(base, timings, errors, token=county["token"])
            target, args = county_user, (session, county, rng, until)
        elif number < 48:
            target, args = city_user, (Session(base, timings, errors), world["regions"], arguments.projects, rng, until)
        else:
            target, args = report_user, (Session(base, timings, errors), world["regions"], rng, until)
        threads.append(threading.Thread(target=target, args=args, daemon=True))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    server.terminate()
    server.wait(timeout=60)
    locked = log_path.read_text().count("database is locked")
    total = sum(len(values) for values in timings.values())
    print(f"\n{arguments.workers} gunicorn workers, 50 users, {elapsed:.0f} s, {arguments.projects:,} projects, "
          f"{database.split(':')[0]}: {total} requests, {total / elapsed:.1f}/s, {len(errors)} errors, "
          f"{locked} 'database is locked'")
    print(f"{'page':32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for page, values in sorted(timings.items()):
        print(f"{page:32} {len(values):5} {statistics.median(values) * 1000:8.0f} "
              f"{percentile(values, 0.95) * 1000:8.0f} {percentile(values, 0.99) * 1000:8.0f}")
    for error in errors[:10]:
        print("error:", error[:160])


if __name__ == "__main__":
    main()
