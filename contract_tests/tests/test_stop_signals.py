"""A stop (SIGINT, SIGTERM) always unwinds the check or the worker it reaches, even when it lands while
Python runs a garbage-collector callback, where an exception is printed and dropped."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: The stop arrives while hypothesis-style gc callback code runs; the process then sleeps, as a check
#: would go on checking, and says whether it was stopped.
STOP_INSIDE_A_GC_CALLBACK = """
    import gc, os, signal, time
    from contract_tests.stop_signals import Interrupted, StopSignals

    StopSignals(once={once}).install()

    def callback(phase, info):
        if phase == "start" and not getattr(callback, "done", False):
            callback.done = True
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):  # the handler runs here, inside the callback
                pass

    gc.callbacks.append(callback)
    try:
        gc.collect()
        time.sleep(5)
        print("ran on")
    except Interrupted as stop:
        print("stopped by", signal.Signals(stop.signum).name)
"""


@pytest.mark.parametrize("once", [False, True], ids=["cli", "worker"])
def test_a_stop_landing_in_a_gc_callback_is_delivered_again(once: bool) -> None:
    script = textwrap.dedent(STOP_INSIDE_A_GC_CALLBACK.format(once=once))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "stopped by SIGTERM", done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr


def test_a_worker_ignores_a_second_stop_while_it_cleans_up() -> None:
    script = textwrap.dedent(
        """
        import os, signal, time
        from contract_tests.stop_signals import Interrupted, StopSignals

        StopSignals(once=True).install()
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        except Interrupted:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C reaching the process group, after the parent's stop
            time.sleep(0.2)
            print("cleaned up")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "cleaned up", done.stdout + done.stderr
