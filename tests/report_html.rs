//! `eval --report FILE.html`: the page's content, and how it renders in
//! headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{on_path, run, s, shared, tempdir, write};

/// Eighteen labels, two of them with markup characters and one long enough
/// to be cut in the heatmap's headers.
const LABELS: [&str; 18] = [
    "体育",
    "财经",
    "房产",
    "家居",
    "教育",
    "科技",
    "时尚",
    "时政",
    "游戏",
    "娱乐",
    "彩票",
    "股票",
    "社会",
    "星座",
    "international-affairs-and-diplomacy",
    "R&D <lab>",
    "weather",
    "autos",
];

/// The text of a row that must come out escaped.
const HOSTILE: &str = r#"<script>alert(1)</script> & "quotes""#;

/// The same text, HTML-escaped.
const HOSTILE_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }
}

/// Word `j` of label `k`: learnable, specific to the label.
fn word(k: usize, j: usize) -> String {
    format!("kw{k:02}t{j}")
}

/// A text of label `k`: four of its words, now and then one of another label's.
fn text_of(k: usize, rng: &mut Rng) -> String {
    let mut words: Vec<String> = (0..4).map(|_| word(k, rng.below(6))).collect();
    if rng.below(6) == 0 {
        words.push(word(rng.below(LABELS.len()), rng.below(6)));
    }
    format!("今天消息 {} 记者报道", words.join(" "))
}

fn csv_of(rows: &[(String, String)]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["text", "label"]).unwrap();
    for (text, label) in rows {
        w.write_record([text, label]).unwrap();
    }
    w.into_inner().unwrap()
}

/// Trains on a synthetic 18-label corpus and evaluates with `--report`;
/// returns the training CSV's bytes, eval's stdout and the report's path.
fn eighteen_label_report(dir: &Path) -> (Vec<u8>, String, PathBuf) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut train = Vec::new();
    for _ in 0..30 {
        for (k, label) in LABELS.iter().enumerate() {
            train.push((text_of(k, &mut rng), label.to_string()));
        }
    }
    let mut test = Vec::new();
    for _ in 0..8 {
        for (k, label) in LABELS.iter().enumerate() {
            test.push((text_of(k, &mut rng), label.to_string()));
        }
    }
    // Rows written with another label's words: confident mistakes, one of
    // them with markup in its text, one longer than the page shows.
    let others = |k: usize| (0..5).map(|j| word(k, j)).collect::<Vec<_>>().join(" ");
    test.push((format!("{} {HOSTILE}", others(3)), LABELS[5].to_string()));
    test.push((
        format!("{} {}", others(7), "长文本".repeat(80)),
        LABELS[2].to_string(),
    ));
    test.push((others(15), LABELS[0].to_string()));
    test.push((others(0), LABELS[15].to_string()));
    let train_csv = csv_of(&train);
    let train_path = write(dir, "train18.csv", &train_csv);
    let test_path = write(dir, "test18.csv", csv_of(&test));
    let model = dir.join("m18.model");
    run(&[
        "train",
        "--data",
        s(&train_path),
        "--min-df",
        "1",
        "--out",
        s(&model),
    ])
    .ok();
    let report = dir.join("out/report18.html");
    let out = run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&test_path),
        "--report",
        s(&report),
    ])
    .ok();
    assert!(
        out.stderr.contains(&format!("wrote {}", report.display())),
        "{}",
        out.stderr
    );
    (train_csv, out.stdout, report)
}

