"""The production topology on one machine: ``make prod-local`` and the base of ``make bench``.

PgBouncer (transaction pooling) in front of PostgreSQL, gunicorn with the
production settings, a Celery worker and beat against Redis, and a local SMTP
sink, all run by honcho from the ``Procfile`` as children of one process:
Ctrl+C stops them all. Generated configuration lives in ``var/prod-local/``.

Run ``python -m benchmarks.prod_local --help`` for the options; every option
has an environment variable too (see ``Topology.from_env``).
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PROCFILE = ROOT / "Procfile"


_STARTED = time.monotonic()


def log(message):
    print(f"==> [{time.monotonic() - _STARTED:5.0f} s] {message}", flush=True)


@dataclass
class Topology:
    database: str = "nmp_prod_local"
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "postgres"
    redis: str = "redis://127.0.0.1:6379/12"
    web_port: int = 8013
    pgbouncer_port: int = 6413
    smtp_port: int = 2513
    # gunicorn's sync workers: 2 per core (4 on the 2-core reference machine),
    # each handles one request at a time; PgBouncer's pool matches the workers.
    web_workers: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    # Celery's prefork processes: 2 per core as well. Mail delivery waits on the mail server and the
    # database about half of its time, so one process per core would leave the cores idle meanwhile.
    celery_concurrency: int = field(default_factory=lambda: 2 * (os.cpu_count() or 1))
    workdir: Path = ROOT / "var" / "prod-local"

    @classmethod
    def from_env(cls, **overrides):
        env = os.environ
        values = {
            "database": env.get("PROD_LOCAL_DB"),
            "redis": env.get("PROD_LOCAL_REDIS_URL"),
            "web_port": env.get("PROD_LOCAL_PORT"),
            "pgbouncer_port": env.get("PROD_LOCAL_PGBOUNCER_PORT"),
            "web_workers": env.get("WEB_CONCURRENCY"),
        }
        values = {k: v for k, v in values.items() if v}
        values.update({k: v for k, v in overrides.items() if v is not None})
        topology = cls(**values)
        for name in ("web_port", "pgbouncer_port", "web_workers"):
            setattr(topology, name, int(getattr(topology, name)))
        return topology

    @property
    def url(self):
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def direct_database_url(self):
        """PostgreSQL itself: for migrations, seeding and VACUUM, which need a session of their own."""
        return f"postgres://{self.pg_user}@{self.pg_host}:{self.pg_port}/{self.database}"

    @property
    def pooled_database_url(self):
        return f"postgres://{self.pg_user}@127.0.0.1:{self.pgbouncer_port}/{self.database}"

    def secret_key(self):
        path = self.workdir / "secret_key"
        if not path.exists():
            self.workdir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def environment(self, *, pooled=True):
        """The process environment of every production process (as a deployment would set it)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_"))}
        env.update(
            {
                "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
                "DJANGO_SETTINGS_MODULE": "nmp_portal.settings.production",
                "DJANGO_SECRET_KEY": self.secret_key(),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": self.url,
                "DJANGO_CSRF_TRUSTED_ORIGINS": self.url,
                # Plain http on the loopback: no TLS to redirect to.
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DJANGO_SECURE_HSTS_SECONDS": "0",
                "DJANGO_LOG_LEVEL": "WARNING",
                "DATABASE_URL": self.pooled_database_url if pooled else self.direct_database_url,
                "DATABASE_TRANSACTION_POOLING": "true" if pooled else "false",
                "REDIS_URL": self.redis,
                "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
                "DJANGO_MEDIA_ROOT": str(self.workdir / "media"),
                "WEB_CONCURRENCY": str(self.web_workers),
                "CELERY_CONCURRENCY": str(self.celery_concurrency),
                "PROD_LOCAL_PORT": str(self.web_port),
                "PROD_LOCAL_SMTP_PORT": str(self.smtp_port),
                "PGBOUNCER_INI": str(self.workdir / "pgbouncer.ini"),
                "PGBOUNCER_BIN": pgbouncer_binary(),
                "PYTHONUNBUFFERED": "1",
            }
        )
        # The load generator posts from a handful of accounts on one address: lift the contribution limits
        # (feedback.ratelimits) unless the operator set them, so the figures measure the pages, not the 429.
        for name in (
            "RATE_LIMIT_COMMENTS",
            "RATE_LIMIT_PROPOSALS",
            "RATE_LIMIT_REPORTS",
            "RATE_LIMIT_VOTES",
            "RATE_LIMIT_RSVPS",
        ):
            env.setdefault(name, "1000000/m/user,1000000/m/ip")
        # Likewise the openings of personal invitation links per address (invitations.views).
        env.setdefault("INVITATIONS_LINK_RATE", "1000000")
        return env


