//! Counters and histograms, rendered in the Prometheus text format:
//! requests by route and status, latency by route, documents classified,
//! model load time and reloads, requests in flight.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The service's metrics.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    documents: AtomicU64,
    in_flight: AtomicI64,
    model_load_micros: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_refused: AtomicU64,
}

/// Counts a request in flight while it lives.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Metrics {
    /// Records one answered request.
    pub fn observe(&self, route: &'static str, status: u16, took: Duration, documents: u64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route, status)).or_default() += 1;
        }
        let seconds = took.as_secs_f64();
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency.entry(route).or_default();
            if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
                h.counts[i] += 1;
            }
            h.count += 1;
            h.sum += seconds;
        }
        if (200..300).contains(&status) {
            self.documents.fetch_add(documents, Ordering::Relaxed);
        }
    }

    /// Marks a request in flight until the guard is dropped.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Records how long the model in service took to load.
    pub fn model_loaded(&self, took: Duration) {
        self.model_load_micros
            .store(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// Records a reload's outcome.
    pub fn reloaded(&self, ok: bool) {
        let counter = if ok {
            &self.reloads_ok
        } else {
            &self.reloads_refused
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().map(|r| r.clone()).unwrap_or_default();
        family(
            &mut out,
            "newsclf_requests_total",
            "counter",
            "HTTP requests answered, by route and status.",
        );
        for ((route, status), n) in requests {
            let _ = writeln!(
                out,
                "newsclf_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let latency = self.latency.lock().map(|l| l.clone()).unwrap_or_default();
        family(
            &mut out,
            "newsclf_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its response, by route.",
        );
        for (route, h) in latency {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "newsclf_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "newsclf_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 newsclf_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 newsclf_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        let mut scalar = |name: &str, kind: &str, help: &str, value: String| {
            family(&mut out, name, kind, help);
            let _ = writeln!(out, "{name} {value}");
        };
        scalar(
            "newsclf_documents_classified_total",
            "counter",
            "Documents classified in successful requests (texts, page articles, explained texts).",
            self.documents.load(Ordering::Relaxed).to_string(),
        );
        scalar(
            "newsclf_requests_in_flight",
            "gauge",
            "Classification requests being answered now.",
            self.in_flight.load(Ordering::Relaxed).to_string(),
        );
        scalar(
            "newsclf_model_load_seconds",
            "gauge",
            "How long the model in service took to load.",
            (self.model_load_micros.load(Ordering::Relaxed) as f64 / 1e6).to_string(),
        );
        family(
            &mut out,
            "newsclf_model_reloads_total",
            "counter",
            "Model reloads (SIGHUP or the admin route), by result.",
        );
        let _ = writeln!(
            out,
            "newsclf_model_reloads_total{{result=\"ok\"}} {}\n\
             newsclf_model_reloads_total{{result=\"refused\"}} {}",
            self.reloads_ok.load(Ordering::Relaxed),
            self.reloads_refused.load(Ordering::Relaxed)
        );
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_counts_add_up() {
        let m = Metrics::default();
        m.observe("/v1/classify", 200, Duration::from_micros(300), 2);
        m.observe("/v1/classify", 200, Duration::from_millis(30), 3);
        m.observe("/v1/classify", 413, Duration::from_millis(1), 0);
        m.observe("/healthz", 200, Duration::from_secs(20), 0);
        let text = m.render();
        for line in [
            "newsclf_requests_total{route=\"/v1/classify\",status=\"200\"} 2",
            "newsclf_requests_total{route=\"/v1/classify\",status=\"413\"} 1",
            "newsclf_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"0.0005\"} 1",
            "newsclf_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"0.001\"} 2",
            "newsclf_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"0.05\"} 3",
            "newsclf_request_duration_seconds_bucket{route=\"/healthz\",le=\"10\"} 0",
            "newsclf_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1",
            "newsclf_request_duration_seconds_count{route=\"/v1/classify\"} 3",
            "newsclf_documents_classified_total 5",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
    }
}
