"""bin/serve-demo ends its start-up with the demo log-ins, where a newcomer sees
them, and sends the task worker's emails to a log file instead of the terminal.

Run against a stand-in for the project's Python that answers as each step
would (the worker writing thousands of lines of email), so the test measures
the script itself, in a second."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON = """#!/usr/bin/env bash
case "$*" in
    *seed_demo*) printf 'Built the demo consultation.\\nSign in with:\\n  moderator  hannah@example.org  demo\\n' ;;
    *run_worker*) for n in $(seq 1 3000); do echo "Subject: email number $n"; done; sleep 30 ;;
    *runserver*) echo "Starting development server at http://127.0.0.1:8000/"; sleep 30 ;;
    *) ;;
esac
"""


def test_the_demo_log_ins_come_last_and_the_workers_emails_go_to_a_log_file(tmp_path):
    shutil.copytree(ROOT / "bin", tmp_path / "bin")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (tmp_path / "requirements.txt").write_text("")

    process = subprocess.Popen(
        [str(tmp_path / "bin" / "serve-demo")],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("==> Serving at"):
                break
        # The worker's stand-in writes as the server starts: give it the moment it needs.
        log = tmp_path / ".demo" / "worker.log"
        for _ in range(100):
            if log.exists() and "email number 1\n" in log.read_text():
                break
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=10)
        try:
            os.killpg(process.pid, signal.SIGTERM)  # the stand-ins' sleeps
        except ProcessLookupError:
            pass

    assert lines[-1].startswith("==> Serving at http://127.0.0.1:8000/")
    log_ins = lines.index("Sign in with:")
    assert log_ins > lines.index("==> Starting the server")
    assert "moderator  hannah@example.org  demo" in lines[log_ins + 1]
    assert not any("email number" in line for line in lines)
    assert "email number 1\n" in (tmp_path / ".demo" / "worker.log").read_text()
