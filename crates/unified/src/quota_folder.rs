//! The quota folder: where the processes of a host keep the slots of the quotas they share
//! (see [`crate::limiter`]), made safe against the other users of the host.
//!
//! - The folder is opened once, without following a symbolic link, and everything after
//!   works relative to that descriptor: a name swapped for a link later is never followed.
//! - Its owner and mode are checked on that descriptor: it is this user's (or this
//!   group's, for a folder shared on purpose) and nobody else can write to it.
//! - A quota file is opened without following a link, and checked the same way.
//! - Every call is non-blocking: a lock held elsewhere is tried again by the caller, on
//!   the runtime's timer, never waited for in a system call.
//! - A slot is one little-endian `u64` at a fixed place: taking or freeing one writes 8
//!   bytes, and never truncates or rewrites the file.

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{self as fs, FileType, FlockOperation, Mode, OFlags};

/// An opened, checked quota folder.
pub(crate) struct QuotaFolder {
    path: PathBuf,
    dir: OwnedFd,
    /// Whether the folder is shared with a group on purpose: its files are then made
    /// readable and writable by the group too.
    group: bool,
}

impl fmt::Debug for QuotaFolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuotaFolder")
            .field("path", &self.path)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// Why a quota folder or file cannot be used; it reads as the end of a sentence.
#[derive(Debug)]
pub(crate) struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<rustix::io::Errno> for Refused {
    fn from(errno: rustix::io::Errno) -> Refused {
        Refused(io::Error::from(errno).to_string())
    }
}

impl QuotaFolder {
    /// Opens `path`, creating it (readable by this user only) if it does not exist.
    pub(crate) fn open(path: &Path) -> Result<QuotaFolder, Refused> {
        match fs::mkdir(path, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(rustix::io::Errno::EXIST) => {}
            Err(errno) => return Err(errno.into()),
        }
        let dir = fs::open(
            path,
            OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::RDONLY,
            Mode::empty(),
        )
        .map_err(|errno| match errno {
            rustix::io::Errno::LOOP | rustix::io::Errno::NOTDIR => {
                Refused("it is not a folder (a symbolic link is never followed)".to_owned())
            }
            other => other.into(),
        })?;
        let stat = fs::fstat(&dir)?;
        let mode = stat.st_mode;
        let own = stat.st_uid == rustix::process::geteuid().as_raw();
        let group = in_group(stat.st_gid) && mode & 0o020 != 0;
        if mode & 0o002 != 0 {
            return Err(Refused("anyone can write to it".to_owned()));
        }
        if !own && !group {
            return Err(Refused(
                "it belongs to another user, and is not shared with this group".to_owned(),
            ));
        }
        if own && !group && mode & 0o020 != 0 {
            return Err(Refused(
                "its group can write to it, and this process is not in that group".to_owned(),
            ));
        }
        Ok(QuotaFolder {
            path: path.to_owned(),
            dir,
            group,
        })
    }

    /// The folder as it was given.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens (or creates) the quota file `name`, and takes its lock if nobody holds it:
    /// `Ok(None)` when another process does.
    pub(crate) fn lock(&self, name: &str) -> Result<Option<QuotaFile>, Refused> {
        let mode = if self.group { 0o660 } else { 0o600 };
        let fd = fs::openat(
            &self.dir,
            name,
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        )
        .map_err(|errno| match errno {
            rustix::io::Errno::LOOP => Refused(format!(
                "`{name}` is a symbolic link, which is never followed"
            )),
            other => other.into(),
        })?;
        let stat = fs::fstat(&fd)?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(Refused(format!("`{name}` is not a regular file")));
        }
        let own = stat.st_uid == rustix::process::geteuid().as_raw();
        // Short-circuited: the group list is a system call, needed only for a file that is
        // not this user's own.
        if !(own || self.group && in_group(stat.st_gid)) {
            return Err(Refused(format!("`{name}` belongs to another user")));
        }
        if self.group && own && stat.st_mode & 0o060 != 0o060 {
            // The umask took the group's write away from a file just made.
            fs::fchmod(&fd, Mode::from_raw_mode(0o660))?;
        }
        match fs::flock(&fd, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(QuotaFile { fd })),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
            Err(errno) => Err(errno.into()),
        }
    }
}

/// A locked quota file; dropping it unlocks it (by closing it).
pub(crate) struct QuotaFile {
    fd: OwnedFd,
}

impl QuotaFile {
    /// The first `count` slots: when each is free again, in Unix milliseconds (0, or a
    /// missing slot, is free).
    pub(crate) fn read(&self, count: usize) -> Result<Vec<u64>, Refused> {
        let mut bytes = vec![0u8; count * 8];
        let mut filled = 0;
        while filled < bytes.len() {
            let read = rustix::io::pread(&self.fd, &mut bytes[filled..], filled as u64)?;
            if read == 0 {
                break;
            }
            filled += read;
        }
        Ok(bytes
            .chunks_exact(8)
            .map(|chunk| u64::from_le_bytes(chunk.try_into().unwrap_or_default()))
            .collect())
    }

    /// Writes slot `slot`.
    pub(crate) fn write(&self, slot: usize, free_at: u64) -> Result<(), Refused> {
        write_slot(&self.fd, slot, free_at)
    }

    /// Unlocks the file and keeps it open, to write the slot `slot` when its answer comes.
    pub(crate) fn into_slot(self, slot: usize) -> TakenSlot {
        let _ = fs::flock(&self.fd, FlockOperation::Unlock);
        TakenSlot { fd: self.fd, slot }
    }
}

/// A slot taken in a quota file.
pub(crate) struct TakenSlot {
    fd: OwnedFd,
    slot: usize,
}

impl TakenSlot {
    /// Moves the slot's end to `free_at`, without the lock: only this slot's 8 bytes are
    /// written, so that no other slot can be lost. Should another process have taken the
    /// slot meanwhile (a request longer than the window), its end only moves later, which
    /// is safe.
    pub(crate) fn release(&self, free_at: u64) {
        // On an error the slot frees itself one window after its taking.
        let _ = write_slot(&self.fd, self.slot, free_at);
    }
}

/// Whether this process is in the group `gid`: its effective group, or a supplementary one.
fn in_group(gid: u32) -> bool {
    gid == rustix::process::getegid().as_raw()
        || rustix::process::getgroups()
            .is_ok_and(|groups| groups.iter().any(|group| group.as_raw() == gid))
}

fn write_slot(fd: &OwnedFd, slot: usize, free_at: u64) -> Result<(), Refused> {
    let bytes = free_at.to_le_bytes();
    let written = rustix::io::pwrite(fd, &bytes, slot as u64 * 8)?;
    if written != bytes.len() {
        return Err(Refused("a short write".to_owned()));
    }
    Ok(())
}
