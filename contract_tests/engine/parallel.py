"""``--jobs N``: a whole check's clauses run in N processes, the check's own and N-1 workers, each with its
own run (runtime, table, warm environments), taking the next clause as it finishes one; the events and
the report are the serial run's: clauses finish in the contract's order and a failure that blocks every
step is reported once, on the first clause.

The check's own process takes clauses too: it has imported and planned everything already, where a
worker starts by doing both (2-3 core-seconds, as much as a short clause). Meanwhile a thread of
it gathers what every taker tells, its own process included, and tells ``on_event`` in order.

Written here rather than with ``concurrent.futures``: a worker keeps one open run (a started backend, a
table, warm environments) across the clauses it takes, and tells progress while a clause runs."""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import pickle
import queue
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

from contract_tests.backends import BackendOptions, make_backend
from contract_tests.clauses import judgement_for
from contract_tests.clauses.judgement import WarmSequence
from contract_tests.engine.events import CheckFinished, ClauseFinished, ClauseStarted, Event, ExampleDone
from contract_tests.engine.plan import Plan, plan
from contract_tests.engine.rounds import generates, slices_per_clause
from contract_tests.engine.run import Run
from contract_tests.errors import HarnessError
from contract_tests.request import CheckRequest
from contract_tests.results import ClauseResult, Counterexample, Report, Status
from contract_tests.stop_signals import StopSignals

#: How long a stopped worker gets to clean up (its environments, its table) before it is killed.
STOP_GRACE_S = 30.0
#: A stopped worker still cleaning up after this long prints where each of its threads is, on stderr.
STUCK_S = 10.0
#: How often the parent looks whether a worker died without a word.
POLL_S = 0.5


