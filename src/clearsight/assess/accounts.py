"""Accounts and API tokens: argon2 password hashes, tokens kept only as SHA-256, every change audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from clearsight.assess.audit import AuditLog
from clearsight.assess.credentials import MAX_NAME_LENGTH, check_name, check_password
from clearsight.errors import ClearsightError
from clearsight.store.models import ApiToken, User, WebSession

users_t: Table = User.__table__  # type: ignore[assignment]
tokens_t: Table = ApiToken.__table__  # type: ignore[assignment]
sessions_t: Table = WebSession.__table__  # type: ignore[assignment]
SESSION_HOURS = 8
"""A session lasts a working day at most; analysts log in again after it."""

ROLES = ("analyst", "reviewer", "admin")
ANONYMOUS = "anonymous"
"""The actor of failed logins: whoever typed a name is not known to be that account, and entries
under an account's name are what its exposure time is counted from (`assess.wellbeing`)."""
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash no password matches, verified for unknown names so that a login takes as long
    whether or not the name exists."""
    return _hasher.hash(secrets.token_urlsafe(32))


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    disabled: bool

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "disabled": self.disabled}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, engine: Engine, actor: str) -> None:
        self.engine = engine
        self.audit = AuditLog(engine)
        self.actor = actor

    def add(self, name: str, role: str, password: str) -> Account:
        if role not in ROLES:
            raise ClearsightError(f"role must be one of {', '.join(ROLES)}")
        check_name(name)
        check_password(password, name)
        try:
            with self.engine.begin() as conn:
                user_id = conn.execute(insert(users_t).values(name=name, role=role, password_hash=_hasher.hash(password), disabled=False,
                                                              created_at=datetime.now(UTC)).returning(users_t.c.id)).scalar_one()
        except IntegrityError:
            raise ClearsightError(f"a user named {name} exists") from None
        self.audit.append(self.actor, "user.add", name, {"role": role})
        return Account(user_id, name, role, False)

    def get(self, name: str) -> Account:
        with self.engine.connect() as conn:
            row = conn.execute(select(users_t.c.id, users_t.c.name, users_t.c.role, users_t.c.disabled).where(users_t.c.name == name)).first()
        if row is None:
            raise ClearsightError(f"no user named {name}")
        return Account(*row)

    def all(self) -> list[Account]:
        with self.engine.connect() as conn:
            return [Account(*row) for row in conn.execute(select(users_t.c.id, users_t.c.name, users_t.c.role, users_t.c.disabled).order_by(users_t.c.name))]

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (ending the account's sessions, so enabling it again revives none) or enable an account."""
        account = self.get(name)
        with self.engine.begin() as conn:
            conn.execute(update(users_t).where(users_t.c.id == account.id).values(disabled=disabled))
            if disabled:
                conn.execute(delete(sessions_t).where(sessions_t.c.user_id == account.id))
        self.audit.append(self.actor, "user.disable" if disabled else "user.enable", name)

    def reset_password(self, name: str, password: str) -> None:
        """Set a new password and end the account's sessions: whoever knew the old one is logged out."""
        check_password(password, name)
        account = self.get(name)
        with self.engine.begin() as conn:
            conn.execute(update(users_t).where(users_t.c.id == account.id).values(password_hash=_hasher.hash(password)))
            ended = conn.execute(delete(sessions_t).where(sessions_t.c.user_id == account.id)).rowcount
        self.audit.append(self.actor, "user.reset_password", name, {"sessions_ended": ended})

    def authenticate(self, name: str, password: str, client: str | None = None) -> Account | None:
        """The account if the password is right and the account enabled; every attempt is audited,
        a failed one under `ANONYMOUS` with the name typed (and the client's address) in its details.
        Unknown and disabled names cost one argon2 verification too, so timing tells nothing."""
        dummy = _dummy_hash()
        with self.engine.connect() as conn:
            row = conn.execute(select(users_t).where(users_t.c.name == name)).mappings().first()
        try:
            verified: bool = _hasher.verify(row["password_hash"] if row is not None else dummy, password)
        except (VerificationError, InvalidHashError):
            verified = False
        if row is None or row["disabled"] or not verified:
            self.audit.append(ANONYMOUS, "login.failed", None, {"name": name[:2 * MAX_NAME_LENGTH], "client": client})
            return None
        self.audit.append(name, "login", name, {"client": client})
        return Account(row["id"], row["name"], row["role"], row["disabled"])

    def start_session(self, account: Account) -> tuple[str, str]:
        """A new browser session: (cookie value, CSRF token). Only the cookie's digest is stored."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(insert(sessions_t).values(token_hash=token_digest(cookie), user_id=account.id, csrf=csrf, created_at=now,
                                                   expires_at=now + timedelta(hours=SESSION_HOURS)))
        return cookie, csrf

    def session(self, cookie: str) -> tuple[Account, str] | None:
        """(account, CSRF token) of a live session of an enabled account, or None."""
        query = (select(users_t.c.id, users_t.c.name, users_t.c.role, users_t.c.disabled, sessions_t.c.csrf, sessions_t.c.expires_at)
                 .join(sessions_t, sessions_t.c.user_id == users_t.c.id).where(sessions_t.c.token_hash == token_digest(cookie)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.disabled:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires <= datetime.now(UTC):
            return None
        return Account(row.id, row.name, row.role, row.disabled), row.csrf

    def end_session(self, cookie: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_t).where(sessions_t.c.token_hash == token_digest(cookie)))

    def add_token(self, name: str, banks: list[str] | None) -> str:
        """Create a token and return it; only its digest is stored, so it is shown this once."""
        token = secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(tokens_t).values(name=name, token_hash=token_digest(token), banks=banks or None, created_at=datetime.now(UTC)))
        except IntegrityError:
            raise ClearsightError(f"a token named {name} exists") from None
        self.audit.append(self.actor, "token.add", name, {"banks": banks or []})
        return token

    def revoke_token(self, name: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(update(tokens_t).where(tokens_t.c.name == name, tokens_t.c.revoked_at.is_(None)).values(revoked_at=datetime.now(UTC))).rowcount
        if not done:
            raise ClearsightError(f"no live token named {name}")
        self.audit.append(self.actor, "token.revoke", name)

    def token(self, token: str) -> tuple[str, list[str] | None] | None:
        """(name, banks) of a live token, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(tokens_t.c.name, tokens_t.c.banks).where(tokens_t.c.token_hash == token_digest(token), tokens_t.c.revoked_at.is_(None))).first()
        return (row.name, row.banks) if row is not None else None

    def tokens(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [{"name": row.name, "banks": row.banks or [], "created_at": row.created_at.isoformat(), "revoked": row.revoked_at is not None}
                    for row in conn.execute(select(tokens_t).order_by(tokens_t.c.name))]
