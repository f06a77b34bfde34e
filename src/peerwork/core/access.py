"""Who may do what: roles, the rights each role holds, and the signed-in principal.

Rights are checked in services as well as routes, so the CLI and jobs cannot bypass them by
accident; tenant scoping comes from ``Principal.organisation_id``, never from the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from peerwork.core.errors import PermissionDenied

# Roles in an organisation: invited, granted and listed by the organisation itself.
ORGANISATION_ROLES = ("admin", "hr", "peer_lead", "supervisor", "psw")
# ...and the one role that looks outward: a network lead sees only their network's aggregates,
# granted by the network's admins (networks/service.py), never from an organisation's pickers.
ROLES = (*ORGANISATION_ROLES, "network_lead")

ROLE_LABELS = {
    "admin": "Organisation admin",
    "hr": "HR / workforce lead",
    "peer_lead": "Peer lead",
    "supervisor": "Peer supervisor",
    "psw": "Peer support worker",
    "network_lead": "Network lead",
}

# Everyone working in the organisation. Not network_lead: it grants network:read and nothing else.
_EVERYONE = frozenset(ORGANISATION_ROLES)

RIGHTS: dict[str, frozenset[str]] = {
    "teams:read": _EVERYONE,
    "teams:write": frozenset({"admin", "hr"}),
    "people:read": frozenset({"admin", "hr", "peer_lead", "supervisor"}),
    "people:write": frozenset({"admin", "hr"}),
    # Whether a post is a lived-experience role says something about the person's health.
    "assignments:read": frozenset({"admin", "hr", "peer_lead"}),
    "assignments:write": frozenset({"admin", "hr"}),
    "assignments:import": frozenset({"admin", "hr"}),
    "accounts:read": frozenset({"admin"}),
    "accounts:write": frozenset({"admin"}),
    # Inviting people to sign in (HR after an import or a hire; only an admin grants admin).
    "accounts:invite": frozenset({"admin", "hr"}),
    "audit:read": frozenset({"admin"}),
    "retention:read": frozenset({"admin", "hr", "peer_lead"}),
    # Supervision dates and status; the notes are only ever the supervisor's and supervisee's.
    "supervision:read": _EVERYONE,
    "supervision:manage": frozenset({"admin", "peer_lead"}),
    "supervision:policy": frozenset({"admin"}),
    "community:read": _EVERYONE,
    "community:book": _EVERYONE,
    "community:manage": frozenset({"admin", "peer_lead"}),
    # Facilitators of a series may also mark attendance (checked in the service).
    "community:attendance": frozenset({"admin", "peer_lead"}),
    # Recruitment: recruiters run vacancies; anyone may sit on a panel (seat checked in the
    # service); equality monitoring only ever in aggregates with small numbers suppressed.
    "recruitment:manage": frozenset({"admin", "peer_lead"}),
    "recruitment:panel": _EVERYONE,
    "recruitment:funnel": frozenset({"admin", "hr", "peer_lead"}),
    "recruitment:equality": frozenset({"admin", "hr"}),
    # Development: everyone keeps their own CPD; supervisors verify their supervisees' (service-checked).
    "cpd:record": _EVERYONE,
    "cpd:manage": frozenset({"admin"}),
    "cpd:verify": frozenset({"admin", "supervisor", "peer_lead"}),
    "cpd:report": frozenset({"admin", "hr"}),
    "pairing:manage": frozenset({"admin", "peer_lead"}),
    "supports:read": frozenset({"admin", "hr", "peer_lead"}),
    # Who is missing which support names people: peer leads and admins only.
    "supports:people": frozenset({"admin", "peer_lead"}),
    # The organisation's board pack (retention, supports, compliance, recruitment, as shared):
    # for the people who take figures to the board.
    "board_pack:read": frozenset({"admin", "hr"}),
    # Networks: only aggregates, counts under 5 suppressed. A network lead (granted for one
    # network by its admins) and member organisations' admins see a network; its host
    # organisation's admins run it (checked in the service); admins and HR see what their
    # organisation shares.
    "network:read": frozenset({"admin", "network_lead"}),
    "network:manage": frozenset({"admin"}),
    "network:share": frozenset({"admin", "hr"}),
    # Ethnicity and disability (special-category) from the import: retention split by them, in
    # aggregate only, small numbers suppressed; every read audited. Admin and HR only.
    "equality:read": frozenset({"admin", "hr"}),
    # Training: everyone sees the organisation's course runs and books themself; a line manager
    # books and approves places for the people they manage (checked in the service); training
    # leads schedule runs, keep the pool of accredited trainers and book anyone.
    "training:read": _EVERYONE,
    "training:book": _EVERYONE,
    "training:lead": frozenset({"admin", "peer_lead"}),
    # Anyone may leave anonymous feedback after a co-reflection or supervision session.
    "evaluation:feedback": _EVERYONE,
    # Wellbeing: everyone keeps their own wellness plan, adjustments passport and check-ins, and
    # reads what someone shared with them by name. No role reads anyone else's: the owner's
    # share (checked in the service) is the only way in, so there is no "wellbeing:manage".
    "wellbeing:own": _EVERYONE,
    # Co-production: admin and HR keep the involvement policy and record activities; finance
    # (admin and HR) exports what is due and marks it paid; everyone sees their own record.
    "coproduction:manage": frozenset({"admin", "hr"}),
    "coproduction:finance": frozenset({"admin", "hr"}),
    "coproduction:mine": _EVERYONE,
    # Debrief on request: peer workers ask; the same people may be on the daily rota and take
    # one (on call that day, checked in the service); peer leads keep the rota; figures carry
    # no names and suppress counts under 5. What was asked is only the asker's and the taker's.
    "debrief:ask": frozenset({"psw", "peer_lead", "supervisor"}),
    "debrief:give": frozenset({"psw", "peer_lead", "supervisor"}),
    "debrief:rota": frozenset({"admin", "peer_lead"}),
    "debrief:figures": frozenset({"admin", "hr", "peer_lead"}),
}


@dataclass(frozen=True)
class Principal:
    """The signed-in account acting within one organisation."""

    account_id: UUID
    organisation_id: UUID
    organisation_slug: str
    organisation_name: str
    email: str
    display_name: str
    roles: frozenset[str]
    person_id: UUID | None = None
    via: str = "session"  # session | token | system

    def can(self, right: str) -> bool:
        return bool(RIGHTS[right] & self.roles)

    def require(self, right: str) -> None:
        if not self.can(right):
            raise PermissionDenied(f"Your role does not allow this ({right.replace(':', ' ')}).")


def system_principal(organisation_id: UUID, slug: str, name: str) -> Principal:
    """The principal used by the CLI and scheduled jobs: every right, in one organisation."""
    return Principal(
        account_id=UUID(int=0),
        organisation_id=organisation_id,
        organisation_slug=slug,
        organisation_name=name,
        email="system@peerwork.invalid",
        display_name="peerwork",
        roles=frozenset({"admin"}) | frozenset(ROLES),
        via="system",
    )
