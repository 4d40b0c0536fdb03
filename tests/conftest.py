"""Shared fixtures: a ``store`` of each kind, and a throwaway PostgreSQL server.

The server is started once per test session from the machine's PostgreSQL binaries
(/usr/lib/postgresql/*/bin or PATH) in a temporary folder, listening only on a Unix
socket; each test gets an emptied database. As root, the server runs as the
``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from factdesk.model import Figure, Sentence, Source
from factdesk.segment import segment
from factdesk.store import SQLiteStore


def make_source(text: str, url: str | None = None, **fields) -> tuple[Source, list[Sentence]]:
    source = Source(text=text, url=url, **fields)
    return source, segment(text, source.id)


def figure_at(source: Source, sentences: list[Sentence], surface: str, **fields) -> Figure:
    start = source.text.index(surface)
    sentence = next(s for s in sentences if s.start <= start < s.end)
    return Figure(
        source_id=source.id, sentence_index=sentence.index, start=start, end=start + len(surface),
        surface=surface, value=float(surface.replace(",", "")), quote=sentence.text,
        quote_start=sentence.start, quote_end=sentence.end, **fields,
    )


# ---- a throwaway PostgreSQL server ------------------------------------------------------------
def _pg_bin() -> Path | None:
    """The folder of the newest installed PostgreSQL server binaries, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A running throwaway server; ``url(db)`` is a libpq URL over its Unix socket."""

    def __init__(self, bin_dir: Path, root: Path, as_user: str | None):
        self.bin, self.root, self.port = bin_dir, root, _free_port()
        self.data, self.socket_dir = root / "data", root / "socket"
        self.prefix = ["runuser", "-u", as_user, "--"] if as_user else []

    def _run(self, *cmd: str) -> None:
        done = subprocess.run([*self.prefix, *cmd], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{Path(cmd[0]).name} failed: {(done.stderr or done.stdout).strip()}")

    def start(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "factdesk", "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        subprocess.run([*self.prefix, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60)

    def url(self, dbname: str) -> str:
        return f"postgresql://factdesk@/{dbname}?host={self.socket_dir}&port={self.port}"

    def fresh_database(self) -> str:
        """The URL of the test database, emptied (faster than creating one per test)."""
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'factdesk_test'").fetchone():
                conn.execute("CREATE DATABASE factdesk_test")
        url = self.url("factdesk_test")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return url


@pytest.fixture(scope="session")
def pg_server():
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'factdesk[postgres]'")
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine: "
                    "install Debian's postgresql package to run the PostgreSQL tests")
    as_user = None
    if os.geteuid() == 0:
        as_user = "postgres"
        if shutil.which("runuser") is None or subprocess.run(["id", as_user], capture_output=True).returncode:
            pytest.skip("running as root, and there is no 'postgres' user to run a PostgreSQL server as")
    root = Path(tempfile.mkdtemp(prefix="factdesk-pg-"))
    (root / "socket").mkdir()
    if as_user:
        shutil.chown(root, as_user)
        shutil.chown(root / "socket", as_user)
    server = PostgresServer(bin_dir, root, as_user)
    try:
        server.start()
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start a throwaway PostgreSQL server: {e}")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """The URL of an empty database on the throwaway server."""
    return pg_server.fresh_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty library in each store implementation."""
    if request.param == "sqlite":
        with SQLiteStore(tmp_path / "lib.db") as opened:
            yield opened
    else:
        from factdesk.store.postgres import PostgresStore

        with PostgresStore(request.getfixturevalue("pg_url")) as opened:
            yield opened
