# ruff: noqa: T201, S603, S607 - a command-line harness running fixed programs
"""Cluster test: a county's topology on one machine, under load, losing a machine
at a time.

    .venv/bin/python -m loadtest.cluster [--duration 300] [--users 100]

Builds, on 127.0.0.1 with one port per service (the configurations are the
templates in loadtest/cluster/):

- a three-member etcd (client ports 2379, 2381, 2383);
- two PostgreSQL nodes managed by Patroni (5441, 5442; REST 8171, 8172) with
  ``synchronous_mode: true``: a commit is acknowledged once the standby has it;
- HAProxy: 5440 to the leader (Patroni's ``GET /primary``), 5443 to a replica,
  8170 to the two web nodes, statistics on 8173;
- two gunicorn web nodes (8174, 8175; DEBUG off, SAMSYN_FILE_STORAGE=database,
  the database task queue) and two ``samsyn db_worker`` task workers.

Then ``--users`` reporters post reports through HAProxy's web port with loadtest.run's
rule (each report its own Idempotency-Key, the same key retried until acknowledged)
for ``--duration`` seconds, while the harness kills, in turn: the PostgreSQL primary's
machine (kill -9 of Patroni and its postmaster, at 25 % of the run; the old node is
started again later and rejoins as a standby), a web node (kill -9 of its gunicorn
master at 50 %; restarted 15 s later, as a service manager would), and a task worker
in the middle of a situation picture's PDF (at 70 %; the other worker takes the
task over once the dead one's heartbeat is stale). Afterwards every acknowledged
report is looked up in the database and every PDF job checked to have finished
exactly once. Results go to var/cluster/results.json and between markers in
docs/reliability.md. Everything started is stopped and its files removed whatever
happens; the machine's own PostgreSQL (5432) is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

import httpx
import psycopg

from loadtest import run

ROOT = run.ROOT
PY = run.PY
TEMPLATES = Path(__file__).resolve().parent / "cluster"
RESULTS = ROOT / "var" / "cluster" / "results.json"
START, END = "<!-- cluster:start -->", "<!-- cluster:end -->"
DBNAME = "samsyn"
PICTURE_WEEKS = ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]
TASKS_TABLE = "django_tasks_database_dbtaskresult"


@dataclass
class Ports:
    etcd: int = 2379  # clients on 2379, 2381, 2383; peers one above each
    pg: int = 5440  # HAProxy primary; nodes 5441, 5442; HAProxy replicas 5443
    http: int = 8170  # HAProxy web; Patroni REST 8171, 8172; stats 8173; web 8174, 8175

    def etcd_client(self, i: int) -> int:
        return self.etcd + 2 * i

    def pg_node(self, i: int) -> int:
        return self.pg + 1 + i

    def rest(self, i: int) -> int:
        return self.http + 1 + i

    def web(self, i: int) -> int:
        return self.http + 4 + i


@dataclass
class Cluster:
    """What is running: processes by name, and where their files are."""

    work: Path
    ports: Ports
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: Path = field(init=False)

    def __post_init__(self) -> None:
        self.logs = self.work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def start(
        self,
        name: str,
        cmd: list[str],
        *,
        env: dict[str, str] | None = None,
        user: str | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        out = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            cmd,
            cwd=cwd or self.work,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            user=user,
            start_new_session=True,  # its own process group, killed as one
        )
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)

    def postmaster_pid(self, node: int) -> int | None:
        pidfile = self.work / f"pg{node}" / "data" / "postmaster.pid"
        try:
            return int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop_all(self) -> None:
        """Stop everything: SIGTERM to each process group, then SIGKILL, then any
        postmaster Patroni left (it runs in a session of its own)."""
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for name in list(self.procs):
            self.kill(name, signal.SIGKILL)
        for node in (1, 2):
            pid = self.postmaster_pid(node)
            if pid is not None and is_postmaster(pid, self.work):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def is_postmaster(pid: int, work: Path) -> bool:
    """The pid is a postgres whose data directory is ours (never the machine's)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return "postgres" in cmdline and str(work) in cmdline


# -- building the cluster ---------------------------------------------------------


def require_tools() -> dict[str, str]:
    tools = {}
    for tool in ("etcd", "patroni", "haproxy"):
        path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin")
        if path is None:
            raise SystemExit(
                f"{tool} is not installed: run `make cluster-deps` (Debian packages "
                "etcd-server, patroni, haproxy)"
            )
        tools[tool] = path
    return tools


def pg_bin_dir() -> str:
    versions = sorted(
        (v for v in os.listdir("/usr/lib/postgresql") if v.isdigit()), key=int
    )
    if not versions:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql")
    return f"/usr/lib/postgresql/{versions[-1]}/bin"


def render(template: str, target: Path, **values: Any) -> Path:
    text = Template((TEMPLATES / template).read_text()).substitute(
        {k: str(v) for k, v in values.items()}
    )
    target.write_text(text)
    return target


def wait_for(what: str, check: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (httpx.HTTPError, psycopg.Error, OSError) as exc:
            last = exc
        time.sleep(0.5)
    raise RuntimeError(f"{what} not ready after {seconds:.0f} s ({last!r})")


def http_ok(url: str) -> bool:
    return httpx.get(url, timeout=2).status_code == 200


def start_etcd(cluster: Cluster, etcd: str) -> None:
    p = cluster.ports
    members = ",".join(
        f"etcd{i}=http://127.0.0.1:{p.etcd_client(i) + 1}" for i in range(3)
    )
    for i in range(3):
        conf = render(
            "etcd.yml",
            cluster.work / f"etcd{i}.yml",
            name=f"etcd{i}",
            data_dir=cluster.work / f"etcd{i}",
            client_port=p.etcd_client(i),
            peer_port=p.etcd_client(i) + 1,
            initial_cluster=members,
        )
        cluster.start(f"etcd{i}", [etcd, "--config-file", str(conf)])
    for i in range(3):
        wait_for(
            f"etcd{i}",
            lambda i=i: http_ok(f"http://127.0.0.1:{p.etcd_client(i)}/health"),
            60,
        )


def patroni_config(cluster: Cluster, node: int) -> Path:
    p = cluster.ports
    base = cluster.work / f"pg{node}"
    base.mkdir(exist_ok=True)
    conf = render(
        "patroni.yml",
        base / "patroni.yml",
        name=f"pg{node}",
        rest_port=p.rest(node - 1),
        etcd_hosts=",".join(f"127.0.0.1:{p.etcd_client(i)}" for i in range(3)),
        pg_port=p.pg_node(node - 1),
        data_dir=base / "data",
        bin_dir=pg_bin_dir(),
        pgpass=base / "pgpass",
        socket_dir=cluster.work / "run",
        archive_dir=cluster.work / "wal-archive",
    )
    return conf


def start_patroni(cluster: Cluster, patroni: str, node: int) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cluster.work),
        "LANG": "C.UTF-8",
    }
    cluster.start(
        f"patroni{node}",
        [patroni, str(cluster.work / f"pg{node}" / "patroni.yml")],
        env=env,
        user="postgres",
    )


