//! The evaluation as one self-contained HTML page (`newsclf eval --report
//! FILE.html`): per head the summary figures, a confusion-matrix heatmap,
//! per-class precision / recall / F1 bars, the most confident mistakes with
//! their explanation, then the model's settings and training-data hash.
//!
//! The page has inline CSS only: no scripts, web fonts, images or links to
//! other files, so it opens the same anywhere, offline, and prints well.
//! Every text from the data or the model (texts, labels, file names, terms)
//! is HTML-escaped.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::Result;
use crate::evaluation::{Contribution, explain};
use crate::evaluation::{Evaluation, HeadEvaluation, Mistake};
use crate::model::Model;
use crate::model::ModelInfo;
use crate::report::truncate;

/// Mistakes shown per head, most confident first.
pub const MISTAKES_SHOWN: usize = 10;

/// Characters of a mistaken text shown before the rest is folded away.
pub const TEXT_SHOWN: usize = 200;

/// Terms shown each way in a mistake's explanation.
pub const TERMS_SHOWN: usize = 4;

/// Terminal-style columns of a label in a heatmap column header (a CJK
/// character takes two); longer labels are cut with `…`, the full label is
/// in the `title`.
const COLUMN_LABEL_WIDTH: usize = 14;

/// Columns of a label in a heatmap row header.
const ROW_LABEL_WIDTH: usize = 20;

/// RGB of the heatmap's diagonal (correct predictions).
const CORRECT_RGB: &str = "26,127,85";

/// RGB of the heatmap's off-diagonal cells (errors).
const ERROR_RGB: &str = "200,55,45";

