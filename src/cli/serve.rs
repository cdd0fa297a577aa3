//! `newsclf serve`.

use std::time::Duration;

use anyhow::Result;
use newsclf::{Limits, ServeConfig, run_service};

use super::Ui;
use super::args::ServeArgs;

pub fn run(args: ServeArgs, ui: Ui) -> Result<()> {
    let config = ServeConfig {
        addr: args.addr,
        model: args.model,
        limits: Limits {
            max_body_bytes: args.max_body_bytes as usize,
            max_texts: args.max_texts as usize,
            max_chars: args.max_chars as usize,
            max_concurrent: args.max_concurrent as usize,
            timeout: Duration::from_millis(args.timeout_ms),
            header_timeout: Duration::from_millis(args.header_timeout_ms),
        },
        api_key: args.api_key,
        cors_origin: args.cors_origin,
        log_requests: !ui.is_quiet(),
    };
    run_service(config)?;
    Ok(())
}
