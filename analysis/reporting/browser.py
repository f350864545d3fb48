"""Headless Chromium: print reports to PDF and check them as a reader's browser shows them.

Uses Debian's ``chromium`` when it is on PATH and nothing else: no browser is
downloaded and no Python package is needed. :class:`HeadlessChromium` speaks
the DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON messages
separated by NUL bytes on file descriptors 3 and 4), so no TCP port is opened
either.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Executable names Debian and other distributions give Chromium.
CHROMIUM_NAMES = ("chromium", "chromium-browser")

#: Flags for a quiet, private, offline-minded headless browser.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
)

INSTALL_HINT = "install Debian's Chromium to enable it: apt-get install chromium"

_IMAGE_STATE = """
(async () => {
  await Promise.all(Array.from(document.images).map(img => img.decode().catch(() => null)));
  return Array.from(document.images).map(img => {
    const box = img.getBoundingClientRect();
    const style = getComputedStyle(img);
    return {
      src: (img.getAttribute('src') || '').slice(0, 40),
      alt: img.alt,
      complete: img.complete,
      natural_width: img.naturalWidth,
      natural_height: img.naturalHeight,
      width: box.width,
      height: box.height,
      visible: style.display !== 'none' && style.visibility !== 'hidden'
        && parseFloat(style.opacity) > 0 && box.width > 0 && box.height > 0,
    };
  });
})()
"""


def find_chromium() -> str | None:
    """Path of the Chromium executable, or None when it is not installed.

    Examples
    --------
    >>> path = find_chromium()
    >>> path is None or Path(path).name in CHROMIUM_NAMES
    True
    """
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def to_pdf(
    html: str | os.PathLike[str], pdf: str | os.PathLike[str], *, timeout: float = 120.0
) -> Path | None:
    """Print an HTML page to PDF with headless Chromium (A4, the page's print styles).

    Parameters
    ----------
    html : path-like
        The page (a self-contained report).
    pdf : path-like
        Where to write the PDF.
    timeout : float
        Seconds to wait for Chromium.

    Returns
    -------
    Path or None
        The PDF; None, with a logged note, when Chromium is not installed or
        could not print (the HTML report stands on its own, so a missing PDF
        never fails a run).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "page.html").write_text("<!DOCTYPE html><title>t</title><p>Hello</p>")
    >>> out = to_pdf(folder / "page.html", folder / "page.pdf")
    >>> out is None or out.read_bytes()[:5] == b"%PDF-"
    True
    """
    chromium = find_chromium()
    if chromium is None:
        log.info("no PDF of %s: Chromium is not installed (%s)", Path(html).name, INSTALL_HINT)
        return None
    source, target = Path(html).resolve(), Path(pdf).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        command = [
            chromium,
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={partial}",
            source.as_uri(),
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            partial.unlink(missing_ok=True)
            log.warning("no PDF of %s: Chromium did not finish (%s)", source.name, exc)
            return None
    if completed.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        detail = completed.stderr.strip().splitlines()[-1:] or ["no message"]
        log.warning(
            "no PDF of %s: Chromium exited %s (%s)", source.name, completed.returncode, detail[0]
        )
        return None
    os.replace(partial, target)
    return target


@dataclass
class PageCheck:
    """What a headless browser saw when it opened a page.

    Parameters
    ----------
    url : str
        The page opened.
    title : str
        Its document title.
    images : list of dict
        Per image: ``src`` (start), ``alt``, ``complete``, ``natural_width``,
        ``natural_height``, ``width``, ``height`` (as displayed), ``visible``.
    console_errors : list of str
        Console errors, uncaught exceptions and resource-load errors.
    requests : list of str
        Every URL the page requested other than itself and ``data:`` URIs.
    screenshot : Path or None
        Full-page PNG, when one was asked for.

    Examples
    --------
    >>> check = PageCheck("file:///r.html", images=[{"alt": "chart", "complete": True,
    ...     "natural_width": 0, "natural_height": 0, "width": 0, "height": 0, "visible": False}])
    >>> [img["alt"] for img in check.broken_images]
    ['chart']
    """

    url: str
    title: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def broken_images(self) -> list[dict[str, Any]]:
        """Images that did not load or are not visible on the page."""
        return [
            img
            for img in self.images
            if not (img["complete"] and img["natural_width"] > 0 and img["visible"])
        ]


def _console_error(event: dict[str, Any]) -> str:
    """The error a DevTools event reports ('' for events that are not errors)."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
        args = params.get("args", [])
        text = " ".join(str(a.get("value", a.get("description", ""))) for a in args)
        return f"console.{params['type']}: {text}"
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        description = details.get("exception", {}).get("description", "")
        return f"exception: {details.get('text', '')} {description}".strip()
    if method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        return (
            f"{entry.get('source', 'log')}: {entry.get('text', '')} {entry.get('url', '')}".strip()
        )
    return ""


class ChromiumError(RuntimeError):
    """Chromium could not be started or stopped answering."""


