"""A small model of how GitHub Actions decides which jobs and steps of a workflow run.

Enough of the expression language for generated workflows (`==`, `!=`, `&&`, `||`, `!`,
parentheses, string/number/boolean literals, context paths, status functions) and of job
scheduling: a job runs when its `if:` holds, an `if:` without a status function means
`success() && (...)`, and status functions look at every ancestor job, so a skipped
ancestor skips a dependent job unless it asks for `!cancelled() && !failure()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().,\[\]])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_STATUS = ("success", "failure", "cancelled", "always")
_WRAPPED = re.compile(r"^\s*\$\{\{(.*)\}\}\s*$", re.S)


def truthy(value: Any) -> bool:
    return value not in (None, False, 0, "")


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot read expression at {text[pos:]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


@dataclass
class Evaluator:
    """Evaluates one expression against `contexts` with the given status functions."""

    contexts: Mapping[str, Any]
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    _tokens: list[tuple[str, str]] = field(default_factory=list)
    _pos: int = 0

    def evaluate(self, text: str) -> Any:
        self._tokens, self._pos = _tokens(text), 0
        value = self._or()
        if self._pos != len(self._tokens):
            raise ValueError(f"trailing input in {text!r}")
        return value

    def _peek(self) -> str | None:
        return self._tokens[self._pos][1] if self._pos < len(self._tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        token = self._tokens[self._pos]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, got {token[1]!r}")
        self._pos += 1
        return token

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._unary()
        while self._peek() == "&&":
            self._take()
            right = self._unary()
            value = right if truthy(value) else value
        return value

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        return self._comparison()

    def _comparison(self) -> Any:
        left = self._primary()
        if self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._primary()
            equal = _loose(left) == _loose(right)
            return equal if op == "==" else not equal
        return left

    def _primary(self) -> Any:
        kind, text = self._take()
        if text == "(":
            value = self._or()
            self._take(")")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self._peek() == "(":
            self._take()
            args = []
            while self._peek() != ")":
                args.append(self._or())
                if self._peek() == ",":
                    self._take()
            self._take(")")
            return self.functions[text](*args)
        if text not in self.contexts:
            raise KeyError(f"unknown context {text!r}")
        value = self.contexts[text]
        while self._peek() in (".", "["):
            if self._take()[1] == ".":
                key = self._take()[1]
            else:
                key = str(self._or())
                self._take("]")
            value = value.get(key) if isinstance(value, Mapping) else None
        return value


def _loose(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def unwrap(text: str) -> str:
    match = _WRAPPED.match(text)
    return match.group(1) if match else text


def interpolate(text: str, evaluator: Evaluator) -> str:
    """A string with every `${{ }}` replaced by its value."""
    def value(match: re.Match[str]) -> str:
        result = evaluator.evaluate(match.group(1))
        return "true" if result is True else "false" if result is False else str(result)
    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


@dataclass(frozen=True)
class Run:
    """What happened to each job and what its steps saw."""

    results: dict[str, str]
    env: dict[str, dict[str, str]]
    steps_run: dict[str, list[str]]


def needs_of(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def simulate(workflow: Mapping[str, Any], event: str, outputs: Mapping[str, Mapping[str, str]],
             fail: frozenset[str] = frozenset()) -> Run:
    """Run the jobs in dependency order: `outputs` are the outputs jobs set, `fail` the jobs
    whose steps fail. Matrix jobs are treated as one job (one representative entry)."""
    jobs = workflow["jobs"]
    results: dict[str, str] = {}
    env: dict[str, dict[str, str]] = {}
    steps_run: dict[str, list[str]] = {}
    github = {"event_name": event, "ref": "refs/heads/main", "repository": "acme/repo",
              "event": {"pull_request": {"head": {"repo": {"full_name": "acme/repo"}}}}}
    pending = list(jobs)
    while pending:
        name = next(n for n in pending if all(d in results for d in needs_of(jobs[n])))
        pending.remove(name)
        job = jobs[name]
        ancestors = _ancestors(jobs, name)
        functions = {
            "success": lambda a=ancestors: all(results[x] == "success" for x in a),
            "failure": lambda a=ancestors: any(results[x] == "failure" for x in a),
            "cancelled": lambda: False,
            "always": lambda: True,
            "fromJSON": lambda text: text,
        }
        needs = {d: {"result": results[d], "outputs": dict(outputs.get(d, {}))
                     if results[d] == "success" else {}} for d in needs_of(job)}
        evaluator = Evaluator({"github": github, "needs": needs, "matrix": {}, "env": {},
                               "secrets": {}, "runner": {}, "steps": {}, "vars": {}},
                              functions)
        condition = unwrap(str(job.get("if", "success()")))
        if not any(re.search(rf"\b{f}\s*\(", condition) for f in _STATUS):
            condition = f"success() && ({condition})"
        if not truthy(evaluator.evaluate(condition)):
            results[name] = "skipped"
            continue
        env[name] = {k: interpolate(str(v), evaluator) for k, v in job.get("env", {}).items()
                     if "matrix." not in str(v)}
        steps_run[name] = [
            step.get("name", step.get("uses", "")) for step in job["steps"]
            if "if" not in step or truthy(evaluator.evaluate(unwrap(str(step["if"]))))
        ]
        results[name] = "failure" if name in fail else "success"
    return Run(results, env, steps_run)


def _ancestors(jobs: Mapping[str, Any], name: str) -> set[str]:
    found: set[str] = set()
    stack = needs_of(jobs[name])
    while stack:
        parent = stack.pop()
        if parent not in found:
            found.add(parent)
            stack.extend(needs_of(jobs[parent]))
    return found
