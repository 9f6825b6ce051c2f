#!/usr/bin/env python3
"""Generate src/service/model/sts_model_generated.cpp from the botocore STS model.

Usage:
  scripts/gen_sts_model.py [path/to/service-2.json[.gz]] [-o OUTPUT]

Without a path, the model of the installed botocore is used
(botocore/data/sts/2011-06-15/service-2.json.gz). The output is committed; the
build never runs this script (Debian 12's botocore is older than the model we
track).

What is emitted: every operation (name, input shape, result wrapper, whether it
needs no signature) and every shape reachable from an operation input, with the
constraints the Query-protocol validator enforces (min/max, pattern, enum,
sensitive, required members). Patterns are Java regular expressions of the form
`[class]*` or `[class]+`; each is compiled here into sorted code-point ranges so
the server matches without a regex engine. Any other pattern form stops the
script with an error instead of being approximated silently.
"""

import argparse
import gzip
import json
import os
import sys
import unicodedata

DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "service", "model",
                              "sts_model_generated.cpp")
MAX_CODE_POINT = 0x10FFFF


class GenerationError(Exception):
    pass


def botocore_model_path():
    import botocore  # imported lazily: only needed when no path is given
    return os.path.join(os.path.dirname(botocore.__file__), "data", "sts", "2011-06-15", "service-2.json.gz")


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
    """'[class]*' or '[class]+' -> (ranges, allow_empty)."""
    if len(pattern) < 3 or pattern[0] != "[" or pattern[-1] not in "*+" or pattern[-2] != "]":
        raise GenerationError(f"pattern {pattern!r} is not a single character class with * or +")
    body = pattern[1:-2]
    if body.startswith("^"):
        raise GenerationError(f"negated class in pattern {pattern!r}")
    # A ']' inside the body would mean the class ended early.
    unescaped = body.replace("\\\\", "").replace("\\]", "")
    if "]" in unescaped:
        raise GenerationError(f"pattern {pattern!r} has more than one class")
    return class_ranges(body, pattern), pattern[-1] == "*"


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


def reachable_shapes(model):
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
            raise GenerationError(f"map shape {name} is not supported by the Query decoder")

    for op in model["operations"].values():
        if "input" in op:
            visit(op["input"]["shape"])
    return order


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


def generate(model, source_desc):
    shapes = model["shapes"]
    names = reachable_shapes(model)
    index = {name: i for i, name in enumerate(names)}

    lines = []
    emit = lines.append

    patterns = {}      # pattern text -> (ranges array name, allow_empty)
    range_arrays = {}  # tuple(ranges) -> array name
    for name in names:
        pattern = shapes[name].get("pattern")
        if pattern is None or pattern in patterns:
            continue
        if shapes[name]["type"] != "string":
            raise GenerationError(f"pattern on non-string shape {name}")
        ranges, allow_empty = compile_pattern(pattern)
        key = tuple(ranges)
        if key not in range_arrays:
            range_arrays[key] = f"kClass{len(range_arrays)}"
        patterns[pattern] = (range_arrays[key], allow_empty)

    operations = model["operations"]
    emit("// Generated by scripts/gen_sts_model.py -- do not edit by hand.")
    emit(f"// Source: {source_desc}")
    emit(f"// Unicode data for \\p{{L}}, \\p{{Z}}, \\p{{N}}: Python unicodedata {unicodedata.unidata_version}.")
    emit(f"// {len(operations)} operations, {len(names)} input shapes. Regenerate with:")
    emit("//   python3 scripts/gen_sts_model.py [path/to/service-2.json.gz]")
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
    for i, (pattern, (array, allow_empty)) in enumerate(patterns.items()):
        pattern_names[pattern] = i
        emit(f"    {{{cpp_string(pattern)}, {array}, {'true' if allow_empty else 'false'}}},")
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
            raise GenerationError(f"shape {name} has unsupported type {shape['type']}")
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
        if "input" not in op:
            raise GenerationError(f"operation {op_name} has no input shape")
        wrapper = op.get("output", {}).get("resultWrapper", "")
        auth = op.get("auth", [])
        no_auth = op.get("authtype") == "none" or "smithy.api#noAuth" in auth
        emit(f"    {{{cpp_string(op_name)}, {index[op['input']['shape']]}, {cpp_string(wrapper)}, "
             f"{'true' if no_auth else 'false'}}},")
    emit("};")
    emit("")
    emit("}  // namespace")
    emit("")
    emit("std::span<const ShapeSpec> shapes() { return kShapes; }")
    emit("std::span<const OperationSpec> operations() { return kOperations; }")
    emit("")
    emit("}  // namespace stsd::service::model_detail")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="service-2.json or service-2.json.gz (default: installed botocore)")
    parser.add_argument("-o", "--output", default=DEFAULT_OUTPUT)
    args = parser.parse_args()

    path = args.model or botocore_model_path()
    model = load_model(path)
    version = botocore_version_of(path)
    if version:
        source = f"botocore {version}, data/sts/{model['metadata']['apiVersion']}/{os.path.basename(path)}"
    else:
        source = f"{os.path.basename(path)} (apiVersion {model['metadata']['apiVersion']}, not from an installed botocore)"
    try:
        text = generate(model, source)
    except GenerationError as e:
        print(f"gen_sts_model: {e}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(args.output)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
