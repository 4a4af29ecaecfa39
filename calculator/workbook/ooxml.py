"""The Office Open XML vocabulary we use: namespaces, relationship types, and where a
relationship's target and a part's relationships live inside the package."""
from __future__ import annotations

from pathlib import PurePosixPath

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
REL_SHARED_STRINGS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                      "sharedStrings")
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"

M = "{%s}" % NS_MAIN     # prefix of spreadsheetml tags: M + "row"
R = "{%s}" % NS_REL


def _parent_and_name(part: str) -> tuple[str, str]:
    """str(PurePosixPath(part).parent) and its .name: split directly for a plain part name
    such as xl/worksheets/sheet1.xml (pathlib's parsing cost an open more than the
    relationships it locates), through pathlib for anything else."""
    if part and not part.startswith(("/", ".")) and not part.endswith("/") \
            and "//" not in part and "/." not in part:
        parent, _, name = part.rpartition("/")
        return parent or ".", name
    path = PurePosixPath(part)
    return str(path.parent), path.name


def resolve(base_part: str, target: str) -> str:
    """A relationship target relative to the part that holds the relationship."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = []
    for piece in (_parent_and_name(base_part)[0] + "/" + target).split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def rels_part(part: str) -> str:
    parent, name = _parent_and_name(part)
    return f"{parent}/_rels/{name}.rels".lstrip("/")
