"""The part of `wagents validate` that checks servers the cache did not answer: facts, probes,
rules in stages, suppressions, cache stores.

Static rules run while the probes do (see wagents.probe.scheduler); a server's other rules run as
soon as its probe is done. Facts only flow forward: each stage's rules get the facts and what
the stages before produced (the isolated install's result, the live launches, the ignore entries
that matched nothing) as arguments; nothing is written back into the facts.

wagents.check.engine imports this module only when some server needs checking: a run the cache
answers entirely loads none of the rules, the probe machinery, fastmcp or pydantic.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from wagents.check.cache import ResultCache
from wagents.check.facts import EnvironmentFacts, ServerFacts
from wagents.check.live import check_live, not_launched
from wagents.check.options import Options
from wagents.check.rules import Rule, Stage, all_rules, run_check
from wagents.check.suppressions import Ignore
from wagents.model import (
    INTERNAL_ERROR,
    Finding,
    Server,
    Severity,
    Suppressed,
    one_line,
)
from wagents.probe.fastmcp_models import config_text
from wagents.probe.isolated import IsolatedFacts, check_isolated
from wagents.probe.live import LiveFacts, live_jobs
from wagents.probe.runner import ProbeRequest, request_for
from wagents.probe.scheduler import ProbeInfo, Prober
from wagents.workspace.root import Workspace
from wagents.workspace.server import ServerFiles


class Pipeline:
    """Checks servers: probes in the background, rules in stages, cache stores.

    `options` is the engine's `Options`; `cache` and `keys` (each server's cache key, from the
    engine's lookups) say where findings are stored.
    """

    def __init__(
        self,
        workspace: Workspace,
        rules: list[Rule],
        options: Options,
        cache: ResultCache | None,
        keys: dict[str, str | None],
        on_server_done: Callable[[str], None] | None,
    ) -> None:
        self.workspace = workspace
        self.options = options
        self.rules = rules
        # Run while the probes do: they read no runtime facts.
        self.static_rules = [item for item in rules if item.stage is Stage.STATIC]
        self.probing = any(item.stage is not Stage.STATIC for item in rules)
        self.on_server_done = on_server_done
        self.findings: list[Finding] = []
        self.suppressed: list[Suppressed] = []
        self.probes = ProbeInfo()
        self.checked = self.stored = 0
        self.cache = cache
        self.isolated = options.isolated and any(item.stage is Stage.ISOLATED for item in rules)
        self.live = options.live and any(item.stage is Stage.LIVE for item in rules)
        self.live_count = 0
        self.live_seconds = 0.0
        self.live_jobs = 0
        self.keys = keys
        self.static_findings: dict[str, list[Finding]] = {}
        self.waiting: list[ServerFacts] = []  # for their isolated install or live launch

    def run(self, servers: list[Server], prober: Prober) -> None:
        """Check `servers`, probed by `prober` (the engine may have started it already); it is
        closed once the probes are done, before the isolated installs and live launches."""
        files = [ServerFiles(server, self.workspace) for server in servers]
        with prober:
            answers = None
            if self.probing:
                prober.start(len(files))  # the zygote imports fastmcp while the servers are read
                if any(item.fastmcp_models for item in self.static_rules):
                    answers = prober.fastmcp_config(_config_texts(files))
            environment = EnvironmentFacts(
                self.workspace, frozenset(all_rules()), self.cache, fastmcp_answers=answers
            )
            self._check([ServerFacts(item, environment) for item in files], prober)
        self.probes = prober.info
        if self.waiting:
            isolated: dict[Path, IsolatedFacts] = {}
            if self.isolated:
                isolated = check_isolated(
                    [facts.files for facts in self.waiting], self.options.timeout, self.options.jobs
                )
            live: dict[Path, LiveFacts] = {}
            if self.live:
                started = time.monotonic()
                slugs = [item.slug for item in self.rules]
                live = check_live(self.waiting, self.options.timeout, self.options.jobs, slugs)
                self.live_count = sum(1 for facts in live.values() if facts.skipped is None)
                self.live_jobs = live_jobs(self.options.jobs, self.live_count)
                self.live_seconds = round(time.monotonic() - started, 3)
            for facts in self.waiting:
                self._finish(facts, isolated.get(facts.path), live.get(facts.path))

    def _check(self, todo: list[ServerFacts], prober: Prober) -> None:
        requests: dict[ProbeRequest, ServerFacts] = {}
        if self.probing:
            for facts in todo:
                loaded = facts.files.source
                # A module wagents could not even read (too big, not UTF-8, unreadable) is not
                # imported.
                if loaded is not None and (loaded.error is None or loaded.text is not None):
                    requests[request_for(facts.files)] = facts
        prober.submit(requests)
        # While the probes run; the rules reading FastMCP's models last (see Rule).
        early = [item for item in self.static_rules if not item.fastmcp_models]
        late = [item for item in self.static_rules if item.fastmcp_models]
        for facts in todo:
            self.static_findings[facts.server.name] = _run_rules(facts, early)
        for facts in todo:
            found = self.static_findings[facts.server.name]
            found += _run_rules(facts, late, earlier=found)
        probed = set(map(id, requests.values()))
        for facts in todo:
            if id(facts) not in probed:
                self._probed(facts)
        for request, runtime in prober.results():
            self._probed(requests[request].with_runtime(runtime))

    def _probed(self, facts: ServerFacts) -> None:
        if self.isolated or self.live:
            self.waiting.append(facts)
        else:
            self._finish(facts, None, None)

    def _finish(
        self, facts: ServerFacts, isolated: IsolatedFacts | None, live: LiveFacts | None
    ) -> None:
        name = facts.server.name
        findings, suppressed = check_server(
            facts, self.rules, self.static_rules, self.static_findings.pop(name), isolated, live
        )
        self.findings += findings
        self.suppressed += suppressed
        self.checked += 1
        unstable = live is not None and live.unstable  # a launch ran out of time
        if (
            self.cache is not None
            and not unstable
            and self.cache.store(
                facts.server, self.keys.get(name), findings, suppressed, facts.runtime
            )
        ):
            self.stored += 1
        self._done(name)

    def _done(self, name: str) -> None:
        if self.on_server_done is not None:
            self.on_server_done(name)


def _config_texts(files: Iterable[ServerFiles]) -> set[str]:
    """The fastmcp.json objects of `files`, as FastMCP's models are asked about them."""
    texts = set()
    for item in files:
        loaded = item.fastmcp_json
        if loaded is not None and loaded.error is None and isinstance(loaded.value, dict):
            texts.add(config_text(loaded.value))
    return texts


