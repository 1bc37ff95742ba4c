"""The one way Coro fetches anything from the web (link previews, blog feeds, ...), SSRF-safe.

A person types a link; Coro's server fetches it. Without care that lets anyone make the server
talk to places only it can reach: its own loopback, the company network, the cloud's metadata
service. So the fetcher:

- speaks only http and https;
- resolves the name itself and checks EVERY address it resolves to (``address_allowed``), then
  connects to exactly that checked address, so a name that answers differently a second later
  ("DNS rebinding") cannot help; TLS is still verified against the original name;
- follows redirects itself, one by one, checking each target the same way (3 at most);
- gives the whole fetch one deadline (10 s), not one per read, enforced by a watchdog that cuts
  the connection, so a server dripping bytes cannot hold it;
- checks the content type before reading the body, and refuses (never truncates) bodies bigger
  than the limit, compressed or not.

Its parts: ``addresses`` (which addresses are allowed, resolving a name to checked ones),
``connection`` (connecting only to those, the deadline's watchdog) and ``client`` (the GET,
redirects, the body). See docs/fetching.md.
"""

from coro.core.fetch.addresses import address_allowed, resolve_checked
from coro.core.fetch.client import USER_AGENT, fetch
from coro.core.fetch.results import Fetched, FetchError

__all__ = ["USER_AGENT", "FetchError", "Fetched", "address_allowed", "fetch", "resolve_checked"]
