"""What Piccolo cannot declare for per-person session invites."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T02:00:16:000001"
VERSION = "1.38.0"
DESCRIPTION = "One invite state per session and person; invites already sent recorded"

# Until now every participant of a session that was booked got a REQUEST, and a CANCEL when it
# was called off: record where those copies are, so a feed does not show them a second time.
_STATE = "CASE WHEN ss.status = 'cancelled' THEN 'cancel' ELSE 'request' END"
_TOLD = "ss.status IN ('scheduled', 'held', 'did_not_attend', 'cancelled')"

STATEMENTS = [
    "CREATE UNIQUE INDEX session_invite_pair ON session_invite (session, account)",
    f"INSERT INTO session_invite (session, account, invite_state) SELECT ss.id, ss.supervisor, {_STATE} "
    f"FROM supervision_session ss WHERE {_TOLD}",
    f"INSERT INTO session_invite (session, account, invite_state) SELECT ss.id, ss.supervisee, {_STATE} "
    f"FROM supervision_session ss WHERE {_TOLD} AND ss.supervisee IS NOT NULL AND ss.supervisee <> ss.supervisor",
    f"INSERT INTO session_invite (session, account, invite_state) SELECT DISTINCT ss.id, gm.account, {_STATE} "
    "FROM supervision_session ss JOIN supervision_agreement a ON a.id = ss.agreement "
    "JOIN group_member gm ON gm.peer_group = a.peer_group AND gm.role = 'member' "
    f"WHERE {_TOLD} AND gm.account <> ss.supervisor "
    "AND (ss.supervisee IS NULL OR gm.account <> ss.supervisee)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="supervision", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
