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


def test_an_operator_sets_up_single_sign_on_without_the_secret_reaching_the_database(database_env, tmp_path):
    import sqlite3

    assert tmc("db", "upgrade", env_extra=database_env).returncode == 0
    assert (
        tmc("force", "add", "AS", "--name", "Avon and Somerset Police", env_extra=database_env).returncode
        == 0
    )
    secret = tmp_path / "sso-secret"
    secret.write_text("the-client-secret-value\n")
    sso_args = ["force", "sso", "as", "--issuer", "https://login.example/tenant/v2.0", "--client-id", "abc"]
    env = {**database_env, "TMC_BASE_URL": "https://tmc.police.example"}

    done = tmc(
        *sso_args,
        "--client-secret-file",
        str(secret),
        "--tenant",
        "tenant",
        "--group-role",
        "g-admins=admin",
        "--create-accounts",
        env_extra=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "https://tmc.police.example/officer/sso/callback"
    path = database_env["TMC_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        [row] = connection.execute("SELECT * FROM force_sso").fetchall()
    assert str(secret) in row and "g-admins=admin" in row
    assert not any("the-client-secret-value" in str(value) for value in row)

    missing = tmc(*sso_args, "--client-secret-file", str(tmp_path / "nowhere"), env_extra=env)
    assert missing.returncode == 2 and "missing or empty" in missing.stderr
    neither = tmc(*sso_args, env_extra=env)
    assert neither.returncode == 2 and "TMC_SSO_CLIENT_SECRET_AS" in neither.stderr
    from_environment = tmc(*sso_args, env_extra={**env, "TMC_SSO_CLIENT_SECRET_AS": "x"})
    assert from_environment.returncode == 0, from_environment.stderr
    bad_role = tmc(*sso_args, "--client-secret-file", str(secret), "--group-role", "g=chief", env_extra=env)
    assert bad_role.returncode == 2 and "GROUP=ROLE" in bad_role.stderr
    no_force = tmc("force", "sso", "XX", *sso_args[3:], "--client-secret-file", str(secret), env_extra=env)
    assert no_force.returncode == 2 and "no force with the code XX" in no_force.stderr
