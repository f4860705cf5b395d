#!/usr/bin/env python3
"""Writes a man page for each netreactor tool with help2man, from the tool's
own --help and --version (the one source of every option and example).

    make-man.py HELP2MAN SOURCE_ROOT OUT_DIR TOOL_BINARY...

Besides what help2man reads from --help, each page gets:
  EXAMPLES     the "Examples:" block of --help, kept as written (preformatted);
  SUBCOMMANDS  each subcommand's own --help, for tools that have subcommands;
  EXIT STATUS  the shared table of docs/exit-status.md;
  SEE ALSO     the other tools, and the docs that describe the JSON output;
  and docs/man/<tool>.h2m when it exists (help2man include syntax).

Pages go to OUT_DIR/<tool>.1 (docs/man/meson.build runs this as a build
step; meson installs the pages). A missing tool binary is an error.
"""
import os
import re
import subprocess
import sys
import tempfile


def roff(text):
    """Escapes plain text for roff: backslashes, hyphens, leading dots/quotes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def inline_markdown(text):
    """`code` to bold, **x** to bold, [text](link) to text, escaped for roff."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    parts = re.split(r"(`[^`]*`|\*\*[^*]*\*\*)", text)
    out = []
    for p in parts:
        if p.startswith("`") or p.startswith("**"):
            out.append("\\fB" + roff(p.strip("`*")) + "\\fR")
        else:
            out.append(roff(p))
    return "".join(out)


def preformatted(lines):
    return ".nf\n" + "\n".join(roff(l) for l in lines) + "\n.fi\n"


def help_sections(help_text):
    """CLI11 --help: {'Examples': [...], 'Subcommands': [...]} by 'Name:' headings."""
    sections, current = {}, None
    for line in help_text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z ]*):$", line)
        if m:
            current = sections.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line)
    return {k: [l for l in v] for k, v in sections.items()}


def exit_status_section(source_root):
    """docs/exit-status.md: the table as .TP entries, then the notes after it."""
    with open(os.path.join(source_root, "docs", "exit-status.md")) as f:
        lines = f.read().splitlines()
    out = ["[EXIT STATUS]"]
    notes, after_table = [], False
    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not cells[0].isdigit():
                continue  # header and rule rows
            status, name, meaning = cells[0], cells[1], cells[2]
            codes = cells[3] if len(cells) > 3 else ""
            out += [".TP", f"\\fB{status}\\fR ({roff(name)})", inline_markdown(meaning) +
                    (f". Typical codes: {inline_markdown(codes)}." if codes else ".")]
            after_table = True
        elif after_table and line.strip():
            notes.append(inline_markdown(line.strip()))
        elif after_table and notes and notes[-1] != ".PP":
            notes.append(".PP")
    if notes:
        out += [".PP"] + [n for n in notes if n != ".PP" or True]
    return "\n".join(out) + "\n"


def include_file(tool, binary, help_text, other_tools, source_root):
    sections = help_sections(help_text)
    parts = []
    examples = [l.strip() for l in sections.get("Examples", []) if l.strip()]
    if examples:
        parts.append("[=EXAMPLES]\n" + preformatted(examples))
    subcommands = [l.split()[0] for l in sections.get("Subcommands", []) if l.strip()]
    if subcommands:
        text = ["[SUBCOMMANDS]"]
        for sub in subcommands:
            sub_help = subprocess.run([binary, sub, "--help"], capture_output=True, text=True, timeout=30).stdout
            text += [f'.SS "{tool} {sub}"', preformatted(sub_help.rstrip("\n").splitlines())]
        parts.append("\n".join(text))
    parts.append(exit_status_section(source_root))
    see_also = ", ".join(f"\\fB{roff(t)}\\fR(1)" for t in other_tools if t != tool)
    parts.append("[SEE ALSO]\n" + (see_also + ".\n.PP\n" if see_also else "") +
                 f"The JSON output is described in docs/tools/{roff(tool)}.md and specified by the JSON Schema "
                 f"docs/json/{roff(tool)}.schema.json in the netreactor sources.\n")
    return "\n".join(parts)


def for_help2man(help_text):
    """CLI11 pads the option column to 30 characters; an option exactly that
    long is followed by a single space before its description, which help2man
    would not take for the end of the option. Make it two. (A longer option
    has its description on the next line, indented.)"""
    lines, out = help_text.splitlines(), []
    for i, line in enumerate(lines):
        description_below = i + 1 < len(lines) and re.match(r"^ {30,}\S", lines[i + 1])
        if (re.match(r"^  \S", line) and not description_below and len(line) > 32 and line[31] == " "
                and line[32] != " " and line[30] != " "):
            line = line[:32] + " " + line[32:]
        out.append(line)
    return "\n".join(out) + "\n"


def make_page(help2man, source_root, binary, out_path, other_tools):
    tool = os.path.basename(binary)
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30, check=True).stdout
    description = help_text.splitlines()[0].strip().rstrip(".") if help_text.strip() else tool
    with tempfile.TemporaryDirectory() as tmp:
        # help2man runs a stand-in named like the tool: --help prints the
        # adjusted text, anything else (--version) runs the tool.
        with open(os.path.join(tmp, "help.txt"), "w") as f:
            f.write(for_help2man(help_text))
        stand_in = os.path.join(tmp, tool)
        with open(stand_in, "w") as f:
            f.write(f'#!/bin/sh\n[ "$1" = --help ] && exec cat "{tmp}/help.txt"\nexec "{os.path.abspath(binary)}" "$@"\n')
        os.chmod(stand_in, 0o755)
        include = os.path.join(tmp, "generated.h2m")
        with open(include, "w") as f:
            f.write(include_file(tool, binary, help_text, other_tools, source_root))
        cmd = [help2man, "--no-info", "--section=1", "--name", description, "--include", include,
               "--output", out_path]
        extra = os.path.join(source_root, "docs", "man", tool + ".h2m")
        if os.path.exists(extra):
            cmd += ["--include", extra]
        subprocess.run(cmd + [stand_in], check=True, timeout=60)


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    help2man, source_root, out_dir, binaries = argv[0], argv[1], argv[2], argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    missing = [b for b in binaries if not os.access(b, os.X_OK)]
    if missing:
        sys.exit(f"make-man: not built: {' '.join(missing)}")
    tools = sorted(os.path.basename(b) for b in binaries)
    for binary in binaries:
        make_page(help2man, source_root, binary, os.path.join(out_dir, os.path.basename(binary) + ".1"), tools)


if __name__ == "__main__":
    main(sys.argv[1:])
