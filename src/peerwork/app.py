"""The application factory: ``create_app(settings) -> Litestar``."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from litestar import Litestar, MediaType, Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from peerwork import __version__, capabilities
from peerwork.calendar.replies import reply_listener
from peerwork.core.auth_cache import AuthCache, AuthListener
from peerwork.core.db import close_pool, database_reachable, is_postgres, open_pool, use_database
from peerwork.core.errors import EXCEPTION_HANDLERS, DatabaseUnavailable, DomainError
from peerwork.core.jobs import JobRunner
from peerwork.core.headers import security_headers
from peerwork.core.logs import configure_logging
from peerwork.core.migrate import require_migrated
from peerwork.core.requests import refuse_hostile_input
from peerwork.core.schema import describe_served
from peerwork.core.security import RIGHTS_CHECKED, IdentifyCaller, current_principal
from peerwork.core.settings import Settings, load_settings, use_settings
from peerwork.web.shell import error_page
from peerwork.core.time import now

WEB = Path(__file__).parent / "web"
logger = logging.getLogger("peerwork")


def _health_route(settings: Settings):
    @get("/health", tags=["service"], exclude_from_csrf=True)
    async def health(request: Request) -> Response[dict]:
        """Is the service up and its database reachable? No authentication, no personal data."""
        ok = await database_reachable(request.app.state.engine)
        body = {
            "status": "ok" if ok else "degraded",
            "database": "reachable" if ok else "unreachable",  # never the URL: it can carry a password
            "checked_at": now().isoformat(timespec="seconds"),
            "version": __version__,
        }
        headers = None if ok else {"Retry-After": str(DatabaseUnavailable.retry_after)}
        return Response(body, status_code=200 if ok else 503, media_type=MediaType.JSON, headers=headers)

    return health


def _exception_handlers():
    """Problem details for the API; friendly pages (or a sign-in redirect) for the HTML side."""

    def for_both(api_handler):
        def handle(request: Request, exc: Exception) -> Response:
            if request.url.path.startswith(("/api/", "/health", "/schema", "/calendar/")):
                return api_handler(request, exc)
            return error_page(request, exc)

        return handle

    return {kind: for_both(handler) for kind, handler in EXCEPTION_HANDLERS.items()}


def create_app(settings: Settings | None = None, *, migrations_checked: bool = False) -> Litestar:
    """The app for ``settings``. Its start-up refuses to serve a database that is not fully
    migrated; ``migrations_checked`` says the caller has just made that check itself (``peerwork
    serve`` does, to fail in one line before the server starts), so it is not made twice."""
    settings = settings or load_settings()
    configure_logging(settings)
    if settings.secret_key_is_generated:
        logger.warning("PEERWORK_SECRET_KEY is not set: using a random key (fine for one local instance).")
    use_settings(settings)
    engine = use_database(settings.database_url)
    jobs = JobRunner(settings, capabilities.jobs)  # the job modules load when a scheduler starts
    providers = capabilities.calendar_providers()
    replies = reply_listener(settings, providers)  # None unless PEERWORK_REPLY_* are set
    # Who each API token stands for, kept while a LISTEN connection says nothing changed
    # (PostgreSQL only; core/auth_cache.py). Until the lifespan starts listening it serves nothing.
    auth_cache = AuthCache() if is_postgres(engine) else None
    auth_listener = AuthListener(settings.database_url, auth_cache) if auth_cache is not None else None

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        opened = await open_pool(engine)
        try:
            if not migrations_checked:
                await require_migrated()
            await jobs.start()
            if auth_listener is not None:
                await auth_listener.start()
            if replies is not None:
                await replies.start()
            yield
        finally:
            if replies is not None:
                await replies.stop()
            await jobs.stop()
            if auth_listener is not None:
                await auth_listener.stop()
            if opened:
                await close_pool(engine)

    api = Router(
        path="/api/v1",
        route_handlers=capabilities.routes(),
        # Every route's declared right, checked by IdentifyCaller (has_route_right, without
        # the per-request handler copy a Litestar guard makes).
        opt={RIGHTS_CHECKED: True},
        dependencies={"principal": Provide(current_principal, sync_to_thread=False)},
        security=[{"bearer": []}],
    )
    app = Litestar(
        route_handlers=[
            _health_route(settings),
            api,
            *capabilities.pages(),
            create_static_files_router(path="/static", directories=[WEB / "static"], include_in_schema=False),
        ],
        middleware=[IdentifyCaller],
        before_send=[security_headers],  # CSP and friends on every response; Secure cookies over https
        before_request=refuse_hostile_input,
        lifespan=[lifespan],
        exception_handlers=_exception_handlers(),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="peerwork_csrf",
            cookie_secure=settings.secure_cookies,
            cookie_httponly=True,
            cookie_samesite="lax",
            exclude=["/api/", "/health", "/schema", "/calendar/"],
        ),
        template_config=TemplateConfig(directory=WEB / "templates", engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(
            title="peerwork",
            version=__version__,
            path="/schema",
            render_plugins=[ScalarRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="API token")}
            ),
        ),
        state=State({"settings": settings, "engine": engine, "jobs": jobs, "replies": replies,
                     "auth_cache": auth_cache, "auth_listener": auth_listener,
                     "calendar_providers": providers,
                     # what each capability puts on the home page and on a person's page
                     "todo_providers": capabilities.todo_providers(),
                     "person_providers": capabilities.person_providers()}),
        debug=settings.debug,
    )
    describe_served(app)  # on first build: problem+json errors, real media types, `format: time` (core/schema.py)
    return app


def app_from_env() -> Litestar:
    """Entry point for ``uvicorn --factory peerwork.app:app_from_env``."""
    return create_app(load_settings())


__all__ = ["create_app", "DomainError", "HTTPException"]
