"""A throwaway PostgreSQL server for the tests: Debian's ``postgresql`` binaries, 127.0.0.1, a free port.

``PostgresServer`` runs ``initdb`` into a temporary folder and ``pg_ctl start`` on it, with TCP on 127.0.0.1 only
and a password (scram-sha-256), so a test can also try a wrong one. As root (the CI machine), the cluster runs as
the ``postgres`` system user the package creates, since PostgreSQL refuses to run as root. ``stop()`` shuts it
down and removes its files. Tests ask for the session-wide ``postgres_server`` fixture (conftest imports it), so
the suite starts one server however many tests use it, and stops it at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.browser_helpers import free_port

USER = "studio"
PASSWORD = "studio-test-password"
DATABASE = "studio"


def _bindir() -> Path | None:
    """The newest installed PostgreSQL's binaries (``/usr/lib/postgresql/<version>/bin``), or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1:``port``."""

    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (make test does it as root)")
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="studio-pg-"))
        self.datadir = self.root / "data"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL will not run as root; the Debian package's system user runs it.
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the test database (psycopg 3 driver)."""
        return f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def url_with(self, *, user: str = USER, password: str = PASSWORD, database: str = DATABASE,
                 port: int | None = None) -> str:
        """A URL with one part changed (a wrong password, a missing database, a port nobody listens on)."""
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port or self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_user, *command], check=True, capture_output=True, text=True,
                       cwd=self.root)

    def start(self) -> "PostgresServer":
        password_file = self.root / "password"
        password_file.write_text(PASSWORD + "\n")
        if self._as_user:
            shutil.chown(password_file, "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", USER, "--pwfile", str(password_file),
                  "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "start")
        self._createdb()
        return self

    def _createdb(self) -> None:
        environment = {**os.environ, "PGPASSWORD": PASSWORD}
        subprocess.run([*self._as_user, str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", USER, DATABASE], check=True, capture_output=True, text=True, cwd=self.root,
                       env=environment)

    def stop(self) -> None:
        if self.datadir.exists():
            subprocess.run([*self._as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast",
                            "-w", "stop"], capture_output=True, text=True, cwd=self.root)
        shutil.rmtree(self.root, ignore_errors=True)


def postgres_fixture():
    """A module- or session-scoped pytest fixture body: ``postgres = pytest.fixture(scope=...)(postgres_fixture)``.

    Skips nothing: without PostgreSQL the test fails and says how to install it, since `make test` installs it.
    """
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


postgres_server = pytest.fixture(scope="session")(postgres_fixture)
