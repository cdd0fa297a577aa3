//! Plain-text rendering of evaluations, aligned for Chinese text (CJK
//! characters take two terminal columns).

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use crate::evaluation::HeadExplanation;
use crate::evaluation::{Evaluation, HeadEvaluation};
use crate::model::ModelInfo;
use crate::model::TuningRecord;
use crate::training::CvReport;

/// Pads `text` with spaces to `width` terminal columns (left-aligned).
pub fn pad(text: &str, width: usize) -> String {
    let w = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// Pads `text` on the left to `width` terminal columns (right-aligned).
pub fn pad_left(text: &str, width: usize) -> String {
    let w = text.width();
    format!("{}{text}", " ".repeat(width.saturating_sub(w)))
}

/// Cuts `text` to at most `width` columns, ending with `…` when cut; line
/// breaks become spaces.
pub fn truncate(text: &str, width: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.width() <= width {
        return flat;
    }
    let mut out = String::new();
    for c in flat.chars() {
        if out.width() + c.to_string().width() + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn render_head(out: &mut String, name: &str, e: &HeadEvaluation) {
    let _ = writeln!(out, "== {name} ({} rows)", e.rows);
    let _ = writeln!(out, "accuracy  {:.4}", e.accuracy);
    let _ = writeln!(out, "macro-F1  {:.4}", e.macro_f1);
    if let Some(log_loss) = e.log_loss {
        let _ = writeln!(out, "log loss  {log_loss:.4}");
    }
    if !e.unknown_labels.is_empty() {
        let list: Vec<String> = e
            .unknown_labels
            .iter()
            .map(|(l, n)| format!("'{l}' ({n} rows)"))
            .collect();
        let _ = writeln!(
            out,
            "labels the model never saw (counted as errors): {}",
            list.join(", ")
        );
    }
    let labels = &e.confusion_matrix.labels;
    let lw = labels.iter().map(|l| l.width()).max().unwrap_or(5).max(5);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}  precision  recall      f1  support",
        pad("class", lw)
    );
    for label in labels {
        let m = &e.per_class[label];
        let _ = writeln!(
            out,
            "{}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}",
            pad(label, lw),
            m.precision,
            m.recall,
            m.f1,
            m.support
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "confusion matrix (rows: true label, columns: predicted)"
    );
    let cw = e
        .confusion_matrix
        .matrix
        .iter()
        .flatten()
        .map(|c| c.to_string().len())
        .max()
        .unwrap_or(1)
        .max(labels.iter().map(|l| l.width().min(8)).max().unwrap_or(1));
    let mut header = pad("", lw);
    for l in labels {
        header.push_str("  ");
        header.push_str(&pad_left(&truncate(l, cw), cw));
    }
    let _ = writeln!(out, "{}", header.trim_end());
    for (label, row) in labels.iter().zip(&e.confusion_matrix.matrix) {
        let mut line = pad(label, lw);
        for c in row {
            line.push_str("  ");
            line.push_str(&pad_left(&c.to_string(), cw));
        }
        let _ = writeln!(out, "{line}");
    }
}

/// A readable report of every head.
pub fn render_text(eval: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "evaluated on {}: {} rows read, {} skipped",
        eval.data, eval.rows_read, eval.rows_skipped
    );
    for (name, head) in &eval.heads {
        let _ = writeln!(out);
        render_head(&mut out, name, head);
    }
    out
}

/// Renders a cross-validation report: per head, mean ± standard deviation and
/// the per-fold figures.
pub fn render_cv(report: &CvReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} rows, {} stratified folds (seed {})",
        report.data, report.rows, report.folds, report.seed
    );
    for head in &report.heads {
        let _ = writeln!(out, "== {}", head.name);
        let figures = [
            (
                "accuracy",
                head.accuracy,
                head.folds.iter().map(|f| f.accuracy).collect::<Vec<_>>(),
            ),
            (
                "macro-F1",
                head.macro_f1,
                head.folds.iter().map(|f| f.macro_f1).collect(),
            ),
            (
                "log loss",
                head.log_loss,
                head.folds.iter().map(|f| f.log_loss).collect(),
            ),
        ];
        for (name, spread, folds) in figures {
            let per_fold: Vec<String> = folds.iter().map(|v| format!("{v:.4}")).collect();
            let _ = writeln!(
                out,
                "{}  {:.4} ± {:.4}   folds: {}",
                pad(name, 8),
                spread.mean,
                spread.std,
                per_fold.join(" ")
            );
        }
    }
    out
}

