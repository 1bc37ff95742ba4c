"""The registry of networks a post can be passed on to.

Each network is one small module in this package that defines ``NETWORK``.
Adding one: write the module, add it to ``_MODULES``, add a test in
``sharing/tests/test_networks.py`` (see docs/networks.md).
"""

from importlib import import_module

from coro.sharing.networks.base import Network

_MODULES = ["linkedin", "x", "email"]

NETWORKS: dict[str, Network] = {}
for _name in _MODULES:
    _network: Network = import_module(f"coro.sharing.networks.{_name}").NETWORK
    NETWORKS[_network.key] = _network


def network_choices() -> list[tuple[str, str]]:
    return [(n.key, n.label) for n in NETWORKS.values()]


def get_network(key: str) -> Network | None:
    return NETWORKS.get(key)


__all__ = ["NETWORKS", "Network", "get_network", "network_choices"]
