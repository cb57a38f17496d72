"""Prometheus metrics of one app, in a registry of its own (two apps in a process, as in
tests, never share counters)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "agentshield_http_requests",
            "HTTP requests answered, by route and status.",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "agentshield_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by route.",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "agentshield_upstream_errors",
            "Upstream calls that failed or answered with an error, by provider and status.",
            ["provider", "status"],
            registry=self.registry,
        )
        self.decisions = Counter(
            "agentshield_gateway_decisions",
            "Gateway calls by the pipeline's decision (allow, redact, flag, block, hold, error).",
            ["decision"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
