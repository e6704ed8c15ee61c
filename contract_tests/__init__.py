"""connect-contract: the contract gate for API Gateway WebSocket `$connect` handlers."""
