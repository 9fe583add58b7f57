"""The examples of the docs and of every ``--help``, found, run in a fresh copy and compared.

Used by tests/test_examples.py; also a small generator: ``python tests/doc_examples.py --check``
lists the examples whose shown output is stale, ``--update`` rewrites those outputs in the
Markdown (never an output that elides with ``...``: that one is edited by hand).

What counts as an example (so that adding one to a page needs no test change):

- a ```console block: ``$ `` lines are commands, run in order in one shell; the lines below a
  command are its output (stdout and stderr, as a terminal shows them). A line ``...`` stands
  for any lines, ``...`` inside a line for any text (doctest's ELLIPSIS). A last output line
  ``[N]`` says the command exits with status N (cram's convention); otherwise it must exit 0;
- a ```sh block: a script that must exit 0 (output not compared);
- a ```sql block: run by ``bgopendata query``, or by DuckDB's own client when its first line is
  ``-- duckdb`` or ``-- duckdb FILE``; a ```text block right after it is its output;
- a ```python block: run by the environment's ``python``; a ```text block right after it is
  its output;
- each line of a command's ``Example:`` block in ``--help``, run in order, each must exit 0.

Directives, HTML comments on the lines right before a block:
``<!-- not-run: why -->`` (the tests list it with the reason and do not run it) and
``<!-- setup: shell commands -->`` (run first, output hidden; a ``cd`` in it holds for the block).
In ``--help``, an example line whose trailing comment starts with ``needs`` (``# needs a Spark
cluster``) is not run, for the reason the comment gives.

Each example runs in a fresh copy of the repository (the files a clone has, with the working
tree's content, committed in a new git repository, and ``.venv`` linking the running
environment), with a clean environment: ``PATH`` starts with the environment's ``bin``; nothing
else is inherited but ``PYTHONPATH``, which points at the source being tested.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
BIN = Path(sys.prefix) / "bin"
TIMEOUT = 600
FENCE = re.compile(r"^```(\S*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*([a-z-]+):\s*(.*?)\s*-->\s*$")
EXIT_LINE = re.compile(r"^\[(\d+)\]$")
HELP_NOT_RUN = re.compile(r"\s#\s*(needs\b.*)$")
RUNNABLE = {"console", "sh", "sql", "python"}
DUCKDB_LINE = re.compile(r"--\s*duckdb\b(?:\s+(\S+\.(?:duckdb|db))\b)?", re.I)


@dataclass
class Command:
    """One shell command and, when shown, its output, exit status and where the output is."""

    line: str
    shown: list[str] | None = None
    status: int = 0
    span: tuple[int, int] | None = None  # 0-based [start, end) lines of the shown output


@dataclass
class Example:
    """One runnable example: where it is, what it runs, and why it is not run (if it is not)."""

    where: str
    kind: str
    commands: list[Command] = field(default_factory=list)
    setup: str = ""
    not_run: str = ""
    page: str = ""

    @property
    def id(self) -> str:
        return self.where


@dataclass
class Block:
    lang: str
    body: list[str]
    start: int  # 0-based index of the first body line
    end: int  # index of the closing fence
    directives: dict[str, str]


def blocks(text: str) -> list[Block]:
    """The fenced blocks of a Markdown page, each with the directives written right before it."""
    lines = text.splitlines()
    found: list[Block] = []
    pending: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            close = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("```")), len(lines))
            found.append(Block(fence.group(1), lines[i + 1 : close], i + 1, close, pending))
            pending = {}
            i = close + 1
            continue
        directive = DIRECTIVE.match(line)
        if directive:
            pending = {**pending, directive.group(1): directive.group(2)}
        elif line.strip():
            pending = {}
        i += 1
    return found


def _console(body: list[str], start: int) -> list[Command]:
    commands: list[Command] = []
    i = 0
    while i < len(body):
        if not body[i].startswith("$ "):
            raise ValueError(f"line {start + i + 1}: a console block's output must follow a '$ ' command")
        line = body[i][2:]
        while line.endswith("\\") and i + 1 < len(body):
            i += 1
            line += "\n" + body[i]
        i += 1
        first = i
        while i < len(body) and not body[i].startswith("$ "):
            i += 1
        shown = body[first:i]
        status = 0
        if shown and EXIT_LINE.match(shown[-1]):
            status = int(shown[-1][1:-1])
            shown = shown[:-1]
        commands.append(Command(line, shown, status, (start + first, start + first + len(shown))))
    return commands


def _followed_by_output(lines: list[str], block: Block, after: Block | None) -> Block | None:
    if after is None or after.lang != "text":
        return None
    between = lines[block.end + 1 : after.start - 1]
    return after if all(not line.strip() for line in between) else None


def page_examples(page: str) -> list[Example]:
    """The runnable examples of one Markdown page of the repository."""
    text = (ROOT / page).read_text(encoding="utf-8")
    lines = text.splitlines()
    found = blocks(text)
    examples = []
    for n, block in enumerate(found):
        if block.lang not in RUNNABLE:
            continue
        where = f"{page}:{block.start}"
        example = Example(where, block.lang, setup=block.directives.get("setup", ""), page=page)
        example.not_run = block.directives.get("not-run", "")
        output = _followed_by_output(lines, block, found[n + 1] if n + 1 < len(found) else None)
        body = "\n".join(block.body)
        if block.lang == "console":
            example.commands = _console(block.body, block.start)
        elif block.lang == "sh":
            example.commands = [Command(body)]
        else:
            shown = output.body if output else None
            span = (output.start, output.end) if output else None
            example.commands = [Command(body, shown, 0, span)]
        examples.append(example)
    return examples


def help_examples() -> list[Example]:
    """Each command's (and the group's) ``Example:`` block, as ``--help`` prints it."""
    from click.testing import CliRunner

    from bgopendata.cli import COMMANDS, cli

    examples = []
    for name in ["", *sorted(COMMANDS)]:
        args = [name, "--help"] if name else ["--help"]
        text = CliRunner().invoke(cli, args, prog_name="bgopendata", terminal_width=200).output
        lines = text.split("Example:", 1)[1].splitlines()[1:] if "Example:" in text else []
        block = []
        for line in lines:
            if line.strip() and not line.startswith("    "):
                break
            if line.strip():
                block.append(line.strip())
        joined: list[str] = []
        for line in block:
            if joined and joined[-1].endswith("\\"):
                joined[-1] += "\n    " + line
            else:
                joined.append(line)
        label = f"bgopendata {name}".strip() + " --help"
        runnable = [Command(line) for line in joined if not HELP_NOT_RUN.search(line)]
        if runnable:
            examples.append(Example(label, "help", runnable))
        for line in joined:
            reason = HELP_NOT_RUN.search(line)
            if reason:
                shown = line[: reason.start()].rstrip()
                examples.append(Example(f"{label}: {shown}", "help", [Command(line)], not_run=reason.group(1)))
    return examples


def all_examples() -> list[Example]:
    return [e for page in PAGES for e in page_examples(page)] + help_examples()


# --- running ---------------------------------------------------------------------------------


def fresh_copy(dest: Path) -> Path:
    """The repository as a clone holds it (the working tree's content), a new git repository."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
    )
    dest.mkdir(parents=True)
    if listed.returncode == 0:
        for name in sorted(set(listed.stdout.split("\0")) - {""}):
            source = ROOT / name
            if source.is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
    else:  # not a git checkout (an unpacked source archive): everything but what git ignores
        ignored = shutil.ignore_patterns(".git", ".venv", "dist", "site", "__pycache__")
        shutil.copytree(ROOT, dest, dirs_exist_ok=True, ignore=ignored)
    env = environment(dest)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "a fresh clone"]):
        subprocess.run(["git", *args], cwd=dest, env=env, check=True, capture_output=True)
    link_environment(dest / ".venv")
    return dest


