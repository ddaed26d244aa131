//! Where an image lives, as the four steps of an atomic replace (write aside, fsync, rename,
//! fsync the directory), so tests can inject a crash at every step.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The storage of one image. Implemented by [`FileStorage`]; tests implement it with a fake
/// disk that "crashes" at a chosen step.
pub trait ImageStorage: Send {
    /// The image's name for error messages.
    fn path(&self) -> &Path;
    /// Reads the whole current image.
    fn read(&mut self) -> io::Result<Vec<u8>>;
    /// Step 1: writes the new image beside the current one (created 0600).
    fn write_aside(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Step 2: makes the file written aside durable.
    fn sync_aside(&mut self) -> io::Result<()>;
    /// Step 3: renames it over the image (atomic).
    fn rename_over(&mut self) -> io::Result<()>;
    /// Step 4: makes the rename durable (fsync of the directory).
    fn sync_dir(&mut self) -> io::Result<()>;
}

/// Replaces the image with `bytes`: after a crash at any instant the image is the old one or
/// the new one, never a mix.
pub fn write_atomic(storage: &mut dyn ImageStorage, bytes: &[u8]) -> io::Result<()> {
    storage.write_aside(bytes)?;
    storage.sync_aside()?;
    storage.rename_over()?;
    storage.sync_dir()
}

/// An image file on disk.
pub struct FileStorage {
    path: PathBuf,
    aside: PathBuf,
    file: Option<File>,
}

impl FileStorage {
    /// The storage of the image at `path` (nothing is opened yet).
    pub fn new(path: &Path) -> Self {
        let mut name = path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".tmp");
        FileStorage {
            path: path.to_path_buf(),
            aside: path.with_file_name(name),
            file: None,
        }
    }
}

impl ImageStorage for FileStorage {
    fn path(&self) -> &Path {
        &self.path
    }
    fn read(&mut self) -> io::Result<Vec<u8>> {
        fs::read(&self.path)
    }
    fn write_aside(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&self.aside)?;
        file.write_all(bytes)?;
        self.file = Some(file);
        Ok(())
    }
    fn sync_aside(&mut self) -> io::Result<()> {
        match self.file.take() {
            Some(file) => file.sync_all(),
            None => Err(io::Error::other("nothing written aside")),
        }
    }
    fn rename_over(&mut self) -> io::Result<()> {
        fs::rename(&self.aside, &self.path)
    }
    fn sync_dir(&mut self) -> io::Result<()> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()
    }
}
