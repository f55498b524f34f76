"""A `guichet digest send` process killed half-way (SIGKILL): the next run sends the rest, once."""

import os
import signal
import subprocess
import sys

from sqlalchemy import select

from guichet.digests.models import Delivery


def guichet_process(app, *args) -> subprocess.Popen:
    """The real command, in its own process, on the test's store, index and SMTP server."""
    config = app.config
    env = {**os.environ,
           "GUICHET_DATABASE_URL": config["DATABASE_URL"],
           "GUICHET_SEARCH_BACKEND": "sqlite",
           "GUICHET_SEARCH_SQLITE_PATH": config["SEARCH_SQLITE_PATH"],
           "GUICHET_INSTANCE_PATH": app.instance_path,
           "GUICHET_SECRET_KEY": config["SECRET_KEY"],
           "GUICHET_BASE_URL": config["BASE_URL"],
           "GUICHET_MAIL_FROM": config["MAIL_FROM"],
           "GUICHET_SMTP_HOST": config["SMTP_HOST"],
           "GUICHET_SMTP_PORT": str(config["SMTP_PORT"])}
    return subprocess.Popen([sys.executable, "-m", "guichet", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_a_run_killed_half_way_resumes_without_duplicates(app, smtp_server, subscribe, make_programme, runner):
    addresses = [f"maire{number}@commune.example" for number in range(5)]
    for address in addresses:
        subscribe(address, "", "daily")
    make_programme(title="Rénovation des écoles")

    # The relay takes two digests, then holds the third unanswered: the process is killed there.
    smtp_server.handler.hold_after = 2
    process = guichet_process(app, "digest", "send", "--frequency", "daily")
    try:
        held = smtp_server.handler.holding.wait(60)
    finally:
        process.send_signal(signal.SIGKILL)
        _stdout, stderr = process.communicate(timeout=10)
    assert held, stderr.decode()
    assert process.returncode == -signal.SIGKILL
    assert len(smtp_server.messages) == 2
    with app.extensions["guichet.db"].session() as session:
        statuses = sorted(session.scalars(select(Delivery.status)).all())
    assert statuses == ["pending"] * 3 + ["sent"] * 2

    smtp_server.handler.hold_after = None
    smtp_server.handler.released.set()
    result = runner.invoke(args=["digest", "send", "--frequency", "daily"])
    assert result.exit_code == 0, result.output
    assert sorted(received.to for received in smtp_server.messages) == addresses
    assert all("Rénovation des écoles" in received.text for received in smtp_server.messages)

    runner.invoke(args=["digest", "send", "--frequency", "daily"])
    assert len(smtp_server.messages) == 5