def link_environment(venv: Path) -> None:
    """A ``.venv`` that runs the environment under test but whose own files are the copy's.

    Its ``bin`` links each program, ``activate`` is rewritten for this folder, and the
    installed packages are shared; pip runs dry (``PIP_DRY_RUN``), so no example can
    reinstall the environment the tests run in.
    """
    real = Path(sys.prefix)
    (venv / "bin").mkdir(parents=True)
    for item in (real / "bin").iterdir():
        if item.name.startswith("activate") or item.name == "__pycache__":
            continue
        (venv / "bin" / item.name).symlink_to(item)
    activate = (real / "bin" / "activate").read_text(encoding="utf-8")
    (venv / "bin" / "activate").write_text(activate.replace(str(real), str(venv)), encoding="utf-8")
    shutil.copy2(real / "pyvenv.cfg", venv / "pyvenv.cfg")
    for name in ("lib", "include"):
        if (real / name).exists():
            (venv / name).symlink_to(real / name, target_is_directory=True)


def environment(copy: Path, path: str | None = None) -> dict[str, str]:
    """A fresh shell's environment: the environment's bin first on PATH, a home of its own."""
    home = copy.parent / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": path if path is not None else f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "GIT_AUTHOR_NAME": "example",
        "GIT_AUTHOR_EMAIL": "example@example.org",
        "GIT_COMMITTER_NAME": "example",
        "GIT_COMMITTER_EMAIL": "example@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PIP_DRY_RUN": "1",  # an example may show `pip install`: it must not change this environment
        "PIP_NO_INDEX": "1",
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if os.environ.get("JAVA_HOME"):
        env["JAVA_HOME"] = os.environ["JAVA_HOME"]
    return env


