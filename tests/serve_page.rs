//! The web page of `newsclf serve`, driven in headless Chromium through
//! WebDriver (Debian's `chromium-driver`): typed into and submitted with the
//! keyboard only, on a 390 px wide phone screen; the labels it shows must be
//! the service's; a screenshot is taken.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::server::Server;
use crate::util::{on_path, root, tempdir};

/// WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver process and one browser session; both end when dropped.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(width: u32, height: u32) -> Browser {
        let chromium = on_path(
            &["chromium", "chromium-browser", "google-chrome"],
            "chromium",
        );
        let chromedriver = on_path(&["chromedriver"], "chromium-driver");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let start = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempdir();
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: profile,
        };
        // A phone's screen through Chromium's device emulation (headless
        // windows are at least 500 px wide).
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}},
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--force-device-scale-factor=1",
                "--window-size=600,900",
                format!("--user-data-dir={}", browser._profile.path().display()),
            ]
        }}}});
        let created = browser.call("POST", "/session", Some(caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        browser
    }

    /// One WebDriver command; returns its `value`.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = if path == "/session" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/session/{}{path}", self.base, self.session)
        };
        let response = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.unwrap_or(json!({})).to_string().as_bytes()),
        };
        let mut response = response.expect("chromedriver answers");
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(status, 200, "{method} {path}: {text}");
        value["value"].clone()
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    fn element(&self, css: &str) -> String {
        let e = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        e[ELEMENT].as_str().expect("an element").to_string()
    }

    /// Types `keys` into the element `css` (WebDriver key codes allowed).
    fn type_into(&self, css: &str, keys: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": keys})),
        );
    }

    /// Waits until the status line reads `expected` (or fails on an error).
    fn wait_status(&self, expected: &str) {
        let start = Instant::now();
        loop {
            let status = self.script("return document.getElementById('status').textContent");
            if status == expected {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "status {status}, waited for {expected:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The page's documents: title, and per head `(head, label)`.
    fn shown(&self) -> Value {
        self.script(
            "return [...document.querySelectorAll('.doc')].map(d => ({\
               title: d.querySelector('h3').textContent,\
               heads: [...d.querySelectorAll('.head')].map(h =>\
                 [h.dataset.head, h.querySelector('h4 .label').textContent]),\
               bars: d.querySelectorAll('.bars li').length,\
               marks: d.querySelectorAll('.text mark').length}))",
        )
    }

    fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call("GET", "/screenshot", None);
        base64_decode(b64.as_str().expect("base64 text"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// The labels the service gives `doc` (a classify result or page article).
/// (Sorted by head: the tests' JSON objects do not keep key order.)
fn labels(doc: &Value) -> Vec<(String, String)> {
    doc["predictions"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(head, p)| (head.clone(), p["label"].as_str().unwrap().to_string()))
        .collect()
}

/// The labels the page shows for one document, sorted by head.
fn shown_labels(doc: &Value) -> Vec<(String, String)> {
    let mut shown: Vec<(String, String)> = doc["heads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
        .collect();
    shown.sort();
    shown
}

#[test]
fn the_page_works_by_keyboard_on_a_phone_screen_in_headless_chromium() {
    let server = Server::start(&[]);
    let browser = Browser::start(390, 844);
    browser.call("POST", "/url", Some(json!({"url": server.base})));

    // One text, typed, submitted with Ctrl+Enter.
    let text = "国家电网今冬新增储气能力一千万立方米，保障居民供暖";
    browser.type_into("#text", &format!("{text}\u{E009}\u{E007}\u{E000}"));
    browser.wait_status("1 text classified.");
    let expected = server
        .post_json("/v1/classify", &json!({ "texts": [text] }))
        .json();
    let shown = browser.shown();
    assert_eq!(shown.as_array().unwrap().len(), 1);
    assert_eq!(shown_labels(&shown[0]), labels(&expected["results"][0]));
    assert!(
        shown[0]["bars"].as_u64().unwrap() >= 9,
        "a bar per label: {shown}"
    );
    assert!(
        shown[0]["marks"].as_u64().unwrap() >= 1,
        "no term highlighted: {shown}"
    );
    // Focus went to the results, for screen readers and keyboards.
    assert_eq!(
        browser.script("return document.activeElement.id"),
        "results-title"
    );

    // A whole page, pasted, then Tab to the button and Enter.
    let page = std::fs::read_to_string(root().join("data/sample_page.md")).unwrap();
    browser.script(&format!(
        "const t = document.getElementById('text'); t.value = {}; t.focus();",
        json!(page)
    ));
    browser.type_into("#text", "\u{E004}\u{E004}");
    assert_eq!(browser.script("return document.activeElement.id"), "go");
    browser.type_into("#go", "\u{E007}");
    let expected = server
        .post_json("/v1/page", &json!({ "markdown": page }))
        .json();
    let articles = expected["articles"].as_array().unwrap();
    browser.wait_status(&format!("{} articles classified.", articles.len()));
    let shown = browser.shown();
    let shown = shown.as_array().unwrap();
    assert_eq!(shown.len(), articles.len());
    for (doc, article) in shown.iter().zip(articles) {
        assert_eq!(doc["title"], article["title"]);
        assert_eq!(shown_labels(doc), labels(article), "{}", article["title"]);
    }

    // Fits a 390 px phone: nothing scrolls sideways.
    let widths = browser.script(
        "return [window.innerWidth, document.documentElement.scrollWidth, \
         Math.max(...[...document.querySelectorAll('.doc')].map(d => d.getBoundingClientRect().right))]",
    );
    let w = |i: usize| widths[i].as_f64().unwrap();
    assert!(
        w(0) <= 400.0,
        "the window is {} px wide, not a phone's",
        w(0)
    );
    assert!(w(1) <= w(0), "the page scrolls sideways: {widths}");
    assert!(w(2) <= w(0), "a card sticks out: {widths}");
    let png = browser.screenshot();
    assert_eq!(png_size(&png).0, w(0) as u32);
    assert!(
        png.len() > 20_000,
        "a {} byte screenshot is nearly blank",
        png.len()
    );

    // The README's screenshot: set NEWSCLF_SCREENSHOT=docs/serve.png.
    if let Some(path) = std::env::var_os("NEWSCLF_SCREENSHOT") {
        browser.script("window.scrollTo(0, 0)");
        std::fs::write(path, png).unwrap();
    }
    server.assert_no_panic();
}