def execute_in_workers(resolved: Plan, on_event: Callable[[Event], None]) -> Report:
    """Run ``resolved``'s clauses in ``resolved.request.jobs`` worker processes; the report, as ``execute``'s."""
    started = time.perf_counter()
    clauses = resolved.clauses
    request = resolved.request
    parts = tasks_of(resolved)
    workers = min(request.jobs, len(parts))
    context = multiprocessing.get_context("spawn")  # a fork would copy this process's threads' locks
    tasks: Any = context.Queue()
    told: Any = context.Queue()
    for task in parts:
        tasks.put(task)
    for _ in range(workers):
        tasks.put(None)
    #: Set by the worker whose slice of a clause failed: the clause's other slices stop after their round.
    failed = context.Array("b", len(clauses), lock=False)
    with ExitStack() as stack:
        shared = _shared_backend(request, stack)
        processes = [
            context.Process(
                target=_work, args=(shared, resolved.seed, tasks, told, failed), name=f"connect-contract-{n}"
            )
            for n in range(1, workers)
        ]
        stack.callback(_stop, processes, told)
        for process in processes:
            process.start()
        stopped = threading.Event()
        gathering = stack.enter_context(ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs-gathering"))
        stack.callback(stopped.set)  # before the executor's exit waits for the gathering
        gathered = gathering.submit(_gather, resolved, processes, told, on_event, parts, stopped)
        # This process's share. The gathering ends before this process says it is done only when a worker
        # failed (what it raises comes from result()): then this one takes no more clauses.
        told.put(("done", *_take(shared, resolved.seed, tasks, told, failed, gathered.done)))
        results, warnings, containment = gathered.result()
        for process in processes:  # each said it is done: let it end on its own
            process.join(STOP_GRACE_S)
    report = Report(
        resolved.request,
        resolved.seed,
        results=[results[index] for index in range(len(clauses))],
        warnings=warnings,
        containment=containment,
        contract=resolved.contract,
        runtime=resolved.runtime,
    )
    report.seconds = time.perf_counter() - started
    on_event(CheckFinished(report))
    return report


def tasks_of(resolved: Plan) -> list[tuple[int, int, int]]:
    """The workers' tasks, in the order they are taken: (clause index, slice K, slices N). A clause is one
    task, unless a campaign has more workers than generating clauses: then each deals its rounds to N.

    Warm sequences go first: each of their examples starts an environment, so they are the longest tasks,
    and a longest task taken last leaves the other workers idle while it runs (v1 on two workers: 9.9 s
    with isolation last). The rest keep the contract's order."""
    request = resolved.request
    slices = slices_per_clause(request.duration, resolved.clauses, request.jobs)
    tasks = [
        (index, part, count)
        for index, clause in enumerate(resolved.clauses)
        for count in [slices if generates(clause) else 1]
        for part in range(count)
    ]
    return sorted(tasks, key=lambda task: not isinstance(judgement_for(resolved.clauses[task[0]]), WarmSequence))


def _shared_backend(request: CheckRequest, stack: ExitStack) -> CheckRequest:
    """The request the workers run: a server backend this process started once, reused at its endpoint."""
    if request.endpoint is not None or not request.uses_backend:
        return request
    options = BackendOptions(region=request.region, create_real_table=request.create_real_table)
    backend = make_backend(request.backend, options)
    if not backend.shareable:
        return request
    stack.enter_context(backend)
    return replace(request, endpoint=backend.endpoint_url())


def _gather(
    resolved: Plan,
    processes: list[Any],
    told: Any,
    on_event: Callable[[Event], None],
    parts: list[tuple[int, int, int]],
    stopped: threading.Event,
) -> tuple[dict[int, ClauseResult], list[str], Any]:
    """Every taker's results by clause index (a clause's slices joined), their warnings and the first one's
    containment; ``on_event`` hears each start and example as it comes and each finish in the contract's
    order. The takers are ``processes`` and the check's own process, which says it is done last."""
    clauses = resolved.clauses
    slices = {index: count for index, _, count in parts}
    results: dict[int, ClauseResult] = {}
    finished_parts: dict[int, dict[int, ClauseResult]] = {}
    examples: dict[int, dict[int, ExampleDone]] = {}
    warnings: list[str] = []
    containment: Any = None
    finished = 0
    told_next = 0
    while finished < len(processes) + 1 and not stopped.is_set():
        try:
            message = told.get(timeout=POLL_S)
        except queue.Empty:
            dead = [p for p in processes if p.exitcode is not None and p.exitcode != 0]
            if dead:
                raise HarnessError(
                    f"a worker process of --jobs ended with exit status {dead[0].exitcode} before its clauses"
                    " were done; run with --jobs 1 to see why"
                ) from None
            continue
        kind = message[0]
        if kind == "started":
            index, part = message[1]
            if index not in examples:
                examples[index] = {}
                on_event(ClauseStarted(clauses[index]))
        elif kind == "example":
            index, part = message[1]
            examples[index][part] = ExampleDone(clauses[index], *message[2])
            on_event(_summed(list(examples[index].values())))
        elif kind == "finished":
            index, part = message[1]
            result = replace(message[2], clause=clauses[index])  # the plan's own clause, as the serial run's
            finished_parts.setdefault(index, {})[part] = result
            if len(finished_parts[index]) == slices[index]:
                results[index] = _joined([finished_parts[index][k] for k in range(slices[index])])
            while told_next in results:
                on_event(ClauseFinished(results[told_next]))
                told_next += 1
        elif kind == "done":
            finished += 1
            warnings.extend(warning for warning in message[1] if warning not in warnings)
            containment = containment or message[2]
        elif kind == "failed":
            raise pickle.loads(message[1])
    return results, warnings, containment


def _summed(latest: list[ExampleDone]) -> ExampleDone:
    """Progress of a clause whose slices run at once: their examples added up (behaviours: the most any saw)."""
    first = latest[0]
    done = sum(event.done for event in latest)
    return ExampleDone(first.clause, done, first.planned, max(event.behaviours for event in latest), first.share_s)


def _joined(slices: list[ClauseResult]) -> ClauseResult:
    """One clause's result from its slices' (one, unless a campaign dealt its rounds to several workers):
    the first failure's verdict and example, every slice's examples, rounds and behaviours counted."""
    failed = [result for result in slices if result.status is Status.FAILED]
    chosen = failed[0] if failed else slices[0]
    if len(slices) == 1:
        return chosen
    behaviours: Counter[str] = Counter()
    for result in slices:
        behaviours.update(result.behaviours)
    return replace(
        chosen,
        examples=sum(result.examples for result in slices),
        rounds=sum(result.rounds for result in slices),
        seconds=max(result.seconds for result in slices),
        behaviours=dict(behaviours),
    )


def _stop(processes: list[Any], told: Any) -> None:
    """Every worker ended: asked to stop (it cleans up as a check does on SIGTERM), killed if it will not.
    What they still tell is read and dropped meanwhile: a worker's exit waits until what it queued is
    written, and a pipe no one reads stays full."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    while any(process.is_alive() for process in processes) and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty, OSError, EOFError, ValueError):
            told.get(timeout=0.1)
    for process in processes:
        if process.is_alive():
            print(
                f"connect-contract: worker {process.name} did not end within {STOP_GRACE_S:g} s of being stopped;"
                " killed (its threads' stacks, if it could print them, are above)",
                file=sys.stderr,
            )
            process.kill()
        process.join()


def _stops() -> StopSignals:
    """A worker's stops: the first unwinds, so environments and the table are cleaned up, and a clean-up
    that hangs says where before the parent kills it."""
    return StopSignals(once=True, on_first=lambda: faulthandler.dump_traceback_later(STUCK_S, file=sys.stderr))


def _take(
    request: CheckRequest, seed: int, tasks: Any, told: Any, failed: Any, abandoned: Callable[[], bool]
) -> tuple[list[str], Any]:
    """One run of the whole plan, taking clause indices until it is handed None (or ``abandoned``); its
    warnings and containment."""
    # The parent resolved the request already (a template's functions filled in): plan it as it stands.
    resolved = plan(replace(request, template=None, seed=seed))
    under_way: tuple[int, int] = (0, 0)

    def tell(event: Event) -> None:
        if isinstance(event, ExampleDone):
            told.put(("example", under_way, (event.done, event.planned, event.behaviours, event.share_s)))

    run = Run(resolved, tell)
    with run:
        while not abandoned() and (task := tasks.get()) is not None:
            index, part, count = task
            under_way = (index, part)
            told.put(("started", under_way))
            clause = resolved.clauses[index]
            reports = resolved.reports_blocking_failure(clause) and part == 0
            result = run.run_clause(
                clause,
                reports_blocking_failure=reports,
                part=(part, count),
                given_up=lambda: bool(failed[index]),  # noqa: B023 - called during this call only
            )
            if result.status is Status.FAILED:
                failed[index] = 1
            told.put(("finished", under_way, _portable(result)))
    return list(run.warnings), run.runtime.containment


def _work(request: CheckRequest, seed: int, tasks: Any, told: Any, failed: Any) -> None:
    """A worker process: its share of the clauses, and then a word to the parent that it is done."""
    _stops().install()
    try:
        warnings, containment = _take(request, seed, tasks, told, failed, lambda: False)
        for signum in (signal.SIGTERM, signal.SIGINT):  # cleaned up: a stop now only cuts the goodbye short
            signal.signal(signum, signal.SIG_DFL)
        told.put(("done", warnings, containment))
    except KeyboardInterrupt:
        # The parent stopped reading: what is still queued for it would hold this process's exit forever.
        told.cancel_join_thread()
        return
    except BaseException as error:  # noqa: BLE001 - the parent raises it, as this process would have
        told.put(("failed", _pickled(error)))


def _portable(result: ClauseResult) -> ClauseResult:
    """``result`` as it can cross to the parent: an example pickle cannot carry is shown by its repr."""
    shown = result.counterexample
    if shown is None:
        return result
    try:
        pickle.dumps(shown)
    except Exception:  # noqa: BLE001 - whatever a case holds (a lock, a generator), its repr still says it
        shown = Counterexample(repr(shown.example), repr(shown.expected), repr(shown.actual), shown.judged_by)
    return replace(result, counterexample=shown)


def _pickled(error: BaseException) -> bytes:
    try:
        return pickle.dumps(error)
    except Exception:  # noqa: BLE001 - an exception pickle cannot carry still reaches the parent, by name
        return pickle.dumps(HarnessError(f"a worker process of --jobs failed: {type(error).__name__}: {error}"))
