//! Files replaced safely: read without following links, written to an unpredictable temporary
//! file beside the target (created exclusively, with the original's permissions), then renamed
//! over it, unless the target changed since it was read.
//!
//! Temporary files are named `.NAME.tenet-PID-RANDOM.tmp`; one left by a killed run is removed
//! the next time the same file is replaced.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What a file was when it was read, to see a change made since.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Snapshot {
    fn of(m: &std::fs::Metadata) -> Snapshot {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Snapshot {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            inode: (m.dev(), m.ino()),
        }
    }

    /// Which file this is, where the system says (device and inode).
    fn identity(&self) -> impl PartialEq {
        #[cfg(unix)]
        return self.inode;
        #[cfg(not(unix))]
        return ();
    }
}

/// Why a file was not replaced.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target, or a folder on the way to it, is a symbolic link.
    #[error("{0} is a symbolic link; tenet does not write through links (pass --follow-symlinks to write the file it points to)")]
    Link(PathBuf),
    /// The target changed after it was read.
    #[error("it changed while tenet ran; it was left as it is (run the command again)")]
    Changed,
    /// The file system refused.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads a text file that is not a symbolic link, with its [`Snapshot`].
pub fn read_checked(path: &Path) -> Result<(String, Snapshot), WriteError> {
    let mut f = open_nofollow(path)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file").into());
    }
    let mut text = String::new();
    f.read_to_string(&mut text)?;
    Ok((text, Snapshot::of(&meta)))
}

/// Opens a file that is not a symbolic link: checked before opening, and the file opened must be
/// the one checked, so a link swapped in between is not followed.
fn open_nofollow(path: &Path) -> Result<std::fs::File, WriteError> {
    let before = path.symlink_metadata()?;
    if before.is_symlink() {
        return Err(WriteError::Link(path.to_path_buf()));
    }
    let f = std::fs::File::open(path)?;
    if Snapshot::of(&f.metadata()?).identity() != Snapshot::of(&before).identity() {
        return Err(WriteError::Changed);
    }
    Ok(f)
}

/// Refuses a path on which a folder between `trusted` (itself included) and the file, or the
/// file itself, is a symbolic link. Folders above `trusted` are the caller's to choose.
pub fn refuse_links(path: &Path, trusted: &Path) -> Result<(), WriteError> {
    let mut at = path;
    loop {
        if at.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
            return Err(WriteError::Link(at.to_path_buf()));
        }
        if at == trusted {
            return Ok(());
        }
        match at.parent() {
            Some(p) if !p.as_os_str().is_empty() && p.starts_with(trusted) => at = p,
            _ => return Ok(()),
        }
    }
}

/// Writes a file atomically: a new temporary file in the same folder, synced, then renamed over
/// the target, keeping an existing target's permissions. On failure the target is untouched and
/// the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace(path, bytes, None).map_err(|e| match e {
        WriteError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    })
}

/// [`write_atomic`] for a file read with [`read_checked`]: refused when the target is no longer
/// what `was` describes (edited, replaced or turned into a link since); its owner is kept where
/// the system allows.
pub fn replace(path: &Path, bytes: &[u8], was: Option<&Snapshot>) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    remove_stale(dir, &name);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.tenet-{}-", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    // The original's permissions and owner carry over; a new file gets the usual ones.
    let original = path.symlink_metadata().ok().filter(|m| m.is_file());
    match &original {
        Some(m) => {
            tmp.as_file().set_permissions(m.permissions())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // Only a privileged user may give a file away; the permissions still hold.
                let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
            }
        }
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = 0o666 & !umask();
                tmp.as_file()
                    .set_permissions(std::fs::Permissions::from_mode(mode))?;
            }
        }
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // Fault injection for the interruption test: die between writing and renaming.
    if std::env::var_os("TENET_TEST_CRASH_BEFORE_RENAME").is_some() {
        std::process::abort();
    }
    if let Some(was) = was {
        let now = path.symlink_metadata()?;
        if now.is_symlink() {
            return Err(WriteError::Link(path.to_path_buf()));
        }
        if Snapshot::of(&now) != *was {
            return Err(WriteError::Changed);
        }
    }
    tmp.persist(path).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

/// The process's file-creation mask, read without changing it for long.
#[cfg(unix)]
fn umask() -> u32 {
    // Read from /proc where it is shown; otherwise assume the common 022.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// How old a temporary file of another process must be before it counts as left behind, where
/// whether that process still runs cannot be seen.
const STALE: Duration = Duration::from_secs(3600);

/// Removes the temporary files for `name` in `dir` that a killed run left: those of a process
/// that no longer runs (where that can be seen) or older than [`STALE`].
fn remove_stale(dir: &Path, name: &str) {
    let prefix = format!(".{name}.tenet-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(rest) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(meta) = e.path().symlink_metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE);
        let gone = pid != std::process::id()
            && Path::new("/proc/self").exists()
            && !Path::new(&format!("/proc/{pid}")).exists();
        if (old || gone) && (meta.is_file() || meta.is_symlink()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_below_the_trusted_folder_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("repo");
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/a.json"), "[]").unwrap();
        assert!(refuse_links(&root.join("real/a.json"), &root).is_ok());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
            std::os::unix::fs::symlink(root.join("real/a.json"), root.join("b.json")).unwrap();
            let e = refuse_links(&root.join("link/a.json"), &root).unwrap_err();
            assert!(matches!(e, WriteError::Link(p) if p == root.join("link")));
            assert!(refuse_links(&root.join("b.json"), &root).is_err());
            // A link above the trusted folder is the caller's choice.
            assert!(refuse_links(&root.join("link/a.json"), &root.join("link")).is_err());
            assert!(refuse_links(&root.join("real/a.json"), &root.join("real")).is_ok());
        }
    }

    #[test]
    fn a_changed_file_is_not_replaced() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.json");
        std::fs::write(&p, "[1]").unwrap();
        let (text, was) = read_checked(&p).unwrap();
        assert_eq!(text, "[1]");
        std::fs::write(&p, "[1, 2]").unwrap();
        assert!(matches!(
            replace(&p, b"[3]", Some(&was)),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "[1, 2]");
        let (_, was) = read_checked(&p).unwrap();
        replace(&p, b"[3]", Some(&was)).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "[3]");
        // No temporary file is left either way.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
