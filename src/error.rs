//! Outcomes and error helpers.
//!
//! A run either completes with an [`Outcome`] (exit 0 or 1: "clean" or "something
//! failed a check / was rejected"), or fails with an error (exit 2: usage, config or
//! input could not be used). The two are different paths on purpose, as in grep.

use std::process::ExitCode;

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything passed (exit code 0).
    Success,
    /// The command ran, but a check failed or rows were rejected (exit code 1).
    Failure,
}

impl Outcome {
    /// Returns the process exit code of this outcome (0 or 1).
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Failure => ExitCode::from(1),
        }
    }
}

/// Returns true if and only if the error chain holds a broken pipe: stdout was closed
/// by the reader (`servq report | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    err.chain().any(|cause| {
        // The csv and JSON writers wrap I/O errors in their own types, without a source.
        let from_csv = cause.downcast_ref::<csv::Error>().and_then(|e| match e.kind() {
            csv::ErrorKind::Io(io) => Some(io.kind()),
            _ => None,
        });
        let from_json = cause.downcast_ref::<serde_json::Error>().and_then(|e| e.io_error_kind());
        cause.downcast_ref::<std::io::Error>().is_some_and(broken)
            || from_csv.or(from_json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Set while a panic is expected and caught (see [`catch_panic`]): the panic hook
/// then prints nothing.
static CATCHING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs `f`, turning a panic inside it (in a third-party reader, on corrupted input)
/// into `None`, without printing the panic.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    use std::sync::atomic::Ordering;
    CATCHING.fetch_add(1, Ordering::SeqCst);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    CATCHING.fetch_sub(1, Ordering::SeqCst);
    result
}

/// Installs the panic hook of the binary: one line on stderr, no backtrace note, and
/// nothing while [`catch_panic`] is running. The binary maps a panic to exit code 2.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if CATCHING.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("servq: internal error: {message} (please report this with the input that caused it)");
        }
    }));
}