#[test]
fn report_is_self_contained_escaped_and_complete_with_18_labels() {
    let dir = tempdir();
    let (train_csv, stdout, report) = eighteen_label_report(dir.path());
    let html = std::fs::read_to_string(&report).unwrap();
    // The normal report still goes to stdout, with the same figures.
    let accuracy = stdout
        .lines()
        .find_map(|l| l.strip_prefix("accuracy  "))
        .unwrap_or_else(|| panic!("no accuracy line in:\n{stdout}"));
    assert!(
        accuracy != "1.0000",
        "the synthetic data should not be learnt perfectly"
    );
    assert!(
        html.contains(&format!("<div class=\"v\">{accuracy}</div>")),
        "accuracy {accuracy} not on the page"
    );
    // Texts are escaped: no script element at all, the hostile text shown as text.
    assert!(
        !html.to_lowercase().contains("<script"),
        "a <script in the page"
    );
    assert!(
        html.contains(HOSTILE_ESCAPED),
        "the hostile text is not shown escaped"
    );
    assert!(html.contains("<details>"), "the long text has no fold");
    // Every label, in the heatmap's headers (full label in the title).
    assert_eq!(html.matches("<table class=\"heatmap\"").count(), 1);
    for label in LABELS {
        let escaped = label
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            html.contains(&format!("<th scope=\"col\" title=\"{escaped}\">")),
            "no column for {label}"
        );
        assert!(
            html.contains(&format!("<th scope=\"row\" title=\"{escaped}\">")),
            "no row for {label}"
        );
    }
    assert!(
        html.contains("<span>international…</span>"),
        "long labels are cut in headers"
    );
    // 18 × 18 counts, each in a cell.
    assert_eq!(html.matches("→ predicted").count(), 18 * 18);
    // The model's settings, with the training data's hash.
    let sha = newsclf::data::hex_sha256(&train_csv);
    assert!(
        html.contains(&sha),
        "training data SHA-256 {sha} not on the page"
    );
    assert!(html.contains("Most confident mistakes") && html.contains("class=\"why\""));
    // Self-contained: nothing to fetch.
    for reference in ["http://", "https://", "src=", "url(", "@import", "<link"] {
        assert!(!html.contains(reference), "the page refers to {reference}");
    }
    // No temporary file left beside the report.
    let left: Vec<_> = std::fs::read_dir(report.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("report18.html")]);
}

#[test]
fn an_unwritable_report_path_is_named() {
    let dir = tempdir();
    let blocker = write(dir.path(), "not-a-dir", "x");
    let report = blocker.join("report.html");
    run(&["eval", "--data", "data/news.csv", "--report", s(&report)])
        .fails(1, &["cannot write the HTML report", s(&report)]);
}

/// The first of chromium, chromium-browser, google-chrome on `PATH`.
fn chromium() -> PathBuf {
    on_path(
        &["chromium", "chromium-browser", "google-chrome"],
        "chromium",
    )
}

/// What one headless Chromium run printed.
struct Browser {
    stdout: String,
    stderr: String,
}

impl Browser {
    /// Lines of page console output (messages, uncaught errors, failed loads).
    fn console(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
            .collect()
    }
}

/// Opens `page` in headless Chromium with a fresh profile and `extra` flags,
/// logging to stderr (the page's console messages show there as `CONSOLE`).
fn headless(page: &Path, work: &Path, tag: &str, extra: &[&str]) -> Browser {
    let profile = tempdir();
    let out_path = work.join(format!("{tag}.stdout"));
    let err_path = work.join(format!("{tag}.stderr"));
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish {tag} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let browser = Browser {
        stdout: std::fs::read_to_string(&out_path).unwrap(),
        stderr: std::fs::read_to_string(&err_path).unwrap(),
    };
    assert!(
        status.success(),
        "chromium {tag}: {status}\n{}",
        browser.stderr
    );
    browser
}

/// A test-only probe, added to a copy of the page (the report itself has no
/// script): once the page has loaded and laid out, it writes what Chromium
/// actually rendered into attributes of `<body>`, which `--dump-dom` prints:
/// the first heatmap's box (`WxH`), the narrowest heatmap cell, the height of
/// its header row, the widest per-class bar and the page's scroll width.
/// (That nothing is fetched is checked on the HTML text: Chromium keeps no
/// resource timing for `file:` pages.)
const PROBE: &str = "<script>addEventListener('load',()=>{\
const d=document.body.dataset,h=document.querySelector('.heatmap'),\
w=q=>[...document.querySelectorAll(q)].map(e=>e.getBoundingClientRect().width);\
const r=h?h.getBoundingClientRect():{width:0,height:0};\
d.renderedSize=Math.round(r.width)+'x'+Math.round(r.height);\
d.minCell=Math.round(Math.min(...w('.heatmap tbody td')));\
d.headerHeight=h?Math.round(h.tHead.getBoundingClientRect().height):0;\
d.maxBar=Math.round(Math.max(0,...w('.bar>span')));\
d.pageWidth=document.documentElement.scrollWidth;\
d.probe='done'})</script>";

/// The `<body>` attributes the probe wrote, as numbers (`WxH` as two).
struct Rendered {
    width: f64,
    height: f64,
    min_cell: f64,
    header_height: f64,
    max_bar: f64,
    page_width: f64,
}

