//! Parses the command line, runs one subcommand and maps the outcome to an
//! exit code: 0 success, 1 failure, 2 usage error.

mod args;
mod eval;
mod output;
mod predict;
mod train;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use newsclf::Model;

use args::{Cli, Command};

/// Messages on stderr, silenced by `--quiet` (errors always show).
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    quiet: bool,
}

impl Ui {
    /// Prints a progress or summary line.
    pub fn say(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

/// Runs the command line and returns the exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsclf: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The model at `path`, or the embedded default model.
fn load_model(path: Option<&Path>) -> newsclf::Result<Model> {
    match path {
        Some(p) => Model::load(p),
        None => Model::embedded_default(),
    }
}
