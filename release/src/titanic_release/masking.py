"""The release machinery's credential masker: index URLs may carry user:password, and no
message or log may show them."""

from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"


def split_credentials(url: str) -> tuple[str, str, str]:
    """(url without user:password, user, password), the latter two percent-decoded."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return bare, unquote(parts.username or ""), unquote(parts.password or "")


def shown_url(url: str) -> str:
    """`url` safe to print: `***@host` where credentials were, query and fragment dropped."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{MASK}@{host}" if parts.username or parts.password else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def mask(text: str, *secrets: str) -> str:
    """`text` with every non-empty secret, as given and percent-decoded, replaced by ***."""
    for secret in secrets:
        for form in {secret, unquote(secret)}:
            if form:
                text = text.replace(form, MASK)
    return text


def mask_url_credentials(text: str, url: str) -> str:
    """`text` with the user and password held in `url` replaced by ***."""
    parts = urlsplit(url)
    return mask(text, parts.password or "", parts.username or "")
