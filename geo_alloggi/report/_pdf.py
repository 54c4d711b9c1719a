"""``report.pdf``: ``report.html`` printed by Chromium (A4 landscape), when present.

Drives the system's Chromium (never a browser download) through the DevTools
protocol on a pipe, as Playwright does, with Playwright's launch flags and
page settings; every network request is refused while printing. Talking to
Chromium directly spares Playwright's Node.js driver (about 1 s of CPU and a
fixed half-second pause per page on Debian 12) and needs no thread. Without
Chromium the PDF is skipped and the reason is said in the meeting's language.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from geo_alloggi._i18n import t
from geo_alloggi.report._cdp import CLOSE_TIMEOUT_S, Chromium, ProtocolError

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "PdfPrinter", "fit_scale", "print_pdf"]

log = logging.getLogger(__name__)

#: Debian's Chromium (``apt-get install chromium``).
CHROMIUM = Path("/usr/bin/chromium")

#: Flags for a headless, offline Chromium in a container.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
)

#: Playwright's (1.65) flags for a headless Chromium, before ours: the page is
#: laid out and printed as it was when Playwright drove the browser.
PLAYWRIGHT_ARGS = (
    "--disable-field-trial-config",
    "--disable-background-networking",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-back-forward-cache",
    "--disable-breakpad",
    "--disable-component-extensions-with-background-pages",
    "--disable-component-update",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--disable-edgeupdater",
    "--disable-extensions",
    "--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,"
    "DestroyProfileOnBrowserClose,HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,"
    "LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,"
    "AvoidCorsURLLoaderRestartOnRedirect,TcpPortRandomizationWin,OptimizationHints,"
    "NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch,msForceBrowserSignIn,"
    "msEdgeUpdateLaunchServicesPreferredVersion",
    "--enable-features=CDPScreenshotNewSurface,SkipListAccountsWithoutGaiaCookies",
    "--allow-pre-commit-input",
    "--disable-hang-monitor",
    "--disable-ipc-flooding-protection",
    "--disable-popup-blocking",
    "--disable-prompt-on-repost",
    "--disable-renderer-backgrounding",
    "--disable-updater-scheduler",
    "--force-color-profile=srgb",
    "--metrics-recording-only",
    "--no-first-run",
    "--password-store=basic",
    "--use-mock-keychain",
    "--no-service-autorun",
    "--disable-search-engine-choice-screen",
    "--unsafely-disable-devtools-self-xss-warnings",
    "--enable-unsafe-swiftshader",
    "--edge-skip-compat-layer-relaunch",
    "--disable-stack-profiler",
    "--disable-infobars",
    "--disable-sync",
    "--do-not-de-elevate",
    "--headless",
    "--hide-scrollbars",
    "--mute-audio",
    "--blink-settings=primaryHoverType=2,availableHoverTypes=2,"
    "primaryPointerType=4,availablePointerTypes=4",
    "--no-sandbox",
)

#: Generic font families of a headless page on Linux (Playwright's defaults).
FONT_FAMILIES = {
    "standard": "Times New Roman",
    "fixed": "Monospace",
    "serif": "Times New Roman",
    "sansSerif": "Arial",
    "cursive": "Comic Sans MS",
    "fantasy": "Impact",
}

#: Milliseconds allowed to load and print the page.
TIMEOUT_MS = 60_000

#: A4 in inches (the paper size Playwright sends for ``format="A4"``).
A4_IN = (8.27, 11.7)

#: Printable area of an A4 landscape sheet with the page's 7 mm margins (mm).
PAGE_MM = (297 - 14, 210 - 14)

#: Smallest print scale: below it the page would not be readable.
MIN_SCALE = 0.6


def _px(mm: float) -> int:
    return round(mm / 25.4 * 96)


def fit_scale(height_px: float) -> float:
    """Return the print scale that fits a page ``height_px`` tall on one sheet.

    1 when it fits; never below :data:`MIN_SCALE` (then it runs to a second
    sheet rather than become unreadable). The layout reflows to the wider
    area a smaller scale leaves, so the page ends a little shorter.
    """
    if height_px <= 0:
        return 1.0
    return round(max(MIN_SCALE, min(1.0, 0.98 * _px(PAGE_MM[1]) / height_px)), 3)


def _refuse_remote(browser: Chromium, event: dict[str, Any]) -> None:
    """Let local requests through (file, data, about); refuse every other."""
    if event["method"] != "Fetch.requestPaused":
        return
    params = event["params"]
    url = params["request"]["url"]
    if url.startswith(("file:", "data:", "about:")):
        browser.post(
            "Fetch.continueRequest",
            {"requestId": params["requestId"]},
            session=event.get("sessionId"),
        )
    else:
        log.warning("report.pdf: request refused: %s", url)
        browser.post(
            "Fetch.failRequest",
            {"requestId": params["requestId"], "errorReason": "Failed"},
            session=event.get("sessionId"),
        )


class PdfPrinter:
    """Chromium started in the background, printing one page when it is written.

    Starting Chromium takes about as long as drawing the maps, so the printer
    launches it as soon as it is created (a process of its own, no thread);
    :meth:`submit` hands it the page once written, and a worker thread (from
    then on) prints it when loaded while the caller goes on; :meth:`result`
    waits for the PDF. Use it as a context manager: leaving the block closes
    the browser, printed or not. The page is laid out as Playwright lays it out
    (its flags, viewport, print media and default fonts).

    Parameters
    ----------
    lang : str, default 'it'
        Language of the reason when the PDF is skipped.
    chromium : str or os.PathLike, default CHROMIUM
        The Chromium executable.
    """

    def __init__(self, *, lang: str = "it", chromium: Path | str = CHROMIUM) -> None:
        self._lang = lang
        self._pdf: Path | None = None
        self._browser: Chromium | None = None
        self._session = ""
        self._loader = ""
        self._error: Exception | None = None
        self._outcome: Path | str | None = None
        self._worker: threading.Thread | None = None
        self._skipped = _unavailable(Path(chromium), lang)
        if self._skipped is None:
            try:
                self._browser = Chromium(
                    Path(chromium),
                    [*PLAYWRIGHT_ARGS, *CHROMIUM_ARGS],
                    on_event=_refuse_remote,
                )
            except OSError as exc:
                self._error = exc

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, page_path: Path, pdf_path: Path) -> None:
        """Print ``page_path`` (``report.html``) to ``pdf_path``; once per printer.

        The page starts loading at once and is printed when loaded (in a
        worker thread); :meth:`result` waits for the PDF.

        Parameters
        ----------
        page_path : pathlib.Path
            The page to print, already written.
        pdf_path : pathlib.Path
            Where the PDF goes.

        Raises
        ------
        RuntimeError
            A page was already submitted.
        """
        if self._pdf is not None:
            raise RuntimeError("PdfPrinter prints one page")
        self._pdf = Path(pdf_path)
        if self._browser is None or self._error is not None:
            return
        try:
            self._open(Path(page_path))
        except (OSError, ProtocolError) as exc:
            self._error = exc
            return
        self._worker = threading.Thread(
            target=self._print_or_fail, args=(self._pdf,), daemon=True
        )
        self._worker.start()

    def _open(self, page_path: Path) -> None:
        """Open a page as Playwright's ``new_page`` does and start loading it."""
        assert self._browser is not None
        send = self._browser.send
        context = send("Target.createBrowserContext", {"disposeOnDetach": True})
        target = send(
            "Target.createTarget",
            {"url": "about:blank", "browserContextId": context["browserContextId"]},
        )
        s = send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self._session = s["sessionId"]
        width, height = _px(PAGE_MM[0]), _px(PAGE_MM[1])
        for method, params in (
            ("Page.enable", {}),
            ("Page.setLifecycleEventsEnabled", {"enabled": True}),
            (
                "Fetch.enable",
                {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]},
            ),
            (
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                    "screenWidth": width,
                    "screenHeight": height,
                },
            ),
            ("Page.setFontFamilies", {"fontFamilies": FONT_FAMILIES}),
            (
                "Emulation.setEmulatedMedia",
                {"media": "print", "features": _NO_FEATURES},
            ),
        ):
            send(method, params, session=self._session)
        navigated = send(
            "Page.navigate",
            {"url": page_path.resolve().as_uri()},
            session=self._session,
        )
        if "errorText" in navigated:
            raise ProtocolError(f"report.html not loaded: {navigated['errorText']}")
        self._loader = navigated["loaderId"]

    def result(self) -> Path | str:
        """Wait for the PDF: its path when written, else why not (in ``lang``).

        Returns
        -------
        pathlib.Path or str
            The PDF's path, or the reason it was not printed.

        Raises
        ------
        RuntimeError
            No page was submitted.
        """
        if self._skipped is not None:
            return self._skipped
        if self._pdf is None:
            raise RuntimeError("PdfPrinter.result: no page submitted")
        if self._outcome is None:
            self._outcome = self._printed(self._pdf)
        return self._outcome

    def _printed(self, pdf_path: Path) -> Path | str:
        """Wait for the worker; return the PDF's path or why it failed."""
        if self._worker is not None:
            self._worker.join()
        if self._error is not None:  # a failure must not stop the bundle
            log.warning("report.pdf not printed: %s", self._error)
            pdf_path.unlink(missing_ok=True)
            return t("report.pdf_failed", self._lang)
        if self._browser is not None:  # one page per printer: the browser may go
            self._browser.quit()
        return pdf_path

    def _print_or_fail(self, pdf_path: Path) -> None:
        """Print (the worker thread's job); keep the error, if any, for result."""
        try:
            self._print(pdf_path)
        except Exception as exc:  # said by result(), never raised
            self._error = exc

    def _print(self, pdf_path: Path) -> None:
        """Wait for the page's load event, then print it to ``pdf_path``."""
        assert self._browser is not None
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        loader = self._loader
        self._browser.wait_event(
            "Page.lifecycleEvent",
            session=self._session,
            where=lambda p: p.get("name") == "load" and p.get("loaderId") == loader,
            timeout=deadline - time.monotonic(),
        )
        height = self._browser.send(
            "Runtime.evaluate",
            {"expression": "document.body.scrollHeight", "returnByValue": True},
            session=self._session,
            timeout=deadline - time.monotonic(),
        )["result"]["value"]
        printed = self._browser.send(
            "Page.printToPDF",
            {
                "landscape": True,
                "displayHeaderFooter": False,
                "headerTemplate": "",
                "footerTemplate": "",
                "printBackground": True,
                "scale": fit_scale(height),
                "paperWidth": A4_IN[0],
                "paperHeight": A4_IN[1],
                "marginTop": 0,
                "marginBottom": 0,
                "marginLeft": 0,
                "marginRight": 0,
                "pageRanges": "",
                "preferCSSPageSize": True,
                "generateTaggedPDF": False,
                "generateDocumentOutline": False,
            },
            session=self._session,
            timeout=deadline - time.monotonic(),
        )
        pdf_path.write_bytes(base64.b64decode(printed["data"]))

    def close(self) -> None:
        """Close the browser (nothing is printed when no page was submitted)."""
        if self._browser is None:
            return
        # the browser exits first: a worker still waiting on it then stops
        self._browser.quit()
        if self._worker is not None:
            self._worker.join(CLOSE_TIMEOUT_S)
        self._browser.close()
        self._browser = None