def rest(cluster: Cluster, node: int, path: str) -> int:
    try:
        r = httpx.get(
            f"http://127.0.0.1:{cluster.ports.rest(node - 1)}{path}", timeout=1
        )
    except httpx.HTTPError:
        return 0
    return r.status_code


def leader(cluster: Cluster) -> int | None:
    for node in (1, 2):
        if rest(cluster, node, "/primary") == 200:
            return node
    return None


def cluster_state(cluster: Cluster) -> list[dict[str, Any]]:
    for node in (1, 2):
        try:
            r = httpx.get(
                f"http://127.0.0.1:{cluster.ports.rest(node - 1)}/cluster", timeout=2
            )
            return [
                {k: m.get(k) for k in ("name", "role", "state", "lag", "timeline")}
                for m in r.json().get("members", [])
            ]
        except (httpx.HTTPError, ValueError):
            continue
    return []


def start_haproxy(cluster: Cluster, haproxy: str, web_maxconn: int) -> None:
    p = cluster.ports

    def servers(check_port: Any, port: Any, prefix: str, n: int = 2) -> str:
        return "\n".join(
            f"    server {prefix}{i + 1} 127.0.0.1:{port(i)} check port {check_port(i)}"
            for i in range(n)
        )

    conf = render(
        "haproxy.cfg",
        cluster.work / "haproxy.cfg",
        stats_port=p.http + 3,
        primary_port=p.pg,
        replica_port=p.pg + 3,
        web_port=p.http,
        primary_servers=servers(p.rest, p.pg_node, "pg"),
        replica_servers=servers(p.rest, p.pg_node, "pg"),
        web_servers=servers(p.web, p.web, "web"),
        web_maxconn=web_maxconn,
    )
    cluster.start("haproxy", [haproxy, "-db", "-f", str(conf)])


