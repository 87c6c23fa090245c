"""One local[2] SparkSession for all Spark tests, on loopback, stopped at the end."""

import os
import sys
from collections.abc import Iterator

import pytest
from pyspark import SparkContext
from pyspark.sql import SparkSession

LOOPBACK = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
}


@pytest.fixture(scope="session")
def loopback() -> dict[str, str]:
    """Spark settings that keep the driver and its UI off the network."""
    return dict(LOOPBACK)


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # Executors must run this interpreter: it is the one with the package installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # every JVM socket on loopback
    builder = SparkSession.builder.master("local[2]").appName("titanic-model tests")
    for key, value in {
        **LOOPBACK,
        "spark.sql.shuffle.partitions": "2",
        # Small file splits: the dataset arrives in several partitions, as on a cluster.
        "spark.sql.files.maxPartitionBytes": "32k",
    }.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()
        gateway = SparkContext._gateway
        if gateway is not None:  # the JVM this process started, ended by its own handle
            gateway.shutdown()
            gateway.proc.terminate()
            gateway.proc.wait(timeout=60)
