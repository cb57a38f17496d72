"""`agentshield …`: migrate, init, tenant create, serve, audit verify, scan, calibrate.

Exit status 2 and one line on stderr when the configuration does not let a command run.
"""

from __future__ import annotations

import typer

from agentshield.cli.audit import audit_app
from agentshield.cli.common import migrate_schema, settings
from agentshield.cli.injection import calibrate, scan
from agentshield.cli.serve import serve
from agentshield.cli.tenants import init, tenant_app

app = typer.Typer(
    help="AgentShield: a security gateway for AI agents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(init)
app.command()(serve)
app.command()(scan)
app.command()(calibrate)
app.add_typer(tenant_app, name="tenant")
app.add_typer(audit_app, name="audit")


@app.command()
def migrate() -> None:
    """Bring the database schema up to date; prints the revision it is at (stdout)."""
    typer.echo(migrate_schema(settings().database_url))


def main() -> None:
    app()
