"""Execution environments contained as Lambda contains them, without Docker: one sandbox per environment.

``support`` says whether this machine can make one; ``process`` starts a function in one; ``layout``
plans its filesystem; ``hostnames`` and ``certificates`` make every DynamoDB endpoint name lead to
the observing proxy, so any SDK's calls are seen; ``init`` is the sandbox's first process.
"""
