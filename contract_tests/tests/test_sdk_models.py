"""The harness's botocore sessions share one loader of the SDK's model files, which stays as it was made."""

from __future__ import annotations

from contract_tests.backends.base import plain_client
from contract_tests.observers.botocore_hooks import fresh_default_session
from contract_tests.sdk_models import shared_loader


def test_sessions_share_one_loader_whose_search_paths_do_not_grow() -> None:
    clients = [plain_client("http://127.0.0.1:9", "eu-west-1") for _ in range(3)]
    for _ in range(3):
        fresh_default_session()
    paths = shared_loader().search_paths
    assert len(paths) == len(set(paths)), paths
    assert all(client.meta.service_model.service_name == "dynamodb" for client in clients)
    assert {client.meta.region_name for client in clients} == {"eu-west-1"}
    loaded = shared_loader().load_service_model("dynamodb", "service-2")
    assert loaded is shared_loader().load_service_model("dynamodb", "service-2"), "parsed once, then cached"
