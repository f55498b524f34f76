"""Start the Elasticsearch test node: one real Elasticsearch 8 node in one JVM.

Standard library only, so that the test session, the benchmark and ``make elasticsearch`` can all
use it before anything else is installed.

    handle = start_node()            # free port, temporary folder
    handle.url                       # "http://127.0.0.1:40123"
    handle.stop()

    python tools/elasticsearch/node.py --port 9200     # foreground, Ctrl-C stops it

The jars come from Maven Central (``pom.xml`` next to this file) the first time, into ``lib/``
(kept out of git). ``Launcher.java`` explains how the node is put together.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent
POM = TOOLS_DIR / "pom.xml"
LAUNCHER = TOOLS_DIR / "Launcher.java"
LIB_DIR = TOOLS_DIR / "lib"
# Written last by a complete download; holds the hash of the pom it came from.
LIB_STAMP = LIB_DIR / ".complete"
READY_MARKER = "GUICHET-ELASTICSEARCH READY"

DEFAULT_JAVA_OPTS = (
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Dlog4j2.disable.jmx=true",
)
DOWNLOAD_TIMEOUT = 600.0
START_TIMEOUT = 120.0


class NodeError(RuntimeError):
    """The node could not be prepared or started; the message says why, with the output."""


def _pom_hash() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def jars_ready() -> bool:
    return LIB_STAMP.is_file() and LIB_STAMP.read_text().strip() == _pom_hash()


def ensure_jars(timeout: float = DOWNLOAD_TIMEOUT) -> Path:
    """Download the node's jars with Maven unless ``lib/`` already holds them for this pom.

    The jars go to a temporary folder renamed into place at the end, under a lock, so two
    sessions starting together never see half a download.
    """
    if jars_ready():
        return LIB_DIR
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NodeError("Maven (mvn) is not on PATH: it is needed once to download the Elasticsearch jars")
    lock_dir = TOOLS_DIR / "target"
    lock_dir.mkdir(exist_ok=True)
    with open(lock_dir / "lib.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if jars_ready():
            return LIB_DIR
        staging = Path(tempfile.mkdtemp(prefix="lib-", dir=lock_dir))
        command = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", f"-Dguichet.lib={staging}"]
        try:
            completed = subprocess.run(
                command, cwd=TOOLS_DIR, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise NodeError(f"Maven did not finish downloading the Elasticsearch jars in {timeout:.0f} s") from error
        if completed.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise NodeError(
                f"{' '.join(command)} failed (exit {completed.returncode}):\n"
                f"{completed.stdout[-4000:]}{completed.stderr[-4000:]}"
            )
        (staging / LIB_STAMP.name).write_text(_pom_hash() + "\n")
        if LIB_DIR.exists():
            shutil.rmtree(LIB_DIR)
        staging.rename(LIB_DIR)
    return LIB_DIR


class NodeHandle:
    """A running node: ``url``, ``port``, ``home``; ``stop()`` ends it and removes its folder."""

    def __init__(self, process: subprocess.Popen, home: Path, remove_home: bool, echo: bool):
        self.process = process
        self.home = home
        self.url: str | None = None
        self._remove_home = remove_home
        self._echo = echo
        self._output: collections.deque[str] = collections.deque(maxlen=200)
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read_output, name="elasticsearch-output", daemon=True)
        self._reader.start()

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def _read_output(self) -> None:
        # Drains the node's output for its whole life, so a full pipe never blocks the JVM.
        for line in self.process.stdout:
            line = line.rstrip("\n")
            self._output.append(line)
            if self._echo:
                print(line, flush=True)
            if line.startswith(READY_MARKER):
                self.url = line.split()[-1]
                self._ready.set()
        self._ready.set()

    def output(self) -> str:
        return "\n".join(self._output)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self._ready.wait(timeout)
        if self.url is None:
            code = self.process.poll()
            why = f"exited with code {code}" if code is not None else f"did not start in {timeout:.0f} s"
            raise NodeError(f"the Elasticsearch node {why}; its output:\n{self.output()}")
        while True:
            remaining = deadline - time.monotonic()
            try:
                health = _get_json(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s", timeout=10)
                if health.get("status") in ("yellow", "green"):
                    return
            except (OSError, ValueError) as error:
                last_error = error
            else:
                last_error = f"cluster status {health.get('status')}"
            if remaining <= 0 or self.process.poll() is not None:
                raise NodeError(
                    f"the Elasticsearch node at {self.url} never became healthy ({last_error}); "
                    f"its output:\n{self.output()}"
                )
            time.sleep(0.5)

    def stop(self, timeout: float = 30.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(5)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if self._remove_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> NodeHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _get_json(url: str, timeout: float) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


def java_options() -> list[str]:
    extra = os.environ.get("GUICHET_ES_JAVA_OPTS", "").split()
    return [*DEFAULT_JAVA_OPTS, *extra]


def start_node(
    port: int = 0,
    home: str | os.PathLike | None = None,
    start_timeout: float = START_TIMEOUT,
    download_timeout: float = DOWNLOAD_TIMEOUT,
    echo: bool = False,
    arguments: tuple[str, ...] = (),
    java_heap: str | None = None,
) -> NodeHandle:
    """Start a node on 127.0.0.1 (``port`` 0 lets it pick a free one) and wait until it is healthy.

    Data goes to ``home``, or to a temporary folder removed by ``stop()``. Raises ``NodeError``
    with the reason and the node's output when it cannot start.
    """
    java = shutil.which("java")
    if java is None:
        raise NodeError("java is not on PATH: the Elasticsearch test node needs Java 17 or later")
    ensure_jars(download_timeout)
    remove_home = home is None
    home_path = Path(tempfile.mkdtemp(prefix="guichet-es-")) if home is None else Path(home)
    home_path.mkdir(parents=True, exist_ok=True)
    (home_path / "tmp").mkdir(exist_ok=True)
    command = [
        java,
        *java_options(),
        *([f"-Xms{java_heap}", f"-Xmx{java_heap}"] if java_heap else []),
        f"-Djava.io.tmpdir={home_path / 'tmp'}",
        "-cp",
        f"{LIB_DIR}/*",
        str(LAUNCHER),
        "--port",
        str(port),
        "--home",
        str(home_path),
        *arguments,
        "--exit-when-stdin-closes",
    ]
    process = subprocess.Popen(
        command,
        cwd=TOOLS_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        # Ctrl-C in a terminal goes to the whole foreground group: the node must be stopped by
        # its handle (cleanly, SIGTERM) rather than interrupted behind our back.
        start_new_session=True,
    )
    handle = NodeHandle(process, home_path, remove_home, echo)
    try:
        handle._wait_until_ready(start_timeout)
    except BaseException:
        handle.stop()
        raise
    return handle


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ClusterHandle:
    """Nodes of one cluster on loopback: ``url`` (every node, comma-separated), ``nodes``,
    ``stop_node(i)`` / ``start_node(i)`` (same name, ports and data: a node restarting), ``stop()``."""

    def __init__(self, cluster_name: str, count: int, java_heap: str, start_timeout: float):
        self.cluster_name = cluster_name
        self.names = [f"{cluster_name}-{number}" for number in range(1, count + 1)]
        self.http_ports = [_free_port() for _ in self.names]
        self.transport_ports = [_free_port() for _ in self.names]
        self.homes = [Path(tempfile.mkdtemp(prefix=f"guichet-es-{name}-")) for name in self.names]
        self.java_heap = java_heap
        self.start_timeout = start_timeout
        self.nodes: list[NodeHandle | None] = [None] * count

    @property
    def url(self) -> str:
        return ",".join(f"http://127.0.0.1:{port}" for port in self.http_ports)

    def _arguments(self, index: int) -> tuple[str, ...]:
        seeds = ",".join(f"127.0.0.1:{port}" for port in self.transport_ports)
        return ("--cluster-name", self.cluster_name, "--node-name", self.names[index],
                "--transport-port", str(self.transport_ports[index]), "--seed-hosts", seeds,
                "--initial-masters", ",".join(self.names))

    def start_node(self, index: int) -> NodeHandle:
        self.nodes[index] = start_node(self.http_ports[index], home=self.homes[index], start_timeout=self.start_timeout,
                                       arguments=self._arguments(index), java_heap=self.java_heap)
        return self.nodes[index]

    def start_all(self) -> None:
        errors = []

        def start(index):
            try:
                self.start_node(index)
            except BaseException as error:  # noqa: BLE001 - reported below, after every thread
                errors.append(error)

        threads = [threading.Thread(target=start, args=(index,)) for index in range(len(self.names))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            self.stop()
            raise NodeError(f"the Elasticsearch cluster did not start: {errors[0]}")

    def stop_node(self, index: int) -> None:
        node = self.nodes[index]
        if node is not None:
            node.stop()
            self.nodes[index] = None

    def stop(self) -> None:
        for index in range(len(self.nodes)):
            self.stop_node(index)
        for home in self.homes:
            shutil.rmtree(home, ignore_errors=True)


def start_cluster(count: int = 3, cluster_name: str = "guichet-test-cluster", java_heap: str = "512m",
                  start_timeout: float = 240.0) -> ClusterHandle:
    """``count`` nodes of one cluster on loopback (each master-eligible and data), each in its
    own JVM of ``java_heap``, finding each other through ``discovery.seed_hosts``."""
    ensure_jars(DOWNLOAD_TIMEOUT)
    cluster = ClusterHandle(cluster_name, count, java_heap, start_timeout)
    cluster.start_all()
    return cluster


class _Interrupted(Exception):
    pass


def _interrupt(*_signal) -> None:
    raise _Interrupted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Elasticsearch test node in the foreground.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GUICHET_ES_PORT", "9200")))
    parser.add_argument("--home", help="folder for data and logs (default: a temporary folder, removed at exit)")
    arguments = parser.parse_args(argv)
    try:
        node = start_node(port=arguments.port, home=arguments.home, echo=True)
    except NodeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Elasticsearch is ready on {node.url} (Ctrl-C stops it)", flush=True)
    # SIGTERM interrupts the sleep like Ctrl-C does (a handler touching a lock could deadlock
    # with the main thread inside that lock)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while node.process.poll() is None:
            time.sleep(1)
    except (KeyboardInterrupt, _Interrupted):
        pass
    finally:
        node.stop()
    return 0 if node.process.returncode in (0, -signal.SIGTERM, 128 + signal.SIGTERM) else node.process.returncode


if __name__ == "__main__":
    sys.exit(main())
