"""Observers: how a handler's AWS calls are seen and its storage failed, in process and over HTTP."""
