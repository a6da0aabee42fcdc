# ruff: noqa: T201 - a command-line harness reports on stdout
"""Load and fault test: exactly-once report ingestion under load, worker kills, a slow
database and a database restart.

    .venv/bin/python -m loadtest.run [--duration 600] [--users 100] [--no-restart]

Creates a fresh PostgreSQL database, migrates and seeds it, starts gunicorn on
127.0.0.1 with DEBUG off, and runs simulated reporters (asyncio + httpx) that each post
reports with their own Idempotency-Key, time out after --timeout seconds and retry the
SAME key until acknowledged. Faults are injected on a schedule (fractions of the run):
kill -9 of one gunicorn worker at 25 %, an ACCESS EXCLUSIVE lock on the reports table
held for 5 s at 50 %, a PostgreSQL restart at 75 % (last, and skipped with
--no-restart, because it restarts the machine's shared PostgreSQL cluster). Afterwards
every acknowledged report is compared with the database. Results go to
var/loadtest/results.json and between markers in docs/reliability.md. The database
is dropped and gunicorn stopped whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESULTS = ROOT / "var" / "loadtest" / "results.json"
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- loadtest:start -->", "<!-- loadtest:end -->"
# Inside the Örebro-like test squares; any point in Sweden would do.
LON, LAT = (15.19, 15.23), (59.26, 59.28)


@dataclass
class Stats:
    acked: dict[tuple[str, str], str] = field(default_factory=dict)  # (user,key)→code
    pending: set[tuple[str, str]] = field(default_factory=set)
    create_latency: list[float] = field(default_factory=list)  # successful requests
    end_to_end: list[float] = field(default_factory=list)  # first send → ack
    # (monotonic time the acknowledged attempt was sent, time it was acknowledged)
    ack_times: list[tuple[float, float]] = field(default_factory=list)
    ping_latency: list[float] = field(default_factory=list)
    attempts: int = 0
    retries: int = 0
    timeouts: int = 0
    connection_errors: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)
    rejected: int = 0  # 4xx other than 408/429: not retried (should stay 0)
    ping_errors: int = 0
    faults: list[dict[str, Any]] = field(default_factory=list)

    def count(self, status: str) -> None:
        self.status_counts[status] = self.status_counts.get(status, 0) + 1


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[k] * 1000, 1)


# -- set-up and tear-down -----------------------------------------------------------


def pg_conninfo(base: str, dbname: str) -> str:
    return f"{base.rstrip('/')}/{dbname}"


def create_database(base: str, name: str) -> None:
    with psycopg.connect(pg_conninfo(base, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(base: str, name: str) -> None:
    for _ in range(20):  # PostgreSQL may still be coming back from the restart fault
        try:
            with psycopg.connect(
                pg_conninfo(base, "postgres"), autocommit=True, connect_timeout=3
            ) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError:
            time.sleep(1)
    print(f"WARNING: could not drop database {name}", file=sys.stderr)


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="samsyn.settings",
    )
    return env


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    return [
        str(Path(PY).parent / "gunicorn"),
        "samsyn.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--backlog",
        "2048",
        # Load Django once in the master: workers (and the one restarted after the
        # kill -9) fork ready to serve instead of importing for seconds.
        "--preload",
        "--config",
        "python:loadtest.gunicorn_conf",
    ]


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    cmd = gunicorn_command(port, workers, threads)
    out = log.open("wb")
    return subprocess.Popen(  # noqa: S603 - fixed program
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )


def wait_ready(port: int, token: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            r = httpx.get(
                f"http://127.0.0.1:{port}/api/v1/ping",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            if r.status_code == 200:
                return
            last = f"{r.status_code} {r.headers.get('location', '')} {r.text[:300]}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /api/v1/ping: {last}")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(  # noqa: S603
        ["ps", "-o", "pid=", "--ppid", str(master)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [int(p) for p in out.split()]


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))
    return versions[-1]


# -- faults -------------------------------------------------------------------------


async def fault_kill_worker(master: int, stats: Stats) -> None:
    pids = worker_pids(master)
    victim = random.choice(pids)  # noqa: S311
    os.kill(victim, signal.SIGKILL)
    stats.faults.append({"fault": "kill -9 worker", "pid": victim, "at": time.time()})


async def fault_slow_database(conninfo: str, stats: Stats, hold: float) -> None:
    """Hold an ACCESS EXCLUSIVE lock on the reports table: every insert and read of
    reports waits for ``hold`` seconds, longer than the clients' timeout."""
    started = time.time()
    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        async with conn.transaction():
            await conn.execute("LOCK TABLE reports_report IN ACCESS EXCLUSIVE MODE")
            await asyncio.sleep(hold)
    stats.faults.append({"fault": f"reports table locked {hold:.0f} s", "at": started})


