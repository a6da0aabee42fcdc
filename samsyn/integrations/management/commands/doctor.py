"""``samsyn doctor``: check a deployment's configuration and say what to fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from django.utils import timezone

from samsyn.integrations import checks
from samsyn.lib import outbound

OK, WARN, ERROR, SKIP = "ok", "warning", "error", "skipped"


@dataclass
class Finding:
    level: str
    topic: str
    message: str
    fix: str = ""


def _production() -> bool:
    return not settings.DEBUG


def check_settings() -> list[Finding]:
    out = []
    placeholder = getattr(
        settings, "PLACEHOLDER_SECRET", "dev-only-secret-key-change-me"
    )
    if settings.DEBUG:
        out.append(
            Finding(WARN, "DEBUG", "DEBUG is on.", "Set DEBUG=false in production.")
        )
    else:
        out.append(Finding(OK, "DEBUG", "DEBUG is off."))
    if settings.SECRET_KEY == placeholder or len(settings.SECRET_KEY) < 40:
        out.append(
            Finding(
                ERROR if _production() else WARN,
                "SECRET_KEY",
                "SECRET_KEY is the placeholder or too short.",
                "Set SECRET_KEY (or SECRET_KEY_FILE) to 50 random characters: "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'",
            )
        )
    else:
        out.append(Finding(OK, "SECRET_KEY", "SECRET_KEY is set."))
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    local = {"127.0.0.1", "localhost", "testserver", "[::1]"}
    if "*" in hosts:
        out.append(
            Finding(
                ERROR,
                "ALLOWED_HOSTS",
                "ALLOWED_HOSTS contains '*'.",
                "List the site's host names, e.g. ALLOWED_HOSTS=samsyn.example.se",
            )
        )
    elif _production() and set(hosts) <= local:
        out.append(
            Finding(
                ERROR,
                "ALLOWED_HOSTS",
                "ALLOWED_HOSTS names only local hosts.",
                "Set ALLOWED_HOSTS to the public host name(s).",
            )
        )
    else:
        out.append(Finding(OK, "ALLOWED_HOSTS", ", ".join(hosts)))
    if _production() and not settings.SESSION_COOKIE_SECURE:
        out.append(
            Finding(
                WARN,
                "HTTPS",
                "Session cookies are sent over plain HTTP.",
                "Serve over HTTPS and set SECURE_COOKIES=true, SECURE_PROXY_SSL_HEADER="
                "true behind a proxy, SECURE_HSTS_SECONDS=31536000.",
            )
        )
    return out


def check_database() -> list[Finding]:
    db = checks.database()
    if not db.ok:
        return [
            Finding(
                ERROR,
                "database",
                f"Cannot reach the database: {db.detail}",
                "Check DATABASE_URL and that PostgreSQL runs and accepts the role.",
            )
        ]
    out = [Finding(OK, "database", f"reachable ({db.detail})")]
    if connections["default"].vendor == "sqlite" and _production():
        out.append(
            Finding(
                WARN,
                "database",
                "SQLite in production.",
                "Fine for one small server; use PostgreSQL (DATABASE_URL=postgres://…) "
                "for several users at once or several app servers.",
            )
        )
    mig = checks.migrations()
    out.append(
        Finding(OK, "migrations", mig.detail)
        if mig.ok
        else Finding(ERROR, "migrations", mig.detail, "Run: samsyn migrate")
    )
    return out


def check_files() -> list[Finding]:
    out = []
    static_root = Path(settings.STATIC_ROOT)
    manifest = static_root / "staticfiles.json"
    needs_manifest = "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]
    if not static_root.exists() or not any(static_root.iterdir()):
        out.append(
            Finding(
                ERROR if _production() else WARN,
                "static files",
                f"{static_root} is empty.",
                "Run: samsyn collectstatic --noinput",
            )
        )
    elif needs_manifest and not manifest.exists():
        out.append(
            Finding(
                ERROR,
                "static files",
                "The static manifest is missing.",
                "Run: samsyn collectstatic --noinput (after each upgrade)",
            )
        )
    else:
        out.append(Finding(OK, "static files", f"collected in {static_root}"))
    media = checks.media()
    out.append(
        Finding(
            OK,
            "media",
            media.detail
            if settings.FILE_STORAGE == "database"
            else f"{settings.MEDIA_ROOT} is writable",
        )
        if media.ok
        else Finding(
            ERROR,
            "media",
            f"Media directory not writable: {media.detail}",
            "Create it and give the app's user write access (chown samsyn).",
        )
    )
    return out


def check_services(offline: bool) -> list[Finding]:
    out = []
    backend = settings.EMAIL_BACKEND
    if _production() and backend.endswith(
        ("console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")
    ):
        out.append(
            Finding(
                ERROR,
                "e-mail",
                f"E-mail goes nowhere ({backend.rsplit('.', 2)[-2]}).",
                "Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
                "EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD in "
                "local_settings.py, and DEFAULT_FROM_EMAIL.",
            )
        )
    else:
        out.append(Finding(OK, "e-mail", backend.rsplit(".", 1)[-1]))
    task_backend = settings.TASKS["default"]["BACKEND"]
    if "immediate" in task_backend.lower():
        out.append(
            Finding(
                WARN if _production() else OK,
                "tasks",
                "Tasks run inside web requests (immediate backend).",
                "Unset TASKS_BACKEND (the database queue is the default when DEBUG "
                "is off) and run `samsyn db_worker` (see docs/deploy.md).",
            )
        )
    else:
        out.append(
            Finding(
                OK,
                "tasks",
                f"{task_backend}; make sure a worker runs: samsyn db_worker",
            )
        )
    if _production() and not getattr(settings, "SAMSYN_REQUIRE_2FA", False):
        out.append(
            Finding(
                WARN,
                "2FA",
                "Two-factor sign-in is off.",
                "Set SAMSYN_REQUIRE_2FA=true (coordinators, analysts, admins).",
            )
        )
    else:
        out.append(
            Finding(
                OK,
                "2FA",
                "required" if settings.SAMSYN_REQUIRE_2FA else "off (development)",
            )
        )
    if settings.TIME_ZONE != "Europe/Stockholm" or not settings.USE_TZ:
        out.append(
            Finding(
                WARN,
                "time zone",
                f"TIME_ZONE is {settings.TIME_ZONE} (USE_TZ={settings.USE_TZ}).",
                "Weeks and periods follow Swedish time: use Europe/Stockholm.",
            )
        )
    else:
        out.append(Finding(OK, "time zone", settings.TIME_ZONE))
    out.append(check_accessibility_review())
    tile = getattr(settings, "SAMSYN_TILE_URL", "")
    if not tile:
        out.append(Finding(OK, "map tiles", "off (no tile URL)"))
    elif offline:
        out.append(Finding(SKIP, "map tiles", "not checked (--offline)"))
    else:
        url = tile.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0")
        url = url.replace("{y}", "0").replace("{r}", "")
        try:
            status = outbound.request(
                "GET",
                url,
                headers={"User-Agent": "samsyn-doctor"},
                timeout=5,
                max_bytes=65536,
            ).status_code
            problem = "" if 200 <= status < 300 else f"HTTP {status}"
        except Exception as exc:  # noqa: BLE001
            problem = str(exc)
        if problem:
            out.append(
                Finding(
                    WARN,
                    "map tiles",
                    f"Tile server not reachable: {problem}",
                    "Check SAMSYN_TILE_URL and outbound network; maps still work "
                    "without tiles.",
                )
            )
        else:
            out.append(Finding(OK, "map tiles", f"reachable (HTTP {status})"))
    return out


def check_accessibility_review(today: date | None = None) -> Finding:
    """The accessibility statement's review date should be less than a year old."""
    reviewed = settings.SAMSYN_ACCESSIBILITY_REVIEWED
    today = today or timezone.localdate()
    if (today - reviewed).days > 365:
        return Finding(
            WARN,
            "accessibility statement",
            f"last reviewed {reviewed.isoformat()}, more than a year ago.",
            "Review the service against WCAG 2.1 AA and set "
            "SAMSYN_ACCESSIBILITY_REVIEWED to the date of that review.",
        )
    return Finding(OK, "accessibility statement", f"reviewed {reviewed.isoformat()}")