def ensure_system_packages(*commands):
    """Install Debian packages for missing commands (pgbouncer, wrk) when we may; else say what to install."""
    packages = {"pgbouncer": "pgbouncer", "wrk": "wrk"}
    missing = [packages[c] for c in commands if shutil.which(c) is None and not Path(f"/usr/sbin/{c}").exists()]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(f"Missing {', '.join(missing)}: install with `sudo apt-get install {' '.join(missing)}`.")
    log(f"Installing {', '.join(missing)} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def pgbouncer_binary():
    return shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def write_pgbouncer_config(topology):
    """PgBouncer in transaction pooling mode, listening on the loopback only, logging to stdout."""
    topology.workdir.mkdir(parents=True, exist_ok=True)
    userlist = topology.workdir / "userlist.txt"
    userlist.write_text(f'"{topology.pg_user}" ""\n')
    ini = topology.workdir / "pgbouncer.ini"
    ini.write_text(
        "\n".join(
            [
                "[databases]",
                f"{topology.database} = host={topology.pg_host} port={topology.pg_port} dbname={topology.database}",
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {topology.pgbouncer_port}",
                "unix_socket_dir =",
                # PostgreSQL trusts the loopback here; a real deployment uses scram-sha-256 on both sides.
                "auth_type = trust",
                f"auth_file = {userlist}",
                "pool_mode = transaction",
                # Every web worker and Celery process holds one client connection (CONN_MAX_AGE);
                # they share a pool the size of the web workers plus headroom for the worker.
                "max_client_conn = 500",
                f"default_pool_size = {topology.web_workers + topology.celery_concurrency + 2}",
                "ignore_startup_parameters = extra_float_digits",
                "server_reset_query = DISCARD ALL",
                "log_connections = 0",
                "log_disconnections = 0",
                "",
            ]
        )
    )
    # pgbouncer drops root privileges to this user, who must read the files.
    for path in (topology.workdir, ini, userlist):
        with_mode = path.stat().st_mode | 0o005 if path.is_dir() else path.stat().st_mode | 0o004
        path.chmod(with_mode)
    return ini


def manage(topology, *args, pooled=False, quiet=True):
    env = topology.environment(pooled=pooled)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed")


def psql(topology, sql, database="postgres"):
    return subprocess.run(
        ["psql", "-h", topology.pg_host, "-p", str(topology.pg_port), "-U", topology.pg_user, "-d", database,
         "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip


def ensure_database(topology, *, recreate=False):
    if recreate:
        psql(topology, f'DROP DATABASE IF EXISTS "{topology.database}" WITH (FORCE)')
    exists = psql(topology, f"SELECT 1 FROM pg_database WHERE datname = '{topology.database}'")
    if not exists:
        log(f"Creating database {topology.database}")
        psql(topology, f'CREATE DATABASE "{topology.database}"')
    # Connections then start in UTC, so Django sends no SET TIME ZONE through the pooler.
    psql(topology, f"ALTER DATABASE \"{topology.database}\" SET timezone TO 'UTC'")


def prepare(topology, *, recreate=False):
    """Database, migrations, the NMP content and the collected static files."""
    ensure_system_packages("pgbouncer")
    ensure_database(topology, recreate=recreate)
    log("Migrating and loading the NMP content")
    manage(topology, "migrate", "--noinput")
    manage(topology, "load_nmp_content")
    log("Collecting static files")
    manage(topology, "collectstatic", "--noinput")
    write_pgbouncer_config(topology)


def wait_for(url, *, timeout=60, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the topology stopped while starting (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _port_in_use(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start(topology, *, output=None):
    """Start every process of the Procfile under honcho; returns once /healthz answers."""
    busy = [p for p in (topology.web_port, topology.pgbouncer_port, topology.smtp_port) if _port_in_use(p)]
    if busy:
        raise RuntimeError(f"port {busy[0]} is in use: is another prod-local or bench still running?")
    env = topology.environment(pooled=True)
    process = subprocess.Popen(
        [str(VENV_BIN / "honcho"), "start", "-f", str(PROCFILE), "-d", str(ROOT), "--no-prefix"]
        if output is not None
        else [str(VENV_BIN / "honcho"), "start", "-f", str(PROCFILE), "-d", str(ROOT)],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        start_new_session=True,
    )
    try:
        wait_for(f"{topology.url}/healthz", process=process)
    except BaseException:
        stop(process)
        raise
    return process


def stop(process, timeout=20):
    """Stop honcho and its children (honcho passes SIGTERM on and waits for them)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL database (default nmp_prod_local, or PROD_LOCAL_DB)")
    parser.add_argument("--port", type=int, dest="web_port", help="web port (default 8013, or PROD_LOCAL_PORT)")
    parser.add_argument("--recreate", action="store_true", help="drop and recreate the database first")
    args = parser.parse_args(argv)
    topology = Topology.from_env(database=args.database, web_port=args.web_port)
    prepare(topology, recreate=args.recreate)
    log(
        f"Starting PgBouncer :{topology.pgbouncer_port}, gunicorn ({topology.web_workers} workers) "
        f"at {topology.url}/, Celery worker and beat, SMTP sink :{topology.smtp_port}. Stop with Ctrl+C."
    )
    env = topology.environment(pooled=True)
    os.chdir(ROOT)
    os.execve(str(VENV_BIN / "honcho"), ["honcho", "start", "-f", str(PROCFILE)], env)


if __name__ == "__main__":
    main()
