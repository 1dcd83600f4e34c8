"""Prometheus metrics of one app: a registry of its own, so two apps in one process (tests) never share
or clash on counters. The middleware counts requests; ``/metrics`` fills the archive gauges when scraped.

Under ``arshif serve`` with several worker processes, a scrape reaches one worker at random: there
``PROMETHEUS_MULTIPROC_DIR`` is set (see the CLI) and ``exposition`` sums every worker's counters from
the files prometheus_client keeps there, so the totals are the server's, not one worker's."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from service.settings import METRICS_DIR_ENV


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "arshif_http_requests_total",
            "HTTP requests",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "arshif_http_request_seconds", "HTTP request latency", ["route", "method"], registry=self.registry
        )
        self.search_latency = Histogram(
            "arshif_search_seconds",
            "Search latency inside the engine",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.articles = Gauge(
            "arshif_articles",
            "Articles in the database",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.indexed = Gauge(
            "arshif_indexed_documents",
            "Documents in the search index",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.lag = Gauge(
            "arshif_index_lag_changes",
            "Changes not yet applied to the index",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.lag_seconds = Gauge(
            "arshif_index_lag_seconds",
            "Age of the oldest change not yet indexed",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.applied_seq = Gauge(
            "arshif_index_applied_seq",
            "Last change sequence applied to this node's index",
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )

    def exposition(self) -> bytes:
        """The text a scrape gets: this app's registry, or every worker's when they share a directory."""
        if not os.environ.get(METRICS_DIR_ENV):
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged)
        return generate_latest(merged)
