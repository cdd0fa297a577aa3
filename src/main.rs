//! The `newsclf` command: a thin layer over the `newsclf` library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
