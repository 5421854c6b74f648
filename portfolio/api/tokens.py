"""Making, finding, rate-limiting and revoking API tokens. Operations flush; the view commits,
except `claim_use`, which commits at once (see there)."""
import hashlib
import secrets
from datetime import datetime

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session, selectinload

from portfolio.accounts.models import User
from portfolio.api.models import ApiToken
from portfolio.core.db import utc_now
from portfolio.core.parsing import text_problem

SECRET_PREFIX = "pf_"
NAME_LENGTH = 50
ACTIVE_PER_ACCOUNT = 10


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_name_error(session: Session, user: User, name: str) -> str | None:
    """The one check of a token's name: given, short, plain text, not the name of another active token."""
    name = name.strip()
    if not name:
        return "请填写令牌名称（如“县级台账同步”）"
    if problem := text_problem("令牌名称", name, NAME_LENGTH):
        return problem
    active = session.scalars(select(ApiToken.name).where(ApiToken.user_id == user.id, ApiToken.revoked_dt.is_(None))).all()
    if name in active:
        return f"已有名为“{name}”的有效令牌，请换一个名称"
    if len(active) >= ACTIVE_PER_ACCOUNT:
        return f"每个账户最多{ACTIVE_PER_ACCOUNT}个有效令牌，请先撤销不用的令牌"
    return None


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not kept and cannot be shown again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(user=user, name=name.strip(), digest=digest_of(secret), prefix=secret[:8])
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(token: ApiToken) -> None:
    if token.revoked_dt is None:
        token.revoked_dt = utc_now()


def find_token(session: Session, secret: str) -> ApiToken | None:
    """The active token with this secret, if its account is enabled."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.digest == digest_of(secret)))
    if token is None or not token.active or not token.user.is_enabled:
        return None
    return token


def claim_use(session: Session, token_id: int, per_minute: int, now: datetime) -> bool:
    """Count one request of the token in the current minute and record its last use, in one atomic
    UPDATE committed at once: only requests that find the count below the limit get through, in any
    number of processes at once (the count lives in the database, not in a worker)."""
    minute = int(now.timestamp() // 60)
    claimed = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_dt.is_(None),
               or_(ApiToken.window_start != minute, ApiToken.window_count < per_minute))
        .values(window_count=case((ApiToken.window_start == minute, ApiToken.window_count + 1), else_=1),
                window_start=minute, last_used_dt=now, use_count=ApiToken.use_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    return claimed


def seconds_to_next_minute(now: datetime) -> int:
    return 60 - int(now.timestamp()) % 60


def tokens_of(session: Session, user: User | None = None) -> list[ApiToken]:
    """An account's tokens (None: every account's), active first, newest first."""
    query = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.revoked_dt.is_not(None), ApiToken.created_dt.desc(),
                                                          ApiToken.id.desc())
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return list(session.scalars(query))