def app_env(database_url: str, stale: int) -> dict[str, str]:
    env = run.server_env(database_url)
    env.update(
        SAMSYN_FILE_STORAGE="database",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        SAMSYN_WORKER_STALE_SECONDS=str(stale),
    )
    return env


def start_web(cluster: Cluster, env: dict[str, str], i: int, args: Any) -> None:
    cmd = run.gunicorn_command(cluster.ports.web(i), args.web_workers, args.threads)
    cluster.start(f"web{i + 1}", cmd, env=env, cwd=ROOT)


def start_worker(cluster: Cluster, env: dict[str, str], i: int) -> None:
    cmd = [
        PY,
        "manage.py",
        "db_worker",
        "--no-reload",
        "--interval",
        "0.5",
        "--worker-id",
        f"cluster-worker-{i + 1}",
    ]
    cluster.start(f"worker{i + 1}", cmd, env=env, cwd=ROOT)


SEED_PICTURES = """
from samsyn.areas.models import Area
from samsyn.lib.geo import area_km2
from samsyn.lib.weeks import parse_period
from samsyn.organisations.models import Collaboration
from samsyn.pictures.actions import generate_picture
collab = Collaboration.objects.get(slug="loadtest")
square = {"type": "Polygon", "coordinates": [[[15.19, 59.26], [15.23, 59.26],
          [15.23, 59.28], [15.19, 59.28], [15.19, 59.26]]]}
Area.objects.create(collaboration=collab, level=Area.Level.AREA, ref="A1",
    name="Centrum", geometry=square, min_lon=15.19, max_lon=15.23, min_lat=59.26,
    max_lat=59.28, area_km2=area_km2(square))
Collaboration.objects.filter(pk=collab.pk).update(areas_version=collab.areas_version + 1)
for week in WEEKS:
    generate_picture(collab, "week", parse_period("week", week), None, by=None)
"""

QUEUE_PDFS = """
from samsyn.pictures.models import SituationPicture
from samsyn.pictures.tasks import queue_picture_pdf
for picture in SituationPicture.objects.filter(collaboration__slug="loadtest"):
    print("job", queue_picture_pdf(picture).pk)
"""


