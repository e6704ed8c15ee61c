"""Errors that stop a check before any verdict: each maps to exit status 2 with one message."""

from __future__ import annotations


class HarnessError(Exception):
    """Usage or environment problem (bad target, handler import error, backend down): exit 2."""


class TargetError(HarnessError):
    """The ``--handler`` target cannot be found or imported."""


class BackendError(HarnessError):
    """The DynamoDB backend is unavailable, failed to start, or stopped answering."""
