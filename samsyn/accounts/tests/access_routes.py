"""Access expectations for the accounts URLs (see organisations/tests/test_isolation)."""

from __future__ import annotations

from typing import Any


def routes(kit: Any) -> dict[str, Any]:
    Route, everyone = kit.Route, kit.everyone
    return {
        # Anyone signed in may turn on two-factor sign-in.
        "accounts:otp_setup": Route("GET", lambda w: "/accounts/2fa/", everyone(200)),
        # Without an enrolled device the code page sends you to enrolment.
        "accounts:otp_verify": Route(
            "GET", lambda w: "/accounts/2fa/verify/", everyone(302)
        ),
        # Single sign-on is off unless SAMSYN_OIDC_ISSUER is set.
        "accounts:oidc_login": Route(
            "GET", lambda w: "/accounts/sso/", everyone(404, anonymous=404)
        ),
        "accounts:oidc_callback": Route(
            "GET",
            lambda w: "/accounts/sso/callback/?code=x&state=y",
            everyone(404, anonymous=404),
        ),
        # The audit log: administrators (VIEW_AUDIT) of the collaboration only.
        "accounts:audit": Route(
            "GET", lambda w: "/accounts/audit/", everyone(404, **{kit.ADAM: 200})
        ),
    }


def build(world: Any, kit: Any) -> None:
    """Audit entries about the restricted report, which the administrator must not
    be able to trace to its code."""
    from samsyn.organisations.models import record

    record(world.users[kit.PETRA], "report.submitted", world.restricted)
    record(world.users[kit.ALICE], "report.viewed_restricted", world.restricted)
    record(world.users[kit.CARL], "report.submitted", world.south)