async def fault_restart_postgres(stats: Stats) -> None:
    version = pg_version()
    started = time.time()
    proc = await asyncio.create_subprocess_exec(
        "pg_ctlcluster",
        "--skip-systemctl-redirect",
        version,
        "main",
        "restart",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    stats.faults.append(
        {
            "fault": f"PostgreSQL {version} restart",
            "at": started,
            "seconds": round(time.time() - started, 1),
            "rc": proc.returncode,
            "output": out.decode(errors="replace").strip()[-300:],
        }
    )


# -- clients ------------------------------------------------------------------------


def payload(user: str, n: int) -> dict[str, Any]:
    rnd = random.Random(f"{user}-{n}")  # noqa: S311 - deterministic per key
    return {
        "category": "gathering",
        "lat": round(rnd.uniform(*LAT), 6),
        "lon": round(rnd.uniform(*LON), 6),
        "description": f"load test {user} #{n}",
        "severity": rnd.randint(1, 4),
        "occurred_at": "2026-05-01T12:00:00+02:00",
    }


async def reporter(
    client: httpx.AsyncClient,
    base: str,
    user: str,
    token: str,
    stop_at: float,
    stats: Stats,
    think: float,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        key = str(uuid.uuid4())
        body = payload(user, n)
        first = time.monotonic()
        stats.pending.add((user, key))
        backoff = 0.1
        while time.monotonic() < stop_at:
            stats.attempts += 1
            t0 = time.monotonic()
            try:
                r = await client.post(
                    f"{base}/api/v1/reports",
                    json=body,
                    headers={**headers, "Idempotency-Key": key},
                )
            except httpx.TimeoutException:
                stats.timeouts += 1
                stats.count("timeout")
            except httpx.HTTPError:
                stats.connection_errors += 1
                stats.count("connection error")
            else:
                stats.count(str(r.status_code))
                if r.status_code in (200, 201):
                    stats.create_latency.append(time.monotonic() - t0)
                    stats.end_to_end.append(time.monotonic() - first)
                    stats.ack_times.append((t0, time.monotonic()))
                    stats.acked[(user, key)] = str(r.json()["id"])
                    stats.pending.discard((user, key))
                    break
                if r.status_code < 500 and r.status_code not in (408, 429):
                    stats.rejected += 1
                    stats.pending.discard((user, key))
                    break
            stats.retries += 1
            await asyncio.sleep(backoff * random.uniform(0.5, 1.5))  # noqa: S311
            backoff = min(backoff * 2, 2.0)
        if think:
            await asyncio.sleep(random.uniform(0, think))  # noqa: S311


async def pinger(
    client: httpx.AsyncClient, base: str, token: str, stop_at: float, stats: Stats
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < stop_at:
        t0 = time.monotonic()
        try:
            r = await client.get(f"{base}/api/v1/ping", headers=headers)
        except httpx.HTTPError:
            stats.ping_errors += 1
            await asyncio.sleep(0.1)
            continue
        if r.status_code == 200:
            stats.ping_latency.append(time.monotonic() - t0)
        else:
            stats.ping_errors += 1
            await asyncio.sleep(0.1)


async def drive(
    args: argparse.Namespace,
    tokens: dict[str, str],
    master: int,
    conninfo: str,
) -> tuple[Stats, float]:
    stats = Stats()
    base = f"http://127.0.0.1:{args.port}"
    limits = httpx.Limits(max_connections=args.users + args.pingers + 10)
    timeout = httpx.Timeout(args.timeout)
    started = time.monotonic()
    stop_at = started + args.duration
    schedule: list[tuple[float, Any]] = [
        (0.25, lambda: fault_kill_worker(master, stats)),
        (0.50, lambda: fault_slow_database(conninfo, stats, args.lock_seconds)),
    ]
    if args.restart:
        schedule.append((0.75, lambda: fault_restart_postgres(stats)))

    async def faults() -> None:
        for frac, make in schedule:
            delay = started + frac * args.duration - time.monotonic()
            await asyncio.sleep(max(0, delay))
            try:
                await make()
            except Exception as exc:  # noqa: BLE001 - report, keep the run going
                stats.faults.append({"fault": "FAILED", "error": repr(exc)})

    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        users = list(tokens.items())
        tasks = [
            reporter(client, base, u, t, stop_at, stats, args.think) for u, t in users
        ]
        tasks += [
            pinger(client, base, users[i % len(users)][1], stop_at, stats)
            for i in range(args.pingers)
        ]
        await asyncio.gather(faults(), *tasks)
    return stats, time.monotonic() - started


# -- verification -------------------------------------------------------------------


def verify(conninfo: str, stats: Stats) -> dict[str, Any]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT u.username, r.idempotency_key, r.code::text FROM reports_report r "
            "JOIN accounts_user u ON u.id = r.reporter_id"
        ).fetchall()
    by_key: dict[tuple[str, str], list[str]] = {}
    for user, key, code in rows:
        by_key.setdefault((user, key), []).append(code)
    # Lost: the acknowledged report (its code) is not in the database under that
    # reporter and key.
    lost = [k for k, code in stats.acked.items() if code not in by_key.get(k, [])]
    duplicated = {k: v for k, v in by_key.items() if len(v) > 1}
    unacked_in_db = [k for k in stats.pending if k in by_key]
    unacked_twice = [k for k in stats.pending if len(by_key.get(k, [])) > 1]
    unknown = [k for k in by_key if k not in stats.acked and k not in stats.pending]
    return {
        "rows_in_database": len(rows),
        "acknowledged": len(stats.acked),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "unacknowledged_at_end": len(stats.pending),
        "unacknowledged_found_in_database": len(unacked_in_db),
        "unacknowledged_in_database_twice": len(unacked_twice),
        "rows_unknown_to_clients": len(unknown),
    }


# -- reporting ----------------------------------------------------------------------


def summarise(
    args: argparse.Namespace, stats: Stats, elapsed: float, check: dict[str, Any]
) -> dict[str, Any]:
    t0 = min((f.get("at", 0) for f in stats.faults if f.get("at")), default=0)
    faults = [
        {**f, "at": round(f["at"] - t0, 1) if "at" in f else None} for f in stats.faults
    ]
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "duration_s": round(elapsed, 1),
        "reporters": args.users,
        "ping_clients": args.pingers,
        "gunicorn": f"{args.workers} gthread workers × {args.threads} threads",
        "client_timeout_s": args.timeout,
        "faults": faults,
        "faults_relative_to_first": True,
        "check": check,
        "passed": check["lost"] == 0
        and check["duplicated"] == 0
        and check["unacknowledged_in_database_twice"] == 0,
        "create": {
            "acknowledged_per_s": round(len(stats.acked) / elapsed, 1),
            "p50_ms": percentile(stats.create_latency, 50),
            "p99_ms": percentile(stats.create_latency, 99),
            "end_to_end_p50_ms": percentile(stats.end_to_end, 50),
            "end_to_end_p99_ms": percentile(stats.end_to_end, 99),
            "end_to_end_max_ms": percentile(stats.end_to_end, 100),
        },
        "ping": {
            "requests_per_s": round(len(stats.ping_latency) / elapsed, 1),
            "p50_ms": percentile(stats.ping_latency, 50),
            "p99_ms": percentile(stats.ping_latency, 99),
            "errors": stats.ping_errors,
        },
        "requests": {
            "attempts": stats.attempts,
            "retries": stats.retries,
            "timeouts": stats.timeouts,
            "connection_errors": stats.connection_errors,
            "rejected_4xx": stats.rejected,
            "by_status": dict(sorted(stats.status_counts.items())),
        },
    }


def markdown(result: dict[str, Any]) -> str:
    c, cr, p, rq = result["check"], result["create"], result["ping"], result["requests"]
    faults = "; ".join(
        f"{f['fault']} at +{f['at']} s"
        + (f" ({f['seconds']} s, rc {f['rc']})" if "seconds" in f else "")
        if f.get("at") is not None
        else f"{f['fault']}: {f.get('error', '')}"
        for f in result["faults"]
    )
    verdict = "PASSED" if result["passed"] else "FAILED"
    return "\n".join(
        [
            f"Last run: {result['when']}, {result['duration_s']} s, "
            f"{result['reporters']} reporters + {result['ping_clients']} ping clients, "
            f"gunicorn {result['gunicorn']}, client timeout {result['client_timeout_s']} s. "
            f"**{verdict}**.",
            "",
            f"Faults (seconds after the first): {faults or 'none'}.",
            "",
            "| | value |",
            "|---|---|",
            f"| reports acknowledged | {c['acknowledged']} |",
            f"| rows in the database | {c['rows_in_database']} |",
            f"| **lost** (acknowledged, not in the database) | **{c['lost']}** |",
            f"| **duplicated** (>1 row per reporter and key) | **{c['duplicated']}** |",
            f"| unacknowledged when the run ended | {c['unacknowledged_at_end']} "
            f"({c['unacknowledged_found_in_database']} of them stored once, "
            f"{c['unacknowledged_in_database_twice']} twice) |",
            f"| rows no client knows about | {c['rows_unknown_to_clients']} |",
            f"| POST attempts / retries / timeouts / connection errors | "
            f"{rq['attempts']} / {rq['retries']} / {rq['timeouts']} / "
            f"{rq['connection_errors']} |",
            f"| responses by status | {rq['by_status']} |",
            f"| report creation: acknowledged/s | {cr['acknowledged_per_s']} |",
            f"| report creation: p50 / p99 per successful request | "
            f"{cr['p50_ms']} / {cr['p99_ms']} ms |",
            f"| report creation: p50 / p99 / max first send → acknowledgement | "
            f"{cr['end_to_end_p50_ms']} / {cr['end_to_end_p99_ms']} / "
            f"{cr['end_to_end_max_ms']} ms |",
            f"| GET /api/v1/ping: requests/s | {p['requests_per_s']} |",
            f"| GET /api/v1/ping: p50 / p99 | {p['p50_ms']} / {p['p99_ms']} ms "
            f"({p['errors']} errors, mostly during the faults) |",
        ]
    )


def write_doc(text: str, start: str = START, end: str = END) -> None:
    """Put ``text`` between the markers ``start`` and ``end`` in docs/reliability.md."""
    doc = DOC.read_text() if DOC.exists() else f"# Reliability\n\n{start}\n{end}\n"
    if start not in doc or end not in doc:
        doc += f"\n{start}\n{end}\n"
    head, rest = doc.split(start, 1)
    _old, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{text}\n{end}{tail}")


# -- main ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--pingers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument(
        "--think", type=float, default=5.0, help="max pause between reports (s)"
    )
    parser.add_argument("--lock-seconds", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--pg",
        default=os.environ.get("LOADTEST_PG", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument(
        "--no-restart",
        dest="restart",
        action="store_false",
        help="skip the PostgreSQL restart fault (it restarts the local cluster)",
    )
    parser.add_argument("--no-doc", dest="doc", action="store_false")
    args = parser.parse_args(argv)

    dbname = f"samsyn_loadtest_{os.getpid()}"
    database_url = pg_conninfo(args.pg, dbname)
    env = server_env(database_url)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"== creating database {dbname}", flush=True)
        create_database(args.pg, dbname)
        subprocess.run(  # noqa: S603
            [PY, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        seeded = subprocess.run(  # noqa: S603
            [PY, "-m", "loadtest.seed", str(args.users)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        tokens: dict[str, str] = json.loads(seeded.stdout)
        print(
            f"== gunicorn: {args.workers} workers × {args.threads} threads, DEBUG off",
            flush=True,
        )
        server = start_gunicorn(
            env, args.port, args.workers, args.threads, RESULTS.parent / "gunicorn.log"
        )
        wait_ready(args.port, next(iter(tokens.values())))
        print(
            f"== {args.users} reporters for {args.duration:.0f} s"
            + ("" if args.restart else " (no PostgreSQL restart)"),
            flush=True,
        )
        stats, elapsed = asyncio.run(drive(args, tokens, server.pid, database_url))
        check = verify(database_url, stats)
        result = summarise(args, stats, elapsed, check)
        RESULTS.write_text(json.dumps(result, indent=2))
        text = markdown(result)
        print(text)
        if args.doc:
            write_doc(text)
        print(f"== results in {RESULTS.relative_to(ROOT)}")
        return 0 if result["passed"] else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        drop_database(args.pg, dbname)
        print(f"== dropped database {dbname}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
