"""The production smoke test: Samsyn as docs/deploy.md runs it, end to end.

    .venv/bin/python tests/production/smoke.py      (or `make test-production`)

With DEBUG=false and the production settings of docs/deploy.md (a secret key from a
file, the allowed host, secure cookies, HTTPS behind a TLS-terminating proxy, HSTS,
two-factor sign-in, the database task queue), all in a temporary directory (SQLite
database, static and media files; never the checkout's var/): collectstatic,
`check --deploy`, migrate, a collaboration, a coordinator with a TOTP device and a
situation picture made with the app's own commands and models; then gunicorn on a
free 127.0.0.1 port, and a client that plays the proxy (X-Forwarded-Proto: https)
signs the coordinator in with password and TOTP code, opens the start page, the
picture and its PDF (built by `db_worker`, as in production), and loads the hashed
static files the pages link. gunicorn is stopped whatever happens. Each step is
printed; the first failure ends the run with exit status 1.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "smoke-" + secrets.token_urlsafe(12)
START_SECONDS = 180  # for gunicorn's worker to load the app
REQUEST_SECONDS = 120  # for one response (a busy two-core machine is slow)

# Warnings of `check --deploy` that the deploy.md settings leave on purpose:
# security.W021 asks for HSTS preloading, a lasting commitment for the whole domain
# and its subdomains that each municipality makes for itself (SECURE_HSTS_PRELOAD).
ACCEPTED_WARNINGS = {"security.W021"}

# Made inside the app (manage.py shell): the coordinator, the membership and a
# confirmed TOTP device, with the app's own actions and models. Prints the key.
SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from samsyn.accounts.models import User
from samsyn.areas.models import Area
from samsyn.lib.geo import area_km2, to_sweref
from samsyn.organisations.actions import add_member, add_organisation
from samsyn.organisations.models import Collaboration, Organisation
from samsyn.reports.models import Category, Report

collab = Collaboration.objects.get(slug="smoke")
square = {{"type": "Polygon", "coordinates": [[[15.19, 59.26], [15.21, 59.26],
          [15.21, 59.28], [15.19, 59.28], [15.19, 59.26]]]}}
area = Area.objects.create(collaboration=collab, level=Area.Level.AREA, ref="A1",
    name="Väster", geometry=square, min_lon=15.19, max_lon=15.21, min_lat=59.26,
    max_lat=59.28, area_km2=area_km2(square))
Collaboration.objects.filter(pk=collab.pk).update(areas_version=collab.areas_version + 1)
org = add_organisation(collab, slug="kommun", name="Smoke kommun",
                       kind=Organisation.Kind.MUNICIPALITY)
user = User.objects.create_user("coordinator", password={password!r})
add_member(user, org, "coordinator")
device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
category = Category.objects.get(collaboration=collab, code="gathering")
for hours in (2, 5, 30):
    lon, lat = 15.2066, 59.2741
    x, y = to_sweref(lon, lat)
    Report.objects.create(collaboration=collab, organisation=org, category=category,
        occurred_at=timezone.now() - timedelta(hours=hours), area=area,
        lon=lon, lat=lat, x=x, y=y, description="smoke test")
print(json.dumps({{"key": device.key}}))
"""


class SmokeFailure(Exception):
    pass


