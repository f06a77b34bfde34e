"""A world for wellbeing tests: a PSW who owns a plan and a passport (both carrying a marker
string), the supervisor they shared both with, everyone else in their organisation, a network
partner, and an organisation outside the network; each with an API token and a page session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from peerwork.core import accounts
from peerwork.core.security import SESSION_COOKIE
from peerwork.wellbeing import documents, sharing
from peerwork.wellbeing.schemas import PassportIn, PlanIn, ShareIn
from tests.conftest import http_client
from tests.factories import User, make_org, make_user

MARKER = "Zebra-lantern-7731 walking by the canal"
PASSPORT_MARKER = "Quokka-ferry-4419 later start on Mondays"


def plan_in(marker: str = MARKER) -> PlanIn:
    return PlanIn(what_keeps_me_well=f"{marker}; time with my dog", early_warning_signs="Sleeping badly",
                  what_helps=f"A quiet walk ({marker})", colleagues_can_help="Ask me how I am, privately",
                  contacts="My sister, 07700 900123")


def passport_in(marker: str = PASSPORT_MARKER) -> PassportIn:
    return PassportIn(adjustments=marker, agreed_by="My line manager")


def csrf_from(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


@dataclass
class Actor:
    name: str
    user: User
    org_slug: str
    client: Any = None  # an httpx client signed in to the pages (session cookie)
    csrf: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return self.user.headers

    @property
    def account_id(self) -> UUID:
        return self.user.principal.account_id


@dataclass
class World:
    actors: dict[str, Actor]
    plan_id: UUID
    passport_id: UUID
    clients: list[Any] = field(default_factory=list)

    def __getitem__(self, name: str) -> Actor:
        return self.actors[name]


# name -> (organisation, roles). "owner" shares with "sharee" and "partner_sharee".
PEOPLE = {
    "owner": ("north", ("psw",)),
    "sharee": ("north", ("supervisor",)),
    "supervisor": ("north", ("supervisor",)),
    "admin": ("north", ("admin",)),
    "hr": ("north", ("hr",)),
    "peer_lead": ("north", ("peer_lead",)),
    "psw": ("north", ("psw",)),
    "partner_sharee": ("east", ("supervisor",)),
    "partner_admin": ("east", ("admin",)),
    "outsider_admin": ("south", ("admin",)),
    "outsider_psw": ("south", ("psw",)),
}


async def sign_in_pages(app, actor: Actor) -> None:
    """A page session for the actor (as a completed sign-in would leave), and its CSRF token."""
    principal = actor.user.principal
    secret = await accounts.open_session(principal.account_id, principal.organisation_id, session_hours=8,
                                         via="password")
    actor.client = http_client(app)
    await actor.client.__aenter__()
    actor.client.cookies.set(SESSION_COOKIE, secret)
    shown = await actor.client.get("/wellbeing")
    assert shown.status_code == 200, shown.text
    actor.csrf = csrf_from(shown.text)


async def build_world(app, *, pages: bool = True) -> World:
    orgs = {"north": await make_org("north", network="mersey"), "east": await make_org("east", network="mersey"),
            "south": await make_org("south")}
    actors = {}
    for name, (slug, roles) in PEOPLE.items():
        user = await make_user(orgs[slug], *roles, email=f"{name.replace('_', '-')}@{slug}.example")
        actors[name] = Actor(name, user, slug)
    owner = actors["owner"].user.principal
    plan = await documents.save(owner, "plan", plan_in())
    passport = await documents.save(owner, "passport", passport_in())
    for document_id in (plan.id, passport.id):
        await sharing.share(owner, document_id, ShareIn(account_id=actors["sharee"].account_id))
        await sharing.share(owner, document_id, ShareIn(email=actors["partner_sharee"].user.email))
    world = World(actors, plan.id, passport.id)
    if pages:
        for actor in actors.values():
            await sign_in_pages(app, actor)
    return world


async def close_world(world: World) -> None:
    for actor in world.actors.values():
        if actor.client is not None:
            await actor.client.__aexit__(None, None, None)
