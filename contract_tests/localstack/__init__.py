"""LocalStack's DynamoDB run on this machine without Docker: provisioning and the process itself."""