def manage_shell(env: dict[str, str], code: str) -> str:
    return subprocess.run(
        [PY, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


# -- faults -----------------------------------------------------------------------


@dataclass
class Faults:
    events: list[dict[str, Any]] = field(default_factory=list)
    failover: dict[str, Any] = field(default_factory=dict)
    pdf: dict[str, Any] = field(default_factory=dict)

    def add(self, fault: str, at: float, **extra: Any) -> dict[str, Any]:
        event = {"fault": fault, "at_mono": at, **extra}
        self.events.append(event)
        return event


async def kill_primary(cluster: Cluster, faults: Faults, patroni: str) -> None:
    old = leader(cluster)
    if old is None:
        raise RuntimeError("no leader to kill")
    new = 2 if old == 1 else 1
    postmaster = cluster.postmaster_pid(old)
    at = time.monotonic()
    cluster.kill(f"patroni{old}")  # the machine is gone: Patroni and PostgreSQL
    if postmaster is not None and is_postmaster(postmaster, cluster.work):
        os.kill(postmaster, signal.SIGKILL)
    event = faults.add(f"kill -9 PostgreSQL primary pg{old} (Patroni + postmaster)", at)
    while rest(cluster, new, "/primary") != 200:
        await asyncio.sleep(0.2)
        if time.monotonic() - at > 120:
            event["error"] = "no new leader within 120 s"
            return
    event["new_leader"] = f"pg{new}"
    event["promoted_after_s"] = round(time.monotonic() - at, 1)
    faults.failover = {"killed_at": at, "old": old, "new": new}
    # The lost machine comes back: Patroni rewinds it and it follows the new leader.
    await asyncio.sleep(20)
    start_patroni(cluster, patroni, old)
    event["restarted_after_s"] = round(time.monotonic() - at, 1)


async def kill_web_node(
    cluster: Cluster, faults: Faults, env: dict[str, str], args: Any
) -> None:
    at = time.monotonic()
    proc = cluster.procs["web1"]
    os.kill(proc.pid, signal.SIGKILL)  # the master only; its workers notice and exit
    event = faults.add("kill -9 web node web1 (gunicorn master)", at)
    await asyncio.sleep(15)
    cluster.kill("web1")  # whatever is left of its process group
    await asyncio.to_thread(proc.wait)
    start_web(cluster, env, 0, args)
    event["restarted_after_s"] = round(time.monotonic() - at, 1)


def running_pdf_task(conninfo: str) -> tuple[str, str] | None:
    with psycopg.connect(conninfo, connect_timeout=2) as conn:
        row = conn.execute(
            f"SELECT id::text, worker_ids->>-1 FROM {TASKS_TABLE} "  # noqa: S608
            "WHERE status = 'RUNNING' AND task_path LIKE %s LIMIT 1",
            ("%build_picture_pdf",),
        ).fetchone()
    return (row[0], row[1]) if row else None


async def kill_worker_mid_pdf(
    cluster: Cluster, faults: Faults, env: dict[str, str], conninfo: str
) -> None:
    queued = await asyncio.to_thread(manage_shell, env, QUEUE_PDFS)
    faults.pdf["jobs"] = [
        int(line.split()[1]) for line in queued.splitlines() if line.startswith("job ")
    ]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = await asyncio.to_thread(running_pdf_task, conninfo)
        if found:
            task, worker = found
            name = "worker" + worker.rsplit("-", 1)[-1]
            at = time.monotonic()
            cluster.kill(name)
            faults.add(f"kill -9 task worker {worker} during a PDF", at, task=task)
            faults.pdf.update(killed_task=task, killed_worker=worker)
            return
        await asyncio.sleep(0.05)
    faults.add("FAILED", time.monotonic(), error="no PDF task seen running")


# -- the load ---------------------------------------------------------------------


async def drive(
    args: Any,
    tokens: dict[str, str],
    cluster: Cluster,
    env: dict[str, str],
    conninfo: str,
    patroni: str,
) -> tuple[run.Stats, Faults, float, float]:
    stats, faults = run.Stats(), Faults()
    base = f"http://127.0.0.1:{cluster.ports.http}"
    limits = httpx.Limits(max_connections=args.users + args.pingers + 10)
    started = time.monotonic()
    stop_at = started + args.duration
    schedule = [
        (0.25, lambda: kill_primary(cluster, faults, patroni)),
        (0.50, lambda: kill_web_node(cluster, faults, env, args)),
        (0.70, lambda: kill_worker_mid_pdf(cluster, faults, env, conninfo)),
    ]

    async def inject() -> None:
        for frac, make in schedule:
            await asyncio.sleep(
                max(0, started + frac * args.duration - time.monotonic())
            )
            try:
                await make()
            except Exception as exc:  # noqa: BLE001 - report, keep the run going
                faults.add("FAILED", time.monotonic(), error=repr(exc))

    async with httpx.AsyncClient(
        limits=limits, timeout=httpx.Timeout(args.timeout)
    ) as client:
        users = list(tokens.items())
        tasks = [
            run.reporter(client, base, u, t, stop_at, stats, args.think)
            for u, t in users
        ]
        tasks += [
            run.pinger(client, base, users[i % len(users)][1], stop_at, stats)
            for i in range(args.pingers)
        ]
        await asyncio.gather(inject(), *tasks)
    return stats, faults, started, time.monotonic() - started


# -- checks and figures -----------------------------------------------------------


def check_pdfs(conninfo: str, faults: Faults, seconds: float) -> dict[str, Any]:
    """Wait for the PDF jobs, then count: each done once, one PDF event each."""
    jobs = faults.pdf.get("jobs", [])
    if not jobs:
        return {"queued": 0, "finished_exactly_once": 0, "passed": False}
    deadline = time.monotonic() + seconds
    query = (
        "SELECT j.id, j.status, j.subject, "
        "(SELECT count(*) FROM pictures_pictureevent e "
        " WHERE e.picture_id = split_part(j.subject, ':', 2)::bigint "
        " AND e.kind = 'pdf') FROM jobs_job j WHERE j.id = ANY(%s)"
    )
    rows: list[Any] = []
    while time.monotonic() < deadline:
        with psycopg.connect(conninfo) as conn:
            rows = conn.execute(query, (jobs,)).fetchall()
            tasks = conn.execute(
                f"SELECT id::text, status, worker_ids FROM {TASKS_TABLE} "  # noqa: S608
                "WHERE task_path LIKE %s",
                ("%build_picture_pdf",),
            ).fetchall()
        if all(status in ("done", "failed") for _id, status, _s, _n in rows):
            break
        time.sleep(1)
    once = sum(1 for _id, status, _s, n in rows if status == "done" and n == 1)
    killed = faults.pdf.get("killed_task")
    killed_row = next((t for t in tasks if t[0] == killed), None)
    return {
        "queued": len(jobs),
        "finished_exactly_once": once,
        "not_finished": sum(1 for r in rows if r[1] != "done"),
        "pdf_events_per_job": sorted(int(r[3]) for r in rows),
        "killed_task": killed,
        "killed_task_status": killed_row[1] if killed_row else None,
        "killed_task_workers": killed_row[2] if killed_row else None,
        "passed": once == len(jobs)
        and killed_row is not None
        and killed_row[1] == "SUCCESSFUL"
        and len(killed_row[2]) == 2,
    }


def pdf_rate(conninfo: str, jobs: list[int]) -> float | None:
    """PDFs per minute one worker makes (median build time of the jobs)."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM finished - started) FROM jobs_job "
            "WHERE id = ANY(%s) AND status = 'done' AND started IS NOT NULL",
            (jobs,),
        ).fetchall()
    times = sorted(float(r[0]) for r in rows if r[0])
    return round(60 / times[len(times) // 2], 1) if times else None


def window_rates(
    stats: run.Stats, faults: Faults, width: float
) -> list[dict[str, Any]]:
    acks = [a for _sent, a in stats.ack_times]

    def rate(lo: float, hi: float) -> float:
        return round(sum(1 for a in acks if lo <= a < hi) / (hi - lo), 1)

    return [
        {
            "fault": f["fault"],
            "before_per_s": rate(f["at_mono"] - width, f["at_mono"]),
            "during_per_s": rate(f["at_mono"], f["at_mono"] + width),
            "after_per_s": rate(f["at_mono"] + width, f["at_mono"] + 2 * width),
        }
        for f in faults.events
        if f["fault"] != "FAILED"
    ]


def failover_time(stats: run.Stats, faults: Faults) -> float | None:
    """From the primary's kill to the first report sent after it and acknowledged."""
    killed = faults.failover.get("killed_at")
    if killed is None:
        return None
    after = [ack for sent, ack in stats.ack_times if sent > killed]
    return round(min(after) - killed, 1) if after else None


def summarise(
    args: Any,
    stats: run.Stats,
    faults: Faults,
    started: float,
    elapsed: float,
    check: dict[str, Any],
    pdfs: dict[str, Any],
    final_state: list[dict[str, Any]],
    pdfs_per_min: float | None,
) -> dict[str, Any]:
    width = min(30.0, args.duration * 0.2 / 2)
    acked_per_s = round(len(stats.acked) / elapsed, 1)
    events = [
        {
            **{k: v for k, v in f.items() if k != "at_mono"},
            "at_s": round(f["at_mono"] - started, 1),
        }
        for f in faults.events
    ]
    failover = failover_time(stats, faults)
    passed = (
        check["lost"] == 0
        and check["duplicated"] == 0
        and check["unacknowledged_in_database_twice"] == 0
        and pdfs["passed"]
        and failover is not None
        and all(f["fault"] != "FAILED" for f in faults.events)
    )
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": f"{platform.node()}: {os.cpu_count()} CPUs, shared with other work",
        "duration_s": round(elapsed, 1),
        "reporters": args.users,
        "ping_clients": args.pingers,
        "web_nodes": f"2 × gunicorn {args.web_workers} gthread workers × "
        f"{args.threads} threads",
        "task_workers": 2,
        "client_timeout_s": args.timeout,
        "faults": events,
        "failover_s": failover,
        "check": check,
        "pdf_jobs": pdfs,
        "throughput_window_s": width,
        "throughput": window_rates(stats, faults, width),
        "create": {
            "acknowledged_per_s": acked_per_s,
            "per_web_node_per_s": round(acked_per_s / 2, 1),
            "p50_ms": run.percentile(stats.create_latency, 50),
            "p99_ms": run.percentile(stats.create_latency, 99),
            "end_to_end_max_ms": run.percentile(stats.end_to_end, 100),
        },
        "pdfs_per_minute_per_worker": pdfs_per_min,
        "requests": {
            "attempts": stats.attempts,
            "retries": stats.retries,
            "timeouts": stats.timeouts,
            "connection_errors": stats.connection_errors,
            "rejected_4xx": stats.rejected,
            "by_status": dict(sorted(stats.status_counts.items())),
        },
        "cluster_at_end": final_state,
        "passed": passed,
    }


def markdown(result: dict[str, Any]) -> str:
    c, p, cr, rq = (
        result["check"],
        result["pdf_jobs"],
        result["create"],
        result["requests"],
    )
    faults = "; ".join(
        f"{f['fault']} at +{f['at_s']} s"
        + (
            f" (new leader {f['new_leader']} after {f['promoted_after_s']} s)"
            if "new_leader" in f
            else ""
        )
        + (f" ({f['error']})" if "error" in f else "")
        for f in result["faults"]
    )
    rows = [
        f"| {t['fault']} | {t['before_per_s']} | {t['during_per_s']} | {t['after_per_s']} |"
        for t in result["throughput"]
    ]
    members = ", ".join(
        f"{m['name']} {m['role']} ({m['state']})" for m in result["cluster_at_end"]
    )
    return "\n".join(
        [
            f"Last run: {result['when']}, {result['duration_s']} s, {result['reporters']} "
            f"reporters + {result['ping_clients']} ping clients through HAProxy to "
            f"{result['web_nodes']}, {result['task_workers']} task workers, PostgreSQL "
            f"primary + synchronous standby under Patroni with a three-member etcd "
            f"({result['machine']}). **{'PASSED' if result['passed'] else 'FAILED'}**.",
            "",
            f"Faults (seconds into the run): {faults or 'none'}.",
            "",
            "| | value |",
            "|---|---|",
            f"| reports acknowledged | {c['acknowledged']} |",
            f"| rows in the database | {c['rows_in_database']} |",
            f"| **lost** (acknowledged, not in the database) | **{c['lost']}** |",
            f"| **duplicated** (>1 row per reporter and key) | **{c['duplicated']}** |",
            f"| unacknowledged when the run ended | {c['unacknowledged_at_end']} "
            f"({c['unacknowledged_found_in_database']} stored once, "
            f"{c['unacknowledged_in_database_twice']} twice) |",
            f"| PDF jobs finished exactly once | **{p['finished_exactly_once']} of "
            f"{p['queued']}** (the killed worker's task: {p.get('killed_task_status')}, "
            f"run by {p.get('killed_task_workers')}) |",
            f"| **failover time** (primary killed → first report sent afterwards "
            f"acknowledged) | **{result['failover_s']} s** |",
            f"| report creation: acknowledged/s (all / per web node) | "
            f"{cr['acknowledged_per_s']} / {cr['per_web_node_per_s']} |",
            f"| report creation: p50 / p99 per successful request | "
            f"{cr['p50_ms']} / {cr['p99_ms']} ms |",
            f"| longest first send → acknowledgement | {cr['end_to_end_max_ms']} ms |",
            f"| picture PDFs per minute per worker | {result['pdfs_per_minute_per_worker']} |",
            f"| POST attempts / retries / timeouts / connection errors | "
            f"{rq['attempts']} / {rq['retries']} / {rq['timeouts']} / "
            f"{rq['connection_errors']} |",
            f"| responses by status | {rq['by_status']} |",
            f"| cluster at the end | {members} |",
            "",
            f"Acknowledged reports per second, {result['throughput_window_s']:.0f} s "
            "before each fault, the same after it, and the next as long:",
            "",
            "| fault | before | during | after |",
            "|---|---|---|---|",
            *rows,
        ]
    )


# -- main -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--pingers", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--stale", type=int, default=15, help="worker heartbeat (s)")
    parser.add_argument("--etcd-port", type=int, default=2379)
    parser.add_argument("--pg-port", type=int, default=5440)
    parser.add_argument("--http-port", type=int, default=8170)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--no-doc", dest="doc", action="store_false")
    args = parser.parse_args(argv)
    if args.pg_port <= 5432 <= args.pg_port + 3:
        raise SystemExit("--pg-port: the ports must leave the machine's 5432 alone")

    tools = require_tools()
    # SIGTERM (a CI timeout, kill) stops the cluster too: it runs the finally below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    pwd.getpwnam("postgres")  # Patroni runs PostgreSQL as this user
    ports = Ports(etcd=args.etcd_port, pg=args.pg_port, http=args.http_port)
    work = Path(tempfile.mkdtemp(prefix="samsyn-cluster-"))
    os.chmod(work, 0o755)  # noqa: S103 - the postgres user reaches its directories
    for sub in ("run", "wal-archive", "pg1", "pg2"):
        (work / sub).mkdir()
        shutil.chown(work / sub, "postgres", "postgres")
    cluster = Cluster(work, ports)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    conninfo = f"postgres://postgres@127.0.0.1:{ports.pg}/{DBNAME}"
    env = app_env(conninfo, args.stale)
    ok = False
    try:
        print(
            f"== etcd × 3 (ports {ports.etcd}–{ports.etcd + 5}), files in {work}",
            flush=True,
        )
        start_etcd(cluster, tools["etcd"])
        print("== Patroni: pg1, then pg2 as synchronous standby", flush=True)
        for node in (1, 2):
            patroni_config(cluster, node)
        start_patroni(cluster, tools["patroni"], 1)
        wait_for("pg1 as leader", lambda: rest(cluster, 1, "/primary") == 200, 120)
        start_patroni(cluster, tools["patroni"], 2)
        wait_for(
            "pg2 as synchronous standby", lambda: rest(cluster, 2, "/sync") == 200, 180
        )
        start_haproxy(cluster, tools["haproxy"], args.web_workers * args.threads)
        admin = f"postgres://postgres@127.0.0.1:{ports.pg}/postgres"
        wait_for(
            "HAProxy to the leader",
            lambda: psycopg.connect(admin, connect_timeout=2).close() is None,
            60,
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{DBNAME}"')
        print("== migrate, seed reporters, an area and pictures", flush=True)
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        seeded = subprocess.run(
            [PY, "-m", "loadtest.seed", str(args.users)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        tokens: dict[str, str] = json.loads(seeded.stdout)
        manage_shell(env, SEED_PICTURES.replace("WEEKS", repr(PICTURE_WEEKS)))
        print(
            f"== web nodes on {ports.web(0)}, {ports.web(1)} behind HAProxy {ports.http}; 2 task workers",
            flush=True,
        )
        for i in (0, 1):
            start_web(cluster, env, i, args)
            start_worker(cluster, env, i)
        for i in (0, 1):
            run.wait_ready(ports.web(i), next(iter(tokens.values())))
        run.wait_ready(ports.http, next(iter(tokens.values())))
        print(f"== {args.users} reporters for {args.duration:.0f} s", flush=True)
        stats, faults, started, elapsed = asyncio.run(
            drive(args, tokens, cluster, env, conninfo, tools["patroni"])
        )
        print("== checking", flush=True)
        check = run.verify(conninfo, stats)
        pdfs = check_pdfs(conninfo, faults, seconds=args.stale * 4 + 60)
        rate = pdf_rate(conninfo, faults.pdf.get("jobs", []))
        result = summarise(
            args,
            stats,
            faults,
            started,
            elapsed,
            check,
            pdfs,
            cluster_state(cluster),
            rate,
        )
        RESULTS.write_text(json.dumps(result, indent=2))
        text = markdown(result)
        print(text)
        if args.doc:
            run.write_doc(text, START, END)
        print(f"== results in {RESULTS.relative_to(ROOT)}")
        ok = result["passed"]
        return 0 if ok else 1
    finally:
        print("== stopping the cluster", flush=True)
        cluster.stop_all()
        if args.keep or not ok:
            keep = RESULTS.parent / "logs"
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(cluster.logs, keep)
            print(f"== logs copied to {keep.relative_to(ROOT)}", flush=True)
        shutil.rmtree(work, ignore_errors=True)
        print("== removed the cluster's files", flush=True)


if __name__ == "__main__":
    sys.exit(main())
