"""Two-step sign-in in tests: set up an authenticator through the service, make the code an
app would show, and finish a sign-in that asks for one, through the real pages."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from urllib.parse import unquote
from uuid import UUID

import pyotp

from peerwork.accounts import mfa
from peerwork.core import crypto
from peerwork.core.tables import Account
from peerwork.core.time import now

STEP = timedelta(seconds=mfa.STEP_SECONDS)


def code_at(secret: str, steps: int = 0) -> str:
    """The code an app shows ``steps`` time steps from now (negative: earlier)."""
    return pyotp.TOTP(secret).at(now() + steps * STEP)


def wrong_code(secret: str) -> str:
    """Six digits that are none of the codes the app could show around now."""
    near = {code_at(secret, steps) for steps in range(-2, 3)}
    return next(f"{n:06d}" for n in range(0, 1_000_000, 7919) if f"{n:06d}" not in near)


async def enrol(account_id: UUID, organisation_id: UUID) -> tuple[str, list[str]]:
    """Turn on two-step sign-in for an account; its secret and recovery codes. The first code is
    the previous step's (one step of drift), so the current one is still free for a sign-in."""
    enrolment = await mfa.begin_enrolment(account_id)
    codes = await mfa.confirm_enrolment(account_id, organisation_id, code_at(enrolment.secret, -1))
    return enrolment.secret, codes


async def next_code(account_id: UUID) -> str:
    """A code the app would show that has not been used yet (waiting for a new step if needed)."""
    account = await Account.objects().where(Account.id == account_id).first()
    secret = crypto.decrypt(account.totp_secret, purpose=mfa.TOTP_PURPOSE)
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now())
    step = max(current - 1, (account.totp_last_step or 0) + 1)
    while step > totp.timecode(now()) + 1:  # every step in reach is used: wait for the clock
        await asyncio.sleep(1)
    return totp.generate_otp(step)


def csrf_from(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def account_id_of(email: str) -> UUID:
    return (await Account.select(Account.id).where(Account.email == email).first())["id"]


async def finish_second_factor(client, response, email: str):
    """After POST /login: if it asks for a code (or for an app to be set up first), give it
    through the pages, as a person would; the last response (the redirect on to ``next``, or the
    recovery codes page after setting up). Any other response is returned as it is."""
    where = response.headers.get("location", "")
    if where.startswith("/login/setup-code"):
        page = await client.get(where)
        secret = re.search(r'id="totp-key">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
        target = unquote(where.partition("next=")[2]) or "/"
        return await client.post("/login/setup-code", data={
            "code": code_at(secret), "next": target, "_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    if where.startswith("/login/code"):
        page = await client.get(where)
        target = unquote(where.partition("next=")[2]) or "/"
        return await client.post("/login/code", data={
            "code": await next_code(await account_id_of(email)), "next": target,
            "_csrf_token": csrf_from(page.text)}, follow_redirects=False)
    return response
