"""Typed settings, read once from ``PEERWORK_*`` environment variables.

This is the only module that reads ``os.environ`` (tests set variables before loading).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from typing import Mapping


class SettingsError(ValueError):
    """A ``PEERWORK_*`` variable is present but unusable."""


@dataclass(frozen=True)
class Settings:
    # Relative to the working directory, like the other var/ paths: `make run` and every CLI
    # command run from the repository root find the same file.
    database_url: str = "sqlite:///var/peerwork.sqlite3"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secret_key_is_generated: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # Cookies carry the Secure flag when the request came over https; this forces it on
    # (for a TLS-terminating proxy that does not forward the scheme).
    secure_cookies: bool = False
    session_hours: int = 12
    scheduler_enabled: bool = True
    login_max_failures: int = 5
    login_window_minutes: int = 15
    log_level: str = "INFO"
    debug: bool = False
    # Where mail goes: smtp://host:port (smtps:// for TLS) or file:///folder (writes .eml files,
    # so a demo works offline). Everything passes through the outbox table first.
    mail_url: str = "file://var/outbox"
    mail_from: str = "peerwork@localhost"
    mail_max_attempts: int = 6
    # CPD evidence files: outside the web root, served only through an access check.
    files_dir: str = "var/files"
    evidence_max_bytes: int = 10 * 1024 * 1024
    # Unsuccessful applications lose their personal details this long after the decision.
    application_retention_days: int = 365
    # Public application form submissions allowed per client (IP address) per hour.
    apply_limit_per_hour: int = 20
    # Where people reach this service (links in emails and calendar feeds); empty means
    # http://HOST:PORT of this process.
    public_url: str = ""
    # Keys for encrypting secrets at rest (TOTP secrets, SSO client secrets), kept outside the
    # database: "kid:base64-32-bytes" entries, the first one current, the others still read so
    # keys can rotate. Empty means a key file (below) is used, made on first use.
    encryption_keys: tuple[str, ...] = field(default=(), repr=False)
    encryption_key_file: str = "var/peerwork.key"
    # Invitations and password resets.
    invitation_days: int = 7
    reset_minutes: int = 60
    # Replies to invites (Decline in Outlook, Gmail, ...). Invites name this address as their
    # ORGANIZER, as replies+<per-booking token>@domain, so a reply can be tied to its booking.
    # Empty: invites name mail_from and nobody reads replies.
    reply_address: str = ""
    # The SMTP listener this process starts to receive those replies (port 0: none).
    reply_smtp_host: str = "127.0.0.1"
    reply_smtp_port: int = 0
    reply_max_bytes: int = 256 * 1024

    @property
    def site_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    def with_overrides(self, **changes: object) -> "Settings":
        from dataclasses import replace

        return replace(self, **changes)


_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return _BOOL[raw.strip().lower()]
    except KeyError:
        raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false).") from None


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}.")
    return value


def _database_url(raw: str | None) -> str:
    if not raw:
        return Settings.database_url
    if raw.startswith(("postgresql://", "postgres://", "sqlite:///")):
        return raw
    raise SettingsError(
        f"PEERWORK_DATABASE_URL={raw!r} is not understood: use sqlite:///path or postgresql://..."
    )


def _mail_url(raw: str | None) -> str:
    if not raw:
        return Settings.mail_url
    if raw.startswith(("smtp://", "smtps://", "file://")):
        return raw
    raise SettingsError(f"PEERWORK_MAIL_URL={raw!r} is not understood: use smtp://host:port or file:///folder")


def _reply_address(raw: str | None) -> str:
    if not raw:
        return ""
    local, at, domain = raw.strip().partition("@")
    if not at or not local or "." not in domain or any(c in raw.strip() for c in "+ <>\r\n"):
        raise SettingsError(
            f"PEERWORK_REPLY_ADDRESS={raw!r} is not understood: use a plain address such as "
            "replies@peerwork.example.nhs.uk (peerwork adds +<token> itself)."
        )
    return raw.strip().lower()


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given, for tests)."""
    env = os.environ if env is None else env
    secret = env.get("PEERWORK_SECRET_KEY")
    return Settings(
        database_url=_database_url(env.get("PEERWORK_DATABASE_URL")),
        secret_key=secret or secrets.token_urlsafe(32),
        secret_key_is_generated=not secret,
        host=env.get("PEERWORK_HOST") or Settings.host,
        port=_int(env, "PEERWORK_PORT", Settings.port, minimum=1),
        secure_cookies=_bool(env, "PEERWORK_SECURE_COOKIES", False),
        session_hours=_int(env, "PEERWORK_SESSION_HOURS", Settings.session_hours, minimum=1),
        scheduler_enabled=_bool(env, "PEERWORK_SCHEDULER", True),
        login_max_failures=_int(env, "PEERWORK_LOGIN_MAX_FAILURES", Settings.login_max_failures, minimum=1),
        login_window_minutes=_int(env, "PEERWORK_LOGIN_WINDOW_MINUTES", Settings.login_window_minutes, minimum=1),
        log_level=(env.get("PEERWORK_LOG_LEVEL") or "INFO").upper(),
        debug=_bool(env, "PEERWORK_DEBUG", False),
        mail_url=_mail_url(env.get("PEERWORK_MAIL_URL")),
        mail_from=env.get("PEERWORK_MAIL_FROM") or Settings.mail_from,
        mail_max_attempts=_int(env, "PEERWORK_MAIL_MAX_ATTEMPTS", Settings.mail_max_attempts, minimum=1),
        files_dir=env.get("PEERWORK_FILES_DIR") or Settings.files_dir,
        evidence_max_bytes=_int(env, "PEERWORK_EVIDENCE_MAX_BYTES", Settings.evidence_max_bytes, minimum=1024),
        application_retention_days=_int(env, "PEERWORK_APPLICATION_RETENTION_DAYS",
                                        Settings.application_retention_days, minimum=1),
        apply_limit_per_hour=_int(env, "PEERWORK_APPLY_LIMIT_PER_HOUR", Settings.apply_limit_per_hour, minimum=1),
        public_url=(env.get("PEERWORK_PUBLIC_URL") or "").rstrip("/"),
        encryption_keys=tuple(k.strip() for k in (env.get("PEERWORK_ENCRYPTION_KEYS") or "").split(",") if k.strip()),
        encryption_key_file=env.get("PEERWORK_ENCRYPTION_KEY_FILE") or Settings.encryption_key_file,
        invitation_days=_int(env, "PEERWORK_INVITATION_DAYS", Settings.invitation_days, minimum=1),
        reset_minutes=_int(env, "PEERWORK_RESET_MINUTES", Settings.reset_minutes, minimum=5),
        reply_address=_reply_address(env.get("PEERWORK_REPLY_ADDRESS")),
        reply_smtp_host=env.get("PEERWORK_REPLY_SMTP_HOST") or Settings.reply_smtp_host,
        reply_smtp_port=_int(env, "PEERWORK_REPLY_SMTP_PORT", Settings.reply_smtp_port, minimum=0),
        reply_max_bytes=_int(env, "PEERWORK_REPLY_MAX_BYTES", Settings.reply_max_bytes, minimum=4096),
    )


_current: Settings | None = None


def current_settings() -> Settings:
    """The settings this process runs with: set by create_app/the CLI, else read once."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def use_settings(settings: Settings) -> None:
    global _current
    _current = settings
