"""`agentshield init` and `agentshield tenant create`: a tenant, its owner and two keys.

Output contract (both commands): stdout is exactly two lines, the admin key (scope admin)
then the gateway key (scopes gateway, telemetry), each alone on its line; every label goes
to stderr. So `agentshield init | head -1` is the admin key and `| sed -n 2p` the gateway
key. The keys are shown this once: only their hashes are stored.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from agentshield.cli.common import fail, migrate_schema, run, settings, stderr
from agentshield.store.db import Database
from agentshield.store.errors import StoreError
from agentshield.store.models import Tenant
from agentshield.store.tenancy import Signup, open_tenant

tenant_app = typer.Typer(help="Manage tenants.", no_args_is_help=True)

NameOption = Annotated[str, typer.Option(help="The organisation's name.")]
EmailOption = Annotated[str, typer.Option(help="The owner's email address.")]
SlugOption = Annotated[str | None, typer.Option(help="URL name; derived from --name if absent.")]


class TenantExists(Exception):
    def __init__(self, slug: str) -> None:
        super().__init__(slug)
        self.slug = slug


def init(
    name: NameOption = "Default",
    email: EmailOption = "owner@agentshield.local",
    if_empty: Annotated[
        bool, typer.Option(help="If a tenant exists, do nothing and exit 0.")
    ] = False,
    force_new_tenant: Annotated[
        bool, typer.Option(help="Create another tenant even if one exists.")
    ] = False,
) -> None:
    """Migrate the database, create the first tenant and print its two keys.

    If a tenant exists already, init refuses (exit 1), or with --if-empty prints nothing
    and exits 0, so a start script may run it every time.
    """
    if if_empty and force_new_tenant:
        raise typer.BadParameter("--if-empty and --force-new-tenant exclude each other")
    url = settings().database_url
    migrate_schema(url)
    try:
        _create(url, name, email, None, only_if_first=not force_new_tenant)
    except TenantExists as exc:
        if not if_empty:
            fail(
                f"a tenant already exists ({exc.slug!r}); use `agentshield tenant create`, "
                "or `agentshield init --force-new-tenant`"
            )
        stderr.print(f"a tenant already exists ({exc.slug!r}): nothing to do", markup=False)


@tenant_app.command("create")
def create(name: NameOption, email: EmailOption, slug: SlugOption = None) -> None:
    """Create a tenant and print its two keys."""
    _create(settings().database_url, name, email, slug, only_if_first=False)


def _create(url: str, name: str, email: str, slug: str | None, *, only_if_first: bool) -> None:
    async def job(db: Database) -> Signup:
        async with db.transaction() as session:
            if only_if_first:
                existing = await session.scalar(select(Tenant.slug).limit(1))
                if existing is not None:
                    raise TenantExists(existing)
            return await open_tenant(session, tenant_name=name, email=email, actor="cli", slug=slug)

    try:
        created = run(url, job)
    except StoreError as exc:
        fail(str(exc))
    tenant = created.tenant
    stderr.print(
        f"Created tenant {tenant.name!r} (slug {tenant.slug}, id {tenant.id}) "
        f"owned by {created.owner.email}.\n"
        "stdout line 1: admin key (scope admin); line 2: gateway key (scopes gateway, "
        "telemetry). They are shown only now: store them safely.",
        markup=False,
    )
    typer.echo(created.admin_key.secret)
    typer.echo(created.gateway_key.secret)
