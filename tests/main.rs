//! The one integration-test binary: one module per feature.

mod util;

mod bad_input;
mod chain;
mod check;
mod complaints;
mod customers;
mod definitions;
mod engines;
mod errors;
mod html;
mod init;
mod input_fuzz;
mod interactions;
mod layout;
mod library;
mod report;
mod safety;
mod scorecard;
mod streaming;
mod terminal;
mod tools;
mod validate;
mod weights;

/// Every `tests/*.rs` file is a module of this binary (`autotests = false`: a file
/// not listed here would never run).
#[test]
fn every_test_file_is_compiled_into_the_test_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(module) = name.strip_suffix(".rs").filter(|m| *m != "main") {
            assert!(main.contains(&format!("mod {module};")), "tests/{name} is not a module of tests/main.rs");
        }
    }
}
