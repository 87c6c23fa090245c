"""GET /: a one-page form to try the model in a browser (plain HTML + fetch, no build step)."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

PAGE = Path(__file__).resolve().parents[2] / "static" / "index.html"
PAGE_HTML = PAGE.read_text(encoding="utf-8")

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def index() -> HTMLResponse:
    return HTMLResponse(PAGE_HTML)
