"""`agentshield audit verify`: check every tenant's hash chain (or one tenant's).

Prints one line per tenant to stdout: `ok <slug> <n> entries`, or one `BROKEN <slug> seq <n>
<kind>: <message>` line per problem. Exits 1 if any chain is broken.
"""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agentshield.cli.common import REFUSED_EXIT, fail, run, settings
from agentshield.engines.audit_chain import ChainReport
from agentshield.store import audit
from agentshield.store.db import Database
from agentshield.store.errors import NotFound
from agentshield.store.models import Tenant
from agentshield.store.tenancy import find_tenant

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    tenant: Annotated[
        str | None, typer.Option(help="A tenant's slug or id; every tenant if absent.")
    ] = None,
) -> None:
    """Recompute each audit chain and report the first entries that do not match."""

    async def job(db: Database) -> list[tuple[str, ChainReport]]:
        async with db.read() as session:
            if tenant is not None:
                found = await find_tenant(session, tenant)
                ids = [found.id]
            else:
                ids = await audit.tenants_with_entries(session)
            slugs = await _slugs(session, ids)
            return [(slugs.get(t, str(t)), await audit.verify(session, t)) for t in ids]

    try:
        reports = run(settings().database_url, job)
    except NotFound as exc:
        fail(str(exc))
    if not reports:
        typer.echo("no audit entries")
    for slug, report in reports:
        if report.ok:
            typer.echo(f"ok {slug} {report.checked} entries")
        for problem in report.problems:
            typer.echo(f"BROKEN {slug} seq {problem.seq} {problem.kind}: {problem.message}")
    if not all(report.ok for _, report in reports):
        raise typer.Exit(REFUSED_EXIT)


async def _slugs(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Tenant.id, Tenant.slug).where(Tenant.id.in_(ids)))
    return {row.id: row.slug for row in rows}
