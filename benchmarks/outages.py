"""Faults a check or a test can cause without touching anything it did not
start: a redis-server of its own to stop, freeze and resume, and a TCP proxy
in front of PostgreSQL whose connections it can cut. Used by faults.py and by
the fault tests (tests/test_redis_outage.py, tests/test_task_worker.py)."""

import os
import selectors
import signal
import socket
import subprocess
import threading
import time

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """SIGTERM, and SIGKILL if it has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class PrivateRedis:
    """A redis-server on a free port of 127.0.0.1, nothing saved; signalled by its own pid only."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        self.frozen = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.resume()
        stop_process(self.process)
        self.process = None

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)
        self.frozen = True

    def resume(self) -> None:
        if self.frozen:
            os.kill(self.process.pid, signal.SIGCONT)
            self.frozen = False


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server, in a thread. `cut()` closes every
    connection and refuses new ones (as a database that went away), until
    `restore()`; `delay` holds each message to the server back, as a network would."""

    def __init__(self, target_host: str, target_port: int, *, delay: float = 0.0):
        # `delay`: seconds each message towards the server waits, as a server across a network would.
        self.target = (target_host, target_port)
        self.delay = delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_cut = False
        self.connections = 0
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.is_cut:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._pairs.append((client, upstream))
                self.connections += 1
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client, upstream):
        peers = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for end in peers:
                selector.register(end, selectors.EVENT_READ)
            try:
                while True:
                    for key, _ in selector.select(timeout=0.5):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        if self.delay and key.fileobj is client:
                            time.sleep(self.delay)
                        peers[key.fileobj].sendall(data)
                    if self.is_cut or self._stopping:
                        return
            except OSError:
                return
            finally:
                self._close(client, upstream)

    def _close(self, client, upstream):
        with self._lock:
            if (client, upstream) in self._pairs:
                self._pairs.remove((client, upstream))
        for end in (client, upstream):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def cut(self) -> None:
        self.is_cut = True
        with self._lock:
            pairs = list(self._pairs)
        for client, upstream in pairs:
            self._close(client, upstream)

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self._stopping = True
        self.cut()
        self.listener.close()
        self._thread.join(timeout=5)