@dataclass
class Outcome:
    """What each command printed and its exit status; the setup's log if it failed."""

    printed: list[str]
    statuses: list[int]
    setup_log: str = ""


def _command_text(example: Example, command: Command, work: Path, n: int) -> str:
    if example.kind == "sql":
        (work / f"{n}.sql").write_text(command.line + "\n", encoding="utf-8")
        client = DUCKDB_LINE.match(command.line.lstrip())
        if client:
            database = client.group(1) or ":memory:"
            (work / f"{n}.py").write_text(_DUCKDB_CLIENT, encoding="utf-8")
            client_args = [str(work / f"{n}.py"), database, str(work / f"{n}.sql")]
            return "python " + " ".join(shlex.quote(a) for a in client_args)
        return f'bgopendata query "$(cat {shlex.quote(str(work / f"{n}.sql"))})"'
    if example.kind == "python":
        (work / f"{n}.py").write_text(command.line + "\n", encoding="utf-8")
        return f"python {shlex.quote(str(work / f'{n}.py'))}"
    if example.kind == "sh":
        (work / f"{n}.sh").write_text(command.line + "\n", encoding="utf-8")
        return f"bash -eo pipefail {shlex.quote(str(work / f'{n}.sh'))}"
    return command.line


# Runs each statement of a SQL file in DuckDB's own client, as the `duckdb FILE` shell would.
_DUCKDB_CLIENT = """\
import sys
import duckdb
database, script = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
con = duckdb.connect(database, read_only=database != ":memory:")
for statement in con.extract_statements(script):
    con.execute(statement).fetchall()
"""


