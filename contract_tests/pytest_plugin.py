"""Pytest plugin: `pytest --connect-handler TARGET` adds the contract clauses as test items."""
