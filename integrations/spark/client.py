"""SPARK-Interfax over SOAP (zeep, our WSDL ``spark.wsdl``): a company's card and risk indices by INN.

``Authmethod(Login, Password)`` opens a session (a cookie the requests session keeps),
``GetCompanyShortReport(inn)`` answers ``GetCompanyShortReportResult`` "True" and the
report as XML text in ``xmlData``, ``End()`` closes the session. The report is parsed with
defusedxml (no entities); we keep the names and status, and the three indices:

- ИДО — индекс должной осмотрительности (``IndexOfDueDiligence/@Index``, 1–99, higher = riskier);
- ИФР — индекс финансового риска (``FailureScore/@FailureScoreValue``, 1–99, higher = riskier);
- ИПД — индекс платёжной дисциплины (``PaymentIndex/@PaymentIndexValue``, 1–99, lower = worse).

Timeouts and transport errors are retryable, a refused login is not, a malformed answer is
reported as such. Without ``CRM_SPARK_URL`` the stand-in refuses with «не настроен».
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
from defusedxml import ElementTree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.transports import Transport

WSDL = Path(__file__).with_name("spark.wsdl")
BINDING = "{http://interfax.ru/ifax}IfaxWebServiceSoap"
DEFAULT_TIMEOUT = 20.0


class SparkError(Exception):
    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.message, self.retryable = message, retryable


@dataclass(frozen=True)
class SparkReport:
    inn: str
    short_name: str | None
    status: str | None
    ido: int | None
    ido_text: str | None
    ifr: int | None
    ifr_text: str | None
    ipd: int | None
    ipd_text: str | None
    card: dict[str, Any] = field(default_factory=dict)


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def parse_report(inn: str, xml_text: str) -> SparkReport | None:
    """The report in ``xmlData``; None when SPARK knows no such company."""
    try:
        root = ElementTree.fromstring(xml_text)
    except ElementTree.ParseError:
        raise SparkError("СПАРК прислал отчёт не в формате XML") from None
    report = root.find(".//Report")
    if report is None:
        return None
    ido, ifr, ipd = (
        report.find("IndexOfDueDiligence"),
        report.find("FailureScore"),
        report.find("PaymentIndex"),
    )
    status = report.find("Status")
    card = {child.tag: (child.text or "").strip() for child in report if (child.text or "").strip()}
    return SparkReport(
        inn=(report.findtext("INN") or inn).strip(),
        short_name=(report.findtext("ShortNameRus") or "").strip() or None,
        status=status.get("Type") if status is not None else None,
        ido=_int(ido.get("Index")) if ido is not None else None,
        ido_text=ido.get("IndexDesc") if ido is not None else None,
        ifr=_int(ifr.get("FailureScoreValue")) if ifr is not None else None,
        ifr_text=ifr.get("FailureScoreDesc") if ifr is not None else None,
        ipd=_int(ipd.get("PaymentIndexValue")) if ipd is not None else None,
        ipd_text=ipd.get("PaymentIndexDesc") if ipd is not None else None,
        card=card,
    )


class Spark(Protocol):
    def report(self, inn: str) -> SparkReport | None: ...

    def check(self) -> str: ...


class SoapSpark:
    """The real client: one SPARK session per batch (log in once, ask, log out)."""

    def __init__(self, url: str, login: str, password: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.login, self.password = login, password
        self.http = requests.Session()
        transport = Transport(session=self.http, timeout=timeout, operation_timeout=timeout)
        client = Client(str(WSDL), transport=transport, settings=Settings(strict=False, xml_huge_tree=False))
        self.service = client.create_service(BINDING, url)
        self.timeout = timeout
        self.logged_in = False

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.service, operation)(**kwargs)
        except requests.Timeout:
            raise SparkError(f"СПАРК не ответил за {self.timeout:g} с") from None
        except requests.RequestException as exc:
            raise SparkError(f"СПАРК недоступен ({type(exc).__name__})") from None
        except Fault as exc:
            raise SparkError(f"СПАРК вернул ошибку: {exc.message}") from None
        except (ZeepError, ValueError) as exc:
            raise SparkError(f"СПАРК ответил не по WSDL: {type(exc).__name__}") from None

    def _ensure_login(self) -> None:
        if self.logged_in:
            return
        if str(self._call("Authmethod", Login=self.login, Password=self.password)) != "True":
            raise SparkError(
                "СПАРК не принял логин или пароль (CRM_SPARK_LOGIN / CRM_SPARK_PASSWORD)", retryable=False
            )
        self.logged_in = True

    def report(self, inn: str) -> SparkReport | None:
        self._ensure_login()
        answer = self._call("GetCompanyShortReport", inn=inn)
        result = getattr(answer, "GetCompanyShortReportResult", None)
        xml_text = getattr(answer, "xmlData", None)
        if str(result) != "True":
            if not xml_text:
                return None
            raise SparkError(f"СПАРК отказал в отчёте по ИНН {inn}", retryable=False)
        if not xml_text:
            raise SparkError("СПАРК не прислал отчёт")
        return parse_report(inn, str(xml_text))

    def check(self) -> str:
        self._ensure_login()
        self.close()
        return "СПАРК принял логин"

    def close(self) -> None:
        if self.logged_in:
            with contextlib.suppress(SparkError):
                self._call("End")
            self.logged_in = False


class UnconfiguredSpark:
    def report(self, inn: str) -> SparkReport | None:
        raise SparkError("СПАРК не настроен (CRM_SPARK_URL)", retryable=False)

    def check(self) -> str:
        raise SparkError("СПАРК не настроен (CRM_SPARK_URL)", retryable=False)

    def close(self) -> None:
        pass


def spark_from_settings(settings: Any) -> SoapSpark | UnconfiguredSpark:
    if not getattr(settings, "spark_url", ""):
        return UnconfiguredSpark()
    timeout = float((getattr(settings, "extra", None) or {}).get("CRM_SPARK_TIMEOUT", DEFAULT_TIMEOUT))
    return SoapSpark(settings.spark_url, settings.spark_login, settings.spark_password, timeout=timeout)
