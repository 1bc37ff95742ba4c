"""Coro: employee advocacy that people trust."""
