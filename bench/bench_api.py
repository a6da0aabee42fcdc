"""Report creation through the API against the same server's ceiling, on PostgreSQL.

A fresh database ``samsyn_bench`` is migrated and given a collaboration (with the
checklist and a grid of areas over central Örebro), a reporter and an API token. Then
gunicorn serves it (4 sync workers, DEBUG off) and an asyncio httpx client loads it in
interleaved phases with

* ``POST /api/v1/reports``: a new report with its own Idempotency-Key, a random category
  and a random position in Örebro (validation, personal-data check, SWEREF 99 TM
  conversion, area lookup, insert), and
* ``GET /api/v1/ping``: the same token authentication and no other work, i.e. what the
  framework and server can do at best on this machine.

The ratio is ceiling throughput / report throughput (lower is better). Afterwards the
number of reports in the database must equal the number of 201 responses.
The database is dropped and gunicorn stopped whatever happens.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from statistics import quantiles
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("PG_HOST", "127.0.0.1")
PG_ADMIN = f"host={PG_HOST} port=5432 user=postgres dbname=postgres"
DB_NAME = "samsyn_bench"
DB_URL = f"postgres://postgres@{PG_HOST}:5432/{DB_NAME}"
WORKERS = 4
TARGET_RATIO = 4.0  # ceiling / reports, i.e. reports >= 25 % of the ceiling
TARGET = "report creation ≥ 25 % of the ceiling's throughput (ratio ≤ 4)"
REFERENCE = "GET /api/v1/ping: authenticated no-op, same server (framework ceiling)"
LAT = (59.25, 59.30)
LON = (15.15, 15.25)

SETUP = """
from samsyn.accounts.models import ApiToken, User
from samsyn.organisations.actions import create_collaboration
from samsyn.organisations.models import Membership, Organisation
from samsyn.tests.support import make_area

collab = create_collaboration(slug="bench", name="Bench EST")
org = Organisation.objects.create(
    collaboration=collab, slug="bench-kommun", name="Bench kommun", kind="municipality"
)
# 5 x 5 areas over the benchmark's box, so every report is located in one.
n = 5
for i in range(n):
    for j in range(n):
        lon0 = 15.15 + 0.1 * i / n
        lat0 = 59.25 + 0.05 * j / n
        lon1, lat1 = lon0 + 0.1 / n, lat0 + 0.05 / n
        ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
        make_area(collab, ref=f"B{i}{j}", name=f"Område {i}{j}",
                  geometry={"type": "Polygon", "coordinates": [ring]})
