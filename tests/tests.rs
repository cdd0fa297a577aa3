//! End-to-end tests: they run the `newsclf` binary as a user would.

mod util;

mod bad_input;
mod default_model;
mod model_choice;
mod predict;
mod real_data;
