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
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
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
    # The address bar's suggestion pop-up, which a headless browser never shows, is otherwise
    # loaded at start as a page of its own: a renderer and about 0.6 s of CPU.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
)

#: Schemes a report may not load anything from: refused, as well as recorded.
REMOTE_URLS = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]

#: DevTools domains a tab that prints needs: the page's load, and its requests to refuse.
PRINT_DOMAINS = ("Page", "Network")

#: Page.printToPDF options: the page's own print styles and A4 size, no header or footer,
#: as ``chromium --print-to-pdf --no-pdf-header-footer`` prints.
PDF_OPTIONS = {"preferCSSPageSize": True, "displayHeaderFooter": False, "printBackground": False}

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
    html: str | os.PathLike[str],
    pdf: str | os.PathLike[str],
    *,
    timeout: float = 120.0,
    browser: HeadlessChromium | None = None,
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
    browser : HeadlessChromium, optional
        An open browser to print with (the batch runner prints every report
        with one); by default one is started for this page.

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
    if browser is None and find_chromium() is None:
        log.info("no PDF of %s: Chromium is not installed (%s)", Path(html).name, INSTALL_HINT)
        return None
    try:
        if browser is not None:
            return browser.print_pdf(html, pdf)
        with HeadlessChromium(timeout=timeout) as own:
            return own.print_pdf(html, pdf)
    except (OSError, ChromiumError) as exc:
        log.warning("no PDF of %s: %s", Path(html).name, exc)
        return None


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


@dataclass
class PrintJob:
    """A page being printed to PDF by :meth:`HeadlessChromium.submit_pdf`.

    ``done`` turns True when it has finished, with ``error`` empty when the PDF
    was written.
    """

    page: Path
    pdf: Path
    target: str
    session: str
    deadline: float
    navigate_id: int
    print_id: int | None = None
    navigated: bool = False
    done: bool = False
    error: str = ""


class ChromiumError(RuntimeError):
    """Chromium could not be started or stopped answering."""


#: Seconds Chromium's helper processes get to exit after it, before they are killed.
GROUP_EXIT_SECONDS = 2.0


