"""Set up (or, with --remove, turn off) an organisation's single sign-on in the database named by
PEERWORK_DATABASE_URL, as its admin would: the browser tests run it against their live server.

    python tests/oidc/configure.py --org SLUG --issuer URL --client-id ID < secret
    python tests/oidc/configure.py --org SLUG --remove
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from peerwork.accounts import sso
from peerwork.accounts.schemas import SsoProviderIn
from peerwork.core.access import system_principal
from peerwork.core.db import close_pool, open_pool, use_database
from peerwork.core.settings import load_settings, use_settings
from peerwork.core.tables import Organisation


async def main(args: argparse.Namespace) -> None:
    settings = load_settings()
    use_settings(settings)
    engine = use_database(settings.database_url)
    await open_pool(engine)
    try:
        org = await Organisation.select(Organisation.id, Organisation.slug, Organisation.name).where(
            Organisation.slug == args.org).first()
        if org is None:
            sys.exit(f"no organisation {args.org!r}")
        admin = system_principal(org["id"], org["slug"], org["name"])
        if args.remove:
            await sso.remove_provider(admin)
            return
        await sso.set_provider(admin, SsoProviderIn(
            issuer=args.issuer, client_id=args.client_id, client_secret=sys.stdin.readline().strip(),
            email_domains=args.domain or [], create_accounts=bool(args.domain)))
    finally:
        await close_pool(engine)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", required=True)
    parser.add_argument("--issuer")
    parser.add_argument("--client-id")
    parser.add_argument("--domain", action="append")
    parser.add_argument("--remove", action="store_true")
    asyncio.run(main(parser.parse_args()))
