#!/usr/bin/env python3
"""Checks the layering of STYLE.md on every `#include "stsd/<module>/..."`.

Arrows (transitively downward): app -> all; admin -> protocol -> service ->
domain -> federation -> crypto; admin -> config; service -> sigv4 -> crypto;
config -> crypto;
http -> common only, and above it only its seams (`stsd/http/server.h`, and
`stsd/http/client.h`, the outbound GET the app hands to the OIDC key fetcher)
may be included; all -> common. A file's module is the folder it lives in under
src/ or include/stsd/. Includes that climb out of a module with `../` are
refused when they land in another module, since they bypass the arrows.

Usage: check_layers.py [ROOT]   (ROOT: the repository; default: this script's)
Prints one line per violation, `path:line: <module> may not include <what>`,
and exits 1 when there is any.
"""

import pathlib
import re
import sys

# module -> the modules it may include (besides itself).
ALLOWED = {
    "common": set(),
    "crypto": {"common"},
    "sigv4": {"common", "crypto"},
    "http": {"common"},
    "config": {"common", "crypto"},
    "federation": {"common", "crypto"},
    "domain": {"common", "crypto", "federation"},
    "service": {"common", "crypto", "sigv4", "domain", "federation"},
    "protocol": {"common", "crypto", "sigv4", "domain", "federation", "service", "http"},
    "admin": {"common", "crypto", "sigv4", "domain", "federation", "service", "protocol", "http", "config"},
    "app": {"common", "crypto", "sigv4", "domain", "federation", "service", "protocol", "admin", "http", "config"},
    "main": {"app", "common", "config"},
}
# Headers of a module that modules above may see; None: all of them.
SEAMS = {"http": {"server.h", "client.h"}}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_SUFFIXES = {".h", ".hpp", ".cpp", ".cc", ".ipp"}


def module_of(relative: pathlib.PurePosixPath):
    """The module of a file, from its path relative to the root; None if outside."""
    parts = relative.parts
    if parts[:1] == ("src",):
        if len(parts) == 2:
            return "main" if parts[1] == "main.cpp" else None
        rest = parts[1:]
    elif parts[:2] == ("include", "stsd") and len(parts) > 3:
        rest = parts[2:]
    else:
        return None
    if rest[0] == "domain" and len(rest) > 2 and rest[1] == "federation":
        return "federation"
    return rest[0]


def target_of(include: str):
    """(module, header within it) of an `stsd/...` include; None otherwise."""
    parts = include.split("/")
    if len(parts) < 3 or parts[0] != "stsd":
        return None
    if parts[1] == "domain" and len(parts) > 3 and parts[2] == "federation":
        return "federation", "/".join(parts[3:])
    return parts[1], "/".join(parts[2:])


def violations(root: pathlib.Path):
    found = []
    for base in (root / "src", root / "include" / "stsd"):
        for path in sorted(base.rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            relative = pathlib.PurePosixPath(path.relative_to(root).as_posix())
            module = module_of(relative)
            if module is None:
                continue
            if module not in ALLOWED:
                found.append(f"{relative}:1: module '{module}' is not in the layer table of {pathlib.Path(__file__).name}")
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                include = match.group(1)
                if include.startswith("../") or "/../" in include:
                    resolved = (path.parent / include).resolve()
                    try:
                        landing = module_of(pathlib.PurePosixPath(resolved.relative_to(root.resolve()).as_posix()))
                    except ValueError:
                        landing = None
                    if landing != module:
                        found.append(f"{relative}:{number}: {module} may not include {include} (climbs out of its module)")
                    continue
                target = target_of(include)
                if target is None:
                    continue
                other, header = target
                if other == module:
                    continue
                if other not in ALLOWED.get(module, set()):
                    found.append(f"{relative}:{number}: {module} may not include {include} ({other} is not below {module})")
                elif other in SEAMS and header not in SEAMS[other]:
                    found.append(f"{relative}:{number}: {module} may not include {include} (only {other}'s seam {sorted(SEAMS[other])})")
    return found


def main(argv):
    root = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent
    found = violations(root)
    for line in found:
        print(line)
    if found:
        print(f"check_layers: {len(found)} include(s) break the layering (STYLE.md, 'The house')", file=sys.stderr)
        return 1
    print("check_layers: every include follows the layering")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
