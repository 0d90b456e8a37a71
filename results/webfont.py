"""A report that shows Chinese on any computer: the page carries the few CJK glyphs it uses.

A browser with no Chinese font (a bare Linux machine, some kiosks) shows 中文 as empty boxes.
The page therefore embeds a subset of Noto Sans CJK SC (the font the charts use) holding only
the characters on the page: a few tens of kilobytes for a report, instead of the 19 MB font.
"""

from __future__ import annotations

import base64
import functools
import io

#: Characters from CJK radicals upwards (Han, kana, fullwidth punctuation): what Latin faces lack.
CJK_START = 0x2E80
FAMILY = "commplan CJK"


def cjk_characters(text: str) -> set[str]:
    return {c for c in text if ord(c) >= CJK_START}


def font_face(text: str) -> str:
    """A CSS ``@font-face`` embedding the CJK glyphs ``text`` uses, or "" (no CJK, or no font to take them from)."""
    chars = cjk_characters(text)
    if not chars:
        return ""
    data = _subset("".join(sorted(chars)))
    if data is None:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'@font-face{{font-family:"{FAMILY}";font-display:block;unicode-range:U+2E80-FFFF;'
        f'src:url(data:font/otf;base64,{encoded}) format("opentype")}}'
    )


@functools.lru_cache(maxsize=8)
def _subset(chars: str) -> bytes | None:
    try:
        import noto_cjk_sans_otc
        from fontTools import subset
        from fontTools.ttLib import TTCollection
    except ImportError:
        return None
    path = str(noto_cjk_sans_otc.FONT_PATH)
    with open(path, "rb") as f:
        collection = TTCollection(f, lazy=True)
        names = [font["name"].getDebugName(1) for font in collection.fonts]
        collection.close()
    number = names.index("Noto Sans CJK SC") if "Noto Sans CJK SC" in names else 0
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [1, 2]
    options.hinting = False
    options.desubroutinize = True
    options.font_number = number
    font = subset.load_font(path, options, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    buf = io.BytesIO()
    try:
        font.save(buf)
    finally:
        font.close()
    return buf.getvalue()
