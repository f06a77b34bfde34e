"""Small builders for test data, going through the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from peerwork.core import accounts
from peerwork.core.access import ROLES, Principal
from peerwork.workforce.organisations import OrganisationView, create_organisation

PASSWORD = "correct horse battery"


@dataclass
class User:
    principal: Principal
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_org(slug: str = "north", network: str | None = None) -> OrganisationView:
    return await create_organisation(slug, f"{slug.title()} Trust", network=network)


async def make_user(
    org: OrganisationView, *roles: str, email: str | None = None, password: str | None = None
) -> User:
    """An account with an API token; pass a password only where a test signs in (hashing is slow)."""
    roles = roles or ("psw",)
    email = email or f"{'-'.join(roles)}@{org.slug}.example"
    view = await accounts.create_account(org.id, email, list(roles), display_name=email.split("@")[0], password=password)
    issued = await accounts.issue_api_token(view.id, org.id)
    principal = await accounts.authenticate_token(issued.token)
    assert principal is not None
    return User(principal=principal, token=issued.token, email=email)


async def make_all_roles_user(org: OrganisationView) -> User:
    return await make_user(org, *ROLES, email=f"everything@{org.slug}.example")


def csv_text(*rows: str, header: str | None = None) -> str:
    header = header or (
        "assignment_number,person_id,position_title,lived_experience_role,afc_band,team,start_date,end_date,leaving_reason,fte"
    )
    return "\n".join([header, *rows]) + "\n"


__all__ = ["UUID"]