/// The stylesheet: light, system fonts, no external resources.
const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--soft:#f6f8fa;--accent:#0b57d0;
--ok:26,127,85;--err:200,55,45;--p:#4a7bd0;--r:#2a9d8f;--f:#8a5cc2}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--fg);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Hiragino Sans GB",
"Microsoft YaHei",sans-serif;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.page,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
.page{padding-top:20px;padding-bottom:12px;border-bottom:1px solid var(--line)}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:24px 0 6px}
.muted,.note{color:var(--muted)}
.note{font-size:12.5px;margin:0 0 8px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:12.5px;overflow-wrap:anywhere}
nav{margin-top:6px;font-size:13px}
nav a{margin-right:14px;color:var(--accent);text-decoration:none}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:8px 16px;min-width:150px;background:var(--soft)}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
.warn{border-left:4px solid rgb(var(--err));background:#fdf3f2;padding:8px 12px;border-radius:4px;margin:12px 0}
.matrix-wrap{display:inline-block;max-width:100%;max-height:85vh;overflow:auto;
border:1px solid var(--line);border-radius:6px}
table.heatmap{border-collapse:separate;border-spacing:0;font-size:12px;font-variant-numeric:tabular-nums}
.heatmap th,.heatmap td{padding:3px 6px;border-right:1px solid #fff;border-bottom:1px solid #fff}
.heatmap td{text-align:right;min-width:3.4em}
.heatmap thead th{position:sticky;top:0;z-index:2;background:#fff;vertical-align:bottom;
font-weight:500;border-bottom:1px solid var(--line)}
.heatmap thead th>span{writing-mode:vertical-rl;white-space:nowrap}
.heatmap thead th.corner{left:0;z-index:3;text-align:left;color:var(--muted);font-weight:400;
border-right:1px solid var(--line)}
.heatmap thead th.corner>span{writing-mode:horizontal-tb}
.heatmap tbody th{position:sticky;left:0;z-index:1;background:#fff;text-align:left;font-weight:500;
white-space:nowrap;border-right:1px solid var(--line)}
.heatmap tr.unknown th{font-style:italic;color:rgb(var(--err))}
.heatmap td.z{color:#c4c9cf}
.heatmap td.dark{color:#fff}
.heatmap .total{background:var(--soft);color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;font-size:12px;color:var(--muted);margin:8px 0 0}
.swatch{display:inline-block;width:64px;height:10px;border-radius:2px;vertical-align:middle;margin-right:6px}
.swatch.ok{background:linear-gradient(90deg,rgba(var(--ok),.1),rgba(var(--ok),.9))}
.swatch.err{background:linear-gradient(90deg,rgba(var(--err),.1),rgba(var(--err),.9))}
table.classes{border-collapse:collapse;font-size:13px;width:100%;max-width:1040px}
.classes th,.classes td{padding:3px 8px;border-bottom:1px solid #eaeef2;text-align:left}
.classes thead th{font-weight:500;color:var(--muted)}
.classes .n{text-align:right;width:5em;font-variant-numeric:tabular-nums}
.classes tr.unknown th{font-style:italic;color:rgb(var(--err))}
.classes tbody th{font-weight:500;white-space:nowrap}
.metric{display:flex;align-items:center;gap:8px;min-width:170px}
.bar{flex:1;height:10px;background:#eaeef2;border-radius:3px;overflow:hidden}
.bar>span{display:block;height:100%}
.bar.p>span{background:var(--p)}.bar.r>span{background:var(--r)}.bar.f>span{background:var(--f)}
.metric .num{width:3.6em;text-align:right;font-variant-numeric:tabular-nums}
ol.mistakes{list-style:none;padding:0;margin:0}
.mistake{border:1px solid var(--line);border-radius:8px;padding:8px 14px;margin:0 0 10px;break-inside:avoid}
.mistake .meta{font-size:12.5px;color:var(--muted);display:flex;flex-wrap:wrap;gap:2px 16px}
.tag{display:inline-block;padding:0 6px;border-radius:4px;font-weight:600}
.tag.truth{background:rgba(var(--ok),.12);color:rgb(var(--ok))}
.tag.pred{background:rgba(var(--err),.12);color:rgb(var(--err))}
.mistake .text{margin:6px 0;overflow-wrap:anywhere}
details{font-size:13px;color:var(--muted);margin:0 0 6px}
details .full{color:var(--fg);white-space:pre-wrap;overflow-wrap:anywhere;margin-top:4px}
.why{display:grid;grid-template-columns:max-content 1fr;gap:3px 10px;font-size:12.5px;align-items:baseline}
.why .k{color:var(--muted)}
.term{display:inline-block;border-radius:4px;padding:0 6px;margin:0 4px 2px 0;white-space:nowrap}
.term small{color:var(--muted);margin-left:4px;font-variant-numeric:tabular-nums}
.term.toward{background:rgba(var(--err),.1)}
.term.against{background:rgba(var(--ok),.1)}
.term.char{outline:1px dashed rgba(101,109,118,.45);outline-offset:-1px}
table.kv{border-collapse:collapse;font-size:13px}
.kv th{text-align:left;font-weight:500;color:var(--muted);padding:3px 18px 3px 0;vertical-align:top;white-space:nowrap}
.kv td{padding:3px 0;overflow-wrap:anywhere}
footer{color:var(--muted);font-size:12px;padding-top:24px;padding-bottom:32px}
@media print{body{font-size:11px}nav,details{display:none}
.matrix-wrap{overflow:visible;max-height:none;border:0}
.heatmap thead th,.heatmap tbody th{position:static}
section.head+section.head{break-before:page}h2,h3{break-after:avoid}}
"#;

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references,
/// safe in element content and in quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders `evaluation` of `model` (described by `info`) as one self-contained
/// HTML page.
pub fn render_html(evaluation: &Evaluation, model: &Model, info: &ModelInfo) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"newsclf {version}\">\n\
         <title>newsclf evaluation: {data}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        version = env!("CARGO_PKG_VERSION"),
        data = escape(&evaluation.data),
    );
    let _ = write!(
        out,
        "<header class=\"page\">\n<h1>Evaluation report</h1>\n\
         <div class=\"muted\">model <code>{model}</code> on <code>{data}</code>: \
         {read} rows read, {skipped} skipped</div>\n<nav>",
        model = escape(&info.source),
        data = escape(&evaluation.data),
        read = evaluation.rows_read,
        skipped = evaluation.rows_skipped,
    );
    for (i, (name, _)) in evaluation.heads.iter().enumerate() {
        let _ = write!(out, "<a href=\"#head-{i}\">head {}</a>", escape(name));
    }
    out.push_str("<a href=\"#settings\">model settings</a></nav>\n</header>\n<main>\n");
    if evaluation.heads.is_empty() {
        out.push_str("<p class=\"warn\">No head of the model was evaluated.</p>\n");
    }
    for (i, (name, head)) in evaluation.heads.iter().enumerate() {
        render_head(&mut out, i, name, head, model);
    }
    render_settings(&mut out, info);
    let _ = write!(
        out,
        "</main>\n<footer>Written by newsclf {}. This page is self-contained: \
         no scripts, fonts or other files are loaded.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn render_head(out: &mut String, index: usize, name: &str, e: &HeadEvaluation, model: &Model) {
    let _ = write!(
        out,
        "<section class=\"head\" id=\"head-{index}\">\n\
         <h2>Head <q>{name}</q> <span class=\"muted\">{rows} rows</span></h2>\n<div class=\"cards\">",
        name = escape(name),
        rows = e.rows
    );
    let log_loss = e.log_loss.map_or("–".to_string(), |l| format!("{l:.4}"));
    for (key, value) in [
        ("accuracy", format!("{:.4}", e.accuracy)),
        ("macro-F1", format!("{:.4}", e.macro_f1)),
        ("log loss", log_loss),
        ("rows", e.rows.to_string()),
    ] {
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"k\">{key}</div><div class=\"v\">{value}</div></div>"
        );
    }
    out.push_str("</div>\n");
    if !e.unknown_labels.is_empty() {
        let list: Vec<String> = e
            .unknown_labels
            .iter()
            .map(|(l, n)| format!("<q>{}</q> ({n} rows)", escape(l)))
            .collect();
        let _ = writeln!(
            out,
            "<p class=\"warn unknown-labels\">Labels the model never saw (counted as errors): {}</p>",
            list.join(", ")
        );
    }
    render_heatmap(out, index, e);
    render_classes(out, e);
    render_mistakes(out, name, e, model);
    out.push_str("</section>\n");
}

/// Background of a heatmap cell holding `share` of its row: the hue says
/// correct or error, the opacity grows with the square root of the share so
/// that small error counts stay visible. `None` for an empty cell.
fn cell_colour(share: f64, diagonal: bool) -> Option<(String, bool)> {
    if share <= 0.0 {
        return None;
    }
    let alpha = 0.08 + 0.82 * share.sqrt();
    let rgb = if diagonal { CORRECT_RGB } else { ERROR_RGB };
    Some((format!("rgba({rgb},{alpha:.3})"), alpha > 0.55))
}

fn render_heatmap(out: &mut String, index: usize, e: &HeadEvaluation) {
    let cm = &e.confusion_matrix;
    let _ = write!(
        out,
        "<h3>Confusion matrix</h3>\n<p class=\"note\">Rows: true label; columns: predicted label. \
         Each cell holds a count; its colour deepens with the share of the true label's rows \
         (green: correct, red: errors). Hover a cell or a cut label for details.</p>\n\
         <div class=\"matrix-wrap\">\n<table class=\"heatmap\" id=\"heatmap-{index}\">\n\
         <thead><tr><th class=\"corner\" scope=\"col\"><span>true \\ predicted</span></th>"
    );
    for label in &cm.labels {
        let _ = write!(
            out,
            "<th scope=\"col\" title=\"{}\"><span>{}</span></th>",
            escape(label),
            escape(&truncate(label, COLUMN_LABEL_WIDTH))
        );
    }
    out.push_str(
        "<th scope=\"col\" class=\"total\"><span>rows</span></th></tr></thead>\n<tbody>\n",
    );
    for (t, (label, row)) in cm.labels.iter().zip(&cm.matrix).enumerate() {
        let total: u64 = row.iter().sum();
        let unknown = e.unknown_labels.contains_key(label);
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\" title=\"{}\">{}</th>",
            if unknown { " class=\"unknown\"" } else { "" },
            escape(label),
            escape(&truncate(label, ROW_LABEL_WIDTH))
        );
        for (p, &count) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                count as f64 / total as f64
            };
            let title = format!(
                "true {} → predicted {}: {count} of {total} ({:.1}%)",
                cm.labels[t],
                cm.labels[p],
                share * 100.0
            );
            match cell_colour(share, t == p) {
                Some((colour, dark)) => {
                    let _ = write!(
                        out,
                        "<td{} style=\"background:{colour}\" title=\"{}\">{count}</td>",
                        if dark { " class=\"dark\"" } else { "" },
                        escape(&title)
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "<td class=\"z\" title=\"{}\">{count}</td>",
                        escape(&title)
                    );
                }
            }
        }
        let _ = writeln!(out, "<td class=\"total\">{total}</td></tr>");
    }
    out.push_str(
        "</tbody>\n</table>\n</div>\n<div class=\"legend\">\
         <span><span class=\"swatch ok\"></span>correct, 0–100% of the row</span>\
         <span><span class=\"swatch err\"></span>errors, 0–100% of the row</span></div>\n",
    );
}

fn metric_bar(kind: &str, value: f64) -> String {
    format!(
        "<td><div class=\"metric\"><div class=\"bar {kind}\"><span style=\"width:{:.1}%\"></span></div>\
         <span class=\"num\">{value:.4}</span></div></td>",
        (value * 100.0).clamp(0.0, 100.0)
    )
}

fn render_classes(out: &mut String, e: &HeadEvaluation) {
    out.push_str(
        "<h3>Per-class precision, recall and F1</h3>\n<table class=\"classes\">\n\
         <thead><tr><th scope=\"col\">class</th><th scope=\"col\" class=\"n\">support</th>\
         <th scope=\"col\">precision</th><th scope=\"col\">recall</th><th scope=\"col\">F1</th></tr></thead>\n<tbody>\n",
    );
    for label in &e.confusion_matrix.labels {
        let Some(m) = e.per_class.get(label) else {
            continue;
        };
        let unknown = e.unknown_labels.contains_key(label);
        let _ = writeln!(
            out,
            "<tr{}><th scope=\"row\">{}</th><td class=\"n\">{}</td>{}{}{}</tr>",
            if unknown { " class=\"unknown\"" } else { "" },
            escape(label),
            m.support,
            metric_bar("p", m.precision),
            metric_bar("r", m.recall),
            metric_bar("f", m.f1)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn render_terms(out: &mut String, terms: &[Contribution], class: &str) {
    if terms.is_empty() {
        out.push_str("<span class=\"muted\">(none)</span>");
    }
    for c in terms {
        let _ = write!(
            out,
            "<span class=\"term {class} {}\" title=\"{} n-gram, TF-IDF {:.3}\">{}<small>{:+.3}</small></span>",
            c.kind,
            if c.kind == "char" {
                "character"
            } else {
                "word"
            },
            c.value,
            escape(&c.term),
            c.contribution
        );
    }
}

/// A probability to three decimals, `<0.001` for a tiny one that is not 0.
fn probability(p: f32) -> String {
    if p > 0.0 && p < 0.0005 {
        "&lt;0.001".to_string()
    } else {
        format!("{p:.3}")
    }
}

fn render_mistake(out: &mut String, rank: usize, head: &str, m: &Mistake, model: &Model) {
    let _ = writeln!(
        out,
        "<li class=\"mistake\"><div class=\"meta\"><span>#{rank} · line {line}</span>\
         <span>truth <span class=\"tag truth\">{truth}</span> p {tp}</span>\
         <span>predicted <span class=\"tag pred\">{pred}</span> p {pp}</span></div>",
        line = m.line,
        truth = escape(&m.truth),
        tp = probability(m.truth_probability),
        pred = escape(&m.predicted),
        pp = probability(m.probability),
    );
    let chars = m.text.chars().count();
    if chars > TEXT_SHOWN {
        let shown: String = m.text.chars().take(TEXT_SHOWN).collect();
        let _ = write!(
            out,
            "<p class=\"text\">{}…</p>\n<details><summary>full text ({chars} characters)</summary>\
             <div class=\"full\">{}</div></details>\n",
            escape(&shown),
            escape(&m.text)
        );
    } else {
        let _ = writeln!(out, "<p class=\"text\">{}</p>", escape(&m.text));
    }
    let why = explain(model, &m.text, TERMS_SHOWN);
    if let Some(h) = why.iter().find(|h| h.head == head) {
        let _ = write!(
            out,
            "<div class=\"why\"><span class=\"k\">toward {}</span><span>",
            escape(h.label.label)
        );
        render_terms(out, &h.toward, "toward");
        let _ = write!(
            out,
            "</span><span class=\"k\">against, toward {}</span><span>",
            escape(h.runner_up.label)
        );
        render_terms(out, &h.against, "against");
        out.push_str("</span></div>\n");
    }
    out.push_str("</li>\n");
}

fn render_mistakes(out: &mut String, head: &str, e: &HeadEvaluation, model: &Model) {
    let cm = &e.confusion_matrix;
    let errors: u64 = e.rows - (0..cm.labels.len()).map(|i| cm.matrix[i][i]).sum::<u64>();
    let shown = e.mistakes.len().min(MISTAKES_SHOWN);
    out.push_str("<h3>Most confident mistakes</h3>\n");
    if shown == 0 {
        out.push_str("<p class=\"note\">No mistakes.</p>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<p class=\"note\">The {shown} wrong predictions (of {errors}) the model was surest of. \
         p is the probability the model gave a label; the terms are those whose weight pushed \
         most toward the predicted label over the runner-up, and most against it, with their \
         contributions to the score margin (dashed: a character n-gram).</p>\n<ol class=\"mistakes\">"
    );
    for (rank, m) in e.mistakes.iter().take(shown).enumerate() {
        render_mistake(out, rank + 1, head, m, model);
    }
    out.push_str("</ol>\n");
}

fn render_settings(out: &mut String, info: &ModelInfo) {
    let f = &info.features;
    let mut rows: Vec<(&str, String, bool)> = vec![
        (
            "model",
            format!("{} ({} bytes)", info.source, info.file_bytes),
            false,
        ),
        ("format", format!("version {}", info.format_version), false),
        ("trained by", format!("newsclf {}", info.trained_by), false),
        ("training data", info.data_source.clone(), false),
        ("training data SHA-256", info.data_sha256.clone(), true),
        (
            "training rows",
            format!(
                "{} used, {} skipped; text column '{}'",
                info.rows, info.rows_skipped, info.text_col
            ),
            false,
        ),
        ("features", f.describe(), false),
        (
            "vocabulary",
            format!(
                "{} features ({} word n-grams, {} character n-grams)",
                info.vocabulary.2, info.vocabulary.0, info.vocabulary.1
            ),
            false,
        ),
        ("classifier", info.classifier_line(), false),
        ("segmentation", info.segmentation_line(), false),
    ];
    for h in &info.heads {
        let labels: Vec<String> = h.labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        rows.push((
            "head",
            format!(
                "'{}': {} labels ({}): {}",
                h.name,
                h.labels.len(),
                h.classifier,
                labels.join(", ")
            ),
            false,
        ));
    }
    out.push_str(
        "<section class=\"settings\" id=\"settings\">\n<h2>Model settings</h2>\n<table class=\"kv\">\n",
    );
    for (key, value, mono) in rows {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{key}</th><td{}>{}</td></tr>",
            if mono { " class=\"mono\"" } else { "" },
            escape(&value)
        );
    }
    out.push_str("</table>\n</section>\n");
}

/// Writes `html` to `path` atomically: to a temporary file beside it, then
/// renamed over it, so that a reader never sees half a page. Missing parent
/// directories are created. Errors name `path`.
pub fn write_html(path: &Path, html: &str) -> Result<()> {
    crate::atomic_file::write_atomically(path, html.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert(1)</script> & "q" 'a'"#),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;"
        );
        assert_eq!(escape("能源"), "能源");
    }

    #[test]
    fn tiny_probabilities_are_not_shown_as_zero() {
        assert_eq!(probability(0.0001), "&lt;0.001");
        assert_eq!(probability(0.0), "0.000");
        assert_eq!(probability(0.9996), "1.000");
    }

    #[test]
    fn cells_deepen_with_their_share() {
        assert_eq!(cell_colour(0.0, true), None);
        let (light, dark_text) = cell_colour(0.01, false).unwrap();
        assert!(light.starts_with("rgba(200,55,45,") && !dark_text);
        let (deep, dark_text) = cell_colour(0.95, true).unwrap();
        assert!(deep.starts_with("rgba(26,127,85,") && dark_text);
    }
}
