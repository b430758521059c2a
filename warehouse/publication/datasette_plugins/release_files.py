"""Datasette plugin (loaded by `make serve` with --plugins-dir): ``/files/`` lists the release's
files, each linked to ``/files/<name>`` (Datasette's static mounts refuse directory listings).

Only the files of the folder mounted at ``files`` (the release) are listed, with their sizes; the
listing is HTML, or JSON at ``/files/.json``."""

from __future__ import annotations

import html
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

MOUNT = "files"


def _entries(root: Path) -> list[dict]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            name = path.relative_to(root).as_posix()
            found.append({"name": name, "url": f"/{MOUNT}/{name}", "bytes": path.stat().st_size})
    return found


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


@hookimpl
def register_routes(datasette):
    mounts = dict(datasette.static_mounts)
    if MOUNT not in mounts:
        return []
    root = Path(mounts[MOUNT])

    async def listing(request):
        entries = _entries(root)
        if request.url_vars.get("format") == "json":
            return Response.json({"release": root.resolve().name, "files": entries})
        rows = "\n".join(
            f'<tr><td><a href="{html.escape(e["url"])}">{html.escape(e["name"])}</a></td>'
            f'<td class="num">{_size(e["bytes"])}</td></tr>'
            for e in entries
        )
        title = f"Files of release {html.escape(root.resolve().name)}"
        page = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            "<style>body{font-family:system-ui,sans-serif;margin:2rem}td{padding:.2rem 1rem .2rem 0}"
            ".num{text-align:right}</style></head><body>"
            f'<h1>{title}</h1><p><a href="/">Back to the data</a> · '
            f'<a href="/{MOUNT}/.json">as JSON</a> · {len(entries)} files</p>'
            f"<table><thead><tr><th>file</th><th>size</th></tr></thead><tbody>{rows}</tbody></table>"
            "</body></html>"
        )
        return Response.html(page)

    return [(rf"^/{MOUNT}/(\.(?P<format>json))?$", listing)]