def check_server(
    facts: ServerFacts,
    rules: Iterable[Rule],
    done: Iterable[Rule] = (),
    found: Iterable[Finding] = (),
    isolated: IsolatedFacts | None = None,
    live: LiveFacts | None = None,
) -> tuple[list[Finding], list[Suppressed]]:
    """Apply `rules` to one server's facts, then its `[tool.wagents] ignore` entries.

    Returns the findings that stand and the suppressed ones. Rules in `done` already ran on these
    facts (validation runs the static ones while the probes run) and gave `found`. Stages run in
    order: static and runtime rules, then the isolated-install rules (given `isolated`), then the
    suppressions, then the rules that judge them (given the ignore entries that matched nothing).
    The live rules (given `live`, from `--live`) run with the isolated ones.
    """
    rules = list(rules)
    skipped = {item.slug for item in done}
    findings = list(found)
    for stage, stage_input in ((Stage.STATIC, None), (Stage.RUNTIME, None)):
        findings += _run_rules(
            facts, [r for r in rules if r.stage is stage and r.slug not in skipped], stage_input
        )
    findings += _run_rules(
        facts, [r for r in rules if r.stage is Stage.ISOLATED], isolated, findings
    )
    findings += _run_rules(facts, [r for r in rules if r.stage is Stage.LIVE], live, findings)
    # A runtime rule says nothing about a server that did not import: its ignores are not judged;
    # nor are those of the live rules that launched nothing (no `--live`).
    imported = facts.runtime is not None and facts.runtime.imported
    judged = {
        item.slug
        for item in rules
        if item.stage is not Stage.SUPPRESSIONS and (imported or not item.runtime)
    } - not_launched(live)
    findings, suppressed, unused = _apply_ignores(facts, findings, judged)
    findings += _run_rules(
        facts, [r for r in rules if r.stage is Stage.SUPPRESSIONS], tuple(unused), findings
    )
    return findings, suppressed


def _apply_ignores(
    facts: ServerFacts, findings: list[Finding], ran: set[str]
) -> tuple[list[Finding], list[Suppressed], list[Ignore]]:
    ignores, _ = facts.ignores
    reasons = {entry.rule: entry.reason for entry in ignores}
    kept = [finding for finding in findings if finding.rule not in reasons]
    suppressed = [
        Suppressed(finding, reasons[finding.rule])
        for finding in findings
        if finding.rule in reasons
    ]
    matched = {item.finding.rule for item in suppressed}
    unused = [entry for entry in ignores if entry.rule in ran and entry.rule not in matched]
    return kept, suppressed, unused


def _run_rules(
    facts: ServerFacts,
    rules: Iterable[Rule],
    stage_input: object = None,
    earlier: Iterable[Finding] = (),
) -> list[Finding]:
    """Apply `rules` to one server's facts; a crashing rule becomes an internal-error finding.

    A rule whose `requires` reported an error (in `earlier` or in this batch) does not run.
    """
    findings: list[Finding] = []
    failed = {finding.rule for finding in earlier if finding.severity is Severity.ERROR}
    for item in rules:
        if failed.intersection(item.requires):
            continue
        try:
            problems = run_check(item, facts, stage_input)
        except Exception as exc:  # a rule's bug must not hide the other rules' findings
            findings.append(
                Finding(
                    facts.server.name,
                    INTERNAL_ERROR,
                    Severity.ERROR,
                    one_line(f"rule {item.slug} crashed: {type(exc).__name__}: {exc}"),
                )
            )
            continue
        for problem in problems:
            finding = Finding(
                server=facts.server.name,
                rule=item.slug,
                severity=problem.severity or item.severity,
                message=one_line(problem.message),
                path=facts.relative(problem.path) if problem.path is not None else None,
                line=problem.line,
                subject=problem.subject,
            )
            findings.append(finding)
            if finding.severity is Severity.ERROR:
                failed.add(item.slug)
    return findings
