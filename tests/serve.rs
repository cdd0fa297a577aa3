//! `newsclf serve`: the real server on a free loopback port, spoken to over
//! HTTP. Answers are compared with the command line's on the same input, so
//! nothing depends on the default model's exact probabilities.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::{Server, finish_slow, metric_in, read_raw};
use crate::util::{root, run, s, tempdir, write};

/// The first `n` texts of the project corpus.
fn corpus_texts(n: usize) -> Vec<String> {
    let mut reader = csv::Reader::from_path(root().join("data/news.csv")).unwrap();
    reader
        .records()
        .take(n)
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

/// Trains a one-head model on the project corpus's `label_col`.
fn train_model(dir: &Path, label_col: &str) -> PathBuf {
    let out = dir.join(format!("{label_col}.model"));
    run(&[
        "train",
        "--data",
        "data/news.csv",
        "--text-col",
        "text",
        "--label-col",
        label_col,
        "--out",
        s(&out),
        "--quiet",
    ])
    .ok();
    out
}

/// Replaces `target` with a copy of `source` (atomically, as a deploy would).
fn install(source: &Path, target: &Path) {
    let tmp = target.with_extension("tmp");
    std::fs::copy(source, &tmp).unwrap();
    std::fs::rename(&tmp, target).unwrap();
}

/// The head names in one `/v1/classify` result.
fn heads_of(result: &Value) -> Vec<String> {
    result["predictions"]
        .as_object()
        .expect("predictions")
        .keys()
        .cloned()
        .collect()
}

fn model_heads(server: &Server) -> Vec<String> {
    server.get("/v1/model").json()["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn classify_answers_exactly_like_predict_format_json() {
    let server = Server::start(&[]);
    let mut texts = corpus_texts(12);
    texts.push("Emoji 🚀 and a control\u{7}character, 中英 mixed".into());
    let r = server.post_json("/v1/classify", &json!({ "texts": texts, "top_k": 2 }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let results = r.json()["results"].as_array().unwrap().clone();
    let mut args = vec!["predict", "--format", "json", "--top-k", "2"];
    args.extend(texts.iter().map(String::as_str));
    let cli = run(&args).ok().json_lines();
    assert_eq!(results, cli);
    // Without top_k: three labels per head, as in predict's JSON.
    let r = server.post_json(
        "/v1/classify",
        &json!({ "texts": ["央行宣布下调存款准备金率"] }),
    );
    let result = &r.json()["results"][0];
    for head in heads_of(result) {
        assert_eq!(
            result["predictions"][&head]["top"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
    }
    server.assert_no_panic();
}

#[test]
fn page_answers_like_predict_sections_with_lines_texts_and_notes() {
    let server = Server::start(&[]);
    let markdown = std::fs::read_to_string(root().join("data/sample_page.md")).unwrap();
    let r = server.post_json("/v1/page", &json!({ "markdown": markdown }));
    assert_eq!(r.status, 200, "{}", r.body);
    let page = r.json();
    let articles = page["articles"].as_array().unwrap();
    let cli = run(&[
        "predict",
        "--sections",
        "--input",
        "data/sample_page.md",
        "--format",
        "json",
    ])
    .ok()
    .json_lines();
    assert_eq!(articles.len(), cli.len());
    assert!(articles.len() >= 2);
    let split = newsclf::text::split_page(&markdown);
    for ((article, line), section) in articles.iter().zip(&cli).zip(&split.sections) {
        for key in ["id", "title", "subheadings", "predictions"] {
            assert_eq!(article[key], line[key], "{key} of article {}", line["id"]);
        }
        assert_eq!(article["line"], json!(section.line));
        assert_eq!(article["text"], json!(section.text()));
        assert_eq!(article["notes"], json!(section.notes));
    }
    assert_eq!(page["front_matter"], json!(split.front_matter));
    assert!(
        articles
            .iter()
            .any(|a| !a["notes"].as_array().unwrap().is_empty()),
        "the sample page's captions are notes"
    );
}

#[test]
fn explain_and_model_answer_like_the_cli() {
    let server = Server::start(&[]);
    let text = "国家电网今冬新增储气能力一千万立方米，保障居民供暖";
    let r = server.post_json("/v1/explain", &json!({ "text": text, "top": 4 }));
    assert_eq!(r.status, 200, "{}", r.body);
    let cli = run(&["explain", "--top", "4", "--format", "json", text])
        .ok()
        .json();
    assert_eq!(r.json()["heads"], cli);
    let info = run(&["info", "--format", "json"]).ok().json();
    assert_eq!(server.get("/v1/model").json(), info);
}

#[test]
fn health_openapi_and_the_page_are_served() {
    let server = Server::start(&[]);
    let health = server.get("/healthz");
    assert_eq!(
        (health.status, health.json()),
        (200, json!({"status": "ok"}))
    );
    let spec = server.get("/openapi.json");
    assert_eq!(spec.status, 200);
    let spec = spec.json();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    documented.sort();
    let mut routes = newsclf::serve::ROUTES.to_vec();
    routes.sort();
    assert_eq!(documented, routes, "every route is described, and no other");
    // Each documented method is routed (no 404 / 405 for it).
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let r = server.request(&method.to_uppercase(), path, &[]);
            assert!(
                r.status != 404 && r.status != 405,
                "{method} {path}: {}",
                r.status
            );
        }
    }
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"));
    for reference in ["http://", "https://", "src=", "url(", "@import", "<link"] {
        assert!(
            !page.body.contains(reference),
            "the page refers to {reference}"
        );
    }
}

#[test]
fn metrics_count_requests_documents_latency_and_the_model_load() {
    let server = Server::start(&[]);
    let texts = corpus_texts(5);
    server.post_json("/v1/classify", &json!({ "texts": texts[..3] }));
    server.post_json("/v1/classify", &json!({ "texts": texts[3..] }));
    server.post_json("/v1/classify", &json!({ "texts": [1] }));
    server.post_json("/v1/explain", &json!({ "text": texts[0] }));
    let r = server.get("/metrics");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let m = |series: &str| metric_in(&r.body, series);
    assert_eq!(
        m("newsclf_requests_total{route=\"/v1/classify\",status=\"200\"}"),
        2.0
    );
    assert_eq!(
        m("newsclf_requests_total{route=\"/v1/classify\",status=\"422\"}"),
        1.0
    );
    assert_eq!(
        m("newsclf_requests_total{route=\"/v1/explain\",status=\"200\"}"),
        1.0
    );
    assert_eq!(m("newsclf_documents_classified_total"), 6.0);
    assert_eq!(
        m("newsclf_request_duration_seconds_count{route=\"/v1/classify\"}"),
        3.0
    );
    assert_eq!(
        m("newsclf_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"+Inf\"}"),
        3.0
    );
    let sum = m("newsclf_request_duration_seconds_sum{route=\"/v1/classify\"}");
    assert!(sum > 0.0 && sum < 10.0, "latency sum {sum}");
    let load = m("newsclf_model_load_seconds");
    assert!(load > 0.0 && load < 30.0, "model load {load} s");
    assert_eq!(m("newsclf_requests_in_flight"), 0.0);
    // The /metrics request itself is counted once it is answered.
    assert_eq!(
        server.metric("newsclf_requests_total{route=\"/metrics\",status=\"200\"}"),
        1.0
    );
}

#[test]
fn every_size_limit_answers_413_naming_the_field_and_the_limit_itself_passes() {
    let server = Server::start(&[
        "--max-body-bytes",
        "4000",
        "--max-texts",
        "3",
        "--max-chars",
        "50",
    ]);
    let at_limit = "经".repeat(50);
    let r = server.post_json(
        "/v1/classify",
        &json!({ "texts": [at_limit, at_limit, at_limit] }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let over = "经".repeat(51);
    let m = server
        .post_json("/v1/classify", &json!({ "texts": ["a", over] }))
        .error(413, Some("texts[1]"));
    assert!(
        m.contains("51 characters") && m.contains("--max-chars"),
        "{m}"
    );
    let m = server
        .post_json("/v1/classify", &json!({ "texts": ["a", "b", "c", "d"] }))
        .error(413, Some("texts"));
    assert!(m.contains("--max-texts"), "{m}");
    let m = server
        .post_json("/v1/classify", &json!({ "texts": ["经".repeat(1500)] }))
        .error(413, None);
    assert!(
        m.contains("4000 bytes") && m.contains("--max-body-bytes"),
        "{m}"
    );
    server
        .post_json("/v1/explain", &json!({ "text": over }))
        .error(413, Some("text"));
    let four = "# 甲文\n正文。\n# 乙文\n正文。\n# 丙文\n正文。\n# 丁文\n正文。\n";
    server
        .post_json("/v1/page", &json!({ "markdown": four }))
        .error(413, Some("markdown"));
    let long_article = format!("# 标题\n{}。\n", "经".repeat(60));
    server
        .post_json("/v1/page", &json!({ "markdown": long_article }))
        .error(413, Some("markdown (article at line 1)"));
    // A body declared far larger than the limit is refused without reading it.
    let mut stream = server.connect();
    write!(
        stream,
        "POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{{\"texts\":"
    )
    .unwrap();
    let (status, body) = read_raw(stream);
    assert_eq!(status, 413, "{body}");
    assert_eq!(server.get("/healthz").status, 200);
}

/// Path, headers, body, expected status and field.
type Case<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    Vec<u8>,
    u16,
    Option<&'a str>,
);

#[test]
fn malformed_requests_get_a_4xx_json_error_naming_the_field() {
    let server = Server::start(&[]);
    let json_ct = [("content-type", "application/json")];
    let cases: Vec<Case> = vec![
        (
            "/v1/classify",
            &json_ct,
            b"{\"texts\": [\"a\"".to_vec(),
            400,
            None,
        ),
        (
            "/v1/classify",
            &json_ct,
            b"{\"texts\": [\"\xff\xfe\"]}".to_vec(),
            400,
            None,
        ),
        ("/v1/classify", &json_ct, b"".to_vec(), 400, None),
        (
            "/v1/classify",
            &json_ct,
            "[".repeat(10_000).into_bytes(),
            422,
            Some("body"),
        ),
        (
            "/v1/classify",
            &json_ct,
            format!("{{\"texts\": {}", "[".repeat(10_000)).into_bytes(),
            422,
            Some("texts[0]"),
        ),
        (
            "/v1/classify",
            &json_ct,
            b"{\"texts\": [\"a\"]} trailing".to_vec(),
            400,
            None,
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": ["a", 3]}"#.to_vec(),
            422,
            Some("texts[1]"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": "a"}"#.to_vec(),
            422,
            Some("texts"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"top_k": 2}"#.to_vec(),
            422,
            Some("texts"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": ["a"], "topk": 2}"#.to_vec(),
            422,
            Some("topk"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": ["a"], "top_k": 0}"#.to_vec(),
            422,
            Some("top_k"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": ["a"], "top_k": -1}"#.to_vec(),
            422,
            Some("top_k"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": ["a"], "top_k": 1.5}"#.to_vec(),
            422,
            Some("top_k"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"{"texts": ["ok", "  "]}"#.to_vec(),
            422,
            Some("texts[1]"),
        ),
        (
            "/v1/classify",
            &json_ct,
            br#"["a"]"#.to_vec(),
            422,
            Some("body"),
        ),
        (
            "/v1/classify",
            &json_ct,
            b"null".to_vec(),
            422,
            Some("body"),
        ),
        (
            "/v1/classify",
            &[("content-type", "text/plain")],
            br#"{"texts": ["a"]}"#.to_vec(),
            415,
            Some("Content-Type"),
        ),
        (
            "/v1/classify",
            &[],
            br#"{"texts": ["a"]}"#.to_vec(),
            415,
            Some("Content-Type"),
        ),
        (
            "/v1/page",
            &json_ct,
            br#"{"markdown": "no heading here"}"#.to_vec(),
            422,
            Some("markdown"),
        ),
        (
            "/v1/page",
            &json_ct,
            br#"{"markdown": 7}"#.to_vec(),
            422,
            Some("markdown"),
        ),
        (
            "/v1/explain",
            &json_ct,
            br#"{"texts": ["a"]}"#.to_vec(),
            422,
            Some("texts"),
        ),
        (
            "/v1/explain",
            &json_ct,
            br#"{"text": ""}"#.to_vec(),
            422,
            Some("text"),
        ),
        (
            "/v1/explain",
            &json_ct,
            br#"{"text": "a", "top": "many"}"#.to_vec(),
            422,
            Some("top"),
        ),
    ];
    for (path, headers, body, status, field) in cases {
        let r = server.post(path, headers, &body);
        let shown: String = String::from_utf8_lossy(&body).chars().take(80).collect();
        assert_eq!(r.status, status, "{path} {shown}: {}", r.body);
        let message = r.error(status, field);
        if let Some(field) = field {
            assert!(
                message.contains(field),
                "the message names {field}: {message}"
            );
        }
    }
    let m = server.get("/no/such/route").error(404, None);
    assert!(m.contains("/openapi.json"), "{m}");
    server.get("/v1/classify").error(405, None);
    server.post("/healthz", &[], b"").error(405, None);
    // Raw HTTP garbage: an error status or a closed connection, never a crash.
    for raw in [
        &b"GARBAGE\r\n\r\n"[..],
        b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
        b"\x00\xff\xfe\r\n\r\n",
    ] {
        let mut stream = server.connect();
        stream.write_all(raw).unwrap();
        let (status, _) = read_raw(stream);
        assert!(
            status == 0 || (400..500).contains(&status),
            "{raw:?}: {status}"
        );
    }
    let mut huge_header = server.connect();
    let _ = write!(
        huge_header,
        "GET / HTTP/1.1\r\nX: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let (status, _) = read_raw(huge_header);
    assert!(
        status == 0 || (400..500).contains(&status),
        "huge header: {status}"
    );
    assert_eq!(server.get("/healthz").status, 200);
    let metrics = server.get("/metrics").body;
    assert!(
        !metrics.contains("status=\"500\""),
        "a 500 was answered:\n{metrics}"
    );
    server.assert_no_panic();
}

#[test]
fn a_saturated_service_answers_429_and_a_slow_body_times_out_with_408() {
    let server = Server::start(&["--max-concurrent", "1", "--timeout-ms", "1500"]);
    let body = json!({ "texts": ["国际油价大幅上涨"] }).to_string();
    let (slow, rest) = server.start_slow("/v1/classify", &body);
    server.wait_until("the slow request to be in flight", |s| {
        s.metric("newsclf_requests_in_flight") == 1.0
    });
    let r = server.post_json("/v1/classify", &json!({ "texts": ["女排夺冠"] }));
    let m = r.error(429, None);
    assert!(m.contains("--max-concurrent"), "{m}");
    assert_eq!(r.header("retry-after"), Some("1"));
    // Routes that classify nothing are not limited.
    assert_eq!(server.get("/healthz").status, 200);
    // The slow request runs out of time.
    let started = Instant::now();
    let (status, body) = read_raw(slow);
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("--timeout-ms"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(rest);
    // Its permit is back.
    let r = server.post_json("/v1/classify", &json!({ "texts": ["女排夺冠"] }));
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn slow_work_times_out_with_503() {
    let server = Server::start(&["--timeout-ms", "100", "--max-body-bytes", "20000000"]);
    // Seconds of work (3 million characters), quick to send.
    let texts: Vec<String> = corpus_texts(1000)
        .iter()
        .map(|t| t.repeat(100).chars().take(3000).collect())
        .collect();
    let m = server
        .post_json("/v1/classify", &json!({ "texts": texts }))
        .error(503, None);
    assert!(m.contains("no answer within 100 ms"), "{m}");
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn slow_clients_are_cut_off_after_the_header_timeout() {
    let server = Server::start(&["--header-timeout-ms", "300"]);
    let mut stream = server.connect();
    stream
        .write_all(b"POST /v1/classify HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(5),
        "closed after {took:?}"
    );
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn an_api_key_guards_the_api_and_cors_is_off_unless_asked_for() {
    let key = "k-7f3a9c";
    let server = Server::start_with_env(&[], &[("NEWSCLF_API_KEY", key)]);
    let body = r#"{"texts": ["国际油价大幅上涨"]}"#.as_bytes();
    let json_ct = ("content-type", "application/json");
    let r = server.post("/v1/classify", &[json_ct], body);
    r.error(401, Some("Authorization"));
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let wrong = format!("Bearer {key}x");
    server
        .post("/v1/classify", &[json_ct, ("authorization", &wrong)], body)
        .error(401, Some("Authorization"));
    server
        .post("/v1/classify", &[json_ct, ("authorization", key)], body)
        .error(401, Some("Authorization"));
    let right = format!("Bearer {key}");
    let auth = ("authorization", right.as_str());
    assert_eq!(
        server.post("/v1/classify", &[json_ct, auth], body).status,
        200
    );
    server.get("/metrics").error(401, Some("Authorization"));
    server.get("/v1/model").error(401, Some("Authorization"));
    assert_eq!(server.get_with("/metrics", &[auth]).status, 200);
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(server.get("/").status, 200);
    // The key never shows in the logs.
    assert!(server.log().iter().all(|l| !l.contains(key)));
    // No CORS headers, and no preflight answer, without --cors-origin.
    let origin = ("origin", "https://cms.example.org");
    let r = server.get_with("/healthz", &[origin]);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = server.request(
        "OPTIONS",
        "/v1/classify",
        &[origin, ("access-control-request-method", "POST")],
    );
    assert_eq!(r.status, 405);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn cors_answers_the_allowed_origin_only() {
    let server = Server::start(&["--cors-origin", "https://cms.example.org"]);
    let preflight = |origin: &str| {
        server.request(
            "OPTIONS",
            "/v1/classify",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
            ],
        )
    };
    let r = preflight("https://cms.example.org");
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://cms.example.org")
    );
    assert!(
        r.header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    let r = preflight("https://evil.example.com");
    assert_ne!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = server.get_with("/healthz", &[("origin", "https://cms.example.org")]);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://cms.example.org")
    );
}

#[test]
fn sighup_reloads_the_model_file_and_refuses_damaged_or_foreign_files() {
    let dir = tempdir();
    let topic = train_model(dir.path(), "topic");
    let sentiment = train_model(dir.path(), "sentiment");
    let live = dir.path().join("live.model");
    install(&topic, &live);
    let server = Server::start(&["--model", s(&live)]);
    let classify = || server.post_json("/v1/classify", &json!({ "texts": ["国际油价大幅上涨"] }));
    assert_eq!(heads_of(&classify().json()["results"][0]), ["topic"]);

    install(&sentiment, &live);
    server.signal("HUP");
    server.wait_until("the reload", |s| {
        s.metric("newsclf_model_reloads_total{result=\"ok\"}") == 1.0
    });
    assert_eq!(model_heads(&server), ["sentiment"]);
    assert_eq!(heads_of(&classify().json()["results"][0]), ["sentiment"]);

    // A damaged file (truncated) and a foreign one (a CSV): refused, the
    // sentiment model keeps serving.
    let bytes = std::fs::read(&topic).unwrap();
    let damaged = write(dir.path(), "damaged.model", &bytes[..bytes.len() / 2]);
    let foreign = root().join("data/news.csv");
    for (n, bad) in [damaged, foreign].iter().enumerate() {
        install(bad, &live);
        server.signal("HUP");
        server.wait_until("the refusal", |s| {
            s.metric("newsclf_model_reloads_total{result=\"refused\"}") == (n + 1) as f64
        });
        let r = classify();
        assert_eq!(r.status, 200);
        assert_eq!(heads_of(&r.json()["results"][0]), ["sentiment"]);
    }
    let log = server.log().join("\n");
    assert!(
        log.contains("model refused, the previous model keeps serving"),
        "{log}"
    );
    assert!(log.contains("not a newsclf model file"), "{log}");
    server.assert_no_panic();
}

#[test]
fn the_admin_route_reloads_only_with_the_key() {
    let dir = tempdir();
    let topic = train_model(dir.path(), "topic");
    let sentiment = train_model(dir.path(), "sentiment");
    let live = dir.path().join("live.model");
    install(&topic, &live);
    let key = "admin-key-1";
    let server = Server::start_with_env(&["--model", s(&live)], &[("NEWSCLF_API_KEY", key)]);
    let bearer = format!("Bearer {key}");
    let auth = [("authorization", bearer.as_str())];
    install(&sentiment, &live);
    server
        .post("/v1/admin/reload", &[], b"")
        .error(401, Some("Authorization"));
    let r = server.post("/v1/admin/reload", &auth, b"");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["heads"], json!(["sentiment"]));
    assert_eq!(r.json()["reloaded"], json!(live.display().to_string()));
    let bytes = std::fs::read(&topic).unwrap();
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    install(&write(dir.path(), "flipped.model", &flipped), &live);
    let m = server.post("/v1/admin/reload", &auth, b"").error(422, None);
    assert!(m.contains("previous model keeps serving"), "{m}");
    assert_eq!(
        server.get_with("/v1/model", &auth).json()["heads"][0]["name"],
        json!("sentiment")
    );
    // Without a key configured the route is off; with the built-in model
    // there is no file to reload.
    let open = Server::start(&["--model", s(&topic)]);
    open.post("/v1/admin/reload", &[], b"").error(403, None);
    let builtin = Server::start_with_env(&[], &[("NEWSCLF_API_KEY", key)]);
    let m = builtin
        .post("/v1/admin/reload", &auth, b"")
        .error(409, None);
    assert!(m.contains("--model FILE"), "{m}");
}

#[test]
fn a_request_in_flight_during_a_reload_finishes_on_the_old_model() {
    let dir = tempdir();
    let topic = train_model(dir.path(), "topic");
    let sentiment = train_model(dir.path(), "sentiment");
    let live = dir.path().join("live.model");
    install(&topic, &live);
    let server = Server::start(&["--model", s(&live)]);
    let body = json!({ "texts": ["国际油价大幅上涨"] }).to_string();
    let (slow, rest) = server.start_slow("/v1/classify", &body);
    server.wait_until("the request to be in flight", |s| {
        s.metric("newsclf_requests_in_flight") == 1.0
    });
    install(&sentiment, &live);
    server.signal("HUP");
    server.wait_until("the reload", |s| model_heads(s) == ["sentiment"]);
    let (status, answer) = finish_slow(slow, &rest);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        heads_of(&answer["results"][0]),
        ["topic"],
        "the old model answers"
    );
    let r = server.post_json("/v1/classify", &json!({ "texts": ["国际油价大幅上涨"] }));
    assert_eq!(
        heads_of(&r.json()["results"][0]),
        ["sentiment"],
        "new requests get the new model"
    );
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_0() {
    let mut server = Server::start(&[]);
    let body = json!({ "texts": ["国际油价大幅上涨", "女排夺冠"] }).to_string();
    let (slow, rest) = server.start_slow("/v1/classify", &body);
    server.wait_until("the request to be in flight", |s| {
        s.metric("newsclf_requests_in_flight") == 1.0
    });
    server.signal("TERM");
    server.wait_until("the stop to begin", |s| {
        s.log().iter().any(|l| l.contains("stopping"))
    });
    // No new connections are taken.
    let started = Instant::now();
    while std::net::TcpStream::connect(&server.addr).is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still accepting"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, answer) = finish_slow(slow, &rest);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["results"].as_array().unwrap().len(), 2);
    assert_eq!(server.wait_exit(Duration::from_secs(10)), 0);
    assert!(server.log().iter().any(|l| l.contains("stopped")));
}

#[test]
fn each_request_logs_one_json_line_without_its_texts() {
    let server = Server::start(&[]);
    let secret = "这是一段不应出现在日志里的独特测试文本";
    server.post_json("/v1/classify", &json!({ "texts": [secret, "女排夺冠"] }));
    server.post_json("/v1/explain", &json!({ "text": secret }));
    server.post_json("/v1/classify", &json!({ "texts": [secret], "top_k": 0 }));
    server.get("/healthz");
    server.wait_until("four log lines", |s| {
        s.log().iter().filter(|l| l.starts_with('{')).count() >= 4
    });
    let lines: Vec<Value> = server
        .log()
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let summary: Vec<(String, String, u64, u64)> = lines
        .iter()
        .map(|l| {
            assert!(l["duration_ms"].as_f64().unwrap() >= 0.0);
            assert!(l["time"].as_f64().unwrap() > 1.5e9);
            (
                l["method"].as_str().unwrap().to_string(),
                l["route"].as_str().unwrap().to_string(),
                l["status"].as_u64().unwrap(),
                l["documents"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("POST", "/v1/classify", 200, 2),
        ("POST", "/v1/explain", 200, 1),
        ("POST", "/v1/classify", 422, 0),
        ("GET", "/healthz", 200, 0),
    ]
    .map(|(m, r, s, d)| (m.to_string(), r.to_string(), s, d));
    assert_eq!(summary, expected);
    assert!(
        server
            .log()
            .iter()
            .all(|l| !l.contains(secret) && !l.contains("独特"))
    );
}

#[test]
fn start_up_errors_name_the_cause_with_exit_1_or_2_for_a_bad_setting() {
    let server = Server::start(&[]);
    run(&["serve", "--addr", &server.addr])
        .fails(1, &["cannot listen on", "choose another --addr"]);
    run(&["serve", "--addr", "127.0.0.1:0", "--model", "data/news.csv"])
        .fails(1, &["data/news.csv", "not a newsclf model file"]);
    run(&["serve", "--addr", "127.0.0.1:0", "--api-key", ""]).fails(2, &["API key is empty"]);
    run(&["serve", "--addr", "127.0.0.1:0", "--max-texts", "0"]).fails(2, &["--max-texts"]);
    run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--cors-origin",
        "bad\norigin",
    ])
    .fails(2, &["--cors-origin"]);
}
