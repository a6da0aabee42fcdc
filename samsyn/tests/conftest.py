"""Reports the number of generated schemathesis requests in the terminal summary."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    module = sys.modules.get("samsyn.tests.test_schemathesis")
    if module is None or not module.CALLS[0]:
        return
    terminalreporter.write_line(
        f"schemathesis: {module.CALLS[0]} requests, roles {','.join(module.ROLES)}, "
        f"up to {module.EXAMPLES} cases per operation and role"
    )
