"""Reference pages generated from what the code declares, as Markdown.

- the framework and evidence file formats, from the JSON Schemas
  (``bandstand/dsl/schemas/*.json``): every field with its type and description;
- the rule language's built-in functions and names, from
  :mod:`bandstand.dsl.functions`, with the grammar as the parser reads it;
- the command line, from the click commands it is given (:mod:`bandstand.cli`
  gives its own; this module does not import the command line, which is a
  client of the library, not a part of it).

Like the rest of :mod:`bandstand.publish`, this module knows nothing about MkDocs.

>>> from bandstand.cli import cli
>>> [p.path for p in reference_pages(cli)]
['reference/framework.md', 'reference/evidence.md', 'reference/functions.md', 'reference/cli.md']
"""

from __future__ import annotations

import re
from importlib import resources

import click

from ..dsl.functions import FUNCTIONS, NODE_SETS, Function
from ..dsl.schema import load_schema
from .markdown import code, escape
from .page import Page, make_page

__all__ = ["reference_pages", "schema_page", "functions_page", "cli_page", "prose"]


def prose(text: str | None) -> str:
    """Our own descriptions, escaped, except that `backquoted` spans are shown as code.

    >>> prose("`draft` or <b>published</b>")
    '<code>draft</code> or &#60;b&#62;published&#60;/b&#62;'
    """
    if not text:
        return ""
    parts = re.split(r"`([^`]*)`", " ".join(text.split()))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(code(part))
        elif part.strip():
            # escape() trims its text; keep the spaces that separate it from a code span
            out.append((" " if part[0] == " " else "") + escape(part) + (" " if part[-1] == " " else ""))
        else:
            out.append(part)
    return "".join(out)


# -- JSON Schemas ------------------------------------------------------------------------------


class _SchemaWalker:
    """Walks a schema breadth-first: one section per object type, each field a table row."""

    def __init__(self, schema: dict):
        self.schema = schema
        self.sections: list[tuple[str, str, dict]] = []  # (anchor, title, object schema)
        self.anchor_of: dict[int, str] = {}  # id(object schema) -> its section's anchor

    def resolve(self, s: dict) -> tuple[dict, str | None]:
        ref = s.get("$ref")
        if ref is None:
            return s, None
        name = ref.rsplit("/", 1)[1]
        return self.schema["$defs"][name], name

    def section_for(self, obj: dict, title: str) -> str:
        key = id(obj)
        if key not in self.anchor_of:
            anchor = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "top"
            taken = {a for a, _, _ in self.sections}
            while anchor in taken:
                anchor += "-"
            self.anchor_of[key] = anchor
            self.sections.append((anchor, title, obj))
        return self.anchor_of[key]

    def type_of(self, s: dict, where: str) -> str:
        """The type of a field, in words, as Markdown (linking object types to their sections)."""
        target, _ = self.resolve(s)
        if "const" in target:
            return "always " + code(str(target["const"]).lower() if isinstance(target["const"], bool)
                                    else str(target["const"]))
        if "enum" in target:
            return "one of " + ", ".join(code(_literal(v)) for v in target["enum"])
        if "oneOf" in target and "type" not in target:
            return " or ".join(self.type_of(alt, where) for alt in target["oneOf"])
        kind = target.get("type")
        if isinstance(kind, list):
            return " or ".join(self.type_of({**target, "type": k}, where) for k in kind)
        if kind == "array":
            return "list of " + self.type_of(target.get("items", {}), where + "[]")
        if kind == "object" or "properties" in target:
            if "properties" in target:
                return f"[{escape(where)}](#{self.section_for(target, where)})"
            extra = target.get("additionalProperties")
            if isinstance(extra, dict):
                return "map from id to " + self.type_of(extra, where + "{}")
            return "mapping"
        names: dict[str | None, str] = {"string": "text", "number": "number", "integer": "whole number",
                                        "boolean": "true or false", "null": "null"}  # kind None: no type given
        words = names.get(kind, "any value")
        constraints = []
        if "pattern" in target:
            constraints.append("matching " + code(target["pattern"]))
        if "minLength" in target:
            constraints.append(f"at least {target['minLength']} character" + ("s" if target["minLength"] != 1 else ""))
        if "minimum" in target:
            constraints.append(f"at least {target['minimum']}")
        if "maximum" in target:
            constraints.append(f"at most {target['maximum']}")
        return words + (f" ({', '.join(constraints)})" if constraints else "")

    def rows(self, obj: dict, where: str) -> list[str]:
        required = set(obj.get("required", ()))
        out = ["| Field | Type | Required | Description |", "|---|---|---|---|"]
        for name, prop in obj.get("properties", {}).items():
            target, _ = self.resolve(prop)
            path = f"{where}.{name}" if where else name
            description = prop.get("description") or target.get("description") or ""
            out.append(f"| {code(name)} | {self.type_of(prop, path)} | {'yes' if name in required else ''} | "
                       f"{prose(description)} |")
        notes = []
        for alt in obj.get("oneOf", ()):
            if set(alt) == {"required"}:
                notes.append(" and ".join(code(r) for r in alt["required"]))
        extra = []
        if notes:
            extra.append("Give exactly one of " + ", ".join(notes) + ".")
        if obj.get("dependentRequired"):
            for key, needs in obj["dependentRequired"].items():
                extra.append(f"{code(key)} needs " + ", ".join(code(n) for n in needs) + ".")
        return out + ([""] + [" ".join(extra)] if extra else [])


