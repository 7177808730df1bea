"""A throwaway PostgreSQL 15 server for benchmarks: a temp folder, a free loopback port, gone after.

    with TempPostgres() as pg:          # raises PostgresUnavailable if it cannot start
        url = pg.create_database("bench")  # postgresql://postgres@127.0.0.1:PORT/bench

As ../shared/MACHINE-NOTES.md describes: initdb refuses to run as root, so when we are root the
cluster is owned by and run as the `postgres` system user (runuser). Trust authentication, bound
to 127.0.0.1 only; the socket lives in the temp folder too. `stop()` (or leaving the `with`)
shuts the server down (fast mode) and removes the folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.sandbox.processes import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT_S = 30


class PostgresUnavailable(RuntimeError):
    """The server could not be set up or started; the message says why, in one line."""


class TempPostgres:
    def __init__(self, *, settings: dict[str, str] | None = None) -> None:
        # Extra `-c name=value` server settings (e.g. {"synchronous_commit": "off"}).
        self.settings = dict(settings or {})
        self.port = 0
        self.folder: Path | None = None
        self._running = False

    @property
    def root_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> TempPostgres:
        if not (PG_BIN / "initdb").exists():
            raise PostgresUnavailable(f"no PostgreSQL binaries in {PG_BIN}")
        self.folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        self.folder.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        try:
            self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
            self.port = free_port()
            options = [f"-p {self.port}", f"-k {self.folder}", "-c listen_addresses=127.0.0.1"]
            options += [f"-c {name}={value}" for name, value in self.settings.items()]
            self._run(
                "pg_ctl",
                "-D",
                str(data),
                "-o",
                " ".join(options),
                "-l",
                str(self.folder / "log"),
                "-w",
                "-t",
                str(START_TIMEOUT_S),
                "start",
            )
            self._running = True
        except PostgresUnavailable:
            self.stop()
            raise
        return self

    def create_database(self, name: str) -> str:
        host = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q"]
        self._run("psql", *host, "-c", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._running and self.folder is not None:
            try:
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
            except PostgresUnavailable:
                pass
            self._running = False
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> TempPostgres:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True, timeout=60)
        except FileNotFoundError as error:
            raise PostgresUnavailable(f"{tool}: {error}") from None
        except subprocess.TimeoutExpired:
            raise PostgresUnavailable(f"{tool} timed out") from None
        except subprocess.CalledProcessError as error:
            detail = (error.stderr or error.stdout or "").strip().splitlines()
            raise PostgresUnavailable(f"{tool} failed: {detail[-1] if detail else error}") from None
