"""`wagents validate` as a function: workspace → servers → facts → rules → findings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from wagents.facts import ServerFacts
from wagents.ignores import Ignore, read_ignores
from wagents.model import Finding, Server, Severity, Suppressed, UsageError
from wagents.rules import Rule, all_rules
from wagents.runner import ProbeLimits, ProbeRequest, run_probes
from wagents.workspace import Workspace

#: The rule slug under which a crashing rule is reported.
INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True)
class Options:
    """How to validate: which rules, how many probes at once, how long each may take."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    jobs: int | None = None
    timeout: float = 30.0
    isolated: bool = False  # also install each server alone and import it there (slow)


@dataclass(frozen=True)
class Report:
    """The outcome of a validation run.

    `path_prefix` is the workspace root's place in its git repository ("" at the top, else
    "sub/dir/"): CI formats give paths relative to the repository, findings to the workspace.
    """

    servers: list[str]
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    server_paths: dict[str, str] = field(default_factory=dict)
    path_prefix: str = ""

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(finding.severity for finding in self.findings)
        return {
            "servers": len(self.servers),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "info": counts[Severity.INFO],
        }

    @property
    def failed(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def fails(self, strict: bool = False) -> bool:
        """Whether the run fails: any error, or with `strict` any warning too."""
        return self.failed or (strict and self.count(Severity.WARNING) > 0)


def selected_rules(options: Options) -> list[Rule]:
    """The rules `--select`/`--ignore` leave, in registry order; unknown slugs are usage errors."""
    rules = all_rules()
    unknown = [slug for slug in (*options.select, *options.ignore) if slug not in rules]
    if unknown:
        raise UsageError(f"unknown rule {', '.join(unknown)} (see `wagents rules` for the list)")
    chosen = [rules[slug] for slug in options.select] if options.select else list(rules.values())
    return [item for item in chosen if item.slug not in options.ignore]


def validate(
    workspace: Workspace,
    servers: Iterable[Server],
    options: Options | None = None,
    on_server_done: Callable[[str], None] | None = None,
) -> Report:
    """Run the selected rules on `servers` and return every finding, sorted."""
    options = options or Options()
    rules = selected_rules(options)
    all_facts = {server.name: ServerFacts(server, workspace) for server in servers}
    if any(item.runtime for item in rules):
        _attach_runtime_facts(all_facts, options, on_server_done)
    if options.isolated:
        from wagents.isolation import RULE, attach_isolated

        if any(item.slug == RULE for item in rules):
            attach_isolated(all_facts.values(), options.timeout, options.jobs)
    findings: list[Finding] = []
    suppressed: list[Suppressed] = []
    for facts in all_facts.values():
        server_findings, server_suppressed = check_server(facts, rules)
        findings += server_findings
        suppressed += server_suppressed
    return Report(
        servers=sorted(all_facts),
        findings=sorted(findings, key=lambda f: f.sort_key),
        suppressed=sorted(suppressed, key=lambda s: s.finding.sort_key),
        rules=rules,
        server_paths={name: facts.relative(facts.path) for name, facts in all_facts.items()},
        path_prefix=workspace.repository_prefix,
    )


def _attach_runtime_facts(
    all_facts: dict[str, ServerFacts],
    options: Options,
    on_server_done: Callable[[str], None] | None,
) -> None:
    requests = {}
    for name, facts in all_facts.items():
        loaded = facts.source
        # A module wagents could not even read (too big, not UTF-8, unreadable) is not imported.
        if loaded is not None and (loaded.error is None or loaded.text is not None):
            request = ProbeRequest(facts.path, facts.source_name, facts.entrypoint)
            requests[request] = name
    limits = ProbeLimits(timeout=options.timeout)
    for request, runtime in run_probes(requests, limits, options.jobs):
        all_facts[requests[request]].runtime = runtime
        if on_server_done is not None:
            on_server_done(requests[request])


def check_server(
    facts: ServerFacts, rules: Iterable[Rule]
) -> tuple[list[Finding], list[Suppressed]]:
    """Apply `rules` to one server's facts, then its `[tool.wagents] ignore` entries.

    Returns the findings that stand and the suppressed ones. Rules marked `after_findings`
    (unused-ignore) run last, once the suppressions are known.
    """
    rules = list(rules)
    early = [item for item in rules if not item.after_findings]
    findings = _run_rules(facts, early)
    # A runtime rule says nothing about a server that did not import: its ignores are not judged.
    imported = facts.runtime is not None and facts.runtime.imported
    judged = {item.slug for item in early if imported or not item.runtime}
    findings, suppressed, facts.unused_ignores = _apply_ignores(facts, findings, judged)
    findings += _run_rules(facts, [item for item in rules if item.after_findings])
    return findings, suppressed


def _apply_ignores(
    facts: ServerFacts, findings: list[Finding], ran: set[str]
) -> tuple[list[Finding], list[Suppressed], list[Ignore]]:
    loaded = facts.pyproject
    if loaded is None or not loaded.ok:
        return findings, [], []
    ignores, _ = read_ignores(loaded.value, loaded.text or "", all_rules())
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


def _run_rules(facts: ServerFacts, rules: Iterable[Rule]) -> list[Finding]:
    """Apply `rules` to one server's facts; a crashing rule becomes an internal-error finding."""
    findings = []
    for item in rules:
        try:
            problems = list(item.check(facts))
        except Exception as exc:  # a rule's bug must not hide the other rules' findings
            findings.append(
                Finding(
                    facts.server.name,
                    INTERNAL_ERROR,
                    Severity.ERROR,
                    f"rule {item.slug} crashed: {type(exc).__name__}: {exc}",
                )
            )
            continue
        for problem in problems:
            findings.append(
                Finding(
                    server=facts.server.name,
                    rule=item.slug,
                    severity=problem.severity or item.severity,
                    message=problem.message,
                    path=facts.relative(problem.path) if problem.path is not None else None,
                    line=problem.line,
                )
            )
    return findings
