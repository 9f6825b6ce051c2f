#!/usr/bin/env python3
"""Generate a service's model code from its botocore model (STS and IAM).

Usage:
  scripts/gen_model.py {sts,iam} [path/to/service-2.json[.gz]]

Without a path, the model of the installed botocore is used
(botocore/data/<service>/<version>/service-2.json.gz), with what it lacks
added from scripts/model-overlay/<service>.json (each entry cites its source). The output is
committed; the build never runs this script (Debian 12's botocore is older
than the models we track).

What is emitted, for service S:
- src/service/model/S_model_generated.cpp: the validation tables. Every
  operation (name, input shape, whether it needs no signature)
  and every shape reachable from an operation input, with the constraints the
  Query-protocol validator enforces (min/max, pattern, enum, sensitive,
  required members). A pattern `[class]*` or `[class]+` is compiled here into
  sorted code-point ranges so the server matches without a regex engine; any
  other pattern is translated to an ECMAScript regular expression, allowed
  only on shapes whose values are short (see MAX_REGEX_INPUT).
- include/stsd/service/S/shapes.h and src/service/model/S_shapes_generated.cpp:
  one C++ struct per structure shape an operation reads or returns (members
  named as on the wire), `from_input` (validated input -> request struct) and
  `to_result` (response struct -> result tree in model member order, or
  AWS's where WIRE_ORDER says it differs).
- src/service/S/dispatch_generated.cpp (when src/service/S/ exists): the
  table from operation name to the action implementing it. An action is a
  function `Result<XResponse> x(const XRequest&, const Context&)` defined in a
  .cpp file under src/service/S/; the generator finds the definitions there,
  so a new action is one file (src/service/sts/ is globbed by CMake; an IAM
  action joins its family's file) and one rerun.
"""

import argparse
import gzip
import json
import os
import re
import sys
import unicodedata

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SERVICES = {"sts": "2011-06-15", "iam": "2010-05-08"}
# Whether a service's ValidationError echoes the offending value ("Value 'x'
# at ...") and lists an enum's values. IAM stopped doing either (2026
# recordings: "Value at 'path' failed ...", "Member must satisfy enum value
# set"; docs/IAM-BEHAVIOUR.md section 2.8); STS still does.
ECHO_VALUES = {"sts": True, "iam": False}
# Output members the model requires but AWS leaves out in some answers, so
# the structs hold them as optional: GetUser called by an account root answers
# a User without UserName (docs/IAM-BEHAVIOUR.md section 5.2).
OMITTED_REQUIRED = {("User", "UserName")}
# Response members in the order AWS writes them where it differs from the
# model's (to_result writes model order otherwise). STS: AssumeRole
# recordings (the argmin STS oracle's golden bodies, recorded live:
# github.com/justincormack/argmin, crates/s3-tests/src/bin/sts_oracle.rs);
# the other operations from the sample responses of the AWS STS API
# reference (AssumeRoleWithSAML, AssumeRoleWithWebIdentity,
# GetCallerIdentity). Members newer than those samples (SessionTokenSize...)
# come last, in the newest model's order.
WIRE_ORDER = {
    "sts": {
        "AssumeRoleResponse": ["AssumedRoleUser", "Credentials", "PackedPolicySize", "SourceIdentity",
                               "SessionTokenUtilization", "SessionTokenSize"],
        "AssumeRoleWithSAMLResponse": ["Issuer", "AssumedRoleUser", "Credentials", "Audience", "SubjectType",
                                       "PackedPolicySize", "NameQualifier", "SourceIdentity", "Subject",
                                       "SessionTokenUtilization", "SessionTokenSize",
                                       "TrustedIdentityPropagationContext"],
        "AssumeRoleWithWebIdentityResponse": ["SubjectFromWebIdentityToken", "Audience", "AssumedRoleUser",
                                              "Credentials", "PackedPolicySize", "SourceIdentity", "Provider",
                                              "SessionTokenUtilization", "SessionTokenSize",
                                              "TrustedIdentityPropagationContext"],
        "GetCallerIdentityResponse": ["Arn", "UserId", "Account"],
    },
}
# A regular-expression pattern is matched by a backtracking engine, which the
# server runs only on values up to this length (longer ones do not match);
# no shape with such a pattern may allow longer values.
MAX_REGEX_INPUT = 4096
MAX_CODE_POINT = 0x10FFFF


