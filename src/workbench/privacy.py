"""Personal data: find names, phone numbers and e-mail addresses, and pseudonymise them.

A report never needs to know who a customer is, only which rows belong to the same
one. So when a case is loaded, the personal columns it maps (``name``, ``phone``,
``email`` of the customers table, and ``account_manager``: a sales rep's name) and the
personal columns detected in auxiliary tables are replaced by pseudonyms before
anything else sees them: every table, workbook, HTML page and figure then shows
``name-3f9a0c1b7d2e`` instead of the name. Customer ids that are phone numbers or
e-mail addresses (:func:`detect_personal_columns` on the ids) become ``id-...``
pseudonyms of the id as cleaned, the same in every table, so joins still work. A case
keeps a column in clear only when the source says so (``keep_personal_data: [name]``),
for example for generated names that belong to no one.

A pseudonym is a keyed hash (HMAC-SHA256) of the normalised value, so it is the same
in every run, period and table (joins and period-to-period comparisons still work)
and cannot be turned back into the value without the key. The key is read from the
environment variable ``WORKBENCH_PSEUDONYM_KEY``; without it a fixed key derived from
the case's name is used, which keeps pseudonyms stable but lets anyone who has the
code test guesses (a phone number can be guessed): set the variable for real data.

Columns are detected by their header (``姓名``, ``联系人``, ``电话``, ``手机``, ``邮箱``,
``name``, ``phone``, ``e-mail``, ...) or by their values (most non-blank cells are
mainland mobile numbers, or e-mail addresses).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata

import pandas as pd

__all__ = [
    "KEY_VARIABLE",
    "KINDS",
    "PERSONAL_COLUMNS",
    "detect_personal_columns",
    "pseudonymise",
]

#: The canonical columns that hold personal data, and what kind each is (the kind names
#: the pseudonym's prefix and how a value is normalised: an account manager is a name).
PERSONAL_COLUMNS: dict[str, str] = {"name": "name", "phone": "phone", "email": "email",
                                    "account_manager": "name"}
#: The kinds of :func:`pseudonymise`: the personal kinds, and ``id`` for an id that is one.
KINDS = ("name", "phone", "email", "id")
#: The environment variable that holds the pseudonymisation key.
KEY_VARIABLE = "WORKBENCH_PSEUDONYM_KEY"

# English words only as whole words (contact_phone, not "hotel" or "telecom")
_W = r"(?<![a-z])(?:{})(?![a-z])"
_HEADER_PATTERNS = {
    "name": re.compile(r"姓名|名字|联系人|客户名称|负责人|"
                       + _W.format(r"name|full.?name|first.?name|last.?name|surname|"
                                   r"contact.?person|customer.?name"), re.I),
    "phone": re.compile(r"电话|手机|联系方式|微信|"
                        + _W.format(r"tel|telephone|phone|mobile|cell|whatsapp|wechat"), re.I),
    "email": re.compile(r"邮箱|邮件|" + _W.format(r"e-?mail|mail"), re.I),
}
_VALUE_PATTERNS = {
    "phone": re.compile(r"(\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"),
    "email": re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"),
}
_DIGITS = 12  # hex digits of a pseudonym: 48 bits, collisions unlikely below ~10^6 values


def detect_personal_columns(frame: pd.DataFrame, *, skip=()) -> dict[str, str]:
    """The columns of a table that look like names, phone numbers or e-mail addresses.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as read.
    skip : iterable of str
        Columns not to consider (ids, mapped non-personal columns).

    Returns
    -------
    dict of str to str
        Column -> ``"name"``, ``"phone"`` or ``"email"``, in column order. A column is
        personal when its header matches a known label, or when at least half of its
        non-blank cells (and at least one) are mainland mobile numbers or e-mail
        addresses.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": [1, 2], "联系电话": ["x", "y"],
    ...                       "contact": ["138 0013 8000", "a@b.cn"], "note": ["ok", "ok"]})
    >>> detect_personal_columns(frame, skip=["id"])
    {'联系电话': 'phone', 'contact': 'phone'}
    """
    skip = set(skip)
    found: dict[str, str] = {}
    for column in frame.columns:
        if column in skip:
            continue
        name = str(column)
        kind = next((k for k, pattern in _HEADER_PATTERNS.items() if pattern.search(name)), None)
        if kind is None:
            kind = _kind_by_values(frame[column])
        if kind is not None:
            found[column] = kind
    return found


def _kind_by_values(values: pd.Series) -> str | None:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_integer_dtype(values):
        return None
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    if text.empty:
        return None
    for kind, pattern in _VALUE_PATTERNS.items():
        if text.str.fullmatch(pattern).mean() >= 0.5:
            return kind
    return None


def _normal(value, kind: str) -> str:
    if kind == "id":  # the id as cleaning makes it: 1001.0 is "1001", NFKC, stripped
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unicodedata.normalize("NFKC", str(value)).strip()
    value = str(value).strip()
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    return value.casefold() if kind == "email" else re.sub(r"\s+", " ", value)


def _key(context: str) -> bytes:
    secret = os.environ.get(KEY_VARIABLE)
    return (secret if secret else f"workbench:{context}").encode("utf-8")


def pseudonymise(values: pd.Series, kind: str, *, context: str = "") -> pd.Series:
    """Replace personal values by stable pseudonyms, ``<kind>-<12 hex digits>``.

    Parameters
    ----------
    values : pandas.Series
        Names, phone numbers or e-mail addresses; missing cells stay missing.
    kind : {"name", "phone", "email", "id"}
        Prefix of the pseudonym, and how values are normalised before hashing: a
        phone number by its digits (``138 0013 8000`` = ``+86 13800138000``), an
        e-mail address case-folded, a name with runs of blanks made one, an id (a
        customer id that is a phone number or an e-mail address) as cleaning makes it
        (NFKC, stripped, ``1001.0`` as ``1001``) and nothing more, so two ids that
        cleaning tells apart keep different pseudonyms.
    context : str
        Used in the key when ``WORKBENCH_PSEUDONYM_KEY`` is not set (the case name).

    Returns
    -------
    pandas.Series
        Object dtype, same index: ``HMAC-SHA256(key, kind + value)`` shortened to 12
        hex digits; equal values give equal pseudonyms in every run.

    Examples
    --------
    >>> out = pseudonymise(pd.Series(["138 0013 8000", "13800138000", None]), "phone",
    ...                    context="doc")
    >>> out[0] == out[1], out[0].startswith("phone-"), pd.isna(out[2])
    (True, True, True)
    >>> ids = pseudonymise(pd.Series(["13800138000", "１３８００１３８０００", 13800138000.0]), "id",
    ...                    context="doc")
    >>> ids.nunique(), ids[0][:3]
    (1, 'id-')
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r}; use 'name', 'phone', 'email' or 'id'")
    key = _key(context)
    cache: dict[str, str] = {}

    def one(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        normal = _normal(value, kind)
        if normal == "":
            return None
        if normal not in cache:
            digest = hmac.new(key, f"{kind}\x1f{normal}".encode(), hashlib.sha256).hexdigest()
            cache[normal] = f"{kind}-{digest[:_DIGITS]}"
        return cache[normal]

    out = values.map(one).astype(object)
    return out.where(out.notna(), None)
