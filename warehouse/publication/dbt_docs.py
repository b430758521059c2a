"""dbt's documentation of the models as one static page in the release: ``site/dbt_docs/index.html``."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from core.errors import WholeplaceError
from core.settings import Settings
from warehouse.publication.profiles.pages import SITE_DIR

log = logging.getLogger(__name__)


def build_dbt_docs(release_dir: Path, settings: Settings) -> Path:
    """``dbt docs generate --static --no-compile`` and copy the single page to ``site/dbt_docs/index.html``.

    --no-compile: the models were just built, so the page shows each model's SQL as written and the
    catalog of the built tables; compiling all of them again took 36 of the step's 43 s.

    dbt opens the warehouse itself: no connection to it may be held meanwhile. Where --static is not
    supported (dbt before 1.7), index.html, manifest.json and catalog.json are copied instead.
    """
    from core.dbt import run_dbt

    target = settings.dbt_target_dir
    out = Path(release_dir) / SITE_DIR / "dbt_docs"
    static = target / "static_index.html"
    static.unlink(missing_ok=True)
    try:
        run_dbt(["docs", "generate", "--static", "--no-compile"], settings)
    except WholeplaceError as exc:
        if "--static" not in str(exc) and "No such option" not in str(exc):
            raise
        log.warning("dbt docs generate --static is not supported here; copying index.html and its JSON")
        run_dbt(["docs", "generate", "--no-compile"], settings)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if static.exists():
        shutil.copyfile(static, out / "index.html")
    else:
        for name in ("index.html", "manifest.json", "catalog.json"):
            shutil.copyfile(target / name, out / name)
    return out / "index.html"