class GenerationError(Exception):
    pass


def overlay_path(service):
    return os.path.join(ROOT, "scripts", "model-overlay", f"{service}.json")


def apply_overlay(service, model):
    """Adds what botocore's model lacks (scripts/model-overlay/<service>.json):
    operations and shapes it does not have, members appended to its
    structures (or placed "after" a member), constraints its shapes lack. An entry botocore already has is
    an error: the overlay entry is then stale and must go."""
    path = overlay_path(service)
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        overlay = json.load(f)
    for kind in ("operations", "shapes"):
        for name, entry in overlay.get(kind, {}).items():
            if name in model[kind]:
                raise GenerationError(f"overlay {kind[:-1]} {name} is in botocore's model now: remove it from {path}")
            if not entry.get("source"):
                raise GenerationError(f"overlay {kind[:-1]} {name} cites no source")
            model[kind][name] = entry["definition"]
    for shape, entry in overlay.get("constraints", {}).items():
        target = model["shapes"][shape]
        if not entry.get("source"):
            raise GenerationError(f"overlay constraints of {shape} cite no source")
        for key, value in entry["set"].items():
            if target.get(key) == value:
                raise GenerationError(f"overlay constraint {shape}.{key} is in botocore's model now: remove it")
            target[key] = value
    for shape, members in overlay.get("members", {}).items():
        target = model["shapes"][shape]
        for member, entry in members.items():
            if member in target["members"]:
                raise GenerationError(f"overlay member {shape}.{member} is in botocore's model now: remove it")
            if not entry.get("source"):
                raise GenerationError(f"overlay member {shape}.{member} cites no source")
            items = list(target["members"].items())
            at = len(items)
            if "after" in entry:
                at = [name for name, _ in items].index(entry["after"]) + 1
            items.insert(at, (member, entry["ref"]))
            target["members"] = dict(items)


def apply_wire_order(service, model):
    for shape, order in WIRE_ORDER.get(service, {}).items():
        members = model["shapes"][shape]["members"]
        if sorted(order) != sorted(members):
            raise GenerationError(f"WIRE_ORDER for {shape} does not list exactly its members {sorted(members)}")
        model["shapes"][shape]["members"] = {name: members[name] for name in order}


def botocore_model_path(service):
    import botocore  # imported lazily: only needed when no path is given
    return os.path.join(os.path.dirname(botocore.__file__), "data", service, SERVICES[service], "service-2.json.gz")


def botocore_version_of(path):
    try:
        import botocore
        if os.path.realpath(path).startswith(os.path.realpath(os.path.dirname(botocore.__file__))):
            return botocore.__version__
    except ImportError:
        pass
    return None