/// Renders a tuning record: one line per grid point, best first, the chosen
/// one marked with `*`.
pub fn render_tuning(record: &TuningRecord) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} settings, {}-fold cross-validation (seed {}), best first:",
        record.trials.len(),
        record.folds,
        record.seed
    );
    let _ = writeln!(out, "   accuracy        macro-F1  log loss  settings");
    let mut order: Vec<usize> = (0..record.trials.len()).collect();
    order.sort_by(|&a, &b| {
        record.trials[b]
            .accuracy
            .total_cmp(&record.trials[a].accuracy)
            .then(a.cmp(&b))
    });
    for t in order {
        let trial = &record.trials[t];
        let mark = if t == record.chosen { '*' } else { ' ' };
        let _ = writeln!(
            out,
            "{mark}  {:.4} ± {:.4}  {:.4}    {:.4}    {}",
            trial.accuracy, trial.accuracy_std, trial.macro_f1, trial.log_loss, trial.settings
        );
    }
    out
}

/// Renders explanations: per head, the label and runner-up, then the terms
/// toward and against the label with their contributions.
pub fn render_explanation(heads: &[HeadExplanation<'_>]) -> String {
    let mut out = String::new();
    for h in heads {
        let _ = writeln!(
            out,
            "== {}: {} {:.3} (runner-up {} {:.3})",
            h.head, h.label.label, h.label.probability, h.runner_up.label, h.runner_up.probability
        );
        for (title, terms) in [
            (
                format!("toward {} (over {})", h.label.label, h.runner_up.label),
                &h.toward,
            ),
            (
                format!("against {} (toward {})", h.label.label, h.runner_up.label),
                &h.against,
            ),
        ] {
            let _ = writeln!(out, "  {title}:");
            if terms.is_empty() {
                let _ = writeln!(out, "    (none)");
            }
            for c in terms {
                let _ = writeln!(
                    out,
                    "    {:+.4}  {} ({})",
                    c.contribution,
                    pad(&c.term, 12),
                    c.kind
                );
            }
        }
    }
    out
}

/// Renders what a model file holds.
pub fn render_info(info: &ModelInfo) -> String {
    let mut out = String::new();
    let f = &info.features;
    let lines = [
        (
            "model",
            format!("{} ({} bytes)", info.source, info.file_bytes),
        ),
        (
            "format",
            format!(
                "version {}, trained by newsclf {}",
                info.format_version, info.trained_by
            ),
        ),
        (
            "trained on",
            format!(
                "{} ({} rows used, {} skipped; text column '{}')",
                info.data_source, info.rows, info.rows_skipped, info.text_col
            ),
        ),
        ("data sha256", info.data_sha256.clone()),
        ("segmentation", info.segmentation_line()),
        ("features", f.describe()),
        (
            "vocabulary",
            format!(
                "{} features ({} word n-grams, {} character n-grams)",
                info.vocabulary.2, info.vocabulary.0, info.vocabulary.1
            ),
        ),
        ("classifier", info.classifier_line()),
    ];
    for (key, value) in lines {
        let _ = writeln!(out, "{}  {value}", pad(key, 12));
    }
    for h in &info.heads {
        let labels: Vec<String> = h.labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        let _ = writeln!(
            out,
            "{}  '{}': {} labels ({}): {}",
            pad("head", 12),
            h.name,
            h.labels.len(),
            h.classifier,
            labels.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::score;

    #[test]
    fn aligns_chinese_and_truncates() {
        assert_eq!(pad("能源", 6), "能源  ");
        assert_eq!(pad_left("ab", 4), "  ab");
        assert_eq!(truncate("国家电网发布新规划", 9), "国家电网…");
        assert_eq!(truncate("a\nb", 9), "a b");
    }

    #[test]
    fn text_report_shows_figures_and_unknown_labels() {
        let known = vec!["energy".to_string(), "sports".to_string()];
        let e = score(
            &known,
            &[
                ("energy", "energy"),
                ("sports", "energy"),
                ("体育", "sports"),
            ],
        );
        let eval = Evaluation {
            data: "t.csv".into(),
            rows_read: 3,
            rows_skipped: 0,
            heads: vec![("topic".to_string(), e)],
        };
        let text = render_text(&eval);
        assert!(text.contains("accuracy  0.3333"), "{text}");
        assert!(text.contains("'体育' (1 rows)"), "{text}");
        assert!(text.contains("confusion matrix"), "{text}");
    }
}
