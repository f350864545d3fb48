"""HTML plumbing shared by the report and the scorecard: templates, checks, safe writing.

Pages are rendered with Jinja2 from ``templates/`` (shipped as package data),
and every page must open offline: :func:`non_embedded_resources` lists anything
a browser would have to fetch, so the renderers can refuse it and the tests can
prove there is none.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import jinja2

from .. import __version__

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

#: Attributes through which a browser loads a resource (``href`` only on these tags).
_LOADING_ATTRIBUTES = frozenset({"src", "srcset", "poster", "data", "background", "action"})
_HREF_LOADING_TAGS = frozenset({"link", "use", "image", "base"})
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""", re.IGNORECASE)


@functools.cache
def bytecode_cache() -> jinja2.BytecodeCache | None:
    """Where compiled templates are kept between runs: Jinja's per-user cache folder.

    Loading a compiled template is cheaper than compiling it (0.1 s of every
    run's start). An entry is used only while its template's source is
    unchanged. None where no private cache folder can be made.
    """
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no temporary folder this user alone can write
        return None


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment for the report and index templates (autoescaping HTML).

    Examples
    --------
    >>> environment().get_template("base.html.j2").name
    'base.html.j2'
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        bytecode_cache=bytecode_cache(),
    )


def page_context() -> dict[str, str]:
    """Values every page shows in its footer: generation time and package version.

    Examples
    --------
    >>> sorted(page_context())
    ['analysis_version', 'generated', 'pygments_css']
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        "generated": f"{now.day} {now:%B %Y, %H:%M} UTC",
        "analysis_version": __version__,
        "pygments_css": "",
    }


def _is_embedded(url: str) -> bool:
    # Fragment links stay inside the page; data URIs carry their own content.
    value = url.strip()
    return value == "" or value.startswith("#") or value.lower().startswith("data:")


class _ResourceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._in_style = True
        for name, value in attrs:
            if value is None:
                continue
            if name in _LOADING_ATTRIBUTES or (
                name in {"href", "xlink:href"} and tag in _HREF_LOADING_TAGS
            ):
                candidates = (
                    [part.split()[0] for part in value.split(",") if part.strip()]
                    if name == "srcset"
                    else [value]
                )
                self.found.extend(
                    f"<{tag} {name}={url}>" for url in candidates if not _is_embedded(url)
                )
            elif name == "style":
                self._css(value, f"<{tag} style>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data, "<style>")

    def _css(self, text: str, where: str) -> None:
        for pattern in (_CSS_URL, _CSS_IMPORT):
            self.found.extend(
                f"{where} {url}" for url in pattern.findall(text) if not _is_embedded(url)
            )


def non_embedded_resources(page: str) -> list[str]:
    """Everything a browser would fetch to display ``page`` (empty for a self-contained page).

    Links a reader clicks (``<a href>``) are not fetched and are not listed;
    images, scripts, stylesheets, frames and CSS ``url()``/``@import`` are,
    unless they are ``data:`` URIs.

    Parameters
    ----------
    page : str
        An HTML document or fragment.

    Returns
    -------
    list of str
        One entry per resource: the tag, the attribute and the address.

    Examples
    --------
    >>> non_embedded_resources('<img src="data:image/png;base64,AA=="><a href="https://x.org">x</a>')
    []
    >>> non_embedded_resources('<script src="https://cdn.example/require.js"></script>')
    ['<script src=https://cdn.example/require.js>']
    >>> non_embedded_resources('<div style="background: url(fig.png)"></div>')
    ['<div style> fig.png']
    """
    finder = _ResourceFinder()
    finder.feed(page)
    finder.close()
    return finder.found


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file, so no reader sees half a page.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    >>> write_text_atomic(target, "<p>ok</p>").read_text()
    '<p>ok</p>'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp files are private; a published page is as readable as any other file.
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