def say(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def check(condition: bool, what: str, detail: str = "") -> None:
    if not condition:
        raise SmokeFailure(f"{what}{': ' + detail if detail else ''}")
    say(f"ok   {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(tmp: Path, port: int) -> dict[str, str]:
    """docs/deploy.md's /etc/samsyn/env, pointed at the temporary directory."""
    secret = tmp / "secret_key"
    secret.write_text(secrets.token_urlsafe(50))
    secret.chmod(0o600)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "TASKS_BACKEND", "SQLITE_PATH"}
        and not k.startswith(("SAMSYN_", "SECURE_", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "samsyn.settings",
            "DEBUG": "false",
            "SECRET_KEY_FILE": str(secret),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
            "SITE_URL": f"https://127.0.0.1:{port}",
            "SQLITE_PATH": str(tmp / "db.sqlite3"),
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "SECURE_COOKIES": "true",
            "SECURE_PROXY_SSL_HEADER": "true",
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_HSTS_SECONDS": "31536000",
            "SAMSYN_REQUIRE_2FA": "true",
            "SAMSYN_TILE_URL": "",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    """Run `manage.py ARGS` with the production settings; its output, or fail."""
    say("run  manage.py " + " ".join(a if "\n" not in a else "<script>" for a in args))
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise SmokeFailure(f"manage.py {args[0]} exited {result.returncode}:\n{output}")
    return output


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """gunicorn as docs/deploy.md starts it; stopped on the way out, always."""
    say(f"run  gunicorn samsyn.wsgi:application on 127.0.0.1:{port}")
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "samsyn.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # Ready when the worker has loaded the app and answers (slow on a busy machine).
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None:
                raise SmokeFailure(f"gunicorn exited at start:\n{log.read_text()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}"})
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SmokeFailure(
                        f"gunicorn did not answer within {START_SECONDS} s"
                    ) from None
                time.sleep(0.5)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        say(f"stopped gunicorn (exit {proc.returncode})")


class Browser:
    """A client seen through the TLS-terminating proxy: every request says it came
    over HTTPS, and the browser's cookies (Secure ones too) go back with it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}
        self.static_checked: set[str] = set()

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_SECONDS
        )
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = raw
        return response.status, dict(response.headers.items()), data

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def follow(self, path: str) -> tuple[str, int, dict[str, str], bytes]:
        """GET, following same-site redirects; the final path with the response."""
        for _hop in range(5):
            status, headers, body = self.get(path)
            if status not in (301, 302, 303):
                return path, status, headers, body
            location = urlsplit(headers["Location"])
            if location.netloc and location.netloc != f"127.0.0.1:{self.port}":
                raise SmokeFailure(f"{path} redirected off-site to {location.geturl()}")
            path = location.path + (f"?{location.query}" if location.query else "")
        raise SmokeFailure(f"too many redirects from {path}")


def csrf_token(html: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise SmokeFailure("no CSRF token in the form")
    return match.group(1).decode()


def static_paths(html: bytes) -> list[str]:
    return sorted(
        {m.decode() for m in re.findall(rb'(?:src|href)="(/static/[^"?#]+)', html)}
    )


def check_static(browser: Browser, html: bytes, page: str) -> None:
    """Every static file the page links has a hashed name and loads."""
    paths = static_paths(html)
    check(bool(paths), f"{page} links static files", "none found")
    unhashed = [p for p in paths if not re.search(r"\.[0-9a-f]{12}\.\w+$", p)]
    check(not unhashed, f"{page}: every static file has a hashed name", str(unhashed))
    for path in paths:
        if path in browser.static_checked:
            continue
        browser.static_checked.add(path)
        status, headers, body = browser.get(path)
        check(
            status == 200 and len(body) > 0,
            f"static {path} loads ({headers.get('Content-Type', '?')})",
            f"status {status}",
        )
        check(
            "max-age=315360000" in headers.get("Cache-Control", ""),
            f"static {path} is cached for good (immutable name)",
            headers.get("Cache-Control", "no Cache-Control"),
        )


def sign_in(browser: Browser, totp_key: str) -> None:
    from django_otp.oath import totp

    status, _h, html = browser.get("/accounts/login/")
    check(status == 200, "the sign-in page answers 200", f"status {status}")
    status, headers, _b = browser.request(
        "POST",
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": csrf_token(html),
            "username": "coordinator",
            "password": PASSWORD,
        },
    )
    location = headers.get("Location", "")
    check(
        status == 302 and "/accounts/2fa/verify/" in location,
        "the password step sends a coordinator to the TOTP step",
        f"status {status}, Location {location!r}",
    )
    session = browser.cookie_flags.get("sessionid", "")
    check(
        "Secure" in session and "HttpOnly" in session,
        "the session cookie is Secure and HttpOnly",
        session,
    )
    status, headers, _b = browser.get("/")
    check(
        status == 302 and "/accounts/2fa/verify/" in headers.get("Location", ""),
        "before the code, the start page sends back to the TOTP step",
        f"status {status}",
    )
    status, _h, html = browser.get("/accounts/2fa/verify/")
    check(status == 200, "the TOTP page answers 200", f"status {status}")
    code = f"{totp(bytes.fromhex(totp_key)):06d}"
    status, headers, _b = browser.request(
        "POST",
        "/accounts/2fa/verify/",
        {"csrfmiddlewaretoken": csrf_token(html), "token": code},
    )
    check(
        status == 302 and "/accounts/2fa/" not in headers.get("Location", ""),
        "the TOTP code signs the coordinator in",
        f"status {status}, Location {headers.get('Location')!r}",
    )


def run(tmp: Path) -> None:
    port = free_port()
    env = production_env(tmp, port)
    say(f"DEBUG=false, everything under {tmp}, gunicorn on 127.0.0.1:{port}")

    output = manage(env, "collectstatic", "--noinput")
    check("post-processed" in output, "collectstatic wrote hashed names", output[-300:])
    manifest = tmp / "static" / "staticfiles.json"
    check(manifest.exists(), "the static files manifest exists")

    output = manage(env, "check", "--deploy")
    found = set(re.findall(r"\?: \((\S+)\)", output))
    unexpected = found - ACCEPTED_WARNINGS
    check(
        not unexpected,
        f"check --deploy: no warning beyond {sorted(ACCEPTED_WARNINGS)}",
        output,
    )

    manage(env, "migrate", "--noinput", "--verbosity", "0")
    say("ok   migrate")
    manage(env, "create_collaboration", "smoke", "Smoke EST")
    seeded = manage(env, "shell", "-c", SEED.format(password=PASSWORD))
    totp_key = json.loads(seeded.strip().splitlines()[-1])["key"]
    say("ok   an area, a coordinator with a TOTP device, three reports")
    output = manage(env, "generate_picture", "--collaboration", "smoke")
    match = re.search(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", output
    )
    check(match is not None, "generate_picture printed the picture's code", output)
    assert match is not None
    picture = match.group(0)

    with gunicorn(env, port, tmp / "gunicorn.log"):
        browser = Browser(port)
        status, headers, _b = browser.get("/healthz")
        check(status == 200, "/healthz answers 200", f"status {status}")
        check(
            "max-age=31536000" in headers.get("Strict-Transport-Security", ""),
            "HSTS is sent over HTTPS",
        )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{port}"})
        plain = conn.getresponse()
        plain.read()
        conn.close()
        check(
            plain.status == 301
            and plain.getheader("Location", "").startswith("https://"),
            "plain HTTP is redirected to HTTPS",
            f"status {plain.status}",
        )

        sign_in(browser, totp_key)

        path, status, _h, html = browser.follow("/")
        check(status == 200, "the start page answers 200", f"{path}: status {status}")
        check(b"Smoke EST" in html, "the start page names the collaboration")
        check_static(browser, html, "the start page")

        status, _h, html = browser.get("/reports/")
        check(status == 200, "the reports map answers 200", f"status {status}")
        check(
            b"leaflet.markercluster." in html,
            "the reports map links Leaflet's marker clusters (with its source map)",
        )
        check_static(browser, html, "the reports map")

        status, _h, html = browser.get(f"/pictures/{picture}/")
        check(status == 200, "the situation picture answers 200", f"status {status}")
        check_static(browser, html, "the picture")

        status, headers, body = browser.get(f"/pictures/{picture}/pdf/")
        check(
            status == 200 and headers.get("Content-Type", "").startswith("text/html"),
            "the PDF is queued for the task worker (a progress page)",
            f"status {status}, {headers.get('Content-Type')}",
        )
        manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
        say("ok   db_worker ran the queued PDF job")
        status, headers, body = browser.get(f"/pictures/{picture}/pdf/")
        check(
            status == 200
            and headers.get("Content-Type") == "application/pdf"
            and body.startswith(b"%PDF"),
            f"the picture's PDF downloads ({len(body)} bytes)",
            f"status {status}, {headers.get('Content-Type')}, {body[:60]!r}",
        )

        status, _h, _b = browser.get("/static/css/site.css")
        check(status == 200, "an unhashed static name still answers (WhiteNoise)")
        say(f"checked {len(browser.static_checked)} linked static files")

    log = (tmp / "gunicorn.log").read_text()
    errors = [line for line in log.splitlines() if '" 5' in line or "Traceback" in line]
    check(not errors, "gunicorn logged no server error", "\n".join(errors[:10]))


def main() -> int:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="samsyn-smoke-"))
    try:
        run(tmp)
    except (SmokeFailure, subprocess.TimeoutExpired, OSError) as exc:
        print(f"smoke: FAILED {exc}", file=sys.stderr, flush=True)
        log = tmp / "gunicorn.log"
        if log.exists():
            print("smoke: gunicorn's log:\n" + log.read_text()[-4000:], file=sys.stderr)
        print(f"smoke: files kept in {tmp}", file=sys.stderr)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    say(f"PASSED in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