def _group_members(group: int) -> list[int]:
    """Live (not zombie) processes in a process group, from ``/proc`` (none where it is absent)."""
    members = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as file:
                    fields = file.read().rsplit(b")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if int(fields[2]) == group and fields[0] != b"Z":
                members.append(int(entry.name))
    return members


def _wait_for_group(group: int, *, timeout: float) -> None:
    """Wait until no live process is left in ``group``; kill what remains after ``timeout``."""
    deadline = time.monotonic() + timeout
    while _group_members(group):
        if time.monotonic() > deadline:
            with contextlib.suppress(OSError):
                os.killpg(group, signal.SIGKILL)
            return
        time.sleep(0.005)


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
        self._stderr: Any = None
        self._profile: str | None = None
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self._jobs: dict[str, PrintJob] = {}
        self._spare_tabs: list[tuple[str, str]] = []
        self._closing = False

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

        # Chromium's messages go to a file, read only to explain a browser that stopped.
        self._stderr = tempfile.TemporaryFile()
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
            stderr=self._stderr,
            close_fds=False,
            preexec_fn=attach_pipes,
            # Its own session: Ctrl-C in the terminal reaches this process, which closes the
            # browser in order, rather than killing the browser mid-print. Should this process
            # die, the browser exits when the pipe closes.
            start_new_session=True,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._write_fd, self._read_fd = to_browser_write, from_browser_read
        return self

    def close_soon(self) -> None:
        """Ask Chromium to close, without waiting: leaving the ``with`` block waits for it.

        Chromium takes a moment to shut down; the caller can finish its own work
        meanwhile. It is asked with SIGTERM, on which it shuts down in order (exit
        status 0) in about 0.05 s, where the DevTools ``Browser.close`` took 0.15 s.
        """
        if self._process is not None and self._process.poll() is None and not self._closing:
            with contextlib.suppress(OSError):
                self._process.terminate()
            self._closing = True

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._process is not None and self._process.poll() is None:
                try:
                    self.close_soon()
                    self._process.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    self._process.kill()
                    self._process.wait(timeout=10)
        finally:
            for fd in (self._write_fd, self._read_fd):
                with contextlib.suppress(OSError):
                    os.close(fd)
            if self._process is not None:
                # Chromium's helpers (its network service among them) outlive it by a few
                # milliseconds and may still write into the profile: removed once they are gone.
                _wait_for_group(self._process.pid, timeout=GROUP_EXIT_SECONDS)
            if self._profile:
                shutil.rmtree(self._profile, ignore_errors=True)
            if self._stderr is not None:
                self._stderr.close()

    def _why_closed(self) -> str:
        """Chromium's exit status and last message, once it has closed the pipe."""
        code = None
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self._process.wait(timeout=5)
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        said = f" ({lines[-1].strip()})" if lines else ""
        if code is None:
            return f"Chromium closed the DevTools pipe{said}"
        return f"Chromium exited {code}{said}"

    # ------------------------------------------------------------------ protocol
    def _send_raw(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise ChromiumError(self._why_closed()) from None
        return self._next_id

    def _receive(self, timeout: float) -> bool:
        """Read what Chromium has sent into the buffer, waiting at most ``timeout`` seconds."""
        ready, _, _ = select.select([self._read_fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        chunk = os.read(self._read_fd, 1 << 20)
        if not chunk:
            raise ChromiumError(self._why_closed())
        self._buffer += chunk
        return True

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChromiumError("Chromium did not answer in time")
            self._receive(remaining)
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
            self._dispatch(message)

    def wait_for_event(
        self, method: str, session: str, timeout: float | None = None
    ) -> dict[str, Any]:
        """Wait until the page sends ``method`` (e.g. ``Page.loadEventFired``)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self._dispatch(self._read_message(deadline))

    def _dispatch(self, message: dict[str, Any]) -> None:
        """Route a message: to a PDF being printed, to the events kept, or nowhere."""
        if "id" in message:
            for job in list(self._jobs.values()):
                if message["id"] == job.navigate_id:
                    error = message.get("error", {}).get("message") or message.get(
                        "result", {}
                    ).get("errorText")
                    if error:
                        self._end_job(job, error=f"could not open the page ({error})")
                    else:
                        job.navigated = True
                    return
                if message["id"] == job.print_id:
                    if "error" in message:
                        self._end_job(job, error=f"printing: {message['error'].get('message')}")
                    else:
                        self._end_job(job, data=message.get("result", {}).get("data", ""))
                    return
            return  # the answer to a command nobody waits for
        job = self._jobs.get(message.get("sessionId", ""))
        if job is not None:
            # The page's own load (after the navigation answered), not about:blank's.
            loaded = message.get("method") == "Page.loadEventFired" and job.navigated
            if loaded and job.print_id is None:
                job.print_id = self._send_raw("Page.printToPDF", PDF_OPTIONS, job.session)
            return
        self._events.append(message)

    # ------------------------------------------------------------------ pages
    def _new_tab(self, domains: Sequence[str], *, for_print: bool = False) -> tuple[str, str]:
        """A blank tab with ``domains`` enabled and nothing remote allowed: (target, session).

        A tab ``for_print`` is never shown: it is opened in the background and
        lays its page out for print media from the start. A page shown on screen
        is laid out and painted for the screen first, then again for print; the
        PDF is the same either way, for about a fifth less of the browser's work.
        """
        target = self.send("Target.createTarget", {"url": "about:blank", "background": for_print})[
            "targetId"
        ]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self._events = [e for e in self._events if e.get("sessionId") != session]
        for domain in domains:
            self.send(f"{domain}.enable", session=session)
        if for_print:
            self.send("Emulation.setEmulatedMedia", {"media": "print"}, session)
        # Anything remote is refused as well as recorded (requests are recorded whatever
        # happens, so a browser without this command still catches them).
        if "Network" in domains:
            with contextlib.suppress(ChromiumError):
                self.send("Network.setBlockedURLs", {"urls": REMOTE_URLS}, session)
        return target, session

    def _open(self, url: str, domains: Sequence[str]) -> tuple[str, str]:
        """Open ``url`` offline in a fresh tab and wait for it to load: (target, session)."""
        target, session = self._new_tab(domains)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session,
        )
        self.send("Page.navigate", {"url": url}, session)
        # A load event that came before the navigation answered was about:blank's.
        self._events = [
            e
            for e in self._events
            if not (e.get("sessionId") == session and e.get("method") == "Page.loadEventFired")
        ]
        self.wait_for_event("Page.loadEventFired", session)
        return target, session

    def _close(self, target: str, session: str) -> None:
        self._events = [e for e in self._events if e.get("sessionId") != session]
        self.send("Target.closeTarget", {"targetId": target})

    def open_tabs(self, count: int) -> None:
        """Open ``count`` blank tabs now, for the next prints to use.

        Each tab starts a renderer process, about a third of what printing a
        short page costs; a caller with time to spare opens them before the
        pages to print exist, and each print then starts at once.

        Raises
        ------
        ChromiumError
            When Chromium has stopped or does not answer.
        """
        for _ in range(count):
            self._spare_tabs.append(self._new_tab(PRINT_DOMAINS, for_print=True))

    def submit_pdf(self, path: str | os.PathLike[str], pdf: str | os.PathLike[str]) -> PrintJob:
        """Start printing a local page to PDF and return at once.

        The page loads and prints while the caller does other work; several
        pages print side by side, each in its own renderer. Call :meth:`pump`
        now and then to move them on, and :meth:`wait` for a job that must be
        finished. The PDF is written beside its destination and moved into place
        when complete, so a failed print never leaves half a file.

        Parameters
        ----------
        path : path-like
            The HTML file.
        pdf : path-like
            Where to write the PDF.

        Returns
        -------
        PrintJob
        """
        url = Path(path).resolve().as_uri()
        if self._spare_tabs:  # opened by open_tabs: what it said since is about about:blank
            target, session = self._spare_tabs.pop(0)
            self._events = [e for e in self._events if e.get("sessionId") != session]
        else:
            target, session = self._new_tab(PRINT_DOMAINS, for_print=True)
        # Registered before anything is read again, so no answer can slip past it.
        job = PrintJob(
            page=Path(path),
            pdf=Path(pdf).resolve(),
            target=target,
            session=session,
            deadline=time.monotonic() + self.timeout,
            navigate_id=self._send_raw("Page.navigate", {"url": url}, session),
        )
        self._jobs[session] = job
        return job

    def pump(self, timeout: float = 0.0) -> None:
        """Handle what Chromium has sent; if nothing has, wait at most ``timeout`` seconds for it.

        It returns as soon as something has been handled, so a caller waiting
        for a print sees it finish at once rather than at the end of ``timeout``.

        Raises
        ------
        ChromiumError
            When Chromium has stopped.
        """
        waited = b"\0" in self._buffer or self._receive(timeout)
        while waited:  # and then whatever else is already there, without waiting
            waited = self._receive(0.0)
        while b"\0" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\0", 1)
            self._dispatch(json.loads(raw))
        now = time.monotonic()
        for job in list(self._jobs.values()):
            if now > job.deadline:
                self._end_job(job, error="Chromium did not print it in time")

    def wait(self, job: PrintJob) -> Path:
        """Wait for a print started by :meth:`submit_pdf` to finish; the PDF.

        Raises
        ------
        ChromiumError
            When the page could not be printed.
        """
        while not job.done:
            remaining = job.deadline - time.monotonic()
            if remaining <= 0:
                self._end_job(job, error="Chromium did not print it in time")
                break
            self.pump(timeout=min(remaining, 0.5))
        if job.error:
            raise ChromiumError(job.error)
        return job.pdf

    def _end_job(self, job: PrintJob, *, data: str = "", error: str = "") -> None:
        self._jobs.pop(job.session, None)
        job.done, job.error = True, error
        if not error:
            try:
                job.pdf.parent.mkdir(parents=True, exist_ok=True)
                partial = job.pdf.with_name(f".{job.pdf.name}.partial")
                partial.write_bytes(base64.b64decode(data))
                os.replace(partial, job.pdf)
            except OSError as exc:
                job.error = f"could not write {job.pdf}: {exc}"
        with contextlib.suppress(ChromiumError, OSError):
            self._send_raw("Target.closeTarget", {"targetId": job.target})

    def print_pdf(self, path: str | os.PathLike[str], pdf: str | os.PathLike[str]) -> Path:
        """Print a local page to PDF as a reader's browser would (print styles, A4 by CSS).

        Parameters
        ----------
        path : path-like
            The HTML file.
        pdf : path-like
            Where to write the PDF.

        Returns
        -------
        Path
            The PDF.

        Raises
        ------
        ChromiumError
            When Chromium stops, cannot open the page or does not answer in time.
        """
        return self.wait(self.submit_pdf(path, pdf))

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
        target, session = self._open(url, ("Page", "Runtime", "Log", "Network"))
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
        self._close(target, session)
        return check
