//! `newsclf predict`.

use std::io::{BufWriter, IsTerminal};

use anyhow::{Result, bail};
use newsclf::input::{self, Document, Item, Source};

use super::args::{PredictArgs, PredictFormat};
use super::output::PredictionWriter;
use super::{Ui, load_model};

/// Documents classified together (in parallel) before their output is written.
const BATCH: usize = 512;

pub fn run(args: PredictArgs, ui: Ui) -> Result<()> {
    let source = match (&args.input, args.texts.is_empty()) {
        (Some(p), _) if p.as_os_str() == "-" => Source::Stdin,
        (Some(p), _) => Source::File(p.clone()),
        (None, false) => Source::Texts(args.texts.clone()),
        (None, true) if !std::io::stdin().is_terminal() => Source::Stdin,
        (None, true) => bail!(
            "nothing to classify: give texts as arguments, --input FILE, or pipe text into --input -"
        ),
    };
    let model = load_model(args.model.as_deref())?;
    let text_col = args
        .text_col
        .clone()
        .unwrap_or_else(|| model.provenance().text_col.clone());
    let items = input::read(&source, &text_col, args.sections)?;
    let top_k = args.top_k.map_or(
        if args.format == PredictFormat::Table {
            1
        } else {
            3
        },
        |k| k as usize,
    );
    let stdout = std::io::stdout().lock();
    let mut writer = PredictionWriter::new(
        args.format,
        top_k,
        args.sections,
        model.heads(),
        BufWriter::new(stdout),
    );
    writer.header()?;
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    let mut skipped = 0usize;
    let mut done = 0usize;
    let mut items = items.peekable();
    while let Some(item) = items.next() {
        match item? {
            Item::Doc(doc) => batch.push(doc),
            Item::Skipped { line, reason } => {
                skipped += 1;
                ui.say(format!("{}:{line}: skipped: {reason}", source.name()));
            }
        }
        if batch.len() == BATCH || (items.peek().is_none() && !batch.is_empty()) {
            let texts: Vec<&str> = batch.iter().map(|d| d.text.as_str()).collect();
            let predictions = model.predict_batch(&texts);
            for (doc, prediction) in batch.iter().zip(&predictions) {
                writer.write(doc, prediction)?;
            }
            writer.flush()?;
            done += batch.len();
            batch.clear();
        }
    }
    writer.flush()?;
    if skipped > 0 {
        ui.say(format!(
            "classified {done} documents; {skipped} input rows skipped (listed above)"
        ));
    }
    Ok(())
}
