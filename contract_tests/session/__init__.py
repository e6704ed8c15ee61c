"""Sessions: one function's configuration, execution environments and one step's round trip.
A `$connect` handler's (``ConnectSession``) and an authorizer's (``AuthorizerSession``) share the
environment pool (``environments``) and the settings (``settings``)."""

from __future__ import annotations

from contract_tests.session.authorizer import AuthorizerSession
from contract_tests.session.connect import ENDPOINT_DOWN, ConnectSession
from contract_tests.session.environments import Environment, EnvironmentPool
from contract_tests.session.settings import CheckSettings

__all__ = ["ENDPOINT_DOWN", "AuthorizerSession", "CheckSettings", "ConnectSession", "Environment", "EnvironmentPool"]
