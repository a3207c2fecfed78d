"""SPARK-Interfax (SOAP via zeep, our WSDL): risk indices ИДО, ИФР, ИПД of clients, the high-risk flag."""

from __future__ import annotations

from integrations.catalog import ConnectionFailed, Integration, declare
from integrations.spark.checks import refresh_job
from integrations.spark.client import SparkError, spark_from_settings
from models.platform.registry import Registry


def _check(settings) -> str:
    spark = spark_from_settings(settings)
    try:
        return spark.check()
    except SparkError as exc:
        raise ConnectionFailed(exc.message) from None
    finally:
        spark.close()


INTEGRATION = Integration(
    code="spark",
    title="СПАРК-Интерфакс",
    settings=("CRM_SPARK_URL", "CRM_SPARK_LOGIN", "CRM_SPARK_PASSWORD"),
    configured=lambda s: bool(s.spark_url),
    check=_check,
    notes="Индексы обновляются заданием spark.refresh партиями; «Проверить в СПАРК» — на карточке клиента.",
)


def register(registry: Registry) -> None:
    registry.job("spark.refresh", refresh_job)
    declare(registry, INTEGRATION)
