//! End-to-end tests: they run the `newsclf` binary as a user would.

mod util;

mod bad_input;
mod continued_training;
mod corpus_originality;
mod default_model;
mod explain_info;
mod fuzz_regressions;
mod layout;
mod model_choice;
mod predict;
mod properties;
mod real_data;
mod reliability;
mod report_html;
mod serve;
mod serve_page;
mod server;
mod streaming_training;