def check_collaboration(collab: Any) -> list[Finding]:
    """One collaboration's onboarding: each step of the onboarding page, ok when
    done, a warning saying what to do when not."""
    from samsyn.organisations.onboarding import onboarding_steps

    topic = f"{collab.slug}: "
    return [
        Finding(OK, topic + step.title, step.status)
        if step.done
        else Finding(WARN, topic + step.title, step.status, step.todo)
        for step in onboarding_steps(collab)
    ]


def run_checks(offline: bool = False) -> list[Finding]:
    return check_settings() + check_database() + check_files() + check_services(offline)


class Command(BaseCommand):
    help = (
        "Check this deployment's configuration (and with --collaboration, that "
        "collaboration's onboarding) and say what to fix. Exits 1 when anything is "
        "an error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--offline", action="store_true", help="do not contact the tile server"
        )
        parser.add_argument(
            "--collaboration",
            default=None,
            metavar="SLUG",
            help="also check this collaboration's onboarding (areas, checklist, "
            "organisations, people, police events, weekly forum)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        findings = run_checks(offline=opts["offline"])
        if opts["collaboration"]:
            from samsyn.organisations.cli import collaborations_named

            for collab in collaborations_named(opts["collaboration"]):
                findings += check_collaboration(collab)
        marks = {OK: "ok  ", WARN: "WARN", ERROR: "FAIL", SKIP: "skip"}
        for f in findings:
            line = f"[{marks[f.level]}] {f.topic}: {f.message}"
            style = {ERROR: self.style.ERROR, WARN: self.style.WARNING}.get(
                f.level, lambda s: s
            )
            self.stdout.write(style(line))
            if f.fix and f.level in (ERROR, WARN):
                self.stdout.write(f"       → {f.fix}")
        errors = sum(f.level == ERROR for f in findings)
        warnings = sum(f.level == WARN for f in findings)
        self.stdout.write(f"{errors} error(s), {warnings} warning(s)")
        if errors:
            raise SystemExit(1)
