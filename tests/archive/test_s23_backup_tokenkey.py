"""A restore on a machine with another ORDSTYRER_TOKEN_KEY warns (docs/deploy.md §10).

The backup holds the platform tokens encrypted with ORDSTYRER_TOKEN_KEY, never the key.
Restored on a new machine set up with its own key, the restore reported success while
every stored token was unreadable and every connection dead. It now tries one token per
connection and warns, naming the variable and how many connections are affected; the
restore itself still succeeds.
"""

from __future__ import annotations

from cryptography.fernet import Fernet

from tests.core.test_backup import installation, run, wipe  # noqa: F401 (fixture)

CONNECT = """
from django.utils import timezone
from ordstyrer.channels.models import Channel
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.platforms.models import PlatformConnection
from ordstyrer.platforms.tokens import cipher
PlatformConnection.objects.create(
    channel=Channel.objects.order_by("pk").first(), platform="facebook", account_id="1234",
    token_encrypted=cipher().encrypt(SecretToken("EAAG-side-token")), method="login",
    status="connected", connected_at=timezone.now())
"""


def test_a_restore_with_another_token_key_warns_and_names_the_variable(
    installation,  # noqa: F811 (the fixture imported above)
    tmp_path,
):
    env, data_dir = installation
    env["ORDSTYRER_TOKEN_KEY"] = Fernet.generate_key().decode()
    assert run(env, "migrate", "--no-input").returncode == 0
    assert run(env, "demo-setup").returncode == 0
    connected = run(env, "shell", "-c", CONNECT)
    assert connected.returncode == 0, connected.stderr
    out = tmp_path / "kopi.tar"
    assert run(env, "backup", "create", "--out", str(out)).returncode == 0

    # The same key: no warning.
    data_dir.mkdir(parents=True, exist_ok=True)  # on PostgreSQL nothing made it
    wipe(env.get("DATABASE_URL", ""), data_dir)
    same = run(env, "backup", "restore", str(out))
    assert same.returncode == 0, same.stderr
    assert "ORDSTYRER_TOKEN_KEY" not in same.stdout + same.stderr

    # A new machine with its own key.
    data_dir.mkdir(parents=True, exist_ok=True)  # on PostgreSQL nothing made it
    wipe(env.get("DATABASE_URL", ""), data_dir)
    env["ORDSTYRER_TOKEN_KEY"] = Fernet.generate_key().decode()
    other = run(env, "backup", "restore", str(out))

    assert other.returncode == 0, other.stderr
    assert "Gjenopprettet" in other.stdout
    assert "ORDSTYRER_TOKEN_KEY" in other.stderr
    assert "1 av 1 plattformtilkoblinger" in other.stderr
