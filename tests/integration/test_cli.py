"""The `tmc` command as an operator uses it, in a separate process."""

import os
import subprocess
import sys

import pytest


def tmc(*args, env_extra=None, stdin="", timeout=60):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMC_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "trackmycrime", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def database_env(tmp_path):
    return {
        "TMC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TMC_SECRET_KEY": "cli-test-secret-key-long-enough-to-pass-the-check",
    }


def test_an_operator_sets_up_a_force_an_officer_and_a_key(database_env):
    assert tmc("db", "upgrade", env_extra=database_env).returncode == 0
    added = tmc(
        "force",
        "add",
        "as",
        "--name",
        "Avon and Somerset Police",
        "--crime-ref-pattern",
        r"AS-\d{4}-\d{6}",
        env_extra=database_env,
    )
    assert added.returncode == 0, added.stderr
    assert "Added force AS" in added.stdout

    officer = tmc(
        "officer",
        "add",
        "--force",
        "AS",
        "--email",
        "Sam.Jones@Police.Example",
        "--name",
        "PC Sam Jones",
        "--shoulder-number",
        "1234",
        "--password-stdin",
        env_extra=database_env,
        stdin="a long enough password\n",
    )
    assert officer.returncode == 0, officer.stderr
    assert "sam.jones@police.example" in officer.stdout
    assert "a long enough password" not in officer.stdout + officer.stderr

    key = tmc("apikey", "create", "--force", "AS", "--label", "Niche RMS", env_extra=database_env)
    assert key.returncode == 0, key.stderr
    key_text = key.stdout.strip().splitlines()[-1]
    assert key_text.startswith("tmc_") and len(key_text) > 40

    import sqlite3

    path = database_env["TMC_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        stored = [row[0] for row in connection.execute("SELECT key_hash FROM apikey")]
        hashes = [row[0] for row in connection.execute("SELECT password_hash FROM officer")]
    assert key_text not in stored and len(stored) == 1
    assert hashes[0].startswith("$argon2id$")


def test_duplicate_force_and_weak_password_are_refused_clearly(database_env):
    tmc("db", "upgrade", env_extra=database_env)
    tmc("force", "add", "AS", "--name", "Avon", env_extra=database_env)
    again = tmc("force", "add", "AS", "--name", "Avon", env_extra=database_env)
    assert again.returncode == 2 and "already exists" in again.stderr
    weak = tmc(
        "officer",
        "add",
        "--force",
        "AS",
        "--email",
        "a@b.example",
        "--name",
        "A",
        "--password-stdin",
        env_extra=database_env,
        stdin="short\n",
    )
    assert weak.returncode == 2 and "10 characters or more" in weak.stderr
    assert "Traceback" not in weak.stderr


def test_the_password_is_never_taken_as_an_argument():
    result = tmc("officer", "add", "--help")
    assert "--password-stdin" in result.stdout
    assert "--password " not in result.stdout


def test_serve_refuses_the_default_secret_key(tmp_path):
    result = tmc("serve", env_extra={"TMC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert "TMC_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_database_stops_start_up_with_one_line():
    result = tmc(
        "serve",
        env_extra={"TMC_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing", "TMC_SECRET_KEY": "x" * 40},
    )
    assert result.returncode == 2
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_port_is_explained():
    result = tmc("demo", "--port", "eighty")
    assert result.returncode == 2
    assert "a port is a whole number" in result.stderr
    result = tmc("serve", "--port", "99999")
    assert "between 1 and 65535" in result.stderr


def test_a_malformed_setting_is_explained(tmp_path):
    result = tmc("db", "upgrade", env_extra={"TMC_DATABASE_URL": "mysql://x/y"})
    assert result.returncode == 2
    assert "TMC_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr
