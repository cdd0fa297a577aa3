//! `newsclf eval`.

use anyhow::{Result, anyhow};
use newsclf::describe_model;
use newsclf::render_text;
use newsclf::{FileEvaluation, evaluate_file, evaluation_spec};
use newsclf::{render_html, write_html};

use super::args::EvalArgs;
use super::train::report_problems;
use super::{Ui, load_model, model_source, print_report};

pub fn run(args: EvalArgs, ui: Ui) -> Result<()> {
    let model = load_model(args.model.as_deref())?;
    let text_col = args
        .text_col
        .clone()
        .unwrap_or_else(|| model.provenance().text_col.clone());
    let spec = evaluation_spec(&model, &args.data, &text_col, args.reading.encoding)?;
    for head in model.heads() {
        if !spec.label_cols.contains(&head.name) {
            ui.say(format!(
                "note: {} has no column '{}'; that head is not evaluated",
                args.data.display(),
                head.name
            ));
        }
    }
    // Streamed: a file of any size is evaluated in bounded memory.
    let bar = ui.progress(None, "rows");
    bar.set_message("evaluating");
    let evaluated = evaluate_file(&model, &args.data, &spec, args.reading.strict, &|done| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();
    let FileEvaluation {
        evaluation,
        rejects,
        multi_line,
        case_clashes,
    } = evaluated?;
    if !rejects.is_empty() || !multi_line.is_empty() {
        ui.say(format!(
            "read {}: {} rows, {} skipped",
            evaluation.data, evaluation.rows_read, evaluation.rows_skipped
        ));
    }
    report_problems(&rejects, &multi_line, &case_clashes, ui);
    // The page first: a closed stdout (`| head`) must not cost the report.
    if let Some(path) = &args.report {
        let (source, bytes) = model_source(args.model.as_deref(), &model);
        let info = describe_model(&model, &source, bytes);
        // The message names the file and the reason once (the I/O error is
        // folded into the text, not chained after it again).
        write_html(path, &render_html(&evaluation, &model, &info))
            .map_err(|e| anyhow!("cannot write the HTML report: {e}"))?;
        ui.say(format!("wrote {}", path.display()));
    }
    print_report(args.format, &evaluation, render_text)?;
    Ok(())
}