user = User.objects.create_user("bench-reporter", password=None)
Membership.objects.create(user=user, organisation=org, role=Membership.Role.REPORTER)
token, raw = ApiToken.issue(user, name="benchmark")
print("TOKEN=" + raw)
"""


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _gunicorn() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "gunicorn"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DB_URL,
        DEBUG="false",
        SECRET_KEY="bench-only-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="samsyn.settings",
    )
    return env


def _skip(reason: str) -> list[dict[str, Any]]:
    return [
        {
            "benchmark": "API: create report vs ceiling (PostgreSQL)",
            "ours_s": None,
            "reference": REFERENCE,
            "reference_s": None,
            "ratio": None,
            "target": TARGET,
            "ok": None,
            "note": f"skipped: {reason}",
        }
    ]


def _admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        for sql in statements:
            conn.execute(sql)  # type: ignore[arg-type]


def _drop_database() -> None:
    _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _count_reports() -> int:
    import psycopg

    dsn = f"host={PG_HOST} port=5432 user=postgres dbname={DB_NAME}"
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        row = conn.execute("SELECT count(*) FROM reports_report").fetchone()
    return int(row[0]) if row else -1


def _manage(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        [_python(), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"manage.py {args[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}"
        )
    return proc.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited ({server.returncode}): {log.read_text()[-2000:]}"
            )
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


class Phase:
    """Latencies and wall time of all requests of one kind."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.wall = 0.0
        self.statuses: dict[int, int] = {}

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def pct(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return quantiles(self.latencies, n=100, method="inclusive")[p - 1]


async def _load(
    base: str, token: str, n: int, concurrency: int, rounds: int
) -> tuple[Phase, Phase, int]:
    import httpx

    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency
    )
    rng = random.Random(2026)
    created = 0
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=60
    ) as client:
        r = await client.get("/api/v1/categories")
        r.raise_for_status()
        codes = [c["code"] for c in r.json()]

        def report_body() -> dict[str, Any]:
            return {
                "category": rng.choice(codes),
                "lat": round(rng.uniform(*LAT), 6),
                "lon": round(rng.uniform(*LON), 6),
                "description": "Benchmark",
                "severity": rng.randint(1, 4),
            }

        async def one_report(phase: Phase | None) -> None:
            nonlocal created
            key = uuid.uuid4().hex
            t0 = time.perf_counter()
            resp = await client.post(
                "/api/v1/reports", json=report_body(), headers={"Idempotency-Key": key}
            )
            dt = time.perf_counter() - t0
            created += resp.status_code == 201
            if phase is not None:
                phase.latencies.append(dt)
                phase.statuses[resp.status_code] = (
                    phase.statuses.get(resp.status_code, 0) + 1
                )

        async def one_ping(phase: Phase | None) -> None:
            t0 = time.perf_counter()
            resp = await client.get("/api/v1/ping")
            dt = time.perf_counter() - t0
            if phase is not None:
                phase.latencies.append(dt)
                phase.statuses[resp.status_code] = (
                    phase.statuses.get(resp.status_code, 0) + 1
                )

        async def run_phase(fn: Any, count: int, phase: Phase | None) -> None:
            remaining = count

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    await fn(phase)

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            if phase is not None:
                phase.wall += time.perf_counter() - t0

        # Warm-up: every worker process imports, connects and caches before timing.
        await run_phase(one_ping, 4 * concurrency, None)
        await run_phase(one_report, 2 * concurrency, None)
        ping, report = Phase(), Phase()
        per_round = [n // rounds + (1 if i < n % rounds else 0) for i in range(rounds)]
        for size in per_round:
            await run_phase(one_ping, size, ping)
            await run_phase(one_report, size, report)
    return report, ping, created


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def run(quick: bool = False) -> list[dict[str, Any]]:
    n = 400 if quick else 4000
    concurrency = 8 if quick else 32
    rounds = 4
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any reason means "not here"
        return _skip(f"PostgreSQL not reachable at {PG_HOST}:5432 ({exc})")

    env = _env()
    log = ROOT / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server: subprocess.Popen[bytes] | None = None
    try:
        _drop_database()
        _admin_sql(f"CREATE DATABASE {DB_NAME}")
        _manage(env, "migrate", "--noinput", "--verbosity", "0")
        out = _manage(env, "shell", "-c", SETUP)
        token = next(
            line.split("=", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("TOKEN=")
        )
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                [
                    *_gunicorn(),
                    "samsyn.wsgi",
                    "-w",
                    str(WORKERS),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        _wait_healthy(base, server, log)
        report, ping, created = asyncio.run(_load(base, token, n, concurrency, rounds))
        in_db = _count_reports()
    finally:
        if server is not None:
            _stop(server)
        try:
            _drop_database()
        except Exception as exc:  # noqa: BLE001 - report, do not hide the real error
            print(f"bench_api: could not drop {DB_NAME}: {exc}", file=sys.stderr)

    report_errors = {s: c for s, c in report.statuses.items() if s != 201}
    ping_errors = {s: c for s, c in ping.statuses.items() if s != 200}
    ratio = ping.rps / report.rps if report.rps else float("inf")
    consistent = in_db == created
    ok = ratio <= TARGET_RATIO and consistent and not report_errors and not ping_errors
    note = (
        "ours/reference = time per request at full load (1 / throughput); "
        f"reports {report.rps:,.0f} req/s, p50 {_ms(report.pct(50))}, "
        f"p99 {_ms(report.pct(99))}; ceiling {ping.rps:,.0f} req/s, "
        f"p50 {_ms(ping.pct(50))}, p99 {_ms(ping.pct(99))}; "
        f"{in_db:,} reports in the database for {created:,} × 201"
        f"{'' if consistent else ' — MISMATCH'}"
    )
    if report_errors or ping_errors:
        note += f"; unexpected statuses: reports {report_errors}, ping {ping_errors}"
    note += (
        f"; gunicorn -w {WORKERS} (sync) and the client on {os.cpu_count()} CPUs, "
        f"{rounds} interleaved rounds"
    )
    return [
        {
            "benchmark": (
                f"API: POST /api/v1/reports, {n:,} requests, "
                f"concurrency {concurrency} (PostgreSQL)"
            ),
            "ours_s": round(1 / report.rps, 6) if report.rps else None,
            "reference": REFERENCE,
            "reference_s": round(1 / ping.rps, 6) if ping.rps else None,
            "ratio": round(ratio, 2),
            "target": TARGET,
            "ok": bool(ok),
            "note": note,
            # Machine-readable figures beside the standard keys.
            "ours_rps": round(report.rps, 1),
            "ours_p50_ms": round(report.pct(50) * 1000, 2),
            "ours_p99_ms": round(report.pct(99) * 1000, 2),
            "reference_rps": round(ping.rps, 1),
            "reference_p50_ms": round(ping.pct(50) * 1000, 2),
            "reference_p99_ms": round(ping.pct(99) * 1000, 2),
            "created_201": created,
            "reports_in_db": in_db,
        }
    ]
