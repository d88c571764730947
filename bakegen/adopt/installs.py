"""Which shell commands of a `RUN` line install a workspace's dependencies.

A `RUN` is split into simple commands at `&&`, `||`, `;` and `|` (quotes respected by
`shlex`), and each is matched by its program and first words: `npm ci`, `yarn install`,
`yarn workspaces focus`, `pnpm install`, `pnpm deploy`, `bun install`, `pip install -r`,
`uv sync`, `poetry install`, `cargo build`. A bare `yarn` is an install too.
"""

from __future__ import annotations

import shlex

import dockerfile

_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
#: commands that only prepare the shell for the next one
_PREFIXES = frozenset({"sudo", "env", "exec", "time", "nice"})


def installs_in(run: str) -> tuple[str, ...]:
    """The dependency installs one `RUN` command line runs, each as `tool verb`
    (`npm ci`, `yarn workspaces focus`, `pip install -r`), in order."""
    found = []
    for words in simple_commands(run):
        name = _install_name(words)
        if name is not None:
            found.append(name)
    return tuple(found)


def run_script(command: dockerfile.Command) -> str:
    """The shell script a parsed `RUN` runs: its heredoc's body for `RUN <<EOF`, else the
    command line (a heredoc feeding a command, `cat <<EOT > f`, is that command's input)."""
    if command.heredocs and command.value and command.value[0].startswith("<<"):
        return "\n".join(h.content for h in command.heredocs)
    return " ".join(command.value)


def simple_commands(run: str) -> list[list[str]]:
    """The simple commands of a shell line, each as its words (prefixes like `env X=1` dropped)."""
    # a heredoc script runs one command per line
    lines = run.replace("\\\n", " ").replace("\n", " ; ")
    lexer = shlex.shlex(lines, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    try:
        for token in lexer:
            if token in _SEPARATORS or set(token) <= set(";&|"):
                commands.append([])
            else:
                commands[-1].append(token)
    except ValueError:  # an unbalanced quote: read what came before it
        pass
    stripped = (_strip_prefix(c) for c in commands if c)
    return [words for words in stripped if words]  # `A=1` alone sets a variable only


def _strip_prefix(words: list[str]) -> list[str]:
    while words and (words[0] in _PREFIXES or ("=" in words[0] and not words[0].startswith("-"))):
        words = words[1:]
    return words


def _install_name(words: list[str]) -> str | None:
    if not words:
        return None
    tool = words[0].rsplit("/", 1)[-1]
    args = [w for w in words[1:] if not w.startswith("-")]
    verb = args[0] if args else ""
    if tool in ("python", "python3") and words[1:3] == ["-m", "pip"]:
        tool, words = "pip", ["pip", *words[3:]]
        args = [w for w in words[1:] if not w.startswith("-")]
        verb = args[0] if args else ""
    if tool in ("python", "python3") and words[1:3] == ["-m", "poetry"]:
        tool, verb = "poetry", next((w for w in words[3:] if not w.startswith("-")), "")
    if tool == "npm" and verb == "ci":
        return "npm ci"
    if tool == "npm" and verb in ("install", "i"):
        # `npm install left-pad` adds a package; `--workspace api` only scopes the install
        named = [w for i, w in enumerate(words[2:], 2) if not w.startswith("-")
                 and words[i - 1] not in ("-w", "--workspace", "--prefix")]
        return "npm install" if not named else None
    if tool == "yarn":
        if verb in ("", "install"):
            return "yarn install"
        if verb == "workspaces" and args[1:2] == ["focus"]:
            return "yarn workspaces focus"
        return None
    if tool == "pnpm" and verb in ("install", "i", "deploy"):
        return f"pnpm {'deploy' if verb == 'deploy' else 'install'}"
    if tool == "bun" and verb in ("install", "i"):
        return "bun install"
    if tool in ("pip", "pip3") and verb == "install":
        flags = words[1:]
        if any(f in ("-r", "--requirement") or f.startswith(("-r", "--requirement="))
               for f in flags):
            return "pip install -r"
        if any(a in (".", "./") or a.startswith((".[", "./")) for a in args[1:]):
            return "pip install ."
        return None
    if tool == "uv":
        if verb == "sync":
            return "uv sync"
        if verb == "pip" and args[1:2] in (["install"], ["sync"]) and "-r" in words:
            return "uv pip install -r"
        return None
    if tool == "poetry" and verb == "install":
        return "poetry install"
    if tool == "cargo" and verb in ("build", "install") and (verb == "build" or "--path" in words):
        return f"cargo {verb}"
    return None