class HeadlessChromium:
    """A headless Chromium driven over the DevTools protocol through a pipe.

    Use as a context manager; :meth:`check_page` opens one page in a fresh tab.

    Parameters
    ----------
    executable : str, optional
        Chromium's path (default: :func:`find_chromium`).
    width, height : int
        Viewport in CSS pixels.
    timeout : float
        Seconds to wait for any one answer.

    Examples
    --------
    >>> import tempfile
    >>> page = Path(tempfile.mkdtemp()) / "page.html"
    >>> _ = page.write_text("<!DOCTYPE html><title>Report</title><p>No figures.</p>")
    >>> if find_chromium() is None:
    ...     print("Report", [], [])
    ... else:
    ...     with HeadlessChromium() as chromium:
    ...         check = chromium.check_page(page)
    ...     print(check.title, check.console_errors, check.requests)
    Report [] []
    """

    def __init__(
        self,
        executable: str | None = None,
        *,
        width: int = 1280,
        height: int = 900,
        timeout: float = 30.0,
    ) -> None:
        self.executable = executable or find_chromium()
        if self.executable is None:
            raise ChromiumError(f"Chromium is not installed: {INSTALL_HINT}")
        self.width, self.height, self.timeout = width, height, timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: str | None = None
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ process
    def __enter__(self) -> HeadlessChromium:
        self._profile = tempfile.mkdtemp(prefix="chromium-")
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()

        def attach_pipes() -> None:
            # The DevTools pipe is fds 3 (commands in) and 4 (answers out). Duplicate
            # first: dup2 onto the same number would keep the close-on-exec flag.
            commands, answers = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self._process = subprocess.Popen(
            [
                self.executable,
                *HEADLESS_FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=attach_pipes,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._write_fd, self._read_fd = to_browser_write, from_browser_read
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._process is not None and self._process.poll() is None:
                try:
                    self._send_raw("Browser.close")
                    self._process.wait(timeout=10)
                except (OSError, ChromiumError, subprocess.TimeoutExpired):
                    self._process.kill()
                    self._process.wait(timeout=10)
        finally:
            for fd in (self._write_fd, self._read_fd):
                with contextlib.suppress(OSError):
                    os.close(fd)
            if self._profile:
                shutil.rmtree(self._profile, ignore_errors=True)

    # ------------------------------------------------------------------ protocol
    def _send_raw(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChromiumError("Chromium did not answer in time")
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                raise ChromiumError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send one DevTools command and return its result (events are kept for later)."""
        wanted = self._send_raw(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read_message(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise ChromiumError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            self._events.append(message)

    def wait_for_event(
        self, method: str, session: str, timeout: float | None = None
    ) -> dict[str, Any]:
        """Wait until the page sends ``method`` (e.g. ``Page.loadEventFired``)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self._events.append(self._read_message(deadline))

    # ------------------------------------------------------------------ pages
    def check_page(
        self, path: str | os.PathLike[str], screenshot: str | os.PathLike[str] | None = None
    ) -> PageCheck:
        """Open a local page, wait for it to load, and report what the browser saw.

        Parameters
        ----------
        path : path-like
            The HTML file.
        screenshot : path-like, optional
            Where to save a full-page PNG screenshot.

        Returns
        -------
        PageCheck
        """
        url = Path(path).resolve().as_uri()
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        # Anything remote is refused as well as recorded (requests are recorded whatever
        # happens, so a browser without this command still catches them).
        with contextlib.suppress(ChromiumError):
            self.send(
                "Network.setBlockedURLs",
                {"urls": ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]},
                session,
            )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for_event("Page.loadEventFired", session)
        images = self.send(
            "Runtime.evaluate",
            {"expression": _IMAGE_STATE, "awaitPromise": True, "returnByValue": True},
            session,
        )["result"].get("value", [])
        title = self.send(
            "Runtime.evaluate", {"expression": "document.title", "returnByValue": True}, session
        )
        check = PageCheck(url=url, title=title["result"].get("value", ""), images=images)

        shot_path = None
        if screenshot is not None:
            metrics = self.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            clip = {
                "x": 0,
                "y": 0,
                "width": max(self.width, int(size["width"])),
                # Chromium cannot paint taller than 16,384 px in one go.
                "height": min(int(size["height"]), 16_000),
                "scale": 1,
            }
            shot = self.send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
                session,
            )
            shot_path = Path(screenshot)
            shot_path.parent.mkdir(parents=True, exist_ok=True)
            shot_path.write_bytes(base64.b64decode(shot["data"]))
        check.screenshot = shot_path

        for event in (e for e in self._events if e.get("sessionId") == session):
            error = _console_error(event)
            if error:
                check.console_errors.append(error)
            elif event.get("method") == "Network.requestWillBeSent":
                requested = event.get("params", {}).get("request", {}).get("url", "")
                if requested != url and not requested.startswith("data:"):
                    check.requests.append(requested)
        self._events = [e for e in self._events if e.get("sessionId") != session]
        self.send("Target.closeTarget", {"targetId": target})
        return check
