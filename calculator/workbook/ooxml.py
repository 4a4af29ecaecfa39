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


def resolve(base_part: str, target: str) -> str:
    """A relationship target relative to the part that holds the relationship."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = []
    for piece in (str(PurePosixPath(base_part).parent) + "/" + target).split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def rels_part(part: str) -> str:
    path = PurePosixPath(part)
    return f"{path.parent}/_rels/{path.name}.rels".lstrip("/")
