"""`tmc demo`: starts with no configuration, serves the start page, stops cleanly on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import httpx

from trackmycrime.demo.mail_catcher import free_port


def test_demo_serves_the_start_page_and_prints_the_sign_in_details(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMC_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "trackmycrime", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine; a healthy start takes a few seconds
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("the demo did not start within 90 seconds")
        assert response.status_code == 200
        assert "Demoshire Police" in response.text
        assert httpx.get(f"http://127.0.0.1:{port}/demo/mail").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert "Surname:" in output and "O'Brien" in output
    assert "Crime reference number:  DP-2026-000123" in output
    assert "Officer:" in output and "Password:" in output
    assert "TrackMyCrime demo stopped." in output
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []  # the demo leaves nothing behind


def test_demo_on_a_port_in_use_says_so_before_printing_any_sign_in_details(tmp_path):
    """It once printed the ready banner with sign-in details, then failed with "address already in use"."""
    import socket

    env = {k: v for k, v in os.environ.items() if not k.startswith("TMC_")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        finished = subprocess.run(
            [sys.executable, "-m", "trackmycrime", "demo", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr.strip() == (
        f"tmc: port {port} is already in use (Address already in use): choose another with --port"
    )
    assert list(tmp_path.iterdir()) == []
