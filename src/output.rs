//! Output files that are never clobbered (SPEC §9): every file servq writes (`-o`,
//! `--junit`, `--rejects`) goes to a temporary file in the same folder and is renamed
//! into place only when the run succeeds, so a failed run leaves the previous file as
//! it was and two runs never interleave. An output path that is one of the inputs, or
//! two outputs on one path, is refused before anything is read.

use std::io::{BufWriter, StdoutLock, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tempfile::NamedTempFile;

/// Where one output goes: stdout, or a file written in full before it replaces the
/// previous one.
pub enum Output {
    /// Standard output.
    Stdout(BufWriter<StdoutLock<'static>>),
    /// A temporary file beside `path`, renamed onto it by [`Output::commit`].
    File {
        /// The temporary file.
        writer: BufWriter<NamedTempFile>,
        /// The final path.
        path: PathBuf,
    },
}

impl Output {
    /// Opens an output: `None` or `-` is stdout; a path gets a temporary file in its
    /// folder at once, so a bad path fails before any long work.
    pub fn open(path: Option<&Path>, what: &str) -> Result<Output> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout(BufWriter::new(std::io::stdout().lock())));
        };
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".servq-tmp")
            .tempfile_in(folder)
            .with_context(|| format!("{}: cannot create {what}", path.display()))?;
        Ok(Output::File { writer: BufWriter::new(temp), path: path.to_path_buf() })
    }

    /// Finishes the output: flushes stdout, or renames the temporary file onto its
    /// path (with the permissions of the file it replaces, else 0644).
    pub fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush()?,
            Output::File { writer, path } => {
                let temp = writer.into_inner().map_err(|e| e.into_error())?;
                set_permissions(temp.as_file(), &path)?;
                temp.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
fn set_permissions(file: &std::fs::File, path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
    file.set_permissions(std::fs::Permissions::from_mode(mode & 0o7777))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_permissions(_file: &std::fs::File, _path: &Path) -> Result<()> {
    Ok(())
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { writer, .. } => writer.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { writer, .. } => writer.flush(),
        }
    }
}

/// A path as the file system knows it: links and `..` resolved (for a file that does
/// not exist yet, its folder resolved and its name kept).
fn identity(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    std::fs::canonicalize(folder).map_or_else(|_| path.to_path_buf(), |f| f.join(name))
}

/// Refuses outputs that would destroy data: an output that is one of the `inputs`
/// (globs already expanded), or two outputs on one path. `outputs` are (flag, path)
/// pairs; `-` (stdout) is never a clash.
pub fn guard(outputs: &[(&str, &Path)], inputs: &[(String, PathBuf)]) -> Result<()> {
    let files: Vec<(&str, PathBuf)> =
        outputs.iter().filter(|(_, p)| p.as_os_str() != "-").map(|(flag, p)| (*flag, identity(p))).collect();
    for (i, (flag, path)) in files.iter().enumerate() {
        if let Some((other, _)) = files[..i].iter().find(|(_, p)| p == path) {
            bail!("{other} and {flag} name the same file {}: give each output its own path", path.display());
        }
        if let Some((kind, input)) = inputs.iter().find(|(_, input)| identity(input) == *path) {
            bail!(
                "{flag} {}: this is an input file ({kind}); servq never writes over its inputs, pick another path",
                input.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_on_an_input_or_on_another_output_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("s.csv");
        std::fs::write(&input, "x\n").unwrap();
        let inputs = vec![("surveys".to_string(), input.clone())];
        // The same file by another spelling (with `..`).
        let other = dir.path().join("sub/../s.csv");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let err = guard(&[("-o", &other)], &inputs).unwrap_err().to_string();
        assert!(err.contains("this is an input file (surveys)"), "{err}");
        let out = dir.path().join("out.csv");
        let err = guard(&[("-o", &out), ("--rejects", &out)], &inputs).unwrap_err().to_string();
        assert!(err.starts_with("-o and --rejects name the same file"), "{err}");
        assert!(guard(&[("-o", Path::new("-")), ("--rejects", &out)], &inputs).is_ok());
    }

    #[test]
    fn a_file_is_replaced_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kpis.csv");
        std::fs::write(&path, "last month\n").unwrap();
        let mut out = Output::open(Some(&path), "output file").unwrap();
        out.write_all(b"new").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "last month\n");
        let mut out = Output::open(Some(&path), "output file").unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
