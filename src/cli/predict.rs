//! `newsclf predict`.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use anyhow::{Result, bail};
use newsclf::{Document, Item, Source, read_documents};
use newsclf::{MultiLineRows, multi_line_error};
use rayon::prelude::*;

use super::args::{PredictArgs, PredictFormat};
use super::output::Renderer;
use super::{Ui, load_model};

/// Documents classified and rendered together (in parallel) before their
/// output is written, in input order.
const BATCH: usize = 4096;

/// How long input may pause before a partial batch is classified.
const PAUSE: Duration = Duration::from_millis(20);

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
    let items = read_documents(&source, &text_col, args.sections, args.reading.encoding)?;
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
    let (mut skipped, mut done) = (0usize, 0usize);
    let mut multi_line = MultiLineRows::default();
    // A reader thread feeds a bounded channel; a batch is classified when it
    // is full, or when input pauses, so a slow stream gets its answers
    // promptly and a file gets large parallel batches.
    let (tx, rx) = std::sync::mpsc::sync_channel::<newsclf::Result<Item>>(2 * BATCH);
    std::thread::scope(|scope| -> Result<()> {
        // Owned here, so that an early return drops it and unblocks the reader.
        let rx = rx;
        scope.spawn(move || {
            for item in items {
                if tx.send(item).is_err() {
                    break;
                }
            }
        });
        let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
        loop {
            let next = if batch.is_empty() {
                rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                rx.recv_timeout(PAUSE)
            };
            let paused = matches!(next, Err(RecvTimeoutError::Timeout));
            let mut halt = None;
            let finished = match next {
                Ok(item) => match item? {
                    Item::Doc(doc) => {
                        batch.push(doc);
                        false
                    }
                    Item::Skipped { line, reason } if args.reading.strict => {
                        // Classify what came before, then stop.
                        halt = Some(format!(
                            "{}:{line}: {reason} (--strict stops at the first row that would be skipped)",
                            source.name()
                        ));
                        true
                    }
                    Item::Skipped { line, reason } => {
                        skipped += 1;
                        bar.suspend(|| {
                            ui.say(format!("{}:{line}: skipped: {reason}", source.name()))
                        });
                        false
                    }
                    Item::MultiLine { line, last_line } if args.reading.strict => {
                        halt = Some(
                            multi_line_error(&source.name(), line, last_line, None).to_string(),
                        );
                        true
                    }
                    Item::MultiLine { line, last_line } => {
                        multi_line.push(line, last_line);
                        false
                    }
                },
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => true,
            };
            if !batch.is_empty() && (batch.len() == BATCH || paused || finished) {
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
            if let Some(message) = halt {
                bail!(message);
            }
            if finished {
                return Ok(());
            }
        }
    })?;
    out.flush()?;
    bar.finish_and_clear();
    for (i, line) in multi_line.warning().into_iter().enumerate() {
        let name = source.name();
        ui.say(if i == 0 {
            format!("{name}: {line}")
        } else {
            format!("  {line}")
        });
    }
    if skipped > 0 {
        ui.say(format!(
            "classified {done} documents; {skipped} input rows skipped (listed above)"
        ));
    }
    Ok(())
}