#: Media features left as the browser has them (Playwright's ``emulate_media``).
_NO_FEATURES = [
    {"name": name, "value": ""}
    for name in (
        "prefers-color-scheme",
        "prefers-reduced-motion",
        "forced-colors",
        "prefers-contrast",
    )
]


def _unavailable(browser: Path, lang: str) -> str | None:
    """Why Chromium cannot print here (in ``lang``), None when it can."""
    if not browser.is_file() or not hasattr(os, "posix_spawn"):
        return t("report.no_chromium", lang, path=str(browser))
    return None


def print_pdf(
    page_path: Path,
    pdf_path: Path,
    *,
    lang: str = "it",
    chromium: Path | str = CHROMIUM,
) -> Path | str:
    """Print ``page_path`` to ``pdf_path`` with Chromium; say why not when it cannot.

    Parameters
    ----------
    page_path : Path
        ``report.html``.
    pdf_path : Path
        Where the PDF goes.
    lang : str
        Language of the reason when the PDF is skipped.
    chromium : path
        The Chromium executable.

    Returns
    -------
    Path or str
        ``pdf_path`` when written, else the reason it was skipped (in ``lang``).
    """
    with PdfPrinter(lang=lang, chromium=chromium) as printer:
        printer.submit(Path(page_path), Path(pdf_path))
        return printer.result()