def _literal(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def schema_page(name: str, path: str, title: str, intro: str) -> Page:
    """A page describing every field of the JSON Schema called ``name``, generated by walking it."""
    schema = load_schema(name)
    walker = _SchemaWalker(schema)
    walker.section_for(schema, "Top level")
    out = [f"# {escape(title)}", "", intro, "", prose(schema.get("description")), ""]
    done = 0
    while done < len(walker.sections):
        anchor, where, obj = walker.sections[done]
        done += 1
        out += [f"## {escape(where)} {{#{anchor}}}", ""]
        if obj.get("description") and obj is not schema:
            out += [prose(obj["description"]), ""]
        out += walker.rows(obj, "" if obj is schema else where) + [""]
    out += [f"The schema itself: `bandstand schema {name}` prints it, for editors that complete and check "
            "fields as you type.", ""]
    return make_page(path, title, out)


# -- the rule language --------------------------------------------------------------------------

_KINDS = {
    "number": "number", "bool": "condition", "text": "text", "node": "node id", "nodes": "node set",
    "table": "band table", "level": "rating", "number|level": "number or rating",
}


def _returns(fn: Function) -> str:
    r = fn.returns
    if r.startswith("level:"):
        whose = {"table": "the band table's scale", "nodes": "the nodes' scale", "node": "the node's scale",
                 "args": "the arguments' scale", "self": "the scale of the node rated",
                 "status": "the node's status scale (status_scale)"}[r.split(":", 1)[1]]
        return f"a rating on {whose}"
    return {"nothing": "no rating", "bool": "a condition", "nodes": "a node set"}.get(r, f"a {r}")


def _signature(fn: Function) -> str:
    params = []
    for p in fn.params:
        many = p.startswith("*")
        kind = _KINDS[p.lstrip("*")]
        params.append(f"{kind}, ..." if many else kind)
    return f"{fn.name}({', '.join(params)})"


def functions_page(path: str = "reference/functions.md") -> Page:
    """The built-in functions and names of the rule language, from their declarations."""
    title = "Rule language: functions and names"
    out = [f"# {title}", "",
           "Every function a rule may call, with what it takes and gives, and an example, generated from the "
           "declarations the checker and the engine read.",
           ""]
    out += ["## Functions {#functions}", ""]
    for name, overloads in FUNCTIONS.items():
        out += [f"### {escape(name)} {{#{name}}}", ""]
        for fn in overloads:
            cases = " Reads the cases or published figures." if fn.needs_cases else ""
            out += [f"{code(_signature(fn))} gives {_returns(fn)}.", "",
                    prose(fn.summary) + cases, "", f"Example: {code(fn.example)}", ""]
    out += ["## Names of node sets {#node-sets}", "", "| Name | Stands for |", "|---|---|"]
    out += [f"| {code(n)} | {prose(d)} |" for n, d in NODE_SETS.items()] + [""]
    out += ["Any other bare name is a band table's id (`key_question`) or a rating's id (`good`, or "
            "`rating.good` to name its scale).", ""]
    grammar = resources.files("bandstand.dsl").joinpath("grammar.lark").read_text("utf-8")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", grammar)), default=0) + 1)
    out += ["## The grammar {#grammar}", "",
            "The grammar as the parser reads it (Lark's notation; each `-> name` is one kind of expression):",
            "", f"{fence}text", grammar.rstrip(), fence, ""]
    return make_page(path, title, out)


# -- the command line ---------------------------------------------------------------------------


def cli_page(cli: click.Group, path: str = "reference/cli.md") -> Page:
    """Every command's help, as ``bandstand COMMAND --help`` prints it (``cli`` is :func:`bandstand.cli.cli`)."""
    title = "Command line"
    out = [f"# {title}", "",
           "What `bandstand --help` and `bandstand COMMAND --help` print. The options of `bandstand` itself "
           "come before the command: `bandstand --framework-path DIR list`.", ""]
    root = click.Context(cli, info_name="bandstand", terminal_width=100, max_content_width=100)
    out += _help_block("bandstand", cli, root, "bandstand")
    for name, command in cli.commands.items():
        ctx = click.Context(command, info_name=name, parent=root, terminal_width=100, max_content_width=100)
        out += _help_block(f"bandstand {name}", command, ctx, name)
    return make_page(path, title, out)


def _help_block(title: str, command: click.Command, ctx: click.Context, anchor: str) -> list[str]:
    text = command.get_help(ctx)
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    summary = command.get_short_help_str(limit=200)
    return [f"## {escape(title)} {{#{anchor}}}", "", escape(summary), "", f"{fence}text", text, fence, ""]


def reference_pages(cli: click.Group) -> list[Page]:
    """The generated reference pages, under ``reference/``; ``cli`` is the command line to document."""
    return [
        schema_page("framework", "reference/framework.md", "Framework files",
                    "Every field of a framework file, generated from the JSON Schema that `bandstand validate` "
                    "checks framework files against."),
        schema_page("evidence", "reference/evidence.md", "Evidence files",
                    "Every field of an evidence file, generated from its JSON Schema. YAML and JSON files have the "
                    "same fields; a CSV file holds cases only."),
        functions_page(),
        cli_page(cli),
    ]
