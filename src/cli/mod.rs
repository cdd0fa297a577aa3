//! Parses the command line, runs one subcommand and maps the outcome to an
//! exit code: 0 success, 1 failure, 2 usage error (a flag clap refuses, or a
//! setting the library refuses as invalid, before any data is read).

mod args;
mod cv;
mod eval;
mod explain;
mod info;
mod output;
mod predict;
mod serve;
mod train;
mod tune;

use std::path::Path;
use std::process::ExitCode;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use newsclf::Model;

use args::{Cli, Command};

/// Messages on stderr, silenced by `--quiet` (errors always show).
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    quiet: bool,
}

impl Ui {
    /// Whether `--quiet` is on.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    /// Prints a progress or summary line.
    pub fn say(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }

    /// A progress display on stderr: a bar when `total` is known, a counter of
    /// `unit`s otherwise (a plain spinner when `unit` is empty). Hidden unless
    /// stderr is a terminal and `--quiet` is off.
    pub fn progress(&self, total: Option<u64>, unit: &str) -> ProgressBar {
        if self.quiet || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let (bar, template) = match (total, unit.is_empty()) {
            (Some(n), _) => (
                ProgressBar::new(n),
                format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{elapsed}}"),
            ),
            (None, false) => (
                ProgressBar::new_spinner(),
                format!("{{spinner}} {{msg}}: {{pos}} {unit}, {{elapsed}}"),
            ),
            (None, true) => (
                ProgressBar::new_spinner(),
                "{spinner} {msg} {elapsed}".to_string(),
            ),
        };
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }
}

/// Runs the command line and returns the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    if let Some(n) = cli.threads {
        if n == 0 {
            eprintln!("newsclf: error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("newsclf: error: cannot start {n} threads: {e}");
            return ExitCode::FAILURE;
        }
    }
    let ui = Ui { quiet: cli.quiet };
    let result = match cli.command {
        Command::Train(a) => train::run(a, ui),
        Command::Predict(a) => predict::run(a, ui),
        Command::Eval(a) => eval::run(a, ui),
        Command::Cv(a) => cv::run(a, ui),
        Command::Tune(a) => tune::run(a, ui),
        Command::Explain(a) => explain::run(a),
        Command::Info(a) => info::run(a),
        Command::Serve(a) => serve::run(a, ui),
        Command::Completions(a) => {
            use clap::CommandFactory;
            clap_complete::generate(
                a.shell,
                &mut Cli::command(),
                "newsclf",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsclf: error: {e:#}");
            if is_invalid_setting(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Whether `e` is a setting the library refused (a usage error, like a
/// value clap refuses).
fn is_invalid_setting(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<newsclf::Error>(),
            Some(newsclf::Error::Param(_))
        )
    })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes a report on stdout: `value` as pretty JSON, or its text rendering.
fn print_report<T: serde::Serialize>(
    format: args::EvalFormat,
    value: &T,
    render: impl FnOnce(&T) -> String,
) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match format {
        args::EvalFormat::Text => write!(out, "{}", render(value))?,
        args::EvalFormat::Json => {
            serde_json::to_writer_pretty(&mut out, value)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The name and file size of the model at `path` (or of the embedded one).
fn model_source(path: Option<&Path>, model: &Model) -> (String, u64) {
    match path {
        Some(p) => (
            p.display().to_string(),
            std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        ),
        None => (
            newsclf::EMBEDDED_NAME.to_string(),
            model.to_bytes().len() as u64,
        ),
    }
}

/// The model at `path`, or the embedded default model.
fn load_model(path: Option<&Path>) -> newsclf::Result<Model> {
    match path {
        Some(p) => Model::load(p),
        None => Model::embedded_default(),
    }
}
