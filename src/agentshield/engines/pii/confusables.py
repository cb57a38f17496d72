"""Non-ASCII characters that look like ASCII ones, mapped to the ASCII they imitate.

Source: Unicode Technical Standard #39, confusables.txt (Unicode 15.1), restricted to
entries whose prototype is a single ASCII letter, digit or the punctuation found in
e-mail addresses, URLs and numbers. Fullwidth, mathematical and circled forms are left to
NFKC, which already maps them. ASCII characters are never remapped (TR39 maps `0` to `O`
and `1` to `l`, which would destroy numbers).
"""

from __future__ import annotations

CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c",
    "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0456": "i", "\u0458": "j",
    "\u0501": "d", "\u04bb": "h", "\u04cf": "l", "\u051b": "q", "\u051d": "w",
    "\u044c": "b", "\u0261": "g", "\u0410": "A", "\u0412": "B", "\u0415": "E",
    "\u041a": "K", "\u041c": "M", "\u041d": "H", "\u041e": "O", "\u0420": "P",
    "\u0421": "C", "\u0422": "T", "\u0425": "X", "\u0423": "Y", "\u0405": "S",
    "\u0406": "I", "\u0408": "J", "\u051a": "Q", "\u051c": "W", "\u04ae": "Y",
    "\u0417": "3", "\u0431": "6",
    # Greek
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H",
    "\u0399": "I", "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O",
    "\u03a1": "P", "\u03a4": "T", "\u03a5": "Y", "\u03a7": "X", "\u03b1": "a",
    "\u03bf": "o", "\u03bd": "v", "\u03c1": "p", "\u03b9": "i", "\u03c5": "u",
    "\u03b3": "y",
    # Latin look-alikes outside ASCII
    "\u0131": "i", "\u0251": "a", "\u0269": "i", "\u01c0": "l", "\u0237": "j",
    "\u1d0f": "o", "\u1d1c": "u", "\u1d20": "v", "\u1d21": "w", "\u1d22": "z",
    # Armenian and Cherokee letters that imitate Latin
    "\u0585": "o", "\u0578": "n", "\u057d": "u", "\u13a0": "D", "\u13a1": "R",
    "\u13a2": "T", "\u13a5": "i", "\u13aa": "G", "\u13ab": "J", "\u13ac": "E",
    # Punctuation of addresses and numbers
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2212": "-", "\u2043": "-", "\u02d7": "-", "\u3002": ".", "\ua4f8": ".",
    "\u06d4": ".", "\u2044": "/", "\u2215": "/", "\u29f8": "/",
}  # fmt: skip
