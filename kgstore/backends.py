"""Backend choice: the store the settings name, and endpoint credentials kept out of URLs."""

from __future__ import annotations

from .settings import Settings
from .store import KGStore


def split_credentials(url: str) -> tuple[str, str, str]:
    """`http://user:pass@host/q` -> (`http://host/q`, user, pass): credentials travel only as an
    Authorization header, so no URL that reaches a log or an error message carries them."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username is None:
        return url, "", ""
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return (urlunsplit(parts._replace(netloc=netloc)), unquote(parts.username), unquote(parts.password or ""))


def open_store(settings: Settings, *, read_only: bool | None = None) -> KGStore:
    """The store named by settings: a SPARQL endpoint for http(s) URLs, else embedded Oxigraph:
    through its host's loopback server while a host serves it (`kgstore.share`), else in-process."""
    ro = settings.read_only if read_only is None else read_only
    common = dict(limit_cap=settings.sparql_limit, timeout_s=settings.sparql_timeout_s, read_only=ro)
    from .endpoint import EndpointStore

    if settings.is_endpoint:
        (query_url, user, password), (update_url, _, _) = map(split_credentials, (settings.store_url,
                                                                                settings.update_url))
        return EndpointStore(query_url, update_url, user=settings.store_user or user,
                             password=settings.store_password.get_secret_value() or password, **common)
    from . import share
    from .errors import StoreBusyError
    from .oxigraph import EmbeddedStore

    for _ in range(2):  # a host may start between looking for it and opening the folder
        host = share.serving(settings.store_path)
        if host is not None:
            return EndpointStore(f"{host.url}/query", f"{host.url}/update", **common)
        try:
            return EmbeddedStore(settings.store_path, **common)
        except StoreBusyError:
            if share.serving(settings.store_path) is None:
                raise
    raise StoreBusyError(share.busy_message(settings.store_path))
