//! Test helpers: run the real binary in its own temp folder, find fixtures, and
//! read CSV output as rows.

use std::path::PathBuf;

use assert_cmd::Command;

/// Returns the absolute path of a fixture file.
pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name).display().to_string()
}

/// Returns the absolute path of a file in sample-data/.
pub fn sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(name).display().to_string()
}

/// A test workspace: an empty temp folder the binary runs in (so no stray
/// ./servq.toml is picked up).
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Self {
        Workdir { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// The servq binary, run in this folder, with NO_COLOR and without SERVQ_CONFIG.
    pub fn servq(&self) -> Command {
        let mut cmd = Command::cargo_bin("servq").expect("binary built");
        cmd.current_dir(self.dir.path()).env("NO_COLOR", "1").env_remove("SERVQ_CONFIG");
        cmd
    }

    /// The absolute path of a file in this folder.
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Writes a file into this folder and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write file");
        path
    }
}

/// Parses CSV text into rows of column → value maps.
pub fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// Runs the binary and returns stdout as a string, asserting exit code 0.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("utf-8 stdout")
}

/// Asserts that two floats agree to 1e-9.
pub fn assert_close(actual: &str, expected: f64) {
    let a: f64 = actual.parse().unwrap_or_else(|_| panic!("not a number: {actual:?}"));
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

/// Runs the binary, asserts exit code 0 and that stderr contains every `expected`
/// line, and returns stdout parsed as CSV rows.
pub fn csv_rows_with_stderr(cmd: &mut Command, expected: &[&str]) -> Vec<std::collections::BTreeMap<String, String>> {
    let output = cmd.assert().success().get_output().clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    for line in expected {
        assert!(stderr.contains(line), "stderr lacks {line:?}:\n{stderr}");
    }
    csv_rows(&String::from_utf8(output.stdout).expect("utf-8 stdout"))
}

/// Asserts that a CSV cell agrees with a reference value written as text to 1e-9
/// (relative above 1); an empty reference (no interval) wants an empty cell.
pub fn close_to_reference(actual: &str, expected: &str, what: &str) {
    if expected.is_empty() {
        assert!(actual.is_empty(), "{what}: {actual:?}, expected empty");
        return;
    }
    let (a, e): (f64, f64) = (actual.parse().unwrap(), expected.parse().unwrap());
    assert!((a - e).abs() <= 1e-9 * e.abs().max(1.0), "{what}: {a} != {e}");
}
