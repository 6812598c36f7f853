"""Helpers of the deployment test: the processes of a deployment on this machine, a reverse
proxy in front of the web servers, plain HTTP clients with addresses of their own, and the QR
code read back from a rendered PDF.

Loopback addresses stand for the machines of a real deployment (Linux routes all of 127/8 to
the loopback interface, so any of them can be bound without configuration):

- 127.0.0.1: the web servers and the proxy listen there; the test talks to a web server directly
  from there;
- 127.0.0.2: the proxy's side towards the web servers (the one address in TRUSTED_PROXIES);
- 127.0.0.10 and up: the citizens, each its own address, who reach the portal through the proxy.
"""

import contextlib
import http.client
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROXY_OUTBOUND_ADDRESS = "127.0.0.2"
# Who answered, for the test to see the round robin (a real proxy would not say).
BACKEND_HEADER = "X-Topology-Backend"
PR_SET_PDEATHSIG = 1  # linux/prctl.h
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


class TopologyError(AssertionError):
    """A process of the topology did not start, or stopped: the logs say why."""


# --- Processes ------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path
    url: str = ""  # web servers: where they listen

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        """To the process group this Popen started (its own session): gunicorn's arbiter and
        its workers together."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM, then SIGKILL after `timeout` seconds."""
        if self.popen.poll() is None:
            self.signal(signal.SIGTERM)
        self.finish(time.monotonic() + timeout)

    def finish(self, deadline: float) -> None:
        """Wait for the process until `deadline`, then SIGKILL its group."""
        try:
            self.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{self.name} did not stop on SIGTERM: killed")
        # The group may outlive its leader for an instant (gunicorn's workers).
        self.signal(signal.SIGKILL)
        self.popen.wait()


@dataclass
class Topology:
    """The processes started for one test, each with its own folder and log; `stop_all` stops
    every one of them, whatever happened."""

    base: Path
    environment: dict[str, str]
    processes: list[Process] = field(default_factory=list)

    def var_dir(self, name: str) -> Path:
        folder = self.base / name / "var"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        extra_env: dict[str, str] | None = None,
        pass_fds: tuple[int, ...] = (),
        url: str = "",
    ) -> Process:
        environment = {
            **self.environment,
            "ANEF_VAR_DIR": str(self.var_dir(name)),
            **(extra_env or {}),
        }
        log_path = self.base / name / "output.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-c", TERMINATE_WITH_PARENT, *argv],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                pass_fds=pass_fds,
                start_new_session=True,
            )
        process = Process(name=name, popen=popen, log_path=log_path, url=url)
        self.processes.append(process)
        return process

    def stop_all(self, timeout: float = 20) -> None:
        """SIGTERM to every process at once, SIGKILL to those still running after `timeout`."""
        for process in self.processes:
            if process.alive():
                process.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes:
            try:
                process.finish(deadline)
            except Exception as error:
                print(f"stopping {process.name} failed: {error!r}")

    def logs(self, tail: int = 6000) -> str:
        return "\n".join(
            f"===== {process.name} (exit {process.popen.poll()}) =====\n{process.log()[-tail:]}"
            for process in self.processes
        )

    def check_alive(self) -> None:
        dead = [p.name for p in self.processes if not p.alive()]
        if dead:
            raise TopologyError(f"stopped early: {', '.join(dead)}")


# Runs each command in a child that gets SIGTERM when the test process dies, even killed
# outright so that no finalizer runs (Linux's PR_SET_PDEATHSIG, kept across exec). Set in the
# child after it started rather than in a `preexec_fn`, which is unsafe in a process with
# threads (pytest-xdist's workers have some).
TERMINATE_WITH_PARENT = (
    "import ctypes, os, signal, sys; "
    f"ctypes.CDLL(None, use_errno=True).prctl({PR_SET_PDEATHSIG}, signal.SIGTERM); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def listening_socket() -> socket.socket:
    """A socket bound to a free port and listening, handed to gunicorn (`--bind fd://N`): the
    port is never free for anyone else between choosing it and serving on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def wait_until(condition, timeout: float, what: str, topology: Topology | None = None):
    """Poll `condition` (a function returning something true when done) until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if topology is not None:
            topology.check_alive()
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TopologyError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.25)


# --- HTTP -----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def request(
    url: str,
    path: str,
    *,
    source: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> Response:
    """GET `path` from `url` (http://host:port), the connection made from address `source`."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(
        host, int(port), timeout=timeout, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return Response(
            status=answer.status,
            headers={key.lower(): value for key, value in answer.getheaders()},
            body=answer.read().decode("utf-8", errors="replace"),
        )
    finally:
        connection.close()


def answers(url: str, path: str = "/healthz/live") -> bool:
    try:
        return request(url, path, timeout=5).status == 200
    except OSError:
        return False


class ReverseProxy:
    """A tiny reverse proxy of the standard library: round robin over the web servers, the
    client's address appended to X-Forwarded-For (what nginx's `$proxy_add_x_forwarded_for`
    does: a header the client sent is kept, to the left), connections to the web servers made
    from PROXY_OUTBOUND_ADDRESS."""

    def __init__(self, backends: dict[str, str]):
        self.backends = backends
        self._turns = itertools.cycle(sorted(backends))
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                proxy.forward(self)

            def do_POST(self):
                proxy.forward(self)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "ReverseProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._thread.is_alive():  # shutdown() waits for a loop that was never started
            self.server.shutdown()
        self.server.server_close()

    def next_backend(self) -> str:
        with self._lock:
            return next(self._turns)

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        name = self.next_backend()
        host, port = self.backends[name].removeprefix("http://").split(":")
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {
            key: value
            for key, value in handler.headers.items()
            if key.lower() not in HOP_BY_HOP and key.lower() != "x-forwarded-for"
        }
        seen = handler.client_address[0]
        earlier = handler.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{earlier}, {seen}" if earlier else seen
        connection = http.client.HTTPConnection(
            host, int(port), timeout=60, source_address=(PROXY_OUTBOUND_ADDRESS, 0)
        )
        try:
            connection.request(handler.command, handler.path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            handler.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(content)))
            handler.send_header(BACKEND_HEADER, name)
            handler.end_headers()
            handler.wfile.write(content)
        except OSError as error:
            handler.send_error(502, f"{name}: {error}")
        finally:
            connection.close()


# --- The QR code of a rendered PDF ----------------------------------------------------------