def run(example: Example, copy: Path) -> Outcome:
    """Run the example in ``copy`` (made by ``fresh_copy``) as one shell session."""
    work = Path(tempfile.mkdtemp(prefix="example-", dir=copy.parent))
    script = ["cd " + shlex.quote(str(copy))]
    if example.setup:
        script += ["set -e", f"{{ {example.setup}\n}} > {work}/setup.log 2>&1", "set +e"]
    script.append(f"touch {work}/setup.done")
    for n, command in enumerate(example.commands):
        text = _command_text(example, command, work, n)
        script.append(f"{{ {text}\n}} > {work}/{n}.out 2>&1 < /dev/null; echo $? > {work}/{n}.rc")
    (work / "script.sh").write_text("\n".join(script) + "\n", encoding="utf-8")
    subprocess.run(["bash", str(work / "script.sh")], env=environment(copy), timeout=TIMEOUT, check=False)
    if not (work / "setup.done").exists():
        log = work / "setup.log"
        return Outcome([], [], log.read_text(encoding="utf-8", errors="replace") if log.exists() else "no log")
    printed, statuses = [], []
    for n in range(len(example.commands)):
        out, rc = work / f"{n}.out", work / f"{n}.rc"
        printed.append(out.read_text(encoding="utf-8", errors="replace") if out.exists() else "")
        statuses.append(int(rc.read_text()) if rc.exists() else -1)
    return Outcome(printed, statuses)


def _normal(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def matches(shown: list[str], printed: str) -> bool:
    """Whether the output matches what the docs show, ``...`` standing for elided text."""
    return doctest.OutputChecker().check_output(_normal(shown), _normal(printed.splitlines()), doctest.ELLIPSIS)


def problems(example: Example, outcome: Outcome) -> list[str]:
    """What differs between the run and the docs, one message per command (empty: all agree)."""
    if outcome.setup_log or not outcome.statuses:
        return [f"{example.where}: the setup failed:\n{example.setup}\n{outcome.setup_log}"]
    found = []
    for command, printed, status in zip(example.commands, outcome.printed, outcome.statuses, strict=True):
        label = command.line if example.kind in {"console", "help"} else f"the {example.kind} block"
        if status != command.status:
            found.append(f"{example.where}: {label!r} exited {status}, not {command.status}:\n{printed}")
        elif command.shown is not None and not matches(command.shown, printed):
            found.append(
                f"{example.where}: {label!r} printed\n{printed}\nwhere the docs show\n" + "\n".join(command.shown)
            )
    return found


def run_in_fresh_copy(example: Example) -> tuple[Outcome, list[str]]:
    with tempfile.TemporaryDirectory(prefix="bgopendata-example-") as tmp:
        outcome = run(example, fresh_copy(Path(tmp) / "bgopendata"))
    return outcome, problems(example, outcome)


def update(examples: list[Example], *, write: bool) -> int:
    """Run the page examples; rewrite (or, without ``write``, list) the stale shown outputs."""
    stale = 0
    edits: dict[str, list[tuple[tuple[int, int], list[str]]]] = {}
    for example in examples:
        if example.not_run or not example.page:
            continue
        outcome, found = run_in_fresh_copy(example)
        for command, printed, status in zip(example.commands, outcome.printed, outcome.statuses, strict=False):
            if command.shown is None or command.span is None or matches(command.shown, printed):
                continue
            stale += 1
            elided = any("..." in line for line in command.shown)
            print(f"{example.where}: stale output{' (elided: edit by hand)' if elided else ''}", file=sys.stderr)
            if not elided and status == command.status:
                new = [line.rstrip() for line in printed.rstrip("\n").splitlines()]
                edits.setdefault(example.page, []).append((command.span, new))
        if not outcome.statuses:
            print("\n".join(found), file=sys.stderr)
    if write:
        for page, changes in edits.items():
            lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
            for (start, end), new in sorted(changes, reverse=True):
                lines[start:end] = new
            (ROOT / page).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return stale


def main(argv: list[str]) -> int:
    if argv not in (["--check"], ["--update"]):
        print("usage: python tests/doc_examples.py --check | --update", file=sys.stderr)
        return 2
    stale = update([e for p in PAGES for e in page_examples(p)], write=argv == ["--update"])
    return 1 if stale and argv == ["--check"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
