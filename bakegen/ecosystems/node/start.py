"""What a Node package's `start` script really runs, as a command for the runtime image.

The runtime image holds node, npm and the production dependencies, nothing else: no pnpm,
yarn or bun, no devDependency (`dotenv-cli`, `vite`, the framework CLIs when they are dev
tools), and it gets its environment from the container. So the start script is unwrapped
until what is left is something the image can exec, from the package's folder (its WORKDIR,
as a package manager would run it):

- package-manager calls of the package's own scripts are expanded (`pnpm with-env next
  start`, `npm run serve`), `npx`/`pnpm exec` dropped, and so are env-loading wrappers
  (`dotenv -e ../.env --`, `env-cmd -f .env`, `cross-env A=1`) and `node --env-file`;
- framework CLIs become their production servers: Next.js the standalone `server.js`, nitro
  (TanStack Start, Nuxt, vinxi) `.output/server/index.mjs`, SvelteKit's adapter-node
  `build/index.js`, NestJS `dist/main.js`;
- any other command must be `node`, a shell, or a bin of a production dependency (the image
  puts the `node_modules/.bin` folders on PATH);
- in a bun workspace, `bun [run] <file>` runs on bun, which the image then carries (the
  workspace's pinned bun).

A script that does not resolve falls back to `main`, else to `npm run start` with a reason,
which the scan reports as a warning naming the `cmd` setting.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Set
from dataclasses import dataclass

#: frameworks whose build bakegen shapes (standalone output) and whose server it runs
NEXT = "next"
NITRO = "nitro"
NEXT_SERVER = ("node", "server.js")
NITRO_SERVER = ("node", ".output/server/index.mjs")
#: bins whose package has another name
BIN_PACKAGES = {
    "react-router-serve": "@react-router/serve",
    "remix-serve": "@remix-run/serve",
    "nest": "@nestjs/cli",
    "vinxi": "vinxi",
    "nuxi": "nuxi",
    "ts-node": "ts-node",
    "svelte-kit": "@sveltejs/kit",
}
_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun"})
_SHELLS = frozenset({"sh", "bash"})
_UNSUPPORTED = ("|", ";", ">", "<", "`", "$(", "||", "&&&", "\n")
#: dotenv-cli options taking a value; `-e`/`-c`/`-v` are its common ones
_DOTENV_VALUE = frozenset({"-e", "-c", "-v", "-p"})
_ENV_CMD_VALUE = frozenset({"-f", "--file", "-e", "--environments", "-r", "--rc-file"})
_MAX_EXPANSIONS = 8
#: what `bun <file>` runs directly (bun transpiles TypeScript and JSX itself)
_BUN_FILES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
#: manager options pointing at another package or folder: not followed
_ELSEWHERE = frozenset({"--filter", "-F", "--dir", "-C", "--cwd", "--prefix", "-w",
                        "--workspace", "workspace", "--recursive", "-r"})


@dataclass(frozen=True, slots=True)
class Start:
    """The command starting a service, run from its package folder, and why it was chosen.

    `framework` names a build the recipe must shape (Next.js standalone output);
    `resolved` is False when nothing runnable was found and the fallback is a guess.
    """

    command: tuple[str, ...]
    reason: str
    framework: str | None = None
    resolved: bool = True


def resolve_start(
    start: str,
    scripts: Mapping[str, str],
    dependencies: Set[str],
    dev_dependencies: Set[str],
    main: str | None = None,
    bun: bool = False,
) -> Start:
    """The runtime command of a `start` script (see the module docstring).

    `bun` says the image can carry bun (the workspace is bun's), so `bun <file>` runs.
    """
    words, notes = _unwrap(start, scripts)
    if words is None:
        return _fallback(main, notes or ["shell syntax bakegen does not follow"])
    found = _runnable(words, dependencies, dev_dependencies, notes, bun)
    if found is None:
        return _fallback(main, notes)
    command, framework, why = found
    return Start(command, "; ".join((*notes, why)), framework)


def _fallback(main: str | None, notes: list[str]) -> Start:
    why = "; ".join(notes)
    if main:
        return Start(("node", main), "; ".join((*notes, 'runs "main" instead')))
    return Start(("npm", "run", "start"), why, resolved=False)


def _unwrap(start: str, scripts: Mapping[str, str]) -> tuple[list[str] | None, list[str]]:
    """Words left after expanding own scripts and dropping wrappers, and what was dropped."""
    notes: list[str] = []
    words = _last_command(start, notes)
    for _ in range(_MAX_EXPANSIONS):
        if not words:
            return None, notes
        while words and "=" in words[0] and not words[0].startswith(("-", "=")):
            notes.append(f"drops {words.pop(0).split('=', 1)[0]}= (the container sets env)")
        if not words:
            return None, notes
        head = words[0]
        if head == "bun" and (on_bun := _bun_file(words, scripts, notes)) is not None:
            return on_bun, notes
        if head in _MANAGERS:
            expanded = _manager_call(words, scripts, notes)
            if expanded is None:
                return None, notes
            words = expanded
        elif head in ("npx", "bunx"):
            words = _drop_options(words[1:])
        elif head in ("dotenv", "dotenv-cli"):
            notes.append(f"drops the {head} wrapper (the container provides the environment)")
            words = _after_options(words[1:], _DOTENV_VALUE)
        elif head == "env-cmd":
            notes.append("drops the env-cmd wrapper (the container provides the environment)")
            words = _after_options(words[1:], _ENV_CMD_VALUE)
        elif head in ("cross-env", "cross-env-shell"):
            words = words[1:]
            notes.append("drops the cross-env wrapper")
        else:
            return words, notes
    return None, notes


def _last_command(script: str, notes: list[str]) -> list[str] | None:
    """The words of the last `&&` step (earlier ones prepare a dev machine: builds, migrations)."""
    if any(token in script for token in _UNSUPPORTED):
        return None
    steps = [s.strip() for s in script.split("&&")]
    if len(steps) > 1:
        notes.append(f"runs only the last step of {script!r}")
    try:
        return shlex.split(steps[-1])
    except ValueError:
        return None


def _manager_call(
    words: list[str], scripts: Mapping[str, str], notes: list[str]
) -> list[str] | None:
    """`pnpm [run] <own script> args` -> that script with args; `yarn <bin>` -> the bin."""
    elsewhere = [w for w in words[1:] if w.split("=", 1)[0] in _ELSEWHERE]
    if elsewhere:
        notes.append(f"{words[0]} {elsewhere[0]} runs a script of another folder or package")
        return None
    rest = _drop_options(words[1:])
    if rest and rest[0] in ("run", "run-script"):
        rest = _drop_options(rest[1:])
    if rest and rest[0] in ("exec", "x", "dlx"):
        return _drop_options(rest[1:])
    if not rest:
        return None
    name, args = rest[0], [a for a in rest[1:] if a != "--"]
    if name in scripts:
        expanded = _last_command(scripts[name], notes)
        if expanded is None:
            return None
        notes.append(f'expands {words[0]} {name}')
        return [*expanded, *args]
    if words[0] == "npm":
        return None
    return rest


def _bun_file(words: list[str], scripts: Mapping[str, str], notes: list[str]) -> list[str] | None:
    """`bun [run] [flags] <file> args` as the command bun runs; else None.

    (`--watch` and `--hot` never get here: such a start is a development server.)
    """
    rest = words[1:]
    if rest and rest[0] == "run":
        rest = rest[1:]
    flags, dropped = [], False
    while rest and rest[0].startswith("-") and rest[0] != "--":
        flag = rest.pop(0)
        if flag.startswith("--env-file"):
            dropped = True
            if flag == "--env-file" and rest:
                rest.pop(0)  # its value
        else:
            flags.append(flag)
    if not rest or rest[0] in scripts or not rest[0].endswith(_BUN_FILES):
        return None
    if dropped:
        notes.append("drops --env-file (the container provides the environment)")
    return ["bun", *flags, *rest]


def _drop_options(words: list[str]) -> list[str]:
    """Leading manager flags (`--silent`, `-s`); `--filter x`-style pairs are not followed."""
    rest = list(words)
    while rest and rest[0].startswith("-") and rest[0] != "--":
        rest.pop(0)
    return rest


def _after_options(words: list[str], with_value: frozenset[str]) -> list[str]:
    """The wrapped command: after `--`, else after the wrapper's own options."""
    if "--" in words:
        return words[words.index("--") + 1 :]
    rest = list(words)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in with_value and rest:
            rest.pop(0)
    return rest


def _runnable(
    words: list[str], deps: Set[str], dev: Set[str], notes: list[str], bun: bool
) -> tuple[tuple[str, ...], str | None, str] | None:
    """(command, framework, why) for words the runtime image can run, else None (noted)."""
    head, sub = words[0], words[1] if len(words) > 1 else ""
    if head == "bun":
        if bun:
            return tuple(words), None, "bun runs it (the image carries the workspace's bun)"
        notes.append("bun runs it, and only a bun workspace's image carries bun")
        return None
    if head == "node":
        kept = [w for w in words if not w.startswith("--env-file")]
        if len(kept) < len(words):
            notes.append("drops --env-file (the container provides the environment)")
        return tuple(kept), None, "node runs it directly"
    if head == "next" and sub == "start":
        return NEXT_SERVER, NEXT, "Next.js standalone server (.next/standalone)"
    nitro_cli = head in ("nuxt", "nuxi", "vinxi", "nitro") and sub in ("start", "preview")
    if nitro_cli or (head == "vite" and sub == "start"):
        return NITRO_SERVER, NITRO, f"nitro server of `{head} {sub}` (.output/server)"
    sveltekit_preview = (head == "vite" and sub == "preview") or (head, sub) == (
        "svelte-kit", "preview")
    if sveltekit_preview and "@sveltejs/adapter-node" in (*deps, *dev):
        return ("node", "build/index.js"), None, "SvelteKit adapter-node server (build/)"
    if head == "nest" and sub == "start":
        return ("node", "dist/main.js"), None, "NestJS compiled entry (dist/main.js)"
    if head in _SHELLS:
        return tuple(words), None, f"{head} is in the runtime image"
    provider = BIN_PACKAGES.get(head, head)
    if provider in deps:
        return tuple(words), None, f"{head} is a bin of the production dependency {provider}"
    where = "a devDependency" if provider in dev else "not a production dependency"
    notes.append(f"{head} is {where}, absent from the runtime image")
    return None
