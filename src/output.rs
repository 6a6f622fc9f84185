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
    /// Something that is not a regular file (a pipe, `/dev/stdout`, `/dev/null`), written
    /// as it is: it cannot be replaced, and holds no previous report to keep.
    Stream(BufWriter<std::fs::File>),
}

impl Output {
    /// Opens an output: `None` or `-` is stdout; a path gets a temporary file in its
    /// folder at once, so a bad path fails before any long work.
    pub fn open(path: Option<&Path>, what: &str) -> Result<Output> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout(BufWriter::new(std::io::stdout().lock())));
        };
        let cannot = || format!("{}: cannot create {what}", path.display());
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.is_dir() {
                bail!("{}: is a folder, not a file", path.display());
            }
            if !meta.is_file() {
                let file = std::fs::OpenOptions::new().write(true).open(path).with_context(cannot)?;
                return Ok(Output::Stream(BufWriter::new(file)));
            }
        }
        // Through a symbolic link, the file it points to is replaced, not the link.
        let path = &link_target(path);
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".servq-tmp")
            .tempfile_in(folder)
            .with_context(cannot)?;
        Ok(Output::File { writer: BufWriter::new(temp), path: path.to_path_buf() })
    }

    /// Finishes the output: flushes stdout, or renames the temporary file onto its
    /// path (with the permissions of the file it replaces, else 0644).
    pub fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => out.flush()?,
            Output::Stream(mut out) => out.flush()?,
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

/// The path a symbolic link points to (followed to the end, even when the file does
/// not exist yet); any other path as it is.
fn link_target(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..32 {
        let Ok(target) = std::fs::read_link(&current) else { break };
        current = match current.parent() {
            Some(folder) if target.is_relative() => folder.join(target),
            _ => target,
        };
    }
    current
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
            Output::Stream(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { writer, .. } => writer.flush(),
            Output::Stream(out) => out.flush(),
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

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_a_pipe_or_device_is_written_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("out.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        let mut out = Output::open(Some(&link), "output file").unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let mut null = Output::open(Some(Path::new("/dev/null")), "output file").unwrap();
        assert!(matches!(null, Output::Stream(_)));
        null.write_all(b"x").unwrap();
        null.commit().unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
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
