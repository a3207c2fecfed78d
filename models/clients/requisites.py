"""Offline checks of Russian company requisites with the official control-digit rules.

INN (10 digits for organisations, 12 for individuals), OGRN (13), OGRNIP (15), KPP,
BIC and the control key of settlement and correspondent accounts. Every check returns
``None`` when the value is valid and a Russian message saying what is wrong otherwise,
so forms and imports can show it as is. Generators of valid numbers serve demo data and
benchmarks.

Who computes what: the INN and OGRN check digits (and the OGRN's leading digit) follow
python-stdnum (``stdnum.ru.inn``, ``stdnum.ru.ogrn``), computed here by plain arithmetic on a
value whose digits and length are already checked: stdnum's ``validate`` cleans and re-checks
the text first, which made it a tenth of a CSV import row's cost.
``tests/clients/test_requisites.py`` compares both on many numbers. The wording of the
messages, the length a caller expects and the rest are ours. Ours too, because stdnum lacks them: KPP,
BIC and the account control keys; and the OGRNIP check digit, because stdnum 2.2 compares
the whole remainder modulo 13 where the rule takes its last digit, so it refuses about
3 in 13 real OGRNIPs (those whose remainder is 10, 11 or 12).
"""

from __future__ import annotations

import random
import re

from stdnum.ru import inn as stdnum_inn

_ACCOUNT_WEIGHTS = (7, 1, 3) * 8
_KPP_RE = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


def _digits_error(value: str, lengths: tuple[int, ...], name: str) -> str | None:
    if not value:
        return f"{name} не указан"
    # ASCII only: str.isdigit() also accepts «²» or «٣», which no control-digit rule can read.
    if not (value.isascii() and value.isdigit()):
        return f"{name} должен состоять только из цифр"
    if len(value) not in lengths:
        expected = " или ".join(str(n) for n in lengths)
        return f"{name} должен содержать {expected} цифр, а не {len(value)}"
    return None


_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = ((7, 2, 4, 10, 3, 5, 9, 4, 6, 8), (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(w * (ord(d) - 48) for w, d in zip(weights, digits, strict=False)) % 11 % 10


def _inn_checksum_error(inn: str) -> str | None:
    """The INN check digits (stdnum's rule) of ASCII digits of length 10 or 12."""
    if len(inn) == 10:
        ok = _check_digit(inn, _INN10_WEIGHTS) == ord(inn[9]) - 48
    else:
        ok = (_check_digit(inn, _INN12_WEIGHTS[0]) == ord(inn[10]) - 48
              and _check_digit(inn, _INN12_WEIGHTS[1]) == ord(inn[11]) - 48)
    return None if ok else "Неверная контрольная цифра ИНН"


def inn_error(inn: str, *, length: int | None = None) -> str | None:
    """Check an INN; ``length`` (10 or 12) restricts it to organisations or individuals."""
    inn = (inn or "").strip()
    return _digits_error(inn, (length,) if length else (10, 12), "ИНН") or _inn_checksum_error(inn)


def ogrn_error(ogrn: str) -> str | None:
    """Check a 13-digit OGRN of an organisation (stdnum's rules: no leading 0, check digit)."""
    ogrn = (ogrn or "").strip()
    error = _digits_error(ogrn, (13,), "ОГРН")
    if error:
        return error
    if ogrn[0] == "0":
        return "ОГРН не может начинаться с 0"
    if int(ogrn[:12]) % 11 % 10 != ord(ogrn[12]) - 48:
        return "Неверная контрольная цифра ОГРН"
    return None


def ogrnip_error(ogrnip: str) -> str | None:
    """Check a 15-digit OGRNIP of an individual entrepreneur.

    The control digit is the last digit of the first 14 digits' remainder modulo 13: our own
    code, as stdnum 2.2 gets remainders 10–12 wrong (see the module docstring).
    """
    ogrnip = (ogrnip or "").strip()
    error = _digits_error(ogrnip, (15,), "ОГРНИП")
    if error:
        return error
    if int(ogrnip[:14]) % 13 % 10 != int(ogrnip[14]):
        return "Неверная контрольная цифра ОГРНИП"
    return None


def kpp_error(kpp: str) -> str | None:
    """Check the KPP format: 4 digits (tax office), 2 digits or letters (reason), 3 digits."""
    kpp = (kpp or "").strip().upper()
    if not kpp:
        return "КПП не указан"
    if len(kpp) != 9:
        return f"КПП должен содержать 9 символов, а не {len(kpp)}"
    if not _KPP_RE.match(kpp):
        return "Неверный формат КПП: ожидается 4 цифры, 2 цифры или буквы A–Z и 3 цифры"
    return None


def bic_error(bic: str) -> str | None:
    """Check a Russian bank BIC: 9 digits starting with 04."""
    bic = (bic or "").strip()
    error = _digits_error(bic, (9,), "БИК")
    if error:
        return error
    if not bic.startswith("04"):
        return "БИК российского банка начинается с 04"
    return None


def _account_key_ok(prefix: str, account: str) -> bool:
    number = prefix + account
    return sum(int(d) * w for d, w in zip(number, _ACCOUNT_WEIGHTS, strict=False)) % 10 == 0


def settlement_account_error(account: str, bic: str) -> str | None:
    """Check a 20-digit settlement account against the bank's BIC (control key)."""
    account = (account or "").strip()
    error = _digits_error(account, (20,), "Расчётный счёт") or bic_error(bic)
    if error:
        return error
    if not _account_key_ok(bic[-3:], account):
        return "Неверный контрольный ключ расчётного счёта для указанного БИК"
    return None


def correspondent_account_error(account: str, bic: str) -> str | None:
    """Check a 20-digit correspondent account (starts with 301) against the BIC."""
    account = (account or "").strip()
    error = _digits_error(account, (20,), "Корреспондентский счёт") or bic_error(bic)
    if error:
        return error
    if not account.startswith("301"):
        return "Корреспондентский счёт должен начинаться с 301"
    if not _account_key_ok("0" + bic[4:6], account):
        return "Неверный контрольный ключ корреспондентского счёта для указанного БИК"
    return None


# --- generators of valid numbers (demo data, benchmarks, tests) -----------------------


def make_inn10(rng: random.Random, region: str = "77") -> str:
    """A valid organisation INN of the region (check digit by stdnum)."""
    body = region + "".join(str(rng.randrange(10)) for _ in range(7))
    return body + stdnum_inn.calc_company_check_digit(body)


def make_inn12(rng: random.Random, region: str = "77") -> str:
    """A valid individual INN of the region (check digits by stdnum)."""
    body = region + "".join(str(rng.randrange(10)) for _ in range(8))
    return body + stdnum_inn.calc_personal_check_digits(body)


def make_ogrn(rng: random.Random, region: str = "77", year: int = 2010) -> str:
    """A valid OGRN of an organisation registered in ``year``."""
    body = "1" + f"{year % 100:02d}" + region + "".join(str(rng.randrange(10)) for _ in range(7))
    return body + str(int(body) % 11 % 10)


def make_ogrnip(rng: random.Random, region: str = "77", year: int = 2015) -> str:
    """A valid OGRNIP of an entrepreneur registered in ``year``."""
    body = "3" + f"{year % 100:02d}" + region + "".join(str(rng.randrange(10)) for _ in range(9))
    return body + str(int(body) % 13 % 10)


def make_kpp(region: str = "77", reason: str = "01") -> str:
    """A well-formed KPP of the region's first tax office."""
    return f"{region}01{reason}001"
