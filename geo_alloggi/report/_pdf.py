"""``report.pdf``: ``report.html`` printed by Chromium (A4 landscape), when present.

Drives the system's Chromium through Playwright's Python package (never a
browser download); every network request is refused while printing. Without
Chromium or Playwright the PDF is skipped and the reason is said in the
meeting's language.
"""

from __future__ import annotations

import logging
import queue
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from geo_alloggi._i18n import t

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

#: Milliseconds allowed to load and print the page.
TIMEOUT_MS = 60_000

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


def _serve(chromium: Path, jobs: queue.Queue[tuple[Path, Path] | None]) -> None:
    """Start Chromium, wait for the page to print (None: nothing), print it."""
    from playwright.sync_api import Route, sync_playwright

    def refuse_remote(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            log.warning("report.pdf: request refused: %s", url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium), args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            page = browser.new_page(
                viewport={"width": _px(PAGE_MM[0]), "height": _px(PAGE_MM[1])}
            )
            page.route("**/*", refuse_remote)
            page.emulate_media(media="print")
            job = jobs.get()
            if job is None:
                return
            page_path, pdf_path = job
            page.goto(
                page_path.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS
            )
            height = page.evaluate("document.body.scrollHeight")
            page.pdf(
                path=str(pdf_path),
                format="A4",
                landscape=True,
                print_background=True,
                prefer_css_page_size=True,
                scale=fit_scale(height),
            )
        finally:
            browser.close()


class PdfPrinter:
    """Chromium started in the background, printing one page when it is written.

    Starting Chromium takes about as long as writing the rest of a bundle, so
    the printer launches it as soon as it is created (in a worker thread: the
    sync API of Playwright refuses to run inside an event loop, e.g. a
    notebook); :meth:`submit` hands it the page once written and
    :meth:`result` waits for the PDF. Use it as a context manager: leaving
    the block closes the browser, printed or not.

    Parameters
    ----------
    lang : str, default 'it'
        Language of the reason when the PDF is skipped.
    chromium : str or os.PathLike, default CHROMIUM
        The Chromium executable.
    """

    def __init__(self, *, lang: str = "it", chromium: Path | str = CHROMIUM) -> None:
        self._lang = lang
        self._jobs: queue.Queue[tuple[Path, Path] | None] = queue.Queue()
        self._pdf: Path | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._done: Future[None] | None = None
        self._skipped = _unavailable(Path(chromium), lang)
        if self._skipped is None:
            self._pool = ThreadPoolExecutor(max_workers=1)
            self._done = self._pool.submit(_serve, Path(chromium), self._jobs)

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, page_path: Path, pdf_path: Path) -> None:
        """Print ``page_path`` (``report.html``) to ``pdf_path``; once per printer.

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
        self._jobs.put((Path(page_path), self._pdf))

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
        if self._pdf is None or self._done is None:
            raise RuntimeError("PdfPrinter.result: no page submitted")
        try:
            self._done.result()
        except Exception as exc:  # a browser failure must not stop the bundle
            log.warning("report.pdf not printed: %s", exc)
            self._pdf.unlink(missing_ok=True)
            return t("report.pdf_failed", self._lang)
        return self._pdf

    def close(self) -> None:
        """Close the browser (nothing is printed when no page was submitted)."""
        if self._pool is None:
            return
        if self._pdf is None:
            self._jobs.put(None)
        self._pool.shutdown(wait=True)
        self._pool = None


def _unavailable(browser: Path, lang: str) -> str | None:
    """Why Chromium cannot print here (in ``lang``), None when it can."""
    if not browser.is_file():
        return t("report.no_chromium", lang, path=str(browser))
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return t("report.no_playwright", lang)
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