/// Renders `report` with [`PROBE`] added and reads back what it measured;
/// asserts the page logged nothing to the console.
fn measure(report: &Path, work: &Path, tag: &str) -> Rendered {
    let html = std::fs::read_to_string(report).unwrap();
    assert_eq!(html.matches("</body>").count(), 1);
    let probed = write(
        work,
        &format!("{tag}-probe.html"),
        html.replace("</body>", &format!("{PROBE}</body>")),
    );
    let b = headless(
        &probed,
        work,
        tag,
        &["--dump-dom", "--virtual-time-budget=2000"],
    );
    assert!(
        b.console().is_empty(),
        "console output:\n{:#?}",
        b.console()
    );
    let body = b
        .stdout
        .split("<body")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no <body> in the dumped DOM:\n{}", b.stdout));
    let attr = |name: &str| -> String {
        body.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .unwrap_or_else(|| panic!("the probe did not set {name}: <body{body}>"))
            .to_string()
    };
    assert_eq!(attr("data-probe"), "done");
    let number = |name: &str| -> f64 {
        let v = attr(name);
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
    };
    let size = attr("data-rendered-size");
    let (w, h) = size.split_once('x').expect("WxH");
    Rendered {
        width: w.parse().unwrap(),
        height: h.parse().unwrap(),
        min_cell: number("data-min-cell"),
        header_height: number("data-header-height"),
        max_bar: number("data-max-bar"),
        page_width: number("data-page-width"),
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "not a PNG: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn report_of_a_real_evaluation_renders_in_headless_chromium() {
    let browser = chromium();
    let dir = tempdir();
    let work = dir.path();
    let model = work.join("titles.model");
    run(&[
        "train",
        "--data",
        s(&shared("thucnews_titles", "train.csv")),
        "--out",
        s(&model),
    ])
    .ok();
    let report = work.join("report.html");
    run(&[
        "eval",
        "--model",
        s(&model),
        "--data",
        s(&shared("thucnews_titles", "test.csv")),
        "--report",
        s(&report),
    ])
    .ok();

    // The page itself: screenshot it, and it must log nothing.
    let shot = work.join("shot.png");
    let b = headless(
        &report,
        work,
        "shot",
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(
        b.console().is_empty(),
        "{}: console output:\n{:#?}",
        browser.display(),
        b.console()
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(png_size(&png), (1280, 2000));
    // A one-colour page compresses to almost nothing: compare with a blank one.
    let blank_page = write(
        work,
        "blank.html",
        "<!DOCTYPE html><html><body></body></html>",
    );
    let blank = work.join("blank.png");
    headless(
        &blank_page,
        work,
        "blank",
        &[&format!("--screenshot={}", blank.display())],
    );
    let blank_len = std::fs::metadata(&blank).unwrap().len();
    assert!(
        png.len() as u64 > 5 * blank_len,
        "the screenshot ({} bytes) is hardly more than a blank page's ({blank_len} bytes)",
        png.len()
    );

    // What was laid out: a heatmap with a real size, cells and bars.
    let r = measure(&report, work, "titles");
    assert!(
        r.width > 300.0 && r.height > 200.0,
        "the heatmap rendered at {}x{} px",
        r.width,
        r.height
    );
    assert!(
        r.min_cell >= 20.0,
        "narrowest heatmap cell {} px",
        r.min_cell
    );
    assert!(r.max_bar > 100.0, "widest per-class bar {} px", r.max_bar);
    assert!(
        r.page_width <= 1280.0,
        "the page scrolls sideways: {} px",
        r.page_width
    );
}

#[test]
fn eighteen_labels_fit_a_1280_pixel_window_in_chromium() {
    chromium();
    let dir = tempdir();
    let (_, _, report) = eighteen_label_report(dir.path());
    let r = measure(&report, dir.path(), "eighteen");
    assert!(
        r.width > 0.0 && r.height > 0.0,
        "heatmap {}x{}",
        r.width,
        r.height
    );
    // The whole matrix fits the window: no sideways scrolling, cells wide
    // enough for their counts, rotated headers of bounded height.
    assert!(r.width <= 1280.0 - 48.0, "heatmap {} px wide", r.width);
    assert!(
        r.page_width <= 1280.0,
        "the page scrolls sideways: {} px",
        r.page_width
    );
    assert!(
        r.min_cell >= 20.0,
        "narrowest heatmap cell {} px",
        r.min_cell
    );
    assert!(
        r.header_height > 30.0 && r.header_height < 160.0,
        "header row {} px high",
        r.header_height
    );
}