def load_model(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


# --- Java character classes -> code-point ranges -----------------------------

_category_cache = {}


def category_ranges(prefix):
    """Code-point ranges whose Unicode general category starts with prefix
    (L, Z or N), from Python's unicodedata (the Unicode version is recorded in
    the output header)."""
    if prefix in _category_cache:
        return _category_cache[prefix]
    ranges = []
    start = None
    for cp in range(MAX_CODE_POINT + 2):
        inside = cp <= MAX_CODE_POINT and unicodedata.category(chr(cp)).startswith(prefix)
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            ranges.append((start, cp - 1))
            start = None
    _category_cache[prefix] = ranges
    return ranges


# Java's \w and \d without UNICODE_CHARACTER_CLASS are ASCII-only.
WORD = [(ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z"))]
DIGIT = [(ord("0"), ord("9"))]
UNICODE_PROPERTIES = {"L": "L", "Z": "Z", "N": "N"}


def parse_class(body, pattern):
    """Parse the inside of a Java character class into a list of items; each
    item is ('char', cp) for a plain character, ('esc', cp) for an escaped one
    or ('set', ranges) for \\w, \\d and \\p{..}."""
    items = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "[" or c == "&":
            raise GenerationError(f"nested class or intersection in pattern {pattern!r}")
        if c != "\\":
            items.append(("char", ord(c)))
            i += 1
            continue
        if i + 1 >= len(body):
            raise GenerationError(f"dangling backslash in pattern {pattern!r}")
        e = body[i + 1]
        if e == "u":
            # Java reads exactly four hex digits: "\u10000" is U+1000 then '0'.
            digits = body[i + 2:i + 6]
            if len(digits) != 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise GenerationError(f"bad \\u escape in pattern {pattern!r}")
            items.append(("esc", int(digits, 16)))
            i += 6
        elif e == "w":
            items.append(("set", WORD))
            i += 2
        elif e == "d":
            items.append(("set", DIGIT))
            i += 2
        elif e == "p":
            end = body.find("}", i)
            if body[i + 2:i + 3] != "{" or end < 0:
                raise GenerationError(f"bad \\p escape in pattern {pattern!r}")
            name = body[i + 3:end]
            if name not in UNICODE_PROPERTIES:
                raise GenerationError(f"unsupported property \\p{{{name}}} in pattern {pattern!r}")
            items.append(("set", category_ranges(UNICODE_PROPERTIES[name])))
            i = end + 1
        elif e.isalnum():
            raise GenerationError(f"unsupported escape \\{e} in pattern {pattern!r}")
        else:
            # An escaped punctuation character stands for itself (\- \/ \: \\)
            # and, unlike a plain '-', never forms a range.
            items.append(("esc", ord(e)))
            i += 2
    return items


def class_ranges(body, pattern):
    items = parse_class(body, pattern)
    ranges = []
    i = 0
    while i < len(items):
        kind, value = items[i]
        # Only a plain '-' between two characters makes a range.
        is_range = (kind in ("char", "esc") and i + 2 < len(items) and items[i + 1] == ("char", ord("-"))
                    and items[i + 2][0] in ("char", "esc"))
        if is_range:
            low, high = value, items[i + 2][1]
            if low > high:
                raise GenerationError(f"reversed range in pattern {pattern!r}")
            ranges.append((low, high))
            i += 3
        elif kind in ("char", "esc"):
            ranges.append((value, value))
            i += 1
        else:
            ranges.extend(value)
            i += 1
    return merge_ranges(ranges)


def merge_ranges(ranges):
    merged = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def compile_pattern(pattern):
    """A model pattern -> ("class", ranges, allow_empty) for '[class]*' or
    '[class]+', else ("regex", ecmascript_text)."""
    simple = len(pattern) >= 3 and pattern[0] == "[" and pattern[-1] in "*+" and pattern[-2] == "]"
    if simple:
        body = pattern[1:-2]
        # A ']' inside the body would mean the class ended early.
        unescaped = body.replace("\\\\", "").replace("\\]", "")
        simple = not body.startswith("^") and "]" not in unescaped
    if simple:
        return ("class", class_ranges(pattern[1:-2], pattern), pattern[-1] == "*")
    # Java and ECMAScript agree on everything these patterns use (\uXXXX,
    # \d, \w, classes, groups, {m,n}, (?!...), ^ $); refuse what they do not.
    for unsupported in ("\\p", "\\P", "*+", "++", "?+", "(?<", "(?i", "\\Q", "\\A", "\\z", "\\Z", "&&"):
        if unsupported in pattern:
            raise GenerationError(f"pattern {pattern!r} uses {unsupported}, which has no ECMAScript equivalent")
    return ("regex", pattern)


# --- C++ emission -------------------------------------------------------------

def cpp_string(s):
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif 0x20 <= cp < 0x7F:
            out.append(ch)
        else:
            raise GenerationError(f"non-ASCII or control character in emitted string {s!r}")
    out.append('"')
    return "".join(out)


def identifier(name):
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def snake_case(name):
    """CreateOpenIDConnectProvider -> create_open_id_connect_provider."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0:
            prev, nxt = name[i - 1], name[i + 1] if i + 1 < len(name) else ""
            if prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower()):
                out.append("_")
        out.append(ch.lower())
    return "".join(out)


def reachable_shapes(model, roots, allow_maps):
    shapes = model["shapes"]
    order = []
    seen = set()

    def visit(name):
        if name in seen:
            return
        if name not in shapes:
            raise GenerationError(f"unknown shape {name}")
        seen.add(name)
        order.append(name)
        shape = shapes[name]
        if shape["type"] == "list":
            visit(shape["member"]["shape"])
        elif shape["type"] == "structure":
            for member in shape.get("members", {}).values():
                visit(member["shape"])
        elif shape["type"] == "map":
            if not allow_maps:
                raise GenerationError(f"map shape {name} is not supported by the Query decoder")
            visit(shape["key"]["shape"])
            visit(shape["value"]["shape"])

    for root in roots:
        visit(root)
    return order


def input_roots(model):
    roots = []
    for op in model["operations"].values():
        if "input" in op:
            roots.append(op["input"]["shape"])
    return roots


def output_roots(model):
    return [op["output"]["shape"] for op in model["operations"].values() if "output" in op]


KINDS = {
    "string": "ShapeKind::String",
    "integer": "ShapeKind::Integer",
    "long": "ShapeKind::Long",
    "boolean": "ShapeKind::Boolean",
    "timestamp": "ShapeKind::Timestamp",
    "list": "ShapeKind::List",
    "structure": "ShapeKind::Structure",
}


def optional_int(shape, key):
    return f"std::int64_t{{{shape[key]}}}" if key in shape else "std::nullopt"


def header_lines(source_desc, script_args):
    return [
        "// Generated by scripts/gen_model.py -- do not edit by hand.",
        f"// Source: {source_desc}",
        f"// Regenerate with: python3 scripts/gen_model.py {script_args}",
    ]


def generate_tables(service, model, source_desc):
    shapes = model["shapes"]
    names = reachable_shapes(model, input_roots(model), allow_maps=False)
    index = {name: i for i, name in enumerate(names)}

    lines = []
    emit = lines.append

    patterns = {}      # pattern text -> (ranges array name or None, allow_empty, regex text)
    range_arrays = {}  # tuple(ranges) -> array name
    for name in names:
        shape = shapes[name]
        pattern = shape.get("pattern")
        if pattern is None:
            continue
        if shape["type"] != "string":
            raise GenerationError(f"pattern on non-string shape {name}")
        compiled = compile_pattern(pattern)
        if compiled[0] == "regex" and shape.get("max", 0) > MAX_REGEX_INPUT:
            raise GenerationError(f"regular-expression pattern on {name}, whose values may be longer than "
                                  f"the matcher accepts ({MAX_REGEX_INPUT})")
        if pattern in patterns:
            continue
        if compiled[0] == "class":
            key = tuple(compiled[1])
            if key not in range_arrays:
                range_arrays[key] = f"kClass{len(range_arrays)}"
            patterns[pattern] = (range_arrays[key], compiled[2], "")
        else:
            patterns[pattern] = (None, False, compiled[1])

    operations = model["operations"]
    lines.extend(header_lines(source_desc, service))
    emit(f"// Unicode data for \\p{{L}}, \\p{{Z}}, \\p{{N}}: Python unicodedata {unicodedata.unidata_version}.")
    emit(f"// {len(operations)} operations, {len(names)} input shapes.")
    emit("// clang-format off")
    emit('#include "model_tables.h"')
    emit("")
    emit("namespace stsd::service::model_detail {")
    emit("")
    emit("namespace {")
    emit("")
    for ranges, array in sorted(range_arrays.items(), key=lambda kv: kv[1]):
        emit(f"constexpr CodePointRange {array}[] = {{")
        row = []
        for low, high in ranges:
            row.append(f"{{0x{low:X}, 0x{high:X}}}")
            if len(row) == 6:
                emit("    " + ", ".join(row) + ",")
                row = []
        if row:
            emit("    " + ", ".join(row) + ",")
        emit("};")
    emit("")
    pattern_names = {}
    emit("constexpr PatternSpec kPatterns[] = {")
    for i, (pattern, (array, allow_empty, regex)) in enumerate(patterns.items()):
        pattern_names[pattern] = i
        emit(f"    {{{cpp_string(pattern)}, {array or '{}'}, {'true' if allow_empty else 'false'}, "
             f"{cpp_string(regex)}}},")
    emit("};")
    emit("")

    for name in names:
        shape = shapes[name]
        if "enum" in shape:
            values = ", ".join(cpp_string(v) for v in shape["enum"])
            emit(f"constexpr std::string_view kEnum_{identifier(name)}[] = {{{values}}};")
        if shape["type"] == "structure" and shape.get("members"):
            required = set(shape.get("required", []))
            for r in required:
                if r not in shape["members"]:
                    raise GenerationError(f"{name} requires unknown member {r}")
            emit(f"constexpr MemberSpec kMembers_{identifier(name)}[] = {{")
            for member, ref in shape["members"].items():
                if ref.get("location") or ref.get("locationName") or ref.get("flattened"):
                    raise GenerationError(f"{name}.{member} uses a location trait the Query decoder ignores")
                emit(f"    {{{cpp_string(member)}, {index[ref['shape']]}, {'true' if member in required else 'false'}}},")
            emit("};")
    emit("")

    emit("constexpr ShapeSpec kShapes[] = {")
    for i, name in enumerate(names):
        shape = shapes[name]
        kind = KINDS.get(shape["type"])
        if kind is None:
            raise GenerationError(f"input shape {name} has unsupported type {shape['type']}")
        if shape["type"] == "list" and (shape["member"].get("locationName") or shape.get("flattened")):
            raise GenerationError(f"list {name} uses a location trait the Query decoder ignores")
        pattern = f"&kPatterns[{pattern_names[shape['pattern']]}]" if "pattern" in shape else "nullptr"
        enum = f"kEnum_{identifier(name)}" if "enum" in shape else "{}"
        member_shape = index[shape["member"]["shape"]] if shape["type"] == "list" else 0
        members = (f"kMembers_{identifier(name)}"
                   if shape["type"] == "structure" and shape.get("members") else "{}")
        sensitive = "true" if shape.get("sensitive") else "false"
        emit(f"    /* {i} */ {{{cpp_string(name)}, {kind}, {optional_int(shape, 'min')}, "
             f"{optional_int(shape, 'max')}, {pattern}, {enum}, {sensitive}, {member_shape}, {members}}},")
    emit("};")
    emit("")

    emit("constexpr OperationSpec kOperations[] = {")
    for op_name, op in operations.items():
        auth = op.get("auth", [])
        no_auth = op.get("authtype") == "none" or "smithy.api#noAuth" in auth
        input_shape = index[op["input"]["shape"]] if "input" in op else "kNoInput"
        emit(f"    {{{cpp_string(op_name)}, {input_shape}, {'true' if no_auth else 'false'}}},")
    emit("};")
    emit("")
    meta = model["metadata"]
    echo = "true" if ECHO_VALUES[service] else "false"
    emit(f"constexpr ServiceSpec kService{{{cpp_string(meta['endpointPrefix'])}, {cpp_string(meta['apiVersion'])}, "
         f"{cpp_string(meta['xmlNamespace'])}, kShapes, kOperations, {echo}}};")
    emit("")
    emit("}  // namespace")
    emit("")
    emit(f"const ServiceSpec& {service}_service() {{ return kService; }}")
    emit("")
    emit("}  // namespace stsd::service::model_detail")
    return "\n".join(lines) + "\n"


# --- Typed shapes ---------------------------------------------------------------

def struct_order(model, roots):
    """Structure shapes reachable from roots, each after the structures it holds."""
    shapes = model["shapes"]
    order, done, active = [], set(), set()

    def visit(name):
        if name in done:
            return
        if name in active:
            raise GenerationError(f"recursive shape {name} needs indirection the generator does not emit")
        active.add(name)
        shape = shapes[name]
        if shape["type"] == "list":
            visit(shape["member"]["shape"])
        elif shape["type"] == "map":
            visit(shape["key"]["shape"])
            visit(shape["value"]["shape"])
        elif shape["type"] == "structure":
            for member in shape.get("members", {}).values():
                visit(member["shape"])
        active.discard(name)
        done.add(name)
        if shape["type"] == "structure":
            order.append(name)

    for root in roots:
        visit(root)
    return order


def cpp_type(model, service, name):
    shape = model["shapes"][name]
    t = shape["type"]
    if t == "string":
        return "std::string"
    if t in ("integer", "long"):
        return "std::int64_t"
    if t == "boolean":
        return "bool"
    if t == "timestamp":
        return "::stsd::service::Timestamp"
    if t == "blob":
        return "::stsd::service::Blob"
    if t == "list":
        return f"std::vector<{cpp_type(model, service, shape['member']['shape'])}>"
    if t == "map":
        return (f"std::vector<std::pair<{cpp_type(model, service, shape['key']['shape'])}, "
                f"{cpp_type(model, service, shape['value']['shape'])}>>")
    if t == "structure":
        # Qualified: a member may be named like its type (Role Role).
        return f"::stsd::service::{service}::{identifier(name)}"
    raise GenerationError(f"shape {name} has unsupported type {t}")


def member_wire_name(ref, member):
    return ref.get("locationName", member)


def typed_shapes(model):
    """(shapes read from input, shapes written to output, structs in definition order)."""
    inputs = set(reachable_shapes(model, input_roots(model), allow_maps=False))
    outputs = set(reachable_shapes(model, output_roots(model), allow_maps=True))
    return inputs, outputs, struct_order(model, input_roots(model) + output_roots(model))


def generate_shapes_header(service, model, source_desc):
    shapes = model["shapes"]
    inputs, outputs, structs = typed_shapes(model)
    lines = header_lines(source_desc, service)
    emit = lines.append
    emit("//")
    emit("// Request and response structs of every operation, members named as on the")
    emit("// wire. A member the model requires is a plain value; any other is optional.")
    emit("// clang-format off")
    emit("#pragma once")
    emit("#include <cstdint>")
    emit("#include <optional>")
    emit("#include <string>")
    emit("#include <utility>")
    emit("#include <vector>")
    emit("")
    emit('#include "stsd/service/action_input.h"')
    emit('#include "stsd/service/result_node.h"')
    emit('#include "stsd/service/shape_types.h"')
    emit("")
    emit(f"namespace stsd::service::{service} {{")
    emit("")
    for name in structs:
        shape = shapes[name]
        required = set(shape.get("required", [])) - {m for (n, m) in OMITTED_REQUIRED if n == name}
        emit(f"struct {identifier(name)} {{")
        for member, ref in shape.get("members", {}).items():
            t = cpp_type(model, service, ref["shape"])
            if member not in required:
                t = f"std::optional<{t}>"
            emit(f"  {t} {identifier(member)}{{}};")
        emit("};")
        if name in inputs:
            emit(f"void from_input(const InputValue& value, {identifier(name)}& out);")
        if name in outputs:
            emit(f"void to_result(ResultNode& node, const {identifier(name)}& value);")
        emit("")
    emit("// Operations without an input or output shape take or answer nothing.")
    for op_name, op in model["operations"].items():
        if "input" not in op:
            emit(f"struct {op_name}Request {{}};")
            emit(f"inline void from_input(const InputValue&, {op_name}Request&) {{}}")
        if "output" not in op:
            emit(f"struct {op_name}Response {{}};")
            emit(f"inline void to_result(ResultNode&, const {op_name}Response&) {{}}")
    emit("// Operations that share a shape (SimulateCustomPolicy and")
    emit("// SimulatePrincipalPolicy answer SimulatePolicyResponse) name it after themselves.")
    for op_name, op in model["operations"].items():
        for kind, suffix in (("input", "Request"), ("output", "Response")):
            if kind in op and identifier(op[kind]["shape"]) != f"{op_name}{suffix}":
                emit(f"using {op_name}{suffix} = {identifier(op[kind]['shape'])};")
    emit("")
    emit(f"}}  // namespace stsd::service::{service}")
    return "\n".join(lines) + "\n"


def generate_shapes_source(service, model, source_desc):
    shapes = model["shapes"]
    inputs, outputs, structs = typed_shapes(model)
    lines = header_lines(source_desc, service)
    emit = lines.append
    emit("// clang-format off")
    emit(f'#include "stsd/service/{service}/shapes.h"')
    emit("")
    emit('#include "shape_io.h"')
    emit("")
    emit(f"namespace stsd::service::{service} {{")
    emit("")
    emit("using model_detail::read;")
    emit("using model_detail::write;")
    emit("")
    for name in structs:
        shape = shapes[name]
        members = shape.get("members", {})
        if name in inputs:
            emit(f"void from_input(const InputValue& value, {identifier(name)}& out) {{")
            if not members:
                emit("  (void)value;")
                emit("  (void)out;")
            for member in members:
                emit(f"  if (const InputValue* m = value.find({cpp_string(member)})) read(*m, out.{identifier(member)});")
            emit("}")
            emit("")
        if name not in outputs:
            continue
        emit(f"void to_result(ResultNode& node, const {identifier(name)}& value) {{")
        if not members:
            emit("  (void)node;")
            emit("  (void)value;")
        for member, ref in members.items():
            emit(f"  write(node, {cpp_string(member_wire_name(ref, member))}, value.{identifier(member)});")
        emit("}")
        emit("")
    emit(f"}}  // namespace stsd::service::{service}")
    return "\n".join(lines) + "\n"


DEFINITION = re.compile(r"^Result<(\w+)Response>\s+(\w+)\(\s*const \1Request&", re.MULTILINE)
# A function returning an operation's response: it must match DEFINITION, so
# a spelling the generator cannot read (`XRequest &in`) is an error instead of
# an action silently left out of the table.
CANDIDATE = re.compile(r"^Result<(\w+)Response>\s+\w+\(", re.MULTILINE)


def implemented_actions(service, model):
    """Operation -> function, from the definitions under src/service/<service>/."""
    found = {}
    folder = os.path.join(ROOT, "src", "service", service)
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".cpp") or file.endswith("_generated.cpp"):
            continue
        with open(os.path.join(folder, file), encoding="utf-8") as f:
            text = f.read()
            for candidate in CANDIDATE.finditer(text):
                if candidate.group(1) in model["operations"] and not DEFINITION.match(text, candidate.start()):
                    line = text.count("\n", 0, candidate.start()) + 1
                    raise GenerationError(
                        f"{file}:{line}: an action must be defined as "
                        f"`Result<XResponse> x(const XRequest& in, const Context& ctx)`")
            for op, function in DEFINITION.findall(text):
                if op not in model["operations"]:
                    raise GenerationError(f"{file} defines {function} for unknown operation {op}")
                if function != snake_case(op):
                    raise GenerationError(f"{file}: the action for {op} must be named {snake_case(op)}")
                if op in found:
                    raise GenerationError(f"{op} is defined twice")
                found[op] = function
    return found


def generate_dispatch(service, model, source_desc):
    actions = implemented_actions(service, model)
    lines = header_lines(source_desc, service)
    emit = lines.append
    emit(f"// {len(actions)} of {len(model['operations'])} operations implemented.")
    emit("// clang-format off")
    emit(f'#include "stsd/service/{service}/actions.h"')
    emit("")
    emit(f"namespace stsd::service::{service} {{")
    emit("")
    for op in sorted(actions):
        emit(f"Result<{op}Response> {actions[op]}(const {op}Request&, const Context&);")
    emit("")
    emit("std::span<const ActionEntry<Context>> actions() {")
    emit("  static const ActionEntry<Context> table[] = {")
    for op in sorted(actions):
        wrapper = model["operations"][op].get("output", {}).get("resultWrapper", "")
        emit(f"      {{{cpp_string(op)}, [](const ActionInput& in, const Context& c) {{ "
             f"return run_typed({actions[op]}, in, c, {cpp_string(wrapper)}); }}}},")
    emit("  };")
    emit("  return table;")
    emit("}")
    emit("")
    emit(f"}}  // namespace stsd::service::{service}")
    return "\n".join(lines) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(path, ROOT)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=sorted(SERVICES))
    parser.add_argument("model", nargs="?", help="service-2.json or service-2.json.gz (default: installed botocore)")
    args = parser.parse_args()

    path = args.model or botocore_model_path(args.service)
    model = load_model(path)
    version = botocore_version_of(path)
    api = model["metadata"]["apiVersion"]
    if version:
        source = f"botocore {version}, data/{args.service}/{api}/{os.path.basename(path)}"
    else:
        source = f"{os.path.basename(path)} (apiVersion {api}, not from an installed botocore)"
    service = args.service
    if os.path.exists(overlay_path(service)):
        source += f" + scripts/model-overlay/{service}.json"
    try:
        apply_overlay(service, model)
        apply_wire_order(service, model)
        outputs = {
            os.path.join(ROOT, "src", "service", "model", f"{service}_model_generated.cpp"):
                generate_tables(service, model, source),
            os.path.join(ROOT, "include", "stsd", "service", service, "shapes.h"):
                generate_shapes_header(service, model, source),
            os.path.join(ROOT, "src", "service", "model", f"{service}_shapes_generated.cpp"):
                generate_shapes_source(service, model, source),
        }
        if os.path.isdir(os.path.join(ROOT, "src", "service", service)):
            outputs[os.path.join(ROOT, "src", "service", service, "dispatch_generated.cpp")] = \
                generate_dispatch(service, model, source)
    except GenerationError as e:
        print(f"gen_model: {e}", file=sys.stderr)
        return 1
    for output, text in outputs.items():
        write(output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
