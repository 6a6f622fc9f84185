//! The one integration-test binary: one module per feature.

mod util;

mod bad_input;
mod check;
mod customers;
mod definitions;
mod errors;
mod html;
mod input_fuzz;
mod interactions;
mod library;
mod report;
mod safety;
mod streaming;
mod tools;
mod validate;
