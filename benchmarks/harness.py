"""What every benchmark needs: a database of its own, never anyone's data; and,
for those that serve the site, gunicorn on 127.0.0.1 and wrk to load it."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def throwaway_database(name: str, *, keep: bool = False):
    """Create and use a database just for this run (`name` on PostgreSQL, a
    temporary file on SQLite), and drop it afterwards unless `keep`. Yields a
    temporary folder for the run's other files, removed with it."""
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    temporary_dir = tempfile.mkdtemp(prefix=f"{name}_")
    # The connection already holds this dict with its TEST defaults filled in.
    sqlite = connection.vendor == "sqlite"
    database["TEST"]["NAME"] = os.path.join(temporary_dir, f"{name}.sqlite3") if sqlite else name
    original_name = database["NAME"]
    print(f"Creating the benchmark database {database['TEST']['NAME']} ({connection.vendor})...", flush=True)
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    except BaseException:
        shutil.rmtree(temporary_dir, ignore_errors=True)
        raise
    try:
        yield temporary_dir
    finally:
        if keep:
            print(f"Kept the benchmark database {settings.DATABASES['default']['NAME']}.")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            print(f"Dropped the benchmark database {database['TEST']['NAME']}.")
        if not (keep and sqlite):
            shutil.rmtree(temporary_dir, ignore_errors=True)


def database_url(settings_dict):
    """A postgres:// URL for Django's connection settings (for a server's DATABASE_URL)."""
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def collect_static(env):
    """collectstatic into the STATIC_ROOT that `env` names, as a deployment does before serving."""
    print("Collecting static files...", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity=0"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        timeout=300,
    )


# --- gunicorn --------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


class Server:
    """`python -m gunicorn -c <config>` on a free port of 127.0.0.1, its log in a
    file; up once `health_path` answers 200, stopped (by its pid) on exit.
    By default the site itself, with the project's gunicorn.conf.py."""

    def __init__(
        self,
        env,
        workdir,
        name,
        *,
        python=sys.executable,
        config="gunicorn.conf.py",
        cwd=PROJECT_ROOT,
        health_path="/healthz",
    ):
        self.port = free_port()
        self.log_path = Path(workdir) / f"gunicorn-{name}.log"
        self.env = env | {"BIND": f"127.0.0.1:{self.port}", "SITE_URL": f"http://127.0.0.1:{self.port}"}
        self.command = [str(python), "-m", "gunicorn", "-c", str(config)]
        self.cwd, self.health_path = cwd, health_path
        self.process = None

    def __enter__(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(self.port, self.health_path).status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"gunicorn did not come up:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


# --- wrk -------------------------------------------------------------------------

WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def ensure_wrk():
    """wrk's path; installed from Debian when missing and we are root."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed: run `apt-get install -y wrk` as root, then this again.")
    print("wrk is missing: installing it with apt-get install -y wrk...", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "wrk"],
        check=True,
        timeout=600,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
    )
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("apt-get did not install wrk.")
    return path


def run_wrk(wrk, url, *, connections, seconds, headers, threads=2):
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    return parse_wrk(result.stdout)


def parse_wrk(output):
    requests_per_second = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in ([\d.]+)(\w+), ([\d.]+\w+) read", output, re.MULTILINE)
    if not requests_per_second or not total:
        raise SystemExit(f"Could not read wrk's output:\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(requests_per_second.group(1)),
        "requests": int(total.group(1)),
        "read": total.group(4),
        "latency_ms": {int(p): float(value) * UNIT_MS[unit] for p, value, unit in WRK_LATENCY.findall(output)},
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }
