//! `newsclf predict`.

use std::io::{IsTerminal, Write};

use anyhow::{Result, bail};
use newsclf::input::{self, Document, Item, Source};
use rayon::prelude::*;

use super::args::{PredictArgs, PredictFormat};
use super::output::Renderer;
use super::{Ui, load_model};

/// Documents classified and rendered together (in parallel) before their
/// output is written, in input order.
const BATCH: usize = 4096;

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
    let renderer = Renderer::new(args.format, top_k, args.sections, model.heads());
    let mut out = std::io::stdout().lock();
    out.write_all(&renderer.header()?)?;
    let bar = ui.progress(None, "documents");
    bar.set_message("classifying");
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    let (mut skipped, mut done) = (0usize, 0usize);
    let mut items = items.peekable();
    while let Some(item) = items.next() {
        match item? {
            Item::Doc(doc) => batch.push(doc),
            Item::Skipped { line, reason } => {
                skipped += 1;
                bar.suspend(|| ui.say(format!("{}:{line}: skipped: {reason}", source.name())));
            }
        }
        if batch.len() == BATCH || (items.peek().is_none() && !batch.is_empty()) {
            let rendered: Vec<Vec<u8>> = batch
                .par_iter()
                .map(|doc| {
                    let mut bytes = Vec::new();
                    renderer.render(doc, &model.predict(&doc.text), &mut bytes)?;
                    Ok(bytes)
                })
                .collect::<Result<_>>()?;
            for bytes in rendered {
                out.write_all(&bytes)?;
            }
            out.flush()?;
            done += batch.len();
            bar.set_position(done as u64);
            batch.clear();
        }
    }
    out.flush()?;
    bar.finish_and_clear();
    if skipped > 0 {
        ui.say(format!(
            "classified {done} documents; {skipped} input rows skipped (listed above)"
        ));
    }
    Ok(())
}
