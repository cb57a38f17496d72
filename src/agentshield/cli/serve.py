"""`agentshield serve`: the gateway and management API on uvicorn (uvloop, httptools).

Settings come from the environment and the YAML file named by AGENTSHIELD_CONFIG. They are
checked here, before uvicorn starts, by building the app once and checking the schema: so
a bad configuration is one line and exit 2 rather than a worker's traceback. Each worker
then builds its own app with `create_app_from_env`.
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from agentshield.cli.common import CONFIG_EXIT, fail, run, settings
from agentshield.settings import ConfigError
from agentshield.store.migrate import check_current

APP_FACTORY = "agentshield.server:create_app_from_env"


def serve(
    host: Annotated[str | None, typer.Option(help="Default: settings.host.")] = None,
    port: Annotated[int | None, typer.Option(help="Default: settings.port.")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="Default: settings.workers.")] = None,
) -> None:
    """Serve the gateway until SIGINT or SIGTERM."""
    config = settings()
    # Imported here: the server (and the whole API under it) loads for `serve` only, so the
    # other commands and --help start ~0.5 s sooner.
    from agentshield.server import create_app

    try:
        create_app(config)
    except ConfigError as exc:
        fail(str(exc), CONFIG_EXIT)
    run(config.database_url, check_current)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host or config.host,
        port=config.port if port is None else port,
        workers=workers or config.workers,
        loop="uvloop",
        http="httptools",
        log_level=config.log_level,
    )
