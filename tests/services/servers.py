"""Small stand-ins for the servers the portal talks to, each owned by the test that starts it."""

import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _ListeningServer:
    """A socket on a free local port whose connections a daemon thread hands to ``_handle``."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self._handle(conn)

    def _handle(self, conn):
        raise NotImplementedError

    def close(self):
        self.sock.close()


class SilentSMTPServer(_ListeningServer):
    """Accepts connections and never says a word: a mail server that hangs."""

    def __init__(self):
        self.connections = []
        super().__init__()

    def _handle(self, conn):
        self.connections.append(conn)

    def close(self):
        super().close()
        for conn in self.connections:
            conn.close()


class RecordingSMTPServer(_ListeningServer):
    """Just enough SMTP to accept mail and keep each message's DATA."""

    def __init__(self):
        self.messages = []
        super().__init__()

    def _handle(self, conn):
        threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 test ESMTP\r\n")
            while line := lines.readline():
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    conn.sendall(b"250 test\r\n")
                elif command == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    data = []
                    while (part := lines.readline()) not in (b".\r\n", b""):
                        data.append(part)
                    self.messages.append(b"".join(data).decode("utf-8", "replace"))
                    conn.sendall(b"250 queued\r\n")
                elif command == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:
                    conn.sendall(b"250 ok\r\n")

    def wait_for(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.messages


class RedisServer:
    """A redis-server process of our own, on its own port: stopping it leaves the shared Redis alone."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the services suite"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def start_celery_worker(env):
    """A Celery worker process (solo pool, output on its stdout) with ``env``, after emptying the queue
    so that earlier runs cannot interfere. The caller stops it."""
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "nmp_portal", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nmp_portal",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
