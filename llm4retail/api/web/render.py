"""Server-rendered pages: one Jinja2 environment over the package's templates, with the page's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from llm4retail import __version__
from llm4retail.api.web.i18n import LANGUAGE_COOKIE, PageLanguage, page_language, translator

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES = Jinja2Templates(directory=WEB_DIR / "templates")  # autoescapes .html


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page `template` in the request's language; a `?lang=` choice is remembered in a cookie."""
    language = page_language(request)
    response = TEMPLATES.TemplateResponse(
        request, template, {"t": translator(language), "lang": language, "other_lang": _other(language),
                            "version": __version__, **context},
        status_code=status_code,
    )  # fmt: skip
    # Same-origin requests keep their Origin and Referer (a browser sends `Origin: null` on a form post
    # from a no-referrer page, and the page forms' same-origin check needs the real one); other sites get neither.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _other(language: PageLanguage) -> PageLanguage:
    return PageLanguage.ZH if language is PageLanguage.EN else PageLanguage.EN
