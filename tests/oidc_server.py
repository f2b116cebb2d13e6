"""A real OpenID Provider for the single sign-on tests: npm's oidc-provider, on loopback.

tests/oidc_provider/provider.mjs runs it; `.ci/run` installs it (`npm ci` there). The tests steer
who signs in and what goes wrong through its /test/* control paths, and reach the provider the way
a browser would, by following its redirects until they come back to the portal.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx

HERE = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "trackmycrime-test"
CLIENT_SECRET = "a-client-secret-only-the-provider-and-the-portal-know"
PORTAL = "http://testserver"
STARTUP_SECONDS = 90


class OpenIdProvider:
    def __init__(self, portal: str = PORTAL) -> None:
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("the test OpenID Provider needs node and `npm ci` in tests/oidc_provider")
        # What node says on stderr goes to a file, so that a provider that fails to start says why.
        self._errors = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [
                node,
                str(HERE / "provider.mjs"),
                CLIENT_ID,
                CLIENT_SECRET,
                f"{portal}/officer/sso/callback",
                f"{portal}/officer/sign-in?signed_out=1",
            ],
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
        )
        assert self.process.stdout is not None
        # A busy CI machine once took more than 20 s; waiting longer costs nothing when it is quick.
        ready, _, _ = select.select([self.process.stdout], [], [], STARTUP_SECONDS)
        first_line = self.process.stdout.readline() if ready else ""
        if not first_line:
            exit_code, said = self.process.poll(), self.errors()[-2000:]
            self.stop()
            raise RuntimeError(
                f"the test OpenID Provider did not start (exit code {exit_code}, "
                f"waited up to {STARTUP_SECONDS} s): {said}"
            )
        self.issuer: str = json.loads(first_line)["issuer"]

    def errors(self) -> str:
        self._errors.seek(0)
        return self._errors.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._errors.close()

    def _control(self, what: str, body: dict[str, Any] | None = None) -> None:
        response = httpx.post(f"{self.issuer}/test/{what}", json=body or {})
        assert response.status_code == 204, response.text

    def reset(self) -> None:
        """No accounts, no faults: as started (its signing key stays as it is)."""
        self._control("reset")

    def add_account(self, account_id: str, **claims: Any) -> None:
        """An account the provider knows; `disabled=True` is one it no longer accepts."""
        self._control("accounts", {account_id: claims})

    def next_sign_in(self, account_id: str, *, amr: tuple[str, ...] = ("pwd",)) -> None:
        """Who signs in at the provider next (as if they typed their details there)."""
        self._control("next-login", {"account": account_id, "amr": list(amr)})

    def faults(self, **faults: Any) -> None:
        """tamper=EMAIL, issued_hours_ago=N, drop_nonce=True, hide_keys=True, id_token_seconds=N."""
        self._control("faults", faults)

    def rotate_keys(self) -> None:
        self._control("rotate-keys")


async def visit_provider(url: str) -> str:
    """Follow the provider's redirects as a browser would; the portal address it sends us back to."""
    async with httpx.AsyncClient() as browser:
        for _ in range(10):
            response = await browser.get(url)
            assert response.status_code in (302, 303), f"{url}: {response.status_code} {response.text[:300]}"
            url = urljoin(url, response.headers["location"])
            if url.startswith(PORTAL):
                return url.removeprefix(PORTAL)
    raise AssertionError("the provider never sent the browser back")
